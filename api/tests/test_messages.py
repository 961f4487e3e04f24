"""Messages through the API and the HTML fragments."""

import pytest

from api.tests.conftest import triggers
from core.models import Message
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory


def test_owner_writes_reads_changes_and_deletes_a_message(api, owner):
    client = api.as_(owner)
    created = client.post("/api/messages/", {"subject": "Hello", "body": "Hi {full_name}"}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert client.get(f"/api/messages/{pk}/").json()["body"] == "Hi {full_name}"
    assert client.put(f"/api/messages/{pk}/", {"subject": "Hi", "body": "b"}, format="json").status_code == 200
    assert Message.objects.get(pk=pk).subject == "Hi"
    assert client.delete(f"/api/messages/{pk}/").status_code == 204


def test_subject_must_be_one_non_empty_line(api, owner):
    client = api.as_(owner)
    broken = client.post("/api/messages/", {"subject": "Hi\r\nBcc: x@example.com", "body": "b"}, format="json")
    assert broken.status_code == 400 and "subject" in broken.json()
    blank = client.post("/api/messages/", {"subject": "   ", "body": "b"}, format="json")
    assert blank.status_code == 400 and "subject" in blank.json()
    assert not Message.objects.exists()


def test_search(api, owner):
    MessageFactory(owner=owner, subject="Spring sale", body="x")
    MessageFactory(owner=owner, subject="News", body="the spring is here")
    MessageFactory(owner=owner, subject="Winter", body="cold")
    rows = api.as_(owner).get("/api/messages/?search=spring&ordering=subject").json()["results"]
    assert [row["subject"] for row in rows] == ["News", "Spring sale"]


def test_message_sent_by_a_mailing_is_not_deleted(api, page, owner):
    mailing = MailingFactory(owner=owner)
    response = api.as_(owner).delete(f"/api/messages/{mailing.message_id}/")
    assert response.status_code == 409
    assert "sent by the mailing" in response.json()["detail"]
    fragment = page.as_(owner).delete(f"/api/messages/{mailing.message_id}/")
    assert fragment.status_code == 409 and "sent by the mailing" in fragment.content.decode()
    assert Message.objects.filter(pk=mailing.message_id).exists()


def test_confirmation_of_a_message_in_use_names_its_mailings_and_offers_no_delete(page, owner):
    message = MessageFactory(owner=owner, subject="Spring news")
    first = MailingFactory(owner=owner, message=message)
    second = MailingFactory(owner=owner, message=message, is_active=False)
    unused = MessageFactory(owner=owner, subject="Draft")
    page.as_(owner)
    confirm = page.get(f"/api/messages/{message.pk}/confirm-delete/").content.decode()
    assert "hx-delete" not in confirm and "cannot be deleted while mailings send it" in confirm
    assert f'<a href="/mailings/{first.pk}/">#{first.pk} Spring news</a>' in confirm
    assert f'<a href="/mailings/{second.pk}/">#{second.pk} Spring news</a> <span' in confirm  # and "disabled"
    draft = page.get(f"/api/messages/{unused.pk}/confirm-delete/").content.decode()
    assert f'hx-delete="/api/messages/{unused.pk}/"' in draft
    rows = page.get("/api/messages/").content.decode()
    assert rows.count("bi-trash") == 1 and rows.count("In use") == 1


def test_fragments(page, owner):
    message = MessageFactory(owner=owner, subject="Hello", body="Line one\nline two")
    page.as_(owner)
    assert "Hello" in page.get("/api/messages/").content.decode()
    assert "Line one" in page.get(f"/api/messages/{message.pk}/").content.decode()
    assert '<textarea class="form-control" id="id_body"' in page.get("/api/messages/form/").content.decode()
    created = page.post("/api/messages/", {"subject": "New", "body": "text"})
    assert created.status_code == 201 and "New" in created.content.decode()
    assert triggers(created)["showToast"]["message"] == "Created."
    invalid = page.post("/api/messages/", {"subject": "a\nb", "body": ""})
    assert invalid.status_code == 400
    html = invalid.content.decode()
    assert 'id="id_subject-errors"' in html and 'id="id_body-errors"' in html
    assert Message.objects.count() == 2


class TestPreview:
    def test_rendered_for_the_owners_first_client_with_the_unsubscribe_line(self, api, owner):
        message = MessageFactory(owner=owner, subject="News for {full_name}", body="Dear {full_name} ({email}).")
        first = ClientFactory(owner=owner, full_name="Ada Lovelace", email="ada@example.com")
        ClientFactory(owner=owner, full_name="Bob", email="bob@example.com")
        data = api.as_(owner).get(f"/api/messages/{message.pk}/preview/").json()
        assert data["client"] == first.pk
        assert data["subject"] == "News for Ada Lovelace"
        assert data["body"].startswith("Dear Ada Lovelace (ada@example.com).")
        assert "To stop receiving it, unsubscribe: (their own link)" in data["body"]
        assert data["error"] is None

    def test_for_a_chosen_client(self, api, owner):
        message = MessageFactory(owner=owner, subject="Hi {full_name}")
        ClientFactory(owner=owner, full_name="Ada")
        bob = ClientFactory(owner=owner, full_name="Bob")
        assert api.as_(owner).get(f"/api/messages/{message.pk}/preview/?client={bob.pk}").json()["subject"] == "Hi Bob"

    def test_sample_client_when_the_owner_has_none(self, api, owner):
        message = MessageFactory(owner=owner, subject="Hi {full_name}")
        data = api.as_(owner).get(f"/api/messages/{message.pk}/preview/").json()
        assert data == {**data, "client": None, "subject": "Hi Anna Petrova", "email": "anna.petrova@example.com"}

    def test_another_users_client_is_404_and_bad_ids_400(self, api, owner, other_user):
        message = MessageFactory(owner=owner)
        theirs = ClientFactory(owner=other_user)
        client = api.as_(owner)
        assert client.get(f"/api/messages/{message.pk}/preview/?client={theirs.pk}").status_code == 404
        response = client.get(f"/api/messages/{message.pk}/preview/?client=abc")
        assert response.status_code == 400 and "client" in response.json()

    def test_fragment_offers_the_clients_to_preview_for(self, page, owner):
        message = MessageFactory(owner=owner, subject="Hi {full_name}")
        ada = ClientFactory(owner=owner, full_name="Ada", email="ada@example.com")
        html = page.as_(owner).get(f"/api/messages/{message.pk}/preview/").content.decode()
        assert '<strong data-preview="subject">Hi Ada</strong>' in html
        assert f'<option value="{ada.pk}" selected>Ada &lt;ada@example.com&gt;</option>' in html
        # the detail panel loads the preview
        detail = page.get(f"/api/messages/{message.pk}/").content.decode()
        assert f'hx-get="/api/messages/{message.pk}/preview/" hx-trigger="load"' in detail


ALLOWED = "Use only {full_name}, {email}"


@pytest.mark.parametrize(
    ("field", "text", "says"),
    [
        ("body", "Hi {name}", "Unknown placeholder {name}."),
        ("body", "Dear {0}", "Unknown placeholder {0}."),
        ("subject", "News for {email", "A brace without its pair"),
        ("body", "Hi {full_name:d}", "malformed placeholder"),
        ("subject", "Hi {email!x}", "malformed placeholder"),
        ("subject", "Hi {email.upper}", "Unknown placeholder {email.upper}."),
    ],
)
def test_broken_placeholders_are_refused_naming_the_allowed_ones(api, owner, field, text, says):
    body = {"subject": "Hello", "body": "Hi {full_name}", field: text}
    response = api.as_(owner).post("/api/messages/", body, format="json")
    assert response.status_code == 400
    [message] = response.json()[field]
    assert says in message and ALLOWED.lower() in message.lower()
    assert not Message.objects.exists()


def test_a_change_to_a_broken_placeholder_is_refused(api, owner):
    message = MessageFactory(owner=owner, body="Hi {full_name}")
    response = api.as_(owner).patch(f"/api/messages/{message.pk}/", {"body": "Hi {name}"}, format="json")
    assert response.status_code == 400
    message.refresh_from_db()
    assert message.body == "Hi {full_name}"


def test_placeholders_and_doubled_braces_are_kept(api, owner):
    body = {"subject": "For {full_name}", "body": "Hi {full_name} <{email}>, {{literal}} braces"}
    assert api.as_(owner).post("/api/messages/", body, format="json").status_code == 201


def test_our_form_shows_the_placeholder_message_next_to_the_body(page, owner):
    response = page.as_(owner).post("/api/messages/", {"subject": "Hello", "body": "Hi {name}"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="messages-form"' in html
    assert "Unknown placeholder {name}. Use only {full_name}, {email}" in html
    assert not Message.objects.exists()


class TestMarkdownMessages:
    def test_written_in_markdown_through_the_api(self, api, owner):
        client = api.as_(owner)
        body = {"subject": "News", "body": "# Hi {full_name}", "format": "markdown"}
        created = client.post("/api/messages/", body, format="json")
        assert created.status_code == 201 and created.json()["format"] == "markdown"
        assert Message.objects.get(pk=created.json()["id"]).format == "markdown"
        plain = client.post("/api/messages/", {"subject": "Plain", "body": "b"}, format="json")
        assert plain.json()["format"] == "plain"  # the default, as before

    def test_an_unknown_format_is_a_400_with_the_fields_message(self, api, page, owner):
        response = api.as_(owner).post("/api/messages/", {"subject": "S", "body": "b", "format": "html"}, format="json")
        assert response.status_code == 400 and list(response.json()) == ["format"]
        form = page.as_(owner).post("/api/messages/", {"subject": "S", "body": "b", "format": "html"})
        assert form.status_code == 400 and 'id="id_format-errors"' in form.content.decode()
        assert not Message.objects.exists()

    def test_the_form_offers_the_format(self, page, owner):
        html = page.as_(owner).get("/api/messages/form/").content.decode()
        assert '<select class="form-select" id="id_format" name="format"' in html
        assert '<option value="plain" selected>Plain text</option>' in html
        assert '<option value="markdown">Markdown (sent as HTML with a plain-text version)</option>' in html

    def test_preview_has_both_parts_for_the_chosen_client(self, api, owner):
        message = MessageFactory(owner=owner, subject="Hi {full_name}", body="**Hi** {full_name}", format="markdown")
        ClientFactory(owner=owner, full_name="Ada")
        bob = ClientFactory(owner=owner, full_name="<script>Bob</script>")
        data = api.as_(owner).get(f"/api/messages/{message.pk}/preview/?client={bob.pk}").json()
        assert data["format"] == "markdown" and data["body"].startswith("Hi <script>Bob</script>")
        assert "<strong>Hi</strong> &lt;script&gt;Bob&lt;/script&gt;" in data["html"]
        assert "(their own link)</a>" in data["html"]
        assert api.as_(owner).get(f"/api/messages/{MessageFactory(owner=owner).pk}/preview/").json()["html"] == ""

    def test_the_html_part_is_a_document_of_its_own_for_a_sandboxed_frame(self, page, owner, other_user):
        message = MessageFactory(owner=owner, subject="Hi", body="**Hi** {full_name}", format="markdown")
        ada = ClientFactory(owner=owner, full_name="Ada & Co")
        response = page.as_(owner).get(f"/api/messages/{message.pk}/preview-html/?client={ada.pk}")
        assert response.status_code == 200 and response["Content-Type"] == "text/html; charset=utf-8"
        assert "<strong>Hi</strong> Ada &amp; Co" in response.content.decode()
        policy = response["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "sandbox" in policy and "script" not in policy
        assert "frame-ancestors 'self'" in policy and response["X-Frame-Options"] == "SAMEORIGIN"
        # the fragment frames it, sandboxed; a plain message has no HTML part
        fragment = page.get(f"/api/messages/{message.pk}/preview/?client={ada.pk}").content.decode()
        frame = f'sandbox="" src="/api/messages/{message.pk}/preview-html/?client={ada.pk}"'
        assert f'<iframe class="mail-frame border rounded mb-3" {frame}' in fragment
        plain = MessageFactory(owner=owner)
        refused = page.get(f"/api/messages/{plain.pk}/preview-html/")
        assert refused.status_code == 404 and refused.json() == {"detail": "A plain-text message has no HTML part."}
        assert page.get(f"/api/messages/{message.pk}/preview-html/?client=x").json() == {
            "client": ["A valid integer is required."]
        }
        assert "<iframe" not in page.get(f"/api/messages/{plain.pk}/preview/").content.decode()
        theirs = ClientFactory(owner=other_user)
        assert page.get(f"/api/messages/{message.pk}/preview-html/?client={theirs.pk}").status_code == 404
        assert page.as_(other_user).get(f"/api/messages/{message.pk}/preview-html/").status_code == 404
