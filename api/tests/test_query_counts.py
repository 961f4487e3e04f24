"""The number of queries a list costs does not grow with the rows on its page,
in the JSON face and in the HTML face."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.tests.conftest import HX
from core.models import Attempt, DailyStats, RunStats
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory


def grow(owner, other_user, n):
    """n more of everything, spread over two owners."""
    for user in (owner, other_user):
        clients = ClientFactory.create_batch(n, owner=user)
        MessageFactory.create_batch(n, owner=user)
        for _ in range(n):
            mailing = MailingFactory(owner=user, clients=clients[:3])
            for client in clients[:3]:
                Attempt.objects.create(mailing=mailing, client=client, run_at=mailing.start_at)
            RunStats.objects.create(mailing=mailing, run_at=mailing.start_at, planned=3, pending=3, stale=False)
            DailyStats.objects.create(mailing=mailing, day=date(2026, 5, 1), pending=3)


URLS = [
    "/api/clients/",
    "/api/messages/",
    "/api/mailings/",
    "/api/attempts/",
    "/api/reports/",
    "/api/reports/daily/",
    "/api/users/",
]


@pytest.mark.parametrize("headers", [{}, HX], ids=["json", "html"])
def test_list_queries_do_not_grow_with_the_page(
    client, admin_user, owner, other_user, headers, django_assert_max_num_queries
):
    client.force_login(admin_user)
    grow(owner, other_user, 2)
    baseline = {}
    for url in URLS:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"page_size": 100}, **headers).status_code == 200
        baseline[url] = len(queries)
    grow(owner, other_user, 12)
    for url in URLS:
        with django_assert_max_num_queries(baseline[url]):
            response = client.get(url, {"page_size": 100}, **headers)
        assert response.status_code == 200


def test_the_bound_is_small(client, admin_user, owner, other_user, django_assert_max_num_queries):
    client.force_login(admin_user)
    grow(owner, other_user, 5)
    # The most: a manager's report list as a page shows it, in 10 (the session, the user, the runs
    # not counted yet, the count, the rows, their runs' and events' figures, the chart's days and
    # events, the owners to filter by).
    for url in URLS:
        for headers in ({}, HX):
            with django_assert_max_num_queries(10):
                client.get(url, **headers)
