"""Sign-up to a public list with double opt-in: only an email until the person
confirms, a link that works once and not for ever, limits per address and per
client address, consent kept on the client, an unsubscribe undone only by a new
confirmation, a suppression never."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from core.models import Client, ClientEvent, ClientList, ConsentSource, OutboxEmail
from core.services.deliverability import UnsubscribeTarget, client_unsubscribe
from core.services.mailings import mailing_create
from core.services.signup import (
    Confirmed,
    SignupLinkInvalid,
    SignupRefused,
    list_subscribe,
    read_signup_link,
    signup_confirm,
    signup_request,
)
from core.tests.conftest import dispatcher_for
from core.tests.factories import ClientFactory, MessageFactory
from core.tests.smtp_peers import SmtpPeer
from core.tests.test_outbox import mail_server, senders_done  # noqa: F401 - the fixture

LINK = re.compile(r"https?://\S+/subscribe/confirm/([^/\s]+)/")


@pytest.fixture
def no_sender_threads(settings):
    settings.OUTBOX_SENDER_THREADS = 0  # the emails wait in the outbox, where the tests read them


@pytest.fixture
def news(owner):
    return ClientList.objects.create(owner=owner, name="News", is_public=True)


def ask(client_list, email="zoe@example.com", full_name="Zoe", *, ip="203.0.113.5", source=ConsentSource.PAGE):
    return signup_request(
        client_list=client_list,
        email=email,
        full_name=full_name,
        source=source,
        source_url="https://bakery.example/news" if source == ConsentSource.SNIPPET else "",
        ip=ip,
    )


def last_link(email="zoe@example.com") -> str:
    body = OutboxEmail.objects.filter(recipient=email).order_by("-created_at", "-id").first().body
    return LINK.search(body).group(1)


def confirm(signed, ip="198.51.100.7"):
    return signup_confirm(pending=read_signup_link(signed), ip=ip)


@pytest.mark.django_db(transaction=True)
def test_the_link_arrives_by_smtp_and_nobody_is_on_the_list_or_mailed_until_it_is_used(mail_server, owner):  # noqa: F811
    owner.full_name = "Nora Bakery"
    owner.save()
    ann = ClientFactory(owner=owner, email="ann@example.com")
    news = ClientList.objects.create(owner=owner, name="News", is_public=True)
    news.clients.set([ann])
    with SmtpPeer() as peer:
        mail_server(peer.port)
        assert ask(news) is True
        senders_done()
        (confirmation,) = peer.handler.received
        assert confirmation.rcpt_tos == ["zoe@example.com"]
        assert str(confirmation.message["Subject"]) == "Confirm your subscription to News"
        text = confirmation.message.get_body(("plain",)).get_content()
        assert "“News” from Nora Bakery" in text
        signed = LINK.search(text).group(1)
        assert not Client.objects.filter(email="zoe@example.com").exists()

        peer.handler.received.clear()
        mailing_create(
            owner=owner, message=MessageFactory(owner=owner), lists=[news], start_at=timezone.now() - timedelta(1)
        )
        dispatcher_for(peer.port).run()
        assert peer.handler.recipients() == ["ann@example.com"]  # the unconfirmed subscriber gets nothing

    assert confirm(signed) == Confirmed.CONFIRMED
    zoe = Client.objects.get(owner=owner, email="zoe@example.com")
    assert zoe.full_name == "Zoe" and list(zoe.lists.all()) == [news]
    assert zoe.consent_source == ConsentSource.PAGE and zoe.consent_ip == "198.51.100.7"


def test_a_link_confirms_once(no_sender_threads, news):
    ask(news, source=ConsentSource.SNIPPET)
    signed = last_link()
    assert confirm(signed) == Confirmed.CONFIRMED
    zoe = Client.objects.get(email="zoe@example.com")
    assert zoe.consent_source == ConsentSource.SNIPPET and zoe.consent_url == "https://bakery.example/news"
    news.clients.remove(zoe)  # the owner takes them off: the old link does not put them back

    assert confirm(signed, ip="192.0.2.1") == Confirmed.ALREADY
    again = Client.objects.get(pk=zoe.pk)
    assert (again.consent_at, again.consent_ip) == (zoe.consent_at, "198.51.100.7")
    assert not news.clients.exists()


def test_expired_and_tampered_links_are_refused(no_sender_threads, news, settings):
    settings.SIGNUP_CONFIRM_MAX_AGE = 3 * 24 * 3600
    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        ask(news)
        signed = last_link()
    with time_machine.travel(start + timedelta(days=3, seconds=-5), tick=False):
        assert read_signup_link(signed).email == "zoe@example.com"  # still in time
    with (
        time_machine.travel(start + timedelta(days=3, seconds=5), tick=False),
        pytest.raises(SignupLinkInvalid) as expired,
    ):
        read_signup_link(signed)
    assert expired.value.expired

    payload, stamp, signature = signed.rsplit(":", 2)
    forged = f"{payload}:{stamp}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    with pytest.raises(SignupLinkInvalid) as tampered:
        read_signup_link(forged)
    assert not tampered.value.expired and not tampered.value.closed
    assert not Client.objects.exists()


def test_a_list_closed_after_the_sign_up_refuses_the_link(no_sender_threads, news):
    ask(news)
    news.is_public = False
    news.save()
    with pytest.raises(SignupLinkInvalid) as closed:
        read_signup_link(last_link())
    assert closed.value.closed


def test_at_most_three_emails_a_day_to_one_address_whatever_its_case(no_sender_threads, news, settings):
    settings.SIGNUP_MAILS_PER_ADDRESS_PER_DAY = 3
    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for ip, email in enumerate(("zoe@example.com", "ZOE@example.com", "Zoe@Example.com")):
            ask(news, email=email, ip=f"203.0.113.{ip}")
        with pytest.raises(SignupRefused) as refused:
            ask(news, email="zoe@EXAMPLE.com", ip="203.0.113.9")
    assert refused.value.retry_after == 24 * 3600 + 1
    assert OutboxEmail.objects.count() == 3
    with time_machine.travel(start + timedelta(days=1, seconds=1), tick=False):
        ask(news, ip="203.0.113.10")
    assert OutboxEmail.objects.count() == 4


def test_at_most_so_many_sign_ups_an_hour_from_one_client_address(no_sender_threads, news, settings):
    settings.SIGNUP_REQUESTS_PER_IP_PER_HOUR = 2
    ask(news, email="a@example.com")
    ask(news, email="b@example.com")
    with pytest.raises(SignupRefused):
        ask(news, email="c@example.com")
    ask(news, email="c@example.com", ip="203.0.113.99")  # another address is not held up
    assert sorted(OutboxEmail.objects.values_list("recipient", flat=True)) == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
    ]


def test_someone_on_the_list_already_is_told_so_without_a_link(no_sender_threads, news, owner):
    zoe = ClientFactory(owner=owner, email="Zoe@Example.com")
    news.clients.add(zoe)
    assert ask(news) is False
    email = OutboxEmail.objects.get()
    assert email.kind == "signup_already" and email.subject == "You are already subscribed to News"
    assert not LINK.search(email.body)


def test_confirming_reuses_the_owners_client_with_that_address(no_sender_threads, news, owner, other_user):
    mine = ClientFactory(owner=owner, email="Zoe@Example.com", full_name="Zoe Keeps Her Name")
    theirs = ClientFactory(owner=other_user, email="zoe@example.com")
    ask(news, full_name="Someone Else")
    assert confirm(last_link()) == Confirmed.CONFIRMED
    mine.refresh_from_db()
    assert mine.full_name == "Zoe Keeps Her Name" and list(mine.lists.all()) == [news]
    assert mine.consent_at is not None
    assert Client.objects.filter(email__iexact="zoe@example.com").count() == 2
    theirs.refresh_from_db()
    assert theirs.consent_at is None and not theirs.lists.exists()


def test_signing_up_again_after_an_unsubscribe_takes_a_new_confirmation(no_sender_threads, news):
    ask(news)
    first = last_link()
    confirm(first)
    zoe = Client.objects.get(email="zoe@example.com")
    client_unsubscribe(target=UnsubscribeTarget(client=zoe, mailing_id=None))

    assert confirm(first) == Confirmed.ALREADY  # the old link does not undo the unsubscribe
    zoe.refresh_from_db()
    assert zoe.unsubscribed_at is not None

    assert ask(news) is True  # unsubscribed: a new link, not "already subscribed"
    assert confirm(last_link()) == Confirmed.CONFIRMED
    zoe.refresh_from_db()
    assert zoe.unsubscribed_at is None and zoe.unsubscribe_method == ""
    assert list(ClientEvent.objects.filter(client=zoe).values_list("kind", flat=True)) == [
        "resubscribed",
        "unsubscribed",
    ]


def test_a_suppression_survives_a_confirmation(no_sender_threads, news, owner):
    dead = ClientFactory(owner=owner, email="zoe@example.com")
    Client.objects.filter(pk=dead.pk).update(suppressed_at=timezone.now(), suppression_reason="550 no such user")
    news.clients.add(dead)
    assert ask(news) is True  # on the list, but no mail reaches them: a link, not "already subscribed"
    assert confirm(last_link()) == Confirmed.SUPPRESSED
    dead.refresh_from_db()
    assert dead.suppressed_at is not None and dead.suppression_reason == "550 no such user"


def test_the_owner_adds_a_subscriber_at_once_vouching_for_consent(news, owner):
    added = list_subscribe(client_list=news, email="zoe@example.com", full_name="Zoe")
    assert added.created and added.added and not added.unsubscribed
    assert added.client.consent_source == ConsentSource.API and added.client.consent_ip is None

    gone = ClientFactory(owner=owner, email="Ann@example.com")
    client_unsubscribe(target=UnsubscribeTarget(client=gone, mailing_id=None))
    again = list_subscribe(client_list=news, email="ann@EXAMPLE.com", full_name="Ann")
    assert again.client.pk == gone.pk and not again.created and again.unsubscribed
    gone.refresh_from_db()
    assert gone.unsubscribed_at is not None  # only the person can take an unsubscribe back
    assert set(news.clients.all()) == {added.client, gone}
