"""Writes that carry rules."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import RestrictedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.models import Client, Mailing, Message


class ObjectInUse(ValidationError):
    """The object is still used by mailings and was not deleted."""


def _mailing_names(mailing_ids) -> str:
    mailings = Mailing.objects.filter(pk__in=set(mailing_ids)).select_related("message").order_by("pk")
    return ", ".join(str(m) for m in mailings[:5]) + ("…" if len(set(mailing_ids)) > 5 else "")


def client_delete(*, client: Client) -> None:
    """Delete a client, refusing while a mailing lists it or its attempts are
    kept in a mailing's history (the history would lose its recipient)."""
    mailing_ids = set(client.recipient_of.values_list("mailing_id", flat=True))
    mailing_ids |= set(client.attempts.values_list("mailing_id", flat=True).distinct())
    if mailing_ids:
        raise ObjectInUse(
            ngettext(
                "This client is used by the mailing %(mailings)s. Remove the client from it (or delete it) first.",
                "This client is used by the mailings %(mailings)s. Remove the client from them (or delete them) first.",
                len(mailing_ids),
            )
            % {"mailings": _mailing_names(mailing_ids)},
            code="client_in_use",
        )
    with transaction.atomic():
        try:
            client.delete()
        except RestrictedError:  # a mailing picked the client up meanwhile
            raise ObjectInUse(_("This client is used by a mailing."), code="client_in_use") from None


def message_delete(*, message: Message) -> None:
    """Delete a message, refusing while any mailing sends it."""
    mailing_ids = list(message.mailings.values_list("pk", flat=True))
    if mailing_ids:
        raise ObjectInUse(
            ngettext(
                "This message is sent by the mailing %(mailings)s. "
                "Delete that mailing or give it another message first.",
                "This message is sent by the mailings %(mailings)s. "
                "Delete those mailings or give them another message first.",
                len(mailing_ids),
            )
            % {"mailings": _mailing_names(mailing_ids)},
            code="message_in_use",
        )
    with transaction.atomic():
        try:
            message.delete()
        except RestrictedError:
            raise ObjectInUse(_("This message is sent by a mailing."), code="message_in_use") from None
