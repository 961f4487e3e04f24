"""The site's settings plus the bench's URLconf (which adds the trivial view).
Used only by bench/web/run.py."""

from core.settings import *  # noqa: F403

ROOT_URLCONF = "bench.web.urls"
