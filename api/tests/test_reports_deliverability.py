"""Reports count the unsubscribes and suppressions each mailing caused, per mailing and per day."""

from datetime import UTC, datetime

import time_machine
from django.urls import reverse

from core.models import ClientEvent, DailyStats
from core.tests.factories import ClientFactory, MailingFactory


def test_unsubscribes_and_suppressions_per_mailing_and_per_day(client, owner, other_user):
    owner.time_zone = "UTC"
    owner.save()
    people = ClientFactory.create_batch(3, owner=owner)
    mailing = MailingFactory(owner=owner, clients=people)
    other = MailingFactory(owner=other_user, clients=[ClientFactory(owner=other_user)])
    DailyStats.objects.create(mailing=mailing, day="2026-06-01", sent=3)
    for person, kind, at in [
        (people[0], "unsubscribed", datetime(2026, 6, 1, 10, tzinfo=UTC)),
        (people[1], "unsubscribed", datetime(2026, 6, 2, 10, tzinfo=UTC)),
        (people[2], "suppressed", datetime(2026, 6, 2, 11, tzinfo=UTC)),
        (people[2], "resubscribed", datetime(2026, 6, 2, 12, tzinfo=UTC)),
    ]:
        ClientEvent.objects.create(client=person, mailing=mailing, kind=kind, at=at)
    ClientEvent.objects.create(client=other.clients.get(), mailing=other, kind="unsubscribed", at="2026-06-01T10:00Z")
    client.force_login(owner)

    with time_machine.travel(datetime(2026, 6, 3, tzinfo=UTC)):
        [row] = client.get(reverse("api:report-list")).json()["results"]
        assert (row["unsubscribed"], row["suppressed"]) == (2, 1)
        june_2 = client.get(
            reverse("api:report-list"), {"period_after": "2026-06-02", "period_before": "2026-06-02"}
        ).json()
        assert (june_2["results"][0]["unsubscribed"], june_2["results"][0]["suppressed"]) == (1, 1)
        days = client.get(reverse("api:report-daily")).json()
        assert [(d["date"], d["sent"], d["unsubscribed"], d["suppressed"]) for d in days] == [
            ("2026-06-01", 3, 1, 0),
            ("2026-06-02", 0, 1, 1),
        ]
        html = client.get(reverse("api:report-detail", args=[mailing.pk]), headers={"HX-Request": "true"})
        assert 'data-figure="unsubscribed">2<' in html.content.decode()
