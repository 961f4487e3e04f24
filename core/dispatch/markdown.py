"""A Markdown message's two parts, built once per run: the plain text (a
Template like a plain message's body) and the HTML (an HtmlTemplate), both
with their placeholders still to fill in per recipient.

The Markdown is rendered by the site's shared pipeline (`markup.markdown`,
the one blog posts use: no raw HTML, sanitised by nh3) with each placeholder
standing in as a word of letters and digits no one writes, so Markdown
neither reads nor changes it; the sanitised HTML gets inline styles for mail
clients (which ignore style sheets) and goes into one email layout
(templates/emails/markdown_message.html). The stand-ins are then cut out:
what a recipient's values fill in is escaped there, never sanitised again."""

import re
import string
import uuid

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.dispatch.rendering import FOOTER_LINK, HtmlTemplate, RenderError, Template
from core.models import Message
from markup.markdown import markdown_text, render_markdown

_PARSER = string.Formatter()

# Inline styles, added after sanitising (the sanitiser drops every style attribute a body could carry).
_FONT = "font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif;"
_STYLES = {
    "p": "margin: 0 0 16px;",
    "h1": f"margin: 0 0 16px; font-size: 26px; line-height: 1.25; {_FONT}",
    "h2": f"margin: 24px 0 12px; font-size: 21px; line-height: 1.3; {_FONT}",
    "h3": f"margin: 20px 0 8px; font-size: 18px; line-height: 1.35; {_FONT}",
    "h4": "margin: 16px 0 8px; font-size: 16px;",
    "h5": "margin: 16px 0 8px; font-size: 15px;",
    "h6": "margin: 16px 0 8px; font-size: 14px;",
    "a": "color: #0b57d0; text-decoration: underline;",
    "img": "max-width: 100%; height: auto; border: 0;",
    "ul": "margin: 0 0 16px; padding-left: 24px;",
    "ol": "margin: 0 0 16px; padding-left: 24px;",
    "li": "margin: 0 0 4px;",
    "blockquote": "margin: 0 0 16px; padding: 0 0 0 14px; border-left: 3px solid #c9ced4; color: inherit;",
    "pre": "margin: 0 0 16px; padding: 12px; background: #f3f4f6; border-radius: 6px; overflow-x: auto; "
    "white-space: pre-wrap; font-size: 14px;",
    "code": "font-family: SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em;",
    "hr": "border: 0; border-top: 1px solid #d8dce0; margin: 24px 0;",
    "table": "border-collapse: collapse; margin: 0 0 16px; width: 100%;",
    "th": "border: 1px solid #d8dce0; padding: 6px 8px; text-align: left;",
    "td": "border: 1px solid #d8dce0; padding: 6px 8px;",
}
_TAG = re.compile(r"<(" + "|".join(_STYLES) + r")(?=[\s>/])")


def styled(sanitised: str) -> str:
    """Inline styles on the tags of sanitised HTML (where `<` only ever opens a tag)."""
    return _TAG.sub(lambda found: f'<{found[1]} style="{_STYLES[found[1]]}"', sanitised)


def markdown_parts(
    *, subject: str, body: str, footer_html: str, links_heading: str, language: str, site_url: str
) -> tuple[Template, HtmlTemplate]:
    """(the plain-text part's Template, the HTML part's HtmlTemplate) of a
    Markdown body; `footer_html` (already escaped) holds FOOTER_LINK where the
    recipient's unsubscribe link goes. Raises RenderError if the body's or the
    subject's placeholders are wrong."""
    for text in (subject, body):
        if (error := Template(text).error) is not None:
            raise RenderError(error)
    nonce = uuid.uuid4().hex[:12]
    stand_in = {name: f"ph{nonce}{index}x" for index, name in enumerate(Message.PLACEHOLDERS)}
    link = f"ph{nonce}lx"

    def standing_in(text: str) -> str:
        return "".join(
            literal + (stand_in[field] if field is not None else "") for literal, field, _, _ in _PARSER.parse(text)
        )

    source = standing_in(body)
    plain = markdown_text(source, links_heading=links_heading).replace("{", "{{").replace("}", "}}")
    for name, word in stand_in.items():
        plain = plain.replace(word, "{" + name + "}")

    document = render_to_string(
        "emails/markdown_message.html",
        {
            "language": language,
            "subject": standing_in(subject),
            "content": mark_safe(styled(render_markdown(source, site_url=site_url))),  # noqa: S308 - sanitised
            "footer": mark_safe(footer_html.replace(FOOTER_LINK, link)),  # noqa: S308 - escaped by the caller
        },
    )
    names = {word: name for name, word in stand_in.items()} | {link: FOOTER_LINK}
    pieces = re.split("(" + "|".join(names) + ")", document)
    segments, holes, in_tag = pieces[0::2], [], False
    for segment, word in zip(segments, pieces[1::2], strict=False):
        opened, closed = segment.rfind("<"), segment.rfind(">")
        in_tag = opened > closed if opened != closed else in_tag  # inside a tag: an attribute's value
        holes.append((names[word], in_tag))
    return Template(plain), HtmlTemplate(segments, holes)
