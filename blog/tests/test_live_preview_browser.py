"""The editor's live preview in a real browser: typing Markdown shows sanitised HTML via htmx."""

import shutil

import pytest
from django.conf import settings
from django.db import connections
from django.urls import reverse

from blog.models import Post

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine"),
]


@pytest.fixture
def page(live_server, client, admin_user, monkeypatch):
    # Playwright's sync API keeps an event loop running in this thread; the ORM
    # calls of the test itself are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    client.force_login(admin_user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    # Django keeps one connection per context, and the ORM calls inside
    # Playwright's loop run in another one: close each when leaving it, or the
    # test database cannot be dropped at the end.
    connections.close_all()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context()
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        yield context.new_page()
        browser.close()
        connections.close_all()


def test_typing_markdown_updates_the_preview_and_saving_creates_the_post(page, live_server):
    page.goto(live_server.url + reverse("blog:create"))
    page.fill("#id_title", "Written in the browser")
    page.locator("#id_body").press_sequentially("# Live\n\n**bold** <script>window.hacked=1</script>", delay=5)

    preview = page.locator("#preview")
    sync_api.expect(preview.locator("h1")).to_have_text("Live")
    sync_api.expect(preview.locator("strong")).to_have_text("bold")
    assert preview.locator("script").count() == 0
    assert page.evaluate("window.hacked") is None

    page.click("form[enctype] button.btn-primary")
    sync_api.expect(page.locator("#toasts .toast[data-level=success]")).to_contain_text("is saved")
    post = Post.objects.get()
    assert (post.title, post.slug, post.is_published) == ("Written in the browser", "written-in-the-browser", False)
