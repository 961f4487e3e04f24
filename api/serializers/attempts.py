"""Attempts: every send to every client, as a row."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers.common import LeanRowsMixin, _choice, _choices, _moment
from core.models import Attempt


class AttemptSerializer(LeanRowsMixin, serializers.ModelSerializer):
    lean_rows = True
    client_email = serializers.EmailField(source="client.email", read_only=True)

    class Meta:
        model = Attempt
        fields = [
            "id",
            "mailing",
            "client",
            "client_email",
            "run_at",
            "status",
            "tries",
            "attempted_at",
            "next_try_at",
            "smtp_code",
            "server_response",
            "bounced_at",
            "bounce_status",
            "bounce_diagnostic",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "bounced_at": {
                "help_text": _(
                    "When a delivery-status notification said that the message, accepted by the mail server, "
                    "could not be delivered after all; null if none came. Reports count the attempt as bounced."
                )
            },
            "bounce_status": {"help_text": _("The bounce's status code (RFC 3463), such as 5.1.1; empty if none.")},
            "bounce_diagnostic": {"help_text": _("What the receiving mail server said, as the bounce reports it.")},
        }

    _status = _choices(Attempt, "status")

    def row(self, attempt, zone):
        return {
            "id": attempt.pk,
            "mailing": attempt.mailing_id,
            "client": attempt.client_id,
            "client_email": attempt.client.email,
            "run_at": _moment(attempt.run_at, zone),
            "status": _choice(self._status, attempt.status),
            "tries": int(attempt.tries),
            "attempted_at": _moment(attempt.attempted_at, zone),
            "next_try_at": _moment(attempt.next_try_at, zone),
            "smtp_code": None if attempt.smtp_code is None else int(attempt.smtp_code),
            "server_response": str(attempt.server_response),
            "bounced_at": _moment(attempt.bounced_at, zone),
            "bounce_status": str(attempt.bounce_status),
            "bounce_diagnostic": str(attempt.bounce_diagnostic),
        }
