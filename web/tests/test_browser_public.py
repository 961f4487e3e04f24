"""The public pages in a real browser: every asset is ours and loads."""

import pytest
from django.core.management import call_command

from core.models import Client
from core.services.deliverability import unsubscribe_token
from web.tests.browser import requires_chromium, shot

pytestmark = [pytest.mark.browser, requires_chromium]


def test_home_page_renders_with_styles_and_scripts(page, transactional_db):
    call_command("seed_demo")
    page.goto("/")
    assert page.locator("h1").inner_text().startswith("Email campaigns")
    # Bootstrap's CSS applied: the navbar has Bootstrap's padding; htmx is loaded.
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).display") == "flex"
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.locator("article.card").count() == 3
    shot(page, "home")


def test_unsubscribe_flow_in_the_browser(page, transactional_db):
    call_command("seed_demo")
    client = Client.objects.order_by("id").first()
    page.goto(f"/unsubscribe/{unsubscribe_token(client.pk, None)}/")
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_text("You are unsubscribed").wait_for()
    client.refresh_from_db()
    assert client.unsubscribed_at is not None
    shot(page, "unsubscribed")


def test_api_docs_and_htmx_work_under_the_content_security_policy(page, transactional_db):
    """The page fixture fails the test on any violation of the policy."""
    response = page.goto("/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .info .title").wait_for()
    assert "mail_service API" in page.locator(".swagger-ui .info .title").inner_text()
    page.goto("/accounts/signup/")
    assert page.evaluate("[htmx.config.allowEval, htmx.config.includeIndicatorStyles]") == [False, False]


def test_a_quote_in_a_post_stands_out(page, transactional_db):
    from datetime import timedelta

    from django.utils import timezone

    from blog.models import Post

    post = Post.objects.create(
        title="Quoted",
        body="Before.\n\n> Words worth repeating.\n\nAfter.",
        is_published=True,
        published_at=timezone.now() - timedelta(days=1),
    )
    page.goto(post.get_absolute_url())
    quote = page.locator(".post-body blockquote")
    quote.wait_for()
    style = quote.evaluate("q => { const s = getComputedStyle(q); return [s.borderLeftStyle, s.paddingLeft]; }")
    assert style[0] == "solid" and style[1] != "0px"
