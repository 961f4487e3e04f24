from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.models.stats import owners_date

if TYPE_CHECKING:
    from core.models.lists import ClientList


class ConsentSource(models.TextChoices):
    PAGE = "page", _("Sign-up page")
    SNIPPET = "snippet", _("Sign-up form on another website")
    API = "api", _("Added by the owner through the API")


class UnsubscribeMethod(models.TextChoices):
    LINK = "link", _("Unsubscribe page")
    ONE_CLICK = "one_click", _("One-click from the mailbox")


# One client per address and owner, whatever the letters' case: the rule is the constraint below;
# the check in the services and the API only says so before the database would.
DUPLICATE_EMAIL = _("You already have a client with this email.")


def client_email_taken(*, owner, email: str, exclude_pk: int | None = None) -> bool:
    others = Client.objects.filter(owner=owner, email__iexact=email)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


@dataclass(frozen=True)
class ClientMatch:
    """Clients chosen by a filter, not by id ("select all matching"): the
    filter is kept, and read against the owner's clients when it is used."""

    search: str = ""
    client_list: "ClientList | None" = None

    def clients(self, owner_id: int):
        return Client.objects.matching(owner=owner_id, search=self.search, client_list=self.client_list)


class ClientQuerySet(models.QuerySet):
    def search(self, text: str):
        """The clients whose email, name or comment contain `text` (any case):
        the one search of the clients page, the pickers and "all matching"."""
        if not text:
            return self
        return self.filter(
            models.Q(email__icontains=text) | models.Q(full_name__icontains=text) | models.Q(comment__icontains=text)
        )

    def on_list(self, client_list):
        """The clients on `client_list` (a list or its id)."""
        return self.filter(list_memberships__client_list=client_list)

    def matching(self, *, owner, search: str = "", client_list=None):
        """An owner's clients chosen by a filter rather than by id ("all
        matching"): those the search finds, on `client_list` when given."""
        clients = self.filter(owner=owner).search(search)
        return clients if client_list is None else clients.on_list(client_list)


class Client(models.Model):
    """Someone who receives mailings. Clients belong to one user and are not users."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clients", verbose_name=_("owner")
    )
    email = models.EmailField(_("email"), max_length=254)
    full_name = models.CharField(_("full name"), max_length=255)
    comment = models.TextField(_("comment"), blank=True)
    # Set only by the client (through the unsubscribe link); the owner sees it
    # but cannot clear it. No mailing of the owner sends to them while set.
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True, editable=False)
    unsubscribe_method = models.CharField(
        _("unsubscribed by"), max_length=16, choices=UnsubscribeMethod.choices, blank=True, editable=False
    )
    # Permanent "no such user" replies; at the configured count the address is suppressed.
    hard_bounces = models.PositiveSmallIntegerField(_("hard bounces"), default=0, editable=False)
    suppressed_at = models.DateTimeField(_("suppressed at"), null=True, blank=True, editable=False)
    suppression_reason = models.TextField(_("suppression reason"), blank=True, editable=False)
    # The latest consent to receive mail: when, how, from which page and which
    # address it was given. Written by the sign-up services only.
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True, editable=False)
    consent_source = models.CharField(
        _("consent given through"), max_length=16, choices=ConsentSource.choices, blank=True, editable=False
    )
    consent_url = models.URLField(_("consent page"), max_length=2000, blank=True, editable=False)
    consent_ip = models.GenericIPAddressField(_("consent given from"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["email", "id"]
        # A page of an owner's clients in their order (the clients page, the pickers' searches) reads the
        # index, not 100,000 clients sorted.
        indexes = [models.Index(fields=["owner", "email", "id"], name="client_owner_email_idx")]
        constraints = [
            models.UniqueConstraint(
                "owner",
                Lower("email"),
                name="client_email_unique_per_owner",
                violation_error_message=DUPLICATE_EMAIL,
            ),
            models.CheckConstraint(
                condition=models.Q(email__contains="@")
                & ~models.Q(email__startswith="@")
                & ~models.Q(email__endswith="@")
                & ~models.Q(email__contains=" "),
                name="client_email_has_at",
                violation_error_message=_("Enter a valid email address."),
            ),
        ]

    def __str__(self):
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email


class ClientEventKind(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    RESUBSCRIBED = "resubscribed", _("Subscribed again")
    SUPPRESSED = "suppressed", _("Suppressed")


class ClientEvent(models.Model):
    """What happened to a client's subscription, and through which mailing:
    the reports count unsubscribes and suppressions per mailing and per day."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="events")
    mailing = models.ForeignKey(
        "core.Mailing", on_delete=models.SET_NULL, null=True, blank=True, related_name="client_events"
    )
    kind = models.CharField(_("event"), max_length=16, choices=ClientEventKind.choices)
    at = models.DateTimeField(_("at"))
    # The day reports count it on, fixed when it happened: the owner's date then,
    # or the day of the run whose bounce caused it.
    day = models.DateField(_("day"))
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("client event")
        verbose_name_plural = _("client events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["mailing", "kind", "at"], name="clientevent_mailing_idx"),
            models.Index(fields=["mailing", "day"], name="clientevent_mailing_day_idx"),
        ]

    def __str__(self):
        return f"{self.client_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.day is None:
            at = self._meta.get_field("at").to_python(self.at)
            self.day = owners_date(at, self.client.owner.time_zone)
        super().save(*args, **kwargs)
