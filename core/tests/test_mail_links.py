"""The addresses in the mail we send are the site's own, and a cron process
makes them without importing every page of the site first (that cost ~0.3 s
before each cron run's first message)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import resolve, reverse

from core.dispatch.tracking import TrackingUrls
from core.services.deliverability import UnsubscribeLinks


@pytest.mark.parametrize("name", ["unsubscribe", "resubscribe", "tracked-link", "tracked-open"])
def test_an_address_in_mail_is_answered_by_the_site_at_the_same_place(name):
    in_mail = reverse(name, kwargs={"token": "Ab-9_x"}, urlconf=settings.MAIL_URLCONF)

    assert in_mail == reverse(name, kwargs={"token": "Ab-9_x"})
    assert resolve(in_mail).func is resolve(in_mail, urlconf=settings.MAIL_URLCONF).func


def test_the_dispatchers_links_are_absolute_addresses_of_the_site(settings):
    settings.SITE_URL = "https://mail.example.com"

    assert UnsubscribeLinks().url("Tok") == "https://mail.example.com/unsubscribe/Tok/"
    tracking = TrackingUrls().for_attempt(255, [0], opens=True)
    assert tracking.links[0].startswith("https://mail.example.com/r/ff-0-")
    assert tracking.pixel.startswith("https://mail.example.com/o/ff-")


MAKE_LINKS = """
import sys, django
django.setup()
from core.dispatch.engine import Dispatcher
from core.dispatch.tracking import TrackingUrls
Dispatcher()
TrackingUrls().for_attempt(1, [0], opens=True)
print(sorted(name for name in ("core.urls", "api.urls", "web.urls", "web.views") if name in sys.modules))
"""


def test_a_dispatcher_makes_its_links_without_importing_the_sites_pages(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "core.settings", "DATABASE_URL": f"sqlite:///{tmp_path / 'db'}"}
    done = subprocess.run(
        [sys.executable, "-c", MAKE_LINKS], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
    )

    assert done.stdout.strip() == "[]"
