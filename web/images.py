"""Message images as mail clients load them: no log-in, no session, no CSRF;
the random name is the only key (`core.models.MessageImage`). Served by the
site itself, so an address on SITE_URL works wherever the site runs; a
front proxy may serve MEDIA_ROOT/images/ at /media/images/ instead."""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from core.models.images import IMAGE_FOLDER
from markup.images import CONTENT_TYPES

NAME = r"\d{4}/\d{2}/[0-9a-f]{32}\.(?:png|jpg|gif|webp)"
YEAR = 365 * 24 * 3600


@csrf_exempt
@require_safe
def message_image(request, name):
    try:
        file = default_storage.open(f"{IMAGE_FOLDER}/{name}")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(file, content_type=CONTENT_TYPES[name.rsplit(".", 1)[1]])
    # A name is never used for other bytes: mail clients and proxies may keep it.
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
