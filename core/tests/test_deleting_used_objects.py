"""A client or message that a mailing still uses is not deleted: the user is
told which mailing uses it, and nothing changes."""

import pytest
from django.core.exceptions import PermissionDenied

from core.models import Attempt, Client, Mailing, Message, User
from core.services.objects import (
    ObjectInUse,
    client_delete,
    client_in_use,
    client_remove_from_mailings,
    client_usage,
    message_delete,
    message_in_use,
    message_usage,
)
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


def test_a_client_with_history_only_is_told_to_delete_the_mailing(owner):
    client = ClientFactory(owner=owner)
    mailing = MailingFactory(owner=owner, clients=[client])
    Attempt.objects.create(mailing=mailing, client=client, run_at=mailing.start_at, status="success")
    mailing.clients.clear()
    with pytest.raises(ObjectInUse) as caught:
        client_delete(client=client)
    assert caught.value.messages[0] == (
        f"This client's sends are kept in the history of the mailing {mailing}. Delete that mailing first."
    )


def test_usage_names_the_mailings_listing_a_client_and_those_keeping_its_history(owner):
    client = ClientFactory(owner=owner)
    listing = MailingFactory(owner=owner, clients=[client])
    kept = MailingFactory(owner=owner, clients=[client])
    Attempt.objects.create(mailing=kept, client=client, run_at=kept.start_at, status="success")
    Attempt.objects.create(mailing=listing, client=client, run_at=listing.start_at, status="success")
    kept.clients.clear()
    MailingFactory(owner=owner, clients=[ClientFactory(owner=owner)])  # not this client's
    usage = client_usage(client)
    assert usage.listing == [listing]
    assert usage.history == [kept]
    assert not client_usage(ClientFactory(owner=owner))
    assert Client.objects.annotate(in_use=client_in_use()).get(pk=client.pk).in_use


def test_usage_of_a_message_lists_the_mailings_sending_it(owner):
    message = MessageFactory(owner=owner)
    first = MailingFactory(owner=owner, message=message)
    second = MailingFactory(owner=owner, message=message)
    assert message_usage(message).listing == [first, second]
    assert not message_usage(MessageFactory(owner=owner))
    in_use = dict(Message.objects.annotate(in_use=message_in_use()).values_list("pk", "in_use"))
    assert in_use[message.pk] is True and list(in_use.values()).count(True) == 1


def test_removing_a_client_from_its_mailings_then_deleting_it(owner):
    client = ClientFactory(owner=owner)
    staying = ClientFactory(owner=owner)
    first = MailingFactory(owner=owner, clients=[client, staying])
    second = MailingFactory(owner=owner, clients=[client])
    pending = Attempt.objects.create(mailing=first, client=client, run_at=first.start_at)
    Attempt.objects.create(mailing=first, client=staying, run_at=first.start_at)
    assert client_remove_from_mailings(client=client, by=owner) == [first, second]
    assert list(first.clients.all()) == [staying] and not second.clients.exists()
    pending.refresh_from_db()
    assert pending.status == "skipped"  # not sent after all; the run's history keeps the row
    with pytest.raises(ObjectInUse):
        client_delete(client=client)
    pending.delete()
    client_delete(client=client)
    assert not Client.objects.filter(pk=client.pk).exists()


def test_only_the_clients_user_removes_it_from_mailings(owner, other_user, manager):
    client = ClientFactory(owner=owner)
    mailing = MailingFactory(owner=owner, clients=[client])
    for someone in (other_user, manager):
        with pytest.raises(PermissionDenied):
            client_remove_from_mailings(client=client, by=someone)
    assert mailing.clients.filter(pk=client.pk).exists()


def test_a_run_left_with_nothing_to_send_ends_when_its_last_client_is_removed(owner):
    client = ClientFactory(owner=owner)
    mailing = MailingFactory(owner=owner, clients=[client])
    Mailing.objects.filter(pk=mailing.pk).update(status="running", next_run_at=None, last_run_at=mailing.start_at)
    Attempt.objects.create(mailing=mailing, client=client, run_at=mailing.start_at)
    client_remove_from_mailings(client=client, by=owner)
    mailing.refresh_from_db()
    assert mailing.status == "finished"
