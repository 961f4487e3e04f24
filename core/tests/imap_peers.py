"""A real IMAP server on loopback for tests: pymap's in-memory backend, whose
demo account (demouser / demopass) starts with a few messages in INBOX."""

import imaplib
import socket
import subprocess
import sys
import time
from pathlib import Path

from core.tests.smtp_peers import free_port

USER, PASSWORD = "demouser", "demopass"


class ImapPeer:
    def __init__(self):
        self.port = free_port()
        self._process: subprocess.Popen | None = None

    def url(self, *, user: str = USER, password: str = PASSWORD, folder: str = "INBOX") -> str:
        return f"imap://{user}:{password}@127.0.0.1:{self.port}/{folder}"

    def __enter__(self) -> "ImapPeer":
        command = [str(Path(sys.executable).parent / "pymap"), "--host", "127.0.0.1", "--port", str(self.port)]
        self._process = subprocess.Popen([*command, "dict", "--demo-data"], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    self.__exit__()
                    raise RuntimeError("the IMAP peer did not start") from None
                time.sleep(0.1)

    def __exit__(self, *exc) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)

    def client(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(USER, PASSWORD)
        imap.select("INBOX")
        return imap

    def append(self, raw: bytes) -> None:
        imap = self.client()
        imap.append("INBOX", None, None, raw)
        imap.logout()

    def messages(self) -> list[bytes]:
        """Every message in INBOX that is not deleted, as stored."""
        imap = self.client()
        uids = imap.uid("SEARCH", None, "UNDELETED")[1][0].split()
        found = [imap.uid("FETCH", uid, "(BODY.PEEK[])")[1][0][1] for uid in uids]
        imap.logout()
        return found
