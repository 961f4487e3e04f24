"""Client writes that carry rules: importing a list all or nothing, deleting
many at once (those in use refused and named)."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, RestrictedError
from django.utils.translation import gettext as _

from core.cache import owners_changed
from core.models import Client, User
from core.models.clients import DUPLICATE_EMAIL
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


@dataclass
class ImportResult:
    rows: list[ImportRow]
    saved: bool = False

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


def clients_import(*, owner: User, rows: list[ImportRow], save: bool = True) -> ImportResult:
    """Check every row (valid address, lengths, no duplicates within the list or
    against the owner's clients, case-insensitively) and, when all are fine and
    `save` is set, create them together. One bad row saves nothing."""
    existing = {email.lower() for email in Client.objects.filter(owner=owner).values_list("email", flat=True)}
    first_line: dict[str, int] = {}
    for row in rows:
        _check_row(row)
        key = row.email.lower()
        if not key:
            continue
        if key in existing:
            row.errors.append(str(DUPLICATE_EMAIL))
        elif key in first_line:
            row.errors.append(_("Duplicate of line %(line)d.") % {"line": first_line[key]})
        else:
            first_line[key] = row.line
    result = ImportResult(rows=rows)
    if result.errors or not save or not rows:
        return result
    try:
        with transaction.atomic():
            Client.objects.bulk_create(
                [Client(owner=owner, email=r.email, full_name=r.full_name, comment=r.comment) for r in rows],
                batch_size=1000,
            )
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
