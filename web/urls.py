from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from web import account_views, images, manage_views, signup, views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    # Accounts
    path("accounts/signup/", account_views.SignUpView.as_view(), name="signup"),
    path("accounts/signup/done/", account_views.SignUpDoneView.as_view(), name="signup-done"),
    path("accounts/verify/<str:uidb64>/<str:token>/", account_views.VerifyEmailView.as_view(), name="verify-email"),
    path("accounts/verify/resend/", account_views.ResendVerificationView.as_view(), name="resend-verification"),
    path(
        "accounts/test-addresses/confirm/<str:token>/",
        account_views.ConfirmTestAddressView.as_view(),
        name="test-address-confirm",
    ),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/reset/", account_views.PasswordResetView.as_view(), name="password-reset"),
    path("accounts/password/reset/sent/", account_views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "accounts/password/reset/<str:uidb64>/<str:token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("accounts/password/change/", account_views.PasswordChangeView.as_view(), name="password-change"),
    path("accounts/profile/", account_views.ProfileView.as_view(), name="profile"),
    path("accounts/api-token/", account_views.ApiTokenCreateView.as_view(), name="api-token-create"),
    path("accounts/api-token/revoke/", account_views.ApiTokenRevokeView.as_view(), name="api-token-revoke"),
    path("accounts/delete/", account_views.DeleteAccountView.as_view(), name="account-delete"),
    # User screens for managers and admins
    path("manage/users/", manage_views.UserListView.as_view(), name="manage-users"),
    path("manage/users/new/", manage_views.UserCreateView.as_view(), name="manage-user-create"),
    path("manage/users/<int:pk>/edit/", manage_views.UserEditView.as_view(), name="manage-user-edit"),
    path("manage/users/<int:pk>/delete/", manage_views.UserDeleteView.as_view(), name="manage-user-delete"),
    path("manage/users/<int:pk>/block/", manage_views.UserBlockView.as_view(), name="manage-user-block"),
    # A public list's sign-up page (its form may also be posted from the owner's website) and its email's link.
    path("subscribe/confirm/<str:signed>/", signup.subscribe_confirm, name="subscribe-confirm"),
    path("subscribe/<str:token>/", signup.subscribe, name="subscribe"),
    # Images of Markdown messages, as mail clients load them (the random name is the only key).
    re_path(rf"^media/images/(?P<name>{images.NAME})$", images.message_image, name="message-image"),
    # Resource pages: the API's fragments fill their #content.
    path("mailings/", views.PAGES["mailings"], name="mailings"),
    path("mailings/<int:pk>/", views.MailingPageView.as_view(), name="mailing"),
    path("clients/", views.PAGES["clients"], name="clients"),
    path("lists/", views.PAGES["lists"], name="lists"),
    path("messages/", views.PAGES["messages"], name="messages"),
    path("reports/", views.PAGES["reports"], name="reports"),
    path("manager/mailings/", views.PAGES["manager-mailings"], name="manager-mailings"),
]
