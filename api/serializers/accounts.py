"""Serializers of the account API (/api/auth/). Kept apart from the views:
djoser imports the token serializer while its own views module loads."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import Throttled, ValidationError

from core.models import User
from core.services.accounts.login import LoginRefused, login_check
from core.validators import validate_display_name


def as_api_error(error: DjangoValidationError, rename: dict[str, str] | None = None) -> ValidationError:
    detail = serializers.as_serializer_error(error)
    for old, new in (rename or {}).items():
        if old in detail:
            detail[new] = detail.pop(old)
    return ValidationError(detail)


class RegistrationSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField(max_length=150, validators=[validate_display_name])
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    time_zone = serializers.CharField(max_length=64, help_text=_("An IANA time zone name, e.g. Europe/Berlin."))
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("Of your mailings' unsubscribe line; without it, the language of the request (Accept-Language)."),
    )


class CurrentUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "time_zone", "language", "reply_to", "email_verified_at", "date_joined"]
        read_only_fields = ["id", "email", "email_verified_at", "date_joined"]


class UidAndTokenSerializer(serializers.Serializer):
    uid = serializers.CharField()
    token = serializers.CharField()


class PasswordResetConfirmSerializer(UidAndTokenSerializer):
    new_password = serializers.CharField(write_only=True, style={"input_type": "password"})


class EmailSerializer(serializers.Serializer):
    email = serializers.EmailField()


class TokenLoginSerializer(serializers.Serializer):
    """Refuses wrong passwords, unverified and blocked accounts (the latter two
    said only to someone with the right password), and answers 429 while
    django-axes has the account or the address locked out."""

    email = serializers.CharField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})

    def validate(self, attrs):
        try:
            self.user = login_check(request=self.context["request"], email=attrs["email"], password=attrs["password"])
        except LoginRefused as refused:
            if refused.code == "locked_out":
                raise Throttled(detail=refused.message) from None
            raise ValidationError({"non_field_errors": [refused.message]}, code=refused.code) from None
        return attrs
