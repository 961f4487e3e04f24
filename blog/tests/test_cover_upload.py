"""Cover images: only real pictures within the limits get stored, under a generated name."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blog.models import Post
from blog.tests.conftest import image_bytes, noise_png


@pytest.fixture
def editor(client, content_manager, media_root):
    client.force_login(content_manager)
    return client


def create(editor, cover, title="With a cover"):
    return editor.post(reverse("blog:create"), {"title": title, "body": "Text", "cover": cover})


def stored_files(media_root):
    return sorted(str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file())


def test_real_image_is_stored_under_a_generated_name_with_its_dimensions(editor, media_root):
    response = create(editor, SimpleUploadedFile("../../My holiday photo.png", image_bytes((640, 360)), "image/png"))
    post = Post.objects.get()
    assert response.status_code == 302
    assert re.fullmatch(r"blog/covers/\d{4}/\d{2}/[0-9a-f]{32}\.png", post.cover.name)
    assert stored_files(media_root) == [post.cover.name]
    assert (post.cover_width, post.cover_height) == (640, 360)


def test_extension_follows_the_real_format_not_the_uploaded_name(editor):
    create(editor, SimpleUploadedFile("photo.png", image_bytes(fmt="JPEG"), "image/png"))
    assert Post.objects.get().cover.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("notes.png", b"just some text, not a picture", "image/png"), "The file is not an image"),
        (SimpleUploadedFile("script.jpg", b"<script>alert(1)</script>", "image/jpeg"), "The file is not an image"),
        (SimpleUploadedFile("truncated.png", image_bytes()[:60], "image/png"), "The file is not an image"),
        (SimpleUploadedFile("old.bmp", image_bytes(fmt="BMP"), "image/bmp"), "BMP images are not accepted"),
    ],
    ids=["text", "html", "truncated", "bmp"],
)
def test_non_images_are_refused_with_a_clear_message(editor, media_root, upload, message):
    response = create(editor, upload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Post.objects.count() == 0
    assert stored_files(media_root) == []


def test_oversize_file_is_refused_with_the_limit_in_the_message(editor, settings, media_root):
    settings.BLOG_COVER_MAX_BYTES = 10 * 1024
    noise = noise_png(100)
    assert len(noise) > 20 * 1024
    response = create(editor, SimpleUploadedFile("big.png", noise, "image/png"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The image is too large" in html and "the limit is 10.0\xa0KB" in html
    assert Post.objects.count() == 0
    assert stored_files(media_root) == []


def test_too_many_pixels_is_refused_with_the_limits_in_the_message(editor, settings):
    settings.BLOG_COVER_MAX_WIDTH, settings.BLOG_COVER_MAX_HEIGHT = 1000, 500
    response = create(editor, SimpleUploadedFile("wide.png", image_bytes((1200, 400)), "image/png"))
    assert "The image is 1200 x 400 pixels; the limit is 1000 x 500." in response.content.decode()
    assert Post.objects.count() == 0


def test_replacing_and_deleting_covers_removes_the_old_files(editor, media_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        create(editor, SimpleUploadedFile("a.png", image_bytes(), "image/png"))
    post = Post.objects.get()
    first = post.cover.name
    edit_url = reverse("blog:edit", kwargs={"pk": post.pk})

    # Saving other fields keeps the cover.
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(edit_url, {"title": "Renamed", "slug": post.slug, "body": "Text"})
    post.refresh_from_db()
    assert post.cover.name == first and stored_files(media_root) == [first]

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(edit_url, {"title": "Renamed", "slug": post.slug, "body": "Text", "cover": _png("b.png")})
    post.refresh_from_db()
    assert post.cover.name != first and stored_files(media_root) == [post.cover.name]

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(reverse("blog:delete", kwargs={"pk": post.pk}))
    assert stored_files(media_root) == []


def _png(name):
    return SimpleUploadedFile(name, image_bytes(), "image/png")


def test_cover_saved_from_code_gets_a_generated_name_too(make_post, media_root):
    post = make_post("From code")
    post.cover.save("Holiday Photo.PNG", SimpleUploadedFile("x", image_bytes()))
    assert re.fullmatch(r"blog/covers/\d{4}/\d{2}/[0-9a-f]{32}\.png", post.cover.name)
    assert stored_files(media_root) == [post.cover.name]


def test_the_editor_shows_the_current_cover_as_a_thumbnail(editor, media_root):
    create(editor, SimpleUploadedFile("a.png", image_bytes(), "image/png"))
    post = Post.objects.get()
    page = editor.get(reverse("blog:edit", kwargs={"pk": post.pk})).content.decode()
    assert f'<img src="{post.cover.url}" alt="Current cover"' in page
    assert "Remove the cover" in page and "Currently:" not in page
    edit_url = reverse("blog:edit", kwargs={"pk": post.pk})
    editor.post(edit_url, {"title": "T", "slug": post.slug, "body": "Text", "cover-clear": "on"})
    post.refresh_from_db()
    assert not post.cover
    assert "Current cover" not in editor.get(edit_url).content.decode()
