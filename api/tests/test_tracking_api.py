"""Click and open tracking through the API's two faces: the mailing's two
switches (off unless asked for, refused when not booleans), its figures per
run and per link, a client's clicks, and what the pages say about them."""

import re

import pytest
import time_machine

from core.models import Mailing, Message, MessageFormat
from core.tests.conftest import NOW, dispatcher_for, make_mailing
from core.tests.factories import ClientFactory, MessageFactory
from core.tests.smtp_peers import SmtpPeer

SITE = "https://mail.example.com"
# The first link's row: clicked by 2, 100 % of those sent, 3 clicks.
NEW_LINK_ROW = r'https://shop\.example/new</td><td>2</td><td class="text-nowrap">100[.,]0 %</td><td>3</td>'
BODY = "Our [new collection](https://shop.example/new) and [the shop](https://shop.example/)."


@pytest.fixture
def peer():
    with SmtpPeer() as running:
        yield running


@pytest.fixture
def tracked(owner, peer, settings, client):
    """A sent Markdown mailing with tracked clicks and opens: c0 clicked the
    first link twice and the second once and opened it; c1 clicked the first."""
    settings.SITE_URL = SITE
    with time_machine.travel(NOW, tick=False):
        mailing = make_mailing(owner, 2, now=NOW, body=BODY, track_clicks=True, track_opens=True)
        Message.objects.filter(pk=mailing.message_id).update(format=MessageFormat.MARKDOWN)
        dispatcher_for(peer.port).run()
    first, second = sorted(peer.handler.received, key=lambda item: item.rcpt_tos[0])
    html = {item.rcpt_tos[0]: item.message.get_body(("html",)).get_content() for item in (first, second)}
    mine = re.findall(r'href="https://mail\.example\.com(/r/[^"]+)"', html["c0@example.com"])
    theirs = re.findall(r'href="https://mail\.example\.com(/r/[^"]+)"', html["c1@example.com"])
    for path in (mine[0], mine[0], mine[1], theirs[0]):
        assert client.get(path).status_code == 302
    (pixel,) = re.findall(r'src="https://mail\.example\.com(/o/[^"]+)"', html["c0@example.com"])
    assert client.get(pixel).status_code == 200
    return mailing


def test_tracking_is_off_unless_asked_for_and_the_switches_are_booleans(api, owner):
    message, client = MessageFactory(owner=owner), ClientFactory(owner=owner)
    body = {"message": message.pk, "clients": [client.pk], "start_at": "2026-07-01T10:00:00+02:00"}
    created = api.as_(owner).post("/api/mailings/", body, format="json")
    assert created.status_code == 201
    assert (created.json()["track_clicks"], created.json()["track_opens"]) == (False, False)
    url = f"/api/mailings/{created.json()['id']}/"
    changed = api.as_(owner).patch(url, {"track_clicks": True}, format="json")
    assert changed.status_code == 200 and changed.json()["track_clicks"] is True
    assert Mailing.objects.filter(track_clicks=True, track_opens=False).count() == 1
    refused = api.as_(owner).patch(url, {"track_opens": "perhaps"}, format="json")
    assert refused.status_code == 400 and "track_opens" in refused.json()
    assert Mailing.objects.get().track_opens is False


def test_the_figures_per_run_and_per_link(api, owner, tracked):
    figures = api.as_(owner).get(f"/api/mailings/{tracked.pk}/tracking/").json()
    assert (figures["sent"], figures["clickers"], figures["click_rate"], figures["opened"]) == (2, 2, 100.0, 1)
    (run,) = figures["runs"]
    assert (run["sent"], run["clickers"], run["clicks"], run["click_rate"], run["opened"], run["opens"]) == (
        2,
        2,
        4,
        100.0,
        1,
        1,
    )
    assert [(link["url"], link["unique_clicks"], link["clicks"], link["click_rate"]) for link in run["links"]] == [
        ("https://shop.example/new", 2, 3, 100.0),
        ("https://shop.example/", 1, 1, 50.0),
    ]
    assert [(link["position"], link["url"], link["unique_clicks"]) for link in figures["links"]] == [
        (0, "https://shop.example/new", 2),
        (1, "https://shop.example/", 1),
    ]


def test_a_clients_clicks(api, owner, tracked):
    c0 = tracked.clients.get(email="c0@example.com")
    clicks = api.as_(owner).get(f"/api/clients/{c0.pk}/clicks/").json()
    assert sorted((row["mailing"], row["url"], row["clicks"]) for row in clicks) == [
        (tracked.pk, "https://shop.example/", 1),
        (tracked.pk, "https://shop.example/new", 2),
    ]


def test_the_pages_say_what_is_tracked_and_show_the_figures(page, owner, tracked):
    detail = page.as_(owner).get(f"/api/mailings/{tracked.pk}/").content.decode()
    assert "Links in this mailing are tracked: we record who clicks which link." in detail
    assert "Opens are tracked with an invisible image; approximate" in detail
    links = detail.split('id="mailing-tracking-links"')[1].split("</table>")[0]
    assert re.search(NEW_LINK_ROW, links)
    c0 = tracked.clients.get(email="c0@example.com")
    client_detail = page.get(f"/api/clients/{c0.pk}/").content.decode()
    assert "https://shop.example/new</td><td>2</td>" in client_detail
    assert "https://shop.example/new</td><td>2</td>" in page.get(f"/api/clients/{c0.pk}/clicks/").content.decode()
    report = page.get(f"/api/reports/{tracked.pk}/").content.decode()
    assert re.search(NEW_LINK_ROW, report)
    form = page.get(f"/api/mailings/{tracked.pk}/form/").content.decode()
    assert 'name="track_clicks" value="true" checked' in form
    assert "Plain-text messages have no image, so their opens are not tracked." in form


def test_an_untracked_mailing_shows_no_tracking(page, owner):
    mailing = make_mailing(owner, 1)
    detail = page.as_(owner).get(f"/api/mailings/{mailing.pk}/").content.decode()
    assert "mailing-tracking" not in detail
    form = page.get(f"/api/mailings/{mailing.pk}/form/").content.decode()
    assert 'name="track_clicks" value="true">' in form and 'name="track_opens" value="true">' in form
