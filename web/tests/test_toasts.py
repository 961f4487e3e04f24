"""Flash messages reach the user as toasts: Django's messages on a full page
load, the showToast event on an htmx answer."""

import json

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory

from api.htmx import close_modal, toast


def test_toast_sets_the_show_toast_event():
    response = toast(HttpResponse(), "Client saved.")
    assert json.loads(response["HX-Trigger"]) == {"showToast": {"level": "success", "message": "Client saved."}}


def test_several_toasts_and_other_events_travel_together():
    response = close_modal(HttpResponse())
    toast(response, "Imported 3 clients.")
    toast(response, "2 rows were skipped.", "warning")
    assert json.loads(response["HX-Trigger"]) == {
        "closeModal": {},
        "showToast": [
            {"level": "success", "message": "Imported 3 clients."},
            {"level": "warning", "message": "2 rows were skipped."},
        ],
    }


def test_unknown_level_is_refused():
    with pytest.raises(ValueError, match="toast level"):
        toast(HttpResponse(), "x", "fatal")


def test_messages_render_as_toasts_on_the_next_page(client, db):
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(messages.SUCCESS, "Mailing created.")
    storage.add(messages.ERROR, "The <b>server</b> refused.")
    response = HttpResponse()
    storage.update(response)
    client.cookies.update(response.cookies)

    html = client.get("/").content.decode()
    toasts = html[html.index('id="toasts"') :]
    assert 'aria-live="polite"' in html[html.index('<div id="toasts"') : html.index('id="toasts"') + 200]
    assert 'class="toast align-items-center text-bg-success border-0" role="status"' in toasts
    assert '<div class="toast-body">Mailing created.</div>' in toasts
    # Errors are announced at once and their text is escaped.
    assert 'text-bg-danger border-0" role="alert"' in toasts
    assert "The &lt;b&gt;server&lt;/b&gt; refused." in toasts
    # Shown once: the next page has no toasts.
    assert "toast-body" not in client.get("/").content.decode()


def test_every_page_has_the_live_region_for_htmx_toasts(client, db):
    html = client.get("/blog/").content.decode()
    assert '<div id="toasts" class="toast-container position-fixed bottom-0 end-0 p-3" aria-live="polite"' in html
