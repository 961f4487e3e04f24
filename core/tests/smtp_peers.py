"""SMTP peers for the dispatch tests, all on 127.0.0.1 with a free port.

`SmtpPeer` is a real SMTP server (aiosmtpd) that records what it receives and
can be told to refuse some recipients (4xx/5xx), close with 421 after N
messages per connection, hang in DATA, answer every command slowly, or reject
logins. `ScriptedPeer` is a bare socket server for faults aiosmtpd cannot
produce: replies that are not SMTP, and a connection dropped in the middle of
DATA. `SilentPeer` accepts connections and never says a word.
"""

import asyncio
import email
import email.policy
import socket
import socketserver
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class PeerHandler:
    replies: dict[str, str] = field(default_factory=dict)  # recipient → RCPT reply instead of 250
    close_after: int | None = None  # 421 to MAIL FROM once this many messages came on one connection
    hang_seconds: float = 0  # wait this long before answering the end of DATA
    command_delay: float = 0  # wait this long before answering EHLO, MAIL, RCPT and DATA
    received: list[Received] = field(default_factory=list)
    connections: int = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        await asyncio.sleep(self.command_delay)
        self.connections += 1
        session.host_name = hostname
        session.messages = 0
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        await asyncio.sleep(self.command_delay)
        if self.close_after is not None and getattr(session, "messages", 0) >= self.close_after:
            return "421 4.7.0 Too many messages on one connection, closing"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(self.command_delay)
        if address in self.replies:
            return self.replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.command_delay)
        if self.hang_seconds:
            await asyncio.sleep(self.hang_seconds)
        session.messages = getattr(session, "messages", 0) + 1
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return f"250 2.0.0 Ok: queued as Q{len(self.received)}"

    def recipients(self) -> list[str]:
        return [rcpt for item in self.received for rcpt in item.rcpt_tos]


class SmtpPeer:
    """`port`: take over the port of a peer that stopped (a server coming back)."""

    def __init__(self, handler: PeerHandler | None = None, *, password: str | None = None, port: int | None = None):
        self.handler = handler or PeerHandler()
        self.port = port or free_port()
        options = {}
        if password is not None:
            options = {"authenticator": self._authenticate, "auth_required": True, "auth_require_tls": False}
        self.password = password
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **options)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        return AuthResult(success=auth_data.password.decode() == self.password, handled=False)

    def __enter__(self) -> "SmtpPeer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


class _ScriptedHandler(socketserver.StreamRequestHandler):
    def handle(self):
        mode = self.server.mode
        self.server.connections += 1
        self.wfile.write(b"220 scripted peer ready\r\n")
        rcpt_ok = False
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250-scripted peer\r\n250 PIPELINING\r\n")
            elif verb == b"MAIL":
                self.wfile.write(b"ZZZ this is not an SMTP reply\r\n" if mode == "garbage" else b"250 OK\r\n")
            elif verb == b"RCPT":
                rcpt_ok = mode != "reject"
                self.wfile.write(b"250 OK\r\n" if rcpt_ok else b"550 5.1.1 no such mailbox\r\n")
            elif verb == b"DATA":
                if not rcpt_ok:
                    self.wfile.write(b"554 5.5.1 no valid recipients\r\n")
                    continue
                self.wfile.write(b"354 go ahead\r\n")
                if mode == "drop":
                    self.rfile.read(64)  # part of the message, then the line goes dead
                    self.server.dropped += 1
                    return
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                self.server.received.append(b"".join(lines))
                self.wfile.write(b"250 OK queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


class ScriptedPeer(socketserver.ThreadingTCPServer):
    """Advertises PIPELINING. mode "accept": takes every message; "reject":
    refuses every recipient (550) and so DATA (554); "garbage": answers MAIL
    FROM with a line that is not SMTP; "drop": closes the connection in the
    middle of DATA."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode: str):
        super().__init__(("127.0.0.1", 0), _ScriptedHandler)
        self.mode = mode
        self.port = self.server_address[1]
        self.connections = 0
        self.dropped = 0
        self.received: list[bytes] = []

    def __enter__(self) -> "ScriptedPeer":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


@dataclass
class StagedHandler(PeerHandler):
    """A peer that refuses or drops at a chosen SMTP step. `sender_reply`
    answers every MAIL FROM (a relay that blocked our account); `data_replies`
    answers the end of data for some recipients (a mailbox found unknown only
    after the message); `drop_after_data` takes the whole message and closes the
    connection before its final reply (`dropped` keeps what it took).
    `pipelining` advertises PIPELINING: the client writes MAIL, RCPT and DATA at once."""

    sender_reply: str | None = None
    data_replies: dict[str, str] = field(default_factory=dict)
    drop_after_data: bool = False
    pipelining: bool = False
    mail_froms: list[str] = field(default_factory=list)  # every MAIL FROM address, refused or not
    dropped: list[Received] = field(default_factory=list)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        responses = await super().handle_EHLO(server, session, envelope, hostname, responses)
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mail_froms.append(address)
        if self.sender_reply is not None:
            return self.sender_reply
        return await super().handle_MAIL(server, session, envelope, address, mail_options)

    async def handle_DATA(self, server, session, envelope):
        if self.drop_after_data:
            self.dropped.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
            server.transport.close()
            return "421 4.3.0 never sent: the connection is closed"
        reply = self.data_replies.get(envelope.rcpt_tos[0])
        if reply is not None:
            return reply
        return await super().handle_DATA(server, session, envelope)


class SilentPeer:
    """Accepts connections and never greets: a mail server that hangs."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:  # closed
                return
            self.connections.append(conn)

    def __enter__(self) -> "SilentPeer":
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Close the port and every connection (again: nothing more happens)."""
        if self.listener.fileno() == -1:
            return
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone would not
        self.listener.close()
        for conn in self.connections:
            conn.close()


@dataclass
class RepeatRefusingHandler(PeerHandler):
    """A relay that deduplicates: a message for a recipient it has already taken
    is answered 451 at the end of DATA (and counted), as a greylisting or
    deduplicating relay would. Slow per message with `hang_seconds`."""

    repeats: int = 0
    taken: set[str] = field(default_factory=set)

    async def handle_DATA(self, server, session, envelope):
        if self.taken.intersection(envelope.rcpt_tos):
            self.repeats += 1
            return "451 4.7.1 Already delivered, try again later"
        self.taken.update(envelope.rcpt_tos)
        return await super().handle_DATA(server, session, envelope)


@dataclass
class HookedHandler(PeerHandler):
    """Calls `after_message(count)` once each message is taken, before answering
    it: lets a test make something happen at a chosen point of a batch."""

    after_message: object = None

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if self.after_message is not None:
            self.after_message(len(self.received))
        return answer


@dataclass
class FaultyHandler(PeerHandler):
    """A relay a test can make misbehave for its next `left` messages, each in
    one `mode`: "drop" closes the connection at MAIL FROM, "4xx" answers 451 at
    RCPT TO, "stall" holds DATA for `stall_seconds` (past the client's timeout)
    and then refuses it. Nothing refused or dropped counts as received. Counts
    each fault it made in `made`."""

    mode: str | None = None
    left: int = 0
    stall_seconds: float = 3.0
    made: dict[str, int] = field(default_factory=dict)

    def inject(self, mode: str, count: int) -> None:
        self.mode, self.left = mode, count

    def _take(self, mode: str) -> bool:
        if self.mode != mode or self.left <= 0:
            return False
        self.left -= 1
        self.made[mode] = self.made.get(mode, 0) + 1
        return True

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self._take("drop"):
            server.transport.abort()
            return "421 4.4.2 Connection dropped"
        return await super().handle_MAIL(server, session, envelope, address, mail_options)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self._take("4xx"):
            return "451 4.3.0 Temporary failure, try again later"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        if self._take("stall"):
            await asyncio.sleep(self.stall_seconds)
            return "451 4.4.1 Took too long"
        return await super().handle_DATA(server, session, envelope)
