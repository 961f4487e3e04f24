"""One endpoint, two faces: JSON for API clients, an HTML fragment for htmx
requests, and a Vary header on every answer so caches never mix them."""

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from api.tests.conftest import HX
from core.tests.factories import ClientFactory, MailingFactory

URLS = [
    "/api/clients/",
    "/api/messages/",
    "/api/mailings/",
    "/api/attempts/",
    "/api/reports/",
    "/api/reports/daily/",
]


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.mark.parametrize("url", URLS)
def test_json_and_html_faces_of_every_list_vary_on_hx_request_and_accept(client, manager, url):
    client.force_login(manager)
    json_face = client.get(url, HTTP_ACCEPT="application/json")
    html_face = client.get(url, **HX)
    assert json_face.status_code == html_face.status_code == 200
    assert json_face["Content-Type"] == "application/json"
    assert html_face["Content-Type"].startswith("text/html")
    for response in (json_face, html_face):
        assert {"hx-request", "accept"} <= vary(response)


def test_errors_and_writes_vary_too(client, owner):
    client.force_login(owner)
    assert {"hx-request", "accept"} <= vary(client.get("/api/clients/999/", **HX))
    assert {"hx-request", "accept"} <= vary(client.post("/api/clients/", {}, **HX))
    assert {"hx-request", "accept"} <= vary(client.get("/api/clients/999/"))


def test_not_found_fragment_is_an_alert(client, owner):
    client.force_login(owner)
    response = client.get("/api/mailings/999/", **HX)
    assert response.status_code == 404
    assert 'role="alert"' in response.content.decode()


def test_session_writes_need_the_csrf_token(owner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    refused = browser.post("/api/clients/", {"email": "a@example.com", "full_name": "A"}, **HX)
    assert refused.status_code == 403
    token = _get_new_csrf_string()  # what base.html puts into hx-headers, as cookie and header
    browser.cookies["csrftoken"] = token
    accepted = browser.post("/api/clients/", {"email": "a@example.com", "full_name": "A"}, HTTP_X_CSRFTOKEN=token, **HX)
    assert accepted.status_code == 201


def test_sorting_and_pagination_links_keep_the_filters(client, owner):
    for n in range(30):
        ClientFactory(owner=owner, email=f"c{n:02}@example.com", full_name="Same")
    client.force_login(owner)
    html = client.get("/api/clients/?search=same&ordering=email", **HX).content.decode()
    assert "/api/clients/?search=same&amp;ordering=email&amp;page=2" in html
    assert "/api/clients/?search=same&amp;ordering=-email" in html
    assert 'aria-sort="ascending"' in html


def test_list_refreshes_itself_when_its_resource_changes(client, owner):
    MailingFactory(owner=owner)
    client.force_login(owner)
    html = client.get("/api/mailings/?status=created", **HX).content.decode()
    assert 'hx-trigger="mailings-changed from:body"' in html
    assert 'hx-get="/api/mailings/?status=created"' in html
