from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api.views.attempts import AttemptViewSet
from api.views.clients import ClientViewSet
from api.views.images import MessageImageViewSet
from api.views.lists import ListViewSet
from api.views.mailings import MailingViewSet
from api.views.messages import MessageViewSet
from api.views.proof_addresses import TestAddressViewSet
from api.views.reports import ReportViewSet
from api.views.users import UserViewSet

app_name = "api"

router = DefaultRouter()
router.include_root_view = False
router.register("clients", ClientViewSet, basename=ClientViewSet.url_basename)
router.register("lists", ListViewSet, basename=ListViewSet.url_basename)
router.register("messages", MessageViewSet, basename=MessageViewSet.url_basename)
router.register("mailings", MailingViewSet, basename=MailingViewSet.url_basename)
router.register("attempts", AttemptViewSet, basename=AttemptViewSet.url_basename)
router.register("reports", ReportViewSet, basename=ReportViewSet.url_basename)
router.register("users", UserViewSet, basename=UserViewSet.url_basename)
router.register("images", MessageImageViewSet, basename=MessageImageViewSet.url_basename)
router.register("test-addresses", TestAddressViewSet, basename=TestAddressViewSet.url_basename)

urlpatterns = [
    path("auth/", include("api.auth_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own (the CSP allows no inline script).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
