"""Under `make run` the mail the service writes to var/mail/ is what a client
would get over SMTP: the owner's name as sender, their Reply-To, the one-click
unsubscribe headers and the unsubscribe line."""

from email import message_from_bytes, policy

import pytest
from django.core.management import call_command

from core.tests.factories import ClientFactory, MailingFactory, MessageFactory
from web.tests.browser import log_in, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium]


def test_send_now_writes_the_mail_clients_get(page, transactional_db, settings, tmp_path):
    from conftest import make_user

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    settings.DEFAULT_FROM_EMAIL = "mail_service <noreply@example.com>"
    owner = make_user("nora@example.com")
    owner.full_name, owner.reply_to = "Nora Bakery", "shop@example.org"
    owner.save()
    client = ClientFactory(owner=owner, email="ann@example.com", full_name="Ann")
    mailing = MailingFactory(owner=owner, clients=[client], message=MessageFactory(owner=owner, subject="Bread"))
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, owner)
    page.goto(f"/mailings/{mailing.pk}/")
    page.get_by_role("button", name="Send now").click()
    page.get_by_role("dialog", name="Send now").get_by_role("button", name="Send now").click()
    page.locator("#toasts .toast", has_text="Sending has been queued.").wait_for()
    call_command("runcrons", "core.cron.DispatchJob", "--force")

    [written] = list(tmp_path.iterdir())
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["From"] == "Nora Bakery <noreply@example.com>"
    assert message["Reply-To"] == "shop@example.org"
    assert message["List-Unsubscribe"].startswith(f"<{settings.SITE_URL}/unsubscribe/")
    assert message["List-Unsubscribe-Post"] is None  # one-click (RFC 8058) only for an HTTPS site
    assert "unsubscribe" in message.get_content()
