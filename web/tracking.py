"""The tracked links and the open-tracking image of tracked mailings. No
login, no CSRF, no session of ours is written: the signed token is the only key,
and a token that is not genuine is a 404 (a redirect only ever leads to an
address of that mailing's own link table: never an open redirect)."""

import base64

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from core.services.tracking import record_click, record_open

# A transparent GIF of one pixel.
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@never_cache
@csrf_exempt
@require_GET
def follow_link(request, token):
    url = record_click(token)
    if url is None:
        raise Http404
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = "no-referrer"  # the token is the recipient's own
    return response


@never_cache
@csrf_exempt
@require_GET
def open_image(request, token):
    if not record_open(token):
        raise Http404
    return HttpResponse(PIXEL_GIF, content_type="image/gif")
