"""The bounce mailbox: IMAP (imaplib) or a local Maildir (the `mailbox` module).

Both give the unread messages one by one, delete the ones processed and mark
the ones left in place as seen (read, not deleted), so the next run does not
read them again. Any failure to reach or use the mailbox — refused, timed out,
bad login, no such folder or directory — raises MailboxUnavailable with the
reason.
"""

import contextlib
import imaplib
import mailbox
import ssl
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit


class MailboxUnavailable(Exception):
    """The bounce mailbox cannot be read now."""


def _reason(error) -> str:
    """Readable words from an imaplib error or reply (bytes in a list, often)."""
    words = error.args if isinstance(error, BaseException) else error
    words = [w.decode("utf-8", "replace") if isinstance(w, bytes) else str(w) for w in (words or [])]
    return " ".join(words) or error.__class__.__name__


class MaildirBox:
    def __init__(self, path: str):
        self.path = path
        self._box: mailbox.Maildir | None = None

    def __enter__(self) -> "MaildirBox":
        try:
            self._box = mailbox.Maildir(self.path, factory=None, create=False)
            self._box.keys()  # lists new/ and cur/: fails now if they cannot be read
        except (OSError, mailbox.Error) as exc:
            raise MailboxUnavailable(f"the Maildir {self.path} cannot be read: {exc}") from None
        return self

    def __exit__(self, *exc) -> None:
        self._box = None

    def unread(self) -> Iterator[tuple[str, bytes]]:
        for key in self._box.keys():  # noqa: SIM118 - a list made once: removing keys while iterating is safe
            try:
                message = self._box.get_message(key)
            except (KeyError, FileNotFoundError):  # taken meanwhile by another reader
                continue
            if "S" not in message.get_flags():
                yield key, message.as_bytes()

    def processed(self, key: str) -> None:
        self._box.discard(key)

    def left(self, key: str) -> None:
        message = self._box.get_message(key)
        message.set_subdir("cur")
        message.add_flag("S")
        self._box[key] = message


class ImapBox:
    def __init__(self, url: str, *, timeout: float):
        parts = urlsplit(url)
        self.secure = parts.scheme == "imaps"
        self.host = parts.hostname
        self.port = parts.port or (993 if self.secure else 143)
        self.user, self.password = unquote(parts.username or ""), unquote(parts.password or "")
        self.folder = unquote(parts.path.lstrip("/")) or "INBOX"
        self.timeout = timeout
        self._imap: imaplib.IMAP4 | None = None
        self._deleted = False

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}/{self.folder}"

    def _call(self, what: str, *args):
        """One IMAP command; anything but OK means the mailbox cannot be used."""
        try:
            kind, data = self._imap.uid(*args) if what == "uid" else getattr(self._imap, what)(*args)
        except (OSError, imaplib.IMAP4.error, EOFError) as exc:
            raise MailboxUnavailable(f"the IMAP mailbox {self.where} failed at {what}: {_reason(exc)}") from None
        if kind != "OK":
            raise MailboxUnavailable(f"the IMAP mailbox {self.where} refused {what}: {_reason(data)}")
        return data

    def __enter__(self) -> "ImapBox":
        try:
            if self.secure:
                context = ssl.create_default_context()
                self._imap = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context, timeout=self.timeout)
            else:
                self._imap = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxUnavailable(f"cannot connect to the IMAP server {self.host}:{self.port}: {exc}") from None
        try:
            self._call("login", self.user, self.password)
            self._call("select", self.folder)
        except MailboxUnavailable:
            self._drop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._deleted:
                self._call("expunge")
            self._call("logout")
        except MailboxUnavailable:
            self._drop()

    def _drop(self) -> None:
        with contextlib.suppress(OSError):
            self._imap.shutdown()

    def unread(self) -> Iterator[tuple[str, bytes]]:
        uids = self._call("uid", "SEARCH", None, "UNSEEN", "UNDELETED")[0].split()
        for uid in uids:
            data = self._call("uid", "FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in data if isinstance(item, tuple)), None)
            if raw is not None:
                yield uid.decode(), raw

    def processed(self, key: str) -> None:
        self._call("uid", "STORE", key, "+FLAGS.SILENT", r"(\Deleted)")
        self._deleted = True

    def left(self, key: str) -> None:
        self._call("uid", "STORE", key, "+FLAGS.SILENT", r"(\Seen)")


def open_mailbox(url: str, *, timeout: float) -> MaildirBox | ImapBox:
    parts = urlsplit(url)
    if parts.scheme == "maildir":
        return MaildirBox(unquote(parts.path))
    return ImapBox(url, timeout=timeout)
