"""The site's 404 answer: under /api/ the JSON every API 404 is (`{"detail": …}`),
for a URL no route matches too (`/api/clients/abc/`); elsewhere Django's page."""

from django.http import JsonResponse
from django.views.defaults import page_not_found
from rest_framework.exceptions import NotFound


def not_found(request, exception):
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return page_not_found(request, exception)
