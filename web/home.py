"""The home page's figures, cached.

Figures are cached per plain user (their own numbers) and once site-wide (for
visitors and managers), each under a version token. Saving or deleting a
mailing or a client replaces its owner's token and the site-wide one
(web.signals), so the next request computes fresh numbers under a new key; a
request that read the old rows meanwhile can only write under the old,
abandoned key. An entry also ends when the next mailing comes due (it turns
active by time alone). The three posts come
from the blog's own cached pool (blog.selectors.home_posts).
"""

import math
import uuid

from django.core.cache import cache
from django.utils import timezone

from core.selectors import home_figures, sees_all_mailings

# Safety net for writes that bypass signals (queryset.update, bulk_create): the
# dispatch cron job's own interval.
FIGURES_SECONDS = 60

SITE = "site"


def _version_key(scope: str) -> str:
    return f"home:version:{scope}"


def _version(scope: str) -> str:
    key = _version_key(scope)
    token = cache.get(key)
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(key, token, timeout=None):
            token = cache.get(key, token)
    return token


def bump(*scopes: str) -> None:
    """Make the cached entries of these scopes stale (a scope is SITE or a user id)."""
    cache.set_many({_version_key(str(scope)): uuid.uuid4().hex for scope in scopes}, timeout=None)


def figures_scope(user) -> str:
    """Whose numbers the user sees: their own id (plain users) or SITE."""
    if user.is_authenticated and not sees_all_mailings(user):
        return str(user.pk)
    return SITE


def cached_home_figures(user) -> tuple[dict[str, int], bool]:
    """(figures, own): the user's own numbers for a plain user, site-wide otherwise."""
    scope = figures_scope(user)
    key = f"home:figures:{scope}:{_version(scope)}"
    figures = cache.get(key)
    if figures is None:
        now = timezone.now()
        figures = home_figures(None if scope == SITE else user, now=now)
        seconds = FIGURES_SECONDS
        if figures["next_due_at"] is not None:
            seconds = max(1, min(seconds, math.ceil((figures["next_due_at"] - now).total_seconds())))
        cache.set(key, figures, seconds)
    return figures, scope != SITE
