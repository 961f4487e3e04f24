"""Message images through the API: only real pictures within the limits are
stored, under a name of ours, and served from the site without a log-in;
another user's image is not found; an image a message shows is not deleted."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from PIL import Image

from core.models import MessageImage
from core.services.images import image_create
from core.tests.factories import MessageFactory
from core.tests.images import SVG, image_bytes, noise_png

SITE = "https://mail.example.com"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def upload(client, name, content, content_type="image/png"):
    return client.post("/api/images/", {"file": SimpleUploadedFile(name, content, content_type)}, format="multipart")


def stored_files(media_root):
    return sorted(str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file())


def fetch_anonymously(url):
    assert url.startswith(SITE + "/media/images/")
    response = Browser().get(url.removeprefix(SITE))
    return response, b"".join(response.streaming_content) if response.status_code == 200 else b""


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"), [("PNG", "image/png", "png"), ("JPEG", "image/jpeg", "jpg")]
)
def test_an_uploaded_picture_is_served_at_an_absolute_address_without_a_log_in(
    api, owner, media_root, fmt, content_type, extension
):
    content = image_bytes((320, 200), fmt=fmt)
    response = upload(api.as_(owner), "../../My holiday photo.png", content, content_type)
    assert response.status_code == 201, response.data
    body = response.json()
    assert set(body) == {"id", "url", "width", "height", "size", "created_at"}
    assert (body["width"], body["height"], body["size"]) == (320, 200, len(content))
    assert re.fullmatch(rf"{SITE}/media/images/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.{extension}", body["url"])
    assert "holiday" not in body["url"]
    assert stored_files(media_root) == [body["url"].removeprefix(f"{SITE}/media/")]
    served, data = fetch_anonymously(body["url"])
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert data == content
    assert "public" in served["Cache-Control"]
    assert Browser().head(body["url"].removeprefix(SITE)).status_code == 200  # mail clients and proxies ask first
    assert Browser().post(body["url"].removeprefix(SITE)).status_code == 405


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.png", b"just some text, not a picture", "The file is not an image"),
        ("logo.svg", SVG, "The file is not an image"),
        ("logo.png", SVG, "The file is not an image"),
        ("old.bmp", image_bytes(fmt="BMP"), "BMP images are not accepted"),
    ],
    ids=["text-renamed-png", "svg", "svg-renamed-png", "bmp"],
)
def test_what_is_not_a_picture_we_show_is_refused_and_nothing_is_stored(api, owner, media_root, name, content, message):
    response = upload(api.as_(owner), name, content)
    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert message in response.json()["file"][0]
    assert MessageImage.objects.count() == 0
    assert stored_files(media_root) == []


def test_an_oversized_file_is_refused_with_the_limit_named(api, owner, media_root, settings):
    settings.MESSAGE_IMAGE_MAX_BYTES = 10 * 1024
    response = upload(api.as_(owner), "big.png", noise_png(100))
    assert response.status_code == 400
    assert "The image is too large" in response.json()["file"][0]
    assert "the limit is 10.0\xa0KB" in response.json()["file"][0]
    assert MessageImage.objects.count() == 0
    assert stored_files(media_root) == []


def test_too_many_pixels_is_refused(api, owner, settings):
    settings.MESSAGE_IMAGE_MAX_WIDTH, settings.MESSAGE_IMAGE_MAX_HEIGHT = 1000, 500
    response = upload(api.as_(owner), "wide.png", image_bytes((1200, 400)))
    assert response.status_code == 400
    assert response.json() == {"file": ["The image is 1200 x 400 pixels; the limit is 1000 x 500."]}


def test_a_missing_file_or_an_unknown_field_is_named(api, owner):
    client = api.as_(owner)
    assert client.post("/api/images/", {}, format="multipart").json() == {"file": ["No file was submitted."]}
    response = client.post(
        "/api/images/", {"file": SimpleUploadedFile("a.png", image_bytes()), "owner": "2"}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {"owner": ["Unknown field; it cannot be set here."]}
    assert MessageImage.objects.count() == 0


def test_another_users_image_is_not_found(api, owner, other_user):
    url = upload(api.as_(owner), "a.png", image_bytes()).json()["id"]
    theirs = f"/api/images/{url}/"
    client = api.as_(other_user)
    assert client.get(theirs).status_code == 404
    assert client.delete(theirs).status_code == 404
    assert client.get("/api/images/").json()["count"] == 0
    assert MessageImage.objects.count() == 1
    mine = api.as_(owner).get("/api/images/").json()
    assert [row["id"] for row in mine["results"]] == [url]


def test_an_image_a_message_shows_is_not_deleted(api, owner, media_root):
    client = api.as_(owner)
    image = upload(client, "a.png", image_bytes()).json()
    MessageFactory(owner=owner, subject="Spring sale", body=f"Look:\n\n![Our shop]({image['url']})")
    response = client.delete(f"/api/images/{image['id']}/")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "The message “Spring sale” shows this image. Take it out of the message first."
    }
    assert fetch_anonymously(image["url"])[0].status_code == 200


def test_deleting_an_unused_image_removes_its_file(api, owner, media_root, django_capture_on_commit_callbacks):
    client = api.as_(owner)
    image = upload(client, "a.png", image_bytes()).json()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/images/{image['id']}/").status_code == 204
    assert stored_files(media_root) == []
    assert fetch_anonymously(image["url"])[0].status_code == 404


def test_anonymous_visitors_cannot_upload(api, media_root):
    assert upload(api, "a.png", image_bytes()).status_code == 401
    assert stored_files(media_root) == []


def test_an_upload_announcing_more_than_the_limit_is_refused_before_it_is_read(api, owner, settings, media_root):
    settings.MESSAGE_IMAGE_MAX_BYTES = 1024
    client = api.as_(owner)
    response = client.post("/api/images/", {"file": SimpleUploadedFile("big.png", noise_png(300))}, format="multipart")
    assert response.status_code == 400
    assert response.json()["file"][0].startswith("The image is too large")
    assert MessageImage.objects.count() == 0
    assert stored_files(media_root) == []


def test_our_pages_get_the_images_as_html(page, owner, settings):
    page.as_(owner)
    stored = image_create(owner=owner, upload=SimpleUploadedFile("a.png", image_bytes((30, 20)), "image/png"))
    listing = page.get("/api/images/").content.decode()
    assert f'<tr id="images-{stored.pk}">' in listing and stored.url in listing
    detail = page.get(f"/api/images/{stored.pk}/").content.decode()
    assert "30 x 20 pixels" in detail and stored.url in detail


def photo_with_exif(size=(64, 48), orientation=1) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = orientation
    exif.get_ifd(0x8825)[2] = (55.0, 45.0, 0.0)  # GPS latitude: where the photo was taken
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def served_picture(url) -> Image.Image:
    return Image.open(io.BytesIO(fetch_anonymously(url)[1]))


def test_a_photos_exif_is_not_kept_and_its_pixels_are(api, owner):
    original = photo_with_exif()
    assert b"PhoneMaker" in original
    body = upload(api.as_(owner), "photo.jpg", original, "image/jpeg").json()
    served = fetch_anonymously(body["url"])[1]
    assert b"PhoneMaker" not in served and b"Exif" not in served
    assert body["size"] == len(served) < len(original)
    assert served_picture(body["url"]).tobytes() == Image.open(io.BytesIO(original)).tobytes()


def test_a_photo_marked_as_turned_is_turned_for_real(api, owner):
    body = upload(api.as_(owner), "photo.jpg", photo_with_exif((64, 48), orientation=6), "image/jpeg").json()
    picture = served_picture(body["url"])
    assert (body["width"], body["height"]) == picture.size == (48, 64)
    assert not picture.getexif()


def test_deleting_a_user_removes_their_images(api, owner, other_user, media_root, django_capture_on_commit_callbacks):
    mine = upload(api.as_(owner), "a.png", image_bytes()).json()
    theirs = upload(api.as_(other_user), "b.png", image_bytes()).json()
    with django_capture_on_commit_callbacks(execute=True):
        owner.delete()
    assert stored_files(media_root) == [theirs["url"].removeprefix(f"{SITE}/media/")]
    assert fetch_anonymously(mine["url"])[0].status_code == 404


def test_a_refused_upload_from_our_pages_answers_the_form_with_the_message(page, owner, media_root):
    response = page.as_(owner).post("/api/images/", {"file": SimpleUploadedFile("notes.png", b"not a picture")})
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#images-form"
    assert "The file is not an image" in response.content.decode()
    assert stored_files(media_root) == []
