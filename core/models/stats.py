from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _


def owners_date(moment: datetime, time_zone: str) -> date:
    """The date of `moment` in its owner's time zone: the one day rule of every report."""
    return moment.astimezone(ZoneInfo(time_zone)).date()


class RunStats(models.Model):
    """Rollup of one run (occurrence) of a mailing, kept by the statistics cron job
    so that report pages never aggregate millions of attempts on the fly."""

    mailing = models.ForeignKey("core.Mailing", on_delete=models.CASCADE, related_name="run_stats")
    run_at = models.DateTimeField(_("run"))
    # The run's date in its owner's time zone when it ran, fixed then: a later
    # change of the owner's zone never moves a run to another day.
    day = models.DateField(_("day"))
    # A run that sends earlier failures again (its attempts carry `resend_of`).
    is_resend = models.BooleanField(_("resend"), default=False)
    planned = models.PositiveIntegerField(_("planned"), default=0)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    pending = models.PositiveIntegerField(_("pending"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    # Accepted by the mail server, then reported undeliverable by a later bounce (not in `sent`).
    bounced = models.PositiveIntegerField(_("bounced"), default=0)
    # Clients this run reached: sent by it, or (a scheduled run) by a resend of it later.
    reached = models.PositiveIntegerField(_("reached"), default=0)
    first_attempt_at = models.DateTimeField(_("first attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    # Set whenever an attempt of this run changes (planning, sending, resending);
    # the statistics job recounts only stale runs, then clears the mark.
    stale = models.BooleanField(_("needs recounting"), default=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("run statistics")
        verbose_name_plural = _("run statistics")
        ordering = ["-run_at"]
        constraints = [models.UniqueConstraint(fields=["mailing", "run_at"], name="runstats_unique")]
        indexes = [
            models.Index(fields=["mailing"], condition=models.Q(stale=True), name="runstats_stale_idx"),
            models.Index(fields=["mailing", "day"], name="runstats_mailing_day_idx"),
        ]

    def __str__(self):
        return f"{self.mailing_id}@{self.run_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.day is None:
            self.day = owners_date(self.run_at, self.mailing.owner.time_zone)
        super().save(*args, **kwargs)


class RunListStats(models.Model):
    """Rollup of one run per targeted list: the run's attempts whose client the
    list held when the run was planned (`AttemptSource`), counted with the run.
    A client on two of the lists counts in both."""

    run = models.ForeignKey(RunStats, on_delete=models.CASCADE, related_name="list_stats")
    client_list = models.ForeignKey("core.ClientList", on_delete=models.CASCADE, related_name="+")
    planned = models.PositiveIntegerField(_("planned"), default=0)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    pending = models.PositiveIntegerField(_("pending"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    # Sent by the run, or (a scheduled run) by a resend of it later.
    reached = models.PositiveIntegerField(_("reached"), default=0)

    class Meta:
        verbose_name = _("run statistics by list")
        verbose_name_plural = _("run statistics by list")
        constraints = [models.UniqueConstraint(fields=["run", "client_list"], name="runliststats_unique")]

    def __str__(self):
        return f"{self.run_id} / list {self.client_list_id}"


class DailyStats(models.Model):
    """Rollup of a mailing's attempts per day: the sum of the runs whose `day` it
    is (the run's date in the owner's time zone when it ran; a retry after
    midnight still counts for the day its run was planned)."""

    mailing = models.ForeignKey("core.Mailing", on_delete=models.CASCADE, related_name="daily_stats")
    day = models.DateField(_("day"))
    sent = models.PositiveIntegerField(_("sent"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    pending = models.PositiveIntegerField(_("pending"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("daily statistics")
        verbose_name_plural = _("daily statistics")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["mailing", "day"], name="dailystats_unique")]
        indexes = [models.Index(fields=["day"], name="dailystats_day_idx")]

    def __str__(self):
        return f"{self.mailing_id}@{self.day}"
