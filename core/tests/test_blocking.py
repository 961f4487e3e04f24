import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.authtoken.models import Token

from core.services.users import user_set_blocked


def test_manager_blocks_a_user_and_their_tokens_go(owner, manager):
    Token.objects.create(user=owner)
    user_set_blocked(user=owner, blocked=True, by=manager)
    assert not owner.is_active
    assert not Token.objects.filter(user=owner).exists()
    user_set_blocked(user=owner, blocked=False, by=manager)
    assert owner.is_active


def test_manager_cannot_block_an_admin_or_themselves(manager, admin_user):
    with pytest.raises(PermissionDenied):
        user_set_blocked(user=admin_user, blocked=True, by=manager)
    with pytest.raises(PermissionDenied):
        user_set_blocked(user=manager, blocked=True, by=manager)
    admin_user.refresh_from_db()
    assert admin_user.is_active and manager.is_active


def test_plain_user_cannot_block_anyone(owner, other_user):
    with pytest.raises(PermissionDenied):
        user_set_blocked(user=other_user, blocked=True, by=owner)
    other_user.refresh_from_db()
    assert other_user.is_active


def test_admin_blocks_a_manager(manager, admin_user):
    user_set_blocked(user=manager, blocked=True, by=admin_user)
    assert not manager.is_active
