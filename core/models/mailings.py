from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Periodicity(models.TextChoices):
    ONCE = "once", _("Once")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class MailingStatus(models.TextChoices):
    CREATED = "created", _("Created")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class MailingDisplayStatus(models.TextChoices):
    """The one status vocabulary every face shows and filters by (pages, API,
    CSV, filters): the scheduler's status, or Disabled while the mailing is
    disabled, since nothing is sent then whatever the schedule says."""

    CREATED = MailingStatus.CREATED.value, MailingStatus.CREATED.label
    RUNNING = MailingStatus.RUNNING.value, MailingStatus.RUNNING.label
    FINISHED = MailingStatus.FINISHED.value, MailingStatus.FINISHED.label
    DISABLED = "disabled", _("Disabled")

    @classmethod
    def of(cls, *, status: str, is_active: bool) -> "MailingDisplayStatus":
        return cls(status) if is_active else cls.DISABLED

    @classmethod
    def lookup(cls, value: str) -> models.Q:
        """The mailings that show `value`."""
        return models.Q(is_active=False) if value == cls.DISABLED else models.Q(is_active=True, status=value)


class MailingQuerySet(models.QuerySet):
    def sendable(self) -> "MailingQuerySet":
        """The mailings that may send now: enabled, their owner not blocked."""
        return self.filter(Mailing.may_send_q())


class Mailing(models.Model):
    """One message sent to many clients, once or on a period.

    `status` and `next_run_at` belong to the scheduler: users never type them.
    `is_active=False` means disabled (by the owner or a manager): nothing is
    sent while disabled.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mailings", verbose_name=_("owner")
    )
    message = models.ForeignKey(
        "core.Message", on_delete=models.RESTRICT, related_name="mailings", verbose_name=_("message")
    )
    clients = models.ManyToManyField(
        "core.Client", through="core.MailingRecipient", related_name="mailings", verbose_name=_("clients")
    )
    lists = models.ManyToManyField(
        "core.ClientList", through="core.MailingTarget", related_name="mailings", verbose_name=_("lists")
    )
    start_at = models.DateTimeField(_("first send at"))
    end_at = models.DateTimeField(_("end at"), null=True, blank=True)
    periodicity = models.CharField(
        _("periodicity"), max_length=16, choices=Periodicity.choices, default=Periodicity.ONCE
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MailingStatus.choices, default=MailingStatus.CREATED, editable=False
    )
    is_active = models.BooleanField(_("enabled"), default=True)
    track_clicks = models.BooleanField(_("track clicks"), default=False)
    track_opens = models.BooleanField(_("track opens"), default=False)
    next_run_at = models.DateTimeField(_("next run at"), null=True, blank=True, editable=False)
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True, editable=False)
    # The run whose attempts are being created, in chunks; cleared when all exist.
    # A planner killed midway leaves it set, and the next pass completes the run.
    planning_run_at = models.DateTimeField(_("run being planned"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MailingQuerySet.as_manager()

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_at__isnull=True) | models.Q(end_at__gt=models.F("start_at")),
                name="mailing_end_after_start",
                violation_error_message=_("The end must be after the first send."),
            ),
            models.CheckConstraint(
                condition=models.Q(periodicity__in=Periodicity.values),
                name="mailing_periodicity_valid",
            ),
            models.CheckConstraint(condition=models.Q(status__in=MailingStatus.values), name="mailing_status_valid"),
        ]
        indexes = [
            models.Index(
                fields=["next_run_at"],
                condition=models.Q(is_active=True, next_run_at__isnull=False),
                name="mailing_due_idx",
            ),
            models.Index(fields=["owner", "status"], name="mailing_owner_status_idx"),
        ]
        permissions = [
            ("view_all_mailings", "Can see every user's mailings, attempts and reports"),
            ("toggle_any_mailing", "Can disable and enable any mailing"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.message.subject}" if self.message_id else f"#{self.pk}"

    @staticmethod
    def may_send_q(prefix: str = "") -> models.Q:
        """The one rule of which mailings may send (enabled, owner not blocked),
        as a condition on the mailing — or, with `prefix` ("mailing__"), on a row
        that points to one."""
        return models.Q(**{f"{prefix}is_active": True, f"{prefix}owner__is_active": True})

    @property
    def may_send(self) -> bool:
        return self.is_active and self.owner.is_active

    @property
    def display_status(self) -> MailingDisplayStatus:
        return MailingDisplayStatus.of(status=self.status, is_active=self.is_active)

    @property
    def is_finished(self) -> bool:
        """A finished mailing sends nothing more: sending now or disabling it means nothing."""
        return self.status == MailingStatus.FINISHED

    def clean(self):
        if self.start_at and self.end_at and self.end_at <= self.start_at:
            raise ValidationError({"end_at": _("The end must be after the first send.")}, code="end_before_start")


class MailingRecipient(models.Model):
    """A client on a mailing's list. A client still on a list cannot be deleted."""

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="recipients")
    client = models.ForeignKey("core.Client", on_delete=models.RESTRICT, related_name="recipient_of")

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [models.UniqueConstraint(fields=["mailing", "client"], name="recipient_unique")]

    def __str__(self):
        return f"{self.mailing_id} → {self.client_id}"
