"""Delivering rendered messages: our own SMTP path, or Django's mail backend.

`SmtpTransport` keeps one `smtplib` connection open across messages (and
batches), reconnects after `reconnect_after` messages or when the connection
broke, talks MAIL/RCPT/DATA itself so that every recipient's reply is kept, and
applies explicit connect and read timeouts and an optional rate limit.
`DjangoTransport` hands messages to whatever `EMAIL_BACKEND` is configured when
it is not SMTP (file, console, locmem), so development and tests need no server.
"""

import email.message
import re
import smtplib
import ssl
import time
from collections.abc import Callable
from email import message_from_bytes

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.utils import DNS_NAME
from django.utils.translation import gettext_noop

from core.dispatch.config import DispatchConfig
from core.dispatch.outcomes import Kind, Outcome, ServerFault, Stage, from_error, from_reply
from core.dispatch.rendering import Rendered

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


def dot_stuffed(data: bytes) -> bytes:
    """The DATA payload: leading dots doubled, ended by CRLF . CRLF (RFC 5321 4.5.2)."""
    data = _LEADING_DOT.sub(b"..", data)
    return data + (b".\r\n" if data.endswith(b"\r\n") else b"\r\n.\r\n")


def _envelope(sender: str, recipient: str) -> str:
    return f"MAIL FROM:<{sender}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n"


def _at(stage: str, step, *args):
    """Run one SMTP step; an error raised by it carries the step's name."""
    try:
        return step(*args)
    except (smtplib.SMTPException, OSError) as exc:
        exc.stage = stage
        raise


class Pacer:
    """Keeps the sending rate at or below `rate` messages per second (0 = unlimited)."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_at = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if self.next_at > now:
            time.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = now + self.interval


class SmtpTransport:
    def __init__(
        self,
        config: DispatchConfig,
        *,
        host: str,
        port: int,
        username: str = "",
        password: str = "",
        use_tls: bool = False,
        use_ssl: bool = False,
    ):
        self.config = config
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.use_tls, self.use_ssl = use_tls, use_ssl
        self.pacer = Pacer(config.rate_limit)
        self._smtp: smtplib.SMTP | None = None
        self._sent_on_connection = 0
        self._pipelining = False
        self._ahead: tuple[str, str] | None = None  # (sender, recipient) of an envelope sent ahead

    @classmethod
    def from_settings(cls, config: DispatchConfig) -> "SmtpTransport":
        return cls(
            config,
            host=settings.EMAIL_HOST,
            port=settings.EMAIL_PORT,
            username=settings.EMAIL_HOST_USER,
            password=settings.EMAIL_HOST_PASSWORD,
            use_tls=settings.EMAIL_USE_TLS,
            use_ssl=settings.EMAIL_USE_SSL,
        )

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    def open(self) -> None:
        """Connect (and log in); raises ServerFault when the server cannot be used."""
        self.close()
        klass = smtplib.SMTP_SSL if self.use_ssl else smtplib.SMTP
        kwargs = {"context": ssl.create_default_context()} if self.use_ssl else {}
        stage = Stage.GREETING
        try:
            smtp = klass(local_hostname=str(DNS_NAME), timeout=self.config.connect_timeout, **kwargs)
            code, reply = smtp.connect(self.host, self.port)
            if code != 220:
                smtp.close()
                reply = from_reply(code, reply, stage=stage).response
                raise ServerFault(f"{self.server} refused the session: {reply}", code)
            smtp.sock.settimeout(self.config.read_timeout)
            stage = Stage.EHLO
            smtp.ehlo_or_helo_if_needed()
            if self.use_tls:
                stage = Stage.STARTTLS
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                stage = Stage.AUTH
                smtp.login(self.username, self.password)
        except smtplib.SMTPResponseException as exc:
            what = "the login" if stage == Stage.AUTH else "the session"
            reply = from_reply(exc.smtp_code, exc.smtp_error, stage=stage).response
            raise ServerFault(f"{self.server} refused {what}: {reply}", exc.smtp_code) from None
        except (smtplib.SMTPException, OSError) as exc:
            reason = str(exc) or exc.__class__.__name__
            raise ServerFault(f"cannot connect to the mail server {self.server}: {reason} (at {stage})") from None
        self._smtp, self._sent_on_connection = smtp, 0
        self._pipelining = smtp.has_extn("pipelining")

    def close(self) -> None:
        if self._ahead is not None:  # the server waits for a message's data: drop it unsent
            self.close_broken()
            return
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def send(
        self,
        envelope_from: str,
        message: Rendered,
        *,
        ready: Callable[[], None] | None = None,
        then: str | None = None,
        then_from: str | None = None,
    ) -> Outcome:
        """Send one message. `ready` is called when the server is about to take
        its data; if it raises, the connection is dropped before the end of the
        data (the server then discards the message, RFC 5321 3.8) and the error
        goes on. `then` is the recipient expected next: with PIPELINING its
        envelope goes out with this message's data (RFC 2920 3.1 lets message
        content open a command group), one round trip per message instead of
        two; `then_from` is its sender when not this message's (a VERP address
        per attempt). If the next message has another envelope after all, the
        connection is dropped first, so the envelope sent ahead never becomes a
        message.
        Raises ServerFault when (re)connecting fails or the server refuses our
        sending (see core.dispatch.outcomes)."""
        if self._ahead is not None and self._ahead != (envelope_from, message.recipient):
            self.close_broken()
        if self._smtp is None or self._sent_on_connection >= self.config.reconnect_after:
            self.open()
        self.pacer.wait()
        smtp = self._smtp
        self._sent_on_connection += 1
        if self.pacer.interval or self._sent_on_connection >= self.config.reconnect_after:
            then = None  # paced, or the connection's last message: nothing is sent ahead
        stage = Stage.MAIL
        try:
            if self._pipelining:
                ahead = None if then is None else (then_from or envelope_from, then)
                stage, code, reply = self._send_pipelined(smtp, envelope_from, message, ready, ahead)
            else:
                stage, code, reply = self._send_stepwise(smtp, envelope_from, message, ready)
            outcome = from_reply(code, reply, stage=stage)
        except (smtplib.SMTPException, OSError) as exc:
            outcome = from_error(exc, stage=getattr(exc, "stage", stage))
        except BaseException:
            self.close_broken()
            raise
        if outcome.broken:
            self.close_broken()
        elif outcome.kind is not Kind.SUCCESS and stage != Stage.END_OF_DATA:
            self._reset()  # (after the end of data the transaction is over: nothing to reset)
        if outcome.kind is Kind.SERVER_FAULT:
            raise ServerFault(f"{self.server} refused our sending: {outcome.response}", outcome.code)
        return outcome

    @staticmethod
    def _send_stepwise(smtp, envelope_from: str, message: Rendered, ready) -> tuple[Stage, int, bytes]:
        code, reply = _at(Stage.MAIL, smtp.mail, envelope_from)
        if code != 250:
            return Stage.MAIL, code, reply
        code, reply = _at(Stage.RCPT, smtp.rcpt, message.recipient)
        if code not in (250, 251):
            return Stage.RCPT, code, reply
        # DATA and the end of data answer different things: the command, then the message.
        code, reply = _at(Stage.DATA, smtp.docmd, "data")
        if code != 354:
            return Stage.DATA, code, reply
        if ready is not None:
            ready()
        _at(Stage.DATA, smtp.send, dot_stuffed(message.data))
        return (Stage.END_OF_DATA, *_at(Stage.END_OF_DATA, smtp.getreply))

    def _send_pipelined(
        self, smtp, envelope_from: str, message: Rendered, ready, then: tuple[str, str] | None
    ) -> tuple[Stage, int, bytes]:
        """MAIL, RCPT and DATA in one write, their replies read after (RFC 2920):
        the same reply for every step. Unless they went out ahead, with the
        previous message's data."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            _at(Stage.MAIL, smtp.send, _envelope(envelope_from, message.recipient))
        replies = [(stage, *_at(stage, smtp.getreply)) for stage in (Stage.MAIL, Stage.RCPT, Stage.DATA)]
        if replies[2][1] == 354:
            if replies[0][1] == 250 and replies[1][1] in (250, 251):
                if ready is not None:
                    ready()
                data = dot_stuffed(message.data)
                if then is not None:
                    data += _envelope(*then).encode("ascii")
                _at(Stage.DATA, smtp.send, data)
                self._ahead = then
                return (Stage.END_OF_DATA, *_at(Stage.END_OF_DATA, smtp.getreply))
            # DATA was accepted although a step before it failed: end an empty message.
            _at(Stage.DATA, smtp.send, b".\r\n")
            _at(Stage.DATA, smtp.getreply)
        for (stage, code, reply), expected in zip(replies[:2], ((250,), (250, 251)), strict=True):
            if code not in expected:
                return stage, code, reply
        return replies[2]  # MAIL and RCPT were fine: DATA itself was refused

    def _reset(self) -> None:
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close_broken()

    def close_broken(self) -> None:
        self._ahead = None
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


class _AsSent(email.message.Message):
    """A message parsed from the bytes the SMTP path sends, written out as exactly those bytes."""

    sent: bytes | None = None

    def as_bytes(self, *args, **kwargs) -> bytes:
        return self.sent if self.sent is not None else super().as_bytes(*args, **kwargs)


class RenderedEmail(EmailMessage):
    """A rendered message for Django's backends: its subject, body and recipient
    read as usual (the test outbox), but a backend that writes it out (file,
    console, a custom one) gets the very bytes SmtpTransport sends — the same
    headers (Reply-To, List-Unsubscribe, …) and footer — so what a developer
    inspects is what recipients get."""

    def __init__(self, envelope_from: str, rendered: Rendered):
        super().__init__(rendered.subject, rendered.body, envelope_from, [rendered.to])
        self.data = rendered.data

    def message(self):
        parsed = message_from_bytes(self.data, _class=_AsSent)
        parsed.sent = self.data
        return parsed


class DjangoTransport:
    """Sends through the configured Django backend (file, console, locmem, or a custom one)."""

    server = "the configured mail backend"

    def __init__(self, config: DispatchConfig):
        self.config = config
        self.pacer = Pacer(config.rate_limit)
        self._connection = None

    def open(self) -> None:
        self._connection = get_connection(fail_silently=False)
        try:
            self._connection.open()
        except Exception as exc:
            self._connection = None
            raise ServerFault(f"the mail backend cannot be opened: {exc}") from None

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def send(
        self,
        envelope_from: str,
        message: Rendered,
        *,
        ready: Callable[[], None] | None = None,
        then=None,
        then_from=None,
    ) -> Outcome:
        if self._connection is None:
            self.open()
        self.pacer.wait()
        if ready is not None:
            ready()
        try:
            self._connection.send_messages([RenderedEmail(envelope_from, message)])
        except Exception as exc:  # a custom backend may raise anything; the attempt records it
            return Outcome(Kind.TRANSIENT, None, f"the mail backend failed: {exc}")
        return Outcome(Kind.SUCCESS, None, gettext_noop("accepted by the mail backend"))


def transport_from_settings(config: DispatchConfig) -> SmtpTransport | DjangoTransport:
    if settings.EMAIL_BACKEND == SMTP_BACKEND:
        return SmtpTransport.from_settings(config)
    return DjangoTransport(config)
