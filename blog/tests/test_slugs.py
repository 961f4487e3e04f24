"""Post addresses: made from the title when left empty, unique, editable, always ASCII."""

import pytest
from django.urls import reverse

from blog.models import Post


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Five emails that keep customers", "five-emails-that-keep-customers"),
        ("Crème brûlée à la façon de Noël", "creme-brulee-a-la-facon-de-noel"),
        ("Как настроить рассылку: 5 шагов", "kak-nastroit-rassylku-5-shagov"),
        ("Щука и объявление", "shchuka-i-obiavlenie"),
        ("郵件營銷", "post"),
        ("!!!", "post"),
    ],
)
def test_slug_is_made_from_the_title(make_post, title, slug):
    post = make_post(title)
    assert post.slug == slug


def test_same_title_gets_a_numbered_slug(make_post):
    slugs = [make_post("Same title").slug for _ in range(3)]
    assert slugs == ["same-title", "same-title-2", "same-title-3"]


def test_long_titles_are_cut_and_stay_unique(make_post):
    title = ("щука " * 40).strip()  # 199 characters that transliterate to 319
    assert len(title) <= 200
    first, second = make_post(title), make_post(title)
    assert len(first.slug) <= 220 and len(second.slug) <= 220
    assert first.slug.startswith("shchuka-shchuka-") and len(first.slug) >= 210
    assert second.slug.endswith("-2") and first.slug != second.slug


def test_a_slug_that_would_shadow_the_editor_gets_a_number(make_post, client):
    post = make_post("Manage")
    assert post.slug == "manage-2"
    assert client.get(post.get_absolute_url()).status_code == 200


def test_given_slug_is_kept_and_editing_the_title_keeps_the_address(make_post):
    post = make_post("First title", slug="my-address")
    post.title = "Second title"
    post.save()
    post.refresh_from_db()
    assert post.slug == "my-address"


def test_russian_post_is_reachable_at_its_transliterated_address(client, make_post):
    post = make_post("Привет, мир")
    assert post.get_absolute_url() == "/blog/privet-mir/"
    assert client.get("/blog/privet-mir/").status_code == 200


def test_editor_rejects_a_taken_or_malformed_or_reserved_slug(client, content_manager, make_post):
    make_post("Taken", slug="taken")
    client.force_login(content_manager)
    for slug, message in [
        ("taken", "Another post already has this slug."),
        ("not a slug!", "Enter a valid “slug”"),
        ("manage", "is used by the blog itself"),
    ]:
        response = client.post(reverse("blog:create"), {"title": "New", "slug": slug, "body": "Text"})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert Post.objects.count() == 1
