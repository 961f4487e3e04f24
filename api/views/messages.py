from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import StaticHTMLRenderer
from rest_framework.response import Response

from api.filters import MessageFilter
from api.renderers import JSONRenderer
from api.serializers.messages import MessagePreviewSerializer, MessageSerializer, PreviewQuerySerializer
from api.views.base import OwnedResourceViewSet
from api.views.proofs import SendTestMixin, send_test_schema
from core.dispatch.sending import preview_message
from core.models import MessageFormat
from core.selectors import clients_visible_to, messages_visible_to
from core.services.objects import message_delete, message_in_use, message_usage

CONFLICT = OpenApiResponse(description=_("A mailing sends the message; it was not deleted."))


@extend_schema_view(
    list=extend_schema(summary="List your messages"),
    retrieve=extend_schema(summary="One message"),
    create=extend_schema(
        summary="Write a message",
        description="Plain text, or Markdown (`format`: sent as HTML with a plain-text version). Subject and "
        "body may use {full_name} and {email}; the subject is one line.",
    ),
    update=extend_schema(summary="Change a message"),
    partial_update=extend_schema(summary="Change some fields of a message"),
    destroy=extend_schema(
        summary="Delete a message",
        description="Refused (409) while a mailing sends the message.",
        responses={204: None, 409: CONFLICT},
    ),
)
@extend_schema(tags=["messages"])
class MessageViewSet(SendTestMixin, OwnedResourceViewSet):
    """The subjects and bodies your mailings send."""

    resource = "messages"
    url_basename = "message"
    fragment_templates = {"send_test": "send_test"}
    serializer_class = MessageSerializer
    filterset_class = MessageFilter
    ordering_fields = ["subject", "created_at", "id"]
    visible_to = staticmethod(messages_visible_to)

    @classmethod
    def listed(cls, request):
        # whether a mailing sends the message (its row offers what to do instead of a refused delete)
        return super().listed(request).annotate(in_use=message_in_use())

    def perform_destroy(self, instance):
        message_delete(message=instance)

    @extend_schema(
        summary="Preview a message for a client",
        description="Subject and body as the client `client` (one of the message owner's clients) would read "
        "them, with the unsubscribe line; without `client`, for the owner's first client, or a sample one.",
        parameters=[OpenApiParameter("client", int, description="A client's id.")],
        responses=MessagePreviewSerializer,
    )
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        message, client, clients = self._preview_for()
        preview = preview_message(message, client, link=_("(their own link)"))
        body = {"client": getattr(client, "pk", None), "format": message.format, **vars(preview)}
        data = MessagePreviewSerializer(body).data
        return self.answer(data, self.fragment("preview", message, data=data, clients=clients[:50]))

    @extend_schema(
        summary="The HTML part of a Markdown message, as a document",
        description="The HTML part as the client `client` would get it (as in the preview), served as a page of "
        "its own for a sandboxed frame: its policy runs no script and loads nothing but images. 404 for a "
        "plain-text message, which has no HTML part.",
        parameters=[OpenApiParameter("client", int, description="A client's id.")],
        responses={(200, "text/html"): OpenApiResponse(description="The HTML document.")},
    )
    @action(detail=True, methods=["get"], url_path="preview-html", renderer_classes=[StaticHTMLRenderer])
    def preview_html(self, request, pk=None):
        message, client, _clients = self._preview_for()
        if message.format != MessageFormat.MARKDOWN:
            raise NotFound(_("A plain-text message has no HTML part."))
        preview = preview_message(message, client, link=_("(their own link)"))
        if preview.error is not None:
            raise NotFound(preview.error)
        response = Response(preview.html, content_type="text/html; charset=utf-8")
        # Its own policy: the layout's inline styles and the message's images (any https address, and the
        # images uploaded to this site wherever it runs), nothing else; framed by our pages only.
        site = urlsplit(settings.SITE_URL)
        response["Content-Security-Policy"] = (
            f"default-src 'none'; style-src 'unsafe-inline'; img-src https: data: {site.scheme}://{site.netloc}; "
            "sandbox; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
        )
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        if self.action == "preview_html" and response.status_code >= 400:
            # a refusal is said in JSON, as everywhere in the API; only the document is HTML
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def _preview_for(self):
        """The message, the client asked for (or the owner's first, or None), and the owner's clients."""
        message = self.get_object()
        query = PreviewQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        clients = clients_visible_to(self.request.user).filter(owner=message.owner_id).order_by("pk")
        chosen = query.validated_data.get("client")
        client = clients.filter(pk=chosen).first() if chosen else clients.first()
        if chosen and client is None:
            raise NotFound(_("No such client."))
        return message, client, clients

    @send_test_schema("message")
    @action(detail=True, methods=["post"], url_path="send-test")
    def send_test(self, request, pk=None):
        message = self.get_object()
        return self._send_test(message, clients_visible_to(request.user).filter(owner=message.owner_id))

    def fragment_context(self, name, obj, data, code):
        if name == "confirm_delete":
            return {"usage": message_usage(obj)}
        if name == "form":  # the body gets an "Insert image" control (for Markdown)
            return {"image_field": "body", "images_url": reverse("api:image-list")}
        return {}
