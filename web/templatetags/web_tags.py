from django import template

from web import dispatcher

register = template.Library()

# Bootstrap colour of each Django message level; text-bg-* keeps the text readable.
TOAST_CLASSES = {"debug": "secondary", "info": "info", "success": "success", "warning": "warning", "error": "danger"}


@register.filter
def toast_class(level_tag: str) -> str:
    return TOAST_CLASSES.get(level_tag, "info")


@register.inclusion_tag("web/_dispatcher_notice.html", takes_context=True)
def dispatcher_notice(context):
    """A warning for staff and managers when the dispatcher has stopped; nobody
    else pays for the look-up."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not dispatcher.watches_dispatcher(user) or not dispatcher.is_stalled():
        return {"stalled": False}
    return {"stalled": True, "last_success": dispatcher.last_success()}
