"""Markdown to safe HTML: markdown-it renders (raw HTML off), nh3 sanitises."""

from urllib.parse import urlsplit

import nh3
from django.conf import settings
from markdown_it import MarkdownIt

_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "img", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "del",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title", "rel"}, "img": {"src", "alt", "title"}, "code": {"class"}}


def _is_external(href: str) -> bool:
    host = urlsplit(href).netloc
    return bool(host) and host != urlsplit(settings.SITE_URL).netloc


def _link_open(self, tokens, idx, options, env):
    token = tokens[idx]
    if _is_external(token.attrGet("href") or ""):
        token.attrSet("rel", "nofollow noopener")
    return self.renderToken(tokens, idx, options, env)


_md = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
_md.add_render_rule("link_open", _link_open)


def render_markdown(text: str) -> str:
    return nh3.clean(
        _md.render(text or ""),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        set_tag_attribute_values={"img": {"loading": "lazy"}},
    )
