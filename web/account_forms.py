"""Forms of the account pages. They parse and present; the rules live in
core.services.accounts."""

from functools import cache
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import roles
from core.models import User
from core.services.accounts import ADMIN, LoginRefused, login_check, password_reset_complete


class BootstrapMixin:
    """Give every widget its Bootstrap class (templates/includes/form.html lays the fields out)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones())]


def time_zone_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        initial=settings.TIME_ZONE,
        help_text=_("Mailings are scheduled and shown in this time zone."),
    )


class SignUpForm(BootstrapMixin, forms.Form):
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    time_zone = time_zone_field()


class LoginForm(BootstrapMixin, AuthenticationForm):
    """Email and password. Says why a log-in was refused (`refusal`) only as
    far as core.services.accounts.login_check allows."""

    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.refusal = None

    def clean(self):
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if email and password:
            try:
                self.user_cache = login_check(request=self.request, email=email, password=password)
            except LoginRefused as refused:
                self.refusal = refused.code
                raise ValidationError(refused.message, code=refused.code) from None
        return self.cleaned_data


class EmailForm(BootstrapMixin, forms.Form):
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class ResetPasswordForm(BootstrapMixin, SetPasswordForm):
    """The new password from a reset link (validated by Django's validators)."""

    def save(self, commit=True):
        password_reset_complete(user=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class ChangePasswordForm(BootstrapMixin, PasswordChangeForm):
    pass


class ProfileForm(BootstrapMixin, forms.ModelForm):
    time_zone = time_zone_field()

    class Meta:
        model = User
        fields = ["full_name", "time_zone", "reply_to"]


class DeleteAccountForm(BootstrapMixin, forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Type your password to confirm."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("This is not your password."), code="password_incorrect")
        return password


ROLE_CHOICES = [
    (roles.USER, _("User")),
    (roles.MANAGER, _("Manager")),
    (roles.CONTENT_MANAGER, _("Content manager")),
    (ADMIN, _("Admin")),
]


class UserEditForm(BootstrapMixin, forms.Form):
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    time_zone = time_zone_field()
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial=roles.USER)


class UserCreateForm(UserEditForm):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )


class BlockForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("The user reads it when their log-in is refused; managers see it in the users list."),
    )
