from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from blog.sitemaps import SITEMAPS
from blog.views import robots_txt
from web import locale

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("blog/", include("blog.urls")),
    # Site-wide discovery files for search engines (blog, issue 7).
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    path("i18n/setlang/", locale.set_language, name="set_language"),
    path("", include("web.mail_urls")),  # the addresses in the mail we send
    path("", include("web.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "api.not_found.not_found"
