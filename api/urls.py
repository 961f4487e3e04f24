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
router.register("clients", ClientViewSet, basename="client")
router.register("lists", ListViewSet, basename="list")
router.register("messages", MessageViewSet, basename="message")
router.register("mailings", MailingViewSet, basename="mailing")
router.register("attempts", AttemptViewSet, basename="attempt")
router.register("reports", ReportViewSet, basename="report")
router.register("users", UserViewSet, basename="user")
router.register("images", MessageImageViewSet, basename="image")
router.register("test-addresses", TestAddressViewSet, basename="test-address")

urlpatterns = [
    path("auth/", include("api.auth_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own (the CSP allows no inline script).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
