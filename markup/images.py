"""Uploaded pictures: what an upload must be to be shown on our pages or in
mail, and the name it is stored under. Blog covers and message images follow
this one rule, each with limits of its own."""

import io
import uuid
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

# Formats every browser and mail client shows, and the extension a stored file gets for each.
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
NOT_AN_IMAGE = _("The file is not an image (or it is damaged). Upload a JPEG, PNG, GIF or WebP picture.")


def _image_format_and_size(file, *, max_width: int, max_height: int) -> tuple[str, tuple[int, int]]:
    file.seek(0)
    try:
        with Image.open(file) as image:
            fmt, size = image.format, image.size
            image.verify()
    except Image.DecompressionBombError:
        raise ValidationError(
            _("The image has far too many pixels; the limit is %(max_width)s x %(max_height)s."),
            code="too_big_dimensions",
            params={"max_width": max_width, "max_height": max_height},
        ) from None
    except Exception:  # Pillow raises many types for garbage; all mean "not an image"
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
    finally:
        file.seek(0)
    return fmt, size


def too_large(size: int, max_bytes: int) -> ValidationError:
    return ValidationError(
        _("The image is too large (%(size)s); the limit is %(limit)s."),
        code="too_large",
        params={"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
    )


def validate_image(file, *, max_bytes: int, max_width: int, max_height: int) -> tuple[str, int, int]:
    """Check that `file` is a real JPEG/PNG/GIF/WebP picture within the limits
    (SVG and anything else Pillow cannot decode is refused); returns the
    extension of its real format, its width and its height."""
    if file.size > max_bytes:
        raise too_large(file.size, max_bytes)
    fmt, (width, height) = _image_format_and_size(file, max_width=max_width, max_height=max_height)
    if fmt not in FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted; upload a JPEG, PNG, GIF or WebP picture."),
            code="bad_format",
            params={"format": fmt},
        )
    if width > max_width or height > max_height:
        raise ValidationError(
            _("The image is %(width)s x %(height)s pixels; the limit is %(max_width)s x %(max_height)s."),
            code="too_big_dimensions",
            params={"width": width, "height": height, "max_width": max_width, "max_height": max_height},
        )
    return FORMATS[fmt], width, height


_ORIENTATION = 0x0112


def _jpeg_without_app1(data: bytes) -> bytes:
    """The JPEG's bytes without its APP1 segments (Exif, XMP): the picture itself untouched."""
    kept, at = bytearray(data[:2]), 2
    while at + 4 <= len(data) and data[at] == 0xFF and data[at + 1] != 0xDA:  # up to the image data (SOS)
        end = at + 2 + int.from_bytes(data[at + 2 : at + 4], "big")
        if data[at + 1] != 0xE1:
            kept += data[at:end]
        at = end
    return bytes(kept + data[at:])


def jpeg_without_metadata(file) -> bytes | None:
    """A JPEG's bytes without the camera's metadata (Exif: the place a photo was
    taken, the camera, the time), or None when it has none. A photo the camera
    marked as turned is turned for real first (re-encoded), so it reads the
    same once the mark is gone; any other keeps its pixels byte for byte."""
    file.seek(0)
    with Image.open(file) as image:
        exif = image.getexif()
        if not exif and "xmp" not in image.info:
            file.seek(0)
            return None
        if exif.get(_ORIENTATION, 1) != 1:
            turned, out = ImageOps.exif_transpose(image), io.BytesIO()
            turned.save(out, format="JPEG", quality=90, icc_profile=image.info.get("icc_profile"))
            file.seek(0)
            return out.getvalue()
    file.seek(0)
    data = file.read()
    file.seek(0)
    return _jpeg_without_app1(data)


def extension_of(filename: str) -> str:
    """The extension a stored file keeps when its real format is not at hand."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS.values() else "img"


def stored_name(folder: str, extension: str) -> str:
    """A fresh random name under `folder` (never the uploader's): unguessable, so
    a picture's address can be handed out without a log-in."""
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"
