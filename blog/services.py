"""Writes on posts that carry rules: publishing keeps the first publication date."""

from django.utils import timezone

from blog.models import Post


def post_publish(post: Post) -> None:
    """Make the post public. The first publication sets `published_at`;
    publishing again after unpublishing keeps the original date."""
    post.is_published = True
    post.published_at = post.published_at or timezone.now()
    post.save(update_fields=["is_published", "published_at", "updated_at"])


def post_unpublish(post: Post) -> None:
    """Back to draft: only the author and admins see it."""
    post.is_published = False
    post.save(update_fields=["is_published", "updated_at"])
