"""Titles, descriptions, canonical addresses and link previews of the public pages."""

import pytest
from django.urls import reverse


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://mail.example.com"
    return settings.SITE_URL


def meta(html: str, attribute: str, name: str) -> str:
    marker = f'<meta {attribute}="{name}" content="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_post_page_has_title_description_canonical_and_link_preview_tags(client, site, make_post):
    post = make_post('Subject lines "that work"', excerpt="Short, concrete & honest.")
    post.cover.name = "blog/covers/2026/11/abc.png"
    post.cover_width, post.cover_height = 1200, 630
    post.save()
    html = client.get(post.get_absolute_url()).content.decode()
    url = f"{site}/blog/{post.slug}/"
    assert "<title>Subject lines &quot;that work&quot; · mail_service</title>" in html
    assert meta(html, "name", "description") == "Short, concrete &amp; honest."
    assert f'<link rel="canonical" href="{url}">' in html
    assert meta(html, "property", "og:type") == "article"
    assert meta(html, "property", "og:title") == "Subject lines &quot;that work&quot;"
    assert meta(html, "property", "og:description") == "Short, concrete &amp; honest."
    assert meta(html, "property", "og:url") == url
    assert meta(html, "property", "og:image") == f"{site}/media/blog/covers/2026/11/abc.png"
    assert meta(html, "property", "og:image:width") == "1200"
    assert meta(html, "name", "twitter:card") == "summary_large_image"
    assert meta(html, "name", "twitter:title") == "Subject lines &quot;that work&quot;"
    assert meta(html, "name", "twitter:image") == f"{site}/media/blog/covers/2026/11/abc.png"
    assert meta(html, "property", "article:published_time") == post.published_at.isoformat()
    assert 'name="robots"' not in html


def test_post_without_cover_uses_the_small_card_and_the_start_of_the_body(client, site, make_post):
    post = make_post("Plain", body="**Warm-up** mailings & why they work.\n\nSecond paragraph.")
    html = client.get(post.get_absolute_url()).content.decode()
    assert meta(html, "name", "twitter:card") == "summary"
    assert 'property="og:image"' not in html
    assert meta(html, "name", "description") == "Warm-up mailings &amp; why they work. Second paragraph."


def test_blog_list_has_its_own_title_description_and_canonical(client, site, db):
    html = client.get(reverse("blog:list")).content.decode()
    assert "<title>Blog · mail_service</title>" in html
    assert meta(html, "name", "description").startswith("Articles about email campaigns")
    assert f'<link rel="canonical" href="{site}/blog/">' in html
