"""Settings for the API benchmark: the real settings, plus one trivial endpoint
to compare against, and throttling high enough not to count."""

import os

os.environ.setdefault("API_THROTTLE_USER", "100000000/minute")
os.environ.setdefault("API_THROTTLE_ANON", "100000000/minute")

from core.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api.urls"
LOGGING["loggers"]["django.request"] = {"level": "ERROR"}  # noqa: F405
