"""Bad data is refused with the message a user would see, by validation and by
the database itself, and nothing is half-written."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import Attempt, Client, Mailing, Message
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory


def refused_by_database(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def messages_of(error: ValidationError) -> list[str]:
    return [m for msgs in error.message_dict.values() for m in msgs]


class TestClient:
    def test_email_is_unique_per_owner_ignoring_case(self, owner):
        ClientFactory(owner=owner, email="Anna@example.com")
        duplicate = Client(owner=owner, email="anna@EXAMPLE.com", full_name="Anna again")
        with pytest.raises(ValidationError) as caught:
            duplicate.full_clean()
        assert "You already have a client with this email." in messages_of(caught.value)
        refused_by_database(duplicate.save)
        assert Client.objects.filter(owner=owner).count() == 1

    def test_another_owner_may_keep_the_same_email(self, owner, other_user):
        ClientFactory(owner=owner, email="anna@example.com")
        theirs = Client(owner=other_user, email="anna@example.com", full_name="Anna")
        theirs.full_clean()
        theirs.save()
        assert Client.objects.filter(email="anna@example.com").count() == 2

    @pytest.mark.parametrize("email", ["not-an-email", "@example.com", "anna@", "an na@example.com"])
    def test_invalid_email_is_refused(self, owner, email):
        client = Client(owner=owner, email=email, full_name="Anna")
        with pytest.raises(ValidationError) as caught:
            client.full_clean()
        assert "email" in caught.value.message_dict
        refused_by_database(client.save)
        assert not Client.objects.exists()


class TestMessage:
    @pytest.mark.parametrize(
        ("subject", "expected"),
        [
            ("", "This field cannot be blank."),
            ("   ", "This field cannot be blank."),
            ("Hello\nBcc: victim@example.com", "Must be a single line (no line breaks)."),
            ("Hello\rthere", "Must be a single line (no line breaks)."),
        ],
    )
    def test_bad_subject_is_refused(self, owner, subject, expected):
        message = Message(owner=owner, subject=subject, body="Hi")
        with pytest.raises(ValidationError) as caught:
            message.full_clean()
        assert expected in caught.value.message_dict["subject"]
        refused_by_database(message.save)
        assert not Message.objects.exists()


class TestMailing:
    def test_end_must_be_after_start(self, owner):
        start = timezone.now()
        mailing = Mailing(owner=owner, message=MessageFactory(owner=owner), start_at=start, end_at=start)
        with pytest.raises(ValidationError) as caught:
            mailing.full_clean()
        assert caught.value.message_dict["end_at"] == ["The end must be after the first send."]
        refused_by_database(mailing.save)
        mailing.end_at = start - timedelta(days=1)
        refused_by_database(mailing.save)
        assert not Mailing.objects.exists()

    def test_unknown_periodicity_is_refused(self, owner):
        mailing = Mailing(
            owner=owner, message=MessageFactory(owner=owner), start_at=timezone.now(), periodicity="hourly"
        )
        with pytest.raises(ValidationError) as caught:
            mailing.full_clean()
        assert "Value 'hourly' is not a valid choice." in caught.value.message_dict["periodicity"]
        refused_by_database(mailing.save)

    def test_status_is_not_editable_and_starts_as_created(self, owner):
        mailing = MailingFactory(owner=owner)
        assert mailing.status == "created"
        assert not Mailing._meta.get_field("status").editable
        refused_by_database(lambda: Mailing.objects.filter(pk=mailing.pk).update(status="paused"))


class TestAttempt:
    def test_one_attempt_per_client_and_run(self, owner):
        client = ClientFactory(owner=owner)
        mailing = MailingFactory(owner=owner, clients=[client])
        rows = [Attempt(mailing=mailing, client=client, run_at=mailing.start_at)]
        Attempt.objects.bulk_create(rows, ignore_conflicts=True)
        Attempt.objects.bulk_create(
            [Attempt(mailing=mailing, client=client, run_at=mailing.start_at)], ignore_conflicts=True
        )
        assert Attempt.objects.count() == 1
        refused_by_database(lambda: Attempt.objects.create(mailing=mailing, client=client, run_at=mailing.start_at))
        Attempt.objects.create(mailing=mailing, client=client, run_at=mailing.start_at + timedelta(days=1))
        assert Attempt.objects.count() == 2

    def test_unknown_status_is_refused(self, owner):
        client = ClientFactory(owner=owner)
        mailing = MailingFactory(owner=owner, clients=[client])
        refused_by_database(
            lambda: Attempt.objects.create(mailing=mailing, client=client, run_at=mailing.start_at, status="lost")
        )
