"""What search engines and feed readers find: feed, sitemap, robots.txt and the feed link."""

import defusedxml.ElementTree as ET
import pytest
from django.urls import reverse

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def posts(make_post, content_manager, settings):
    settings.SITE_URL = "https://mail.example.com"
    return {
        "old": make_post("Older news", author=content_manager),
        "new": make_post("Fresh news & <tips>", excerpt="Tips for you", author=content_manager),
        "draft": make_post("Secret draft", published=False, author=content_manager),
    }


def test_feed_is_valid_rss_with_only_published_posts(client, posts):
    response = client.get(reverse("blog:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("link") == "https://mail.example.com/blog/"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Fresh news & <tips>", "Older news"]
    assert [item.findtext("link") for item in items] == [
        "https://mail.example.com" + posts["new"].get_absolute_url(),
        "https://mail.example.com" + posts["old"].get_absolute_url(),
    ]
    assert items[0].findtext("description") == "Tips for you"
    assert "Secret draft" not in response.content.decode()


def test_sitemap_is_valid_xml_with_public_pages_and_only_published_posts(client, posts):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    locations = {url.findtext("s:loc", namespaces=SITEMAP_NS) for url in root.findall("s:url", SITEMAP_NS)}
    site = "https://mail.example.com"
    assert locations == {
        f"{site}/",
        f"{site}/blog/",
        site + posts["old"].get_absolute_url(),
        site + posts["new"].get_absolute_url(),
    }
    assert all(url.find("s:lastmod", SITEMAP_NS) is not None for url in root.findall("s:url", SITEMAP_NS)[2:])


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_private_areas(client, settings):
    settings.SITE_URL = "https://mail.example.com"
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: https://mail.example.com/sitemap.xml" in lines
    assert {"Disallow: /admin/", "Disallow: /api/", "Disallow: /blog/manage/"} <= set(lines)
    assert "Disallow: /blog/" not in lines


@pytest.mark.parametrize("url_name", ["home", "blog:list"])
def test_public_pages_advertise_the_feed(client, db, url_name):
    html = client.get(reverse(url_name)).content.decode()
    feed = reverse("blog:feed")
    assert f'<link rel="alternate" type="application/rss+xml" title="Blog · mail_service" href="{feed}">' in html


def test_post_page_advertises_the_feed(client, posts):
    html = client.get(posts["old"].get_absolute_url()).content.decode()
    assert 'type="application/rss+xml"' in html
