from datetime import timedelta

from django.urls import reverse
from django.utils import timezone


def titles(response):
    return [post.title for post in response.context["posts"]]


def test_list_shows_published_posts_newest_first_ten_per_page(client, make_post, settings):
    settings.SITE_URL = "https://mail.example.com"
    now = timezone.now()
    for day in range(12):
        make_post(f"Day {day}", published_at=now - timedelta(days=day))
    make_post("Draft", published=False)

    first = client.get(reverse("blog:list"))
    assert titles(first) == [f"Day {day}" for day in range(10)]
    second = client.get(reverse("blog:list"), {"page": 2})
    assert titles(second) == ["Day 10", "Day 11"]
    assert 'rel="canonical" href="https://mail.example.com/blog/?page=2"' in second.content.decode()
    assert client.get(reverse("blog:list"), {"page": 3}).status_code == 404


def test_empty_blog_says_so(client, db):
    response = client.get(reverse("blog:list"))
    assert response.status_code == 200
    assert "No posts yet." in response.content.decode()
