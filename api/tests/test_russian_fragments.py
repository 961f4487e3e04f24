"""The dialogs and lists of a Russian-speaking owner say everything in Russian:
field labels and the replies of our own that attempts keep."""

from django.urls import reverse

from core.dispatch.engine import Dispatcher
from core.models import Attempt, User
from core.tests.conftest import make_mailing

HTMX = {"HX-Request": "true"}


def russian(client, owner):
    User.objects.filter(pk=owner.pk).update(language="ru")
    client.force_login(owner)


def test_the_client_and_message_dialogs_label_every_field_in_russian(client, owner):
    russian(client, owner)
    form = client.get(reverse("api:client-form"), headers=HTMX).content.decode()
    assert ">Комментарий" in form and "Comment" not in form
    form = client.get(reverse("api:message-form"), headers=HTMX).content.decode()
    assert ">Текст" in form and "Body" not in form


def test_a_reply_of_our_own_is_shown_in_the_readers_language(client, owner):
    """Sent through Django's mail backend (locmem here); the attempt keeps the reply in English for the API."""
    mailing = make_mailing(owner, 1)
    Dispatcher().run()
    assert Attempt.objects.get(mailing=mailing).server_response == "accepted by the mail backend"
    russian(client, owner)
    rows = client.get(reverse("api:attempt-list"), {"mailing": mailing.pk}, headers=HTMX).content.decode()
    assert "принято почтовым бэкендом" in rows and "accepted by" not in rows
    assert client.get(reverse("api:attempt-list"), {"mailing": mailing.pk}).json()["results"][0]["server_response"] == (
        "accepted by the mail backend"
    )
