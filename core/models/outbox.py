from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxEmail(models.Model):
    """An email the site itself sends (account emails), written in the same
    transaction as the change that asked for it and sent outside the request
    (`core/outbox.py`). The row is claimed (status `sending` with a lease)
    before its message leaves, so the after-commit sender and the cron job
    never both send it."""

    kind = models.CharField(_("kind"), max_length=50)
    recipient = models.EmailField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    # The whole message as built by its sender (a test of a mailing's message: built and signed as
    # the dispatcher builds it); sent as it is. Empty: built from the fields above.
    mime = models.TextField(_("message as sent"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    next_try_at = models.DateTimeField(_("next try at"), default=timezone.now)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_tried_at = models.DateTimeField(_("last try at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reason = models.TextField(_("server reply or error"), blank=True)
    # Who asked for it, when a user's action sent it (a test): their tests are counted by it,
    # whichever address each went to.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )

    class Meta:
        # Named apart from the mailing tables: account emails are the site's
        # bookkeeping, not an owner's data.
        db_table = "mail_outbox"
        verbose_name = _("outbox email")
        verbose_name_plural = _("outbox emails")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=OutboxStatus.values), name="outbox_status_valid"),
        ]
        indexes = [
            models.Index(
                fields=["next_try_at", "id"],
                condition=models.Q(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]),
                name="outbox_due_idx",
            ),
            # Sign-up emails to one address in the last day (core.services.signup's limit),
            # whatever the address's case, without reading the whole outbox.
            models.Index(
                Upper("recipient"),
                "created_at",
                condition=models.Q(kind__in=["signup_confirm", "signup_already"]),
                name="outbox_signup_recipient_idx",
            ),
        ]

    def __str__(self):
        return f"{self.kind} to {self.recipient} ({self.status})"
