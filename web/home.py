"""The home page's figures and posts, cached.

Figures are cached per plain user (their own numbers) and once site-wide (for
visitors and managers), each under a version token. Saving or deleting a
mailing or a client replaces its owner's token and the site-wide one
(web.signals), so the next request computes fresh numbers under a new key; a
request that read the old rows meanwhile can only write under the old,
abandoned key. The posts come from a cached pool of published posts that a
post change replaces the same way.
"""

import random
import uuid

from django.core.cache import cache
from django.utils import timezone

from blog.models import Post
from core.selectors import home_figures, sees_all_mailings

# Safety net for writes that bypass signals (queryset.update, bulk_create).
FIGURES_SECONDS = 300
POSTS_SECONDS = 600
# The home page picks its random posts from the newest this many.
POSTS_POOL_SIZE = 50

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
        figures = home_figures(None if scope == SITE else user)
        cache.set(key, figures, FIGURES_SECONDS)
    return figures, scope != SITE


def home_posts(count: int = 3) -> list[Post]:
    """`count` random published posts (fewer if the blog has fewer) from the cached pool."""
    key = f"home:posts:{_version('posts')}"
    pool = cache.get(key)
    if pool is None:
        now = timezone.now()
        pool = list(Post.objects.published().only("title", "slug", "excerpt", "published_at")[:POSTS_POOL_SIZE])
        # A post scheduled for later must appear when its time comes, not when the pool expires.
        upcoming = Post.objects.filter(is_published=True, published_at__gt=now).order_by("published_at").first()
        seconds = POSTS_SECONDS
        if upcoming is not None:
            seconds = max(1, min(seconds, int((upcoming.published_at - now).total_seconds()) + 1))
        cache.set(key, pool, seconds)
    return random.sample(pool, min(count, len(pool)))
