"""Markdown to safe HTML: markdown-it renders (raw HTML off), nh3 sanitises.

The blog shows posts with it and the mailing domain sends Markdown messages
with it, so a message's HTML follows the same rules as a post's: no raw HTML,
no script, no event handler, only http, https and mailto links, and images
only from absolute http(s) addresses (a mail client has no page to resolve a
relative one against, and `mailto:` or `//host` is no picture). `markdown_text`
reads the same Markdown as a plain-text email part: the words as written, the
links listed under them by number."""

from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt

_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "img", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "del",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title", "rel"}, "img": {"src", "alt", "title"}, "code": {"class"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})


def image_source_allowed(url: str) -> bool:
    """Whether an image may load from `url`: an absolute http(s) address."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in IMAGE_SCHEMES and bool(parts.netloc)


def _attribute(tag: str, name: str, value: str) -> str | None:
    if tag == "img" and name == "src" and not image_source_allowed(value):
        return None
    return value


def _link_open(self, tokens, idx, options, env):
    token = tokens[idx]
    host = urlsplit(token.attrGet("href") or "").netloc
    if host and host != urlsplit(env.get("site_url", "")).netloc:
        token.attrSet("rel", "nofollow noopener")
    return self.renderToken(tokens, idx, options, env)


_md = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
_md.add_render_rule("link_open", _link_open)


def render_markdown(text: str, *, site_url: str = "") -> str:
    """Sanitised HTML; links to hosts other than `site_url`'s get rel="nofollow noopener"."""
    return nh3.clean(
        _md.render(text or "", {"site_url": site_url}),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        attribute_filter=_attribute,
        set_tag_attribute_values={"img": {"loading": "lazy"}},
    )


def _safe_url(url: str) -> bool:
    scheme = urlsplit(url).scheme.lower()
    return not scheme or scheme in URL_SCHEMES


def markdown_text(text: str, *, links_heading: str = "Links:") -> str:
    """The Markdown as plain text to read in a mail client: markup dropped,
    lists and quotes kept as they read, each link's text followed by [n] and
    the addresses listed at the end under `links_heading` (only those the HTML
    would keep: http, https, mailto and relative ones)."""
    links: list[str] = []
    out: list[str] = []
    prefixes: list[list] = []  # [first-line prefix, following lines' prefix, first line used]
    lists: list[list] = []  # [ordered, next number]
    row: list[str] | None = None
    rows: list[str] = []
    in_list = [False]  # whether the block written last was in a list

    def emit(block: str, tight: bool = False) -> None:
        lines = block.split("\n")
        first = ""
        for entry in prefixes:
            first += entry[1] if entry[2] else entry[0]
            entry[2] = True
        rest = "".join(entry[1] for entry in prefixes)
        if out:
            out.append("\n" if tight and in_list[0] else "\n\n")
        in_list[0] = bool(lists)
        out.append("\n".join([first + lines[0], *(rest + line if line else rest.rstrip() for line in lines[1:])]))

    def inline(token) -> str:
        parts: list[str] = []
        pending: list[str | None] = []
        for child in token.children or ():
            kind = child.type
            if kind in {"text", "code_inline"}:
                parts.append(child.content)
            elif kind in {"softbreak", "hardbreak"}:
                parts.append("\n")
            elif kind == "link_open":
                href = child.attrGet("href") or ""
                pending.append(href if _safe_url(href) else None)
                parts.append("\x00")  # where the link's text starts
            elif kind == "link_close":
                href = pending.pop() if pending else None
                start = len(parts) - 1 - parts[::-1].index("\x00")
                label = "".join(parts[start + 1 :])
                del parts[start:]
                parts.append(label)
                if href and label.strip() not in {href, href.removeprefix("mailto:")}:
                    links.append(href)
                    parts.append(f" [{len(links)}]")
            elif kind == "image":
                src = child.attrGet("src") or ""
                alt = "".join(grand.content for grand in child.children or ()) or child.content
                if image_source_allowed(src):
                    links.append(src)
                    parts.append(f"[{alt}] [{len(links)}]" if alt else f"[{len(links)}]")
                elif alt:
                    parts.append(alt)
        return "".join(parts)

    tokens = _md.parse(text or "")
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "blockquote_open":
            prefixes.append(["> ", "> ", False])
        elif kind in {"blockquote_close", "list_item_close"}:
            prefixes.pop()
        elif kind in {"bullet_list_open", "ordered_list_open"}:
            lists.append([kind == "ordered_list_open", int(token.attrGet("start") or 1)])
        elif kind in {"bullet_list_close", "ordered_list_close"}:
            lists.pop()
        elif kind == "list_item_open":
            ordered, number = lists[-1]
            marker = f"{number}. " if ordered else "- "
            lists[-1][1] += 1
            prefixes.append([marker, " " * len(marker), False])
        elif kind == "inline" and row is not None:
            row.append(inline(token))
        elif kind == "inline":
            opening = tokens[index - 1]
            words = inline(token)
            if opening.type == "heading_open" and opening.tag in {"h1", "h2"}:
                rule = "=" if opening.tag == "h1" else "-"
                words += "\n" + rule * max(3, min(len(words.split("\n")[-1]), 60))
            emit(words, tight=opening.hidden)
        elif kind in {"fence", "code_block"}:
            emit("\n".join("    " + line for line in token.content.rstrip("\n").split("\n")))
        elif kind == "hr":
            emit("-" * 20)
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            rows.append(" | ".join(cell.strip() for cell in row or ()))
            row = None
        elif kind == "table_close":
            emit("\n".join(rows))
            rows = []
    if links:
        listed = "\n".join(f"[{number}] {href}" for number, href in enumerate(links, 1))
        out.append(("\n\n" if out else "") + links_heading + "\n" + listed)
    return "".join(out)
