from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Trim
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from core.validators import validate_not_blank, validate_single_line


class MessageFormat(models.TextChoices):
    PLAIN = "plain", _("Plain text")
    MARKDOWN = "markdown", _("Markdown (sent as HTML with a plain-text version)")


class Message(models.Model):
    """The subject and body a mailing sends.

    The body (and subject) may use the placeholders {full_name} and {email},
    replaced per client when sending. A plain-text body is sent as written; a
    Markdown body as multipart/alternative: its plain text and its HTML.
    """

    PLACEHOLDERS = ("full_name", "email")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages", verbose_name=_("owner")
    )
    subject = models.CharField(_("subject"), max_length=255, validators=[validate_not_blank, validate_single_line])
    body = models.TextField(_("body"))
    format = models.CharField(_("format"), max_length=16, choices=MessageFormat, default=MessageFormat.PLAIN)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(Exact(Trim("subject"), Value(""))),
                name="message_subject_not_blank",
                violation_error_message=_("The subject must not be empty."),
            ),
            models.CheckConstraint(
                condition=~models.Q(subject__contains="\n") & ~models.Q(subject__contains="\r"),
                name="message_subject_single_line",
                violation_error_message=_("The subject must be a single line (no line breaks)."),
            ),
        ]

    def __str__(self):
        return self.subject
