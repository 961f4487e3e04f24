"""/api/auth/: djoser's account endpoints, only the ones the service offers."""

from django.urls import path

from api.accounts import AccountViewSet, TokenLoginView, TokenLogoutView

app_name = "auth"

urlpatterns = [
    path("users/", AccountViewSet.as_view({"post": "create"}), name="register"),
    path(
        "users/me/",
        AccountViewSet.as_view({"get": "me", "put": "me", "patch": "me", "delete": "me"}),
        name="me",
    ),
    path("users/activation/", AccountViewSet.as_view({"post": "activation"}), name="activation"),
    path("users/resend_activation/", AccountViewSet.as_view({"post": "resend_activation"}), name="resend-activation"),
    path("users/reset_password/", AccountViewSet.as_view({"post": "reset_password"}), name="reset-password"),
    path(
        "users/reset_password_confirm/",
        AccountViewSet.as_view({"post": "reset_password_confirm"}),
        name="reset-password-confirm",
    ),
    path("users/set_password/", AccountViewSet.as_view({"post": "set_password"}), name="set-password"),
    path("token/login/", TokenLoginView.as_view(), name="token-login"),
    path("token/logout/", TokenLogoutView.as_view(), name="token-logout"),
]
