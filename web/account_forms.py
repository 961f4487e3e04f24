"""Forms of the account pages. They parse and present; the rules live in
core.services.accounts."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import roles
from core.models import User
from core.services.accounts.login import LoginRefused, login_check
from core.services.accounts.passwords import password_change, password_reset_complete
from core.time_zones import time_zone_names
from core.validators import validate_display_name


class BootstrapMixin:
    """Give every widget its Bootstrap class (templates/includes/form.html lays the fields out)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css


REGIONS = {
    "Africa": _("Africa"),
    "America": _("America"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic Ocean"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific Ocean"),
}


def utc_offset(zone: str, now: datetime) -> str:
    minutes = int(now.astimezone(ZoneInfo(zone)).utcoffset().total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02}:{abs(minutes) % 60:02}"


def time_zone_choices() -> list:
    """The zones core accepts, grouped by region, each with its UTC offset now
    ("Berlin (UTC+01:00)"), so a user finds theirs by city or by offset."""
    now = datetime.now(UTC)
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in time_zone_names() - {"UTC"}:
        region, place = name.split("/", 1)
        label = f"{place.replace('_', ' ').replace('/', ' / ')} ({utc_offset(name, now)})"
        groups.setdefault(region, []).append((name, label))
    return [("UTC", "UTC")] + [
        (REGIONS.get(region, region), sorted(groups[region], key=lambda choice: choice[1])) for region in sorted(groups)
    ]


def time_zone_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        initial=settings.TIME_ZONE,
        # static/js/app.js puts a search box before it, labelled with this.
        widget=forms.Select(attrs={"data-zone-search": _("Search by city or UTC offset")}),
        help_text=_("Mailings are scheduled and shown in this time zone."),
    )


class KeepCurrentTimeZoneMixin:
    """An account may hold a zone from before the list was narrowed (US/Eastern):
    offer it as it is rather than silently posting the list's first zone; core
    refuses it on save, next to the field, until another is chosen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.initial.get("time_zone")
        if current and current not in time_zone_names():
            field = self.fields["time_zone"]
            field.choices = [(current, current), *field.choices]


class SignUpForm(BootstrapMixin, forms.Form):
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        validators=[validate_display_name],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    time_zone = time_zone_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["time_zone"].widget.attrs["data-browser-zone"] = ""  # app.js preselects the browser's zone


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
    """The password page's form; Django's view keeps the page's own session."""

    def save(self, commit=True):
        password_change(user=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class ProfileForm(KeepCurrentTimeZoneMixin, BootstrapMixin, forms.ModelForm):
    time_zone = time_zone_field()

    class Meta:
        model = User
        fields = ["full_name", "time_zone", "language", "reply_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form from a page older than the field leaves the language as it is.
        self.fields["language"].required = False

    def clean_language(self):
        return self.cleaned_data["language"] or self.instance.language


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


class UserEditForm(KeepCurrentTimeZoneMixin, BootstrapMixin, forms.Form):
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, required=False, validators=[validate_display_name]
    )
    time_zone = time_zone_field()
    role = forms.ChoiceField(label=_("Role"), choices=roles.CHOICES, initial=roles.USER)


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
