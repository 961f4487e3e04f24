"""core.dispatch.sending.preview_message: the message as one client reads it."""

from core.dispatch.sending import preview_message
from core.tests.factories import ClientFactory, MessageFactory


def test_for_a_client_with_the_unsubscribe_line(owner):
    message = MessageFactory(owner=owner, subject="Hi {full_name}", body="For {email}.")
    client = ClientFactory(owner=owner, full_name="Ada", email="ada@example.com")
    preview = preview_message(message, client, link="LINK")
    assert (preview.subject, preview.error) == ("Hi Ada", None)
    assert preview.body.startswith("For ada@example.com.") and preview.body.endswith("unsubscribe: LINK")


def test_sample_client_and_a_message_that_cannot_be_built(owner):
    message = MessageFactory.build(owner=owner, subject="Hi {name}", body="Body")  # an unknown placeholder
    preview = preview_message(message, link="LINK")
    assert (preview.email, preview.full_name) == ("anna.petrova@example.com", "Anna Petrova")
    assert preview.subject == "Hi {name}" and "unknown placeholder {name}" in preview.error
