"""The public sign-up page of a list and the confirmation link it emails
(core.services.signup). No login; the pages speak the list owner's language,
the language of the emails they send."""

from django import forms
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.auth import client_address
from core.models import ClientList, ConsentSource
from core.services.signup import (
    SIGNUP_HONEYPOT,
    Confirmed,
    SignupLinkInvalid,
    SignupRefused,
    read_signup_link,
    signup_confirm,
    signup_request,
)
from core.validators import validate_not_blank, validate_single_line
from web.account_forms import BootstrapMixin


class SignupForm(BootstrapMixin, forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    full_name = forms.CharField(
        label=_("Name"),
        max_length=255,
        validators=[validate_not_blank, validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    website = forms.CharField(required=False, max_length=2000)  # SIGNUP_HONEYPOT: left empty by people


def public_list(token: str) -> ClientList:
    return get_object_or_404(ClientList.objects.select_related("owner"), signup_token=token, is_public=True)


def _source(request) -> tuple[str, str]:
    """Where the form was sent from: our own page, or a copy of its form on
    another website (named by the browser's Referer or Origin, when it sends one)."""
    seen = request.headers.get("Referer") or request.headers.get("Origin") or ""
    if seen and url_has_allowed_host_and_scheme(seen, allowed_hosts={request.get_host()}):
        return ConsentSource.PAGE, request.build_absolute_uri()
    url = seen if seen.startswith(("https://", "http://")) else ""
    return ConsentSource.SNIPPET, url[:2000]


@never_cache
# The owner's own website posts its copy of the form here, from another site, without our
# CSRF token. A forged post can do nothing but send the confirmation email (limited per
# address and per client address): nobody is put on a list until they open its link.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def subscribe(request, token):
    client_list = public_list(token)
    with translation.override(client_list.owner.language):
        context = {"client_list": client_list, "owner": client_list.owner, "honeypot": SIGNUP_HONEYPOT}
        if request.method == "GET":
            return render(request, "web/subscribe.html", {**context, "form": SignupForm()})
        form = SignupForm(request.POST)
        if not form.is_valid():
            return render(request, "web/subscribe.html", {**context, "form": form}, status=400)
        if form.cleaned_data[SIGNUP_HONEYPOT]:  # a bot: the answer a person gets, and nothing done
            return render(request, "web/subscribe.html", {**context, "sent": True})
        source, source_url = _source(request)
        try:
            signup_request(
                client_list=client_list,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                source=source,
                source_url=source_url,
                ip=client_address(request),
            )
        except SignupRefused as refused:
            response = render(request, "web/subscribe.html", {**context, "refused": refused.message}, status=429)
            response["Retry-After"] = str(refused.retry_after)
            return response
        return render(request, "web/subscribe.html", {**context, "sent": True})


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe_confirm(request, signed):
    """GET shows the question (mail scanners open links: that must change
    nothing); the button POSTs the answer."""
    try:
        pending = read_signup_link(signed)
    except SignupLinkInvalid as invalid:
        return render(request, "web/subscribe_confirm.html", {"invalid": invalid}, status=400)
    owner = pending.client_list.owner
    with translation.override(owner.language):
        context = {"pending": pending, "client_list": pending.client_list, "owner": owner}
        if request.method == "POST":
            outcome = signup_confirm(pending=pending, ip=client_address(request))
            context.update(
                confirmed=outcome == Confirmed.CONFIRMED,
                already=outcome == Confirmed.ALREADY,
                suppressed=outcome == Confirmed.SUPPRESSED,
            )
        return render(request, "web/subscribe_confirm.html", context)
