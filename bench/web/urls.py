"""The site's URLs plus a trivial view, the yardstick of bench/web/run.py.
Only the bench's settings use this URLconf; the site never serves it."""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


def trivial_user(request):
    """The floor of any logged-in page: the session and the user are read."""
    return HttpResponse(request.user.email, content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench-trivial"),
    path("bench/trivial-user/", trivial_user, name="bench-trivial-user"),
    path("", include("core.urls")),
]
