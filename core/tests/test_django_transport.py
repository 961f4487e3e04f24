"""Mail written by Django's backends (the file backend of `make run`, the
console) is the mail SMTP sends: the same headers, sender and footer."""

import re
from email import message_from_bytes, policy

import pytest
import time_machine

from core.dispatch.engine import Dispatcher
from core.dispatch.transport import DjangoTransport
from core.services.mailings import mailing_send_now
from core.tests.conftest import NOW, dispatcher_for, fast_config, make_mailing

PER_MESSAGE = {"Date", "Message-ID", "List-Unsubscribe"}  # new on every send
LINK = re.compile(r"https://mail\.example\.com/unsubscribe/\S+/")


@pytest.fixture
def sender(owner, settings):
    settings.SITE_URL = "https://mail.example.com"
    settings.DEFAULT_FROM_EMAIL = "Mail Service <news@example.com>"
    owner.full_name = "Nora Bakery"
    owner.reply_to = "shop@example.org"
    owner.save()
    return owner


def test_file_backend_writes_the_bytes_smtp_sends(sender, peer, settings, tmp_path):
    with time_machine.travel(NOW, tick=False):
        mailing = make_mailing(sender, 1, now=NOW)
        dispatcher_for(peer.port).run()
    [received] = peer.handler.received
    by_smtp = received.message

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    with time_machine.travel(NOW, tick=False):
        mailing_send_now(mailing=mailing)
        config = fast_config()
        Dispatcher(config=config, transport=DjangoTransport(config), time_budget=config.time_budget).run()
    [written] = list(tmp_path.iterdir())
    data = written.read_bytes().rsplit(b"\n" + b"-" * 79, 1)[0]  # the file backend's separator
    by_file = message_from_bytes(data, policy=policy.default)

    assert by_file.keys() == by_smtp.keys()
    for name in set(by_smtp.keys()) - PER_MESSAGE:
        assert by_file[name] == by_smtp[name], name
    assert by_file["From"] == "Nora Bakery <news@example.com>"
    assert by_file["Reply-To"] == "shop@example.org"
    assert LINK.search(by_file["List-Unsubscribe"])
    assert by_file["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # (SMTP ends DATA on a line of its own: the CRLF before it is framing, not content)
    assert LINK.sub("LINK", by_file.get_content()) == LINK.sub("LINK", by_smtp.get_content()).removesuffix("\r\n")
