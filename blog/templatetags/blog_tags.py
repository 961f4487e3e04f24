from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from blog.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3


@register.filter
def absolute(path: str) -> str:
    """A site path as a full address on SITE_URL (for feeds, canonical and Open Graph tags)."""
    return settings.SITE_URL + path if path.startswith("/") else path
