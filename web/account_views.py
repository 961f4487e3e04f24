"""Account pages: sign up, verify the address, log in and out, reset and
change the password, profile, delete the account."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView, UpdateView

from core.services.accounts.passwords import password_reset_request
from core.services.accounts.signup import VerificationLinkInvalid, user_register, user_verify_email, verification_resend
from core.services.accounts.tokens import api_token_create, api_token_of, api_token_revoke
from core.services.accounts.users import user_delete
from core.services.proof_addresses import TestAddressLinkInvalid, test_address_confirm, test_address_from_link
from web.account_forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    EmailForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignUpForm,
)


class AnonymousOnlyMixin:
    """Pages for people who are not logged in; a logged-in visitor goes home."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)


class SignUpView(AnonymousOnlyMixin, FormView):
    template_name = "accounts/signup.html"
    form_class = SignUpForm
    success_url = reverse_lazy("signup-done")

    def form_valid(self, form):
        try:
            # The language the person reads the site in is the one of their mailings' footer.
            user_register(**form.cleaned_data, language=translation.get_language())
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        # The same page whether the address was new or already registered.
        self.request.session["signup_email"] = form.cleaned_data["email"]
        return super().form_valid(form)


class SignUpDoneView(TemplateView):
    template_name = "accounts/signup_done.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        email = self.request.session.get("signup_email", "")
        context["email"] = email
        context["resend_form"] = EmailForm(initial={"email": email})
        return context


class VerifyEmailView(View):
    def get(self, request, uidb64, token):
        try:
            user_verify_email(uidb64=uidb64, token=token)
        except VerificationLinkInvalid as error:
            context = {"error": error.message, "resend_form": EmailForm()}
            return render(request, "accounts/verify_failed.html", context, status=400)
        messages.success(request, _("Your email address is confirmed. You can log in now."))
        return redirect("login")


class ConfirmTestAddressView(View):
    """The link emailed to a test address: a GET asks (mail scanners open links), the POST confirms.
    The signed link is the only key: whoever reads the address confirms it, logged in or not."""

    template_name = "accounts/test_address_confirm.html"

    def get(self, request, token):
        try:
            link = test_address_from_link(token=token)
        except TestAddressLinkInvalid as error:
            return render(request, self.template_name, {"error": error.message}, status=400)
        return render(request, self.template_name, {"address": link.address, "owner": link.owner})

    def post(self, request, token):
        try:
            address = test_address_confirm(token=token)
        except TestAddressLinkInvalid as error:
            return render(request, self.template_name, {"error": error.message}, status=400)
        context = {"address": address, "owner": address.owner, "confirmed": True}
        return render(request, self.template_name, context)


class ResendVerificationView(FormView):
    template_name = "accounts/resend_verification.html"
    form_class = EmailForm
    success_url = reverse_lazy("login")

    def get_initial(self):
        return {"email": self.request.GET.get("email", "")}

    def form_valid(self, form):
        verification_resend(email=form.cleaned_data["email"])
        messages.info(
            self.request,
            _(
                "If an account with this address is waiting for confirmation, a new link is on its way. "
                "Check your inbox."
            ),
        )
        return super().form_valid(form)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.refusal == "locked_out":
            response.status_code = 429
        return response


class PasswordResetView(FormView):
    template_name = "accounts/password_reset.html"
    form_class = EmailForm
    success_url = reverse_lazy("password-reset-done")

    def form_valid(self, form):
        password_reset_request(email=form.cleaned_data["email"])
        return super().form_valid(form)


class PasswordResetDoneView(TemplateView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(SuccessMessageMixin, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = ResetPasswordForm
    success_url = reverse_lazy("login")
    success_message = gettext_lazy("Your new password is set. You can log in with it now.")


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("profile")
    success_message = gettext_lazy("Your password has been changed.")


class ProfileView(LoginRequiredMixin, SuccessMessageMixin, UpdateView):
    template_name = "accounts/profile.html"
    form_class = ProfileForm
    success_url = reverse_lazy("profile")
    success_message = gettext_lazy("Your profile has been saved.")

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        # Said in the language just chosen, the one the next page speaks.
        translation.activate(form.instance.language)
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(api_token=api_token_of(self.request.user), **kwargs)


class ApiTokenCreateView(LoginRequiredMixin, View):
    """Issue a new API token and show its key, this once, on the profile page."""

    def post(self, request):
        token = api_token_create(user=request.user)
        context = {"form": ProfileForm(instance=request.user), "api_token": token, "new_token_key": token.key}
        response = render(request, "accounts/profile.html", context)
        # The key is a password: no cache or back button may bring it back.
        add_never_cache_headers(response)
        return response


class ApiTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request):
        if api_token_revoke(user=request.user):
            messages.success(request, _("Your API token has been revoked. Programs that used it are refused now."))
        return redirect("profile")


class DeleteAccountView(LoginRequiredMixin, FormView):
    template_name = "accounts/delete_account.html"
    form_class = DeleteAccountForm
    success_url = reverse_lazy("home")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        user = self.request.user
        counts = {
            "clients": user.clients.count(),
            "messages": user.messages.count(),
            "mailings": user.mailings.count(),
        }
        return super().get_context_data(counts=counts, **kwargs)

    def form_valid(self, form):
        user = self.request.user
        logout(self.request)
        user_delete(user=user, by=user)
        messages.success(self.request, _("Your account and all its data have been deleted."))
        return super().form_valid(form)
