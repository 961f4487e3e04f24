from django.core.management import call_command
from django.urls import reverse

from blog.models import Post
from core.models import Mailing
from core.tests.factories import ClientFactory, MailingFactory


def figure(response, name):
    html = response.content.decode()
    marker = f'data-figure="{name}">'
    start = html.index(marker) + len(marker)
    return int(html[start : html.index("<", start)].replace(",", ""))


def test_visitor_sees_site_wide_figures_and_posts(client, owner, other_user):
    MailingFactory(owner=owner, clients=[ClientFactory(owner=owner, email="a@example.com")])
    MailingFactory(owner=other_user, is_active=False, clients=[ClientFactory(owner=other_user, email="A@example.com")])
    Post.objects.create(title="Hello", slug="hello", body="x", is_published=True, published_at="2026-01-01T00:00Z")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert (figure(response, "total"), figure(response, "active"), figure(response, "unique_clients")) == (2, 1, 1)
    assert "Across the service" in response.content.decode()
    assert "Hello" in response.content.decode()


def test_user_sees_only_their_own_figures(client, owner, other_user):
    MailingFactory(owner=owner)
    MailingFactory.create_batch(3, owner=other_user)
    client.force_login(owner)
    response = client.get(reverse("home"))
    assert figure(response, "total") == 1
    assert "Your mailings" in response.content.decode()


def test_home_page_with_demo_data(client, db):
    call_command("seed_demo")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert figure(response, "total") == Mailing.objects.count()
    assert response.content.decode().count('class="card h-100"') == 3


def test_drafts_never_reach_the_home_page(client, db):
    Post.objects.create(title="Secret draft", slug="secret", body="x")
    response = client.get(reverse("home"))
    assert "Secret draft" not in response.content.decode()
    assert "No posts yet." in response.content.decode()
