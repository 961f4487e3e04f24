"""The site's settings plus the bench's URLconf (which adds the trivial view),
and API throttling high enough not to count. Used only by bench/web/run.py."""

import os

os.environ.setdefault("API_THROTTLE_USER", "100000000/minute")
os.environ.setdefault("API_THROTTLE_ANON", "100000000/minute")

from core.settings import *  # noqa: F403

ROOT_URLCONF = "bench.web.urls"
