"""The home page shows up to three random published posts from a cached pool
that is refreshed whenever a post changes."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blog.models import Post
from blog.services import post_publish, post_unpublish


def home_titles(client) -> list[str]:
    html = client.get(reverse("home")).content.decode()
    section = html[html.index('id="blog-heading"') :]
    return re.findall(r'<h3 class="h5 card-title"><a href="[^"]+">([^<]+)</a>', section)


@pytest.mark.parametrize("count", [0, 1, 2, 3])
def test_small_blogs_show_every_published_post(client, make_post, count):
    for i in range(count):
        make_post(f"Post {i}")
    make_post("Hidden draft", published=False)
    assert sorted(home_titles(client)) == [f"Post {i}" for i in range(count)]


def test_empty_blog_says_so_on_the_home_page(client, db):
    assert "No posts yet." in client.get(reverse("home")).content.decode()


def test_three_different_posts_drawn_at_random(client, make_post):
    for i in range(8):
        make_post(f"Post {i}")
    seen = set()
    for _ in range(30):
        titles = home_titles(client)
        assert len(titles) == len(set(titles)) == 3
        seen.update(titles)
    assert len(seen) > 3


def test_warm_pool_costs_no_blog_query(client, make_post):
    make_post("Cached")
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        assert home_titles(client) == ["Cached"]
    assert not [q["sql"] for q in queries if "blog_post" in q["sql"]]


@pytest.mark.django_db(transaction=True)  # the pool is read afresh once a change commits
def test_pool_is_refreshed_when_posts_change(client, make_post):
    first = make_post("First")
    assert home_titles(client) == ["First"]

    second = make_post("Second", published=False)
    assert home_titles(client) == ["First"]
    post_publish(second)
    assert sorted(home_titles(client)) == ["First", "Second"]

    first.title = "First, renamed"
    first.save()
    assert sorted(home_titles(client)) == ["First, renamed", "Second"]

    post_unpublish(second)
    assert home_titles(client) == ["First, renamed"]

    Post.objects.get(pk=first.pk).delete()
    assert home_titles(client) == []
