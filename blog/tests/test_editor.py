"""Editor pages: content managers write, preview, publish and delete their posts; admins any post."""

import pytest
from django.urls import reverse

from blog.models import Post
from conftest import make_user
from core import roles


@pytest.fixture
def own_post(make_post, content_manager):
    return make_post("Mine", published=False, author=content_manager, body="Draft *text*")


def editor_urls(post):
    return {
        "manage": ("get", reverse("blog:manage")),
        "create": ("get", reverse("blog:create")),
        "edit": ("get", reverse("blog:edit", kwargs={"pk": post.pk})),
        "delete": ("get", reverse("blog:delete", kwargs={"pk": post.pk})),
        "publish": ("post", reverse("blog:publish", kwargs={"pk": post.pk})),
        "unpublish": ("post", reverse("blog:unpublish", kwargs={"pk": post.pk})),
        "preview": ("post", reverse("blog:preview")),
    }


def test_anonymous_visitors_are_sent_to_log_in(client, own_post, settings):
    settings.LOGIN_URL = "/log-in/"  # whichever page the accounts part names; the blog only sends visitors there
    for name, (method, url) in editor_urls(own_post).items():
        response = getattr(client, method)(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/log-in/?next="), name
    own_post.refresh_from_db()
    assert own_post.is_published is False


@pytest.mark.parametrize("actor", ["owner", "manager"])
def test_users_without_blog_permissions_are_refused(client, request, own_post, actor):
    client.force_login(request.getfixturevalue(actor))
    for name, (method, url) in editor_urls(own_post).items():
        assert getattr(client, method)(url).status_code == 403, name
    own_post.refresh_from_db()
    assert own_post.is_published is False


def test_content_manager_reaches_every_editor_page(client, own_post, content_manager):
    client.force_login(content_manager)
    for name, (method, url) in editor_urls(own_post).items():
        assert getattr(client, method)(url).status_code in {200, 302}, name


def test_another_content_managers_post_is_404_but_admin_manages_it(client, own_post, admin_user):
    colleague = make_user("colleague@example.com", roles.CONTENT_MANAGER)
    client.force_login(colleague)
    for name, (method, url) in editor_urls(own_post).items():
        if name not in {"manage", "create", "preview"}:
            assert getattr(client, method)(url).status_code == 404, name
    assert "Mine" not in client.get(reverse("blog:manage")).content.decode()

    client.force_login(admin_user)
    assert "Mine" in client.get(reverse("blog:manage")).content.decode()
    client.post(reverse("blog:publish", kwargs={"pk": own_post.pk}))
    own_post.refresh_from_db()
    assert own_post.is_published


def test_writing_a_post_from_empty_form_to_published(client, content_manager):
    client.force_login(content_manager)
    page = client.get(reverse("blog:create"))
    assert 'hx-post="/blog/manage/preview/"' in page.content.decode()

    response = client.post(
        reverse("blog:create"), {"title": "Как писать письма", "slug": "", "excerpt": "", "body": "Hello **world**"}
    )
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("blog:edit", kwargs={"pk": post.pk})
    assert (post.slug, post.author, post.is_published, post.excerpt) == (
        "kak-pisat-pisma",
        content_manager,
        False,
        "Hello world",
    )
    assert "is saved" in client.get(response["Location"]).content.decode()

    client.post(reverse("blog:publish", kwargs={"pk": post.pk}))
    post.refresh_from_db()
    first_published_at = post.published_at
    assert post.is_published and first_published_at is not None
    assert client.get(post.get_absolute_url()).status_code == 200

    client.post(reverse("blog:unpublish", kwargs={"pk": post.pk}))
    client.logout()
    assert client.get(post.get_absolute_url()).status_code == 404

    client.force_login(content_manager)
    client.post(reverse("blog:publish", kwargs={"pk": post.pk}))
    post.refresh_from_db()
    assert post.published_at == first_published_at  # republishing keeps the original date


def test_bad_input_re_renders_the_form_with_messages_and_saves_nothing(client, content_manager):
    client.force_login(content_manager)
    response = client.post(reverse("blog:create"), {"title": "", "body": "", "excerpt": "x" * 301})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please correct the errors below." in html
    assert html.count("This field is required.") == 2
    assert "Ensure this value has at most 300 characters" in html
    assert 'class="form-control is-invalid"' in html
    assert Post.objects.count() == 0


def test_bad_input_on_edit_keeps_the_stored_post(client, own_post, content_manager):
    client.force_login(content_manager)
    url = reverse("blog:edit", kwargs={"pk": own_post.pk})
    response = client.post(url, {"title": "New title", "slug": "bad slug!", "body": "Changed"})
    assert response.status_code == 200
    own_post.refresh_from_db()
    assert (own_post.title, own_post.body) == ("Mine", "Draft *text*")


def test_delete_asks_first_then_deletes(client, own_post, content_manager):
    client.force_login(content_manager)
    url = reverse("blog:delete", kwargs={"pk": own_post.pk})
    confirm = client.get(url)
    assert "Delete “Mine” for good?" in confirm.content.decode()
    assert Post.objects.filter(pk=own_post.pk).exists()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("blog:manage")
    assert not Post.objects.filter(pk=own_post.pk).exists()


def test_publish_and_unpublish_only_accept_post(client, own_post, content_manager):
    client.force_login(content_manager)
    assert client.get(reverse("blog:publish", kwargs={"pk": own_post.pk})).status_code == 405
    own_post.refresh_from_db()
    assert own_post.is_published is False


def test_live_preview_renders_sanitised_markdown_fragment(client, content_manager):
    client.force_login(content_manager)
    response = client.post(
        reverse("blog:preview"),
        {"body": "# Hi\n\n<script>alert(1)</script> [x](javascript:alert(1))"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode().strip()
    assert response.status_code == 200
    assert html.startswith("<h1>Hi</h1>")
    assert "<html" not in html  # a fragment, not a page
    assert "<script" not in html and "<a " not in html


def test_live_preview_of_an_oversized_body_says_so(client, content_manager):
    client.force_login(content_manager)
    response = client.post(reverse("blog:preview"), {"body": "x" * 100_001})
    assert response.status_code == 200
    assert "Ensure this value has at most 100000 characters" in response.content.decode()


def test_live_preview_needs_the_csrf_token(content_manager):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(content_manager)
    assert browser.post(reverse("blog:preview"), {"body": "x"}).status_code == 403
    page = browser.get(reverse("blog:create")).content.decode()
    marker = '"X-CSRFToken": "'
    token = page[page.index(marker) + len(marker) :].split('"', 1)[0]
    response = browser.post(reverse("blog:preview"), {"body": "*ok*"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and "<em>ok</em>" in response.content.decode()


def test_admin_site_publishes_without_a_date_and_keeps_the_counter(client, admin_user, make_post):
    post = make_post("Via admin", published=False)
    Post.objects.filter(pk=post.pk).update(views_count=7)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:blog_post_change", args=[post.pk]),
        {"title": "Via admin", "slug": post.slug, "body": "Text", "author": admin_user.pk, "is_published": "on"},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.is_published and post.published_at is not None
    assert post.views_count == 7
