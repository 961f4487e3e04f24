"""The unsubscribe line of a mailing is in its owner's language, whatever the
site's: in the mail, in the message preview and on the unsubscribe page."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from core.dispatch.sending import preview_message
from core.models import User
from core.services.deliverability import unsubscribe_token
from core.tests.conftest import dispatcher_for, make_mailing
from core.tests.factories import ClientFactory, MailingFactory, MessageFactory

RUSSIAN = "Вы получили это письмо как клиент"
ENGLISH = "You receive this email as a client of"


def _bodies_by_sender(peer) -> dict[str, list[str]]:
    bodies: dict[str, list[str]] = {}
    for item in peer.handler.received:
        message = item.message
        bodies.setdefault(message["From"].addresses[0].display_name, []).append(message.get_content())
    return bodies


@pytest.mark.parametrize("site_language", ["en", "ru"])
def test_each_owner_gets_the_footer_in_their_own_language_in_one_pass(owner, other_user, peer, settings, site_language):
    settings.LANGUAGE_CODE = site_language
    User.objects.filter(pk=owner.pk).update(full_name="Ольга", language="ru")
    User.objects.filter(pk=other_user.pk).update(full_name="Oliver", language="en")
    make_mailing(owner, 3)
    make_mailing(User.objects.get(pk=other_user.pk), 2)

    dispatcher_for(peer.port).run()

    bodies = _bodies_by_sender(peer)
    assert sorted((name, len(found)) for name, found in bodies.items()) == [("Oliver", 2), ("Ольга", 3)]
    assert all(f"{RUSSIAN} Ольга." in body and ENGLISH not in body for body in bodies["Ольга"])
    assert all(f"{ENGLISH} Oliver." in body and RUSSIAN not in body for body in bodies["Oliver"])
    assert all("/unsubscribe/" in body for found in bodies.values() for body in found)


def test_the_preview_is_in_the_owners_language_whatever_the_readers(owner, other_user, settings):
    settings.LANGUAGE_CODE = "en"
    owner.language = "ru"
    owner.save(update_fields=["language"])
    with translation.override("en"):  # the reader's language
        russian = preview_message(MessageFactory(owner=owner, body="Текст."), link=gettext_lazy("(their own link)"))
    with translation.override("ru"):
        english = preview_message(MessageFactory(owner=other_user, body="Text."), link=gettext_lazy("(their own link)"))
    assert (russian.full_name, english.full_name) == ("Анна Петрова", "Anna Petrova")
    assert f"{RUSSIAN} Owner." in russian.body and russian.body.endswith("отпишитесь: (личная ссылка клиента)")
    assert f"{ENGLISH} Other." in english.body and english.body.endswith("unsubscribe: (their own link)")


def test_the_preview_answered_to_a_russian_owner(client, owner, settings):
    settings.LANGUAGE_CODE = "en"
    owner.language = "ru"
    owner.save(update_fields=["language"])
    message = MessageFactory(owner=owner, body="Текст.")
    ClientFactory(owner=owner, full_name="Ада", email="ada@example.com")
    client.force_login(owner)
    body = client.get(reverse("api:message-preview", args=[message.pk])).json()["body"]
    assert body.startswith("Текст.") and RUSSIAN in body
    assert body.endswith("отпишитесь: (личная ссылка клиента)")


@pytest.mark.parametrize(
    ("language", "question", "done"),
    [("ru", "Прекратить рассылки от", "Вы отписались"), ("en", "Stop mailings from", "You are unsubscribed")],
    ids=["ru", "en"],
)
def test_the_unsubscribe_page_speaks_the_owners_language(client, owner, settings, language, question, done):
    settings.LANGUAGE_CODE = "ru" if language == "en" else "en"  # never the site's
    owner.language = language
    owner.save(update_fields=["language"])
    recipient = ClientFactory(owner=owner)
    mailing = MailingFactory(owner=owner, clients=[recipient])
    url = reverse("unsubscribe", args=[unsubscribe_token(recipient.pk, mailing.pk)])
    page = client.get(url, headers={"accept-language": settings.LANGUAGE_CODE}).content.decode()
    assert f'<html lang="{language}">' in page and question in page
    page = client.post(url, headers={"accept-language": settings.LANGUAGE_CODE}).content.decode()
    assert f'<html lang="{language}">' in page and done in page
