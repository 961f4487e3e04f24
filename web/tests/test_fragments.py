"""A page's first fragment (web/fragments.py) is the API's HTML answer for the
page's reader, whatever the page's own request has already read."""

from django.test import RequestFactory

from core.tests.factories import ClientFactory
from web.fragments import first_fragment


def test_the_fragment_is_html_even_when_the_page_read_its_headers_first(owner):
    ClientFactory(owner=owner, email="ann@example.com")
    request = RequestFactory().get("/clients/")
    request.user = owner
    assert "HX-Request" not in request.headers  # cached on the page's request from here on
    html = first_fragment(request, "/api/clients/?search=ann")
    assert html.startswith('<div id="clients-list"') and "ann@example.com" in html
    assert request.GET == {} and request.path == "/clients/"  # the page's request is left as it was
