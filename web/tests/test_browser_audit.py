"""Every screen of the demo, for each role and in both languages: axe-core finds
no critical or serious accessibility violation on any page or dialog, no page
scrolls sideways at 1366 x 900 or 390 x 844, and every screen is photographed at
both widths under test-artifacts/screenshots/audit-*.

axe-core is vendored in web/tests/vendor/axe-core (only the tests load it, so
the browser evaluates it directly, whatever the page's CSP says)."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from blog.models import Post
from core.models import Mailing, User
from web.tests.browser import log_in, requires_chromium, shot, wait_until

pytestmark = [pytest.mark.browser, requires_chromium]

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
WIDTHS = {"wide": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
ROLES = {"owner": "alice@example.com", "manager": "manager@example.com", "content": "content@example.com"}
OWN_PAGES = {
    "home": "/",
    "mailings": "/mailings/",
    "clients": "/clients/",
    "lists": "/lists/",
    "messages": "/messages/",
    "reports": "/reports/",
    "profile": "/accounts/profile/",
    "password": "/accounts/password/change/",
    "blog": "/blog/",
}
ROLE_PAGES = {
    "owner": {},
    "manager": {"manager-mailings": "/manager/mailings/", "users": "/manage/users/"},
    "content": {"blog-manage": "/blog/manage/", "blog-new": "/blog/manage/new/"},
}
VISITOR_PAGES = {
    "home": "/",
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
    "password-reset": "/accounts/password/reset/",
    "blog": "/blog/",
}
# What opens the page dialog or the details side panel; the first of each kind on a page is opened.
DIALOG_OPENERS = "[hx-target='#dialog'], [hx-target='#detail']"


def axe_problems(page, where: str) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE)
    # colours are measured once transitions have ended (a button just clicked fades into its hover colours)
    violations = page.evaluate(
        "async () => { await Promise.all(document.getAnimations()"
        ".filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)"
        ".map(a => a.finished.catch(() => null)));"
        " return (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'critical' || v.impact === 'serious')"
        ".map(v => `${v.impact} ${v.id}: ${v.nodes.length} nodes, `"
        " + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')); }"
    )
    return [f"{where}: {violation}" for violation in violations]


def layout_problems(page, where: str) -> list[str]:
    wide, room = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return [f"{where}: page is {wide} px wide in a {room} px window"] if wide > room else []


def settle(page) -> None:
    page.wait_for_load_state("networkidle")


def dialog_openers(page) -> list[str]:
    """One selector per kind of dialog the page offers (new, import, the first row's edit and delete…)."""
    return page.evaluate(
        """(openers) => {
            const seen = new Map();
            document.querySelectorAll(openers).forEach((button, index) => {
                const kind = button.getAttribute('hx-get').replace(/\\d+/g, 'N').split('?')[0];
                if (!seen.has(kind) && button.offsetParent !== null) {
                    button.dataset.auditOpener = String(index);
                    seen.set(kind, `[data-audit-opener="${index}"]`);
                }
            });
            return [...seen.values()];
        }""",
        DIALOG_OPENERS,
    )


def audit_screens(page, pages: dict[str, str], name: str) -> list[str]:
    problems = []
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        for slug, url in pages.items():
            where = f"{name} {url} {width}"
            page.goto(url)
            settle(page)
            shot(page, f"audit-{name}-{slug}-{width}")
            problems += layout_problems(page, where)
            if width == "wide":
                problems += axe_problems(page, where)
            for number, opener in enumerate(dialog_openers(page)):
                page.locator(opener).click()
                dialog = page.locator(".modal.show, .offcanvas.show")
                dialog.wait_for()
                settle(page)
                wait_until(page, "!document.querySelector('.modal.show .modal-body [role=status]')")
                page.wait_for_timeout(400)  # the slide or fade-in, so positions and colours are final
                shot(page, f"audit-{name}-{slug}-dialog{number}-{width}")
                problems += layout_problems(page, f"{where} dialog {opener}")
                if width == "wide":
                    title = dialog.locator(".modal-title, .offcanvas-body h2").first.inner_text()
                    problems += axe_problems(page, f"{where} dialog {title}")
                page.keyboard.press("Escape")
                dialog.wait_for(state="hidden")
    return problems


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=StringIO())


def in_language(page, language: str) -> None:
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": page.live_url}])


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("role", list(ROLES))
def test_every_screen_of_a_role(page, demo, role, language):
    page.set_default_timeout(15_000)
    in_language(page, language)
    # A logged-in user's own language beats the cookie: theirs is the one the pages speak.
    User.objects.filter(email=ROLES[role]).update(language=language)
    log_in(page, User.objects.get(email=ROLES[role]))
    pages = OWN_PAGES | ROLE_PAGES[role]
    # The demo's running weekly mailing: runs, attempts and failures to show.
    own = Mailing.objects.filter(owner__email=ROLES[role], status="running").first()
    if own is not None:
        pages["mailing"] = f"/mailings/{own.pk}/"
    # The demo's weekly mailing to a list: its lists and whom its next run reaches.
    to_list = Mailing.objects.filter(owner__email=ROLES[role], lists__isnull=False).first()
    if to_list is not None:
        pages["mailing-to-list"] = f"/mailings/{to_list.pk}/"
        pages["clients-of-a-list"] = f"/clients/?list={to_list.lists.get().pk}"
    post = Post.objects.filter(is_published=True).order_by("pk").first()
    pages["post"] = f"/blog/{post.slug}/"
    if role == "content":
        pages["blog-edit"] = f"/blog/manage/{post.pk}/"
    if role == "manager":
        pages["user-block"] = f"/manage/users/{User.objects.get(email=ROLES['owner']).pk}/block/"
    problems = audit_screens(page, pages, f"{role}-{language}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_screen_of_a_visitor(page, demo, language):
    in_language(page, language)
    problems = audit_screens(page, VISITOR_PAGES, f"visitor-{language}")
    assert not problems, "\n".join(problems)
