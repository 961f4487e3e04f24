"""The home page's figures, cached.

A plain user's figures are their own, kept under their owner version; those
of visitors and managers are site-wide, kept under the version of everyone's
data (`core.cache`: the code that writes a mailing or a client moves them on
once it commits). An entry also ends when the next mailing comes due (it
turns active by time alone). The three posts come from the blog's own cached
pool (blog.selectors.home_posts).
"""

import math

from django.utils import timezone

from core.cache import ALL_OWNERS, keep, lookup, owner_version
from core.selectors import home_figures, sees_all_mailings

# A backstop for changes no code reports (a manual SQL session): the dispatch cron job's own interval.
FIGURES_SECONDS = 60


def cached_home_figures(user) -> tuple[dict[str, int], bool]:
    """(figures, own): the user's own numbers for a plain user, site-wide otherwise."""
    own = user.is_authenticated and not sees_all_mailings(user)
    key, names = (f"home:figures:{user.pk}", (owner_version(user.pk),)) if own else ("home:figures:site", (ALL_OWNERS,))
    now = timezone.now()
    stamp, figures = lookup(key, names)
    # Not past the next mailing's coming due, whatever the cache's own expiry says.
    if figures is None or (figures["next_due_at"] is not None and figures["next_due_at"] <= now):
        figures = home_figures(user if own else None, now=now)
        seconds = FIGURES_SECONDS
        if figures["next_due_at"] is not None:
            seconds = max(1, min(seconds, math.ceil((figures["next_due_at"] - now).total_seconds())))
        keep(key, stamp, figures, seconds)
    return figures, own
