"""The list serializers write their rows straight from the instance (`row()`);
every row must be exactly what DRF's generic field-by-field path writes, keys
in the same order, in any time zone, with empty and filled optional fields."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from api.serializers.attempts import AttemptSerializer
from api.serializers.common import LeanRowsMixin
from api.serializers.mailings import MailingListSerializer, MailingSerializer
from api.serializers.reports import ReportDetailSerializer, ReportSerializer
from api.views.attempts import AttemptViewSet
from api.views.mailings import MailingViewSet, with_clients_count
from api.views.reports import ReportViewSet
from core.models import Attempt, AttemptStatus, Mailing, MailingStatus, RunStats
from core.reports import with_report_figures
from core.tests.factories import ClientFactory, MailingFactory

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]


def generic(serializer, instance):
    return super(LeanRowsMixin, serializer).to_representation(instance)


def assert_same_rows(serializer_class, instances):
    for zone in ZONES:
        with timezone.override(zone):
            for instance in instances:
                serializer = serializer_class(instance)
                lean, reference = serializer.data, generic(serializer, instance)
                assert list(lean.items()) == list(reference.items())


@pytest.fixture
def mailings(owner, other_user):
    clients = ClientFactory.create_batch(3, owner=owner)
    plain = MailingFactory(owner=owner, clients=clients)
    finished = MailingFactory(
        owner=other_user,
        periodicity="weekly",
        status=MailingStatus.FINISHED,
        is_active=False,
        start_at=datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
        end_at=datetime(2026, 7, 1, 12, 30, 15, 123456, tzinfo=UTC),
        next_run_at=datetime(2026, 6, 1, 23, 59, tzinfo=UTC),
        last_run_at=datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
    )
    return plain, finished


@pytest.mark.django_db
def test_mailing_rows(mailings):
    fresh = with_clients_count(Mailing.objects.select_related("owner", "message")).order_by("id")
    lean = fresh.only(*MailingViewSet.LIST_COLUMNS)
    assert_same_rows(MailingListSerializer, [*fresh, *lean])
    assert MailingListSerializer(fresh[0]).data["clients_count"] == 3


@pytest.mark.django_db
def test_attempt_rows(mailings):
    plain, finished = mailings
    client = plain.clients.first()
    Attempt.objects.create(mailing=plain, client=client, run_at=plain.start_at)
    Attempt.objects.create(
        mailing=finished,
        client=client,
        run_at=datetime(2026, 5, 1, 9, tzinfo=UTC),
        status=AttemptStatus.FAILURE,
        tries=3,
        attempted_at=datetime(2026, 5, 1, 9, 0, 30, tzinfo=UTC),
        next_try_at=datetime(2026, 5, 1, 10, tzinfo=UTC),
        smtp_code=550,
        server_response="550 5.1.1 no such user",
    )
    rows = Attempt.objects.select_related("client").only(*AttemptViewSet.COLUMNS).order_by("id")
    assert_same_rows(AttemptSerializer, [*rows, *Attempt.objects.order_by("id")])


@pytest.mark.django_db
def test_report_rows(mailings):
    _plain, finished = mailings
    RunStats.objects.create(
        mailing=finished,
        run_at=datetime(2026, 5, 1, 9, tzinfo=UTC),
        planned=10,
        sent=7,
        failed=2,
        pending=1,
        first_attempt_at=datetime(2026, 5, 1, 9, 0, 1, tzinfo=UTC),
        last_attempt_at=datetime(2026, 5, 1, 9, 5, tzinfo=UTC),
    )
    queryset = Mailing.objects.select_related("owner", "message").only(*ReportViewSet.ROW_COLUMNS)
    for since in (None, date(2026, 6, 1)):
        reports = with_report_figures(queryset, since=since).order_by("id")
        assert_same_rows(ReportSerializer, reports)


def test_subclasses_adding_fields_take_the_generic_path():
    assert MailingListSerializer.__dict__.get("lean_rows")
    assert not MailingSerializer.__dict__.get("lean_rows")
    assert not ReportDetailSerializer.__dict__.get("lean_rows")
