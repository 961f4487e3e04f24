from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core.validators import validate_display_name, validate_sendable_address, validate_time_zone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    @classmethod
    def normalize_email(cls, email):
        return (email or "").strip().lower()

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("Users must have an email address.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("email_verified_at", timezone.now())
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who keeps clients, messages and mailings. Logs in by email.

    `is_active=False` means blocked (by a manager or an admin): no login, no
    API token, no sending. `email_verified_at` empty means the address was not
    confirmed yet: the account cannot log in until it is.
    """

    email = models.EmailField(
        _("email"), max_length=254, unique=True, error_messages={"unique": _("This email is already taken.")}
    )
    full_name = models.CharField(_("full name"), max_length=150, blank=True, validators=[validate_display_name])
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Of the unsubscribe line in your mailings, and of the site once you log in."),
    )
    reply_to = models.EmailField(
        _("reply-to address"),
        blank=True,
        validators=[validate_sendable_address],
        help_text=_("Where clients' replies to your mailings go (optional)."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Unticked means blocked: no login, no API access, no sending.")
    )
    block_reason = models.CharField(
        _("reason for blocking"),
        max_length=500,
        blank=True,
        help_text=_("Shown to the user when their log-in is refused, and in the users list."),
    )
    is_staff = models.BooleanField(_("staff"), default=False, help_text=_("Can log in to the admin site."))
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Moved on to log out every session at once (blocking): a session keeps the
    # hash of the password and this, and one that no longer matches is ended.
    session_epoch = models.PositiveIntegerField(_("session epoch"), default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), name="user_email_ci_unique", violation_error_message=_("This email is already taken.")
            ),
        ]
        permissions = [
            ("view_all_users", "Can see every user and their counts"),
            ("block_user", "Can block and unblock users"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = UserManager.normalize_email(self.email)

    def _session_hash(self, secret) -> str:
        # Django's own hash while the epoch is 0: sessions made before it existed stay valid.
        value = f"{self.password}:{self.session_epoch}" if self.session_epoch else self.password
        salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(salt, value, secret=secret, algorithm="sha256").hexdigest()

    def get_session_auth_hash(self):
        return self._session_hash(settings.SECRET_KEY)

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def tzinfo(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.time_zone)
