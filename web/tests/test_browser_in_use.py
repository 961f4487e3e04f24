"""Deleting a client or message that mailings use: the page says so up front,
names the mailings (links to them) and offers what can be done instead, never
a Delete that the server would refuse."""

import pytest

from core.models import Client, Message
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory
from web.tests.browser import log_in, requires_chromium, shot, wait_until

pytestmark = [pytest.mark.browser, requires_chromium]


@pytest.fixture
def user(transactional_db):
    from conftest import make_user

    return make_user("user@example.com")


@pytest.fixture
def signed_in(page, user):
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: (page.problems.append(f"browser dialog: {dialog.message}"), dialog.dismiss()))
    # every delete the page offers is done: a refused one (409) fails the test
    page.on("response", lambda answer: answer.status == 409 and page.problems.append(f"refused: {answer.url}"))
    log_in(page, user)
    return page


def test_a_client_in_use_is_taken_off_its_mailings_then_deleted(signed_in, user):
    page = signed_in
    ann = ClientFactory(owner=user, email="ann@example.com", full_name="Ann")
    bob = ClientFactory(owner=user, email="bob@example.com", full_name="Bob")
    spring = MailingFactory(owner=user, clients=[ann, bob], message=MessageFactory(owner=user, subject="Spring news"))
    autumn = MailingFactory(owner=user, clients=[ann], message=MessageFactory(owner=user, subject="Autumn news"))
    page.goto("/clients/")

    # the row says "In use" instead of offering a delete
    row = page.locator(f"#clients-{ann.pk}")
    assert row.get_by_role("button", name="Delete").count() == 0
    row.get_by_role("button", name="In use").click()
    dialog = page.get_by_role("dialog", name="Used by mailings")
    dialog.get_by_text("cannot be deleted while mailings use this client").wait_for()
    assert dialog.get_by_role("button", name="Delete").count() == 0
    links = dialog.get_by_role("link")
    assert links.all_inner_texts() == [f"#{spring.pk} Spring news", f"#{autumn.pk} Autumn news"]
    assert links.first.get_attribute("href") == f"/mailings/{spring.pk}/"
    shot(page, "client-in-use")

    # taken off both mailings, the same dialog offers the delete
    dialog.get_by_role("button", name="Remove from these mailings").click()
    page.locator("#toasts .toast", has_text="Removed from 2 mailings.").wait_for()
    dialog.get_by_text("This cannot be undone.").wait_for()
    assert list(spring.clients.all()) == [bob] and not autumn.clients.exists()
    # the list behind the dialog reloaded too: Ann's row now offers the delete itself
    page.locator(f"#clients-{ann.pk}").get_by_role("button", name="Delete").wait_for()
    wait_until(page, "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    dialog.get_by_role("button", name="Delete").click()
    dialog.wait_for(state="hidden")
    page.locator(f"#clients-{ann.pk}").wait_for(state="detached")
    assert not Client.objects.filter(pk=ann.pk).exists()
    # Bob is still on a mailing: his row still says so
    page.locator(f"#clients-{bob.pk}").get_by_role("button", name="In use").wait_for()


def test_a_message_in_use_names_the_mailings_sending_it(signed_in, user):
    page = signed_in
    message = MessageFactory(owner=user, subject="Spring news")
    mailing = MailingFactory(owner=user, message=message, clients=[ClientFactory(owner=user)])
    draft = MessageFactory(owner=user, subject="Draft")
    page.goto("/messages/")

    page.locator(f"#messages-{draft.pk}").get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Delete").click()
    dialog.wait_for(state="hidden")
    page.locator(f"#messages-{draft.pk}").wait_for(state="detached")
    assert list(Message.objects.values_list("subject", flat=True)) == ["Spring news"]

    page.locator(f"#messages-{message.pk}").get_by_role("button", name="In use").click()
    dialog = page.get_by_role("dialog", name="Used by mailings")
    dialog.get_by_text("cannot be deleted while mailings send it").wait_for()
    assert dialog.get_by_role("button", name="Delete").count() == 0
    dialog.get_by_role("link", name=f"#{mailing.pk} Spring news").click()
    page.wait_for_url(f"**/mailings/{mailing.pk}/")
    page.wait_for_load_state("networkidle")
