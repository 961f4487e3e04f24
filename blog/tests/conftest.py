import io
import os
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from blog.models import Post


@pytest.fixture
def make_post(db):
    """A post; published (a day ago) unless told otherwise."""

    def make(title="A post", *, published=True, **extra):
        extra.setdefault("body", "Some *Markdown* text.")
        if published:
            extra.setdefault("published_at", timezone.now() - timedelta(days=1))
        return Post.objects.create(title=title, is_published=published, **extra)

    return make


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(size=(64, 48), fmt="PNG", color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def noise_png(side: int) -> bytes:
    """A valid PNG of random pixels: it does not compress (about 3 bytes a pixel)."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, format="PNG")
    return buffer.getvalue()
