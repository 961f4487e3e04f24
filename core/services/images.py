"""Pictures for Markdown messages: stored only when they are real pictures
within the limits, and kept while a message shows them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import ngettext
from PIL import Image

from core.models import Message, MessageImage
from core.services.objects import ObjectInUse
from markup.images import jpeg_without_metadata, validate_image


def image_create(*, owner, upload) -> MessageImage:
    """Store an uploaded picture for `owner` under a name of ours. Raises
    ValidationError ({"file": …}) for anything that is not a JPEG, PNG, GIF or
    WebP picture within the MESSAGE_IMAGE_MAX_* limits; nothing is stored then.
    A photo's Exif metadata (where it was taken, with what) is not kept: the
    picture is public."""
    try:
        extension, width, height = validate_image(
            upload,
            max_bytes=settings.MESSAGE_IMAGE_MAX_BYTES,
            max_width=settings.MESSAGE_IMAGE_MAX_WIDTH,
            max_height=settings.MESSAGE_IMAGE_MAX_HEIGHT,
        )
    except ValidationError as exc:
        raise ValidationError({"file": exc.error_list}) from None
    stripped = jpeg_without_metadata(upload) if extension == "jpg" else None
    content = upload
    if stripped is not None:
        content = ContentFile(stripped)
        with Image.open(content) as picture:  # a turned photo has swapped its sides
            width, height = picture.size
        content.seek(0)
    image = MessageImage(owner=owner, size=content.size, width=width, height=height)
    image.file.save(f"image.{extension}", content, save=False)
    try:
        image.save()
    except BaseException:
        image.file.delete(save=False)
        raise
    return image


def messages_showing(image: MessageImage):
    """The owner's messages whose body holds the picture's address."""
    return Message.objects.filter(owner=image.owner_id, body__contains=image.file.name).order_by("pk")


def image_delete(*, image: MessageImage) -> None:
    """Delete a picture and its file, refusing while a message of its owner
    shows it (mail already sent keeps loading it; a message still to be sent
    would go out with a broken picture)."""
    messages = list(messages_showing(image)[:6])
    if messages:
        names = ", ".join(f"“{message}”" for message in messages[:5]) + ("…" if len(messages) > 5 else "")
        raise ObjectInUse(
            ngettext(
                "The message %(messages)s shows this image. Take it out of the message first.",
                "The messages %(messages)s show this image. Take it out of them first.",
                len(messages),
            )
            % {"messages": names},
            code="image_in_use",
        )
    image.delete()  # its file goes after the commit (core.signals)
