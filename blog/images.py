"""Cover images: the shared rule for uploaded pictures (`markup.images`) with
the blog's limits, and where a cover is stored."""

from django.conf import settings

from markup.images import FORMATS, extension_of, stored_name, validate_image


def validate_cover(file) -> None:
    """A real JPEG/PNG/GIF/WebP picture within the size and dimension limits from the settings."""
    if getattr(file, "_committed", False):
        return  # already stored, so checked when it was uploaded
    validate_image(
        file,
        max_bytes=settings.BLOG_COVER_MAX_BYTES,
        max_width=settings.BLOG_COVER_MAX_WIDTH,
        max_height=settings.BLOG_COVER_MAX_HEIGHT,
    )


def cover_upload_to(instance, filename: str) -> str:
    """A fresh random name (never the uploader's), with the extension of the real format."""
    try:
        # forms.ImageField leaves the picture it checked on the uploaded file.
        image = getattr(instance.cover.file, "image", None)
    except ValueError:  # saved from code with no form in between
        image = None
    extension = FORMATS.get(image.format) if image is not None else None
    return stored_name("blog/covers", extension or extension_of(filename))
