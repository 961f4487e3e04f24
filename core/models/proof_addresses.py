from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.validators import validate_sendable_address

DUPLICATE_TEST_ADDRESS = _("You have already added this address.")


class TestAddressQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(verified_at__isnull=False)


class TestAddress(models.Model):
    """An address its owner may send tests of their messages to, besides their
    own: a colleague's inbox, a phone's mail app. It receives tests only once the
    person who reads it has confirmed it from the link emailed to it."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="test_addresses", verbose_name=_("owner")
    )
    email = models.EmailField(_("email"), max_length=254, validators=[validate_sendable_address])
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    verified_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    objects = TestAddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("test address")
        verbose_name_plural = _("test addresses")
        ordering = ["email", "id"]
        constraints = [
            models.UniqueConstraint(
                "owner",
                Lower("email"),
                name="test_address_unique_per_owner",
                violation_error_message=DUPLICATE_TEST_ADDRESS,
            ),
        ]

    def __str__(self):
        return self.email

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
