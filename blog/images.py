"""Cover images: what an upload must be, and where it is stored."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image

# Formats every browser shows, and the extension a stored file gets for each.
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
NOT_AN_IMAGE = _("The file is not an image (or it is damaged). Upload a JPEG, PNG, GIF or WebP picture.")


def _image_format_and_size(file) -> tuple[str, tuple[int, int]]:
    file.seek(0)
    try:
        with Image.open(file) as image:
            fmt, size = image.format, image.size
            image.verify()
    except Image.DecompressionBombError:
        raise ValidationError(
            _("The image has far too many pixels; the limit is %(max_width)s x %(max_height)s."),
            code="too_big_dimensions",
            params={"max_width": settings.BLOG_COVER_MAX_WIDTH, "max_height": settings.BLOG_COVER_MAX_HEIGHT},
        ) from None
    except Exception:  # Pillow raises many types for garbage; all mean "not an image"
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
    finally:
        file.seek(0)
    return fmt, size


def validate_cover(file) -> None:
    """A real JPEG/PNG/GIF/WebP picture within the size and dimension limits from the settings."""
    if getattr(file, "_committed", False):
        return  # already stored, so checked when it was uploaded
    max_bytes = settings.BLOG_COVER_MAX_BYTES
    if file.size > max_bytes:
        raise ValidationError(
            _("The image is too large (%(size)s); the limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(max_bytes)},
        )
    fmt, (width, height) = _image_format_and_size(file)
    if fmt not in FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted; upload a JPEG, PNG, GIF or WebP picture."),
            code="bad_format",
            params={"format": fmt},
        )
    max_width, max_height = settings.BLOG_COVER_MAX_WIDTH, settings.BLOG_COVER_MAX_HEIGHT
    if width > max_width or height > max_height:
        raise ValidationError(
            _("The image is %(width)s x %(height)s pixels; the limit is %(max_width)s x %(max_height)s."),
            code="too_big_dimensions",
            params={"width": width, "height": height, "max_width": max_width, "max_height": max_height},
        )


def cover_upload_to(instance, filename: str) -> str:
    """A fresh random name (never the uploader's), with the extension of the real format."""
    try:
        # forms.ImageField leaves the picture it checked on the uploaded file.
        image = getattr(instance.cover.file, "image", None)
    except ValueError:  # saved from code with no form in between
        image = None
    extension = FORMATS.get(image.format) if image is not None else None
    if extension is None:
        suffix = PurePath(filename).suffix.lower().lstrip(".")
        extension = suffix if suffix in FORMATS.values() else "img"
    return f"blog/covers/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"
