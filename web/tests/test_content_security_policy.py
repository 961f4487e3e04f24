"""Every answer carries a strict Content-Security-Policy: scripts, styles and
requests of our own origin only, no inline script or style, no eval. So no
template may hold an inline script, a style attribute or an event handler
attribute (emails excepted: they are not pages)."""

import re

import pytest
from django.conf import settings

TEMPLATES = settings.BASE_DIR / "templates"
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle=", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+=", re.IGNORECASE),
    "htmx event handler": re.compile(r"\shx-on[:-]", re.IGNORECASE),
}


def directives(response) -> dict[str, set[str]]:
    policy = response["Content-Security-Policy"]
    return {name: set(values) for name, *values in (part.split() for part in policy.split(";") if part.strip())}


@pytest.mark.parametrize("url", ["/", "/accounts/signup/", "/clients/", "/reports/", "/api/docs/", "/admin/login/"])
def test_every_page_allows_only_our_own_scripts_and_styles(client, owner, url):
    client.force_login(owner)
    policy = directives(client.get(url))
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == {"'self'"}
    assert policy["object-src"] == policy["frame-ancestors"] == {"'none'"}
    assert not any("unsafe" in value for values in policy.values() for value in values)


def test_an_api_answer_carries_it_too(client, owner):
    client.force_login(owner)
    assert directives(client.get("/api/clients/"))["script-src"] == {"'self'"}


def test_no_template_holds_what_the_policy_refuses():
    found = [
        f"{path.relative_to(TEMPLATES)}: {kind}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        if path.parts[len(TEMPLATES.parts)] != "emails"
        for kind, pattern in INLINE.items()
        if pattern.search(path.read_text())
    ]
    assert found == []
