"""The public pages cost the same few queries with one post or a full page of them."""

import pytest
from django.urls import reverse

from conftest import make_user
from core import roles


@pytest.fixture
def authors(db):
    return [make_user(f"writer{i}@example.com", roles.CONTENT_MANAGER) for i in range(3)]


def add_posts(make_post, authors, count):
    for i in range(count):
        post = make_post(f"Post {i}", author=authors[i % len(authors)])
        post.cover.name = f"blog/covers/{i}.png"
        post.cover_width, post.cover_height = 800, 400
        post.save()


@pytest.mark.parametrize("count", [1, 10])
def test_list_page_costs_two_queries(client, make_post, authors, django_assert_num_queries, count):
    add_posts(make_post, authors, count)
    with django_assert_num_queries(2):  # page count, the posts with their authors
        response = client.get(reverse("blog:list"))
    assert len(response.context["posts"]) == count


@pytest.mark.parametrize("count", [1, 10])
def test_post_page_costs_two_queries(client, make_post, authors, django_assert_num_queries, count):
    add_posts(make_post, authors, count)
    post = make_post("The one", author=authors[0], body="\n\n".join(f"Paragraph {i}" for i in range(count)))
    with django_assert_num_queries(2):  # the post with its author, the view count
        response = client.get(post.get_absolute_url())
    assert response.status_code == 200
