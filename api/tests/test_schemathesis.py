"""Property-based run of schemathesis over our whole OpenAPI schema, through the
WSGI app with the owner's token: no generated request may get a 5xx or a status
code the schema does not declare, and every answer must match its declared
schema and content type. Throttling is out of the way; a few examples per
operation and a deadline bound the run to a couple of minutes."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.models import Attempt, DailyStats, RunStats
from core.tests.factories import ClientFactory, MailingFactory
from core.wsgi import application

pytestmark = pytest.mark.contract


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calls go straight into the WSGI app, whose request signals would close the
    database connection inside the test's transaction (the test client unhooks
    them the same way)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch):
    for scope in list(SimpleRateThrottle.THROTTLE_RATES):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, None)


@pytest.fixture
def token(owner, other_user):
    """The owner's clients, a mailing with failed attempts and rollups, and
    another user's mailing (which the owner must never see)."""
    clients = ClientFactory.create_batch(3, owner=owner)
    mailing = MailingFactory(owner=owner, clients=clients)
    MailingFactory(owner=other_user, clients=[ClientFactory(owner=other_user)])
    for client in clients:
        Attempt.objects.create(mailing=mailing, client=client, run_at=mailing.start_at, status="failure")
    RunStats.objects.create(mailing=mailing, run_at=mailing.start_at, planned=3, failed=3)
    DailyStats.objects.create(mailing=mailing, day=mailing.start_at.date(), failed=3)
    return Token.objects.create(user=owner).key


# Loaded from the running app at collection: generating the schema needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=3000,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_generated_requests_never_break_the_api(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance],
    )
