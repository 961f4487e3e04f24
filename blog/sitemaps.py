"""sitemap.xml: the public pages and every published post, with SITE_URL as the address."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from blog.models import Post


class _SiteUrl:
    """Stands in for a `Site`: the sitemap names SITE_URL's host, not the request's."""

    def __init__(self):
        parts = urlsplit(settings.SITE_URL)
        self.scheme, self.domain, self.name = parts.scheme, parts.netloc + parts.path, parts.netloc


class SiteUrlSitemap(Sitemap):
    def get_urls(self, page=1, site=None, protocol=None):
        site = _SiteUrl()
        return super().get_urls(page=page, site=site, protocol=site.scheme)


class PublicPagesSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return ["home", "blog:list"]

    def location(self, item):
        return reverse(item)


class PostSitemap(SiteUrlSitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Post.objects.published().only("slug", "updated_at").order_by("-published_at", "-id")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {"pages": PublicPagesSitemap, "posts": PostSitemap}
