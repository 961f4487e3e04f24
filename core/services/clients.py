"""Client writes that carry rules: importing a list all or nothing (optionally
updating the clients already there and putting everyone on one of the owner's
lists), deleting many at once (those in use refused and named)."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.cache import owners_changed
from core.models import Client, ClientList, ListMember, User
from core.models.clients import DUPLICATE_EMAIL
from core.services.lists import list_add_clients
from core.services.objects import ObjectInUse, client_in_use

IMPORT_COLUMNS = ("email", "full_name", "comment")
_MAX_LENGTHS = {"email": 254, "full_name": 255}


@dataclass
class ImportRow:
    line: int
    email: str
    full_name: str
    comment: str
    errors: list[str] = field(default_factory=list)
    # The owner's client with this email, whose name and comment the row updates.
    existing: int | None = None


@dataclass
class ImportResult:
    """What an import did (or, previewed, would do): clients created, existing
    ones updated, and clients put on the list that were not on it yet."""

    rows: list[ImportRow]
    saved: bool = False
    created: int = 0
    updated: int = 0
    listed: int = 0

    @property
    def errors(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]


def _check_row(row: ImportRow) -> None:
    if not row.email:
        row.errors.append(_("The email is missing."))
    else:
        try:
            validate_email(row.email)
        except ValidationError:
            row.errors.append(_("“%(email)s” is not a valid email address.") % {"email": row.email[:80]})
    if not row.full_name:
        row.errors.append(_("The full name is missing."))
    for name, limit in _MAX_LENGTHS.items():
        if len(getattr(row, name)) > limit:
            row.errors.append(
                _("The %(column)s is longer than %(limit)d characters.") % {"column": name, "limit": limit}
            )
    if any("\x00" in value for value in (row.email, row.full_name, row.comment)):
        row.errors.append(_("The row contains a null character."))


def clients_import(
    *,
    owner: User,
    rows: list[ImportRow],
    save: bool = True,
    update_existing: bool = False,
    client_list: ClientList | None = None,
) -> ImportResult:
    """Check every row (valid address, lengths, no duplicates within the file
    and, case-insensitively, none against the owner's clients — or, with
    `update_existing`, such a row updates that client's name and comment) and,
    when all are fine and `save` is set, write them together; every client the
    file names (created or updated) ends on `client_list`, one of the owner's
    lists. One bad row saves nothing."""
    if client_list is not None and client_list.owner_id != owner.pk:
        raise ValidationError({"list": _("Choose one of your lists.")}, code="not_own")
    existing = {email.lower(): pk for pk, email in Client.objects.filter(owner=owner).values_list("pk", "email")}
    first_line: dict[str, int] = {}
    for row in rows:
        _check_row(row)
        key = row.email.lower()
        if not key:
            continue
        if key in first_line:
            row.errors.append(_("Duplicate of line %(line)d.") % {"line": first_line[key]})
            continue
        first_line[key] = row.line
        if key in existing:
            if update_existing:
                row.existing = existing[key]
            else:
                row.errors.append(str(DUPLICATE_EMAIL))
    result = ImportResult(rows=rows)
    updates = {row.existing: row for row in rows if row.existing is not None}
    result.updated = len(updates)
    result.created = len(rows) - result.updated
    if client_list is not None:
        on_list = ListMember.objects.filter(client_list=client_list, client__in=list(updates))
        result.listed = len(rows) - on_list.count()
    if result.errors or not save or not rows:
        return result
    try:
        with transaction.atomic():
            created = Client.objects.bulk_create(
                [
                    Client(owner=owner, email=r.email, full_name=r.full_name, comment=r.comment)
                    for r in rows
                    if r.existing is None
                ],
                batch_size=1000,
            )
            clients = list(Client.objects.select_for_update().filter(owner=owner, pk__in=list(updates)))
            if len(clients) != len(updates):
                raise ValidationError(_("A client this file updates was deleted meanwhile; nothing was imported."))
            now = timezone.now()
            for client in clients:
                client.full_name, client.comment = updates[client.pk].full_name, updates[client.pk].comment
                client.updated_at = now
            Client.objects.bulk_update(clients, ["full_name", "comment", "updated_at"], batch_size=1000)
            if client_list is not None:
                ids = [client.pk for client in created] + list(updates)
                result.listed = list_add_clients(client_list=client_list, client_ids=ids)
    except IntegrityError:  # a client with one of these emails was added meanwhile
        raise ValidationError(
            _("A client with one of these emails was added meanwhile; nothing was imported.")
        ) from None
    owners_changed([owner.pk])
    result.saved = True
    return result


@dataclass
class BulkDeletion:
    """What a bulk delete did: how many were deleted, and the clients refused
    because a mailing lists them or keeps them in its history."""

    deleted: int
    refused: list[Client]


def clients_delete(*, clients: QuerySet[Client]) -> BulkDeletion:
    """Delete the given clients in one transaction, except those a mailing
    still lists or keeps in its history (refused and returned, as one client's
    delete is refused); the rest go with their list memberships."""
    in_use = Q(client_in_use())
    with transaction.atomic():
        refused = list(clients.filter(in_use).order_by("email", "pk"))
        free = clients.exclude(in_use)
        owners = set(free.order_by().values_list("owner_id", flat=True).distinct())
        try:
            _total, per_model = Client.objects.filter(pk__in=free.values("pk")).delete()
        except RestrictedError:  # a mailing picked one up meanwhile: nothing is deleted
            raise ObjectInUse(
                _("A mailing picked one of these clients up meanwhile; nothing was deleted."), code="client_in_use"
            ) from None
        owners_changed(owners)
    return BulkDeletion(deleted=per_model.get(Client._meta.label, 0), refused=refused)
