"""Reading an uploaded client list: bytes → rows with line numbers, or one clear
message about why the file cannot be read at all."""

import csv
import io

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from core.services.clients import IMPORT_COLUMNS, ImportRow

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20000
# Room in a request's body for the multipart framing and the other fields.
_FORM_OVERHEAD = 64 * 1024


def _refuse(message: str):
    raise ValidationError({"file": [message]})


def _too_large():
    _refuse(_("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)})


def refuse_oversized_request(request) -> None:
    """Refuse an upload by the size its request announces, before its body is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BYTES + _FORM_OVERHEAD:
        _too_large()


def read_rows(upload) -> list[ImportRow]:
    if upload.size > MAX_BYTES:
        _too_large()
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        _refuse(_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."))
    # Records are read one at a time and counted: a file of a million empty
    # lines is refused at the limit, not parsed whole first.
    records = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(records, None)
        if header is None:
            _refuse(_("The file is empty."))
        if [name.strip().lower() for name in header] != list(IMPORT_COLUMNS):
            _refuse(_("The first line must be the header: %(columns)s.") % {"columns": ",".join(IMPORT_COLUMNS)})
        rows = []
        for line, record in enumerate(records, start=2):
            if line - 1 > MAX_ROWS:
                _refuse(_("The file has more than %(count)d rows; split it.") % {"count": MAX_ROWS})
            if any(cell.strip() for cell in record):
                rows.append(_row(line, record))
    except csv.Error as exc:
        _refuse(_("The file is not valid CSV: %(reason)s.") % {"reason": exc})
    return rows


def _row(line: int, record: list[str]) -> ImportRow:
    cells = [cell.strip() for cell in record]
    row = ImportRow(line=line, email="", full_name="", comment="")
    if len(cells) != len(IMPORT_COLUMNS):
        row.errors.append(
            _("Expected %(expected)d columns, found %(found)d.")
            % {"expected": len(IMPORT_COLUMNS), "found": len(cells)}
        )
        cells = [*cells, "", "", ""][: len(IMPORT_COLUMNS)]
    row.email, row.full_name, row.comment = cells
    return row
