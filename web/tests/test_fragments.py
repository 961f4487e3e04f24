"""A page's first fragment (api.fragments) is what the API's HTML face answers
for the same query: the same rows, and links that lead on through the API."""

import re
from datetime import timedelta

from django.utils import timezone

from api.tests.conftest import HX
from core.models import AttemptStatus
from core.tests.factories import AttemptFactory, ClientFactory, MailingFactory


def _list(html: str, resource: str) -> str:
    """The list fragment inside a page or an answer, without the CSRF tokens (new per response)."""
    start = html.index(f'<div id="{resource}-list"')
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html[start:])


def test_a_page_shows_what_its_list_answers_for_the_same_query(client, owner):
    for name in ("ann", "anna", "bob"):  # names of their own: a random one ("Danny") could match the search
        ClientFactory(owner=owner, email=f"{name}@example.com", full_name=name.title())
    client.force_login(owner)
    page = client.get("/clients/?search=ann&ordering=-email").content.decode()
    answer = client.get("/api/clients/?search=ann&ordering=-email", **HX).content.decode()
    listed = _list(page, "clients")
    assert listed.startswith('<div id="clients-list"') and "bob@example.com" not in listed
    assert listed.index("anna@example.com") < listed.index("ann@example.com<")  # sorted as asked
    assert listed[: len(_list(answer, "clients"))] == _list(answer, "clients")
    # the list reloads itself from the API, with the page's query
    assert 'hx-get="/api/clients/?search=ann&amp;ordering=-email"' in listed


def test_a_mailings_page_of_attempts_leads_on_through_the_api(client, owner):
    recipients = [ClientFactory(owner=owner) for _ in range(27)]
    mailing = MailingFactory(owner=owner, clients=recipients, start_at=timezone.now() - timedelta(days=1))
    for recipient in recipients:
        AttemptFactory(mailing=mailing, client=recipient, status=AttemptStatus.SUCCESS)
    other = MailingFactory(owner=owner, clients=recipients[:1])
    AttemptFactory(mailing=other, client=recipients[0], status=AttemptStatus.FAILURE)
    client.force_login(owner)

    html = client.get(f"/mailings/{mailing.pk}/").content.decode()
    attempts = _list(html, "attempts")
    assert attempts.count('<tr id="attempts-') == 25  # the first page, of this mailing only
    next_page = f"/api/attempts/?mailing={mailing.pk}&amp;page=2"
    assert f'hx-get="{next_page}"' in attempts

    rest = client.get(next_page.replace("&amp;", "&"), **HX).content.decode()
    assert rest.count('<tr id="attempts-') == 2


def test_a_filter_the_page_cannot_apply_is_said_on_the_page(client, owner):
    client.force_login(owner)
    response = client.get("/mailings/?status=sometimes")
    html = response.content.decode()
    assert response.status_code == 200  # the page stands; its list says why it is empty
    assert 'id="mailings-error"' in html and "sometimes" in html
