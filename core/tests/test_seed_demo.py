from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from blog.models import Post
from core.models import Attempt, Client, ClientList, Mailing, MailingStatus, Message, User


def counts():
    return [m.objects.count() for m in (User, Client, ClientList, Message, Mailing, Attempt, Post)]


def test_seed_demo_is_idempotent_and_covers_every_status(db, capsys):
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    out = capsys.readouterr().out
    assert "alice@example.com" in out and "demo-pass-2026" in out
    for email in ("alice@example.com", "bob@example.com"):
        user = User.objects.get(email=email)
        statuses = set(user.mailings.values_list("status", flat=True))
        assert statuses == set(MailingStatus.values)
        assert user.mailings.filter(is_active=False).exists()
        assert Attempt.objects.filter(mailing__owner=user, status="success").exists()
        assert Attempt.objects.filter(mailing__owner=user, status="failure").exists()
        assert set(user.client_lists.values_list("name", flat=True)) == {"Newsletter", "VIP"}
        assert all(client_list.clients.exists() for client_list in user.client_lists.all())
        assert user.mailings.filter(lists__name="Newsletter", periodicity="weekly").exists()
    assert Post.objects.published().count() >= 3
    assert Post.objects.filter(is_published=False).exists()
    assert User.objects.get(email="admin@example.com").is_superuser


def test_demo_users_can_log_in(db):
    call_command("seed_demo")
    request = RequestFactory().post("/")
    for email in ("admin@example.com", "manager@example.com", "content@example.com", "alice@example.com"):
        assert authenticate(request, username=email, password="demo-pass-2026").email == email


def test_fixtures_load_on_an_empty_database(db):
    call_command("loaddata", "groups", "demo")
    assert Client.objects.count() > 0
    assert Mailing.objects.filter(clients__isnull=False).exists()
