"""Click and open tracking, opt-in per mailing: a tracked message's links lead
through the recipient's own signed redirect (never the unsubscribe link, never
`mailto:`), following one counts once per recipient and link and every time in
all, its HTML part counts opens with an image; an untracked message is built
exactly as before; a token that is not genuine is a 404."""

import email
import email.policy
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.dispatch.sending import run_message
from core.dispatch.statistics import fresh_runs
from core.dispatch.tracking import click_token, open_token, read_click_token
from core.models import Attempt, AttemptStatus, Client, LinkClick, Message, MessageFormat, MessageOpen, OutboxEmail
from core.reports import runs_of
from core.services.proofs import send_test
from core.services.tracking import client_clicks, mailing_tracking
from core.tests.conftest import NOW, dispatcher_for, make_mailing

SITE = "https://mail.example.com"
BODY = """Hello {full_name}!

See [the new collection](https://shop.example/new?utm=mail&x=1), [our shop](https://shop.example/) and
[again](https://shop.example/new?utm=mail&x=1). Write to [us](mailto:team@shop.example).
Your page: [yours](https://shop.example/u?e={email}).

![logo](https://shop.example/logo.png)"""
TRACKED = re.compile(re.escape(SITE) + r"/r/([^/\s\"<>]+)/")


@pytest.fixture
def site(owner, settings):
    settings.SITE_URL = SITE
    settings.MESSAGE_ID_DOMAIN = "mail.example.com"
    return owner


def send(owner, peer, count=2, *, body=BODY, markdown=True, **tracking):
    with time_machine.travel(NOW, tick=False):
        mailing = make_mailing(owner, count, now=NOW, body=body, **tracking)
        if markdown:
            Message.objects.filter(pk=mailing.message_id).update(format=MessageFormat.MARKDOWN)
        dispatcher_for(peer.port).run()
    assert set(Attempt.objects.filter(mailing=mailing).values_list("status", flat=True)) == {AttemptStatus.SUCCESS}
    return mailing


def parts(item):
    message = item.message
    if message.get_content_type() == "text/plain":
        return message.get_content(), ""
    text, html = message.iter_parts()
    return text.get_content(), html.get_content()


def unsubscribe_link(item) -> str:
    (link,) = [p.strip("<>") for p in str(item.message["List-Unsubscribe"]).split(", ") if p.startswith("<https")]
    return link


def follow(client, url):
    return client.get(url.removeprefix(SITE))


def test_tracked_links_lead_to_the_original_and_count_once_per_recipient_and_link(site, peer, client):
    mailing = send(site, peer, track_clicks=True)
    first, second = sorted(peer.handler.received, key=lambda item: item.rcpt_tos[0])
    text, html = parts(first)
    # Every http(s) link of both parts is the recipient's own redirect, but these:
    assert "https://shop.example/new" not in html and "https://shop.example/new" not in text
    assert 'href="mailto:team@shop.example"' in html  # mailto: stays
    assert 'src="https://shop.example/logo.png"' in html  # an image is no link
    assert 'href="https://shop.example/u?e=c0@example.com"' in html  # a placeholder in it: not the same for all
    assert "[5] https://shop.example/u?e=c0@example.com" in text
    link = unsubscribe_link(first)
    assert f'<a href="{link}"' in html and text.rstrip().endswith(link)  # the unsubscribe link, untouched
    hrefs = TRACKED.findall(html)
    assert len(hrefs) == 3 and hrefs[0] == hrefs[2] != hrefs[1]  # one link, one number, wherever it is
    assert set(TRACKED.findall(text)) - set(hrefs) == {TRACKED.search(text.split("[6] ")[1])[1]}  # the image's URL
    assert set(TRACKED.findall(parts(second)[1])).isdisjoint(hrefs)  # each recipient their own

    new, shop = (f"{SITE}/r/{token}/" for token in hrefs[:2])
    answer = follow(client, new)
    assert answer.status_code == 302 and answer["Location"] == "https://shop.example/new?utm=mail&x=1"
    assert "Set-Cookie" not in answer
    assert follow(client, new)["Location"] == "https://shop.example/new?utm=mail&x=1"
    assert follow(client, shop)["Location"] == "https://shop.example/"
    other = TRACKED.findall(parts(second)[0])
    assert follow(client, f"{SITE}/r/{other[0]}/").status_code == 302

    rows = sorted(LinkClick.objects.values_list("attempt__client__email", "link__url", "total"))
    assert rows == [
        ("c0@example.com", "https://shop.example/", 1),
        ("c0@example.com", "https://shop.example/new?utm=mail&x=1", 2),
        ("c1@example.com", "https://shop.example/new?utm=mail&x=1", 1),
    ]
    report = mailing_tracking(mailing, fresh_runs(runs_of(mailing)))
    (run,) = report.runs
    assert (run.sent, run.clickers, run.clicks, run.click_rate, run.opened) == (2, 2, 4, 100.0, 0)
    assert [(f.url, f.unique_clicks, f.clicks, f.click_rate) for f in run.links] == [
        ("https://shop.example/new?utm=mail&x=1", 2, 3, 100.0),
        ("https://shop.example/", 1, 1, 50.0),
    ]
    assert [(f.url, f.unique_clicks, f.clicks) for f in report.links] == [
        ("https://shop.example/new?utm=mail&x=1", 2, 3),
        ("https://shop.example/", 1, 1),
        ("https://shop.example/logo.png", 0, 0),  # listed in the plain text
    ]
    c0 = Client.objects.get(owner=site, email="c0@example.com")
    assert sorted((row["url"], row["clicks"]) for row in client_clicks(c0)) == [
        ("https://shop.example/", 1),
        ("https://shop.example/new?utm=mail&x=1", 2),
    ]


def test_a_click_is_one_read_and_one_write_without_a_session(site, peer, client):
    send(site, peer, 1, track_clicks=True)
    (token,) = set(TRACKED.findall(parts(peer.handler.received[0])[1])[:1])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/r/{token}/").status_code == 302
    statements = [query["sql"].split()[0] for query in queries.captured_queries]
    assert statements == ["SELECT", "INSERT"]  # the first click also tells readers' caches, after commit
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/r/{token}/").status_code == 302
    assert len(queries.captured_queries) == 2


def test_a_tampered_or_foreign_token_is_a_404_and_no_url_can_be_made_up(site, peer, client):
    send(site, peer, 1, track_clicks=True)
    (token, *_) = TRACKED.findall(parts(peer.handler.received[0])[1])
    attempt, number, signature = token.split("-", 2)
    tampered = [
        f"{attempt}-{number}-{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        f"{attempt}-{int(number, 16) + 1:x}-{signature}",
        f"{int(attempt, 16) + 1:x}-{number}-{signature}",
        f"{attempt}-{number}",
        "",
        "-",
        "--",
        "zz-zz-zz",
        "1-2-" + "A" * 16,
        "%00",
        "x" * 5000,
    ]
    for bad in tampered:
        assert client.get(f"/r/{bad}/").status_code == 404, bad
        assert client.get(f"/o/{bad}.gif").status_code == 404, bad
    # A genuine signature for a number the message has no link for leads nowhere.
    assert client.get(f"/r/{click_token(int(attempt, 16), 57)}/").status_code == 404
    # Nothing in the request chooses where it leads.
    answer = client.get(f"/r/{token}/?url=https://evil.example/&next=https://evil.example/")
    assert answer["Location"] == "https://shop.example/new?utm=mail&x=1"
    assert LinkClick.objects.get().total == 1


def test_opens_are_counted_with_an_image_of_the_html_part(site, peer, client):
    mailing = send(site, peer, 2, track_opens=True)
    first, _ = sorted(peer.handler.received, key=lambda item: item.rcpt_tos[0])
    html = parts(first)[1]
    (src,) = re.findall(re.escape(SITE) + r'/o/([^"]+)\.gif', html)
    assert f'<img src="{SITE}/o/{src}.gif" width="1" height="1" alt=""' in html
    assert "/r/" not in html and "https://shop.example/new" in html  # clicks are not tracked
    for _ in range(2):
        answer = client.get(f"/o/{src}.gif")
        assert answer.status_code == 200 and answer["Content-Type"] == "image/gif"
        assert answer.content.startswith(b"GIF89a") and "no-cache" in answer["Cache-Control"]
    opened = MessageOpen.objects.get()
    assert (opened.attempt.client.email, opened.total) == ("c0@example.com", 2)
    (run,) = mailing_tracking(mailing, fresh_runs(runs_of(mailing))).runs
    assert (run.opened, run.opens, run.clickers) == (1, 2, 0)


def test_a_plain_text_message_has_its_urls_tracked_and_no_image(site, peer, client):
    body = "Hi {full_name}, our sale: https://shop.example/sale. More at <https://shop.example/more>!"
    send(site, peer, 1, body=body, markdown=False, track_clicks=True, track_opens=True)
    (item,) = peer.handler.received
    assert item.message.get_content_type() == "text/plain"
    text = item.message.get_content()
    tokens = TRACKED.findall(text)
    assert len(tokens) == 2 and "/o/" not in text
    assert text.startswith(f"Hi Client 0, our sale: {SITE}/r/{tokens[0]}/. More at <{SITE}/r/{tokens[1]}/>!")
    assert follow(client, f"{SITE}/r/{tokens[0]}/")["Location"] == "https://shop.example/sale"
    assert follow(client, f"{SITE}/r/{tokens[1]}/")["Location"] == "https://shop.example/more"
    assert text.rstrip().endswith(unsubscribe_link(item))


@pytest.mark.parametrize("markdown", [True, False])
def test_without_tracking_the_message_is_built_exactly_as_before(site, peer, markdown):
    send(site, peer, 1, markdown=markdown)
    (item,) = peer.handler.received
    site.refresh_from_db()
    before = run_message(
        subject="Hello {full_name}",
        body=BODY,
        body_format=MessageFormat.MARKDOWN if markdown else MessageFormat.PLAIN,
        sender_name=site.full_name,
        reply_to=site.reply_to,
        language=site.language,
    ).render(email="c0@example.com", full_name="Client 0", link=unsubscribe_link(item))
    sent = item.data.replace(b"\r\n", b"\n")
    expected = before.data.replace(b"\r\n", b"\n")
    # Only the Message-ID, the date and the MIME boundary are new in every message.
    for data in (sent, expected):
        assert b"/r/" not in data and b"/o/" not in data
    boundary = re.compile(rb"=_[0-9a-f]{32}")
    body_of = lambda data: boundary.sub(b"B", data.split(b"\n\n", 1)[1]).rstrip(b"\n")  # noqa: E731 - SMTP ends it
    assert body_of(sent) == body_of(expected)


def test_a_test_send_of_a_tracked_mailing_is_never_tracked(site):
    mailing = make_mailing(site, 1, body=BODY, track_clicks=True, track_opens=True)
    Message.objects.filter(pk=mailing.message_id).update(format=MessageFormat.MARKDOWN)
    mailing.message.refresh_from_db()
    send_test(message=mailing.message, to=site)
    data = email.message_from_string(OutboxEmail.objects.get().mime, policy=email.policy.default)
    assert "/r/" not in data.as_string() and "/o/" not in data.as_string()
    assert "https://shop.example/new" in data.as_string()


def test_tokens_are_short_and_cheap(settings):
    assert len(click_token(123456789, 3)) <= 30 and len(open_token(123456789)) <= 25


def test_the_signature_is_hmac_sha256_of_the_attempt_and_the_link(settings):
    import base64
    import hashlib
    import hmac

    key = hashlib.sha256(b"mail_service.tracking\x00" + settings.SECRET_KEY.encode()).digest()
    expected = base64.urlsafe_b64encode(hmac.digest(key, b"c75bcd15-3", "sha256")[:12]).decode()
    assert click_token(123456789, 3) == f"75bcd15-3-{expected}"
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-after-a-rotation-0123456789abcdef"
    assert read_click_token(f"75bcd15-3-{expected}") == (123456789, 3)  # sent before the rotation
    settings.SECRET_KEY_FALLBACKS = []
    assert read_click_token(f"75bcd15-3-{expected}") is None
