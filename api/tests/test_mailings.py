"""Mailings through the API and the HTML fragments: created and changed through
the core services, with time-zone aware times, the owner's own message and
clients, and the send-now / enable / disable / resend-failed actions."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from api.tests.conftest import triggers
from core.models import Attempt, AttemptStatus, Mailing
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def parts(owner):
    return {"message": MessageFactory(owner=owner), "clients": ClientFactory.create_batch(2, owner=owner)}


def body(parts, **extra):
    return {
        "message": parts["message"].pk,
        "clients": [c.pk for c in parts["clients"]],
        "start_at": "2026-07-01T09:00:00+02:00",
        "periodicity": "daily",
        **extra,
    }


@time_machine.travel(NOW, tick=False)
def test_create_schedules_through_the_service(api, owner, parts):
    response = api.as_(owner).post("/api/mailings/", body(parts), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "created"
    assert data["next_run_at"] == "2026-07-01T07:00:00Z"
    assert data["clients"] == sorted(c.pk for c in parts["clients"])
    assert data["clients_count"] == 2
    mailing = Mailing.objects.get(pk=data["id"])
    assert mailing.owner == owner and mailing.clients.count() == 2


def test_naive_datetime_is_rejected_with_a_clear_message(api, owner, parts):
    response = api.as_(owner).post("/api/mailings/", body(parts, start_at="2026-07-01T09:00:00"), format="json")
    assert response.status_code == 400
    assert "time zone offset" in response.json()["start_at"][0]
    assert not Mailing.objects.exists()


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-01T09:00:00Z", 12, None, "9" * 40, "99999-01-01T00:00Z"])
def test_unreadable_start_is_a_400(api, owner, parts, value):
    response = api.as_(owner).post("/api/mailings/", body(parts, start_at=value), format="json")
    assert response.status_code == 400
    assert "start_at" in response.json()


def test_end_must_be_after_start(api, owner, parts):
    response = api.as_(owner).post("/api/mailings/", body(parts, end_at="2026-07-01T08:00:00+02:00"), format="json")
    assert response.status_code == 400
    assert response.json() == {"end_at": ["The end must be after the first send."]}


def test_another_users_message_or_clients_are_not_found(api, owner, other_user, parts):
    foreign_message = MessageFactory(owner=other_user)
    foreign_client = ClientFactory(owner=other_user)
    response = api.as_(owner).post(
        "/api/mailings/",
        body(parts, message=foreign_message.pk, clients=[parts["clients"][0].pk, foreign_client.pk]),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"message", "clients"}
    assert not Mailing.objects.exists()


def test_admin_cannot_give_a_mailing_someone_elses_message(api, admin_user, owner, other_user):
    mailing = MailingFactory(owner=owner, clients=[ClientFactory(owner=owner)])
    foreign = MessageFactory(owner=other_user)
    response = api.as_(admin_user).patch(f"/api/mailings/{mailing.pk}/", {"message": foreign.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"message": ["Choose one of your own messages."]}


def test_scheduler_fields_cannot_be_typed(api, owner, parts):
    response = api.as_(owner).post("/api/mailings/", body(parts, status="finished", next_run_at=None), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"status", "next_run_at"}


def test_a_mailing_needs_clients(api, owner, parts):
    response = api.as_(owner).post("/api/mailings/", body(parts, clients=[]), format="json")
    assert response.status_code == 400
    assert "clients" in response.json()


@time_machine.travel(NOW, tick=False)
def test_update_replans_the_schedule(api, owner, parts):
    mailing = MailingFactory(owner=owner, clients=parts["clients"], start_at=NOW + timedelta(days=1))
    response = api.as_(owner).patch(
        f"/api/mailings/{mailing.pk}/",
        {"start_at": "2026-06-03T12:00:00Z", "clients": [parts["clients"][0].pk]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    mailing.refresh_from_db()
    assert mailing.next_run_at == datetime(2026, 6, 3, 12, tzinfo=UTC)
    assert list(mailing.clients.all()) == [parts["clients"][0]]


@time_machine.travel(NOW, tick=False)
def test_send_now_plans_a_run_for_every_client(api, owner, parts):
    mailing = MailingFactory(owner=owner, clients=parts["clients"])
    response = api.as_(owner).post(f"/api/mailings/{mailing.pk}/send-now/")
    assert response.status_code == 200
    assert response.json() == {"run_at": "2026-06-01T10:00:00Z"}
    assert Attempt.objects.filter(mailing=mailing, run_at=NOW, status=AttemptStatus.PENDING).count() == 2


def test_send_now_clicked_twice_answers_the_run_already_queued(api, owner, parts):
    mailing = MailingFactory(owner=owner, clients=parts["clients"])
    with time_machine.travel(NOW, tick=False):
        first = api.as_(owner).post(f"/api/mailings/{mailing.pk}/send-now/")
    with time_machine.travel(NOW + timedelta(seconds=1), tick=False):
        second = api.as_(owner).post(f"/api/mailings/{mailing.pk}/send-now/")
    assert second.status_code == 200
    assert second.json() == first.json() == {"run_at": "2026-06-01T10:00:00Z"}
    assert Attempt.objects.filter(mailing=mailing).count() == 2


def test_disable_and_enable(api, owner, parts):
    mailing = MailingFactory(owner=owner, clients=parts["clients"])
    client = api.as_(owner)
    assert client.post(f"/api/mailings/{mailing.pk}/disable/").json()["is_active"] is False
    assert client.post(f"/api/mailings/{mailing.pk}/enable/").json()["is_active"] is True


def test_resend_failed_requeues_failures_of_one_run_or_all(api, owner, parts):
    mailing = MailingFactory(owner=owner, clients=parts["clients"])
    first, second = NOW, NOW + timedelta(days=1)
    for run_at in (first, second):
        Attempt.objects.create(mailing=mailing, client=parts["clients"][0], run_at=run_at, status="failure")
    client = api.as_(owner)
    one = client.post(f"/api/mailings/{mailing.pk}/resend-failed/", {"run_at": first.isoformat()}, format="json")
    resend = Attempt.objects.get(status="pending")
    assert one.json() == {
        "run_at": resend.run_at.isoformat().replace("+00:00", "Z"),
        "requeued": 1,
        "unsubscribed": 0,
        "suppressed": 0,
    }
    assert resend.resend_of == first
    # The client is already queued again: a second resend does not queue them twice.
    again = client.post(f"/api/mailings/{mailing.pk}/resend-failed/", {}, format="json").json()
    assert (again["requeued"], again["run_at"]) == (0, None)
    assert Attempt.objects.filter(status="failure").count() == 2  # what failed stays in the history
    bad = client.post(f"/api/mailings/{mailing.pk}/resend-failed/", {"run_at": "soon", "x": 1}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"run_at", "x"}


def test_filters(api, owner, parts):
    daily = MailingFactory(owner=owner, periodicity="daily", start_at=NOW)
    weekly = MailingFactory(owner=owner, periodicity="weekly", start_at=NOW + timedelta(days=10), is_active=False)
    client = api.as_(owner)

    def ids(query):
        response = client.get(f"/api/mailings/?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("periodicity=daily") == [daily.pk]
    assert ids("is_active=false") == [weekly.pk]
    assert ids("start_at_after=2026-06-05T00:00:00Z") == [weekly.pk]
    # One status vocabulary: a disabled mailing shows and filters as "disabled", not as what the schedule says.
    assert ids("status=created") == [daily.pk]
    assert ids("status=disabled") == [weekly.pk]
    assert client.get("/api/mailings/?status=bogus").status_code == 400


def test_manager_filters_by_owner(api, manager, owner, other_user):
    mine = MailingFactory(owner=owner)
    MailingFactory(owner=other_user)
    rows = api.as_(manager).get(f"/api/mailings/?owner={owner.pk}").json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    response = api.get("/api/mailings/?owner=999999")
    assert response.status_code == 400 and "owner" in response.json()


def test_owner_filter_is_a_list_of_owners_for_managers_only(page, manager, owner, other_user):
    MailingFactory(owner=owner)
    MailingFactory(owner=other_user)
    html = page.as_(manager).get("/api/mailings/").content.decode()
    assert '<select name="owner"' in html
    assert f'<option value="{owner.pk}">{owner.email}</option>' in html
    assert f'<option value="{manager.pk}">' not in html  # managers without mailings are no choice
    assert 'name="owner"' not in page.as_(owner).get("/api/mailings/").content.decode()


# The HTML face


@time_machine.travel(NOW, tick=False)
def test_form_posts_local_time_in_the_users_time_zone(page, owner, parts):
    # owner lives in Europe/Berlin: 09:00 on 1 July is 07:00 UTC
    response = page.as_(owner).post(
        "/api/mailings/",
        {
            "message": parts["message"].pk,
            "clients": [c.pk for c in parts["clients"]],
            "start_at": "2026-07-01T09:00",
            "end_at": "",
            "periodicity": "weekly",
            "is_active": "true",
        },
    )
    assert response.status_code == 201, response.content.decode()
    mailing = Mailing.objects.get()
    assert mailing.start_at == datetime(2026, 7, 1, 7, tzinfo=UTC)
    assert mailing.end_at is None and mailing.is_active
    html = response.content.decode()
    assert f'id="mailings-{mailing.pk}"' in html
    assert "Jul. 1, 2026" in html or "07/01/2026" in html or "2026" in html
    assert triggers(response)["showToast"]["message"] == "Created."


def test_invalid_form_is_re_rendered_with_field_messages_and_nothing_saved(page, owner, other_user, parts):
    foreign = MessageFactory(owner=other_user)
    response = page.as_(owner).post(
        "/api/mailings/",
        {"message": foreign.pk, "start_at": "2026-07-01T09:00", "end_at": "2026-07-01T08:00", "periodicity": "daily"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#mailings-form"
    assert 'id="id_message-errors"' in html
    assert 'id="id_clients-errors"' in html
    assert 'value="2026-07-01T09:00"' in html
    assert not Mailing.objects.exists()


def test_end_before_start_message_appears_next_to_end(page, owner, parts):
    response = page.as_(owner).post(
        "/api/mailings/",
        {
            "message": parts["message"].pk,
            "clients": [parts["clients"][0].pk],
            "start_at": "2026-07-01T09:00",
            "end_at": "2026-07-01T08:00",
            "periodicity": "daily",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_end_at-errors"' in html and "The end must be after the first send." in html


def test_edit_form_shows_times_in_the_users_time_zone(page, owner, parts):
    mailing = MailingFactory(
        owner=owner, message=parts["message"], clients=parts["clients"], start_at=datetime(2026, 7, 1, 7, tzinfo=UTC)
    )
    html = page.as_(owner).get(f"/api/mailings/{mailing.pk}/form/").content.decode()
    assert 'value="2026-07-01T09:00"' in html
    assert f'hx-put="/api/mailings/{mailing.pk}/"' in html
    assert f'<option value="{parts["message"].pk}" selected>' in html


def test_edit_via_form_put(page, owner, parts):
    mailing = MailingFactory(owner=owner, message=parts["message"], clients=parts["clients"])
    response = page.as_(owner).put(
        f"/api/mailings/{mailing.pk}/",
        {
            "message": parts["message"].pk,
            "clients": [parts["clients"][1].pk],
            "start_at": "2026-08-01T10:00",
            "end_at": "",
            "periodicity": "monthly",
        },
    )
    assert response.status_code == 200, response.content.decode()
    mailing.refresh_from_db()
    assert mailing.periodicity == "monthly"
    assert mailing.is_active is False  # an unticked checkbox is "off"
    assert list(mailing.clients.all()) == [parts["clients"][1]]


@pytest.mark.parametrize("action", ["send-now", "disable", "enable", "resend-failed"])
def test_actions_answer_the_updated_row_and_a_toast(page, owner, parts, action):
    mailing = MailingFactory(owner=owner, clients=parts["clients"])
    response = page.as_(owner).post(f"/api/mailings/{mailing.pk}/{action}/")
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<tr id="mailings-{mailing.pk}">')
    assert triggers(response)["showToast"]["level"] == "success"


def test_disabled_row_offers_enable(page, owner, parts):
    mailing = MailingFactory(owner=owner, clients=parts["clients"])
    row = page.as_(owner).post(f"/api/mailings/{mailing.pk}/disable/").content.decode()
    assert "Disabled" in row
    assert f'data-menu="/api/mailings/{mailing.pk}/actions/"' in row  # its menu is fetched when opened
    menu = page.as_(owner).get(f"/api/mailings/{mailing.pk}/actions/").content.decode()
    assert f'hx-post="/api/mailings/{mailing.pk}/enable/"' in menu
    assert "/disable/" not in menu


def test_a_rows_menu_is_not_in_the_list(page, owner, parts):
    """The list carries each row's menu button, not its items: they were most of the page."""
    mailings = [MailingFactory(owner=owner, clients=parts["clients"]) for _ in range(3)]
    html = page.as_(owner).get("/api/mailings/").content.decode()
    for mailing in mailings:
        assert f'data-menu="/api/mailings/{mailing.pk}/actions/"' in html
        assert f"/api/mailings/{mailing.pk}/send-now/" not in html
        menu = page.as_(owner).get(f"/api/mailings/{mailing.pk}/actions/").content.decode()
        assert f'hx-post="/api/mailings/{mailing.pk}/send-now/"' in menu


def test_manager_row_of_another_users_mailing_offers_toggle_but_no_edit(page, manager, owner, parts):
    mailing = MailingFactory(owner=owner, clients=parts["clients"])
    html = page.as_(manager).get("/api/mailings/").content.decode()
    assert f"/api/mailings/{mailing.pk}/disable/" in html
    assert f"/api/mailings/{mailing.pk}/form/" not in html
    assert owner.email in html


def test_detail_panel(page, owner, parts):
    mailing = MailingFactory(owner=owner, clients=parts["clients"])
    html = page.as_(owner).get(f"/api/mailings/{mailing.pk}/").content.decode()
    assert f'id="mailing-{mailing.pk}-detail"' in html
    assert all(c.email in html for c in parts["clients"])


def test_delete_fragment_flow(page, owner, parts):
    mailing = MailingFactory(owner=owner, clients=parts["clients"])
    page.as_(owner)
    assert (
        f'hx-delete="/api/mailings/{mailing.pk}/"'
        in page.get(f"/api/mailings/{mailing.pk}/confirm-delete/").content.decode()
    )
    assert page.delete(f"/api/mailings/{mailing.pk}/").status_code == 200
    assert not Mailing.objects.exists()


def test_times_in_fragments_are_in_the_users_time_zone(page, owner, parts):
    MailingFactory(owner=owner, clients=parts["clients"], start_at=datetime(2026, 7, 1, 22, 30, tzinfo=UTC))
    with timezone.override("UTC"):
        html = page.as_(owner).get("/api/mailings/").content.decode()
    assert "00:30" in html or "12:30 a.m." in html


def test_delete_from_the_mailings_own_page_goes_back_to_the_list(page, client, owner, parts):
    mailing = MailingFactory(owner=owner, clients=parts["clients"])
    page.as_(owner)
    confirm = page.get(f"/api/mailings/{mailing.pk}/confirm-delete/?next=/mailings/").content.decode()
    assert f'hx-delete="/api/mailings/{mailing.pk}/?next=/mailings/" hx-swap="none"' in confirm
    response = page.delete(f"/api/mailings/{mailing.pk}/?next=/mailings/")
    assert response.status_code == 200 and response["HX-Redirect"] == "/mailings/"
    assert not Mailing.objects.exists()
    # the toast comes with the next page
    assert "Deleted." in client.get("/mailings/").content.decode()


def test_delete_never_redirects_to_another_site(page, owner, parts):
    mailing = MailingFactory(owner=owner, clients=parts["clients"])
    response = page.as_(owner).delete(f"/api/mailings/{mailing.pk}/?next=https://evil.example/")
    assert response.status_code == 200 and "HX-Redirect" not in response


class TestProgress:
    """The live bar of the mailing's page: counts of the latest run from its attempts."""

    def test_never_run_and_not_due(self, api, owner, parts):
        mailing = MailingFactory(owner=owner, clients=parts["clients"])  # starts in an hour
        data = api.as_(owner).get(f"/api/mailings/{mailing.pk}/progress/").json()
        assert data == {**data, "run_at": None, "planned": 0, "percent": 0.0, "due": False, "running": False}

    def test_due_but_not_planned_counts_as_running(self, api, owner, parts):
        mailing = MailingFactory(owner=owner, clients=parts["clients"])
        Mailing.objects.filter(pk=mailing.pk).update(next_run_at=timezone.now() - timedelta(seconds=5))
        data = api.as_(owner).get(f"/api/mailings/{mailing.pk}/progress/").json()
        assert data["due"] is True and data["running"] is True and data["run_at"] is None

    def test_counts_the_latest_run_until_nothing_is_open(self, api, page, owner, parts):
        mailing = MailingFactory(owner=owner, clients=[*parts["clients"], ClientFactory(owner=owner)])
        api.as_(owner).post(f"/api/mailings/{mailing.pk}/send-now/")
        url = f"/api/mailings/{mailing.pk}/progress/"
        data = api.get(url).json()
        assert (data["planned"], data["pending"], data["percent"], data["running"]) == (3, 3, 0.0, True)
        polling = page.as_(owner).get(url)
        assert 'hx-trigger="every 2s"' in polling.content.decode()
        assert "mailings-changed" not in triggers(polling)

        first, second, third = Attempt.objects.filter(mailing=mailing).order_by("pk")
        for attempt, status in [(first, AttemptStatus.SUCCESS), (second, AttemptStatus.FAILURE)]:
            attempt.status = status
            attempt.save()
        data = api.get(url).json()
        assert (data["sent"], data["failed"], data["pending"], round(data["percent"], 1)) == (1, 1, 1, 66.7)

        third.status = AttemptStatus.SKIPPED
        third.save()
        data = api.get(url).json()
        assert (data["percent"], data["running"]) == (100.0, False)
        done = page.get(url)
        html = done.content.decode()
        assert 'aria-valuenow="100"' in html and "every 2s" not in html
        assert "3 of 3 done — 1 sent, 1 failed, 1 skipped, 0 to go." in html
        assert "mailings-changed" in triggers(done)  # the page reloads its runs and attempts

    def test_others_mailing_is_404(self, api, other_user, owner, parts):
        mailing = MailingFactory(owner=owner, clients=parts["clients"])
        assert api.as_(other_user).get(f"/api/mailings/{mailing.pk}/progress/").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_mailing_page_fragment_has_schedule_progress_and_runs(page, owner, parts):
    owner.time_zone = "Europe/Berlin"
    owner.save()
    mailing = MailingFactory(
        owner=owner, clients=parts["clients"], start_at=datetime(2026, 6, 2, 7, 0, tzinfo=UTC), periodicity="weekly"
    )
    html = page.as_(owner).get(f"/api/mailings/{mailing.pk}/").content.decode()
    # the next five runs, in the reader's time zone (summer time: UTC+2)
    upcoming = html.split('id="mailing-upcoming">')[1].split("</ol>")[0]
    assert upcoming.count("<li>") == 5
    assert "06/02/2026 9 a.m." in upcoming and "06/30/2026 9 a.m." in upcoming
    assert "Not sent yet." in html and "No runs yet." in html
    # the attempts are the page's (web/pages/mailing.html): the panel does not load them again
    assert "/api/attempts/" not in html
    # the whole panel reloads when the mailing changes (an action, or a run that ended)
    assert 'hx-trigger="mailings-changed from:body"' in html
    # delete from here returns to the list
    assert f"/api/mailings/{mailing.pk}/confirm-delete/?next=/mailings/" in html


def test_mailings_are_searched_by_subject_among_those_one_may_see(api, owner, other_user, manager):
    from core.tests.factories import MessageFactory

    news = MailingFactory(owner=owner, message=MessageFactory(owner=owner, subject="Weekly News"))
    MailingFactory(owner=owner, message=MessageFactory(owner=owner, subject="Offers"))
    theirs = MailingFactory(owner=other_user, message=MessageFactory(owner=other_user, subject="Their news"))
    found = api.as_(owner).get("/api/mailings/", {"search": "news"}).json()["results"]
    assert [row["id"] for row in found] == [news.pk]
    found = api.as_(manager).get("/api/mailings/", {"search": "news"}).json()["results"]
    assert [row["id"] for row in found] == [theirs.pk, news.pk]


def test_the_reports_filter_chooses_a_mailing_by_its_subject(client, owner):
    client.force_login(owner)
    html = client.get("/api/reports/", headers={"HX-Request": "true"}).content.decode()
    assert 'data-combobox="/api/mailings/"' in html and 'data-combobox-value="id_filter_mailing"' in html
    assert 'data-combobox-fields="message_subject id"' in html
    lists = client.get("/api/mailings/", headers={"HX-Request": "true"}).content.decode()
    assert 'name="search"' not in lists or 'type="hidden" name="search"' in lists  # no extra box on the list
