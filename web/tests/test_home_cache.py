"""The home page's figures and posts are cached, change as soon as the numbers
or the posts change, and one user's numbers never reach another's page.

Transactional tests: the versions move on when a write commits."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from core.models import Client, Mailing
from core.services.mailings import mailing_set_active
from core.tests.factories import ClientFactory, MailingFactory
from web.tests.test_home import figure

pytestmark = pytest.mark.django_db(transaction=True)


def figures(client):
    response = client.get(reverse("home"))
    return figure(response, "total"), figure(response, "active"), figure(response, "unique_clients")


def post(title, **extra):
    return Post.objects.create(
        title=title, slug=title.lower(), body="x", is_published=True, published_at=timezone.now(), **extra
    )


def test_figures_are_served_from_the_cache(client, owner, django_assert_max_num_queries):
    MailingFactory(owner=owner, status="running")
    client.force_login(owner)
    figures(client)
    # Writes that bypass the signals show that the numbers come from the cache.
    Mailing.objects.update(is_active=False)
    assert figures(client) == (1, 1, 0)
    with django_assert_max_num_queries(4):  # session, user and its two permission look-ups; no figures
        client.get(reverse("home"))


def test_new_and_deleted_mailings_and_clients_show_at_once(client, owner):
    client.force_login(owner)
    assert figures(client) == (0, 0, 0)
    mailing = MailingFactory(owner=owner, status="running", clients=[ClientFactory(owner=owner, email="a@example.com")])
    assert figures(client) == (1, 1, 1)
    ClientFactory(owner=owner, email="b@example.com")
    assert figures(client)[2] == Client.objects.filter(owner=owner).count()
    mailing_set_active(mailing=mailing, active=False, by=owner)
    assert figures(client)[:2] == (1, 0)
    mailing.delete()
    assert figures(client)[:2] == (0, 0)


def test_site_wide_figures_follow_every_users_changes(client, owner, other_user):
    assert figures(client)[0] == 0
    MailingFactory(owner=owner)
    assert figures(client)[0] == 1
    MailingFactory(owner=other_user)
    assert figures(client)[0] == 2


def test_no_users_numbers_reach_another_users_page(client, owner, other_user, manager):
    MailingFactory(owner=owner)
    MailingFactory.create_batch(3, owner=other_user)
    client.force_login(owner)
    assert figures(client)[0] == 1
    client.force_login(other_user)
    assert figures(client)[0] == 3
    client.force_login(manager)
    assert figures(client)[0] == 4
    client.logout()
    assert figures(client)[0] == 4
    client.force_login(owner)
    assert figures(client)[0] == 1


def test_one_users_change_leaves_the_others_cached_numbers_alone(client, owner, other_user):
    MailingFactory(owner=other_user, status="running")
    client.force_login(other_user)
    figures(client)
    Mailing.objects.filter(owner=other_user).update(is_active=False)  # unseen: bypasses the signals
    MailingFactory(owner=owner)
    assert figures(client)[:2] == (1, 1)


def test_a_change_shows_once_it_commits(client, owner):
    client.force_login(owner)
    figures(client)
    with transaction.atomic():
        MailingFactory(owner=owner)
        assert figures(client)[0] == 0  # not before it commits
    assert figures(client)[0] == 1


def test_published_post_appears_and_unpublished_one_leaves(client, db):
    assert "No posts yet." in client.get(reverse("home")).content.decode()
    hello = post("Hello")
    assert "Hello" in client.get(reverse("home")).content.decode()
    hello.is_published = False
    hello.save()
    assert "Hello" not in client.get(reverse("home")).content.decode()


def test_three_posts_drawn_from_the_cached_pool(client, db, django_assert_max_num_queries):
    for number in range(5):
        post(f"Post{number}")
    client.get(reverse("home"))
    with django_assert_max_num_queries(0):
        html = client.get(reverse("home")).content.decode()
    assert sum(f">Post{number}</a>" in html for number in range(5)) == 3


@pytest.mark.parametrize("seconds", [30])
def test_scheduled_post_appears_when_its_time_comes(client, db, seconds, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    Post.objects.create(
        title="Later",
        slug="later",
        body="x",
        is_published=True,
        published_at=timezone.now() + timezone.timedelta(seconds=seconds),
    )
    assert "Later" not in client.get(reverse("home")).content.decode()
    time_machine.shift(seconds + 2)
    assert "Later" in client.get(reverse("home")).content.decode()
