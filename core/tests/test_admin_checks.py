"""The admin site saves messages and mailings without the services; it refuses
what the API refuses: placeholders that cannot be filled in, times outside the
years the service accepts."""

import pytest

from core.models import Mailing, Message
from core.tests.factories import ClientFactory, MessageFactory


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admin_refuses_a_message_with_an_unknown_placeholder(admin_client, owner):
    response = admin_client.post(
        "/admin/core/message/add/", {"owner": owner.pk, "subject": "Hello", "body": "Hi {name}"}
    )
    assert response.status_code == 200
    assert "Unknown placeholder {name}." in response.content.decode()
    assert not Message.objects.exists()


def test_admin_refuses_a_mailing_ending_in_year_9999(admin_client, owner):
    message = MessageFactory(owner=owner)
    response = admin_client.post(
        "/admin/core/mailing/add/",
        {
            "owner": owner.pk,
            "message": message.pk,
            "start_at_0": "2026-07-01",
            "start_at_1": "09:00:00",
            "end_at_0": "9999-12-31",
            "end_at_1": "23:59:59",
            "periodicity": "once",
            "is_active": "on",
            "recipients-TOTAL_FORMS": "1",
            "recipients-INITIAL_FORMS": "0",
            "recipients-0-client": ClientFactory(owner=owner).pk,
        },
    )
    assert response.status_code == 200
    assert "Enter a date between the years 2000 and 2100." in response.content.decode()
    assert not Mailing.objects.exists()
