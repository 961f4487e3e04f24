from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from web import unsubscribe

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("blog/", include("blog.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:token>/resubscribe/", unsubscribe.resubscribe, name="resubscribe"),
    path("", include("web.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
