"""The placeholders a message may use, checked when the message is saved with
the parser the dispatcher fills them in with (`core.dispatch.rendering.Template`):
a message that saves is a message that can be sent."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.dispatch.rendering import RenderError, Template
from core.models import Message

ALLOWED = ", ".join("{" + name + "}" for name in Message.PLACEHOLDERS)
_SAMPLE = {"full_name": "Name", "email": "name@example.com"}


def validate_placeholders(text: str) -> None:
    """Refuse a subject or body whose placeholders would fail every send, naming
    the placeholders allowed."""
    template = Template(text)
    if template.unknown:
        raise ValidationError(
            _("Unknown placeholder %(names)s. Use only %(allowed)s; {{ and }} write a brace."),
            code="unknown_placeholder",
            params={"names": ", ".join("{" + name + "}" for name in template.unknown), "allowed": ALLOWED},
        )
    try:
        template.render(_SAMPLE)
    except RenderError:
        # a stray brace, or a placeholder with a format or conversion after its name
        raise ValidationError(
            _("A brace without its pair or a malformed placeholder: use only %(allowed)s; {{ and }} write a brace."),
            code="malformed_placeholder",
            params={"allowed": ALLOWED},
        ) from None
