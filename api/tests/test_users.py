"""Managers list users with their mailing counts and block or unblock them."""

from core.models import User
from core.tests.factories import MailingFactory


def test_manager_lists_users_with_mailing_counts(api, manager, owner, other_user):
    MailingFactory.create_batch(2, owner=owner)
    rows = api.as_(manager).get("/api/users/?search=example.com").json()["results"]
    counts = {row["email"]: row["mailings_count"] for row in rows}
    assert counts["owner@example.com"] == 2 and counts["other@example.com"] == 0
    assert next(row for row in rows if row["email"] == manager.email)["is_manager"] is True


def test_plain_user_may_not_list_users(api, owner):
    assert api.as_(owner).get("/api/users/").status_code == 403


def test_manager_blocks_and_unblocks(api, manager, owner):
    client = api.as_(manager)
    assert client.post(f"/api/users/{owner.pk}/block/").json()["is_active"] is False
    assert User.objects.get(pk=owner.pk).is_active is False
    assert client.get("/api/users/?is_active=false").json()["results"][0]["email"] == owner.email
    assert client.post(f"/api/users/{owner.pk}/unblock/").json()["is_active"] is True


def test_a_block_keeps_its_reason_until_unblocked(api, manager, owner):
    client = api.as_(manager)
    assert client.post(f"/api/users/{owner.pk}/block/", {"reason": "x" * 501}).status_code == 400
    owner.refresh_from_db()
    assert owner.is_active  # nothing half-done
    blocked = client.post(f"/api/users/{owner.pk}/block/", {"reason": "Unpaid invoice"}).json()
    assert blocked["is_active"] is False and blocked["block_reason"] == "Unpaid invoice"
    assert client.post(f"/api/users/{owner.pk}/unblock/").json()["block_reason"] == ""


def test_manager_cannot_block_an_admin_or_themselves(api, manager, admin_user):
    client = api.as_(manager)
    assert client.post(f"/api/users/{admin_user.pk}/block/").status_code == 403
    assert client.post(f"/api/users/{manager.pk}/block/").status_code == 403
    assert User.objects.filter(is_active=False).count() == 0


def test_admin_blocks_a_manager(api, admin_user, manager):
    assert api.as_(admin_user).post(f"/api/users/{manager.pk}/block/").status_code == 200
    assert User.objects.get(pk=manager.pk).is_active is False


def test_the_users_api_answers_json_even_to_our_pages(page, manager, owner):
    """One users screen: the users page (web/manage_views.py); the API has no HTML face."""
    page.as_(manager)
    listing = page.get("/api/users/")
    assert listing["Content-Type"] == "application/json"
    assert {row["email"]: row["mailings_count"] for row in listing.json()["results"]}[owner.email] == 0
    assert page.post(f"/api/users/{owner.pk}/block/").json()["is_active"] is False
