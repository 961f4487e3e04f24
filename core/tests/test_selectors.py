"""Who may see and change what: the rules every door (API, pages, admin) uses."""

from django.contrib.auth.models import AnonymousUser

from core.models import Attempt
from core.selectors import (
    attempts_visible_to,
    can_change,
    can_toggle_mailing,
    clients_visible_to,
    mailings_visible_to,
    messages_visible_to,
)
from core.tests.factories import ClientFactory, MailingFactory


def world(owner, other_user):
    mine = MailingFactory(owner=owner, clients=[ClientFactory(owner=owner)])
    theirs = MailingFactory(owner=other_user, clients=[ClientFactory(owner=other_user)])
    for mailing in (mine, theirs):
        Attempt.objects.create(mailing=mailing, client=mailing.clients.get(), run_at=mailing.start_at)
    return mine, theirs


def test_plain_user_sees_only_their_own(owner, other_user):
    mine, _ = world(owner, other_user)
    assert list(mailings_visible_to(owner)) == [mine]
    assert set(attempts_visible_to(owner).values_list("mailing", flat=True)) == {mine.pk}
    assert list(clients_visible_to(owner)) == list(mine.clients.all())
    assert list(messages_visible_to(owner)) == [mine.message]


def test_manager_sees_every_mailing_but_only_own_clients_and_messages(owner, other_user, manager):
    mine, theirs = world(owner, other_user)
    assert set(mailings_visible_to(manager)) == {mine, theirs}
    assert attempts_visible_to(manager).count() == 2
    assert not clients_visible_to(manager).exists()
    assert not messages_visible_to(manager).exists()


def test_admin_sees_everything(owner, other_user, admin_user):
    world(owner, other_user)
    assert mailings_visible_to(admin_user).count() == 2
    assert clients_visible_to(admin_user).count() == 2
    assert messages_visible_to(admin_user).count() == 2


def test_anonymous_sees_nothing(owner, other_user):
    world(owner, other_user)
    anonymous = AnonymousUser()
    assert not mailings_visible_to(anonymous).exists()
    assert not attempts_visible_to(anonymous).exists()
    assert not clients_visible_to(anonymous).exists()


def test_only_owner_and_admin_change_but_managers_toggle(owner, other_user, manager, admin_user):
    mine, _ = world(owner, other_user)
    assert can_change(owner, mine) and can_change(admin_user, mine)
    assert not can_change(other_user, mine) and not can_change(manager, mine)
    assert can_toggle_mailing(owner, mine) and can_toggle_mailing(manager, mine)
    assert not can_toggle_mailing(other_user, mine)
