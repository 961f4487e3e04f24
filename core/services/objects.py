"""Writes that carry rules."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, RestrictedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from core.models import Attempt, Client, Mailing, MailingRecipient, Message
from core.selectors import can_change
from core.services.mailings import refresh_status, withdraw_removed_recipients


class ObjectInUse(ValidationError):
    """The object is still used by mailings and was not deleted."""


@dataclass
class Usage:
    """The mailings that keep a client or message from being deleted: those
    that list the client or send the message (`listing`), and those whose
    history holds the client's sends (`history`, not also in `listing`)."""

    listing: list[Mailing] = field(default_factory=list)
    history: list[Mailing] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.listing or self.history)


def client_in_use():
    """An annotation for a client queryset: whether a mailing keeps the client
    from being deleted (it lists the client, or its history holds the client's sends)."""
    return Exists(MailingRecipient.objects.filter(client=OuterRef("pk"))) | Exists(
        Attempt.objects.filter(client=OuterRef("pk"))
    )


def mark_clients_in_use(clients: list[Client]) -> list[Client]:
    """Set `in_use` (as `client_in_use`) on a page of clients, asked for those
    ids only: annotated on a whole owner's clients before the page is cut, the
    database weighs the test for all of them (100,000 clients: a scan of every
    mailing's recipients for a page of 25)."""
    used = dict(
        Client.objects.filter(pk__in=[client.pk for client in clients])
        .annotate(in_use=client_in_use())
        .values_list("pk", "in_use")
    )
    for client in clients:
        client.in_use = used.get(client.pk, False)
    return clients


def message_in_use():
    """An annotation for a message queryset: whether a mailing sends it."""
    return Exists(Mailing.objects.filter(message=OuterRef("pk")))


def _mailings(ids) -> list[Mailing]:
    return list(Mailing.objects.filter(pk__in=ids).select_related("message").order_by("pk"))


def client_usage(client: Client) -> Usage:
    listing = _mailings(client.recipient_of.values("mailing_id"))
    history = _mailings(client.attempts.exclude(mailing__in=[m.pk for m in listing]).values("mailing_id").distinct())
    return Usage(listing=listing, history=history)


def message_usage(message: Message) -> Usage:
    return Usage(listing=_mailings(message.mailings.values("pk")))


def client_remove_from_mailings(*, client: Client, by) -> list[Mailing]:
    """Take a client off every mailing that lists it (its user or an admin):
    the client receives nothing more from them, and its sends not made yet
    are skipped. Its history stays. Returns the mailings it was taken off."""
    if not can_change(by, client):
        raise PermissionDenied(_("You may not change this client."))
    with transaction.atomic():
        mailings = list(Mailing.objects.select_for_update().filter(recipients__client=client).order_by("pk"))
        MailingRecipient.objects.filter(client=client, mailing__in=mailings).delete()
        for mailing in mailings:
            withdraw_removed_recipients(mailing)
            refresh_status(mailing)  # a run left with nothing to send has ended
    return mailings


def in_use_by(mailing_ids, refusal, *, code: str) -> ObjectInUse:
    """A delete refused because of these mailings, which it names: the first five by id, "…" when
    there are more. `refusal`: `ngettext_lazy(one, many, "count")` saying `%(mailings)s`."""
    ids = set(mailing_ids)
    mailings = Mailing.objects.filter(pk__in=ids).select_related("message").order_by("pk")
    names = ", ".join(str(m) for m in mailings[:5]) + ("…" if len(ids) > 5 else "")
    return ObjectInUse(refusal % {"count": len(ids), "mailings": names}, code=code)


def delete_unless_used(obj, *, refusal: str, code: str) -> None:
    """Delete what no mailing uses any more; one that took it up meanwhile (the database's
    RESTRICT) refuses the delete with `refusal`."""
    with transaction.atomic():
        try:
            obj.delete()
        except RestrictedError:
            raise ObjectInUse(refusal, code=code) from None


def client_delete(*, client: Client) -> None:
    """Delete a client, refusing while a mailing lists it or its attempts are
    kept in a mailing's history (the history would lose its recipient)."""
    mailing_ids = set(client.recipient_of.values_list("mailing_id", flat=True))
    if mailing_ids:
        raise in_use_by(
            mailing_ids,
            ngettext_lazy(
                "This client is used by the mailing %(mailings)s. Remove the client from it (or delete it) first.",
                "This client is used by the mailings %(mailings)s. Remove the client from them (or delete them) first.",
                "count",
            ),
            code="client_in_use",
        )
    mailing_ids = set(client.attempts.values_list("mailing_id", flat=True).distinct())
    if mailing_ids:
        raise in_use_by(
            mailing_ids,
            ngettext_lazy(
                "This client's sends are kept in the history of the mailing %(mailings)s. Delete that mailing first.",
                "This client's sends are kept in the history of the mailings %(mailings)s. "
                "Delete those mailings first.",
                "count",
            ),
            code="client_in_use",
        )
    delete_unless_used(client, refusal=_("This client is used by a mailing."), code="client_in_use")


def message_delete(*, message: Message) -> None:
    """Delete a message, refusing while any mailing sends it."""
    mailing_ids = list(message.mailings.values_list("pk", flat=True))
    if mailing_ids:
        raise in_use_by(
            mailing_ids,
            ngettext_lazy(
                "This message is sent by the mailing %(mailings)s. "
                "Delete that mailing or give it another message first.",
                "This message is sent by the mailings %(mailings)s. "
                "Delete those mailings or give them another message first.",
                "count",
            ),
            code="message_in_use",
        )
    delete_unless_used(message, refusal=_("This message is sent by a mailing."), code="message_in_use")
