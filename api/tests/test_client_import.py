"""Importing clients from CSV: all or nothing, every bad row named with its line
and why, a preview that saves nothing, any file answered without a 500."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.csv_import import MAX_BYTES, MAX_ROWS
from api.tests.conftest import triggers
from core.models import Client
from core.tests.factories import ClientFactory


def upload(content: bytes | str, name="clients.csv"):
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def post(api, user, content, **extra):
    return api.as_(user).post("/api/clients/import/", {"file": upload(content), **extra}, format="multipart")


def test_good_file_creates_every_client(api, owner):
    response = post(api, owner, "\ufeffemail,full_name,comment\nann@example.com,Ann,VIP\nbob@example.com,Bob,\n")
    assert response.status_code == 201
    assert response.json() == {
        "saved": True,
        "count": 2,
        "created": 2,
        "updated": 0,
        "list": None,
        "listed": 0,
        "rows": [],
        "errors": [],
    }
    assert sorted(Client.objects.filter(owner=owner).values_list("email", flat=True)) == [
        "ann@example.com",
        "bob@example.com",
    ]


def test_one_bad_row_saves_nothing_and_every_bad_row_is_named(api, owner):
    ClientFactory(owner=owner, email="old@example.com")
    content = (
        "email,full_name,comment\n"
        "ann@example.com,Ann,\n"  # line 2: fine
        "not-an-email,Bob,\n"  # line 3
        "ANN@example.com,Ann again,\n"  # line 4: duplicate of line 2
        "old@example.com,Old,\n"  # line 5: already a client
        "cy@example.com,,\n"  # line 6: no name
        "dee@example.com,Dee\n"  # line 7: a column short
    )
    response = post(api, owner, content)
    assert response.status_code == 400
    errors = {row["line"]: " ".join(row["errors"]) for row in response.json()["errors"]}
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert "not a valid email" in errors[3]
    assert "Duplicate of line 2" in errors[4]
    assert "already have a client" in errors[5]
    assert "full name is missing" in errors[6]
    assert "Expected 3 columns, found 2" in errors[7]
    assert Client.objects.filter(owner=owner).count() == 1


def test_preview_lists_rows_and_errors_and_saves_nothing(api, owner):
    response = post(api, owner, "email,full_name,comment\nann@example.com,Ann,\nbad,Bob,\n", preview="true")
    assert response.status_code == 400
    body = response.json()
    assert [row["email"] for row in body["rows"]] == ["ann@example.com", "bad"]
    assert body["rows"][0]["errors"] == [] and body["rows"][1]["errors"]
    good = post(api, owner, "email,full_name,comment\nann@example.com,Ann,\n", preview="true")
    assert good.status_code == 200
    assert good.json()["saved"] is False and good.json()["count"] == 1
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"email,full_name,comment\n" + "Zoë,é\n".encode("latin-1"), "not UTF-8"),
        (b"name,mail\nann,ann@example.com\n", "must be the header"),
        (b"", "empty"),
        (b"email,full_name,comment\n\x00,\x00,\n", "null character"),
    ],
    ids=["latin-1", "wrong-header", "empty", "nul"],
)
def test_unreadable_files_get_a_clear_400(api, owner, content, message):
    response = post(api, owner, content)
    assert response.status_code == 400
    assert message in str(response.json())
    assert not Client.objects.exists()


def test_missing_file_is_a_field_error(api, owner):
    response = api.as_(owner).post("/api/clients/import/", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_import_fragment_shows_preview_then_imports(page, owner):
    page.as_(owner)
    form = page.get("/api/clients/import/form/").content.decode()
    assert 'hx-post="/api/clients/import/"' in form and 'for="id_import_file"' in form
    content = "email,full_name,comment\nann@example.com,Ann,\n"
    preview = page.post("/api/clients/import/", {"file": upload(content), "preview": "true"})
    assert preview.status_code == 200
    assert "ann@example.com" in preview.content.decode()
    assert not Client.objects.exists()
    saved = page.post("/api/clients/import/", {"file": upload(content)})
    assert saved.status_code == 201
    assert "1 client imported." in saved.content.decode()
    assert triggers(saved)["showToast"]["message"] == "1 client imported."
    assert Client.objects.filter(owner=owner).count() == 1


def test_import_fragment_lists_bad_lines(page, owner):
    response = page.as_(owner).post("/api/clients/import/", {"file": upload("email,full_name,comment\nbad,X,\n")})
    assert response.status_code == 400
    assert "Line 2:" in response.content.decode()


def timed_post(api, user, content):
    started = time.perf_counter()
    response = post(api, user, content)
    return response, time.perf_counter() - started


def test_a_file_of_empty_lines_is_refused_at_the_row_limit_within_a_second(api, owner):
    post(api, owner, "email,full_name,comment\n")  # a worker that has answered before (imports done)
    content = b"email,full_name,comment\n" + b"\n" * (MAX_BYTES - 30)
    response, seconds = timed_post(api, owner, content)
    assert response.status_code == 400
    assert response.json() == {"file": [f"The file has more than {MAX_ROWS} rows; split it."]}
    assert seconds < 1


def test_an_upload_announcing_more_than_the_size_limit_is_refused_before_it_is_read(api, owner):
    # The body is never read: a client that announces 20 MB is answered before it has sent them.
    body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\n\r\n'
    response = api.as_(owner).generic(
        "POST",
        "/api/clients/import/",
        body,
        content_type="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(4 * MAX_BYTES),
    )
    assert response.status_code == 400
    assert response.json() == {"file": [f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."]}
