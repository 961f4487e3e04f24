"""Drafts (and posts scheduled for later) exist only for their author and admins."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from core import roles


@pytest.fixture
def draft(make_post, content_manager):
    return make_post("Unfinished thoughts", published=False, author=content_manager)


@pytest.fixture
def scheduled(make_post, content_manager):
    return make_post("Next week", published_at=timezone.now() + timedelta(days=7), author=content_manager)


@pytest.mark.parametrize("post_fixture", ["draft", "scheduled"])
def test_anonymous_visitor_gets_404(db, client, request, post_fixture):
    post = request.getfixturevalue(post_fixture)
    assert client.get(post.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("post_fixture", ["draft", "scheduled"])
def test_other_users_get_404_even_other_content_managers(client, request, post_fixture, owner, manager):
    post = request.getfixturevalue(post_fixture)
    colleague = make_user("colleague@example.com", roles.CONTENT_MANAGER)
    for user in (owner, manager, colleague):
        client.force_login(user)
        assert client.get(post.get_absolute_url()).status_code == 404, user


@pytest.mark.parametrize("post_fixture", ["draft", "scheduled"])
def test_author_and_admin_see_it_marked_as_not_published(client, request, post_fixture, content_manager, admin_user):
    post = request.getfixturevalue(post_fixture)
    for user in (content_manager, admin_user):
        client.force_login(user)
        response = client.get(post.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert post.title in html
        assert "only you can see it" in html
        assert '<meta name="robots" content="noindex">' in html


def test_drafts_stay_out_of_the_list_even_for_their_author(client, draft, scheduled, make_post, content_manager):
    make_post("Out in the open", author=content_manager)
    client.force_login(content_manager)
    html = client.get(reverse("blog:list")).content.decode()
    assert "Out in the open" in html
    assert draft.title not in html
    assert scheduled.title not in html


def test_unknown_slug_is_404(client, db):
    assert client.get(reverse("blog:detail", kwargs={"slug": "no-such-post"})).status_code == 404
