"""Who may read and edit which posts, and the posts the home page shows.

Published posts are public. A draft (or a post scheduled for later) is seen
only by its author and by admins; to everyone else it does not exist (404).
Content managers edit their own posts; admins edit every post.
"""

import random
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from blog.models import Post

# The blog's version: every change to the posts replaces it once it commits, and
# the pool is kept under the version it was read under (the blog stands alone:
# this is its own small use of the cache, not the service's core.cache).
VERSION_KEY = "blog:version"
# The home page picks its random posts from the newest this many.
HOME_POOL_SIZE = 100


def posts_readable_by(user) -> QuerySet[Post]:
    if user.is_superuser:
        return Post.objects.all()
    if user.is_authenticated:
        return Post.objects.filter(Q(is_published=True, published_at__lte=timezone.now()) | Q(author=user))
    return Post.objects.published()


def posts_editable_by(user) -> QuerySet[Post]:
    if user.is_superuser:
        return Post.objects.all()
    if user.is_authenticated and user.has_perm("blog.change_post"):
        return Post.objects.filter(author=user)
    return Post.objects.none()


def home_posts(count: int = 3) -> list[Post]:
    """`count` random published posts (fewer if the blog has fewer), drawn from
    a cached pool so the home page costs no query; saving or deleting a post
    makes a new one (`posts_changed`, from blog.signals)."""
    version = cache.get_or_set(VERSION_KEY, lambda: uuid.uuid4().hex, None)
    key = f"blog:home-pool:{version}"
    now = timezone.now()
    pool, until = cache.get(key, (None, None))
    # A post scheduled for later appears when its time comes, not when the pool expires.
    if pool is None or (until is not None and until <= now):
        pool = list(Post.objects.published().only("title", "slug", "excerpt", "cover")[:HOME_POOL_SIZE])
        upcoming = Post.objects.filter(is_published=True, published_at__gt=now).order_by("published_at").first()
        until = upcoming.published_at if upcoming is not None else None
        seconds = settings.BLOG_HOME_CACHE_SECONDS
        if until is not None:
            seconds = max(1, min(seconds, int((until - now).total_seconds()) + 1))
        cache.set(key, (pool, until), seconds)
    return random.sample(pool, min(count, len(pool)))


def posts_changed(*, using: str | None = None) -> None:
    """The posts changed: once that commits, the pool is read afresh. Not before:
    a request that read the old posts meanwhile would keep them under the new
    version. A write that rolls back changes nothing."""

    def new_version():
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)

    # robust: a cache that is down must not fail a write that committed (the pool expires)
    transaction.on_commit(new_version, using=using, robust=True)
