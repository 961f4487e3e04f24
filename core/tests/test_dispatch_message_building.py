"""A message that cannot be built fails its own mailing only, with the reason
on the mailing's page, while other owners' mail goes out in the same run; the
owner's name is only ever a display name in front of the configured address."""

import html

import pytest
from django.urls import reverse

from core.models import Attempt, AttemptStatus, User
from core.tests.conftest import assert_no_recipient_lost, dispatcher_for, make_mailing
from core.tests.smtp_peers import SmtpPeer, StagedHandler

UNENCODABLE_DOMAIN = "shop@" + "ä" * 60 + ".example"  # a valid address; IDNA cannot encode the label


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("full_name", "Anna\u2028Bcc: victim@example.com", "the sender's name (the owner's full name) contains a line"),
        ("reply_to", UNENCODABLE_DOMAIN, "the owner's reply-to address cannot be used"),
    ],
    ids=["name-with-line-break", "unencodable-reply-to"],
)
def test_a_message_that_cannot_be_built_fails_only_its_mailing_and_says_why(
    client, owner, other_user, field, value, reason
):
    # Written past validation, as an old row or another tool could have.
    User.objects.filter(pk=owner.pk).update(**{field: value})
    broken = make_mailing(owner, 3)
    healthy = make_mailing(other_user, 3)

    with SmtpPeer() as peer:
        dispatcher = dispatcher_for(peer.port)
        dispatcher.run()

    assert dispatcher.fault is None
    assert sorted(peer.handler.recipients()) == ["c0@example.com", "c1@example.com", "c2@example.com"]
    assert assert_no_recipient_lost(healthy) == {"success": 3}
    assert assert_no_recipient_lost(broken) == {"failure": 3}
    replies = set(Attempt.objects.filter(mailing=broken).values_list("server_response", flat=True))
    assert len(replies) == 1
    reply = replies.pop()
    assert reply.startswith(f"the message could not be built: {reason}")

    client.force_login(owner)
    page = client.get(reverse("mailing", args=[broken.pk]))
    assert page.status_code == 200 and reply in html.unescape(page.content.decode())


def test_the_owners_name_never_replaces_the_envelope_sender_or_the_from_address(owner, other_user, settings):
    settings.DEFAULT_FROM_EMAIL = "Mail Service <news@example.com>"
    settings.BOUNCE_ADDRESS = ""  # the plain envelope sender (test_bounce_senders covers the VERP one)
    User.objects.filter(pk=owner.pk).update(full_name="CEO\r\n<ceo@bank.example>")
    User.objects.filter(pk=other_user.pk).update(full_name='Bank "Security" <ceo@bank.example>, x@evil.example')
    forged = make_mailing(owner, 2)
    quoted = make_mailing(other_user, 2)

    handler = StagedHandler()
    with SmtpPeer(handler) as peer:
        dispatcher_for(peer.port).run()

    assert set(handler.mail_froms) == {"news@example.com"}
    assert len(handler.received) == 2
    for item in handler.received:
        (sender,) = item.message["From"].addresses
        assert sender.addr_spec == "news@example.com"
        assert sender.display_name == 'Bank "Security" <ceo@bank.example>, x@evil.example'
    assert assert_no_recipient_lost(quoted) == {"success": 2}
    assert assert_no_recipient_lost(forged) == {"failure": 2}
    assert all(
        "the sender's name (the owner's full name) contains a line break" in a.server_response
        for a in Attempt.objects.filter(mailing=forged, status=AttemptStatus.FAILURE)
    )
