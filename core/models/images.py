from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from markup.images import extension_of, stored_name

IMAGE_FOLDER = "images"


def image_upload_to(instance, filename: str) -> str:
    # `filename` is ours too: the service names the upload after its real format.
    return stored_name(IMAGE_FOLDER, extension_of(filename))


class MessageImage(models.Model):
    """A picture its owner uploaded to put in Markdown messages. It is served
    from the site without a log-in (mail clients load it), under a random name
    no one can guess; `url` is its absolute address on SITE_URL."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="images", verbose_name=_("owner")
    )
    file = models.ImageField(_("file"), upload_to=image_upload_to)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("message image")
        verbose_name_plural = _("message images")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.file.name

    @property
    def url(self) -> str:
        """The absolute address mail clients load the picture from."""
        return settings.SITE_URL + self.file.url
