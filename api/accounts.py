"""The account API under /api/auth/ (djoser): sign-up, address verification,
token log-in and log-out, the current user, password reset and change.

Every rule runs in core.services.accounts, the same code the web pages call,
so an API user gets the same checks, the same answers and the same emails.
djoser's own activation would flip `is_active`, which here means "not
blocked"; ours sets `email_verified_at` and never unblocks anyone.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from djoser import views as djoser_views
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.serializers.accounts import (
    EmailSerializer,
    PasswordResetConfirmSerializer,
    RegistrationSerializer,
    UidAndTokenSerializer,
    as_api_error,
)
from core.services.accounts.emails import send_password_reset_email, send_verification_email
from core.services.accounts.passwords import (
    password_change,
    password_reset_complete,
    password_reset_request,
    password_reset_user,
)
from core.services.accounts.signup import VerificationLinkInvalid, user_register, user_verify_email, verification_resend
from core.services.accounts.users import user_delete


@extend_schema_view(
    create=extend_schema(summary="Sign up (a verification email follows)"),
    me=extend_schema(summary="Your own account: read, change or delete it"),
    set_password=extend_schema(summary="Change your password", responses={204: None}),
)
class AccountViewSet(djoser_views.UserViewSet):
    """djoser's user endpoints, each action handed to core.services.accounts."""

    def get_object(self):
        # Only /users/me/ names a user here, and it has no id in the URL; an
        # OPTIONS request (metadata) asks for the object without djoser's "me".
        if (self.lookup_url_kwarg or self.lookup_field) not in self.kwargs:
            return self.request.user
        return super().get_object()

    def get_serializer_class(self):
        if self.action == "create":
            return RegistrationSerializer
        if self.action == "activation":
            return UidAndTokenSerializer
        if self.action in ("resend_activation", "reset_password"):
            return EmailSerializer
        if self.action == "reset_password_confirm":
            return PasswordResetConfirmSerializer
        return super().get_serializer_class()

    @extend_schema(
        responses={
            201: inline_serializer(
                "RegistrationAnswer", {"email": serializers.EmailField(), "detail": serializers.CharField()}
            )
        }
    )
    def create(self, request, *args, **kwargs):
        """Sign up. The answer is the same whether or not the address is
        registered already (its owner gets an email instead)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user_register(**{"language": translation.get_language(), **serializer.validated_data})
        except DjangoValidationError as error:
            raise as_api_error(error) from None
        detail = _("Check your inbox: we sent a link to confirm the address before you can log in.")
        return Response({"email": serializer.validated_data["email"], "detail": detail}, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Verify the email address with the link's uid and token", responses={204: None})
    def activation(self, request, *args, **kwargs):
        """Confirm the address with the uid and token of the emailed link."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user_verify_email(uidb64=serializer.validated_data["uid"], token=serializer.validated_data["token"])
        except VerificationLinkInvalid as error:
            raise ValidationError({"token": [error.message]}, code=error.code) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Send the verification link again", responses={204: None})
    def resend_activation(self, request, *args, **kwargs):
        """Send a new verification link; 204 whether or not one was sent."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        verification_resend(email=serializer.validated_data["email"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Ask for a password reset email", responses={204: None})
    def reset_password(self, request, *args, **kwargs):
        """Email a password reset link; 204 whether or not the address is registered."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_request(email=serializer.validated_data["email"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Set a new password with the reset link's uid and token", responses={204: None})
    def reset_password_confirm(self, request, *args, **kwargs):
        """Set a new password with the uid and token of the emailed link."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = password_reset_user(uidb64=data["uid"], token=data["token"])
        if user is None:
            raise ValidationError({"token": [_("This link is invalid or has expired.")]}, code="invalid_token")
        try:
            password_reset_complete(user=user, password=data["new_password"])
        except DjangoValidationError as error:
            raise as_api_error(error, {"password": "new_password"}) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(["post"], detail=False)
    def set_password(self, request, *args, **kwargs):
        """Change your password (the current one and the new one). Every API
        token, this request's too, is revoked: log in again with the new
        password. Your other sessions end; the session of this request, if it
        has one, stays."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            password_change(user=request.user, password=serializer.validated_data["new_password"], request=request)
        except DjangoValidationError as error:
            raise as_api_error(error, {"password": "new_password"}) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_destroy(self, instance):
        user_delete(user=instance, by=self.request.user)


class _DjoserEmail:
    """djoser's email interface (`cls(request, context).send(to)`), answered
    with our own templates so that no djoser code path can send its stock
    emails. Our actions above call the services directly."""

    def __init__(self, request=None, context=None):
        self.user = (context or {})["user"]


class ActivationEmail(_DjoserEmail):
    def send(self, to, *args, **kwargs):
        send_verification_email(self.user)


class PasswordResetEmail(_DjoserEmail):
    def send(self, to, *args, **kwargs):
        send_password_reset_email(self.user)


@extend_schema_view(
    post=extend_schema(
        summary="Log in: exchange email and password for an API token",
        responses={200: inline_serializer("AuthToken", {"auth_token": serializers.CharField()})},
    )
)
class TokenLoginView(djoser_views.TokenCreateView):
    """Log in: djoser's token creation (axes counts every failure)."""


class TokenLogoutView(djoser_views.TokenDestroyView):
    """Log out: delete the caller's API token."""

    @extend_schema(summary="Log out: delete your API token", request=None, responses={204: None})
    def post(self, request):
        return super().post(request)
