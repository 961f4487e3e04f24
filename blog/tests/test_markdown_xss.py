# ruff: noqa: E501 - the payloads are quoted verbatim from the cheat sheet
"""Post bodies are Markdown from content managers; what reaches readers is sanitised HTML.

The payloads follow the OWASP XSS Filter Evasion Cheat Sheet, plus Markdown-specific
link and image forms. Raw HTML in Markdown is shown as text, so a payload may survive
as *visible text*; it must never survive as a tag or an attribute.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from blog.markdown import render_markdown

PAYLOADS = [
    "<script>alert('XSS')</script>",
    '<SCRIPT SRC="https://xss.example/xss.js"></SCRIPT>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert('XSS')\">",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    '<SCRIPT/XSS SRC="http://xss.example/xss.js"></SCRIPT>',
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=http://xss.example/xss.js?< B >",
    "<svg/onload=alert('XSS')>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    "<STYLE>@import'http://xss.example/xss.css';</STYLE>",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    '<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.example/scriptlet.html"></OBJECT>',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv MjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5L3hs aW5rIiB2ZXJzaW9uPSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAw IiBpZD0ieHNzIj48c2NyaXB0IHR5cGU9InRleHQvZWNtYXNjcmlwdCI+YWxlcnQoIlh TUyIpOzwvc2NyaXB0Pjwvc3ZnPg==" AllowScriptAccess="always"></EMBED>',
    "<a href=\"javascript:alert('XSS')\">click</a>",
    '<a href="&#x6A;avascript:alert(1)">click</a>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    "<base href=\"javascript:alert('XSS');//\">",
    '"><script>alert(document.cookie)</script>',
    # Markdown's own ways to make links and images.
    "[click](javascript:alert('XSS'))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](%6Aavascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![img](x "onerror=alert(1)")',
    '[a](https://example.com/" onclick="alert(1))',
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
]


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, name, value or "") for name, value in attrs)

    handle_startendtag = handle_starttag


# Tags without any active behaviour of their own.
INERT_TAGS = {"p", "a", "img", "code", "pre", "br", "em", "strong", "h1", "h2", "ul", "ol", "li", "blockquote"}


def assert_harmless(html: str, extra_tags=frozenset()) -> None:
    lowered = html.lower()
    assert "<script" not in lowered and "<style" not in lowered
    inspector = _Inspector()
    inspector.feed(html)
    assert set(inspector.tags) <= INERT_TAGS | extra_tags, inspector.tags
    for tag, name, value in inspector.attrs:
        assert not name.startswith("on"), (tag, name)
        assert name != "style", (tag, name)
        assert name not in {"srcdoc", "formaction", "background"}, (tag, name)
        # What a browser would follow: control characters and spaces do not hide a scheme.
        target = "".join(ch for ch in value.lower() if ch.isprintable() and not ch.isspace())
        if name in {"href", "src"}:
            assert not target.startswith(("javascript:", "vbscript:", "data:")), (tag, name, value)
            assert "javascript:" not in target, (tag, name, value)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_neutralised_by_the_renderer(payload):
    assert_harmless(render_markdown(payload))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_neutralised_inside_ordinary_markdown(payload):
    assert_harmless(render_markdown(f"Intro with a [safe link](https://example.com/).\n\n{payload}\n\n*end*"))


def test_payloads_on_the_post_page_and_in_the_editor_preview(client, make_post, content_manager):
    body = "\n\n".join(PAYLOADS)
    post = make_post("Payloads", body=body, excerpt="<script>alert(1)</script>")
    html = client.get(post.get_absolute_url()).content.decode()
    article = html[html.index("<article") : html.index("</article>")]
    assert_harmless(article, extra_tags={"article", "time"})
    # Page-level attributes built from post fields are escaped too.
    assert "<script>alert(1)</script>" not in html

    client.force_login(content_manager)
    preview = client.post(reverse("blog:preview"), {"body": body}, headers={"HX-Request": "true"})
    assert preview.status_code == 200
    assert_harmless(preview.content.decode())


def test_harmless_markdown_still_renders(settings):
    settings.SITE_URL = "https://mail.example.com"
    html = render_markdown(
        "# Title\n\n**bold** [inside](https://mail.example.com/blog/) [outside](https://example.org/)"
        " ![pic](https://example.org/a.png)\n\n```\ncode\n```"
    )
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
    assert '<a href="https://mail.example.com/blog/">inside</a>' in html
    assert '<a href="https://example.org/" rel="nofollow noopener">outside</a>' in html
    assert '<img src="https://example.org/a.png" alt="pic" loading="lazy">' in html
    assert "<pre><code>code\n</code></pre>" in html
