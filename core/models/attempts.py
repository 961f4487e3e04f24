from django.db import models
from django.utils.translation import gettext_lazy as _


class AttemptStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SUCCESS = "success", _("Sent")
    FAILURE = "failure", _("Failed")
    SKIPPED = "skipped", _("Skipped")


# Attempts still to be sent (or being sent): the one definition of "open".
OPEN_ATTEMPT_STATUSES = (AttemptStatus.PENDING, AttemptStatus.SENDING)


class Attempt(models.Model):
    """One recipient of one occurrence (`run_at`) of a mailing.

    The unique (mailing, client, run_at) row is what makes a send happen at
    most once: planning the same run twice creates nothing new, and a row is
    claimed (status `sending` with a lease) before its message leaves.
    """

    mailing = models.ForeignKey(
        "core.Mailing", on_delete=models.CASCADE, related_name="attempts", verbose_name=_("mailing")
    )
    client = models.ForeignKey(
        "core.Client", on_delete=models.RESTRICT, related_name="attempts", verbose_name=_("client")
    )
    run_at = models.DateTimeField(_("run"))
    status = models.CharField(_("status"), max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.PENDING)
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    attempted_at = models.DateTimeField(_("last try at"), null=True, blank=True)
    next_try_at = models.DateTimeField(_("next try at"), null=True, blank=True)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # The token of the dispatcher's claim that holds (or last held) the row: a
    # dispatcher writes a result only where its own token still stands (fencing).
    claim = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    smtp_code = models.PositiveSmallIntegerField(_("server reply code"), null=True, blank=True)
    server_response = models.TextField(_("server reply"), blank=True)
    # Set on the attempts of a resend run: the scheduled run whose failure this
    # attempt sends again. The failed attempt itself is never touched.
    resend_of = models.DateTimeField(_("resend of the run"), null=True, blank=True)
    # A delivery-status notification that came back later for a message the
    # server accepted (status `success`): the reports count the attempt as
    # bounced, not sent. Its status code (RFC 3463) and the reported diagnostic.
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True, editable=False)
    bounce_status = models.CharField(
        _("bounce status"), max_length=16, blank=True, default="", db_default="", editable=False
    )
    bounce_diagnostic = models.TextField(_("bounce diagnostic"), blank=True, default="", db_default="", editable=False)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["-run_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mailing", "client", "run_at"], name="attempt_once_per_run"),
            models.CheckConstraint(condition=models.Q(status__in=AttemptStatus.values), name="attempt_status_valid"),
        ]
        indexes = [
            # The dispatcher claims open attempts in (next_try_at, id) order.
            models.Index(
                fields=["next_try_at", "id"],
                condition=models.Q(status__in=OPEN_ATTEMPT_STATUSES),
                name="attempt_claim_order_idx",
            ),
            models.Index(fields=["mailing", "run_at", "status"], name="attempt_mailing_run_idx"),
            models.Index(fields=["mailing", "attempted_at"], name="attempt_mailing_time_idx"),
            models.Index(
                fields=["mailing", "resend_of", "status"],
                condition=models.Q(resend_of__isnull=False),
                name="attempt_resend_idx",
            ),
        ]

    def __str__(self):
        return f"{self.mailing_id}/{self.client_id}@{self.run_at:%Y-%m-%d %H:%M} {self.status}"
