"""The API's templates hold to the layers as its code does (`.importlinter`): they
include and extend only api templates and name only the API's URLs; the links to
our pages come from the web layer's context (web/context_processors.py)."""

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.template.defaulttags import URLNode
from django.template.loader_tags import ExtendsNode, IncludeNode
from django.urls import resolve

from core.tests.factories import MailingFactory

API_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "api"


def references():
    """(template, kind, name) for every include, extends and url tag of the api templates."""
    engine = engines["django"]
    for path in sorted(API_TEMPLATES.rglob("*.html")):
        nodelist = engine.from_string(path.read_text()).template.nodelist
        name = path.relative_to(API_TEMPLATES.parent).as_posix()
        for node in nodelist.get_nodes_by_type(IncludeNode):
            yield name, "include", node.template.var
        for node in nodelist.get_nodes_by_type(ExtendsNode):
            yield name, "extends", node.parent_name.var
        for node in nodelist.get_nodes_by_type(URLNode):
            yield name, "url", node.view_name.var


def test_api_templates_use_only_api_templates_and_urls():
    found = list(references())
    assert any(kind == "url" for _, kind, _ in found)  # the walk sees the tags
    upward = [
        (template, kind, name)
        for template, kind, name in found
        if not (name.startswith("api:") if kind == "url" else name.startswith("api/"))
    ]
    assert upward == []


def test_mailing_rows_and_panel_link_to_our_pages(page, owner):
    mailing = MailingFactory(owner=owner)
    row = page.as_(owner).get("/api/mailings/").content.decode()
    assert f'<a href="/mailings/{mailing.pk}/">{mailing.pk}</a>' in row
    assert resolve(f"/mailings/{mailing.pk}/").url_name == "mailing"
    panel = page.get(f"/api/mailings/{mailing.pk}/").content.decode()
    assert f"/api/mailings/{mailing.pk}/confirm-delete/?next=/mailings/" in panel
