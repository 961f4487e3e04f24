"""Single saves and deletes say what they changed (`core.cache`): the
objects an owner keeps, the users and their roles. Connected in
`CoreConfig.ready`. Bulk writes (queryset updates, bulk creates, the
dispatcher's own SQL) say it where they are made."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from core.cache import owners_changed, roles_changed, users_changed
from core.models import Client, ClientList, Mailing, Message, MessageImage, User

# What others see of a user as an owner (managers' lists, reports' days) and whether their mailings send.
OWNER_FIELDS = frozenset({"email", "full_name", "time_zone", "is_active"})


def owned_object_changed(sender, instance, using=None, **kwargs):
    owners_changed([instance.owner_id], using=using)


def mailing_recipients_changed(sender, instance, action, using=None, **kwargs):
    if action.startswith("post_"):
        owners_changed([instance.owner_id], using=using)  # a mailing's, or a client's from its side


def user_saved(sender, instance, created, update_fields=None, using=None, **kwargs):
    users_changed([instance.pk], using=using)
    if created or update_fields is None or OWNER_FIELDS & set(update_fields):
        owners_changed([instance.pk], using=using)


def user_deleted(sender, instance, using=None, **kwargs):
    # A deleted user's id may be given again (SQLite).
    users_changed([instance.pk], using=using)
    owners_changed([instance.pk], using=using)


def image_deleted(sender, instance, **kwargs):
    """An image's file goes with it (one deleted, or all of a deleted user's), once that is committed."""
    name, storage = instance.file.name, instance.file.storage
    transaction.on_commit(lambda: storage.delete(name))


def memberships_changed(sender, instance, action, pk_set=None, using=None, **kwargs):
    """A user's groups or own permissions: that user; seen from the group or
    permission's side, the users named (all of them when cleared)."""
    if not action.startswith("post_"):
        return
    if isinstance(instance, User):
        users_changed([instance.pk], using=using)
    elif pk_set:
        users_changed(pk_set, using=using)
    else:
        roles_changed(using=using)


def role_changed(sender, using=None, **kwargs):
    roles_changed(using=using)


def connect() -> None:
    for model in (Client, ClientList, Message, Mailing):
        post_save.connect(owned_object_changed, sender=model, dispatch_uid=f"owned-saved-{model.__name__}")
        post_delete.connect(owned_object_changed, sender=model, dispatch_uid=f"owned-deleted-{model.__name__}")
    m2m_changed.connect(mailing_recipients_changed, sender=Mailing.clients.through, dispatch_uid="mailing-recipients")
    m2m_changed.connect(mailing_recipients_changed, sender=Mailing.lists.through, dispatch_uid="mailing-lists")
    m2m_changed.connect(mailing_recipients_changed, sender=ClientList.clients.through, dispatch_uid="list-members")
    post_save.connect(user_saved, sender=User, dispatch_uid="user-saved")
    post_delete.connect(user_deleted, sender=User, dispatch_uid="user-deleted")
    post_delete.connect(image_deleted, sender=MessageImage, dispatch_uid="image-deleted")
    for through in (User.groups.through, User.user_permissions.through):
        m2m_changed.connect(memberships_changed, sender=through, dispatch_uid=f"memberships-{through.__name__}")
    m2m_changed.connect(role_changed, sender=Group.permissions.through, dispatch_uid="role-permissions")
    for model in (Group, Permission):
        post_save.connect(role_changed, sender=model, dispatch_uid=f"role-saved-{model.__name__}")
        post_delete.connect(role_changed, sender=model, dispatch_uid=f"role-deleted-{model.__name__}")
