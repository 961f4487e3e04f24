"""List writes that carry rules: membership is the owner's own clients only,
added and removed all or nothing; a list a mailing targets is not deleted."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from core.cache import owners_changed
from core.models import Client, ClientList, ClientMatch, ListMember
from core.services.objects import delete_unless_used, in_use_by


def _own_clients(client_list: ClientList, client_ids: Iterable[int] | None, clients: QuerySet[Client] | None):
    """The clients chosen by id or by a queryset, all of them the list owner's;
    else a field error and nothing done."""
    if clients is None:
        wanted = {int(pk) for pk in client_ids or ()}
        if not wanted:
            raise ValidationError({"clients": _("Choose at least one client.")}, code="empty")
        found = set(Client.objects.filter(owner=client_list.owner_id, pk__in=wanted).values_list("pk", flat=True))
        missing = sorted(wanted - found)
        clients = Client.objects.filter(pk__in=found)
    else:
        missing = list(clients.exclude(owner=client_list.owner_id).order_by("pk").values_list("pk", flat=True)[:11])
    if missing:
        raise ValidationError(
            {
                "clients": ngettext(
                    "Choose only your own clients: %(ids)s is not one of them.",
                    "Choose only your own clients: %(ids)s are not among them.",
                    len(missing),
                )
                % {"ids": ", ".join(str(pk) for pk in missing[:10]) + ("…" if len(missing) > 10 else "")}
            },
            code="not_own",
        )
    return clients


@transaction.atomic
def list_add_clients(
    *,
    client_list: ClientList,
    client_ids: Iterable[int] | None = None,
    clients: QuerySet[Client] | None = None,
    matching: ClientMatch | None = None,
) -> int:
    """Put the owner's clients (`client_ids`, or the queryset `clients`, and
    whoever the filter `matching` finds among them: the union) on the list;
    those already on it stay as they are. Returns how many were added."""
    client_ids = list(client_ids or ())
    if matching is None or client_ids or clients is not None:
        chosen = _own_clients(client_list, client_ids, clients)
    else:
        chosen = Client.objects.none()
    if matching is not None:
        if matching.client_list is not None and matching.client_list.owner_id != client_list.owner_id:
            raise ValidationError({"clients_matching": _("Choose one of your own lists.")}, code="not_own")
        found = matching.clients(client_list.owner_id).values("pk")
        chosen = Client.objects.filter(Q(pk__in=chosen.values("pk")) | Q(pk__in=found))
    members = ListMember.objects.filter(client_list=client_list)
    before = members.count()
    ids = chosen.exclude(list_memberships__client_list=client_list).order_by("pk").values_list("pk", flat=True)
    ListMember.objects.bulk_create(
        (ListMember(client_list=client_list, client_id=pk) for pk in ids.iterator(chunk_size=2000)),
        batch_size=1000,
        ignore_conflicts=True,
    )
    owners_changed([client_list.owner_id])
    return members.count() - before


@transaction.atomic
def list_remove_clients(
    *, client_list: ClientList, client_ids: Iterable[int] | None = None, clients: QuerySet[Client] | None = None
) -> int:
    """Take the owner's clients (`client_ids`, or the queryset `clients`) off
    the list. Runs already planned keep their attempts: only the next runs miss
    them. Returns how many were removed."""
    chosen = _own_clients(client_list, client_ids, clients)
    removed, _details = ListMember.objects.filter(client_list=client_list, client__in=chosen.values("pk")).delete()
    owners_changed([client_list.owner_id])
    return removed


def list_delete(*, client_list: ClientList) -> None:
    """Delete a list (its clients stay), refusing while a mailing targets it."""
    mailing_ids = list(client_list.targeted_by.values_list("mailing_id", flat=True))
    if mailing_ids:
        raise in_use_by(
            mailing_ids,
            ngettext_lazy(
                "The mailing %(mailings)s is sent to this list. Take the list off it (or delete it) first.",
                "The mailings %(mailings)s are sent to this list. Take the list off them (or delete them) first.",
                "count",
            ),
            code="list_in_use",
        )
    delete_unless_used(client_list, refusal=_("A mailing is sent to this list."), code="list_in_use")
