"""Markdown to safe HTML for posts: the site's shared pipeline (markup.markdown),
links to other sites marked nofollow."""

from django.conf import settings

from markup import markdown


def render_markdown(text: str) -> str:
    return markdown.render_markdown(text, site_url=settings.SITE_URL)
