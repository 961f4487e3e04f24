"""The unsubscribe link of every mailing message. No login: the signed token is
the only key. POST is CSRF-exempt because mailbox providers send the RFC 8058
one-click POST without cookies or tokens; it changes nothing but the client's
own subscription, which the token proves. The page speaks the language of the
mailing's owner, the language the message's footer was written in."""

from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.models import UnsubscribeMethod
from core.services.deliverability import client_resubscribe, client_unsubscribe, read_unsubscribe_token


def _target(token):
    target = read_unsubscribe_token(token)
    if target is None:
        raise Http404
    return target


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    target = _target(token)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        client_unsubscribe(target=target, method=UnsubscribeMethod.ONE_CLICK if one_click else UnsubscribeMethod.LINK)
        target.client.refresh_from_db()
    return _page(request, target, token)


@never_cache
@csrf_exempt
@require_http_methods(["POST"])
def resubscribe(request, token):
    target = _target(token)
    client_resubscribe(target=target)
    target.client.refresh_from_db()
    return _page(request, target, token, resubscribed=True)


def _page(request, target, token, *, resubscribed=False):
    with translation.override(target.client.owner.language):
        context = {"client": target.client, "token": token, "resubscribed": resubscribed}
        return render(request, "web/unsubscribe.html", context)
