"""Test sends of a message, from the message and from the mailing (core.services.proofs):
to the asker's own address or a confirmed test address of theirs, rendered for a chosen
client or a sample one.

JSON: 202 with where it went; 400 with field messages, or `detail` when the
message cannot be built; 429 with Retry-After past the hourly limit. Our pages
get the test-send form back (templates/api/_send_test.html): what happened
under the button, and a toast when it went — a refusal is the form's message
(400), as htmx swaps no 429."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled

from api.serializers.proof_sends import TestSendSerializer, TestSentSerializer
from core.services import proofs


def send_test_schema(what: str):
    return extend_schema(
        summary=f"Send a test of the {what} to yourself or a test address",
        description="The message as the chosen client (`client`) — or a sample client — would get it, with "
        "“[Test]” before its subject, goes to your own address, or to `recipient` when it is one of your "
        "confirmed test addresses (any other address: 400, nothing sent); the unsubscribe line names no working "
        "link. It "
        "is not an attempt: no run or report counts it. At most TEST_SENDS_PER_HOUR (10) an hour, to all your "
        "addresses together; past that 429 "
        "with Retry-After. 400 with `detail` when the message cannot be built.",
        request=TestSendSerializer,
        responses={202: TestSentSerializer, 400: OpenApiResponse(description="Invalid, or cannot be built.")},
    )


class SendTestMixin:
    """`_send_test(message, clients)` for a viewset's `send-test` action."""

    __test__ = False
    quiet_actions = frozenset({"send_test"})  # changes nothing on the page: no `<resource>-changed` event

    def _send_test(self, message, clients):
        """Send a test of `message` as one of `clients` would get it; our pages
        get the test-send form back with what happened."""
        context = {"test_clients": clients.order_by("pk")[:50]}
        incoming = TestSendSerializer(data=self.request.data, context={"clients": clients})
        if not incoming.is_valid():
            return self._test_answer(incoming.errors, status.HTTP_400_BAD_REQUEST, context)
        client = incoming.validated_data.get("client")
        recipient = incoming.validated_data.get("recipient") or None
        context.update(test_chosen=getattr(client, "pk", None), test_recipient=recipient)
        try:
            sent = proofs.send_test(message=message, to=self.request.user, client=client, recipient=recipient)
        except proofs.SendTestRefused as refused:
            if refused.field is not None:
                return self._test_answer({refused.field: [refused.message]}, status.HTTP_400_BAD_REQUEST, context)
            if refused.retry_after is not None and not self.html_face():
                raise Throttled(wait=refused.retry_after, detail=refused.message) from None
            return self._test_answer({"detail": refused.message}, status.HTTP_400_BAD_REQUEST, context)
        toast = _("A test was sent to %(address)s.") % {"address": sent.recipient}
        body = TestSentSerializer({"detail": str(toast), **vars(sent)}).data
        return self._test_answer(body, status.HTTP_202_ACCEPTED, context, toast=toast)

    def _test_answer(self, body, code, context, toast=None):
        return self.answer(body, self.fragment("send_test", data=body, status=code, toast=toast, **context))
