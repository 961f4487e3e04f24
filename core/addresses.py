"""What can go into a mail header or an SMTP envelope: one definition for the
validators that refuse bad input and the renderer that builds messages, so
whatever a form or the API accepts can be sent."""

from django.utils.encoding import punycode

# Everything str.splitlines() breaks on: a mail reader may break a header there.
LINE_BREAKS = frozenset("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def has_line_break(value: str) -> bool:
    return not LINE_BREAKS.isdisjoint(value)


def smtp_address(email: str) -> str:
    """The address as it goes into SMTP and headers (an IDNA domain);
    ValueError with the reason when it cannot be sent without SMTPUTF8."""
    if has_line_break(email):
        raise ValueError(f"{email!r} contains a line break")
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"{email!r} is not an email address")
    if not local.isascii():
        raise ValueError(f"{email!r} has a non-ASCII local part, which cannot be sent without SMTPUTF8")
    if not domain.isascii():
        try:
            domain = punycode(domain)
        except UnicodeError:
            raise ValueError(f"{email!r} has a domain that cannot be encoded") from None
    return f"{local}@{domain}"
