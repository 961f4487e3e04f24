from django.db import models
from django.utils.translation import gettext_lazy as _


class TrackedLink(models.Model):
    """A link of a mailing's message whose clicks are counted. `position` is the
    link's number within its mailing, the one the redirect token carries: it
    never changes, so links sent before the message was edited still lead where
    they led."""

    mailing = models.ForeignKey(
        "core.Mailing", on_delete=models.CASCADE, related_name="tracked_links", verbose_name=_("mailing")
    )
    position = models.PositiveIntegerField(_("position"))
    url = models.TextField(_("address"))

    class Meta:
        verbose_name = _("tracked link")
        verbose_name_plural = _("tracked links")
        ordering = ["mailing", "position"]
        constraints = [models.UniqueConstraint(fields=["mailing", "position"], name="tracked_link_position_unique")]

    def __str__(self):
        return f"{self.mailing_id}#{self.position} {self.url}"


class LinkClick(models.Model):
    """A recipient (an attempt) following a tracked link: one row per recipient
    and link (a unique click), `total` counting every time they followed it."""

    attempt = models.ForeignKey("core.Attempt", on_delete=models.CASCADE, related_name="clicks")
    link = models.ForeignKey(TrackedLink, on_delete=models.CASCADE, related_name="clicks")
    first_at = models.DateTimeField(_("first click"))
    last_at = models.DateTimeField(_("last click"))
    total = models.PositiveIntegerField(_("clicks"), default=1)

    class Meta:
        verbose_name = _("click")
        verbose_name_plural = _("clicks")
        constraints = [models.UniqueConstraint(fields=["attempt", "link"], name="link_click_once_per_recipient")]
        indexes = [models.Index(fields=["link"], name="link_click_link_idx")]

    def __str__(self):
        return f"{self.attempt_id} → {self.link_id} x{self.total}"


class MessageOpen(models.Model):
    """A recipient's mail client loading the invisible image of the HTML part:
    approximate (clients that block images never count, those that fetch them
    ahead count without a reader)."""

    attempt = models.OneToOneField("core.Attempt", on_delete=models.CASCADE, related_name="open")
    first_at = models.DateTimeField(_("first open"))
    last_at = models.DateTimeField(_("last open"))
    total = models.PositiveIntegerField(_("opens"), default=1)

    class Meta:
        verbose_name = _("open")
        verbose_name_plural = _("opens")

    def __str__(self):
        return f"{self.attempt_id} x{self.total}"
