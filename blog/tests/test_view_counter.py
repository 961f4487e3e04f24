"""Every real view of a public post counts once, atomically in the database."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from blog.models import Post


def views(post):
    return Post.objects.values_list("views_count", flat=True).get(pk=post.pk)


def test_each_view_counts_even_when_the_body_comes_from_the_cache(client, make_post):
    post = make_post("Counted", body="# Heading\n\nText.")
    for expected in (1, 2, 3):
        response = client.get(post.get_absolute_url())
        assert response.status_code == 200
        assert views(post) == expected
    # The page shows the count including the current view.
    assert "3 views" in response.content.decode()


def test_editing_the_post_refreshes_the_cached_body(client, make_post):
    post = make_post("Counted", body="First version.")
    assert "First version." in client.get(post.get_absolute_url()).content.decode()
    post.body = "Second version."
    post.save()
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Second version." in html and "First version." not in html
    # Saving the edit (with the count it loaded before the first view) kept the view.
    assert views(post) == 2


def test_previews_of_drafts_and_head_requests_do_not_count(client, make_post, content_manager):
    draft = make_post("Draft", published=False, author=content_manager)
    public = make_post("Public")
    client.force_login(content_manager)
    client.get(draft.get_absolute_url())
    client.head(public.get_absolute_url())
    assert views(draft) == 0
    assert views(public) == 0


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one writer at a time, so concurrent views would only measure its lock waits",
)
def test_concurrent_views_are_all_counted(transactional_db, make_post):
    post = make_post("Popular")
    threads_count, views_per_thread = 8, 10
    errors = []
    start = threading.Barrier(threads_count)

    def read_many():
        try:
            browser = Client()
            start.wait()
            for _ in range(views_per_thread):
                if browser.get(post.get_absolute_url()).status_code != 200:
                    errors.append("not 200")
        except Exception as exc:  # a failure in a thread must fail the test, not vanish
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=read_many) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert views(post) == threads_count * views_per_thread
