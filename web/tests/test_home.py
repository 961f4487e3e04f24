from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from core.models import Mailing
from core.tests.conftest import dispatcher_for, make_mailing
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory
from core.tests.smtp_peers import PeerHandler, SmtpPeer

LATER = "451 4.3.0 try again later"


def figure(response, name):
    html = response.content.decode()
    marker = f'data-figure="{name}">'
    start = html.index(marker) + len(marker)
    return int(html[start : html.index("<", start)].replace(",", ""))


def test_visitor_sees_site_wide_figures_and_posts(client, owner, other_user):
    MailingFactory(owner=owner, status="running", clients=[ClientFactory(owner=owner, email="a@example.com")])
    MailingFactory(owner=other_user, is_active=False, clients=[ClientFactory(owner=other_user, email="A@example.com")])
    Post.objects.create(title="Hello", slug="hello", body="x", is_published=True, published_at="2026-01-01T00:00Z")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert (figure(response, "total"), figure(response, "active"), figure(response, "unique_clients")) == (2, 1, 1)
    assert "Across the service" in response.content.decode()
    assert "Hello" in response.content.decode()


def test_user_sees_only_their_own_figures(client, owner, other_user):
    MailingFactory(owner=owner)
    MailingFactory.create_batch(3, owner=other_user)
    client.force_login(owner)
    response = client.get(reverse("home"))
    assert figure(response, "total") == 1
    assert "Your mailings" in response.content.decode()


def test_home_page_with_demo_data(client, db):
    call_command("seed_demo")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert figure(response, "total") == Mailing.objects.count()
    assert response.content.decode().count('class="card h-100"') == 3


def test_drafts_never_reach_the_home_page(client, db):
    Post.objects.create(title="Secret draft", slug="secret", body="x")
    response = client.get(reverse("home"))
    assert "Secret draft" not in response.content.decode()
    assert "No posts yet." in response.content.decode()


def test_active_mailings_are_the_running_or_due_ones(client, owner, other_user):
    now = timezone.now()
    MailingFactory(owner=owner, status="running", next_run_at=now + timedelta(days=1))  # between daily runs
    MailingFactory(owner=owner, next_run_at=now - timedelta(minutes=1))  # due: the next tick sends it
    MailingFactory(owner=owner, status="finished")  # enabled, but nothing more to send
    MailingFactory(owner=owner, next_run_at=now + timedelta(hours=1))  # starts later
    MailingFactory(owner=owner, status="running", is_active=False)  # disabled: sends nothing
    MailingFactory(owner=other_user, status="running")
    other_user.is_active = False  # blocked: their mailings send nothing
    other_user.save()
    client.force_login(owner)
    assert figure(client.get(reverse("home")), "active") == 2
    client.logout()
    assert figure(client.get(reverse("home")), "active") == 2


def test_a_mailing_coming_due_is_counted_without_any_write(client, owner):
    now = timezone.now()
    MailingFactory(owner=owner, next_run_at=now + timedelta(minutes=5))
    client.force_login(owner)
    assert figure(client.get(reverse("home")), "active") == 0
    with time_machine.travel(now + timedelta(minutes=6)):
        assert figure(client.get(reverse("home")), "active") == 1


@pytest.mark.django_db(transaction=True)  # the cached figures move on when the dispatcher's writes commit
def test_a_mailing_is_active_while_due_or_sending_and_not_once_finished(client, owner):
    client.force_login(owner)
    now = timezone.now()
    with (
        time_machine.travel(now, tick=False) as clock,
        SmtpPeer(PeerHandler(replies={"c0@example.com": LATER})) as peer,
    ):
        mailing = make_mailing(owner, 2, now=now)
        assert figure(client.get(reverse("home")), "active") == 1  # due: the next tick sends it
        dispatcher_for(peer.port, backoff_seconds=10).run()
        assert figure(client.get(reverse("home")), "active") == 1  # a retry is waiting
        peer.handler.replies.clear()
        clock.shift(timedelta(seconds=15))  # within the figures' cache time
        dispatcher_for(peer.port).run()  # the retry goes out: nothing is left to send
        mailing.refresh_from_db()
        assert mailing.status == "finished"
        assert figure(client.get(reverse("home")), "active") == 0


def test_a_new_user_is_shown_the_next_step(client, owner):
    client.force_login(owner)
    html = client.get(reverse("home")).content.decode()
    assert "Get started" in html
    assert '<a class="btn btn-primary btn-sm" href="/clients/">Add your clients</a>' in html
    assert '<a href="/messages/">Write a message</a>' in html and '<a href="/mailings/">Create a mailing</a>' in html
    assert "No mailings yet." in html

    ClientFactory(owner=owner)
    html = client.get(reverse("home")).content.decode()
    assert '<a href="/clients/" class="link-secondary">Add your clients</a>' in html and "Done" in html
    assert '<a class="btn btn-primary btn-sm" href="/messages/">Write a message</a>' in html

    MessageFactory(owner=owner)
    html = client.get(reverse("home")).content.decode()
    assert '<a class="btn btn-primary btn-sm" href="/mailings/">Create a mailing</a>' in html

    MailingFactory(owner=owner)
    assert "Get started" not in client.get(reverse("home")).content.decode()


def test_recent_mailings_are_the_owners_latest_five_with_status_and_link(client, owner, other_user):
    mine = [MailingFactory(owner=owner, message=MessageFactory(owner=owner, subject=f"Mine {n}")) for n in range(6)]
    Mailing.objects.filter(pk=mine[-1].pk).update(is_active=False)
    MailingFactory(owner=other_user, message=MessageFactory(owner=other_user, subject="Theirs"))
    client.force_login(owner)
    html = client.get(reverse("home")).content.decode()
    recent = html[html.index('id="recent-mailings"') : html.index('id="blog-heading"')]
    assert [f"Mine {n}" in recent for n in range(6)] == [False, True, True, True, True, True]
    assert recent.index("Mine 5") < recent.index("Mine 1")  # newest first
    assert "Theirs" not in recent and "owner@example.com" not in recent
    assert f'<a href="/mailings/{mine[-1].pk}/" class="text-break">Mine 5</a>' in recent
    assert "Disabled" in recent and "Created" in recent
    assert '<a href="/mailings/" class="small">All mailings</a>' in recent


def test_a_manager_sees_everyones_recent_mailings_with_their_owners(client, owner, manager):
    MailingFactory(owner=owner, message=MessageFactory(owner=owner, subject="Owner news"))
    client.force_login(manager)
    html = client.get(reverse("home")).content.decode()
    recent = html[html.index('id="recent-mailings"') : html.index('id="blog-heading"')]
    assert "Owner news" in recent and owner.email in recent
    assert '<a href="/manager/mailings/" class="small">All mailings</a>' in recent
    assert "Get started" in html  # the manager's own first steps


def test_a_visitor_sees_neither_steps_nor_recent_mailings(client, owner):
    MailingFactory(owner=owner, message=MessageFactory(owner=owner, subject="Private"))
    html = client.get(reverse("home")).content.decode()
    assert "Get started" not in html and "Recent mailings" not in html and "Private" not in html


def test_the_home_page_in_russian(client, owner):
    from core.models import User

    User.objects.filter(pk=owner.pk).update(language="ru")
    MailingFactory(owner=owner, is_active=False, message=MessageFactory(owner=owner, subject="Новости"))
    client.force_login(owner)
    html = client.get(reverse("home")).content.decode()
    assert "С чего начать" in html and "Добавьте клиентов" in html and "Готово" in html  # noqa: RUF001
    assert "Последние рассылки" in html and "Выключена" in html
    assert "Get started" not in html and "Recent mailings" not in html
