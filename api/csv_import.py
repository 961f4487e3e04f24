"""Reading an uploaded client list: bytes → rows with line numbers, or one clear
message about why the file cannot be read at all."""

import csv
import io

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from core.services.clients import IMPORT_COLUMNS, ImportRow

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20000


def _refuse(message: str):
    raise ValidationError({"file": [message]})


def read_rows(upload) -> list[ImportRow]:
    if upload.size > MAX_BYTES:
        _refuse(_("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)})
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        _refuse(_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."))
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        _refuse(_("The file is not valid CSV: %(reason)s.") % {"reason": exc})
    if not records:
        _refuse(_("The file is empty."))
    header = [name.strip().lower() for name in records[0]]
    if header != list(IMPORT_COLUMNS):
        _refuse(_("The first line must be the header: %(columns)s.") % {"columns": ",".join(IMPORT_COLUMNS)})
    if len(records) - 1 > MAX_ROWS:
        _refuse(_("The file has more than %(count)d rows; split it.") % {"count": MAX_ROWS})
    rows = []
    for line, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = [cell.strip() for cell in record]
        row = ImportRow(line=line, email="", full_name="", comment="")
        if len(cells) != len(IMPORT_COLUMNS):
            row.errors.append(
                _("Expected %(expected)d columns, found %(found)d.")
                % {"expected": len(IMPORT_COLUMNS), "found": len(cells)}
            )
            cells = [*cells, "", "", ""][: len(IMPORT_COLUMNS)]
        row.email, row.full_name, row.comment = cells
        rows.append(row)
    return rows
