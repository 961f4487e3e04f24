"""Renderers of the two faces: JSON for API clients, the HTML fragment for htmx
requests and CSV for exports."""

import csv
import io

from drf_spectacular.utils import OpenApiParameter
from rest_framework.renderers import BaseRenderer
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

# Cells a spreadsheet would run as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class JSONRenderer(DRFJSONRenderer):
    """DRF's JSON, UTF-8. A message that names what a client sent (an unknown
    field, an invalid choice) may hold a lone surrogate from a JSON `\\ud800`
    escape, which has no UTF-8 form: such an answer is written with every
    non-ASCII character escaped, the way the client sent it."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return _EscapedJSONRenderer().render(data, accepted_media_type, renderer_context)


class _EscapedJSONRenderer(DRFJSONRenderer):
    ensure_ascii = True


class FragmentRenderer(BaseRenderer):
    """Renders the `api.fragments.Fragment` an htmx answer carries."""

    media_type = "text/html"
    format = "fragment"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        html = data.render(renderer_context["request"]._request)
        # What a user sent is shown back in a refused form; a lone surrogate from a
        # JSON `\ud800` escape has no UTF-8 form and is shown as "?".
        return html.encode(self.charset, errors="replace")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


# `?bom=1`: the file starts with a UTF-8 byte order mark, without which Excel
# reads UTF-8 as the local code page and garbles every non-Latin letter.
BOM_PARAMETER = OpenApiParameter(
    "bom", bool, description="Start the file with a UTF-8 byte order mark (for Microsoft Excel)."
)


class CSVRenderer(BaseRenderer):
    """A list of rows as CSV with the view's `csv_columns` as header; an error
    body as `field,message` lines; a byte order mark first with `?bom=1`."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        out = io.StringIO()
        if renderer_context["request"].query_params.get("bom") in {"1", "true"}:
            out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        if isinstance(data, list):
            columns = renderer_context["view"].csv_columns
            writer.writerow(columns)
            writer.writerows([_cell(row.get(name)) for name in columns] for row in data)
        else:
            writer.writerow(["field", "message"])
            for name, messages in (data or {}).items():
                for message in messages if isinstance(messages, list) else [messages]:
                    writer.writerow([name, _cell(message)])
        return out.getvalue().encode(self.charset)
