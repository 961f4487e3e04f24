"""A client or message that a mailing still uses is not deleted: the user is
told which mailing uses it, and nothing changes."""

import pytest

from core.models import Attempt, Client, Mailing, Message, User
from core.services.objects import ObjectInUse, client_delete, message_delete
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory


def test_client_on_a_mailing_is_not_deleted(owner):
    client = ClientFactory(owner=owner)
    mailing = MailingFactory(owner=owner, clients=[client])
    with pytest.raises(ObjectInUse) as caught:
        client_delete(client=client)
    assert f"This client is used by the mailing #{mailing.pk}" in caught.value.messages[0]
    assert Client.objects.filter(pk=client.pk).exists()
    assert mailing.clients.filter(pk=client.pk).exists()


def test_client_with_history_is_not_deleted(owner):
    client = ClientFactory(owner=owner)
    mailing = MailingFactory(owner=owner, clients=[client])
    Attempt.objects.create(mailing=mailing, client=client, run_at=mailing.start_at, status="success")
    mailing.clients.clear()
    with pytest.raises(ObjectInUse):
        client_delete(client=client)
    assert Attempt.objects.filter(client=client).count() == 1


def test_unused_client_is_deleted(owner):
    client = ClientFactory(owner=owner)
    client_delete(client=client)
    assert not Client.objects.filter(pk=client.pk).exists()


def test_message_of_a_mailing_is_not_deleted(owner):
    message = MessageFactory(owner=owner)
    first = MailingFactory(owner=owner, message=message)
    second = MailingFactory(owner=owner, message=message)
    with pytest.raises(ObjectInUse) as caught:
        message_delete(message=message)
    text = caught.value.messages[0]
    assert "This message is sent by the mailings" in text
    assert f"#{first.pk}" in text and f"#{second.pk}" in text
    assert Message.objects.filter(pk=message.pk).exists()


def test_unused_message_is_deleted(owner):
    message = MessageFactory(owner=owner)
    message_delete(message=message)
    assert not Message.objects.exists()


def test_deleting_a_mailing_keeps_its_clients_and_message(owner):
    client = ClientFactory(owner=owner)
    mailing = MailingFactory(owner=owner, clients=[client])
    Attempt.objects.create(mailing=mailing, client=client, run_at=mailing.start_at)
    mailing.delete()
    assert Client.objects.filter(pk=client.pk).exists()
    assert Message.objects.filter(pk=mailing.message_id).exists()
    assert not Attempt.objects.exists()


def test_deleting_a_user_removes_all_their_data(owner, other_user):
    client = ClientFactory(owner=owner)
    mailing = MailingFactory(owner=owner, clients=[client])
    Attempt.objects.create(mailing=mailing, client=client, run_at=mailing.start_at)
    kept = MailingFactory(owner=other_user, clients=[ClientFactory(owner=other_user)])
    User.objects.get(pk=owner.pk).delete()
    assert list(Mailing.objects.all()) == [kept]
    assert not Attempt.objects.exists()
    assert list(Client.objects.values_list("owner", flat=True)) == [other_user.pk]
