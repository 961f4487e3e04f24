from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from web import dispatcher

register = template.Library()

# Bootstrap colour of each Django message level; text-bg-* keeps the text readable.
TOAST_CLASSES = {"debug": "secondary", "info": "info", "success": "success", "warning": "warning", "error": "danger"}


@register.filter
def toast_class(level_tag: str) -> str:
    return TOAST_CLASSES.get(level_tag, "info")


@register.inclusion_tag("web/_dispatcher_notice.html", takes_context=True)
def dispatcher_notice(context):
    """Warnings for staff and managers when the dispatcher has stopped or the
    site's own emails are stuck; nobody else pays for the look-ups."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not dispatcher.watches_dispatcher(user):
        return {"stalled": False}
    stalled = dispatcher.is_stalled()
    return {
        "stalled": stalled,
        "last_success": dispatcher.last_success() if stalled else None,
        "outbox": dispatcher.outbox_trouble(),
    }


# The navbar's sections by role: (label, URL name, permission needed or None).
NAV_SECTIONS = [
    (_("Mailings"), "mailings", None),
    (_("Clients"), "clients", None),
    (_("Lists"), "lists", None),
    (_("Messages"), "messages", None),
    (_("Reports"), "reports", None),
    (_("All mailings"), "manager-mailings", "core.view_all_mailings"),
    (_("Users"), "manage-users", "core.view_all_users"),
    # The blog editor comes with the blog (issue 7); linked once its page exists.
    (_("Blog editor"), "blog:manage", "blog.change_post"),
]


@register.inclusion_tag("web/_nav_sections.html", takes_context=True)
def nav_sections(context):
    """The sections the user may open, the current one marked."""
    request = context.get("request")
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    here = match.view_name if match else None
    links = []
    if user is not None and user.is_authenticated:
        for label, name, permission in NAV_SECTIONS:
            if permission and not user.has_perm(permission):
                continue
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            links.append({"label": label, "url": url, "current": name == here})
    return {"links": links}
