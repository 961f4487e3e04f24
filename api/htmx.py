"""Client events our pages listen to (static/js/app.js), for htmx answers.

`toast(response, _("Client saved."))` shows a Bootstrap toast (`showToast`
event with `{level, message}`); `close_modal(response)` closes the open modal
(`closeModal` event) — e.g. after a create/edit form in `web/_modal.html` saved.
Full page loads show Django's messages as toasts instead (templates/base.html).
"""

import json

from django.http import HttpResponse
from django_htmx.http import trigger_client_event

TOAST_EVENT = "showToast"
CLOSE_MODAL_EVENT = "closeModal"
LEVELS = ("debug", "info", "success", "warning", "error")


def is_htmx(request) -> bool:
    """The request was made by htmx: the one test (django-htmx's middleware,
    which would set `request.htmx`, is not installed)."""
    return request.headers.get("HX-Request") == "true"


def toast_item(message: str, level: str = "success") -> dict:
    """The `showToast` event's detail for one toast."""
    if level not in LEVELS:
        raise ValueError(f"toast level must be one of {LEVELS}, not {level!r}")
    return {"level": level, "message": str(message)}


def toast(response: HttpResponse, message: str, level: str = "success") -> HttpResponse:
    """Add a toast to an htmx response; several calls show several toasts."""
    item = toast_item(message, level)
    earlier = json.loads(response.get("HX-Trigger", "{}")).get(TOAST_EVENT, [])
    detail = [*(earlier if isinstance(earlier, list) else [earlier]), item]
    detail = detail[0] if len(detail) == 1 else detail
    return trigger_client_event(response, TOAST_EVENT, detail)


def close_modal(response: HttpResponse) -> HttpResponse:
    return trigger_client_event(response, CLOSE_MODAL_EVENT, {})
