from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Client(models.Model):
    """Someone who receives mailings. Clients belong to one user and are not users."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clients", verbose_name=_("owner")
    )
    email = models.EmailField(_("email"), max_length=254)
    full_name = models.CharField(_("full name"), max_length=255)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["email", "id"]
        constraints = [
            models.UniqueConstraint(
                "owner",
                Lower("email"),
                name="client_email_unique_per_owner",
                violation_error_message=_("You already have a client with this email."),
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
