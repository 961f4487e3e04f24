from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from blog.models import Post

FEED_SIZE = 20


class LatestPostsFeed(Feed):
    """RSS 2.0 of the newest published posts, with absolute links to SITE_URL."""

    title = _("mail_service blog")
    description = _("Articles about email campaigns: writing, scheduling and reading the results.")

    def link(self):
        return settings.SITE_URL + reverse("blog:list")

    def feed_url(self):
        return settings.SITE_URL + reverse("blog:feed")

    def items(self):
        return Post.objects.published().select_related("author")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.excerpt

    def item_link(self, item):
        return settings.SITE_URL + item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author.get_full_name() if item.author else None
