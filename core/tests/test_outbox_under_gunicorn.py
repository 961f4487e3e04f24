"""The issue's reproduction, reversed: gunicorn with two workers, a mail server
that accepts connections and never greets. Sign-ups, "send the link again"
and resets answer in under a second, and so does a page requested meanwhile;
once the server is back, one cron run delivers every email exactly once.

gunicorn and cron run as real processes against a database of their own (a
SQLite file this test migrates), so nothing here depends on the test
database's engine.
"""

import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

from core.tests.smtp_peers import SilentPeer, SmtpPeer

FAST = 1.0  # seconds
USERS = """
from django.utils import timezone
from core.models import User
User.objects.create_user("late@example.com", "pw-late-2026", full_name="Late")
User.objects.create_user("owner@example.com", "pw-owner-2026", full_name="Owner", email_verified_at=timezone.now())
"""


def manage(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, float]:
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "Accept": "application/json"} if body is not None else {}
    connection.request(method, path, json.dumps(body) if body is not None else None, headers)
    status = connection.getresponse().status
    connection.close()
    return status, time.monotonic() - started


@pytest.fixture
def site(tmp_path):
    """A migrated database with two accounts, its environment, and the SilentPeer as mail server."""
    database = tmp_path / "site.sqlite3"
    with SilentPeer() as mail_server:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "core.tests.gunicorn_settings",
            "DATABASE_URL": f"sqlite:///{database}",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "EMAIL_BACKEND": "smtp",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mail_server.port),
            "OUTBOX_CONNECT_TIMEOUT": "2",
            "OUTBOX_READ_TIMEOUT": "2",
            "OUTBOX_BACKOFF_SECONDS": "0",
            "API_THROTTLE_ANON": "1000/minute",
        }
        env.pop("REDIS_URL", None)
        manage(env, "migrate", "-v0")
        manage(env, "shell", "-c", USERS)
        yield env, database, mail_server


@pytest.fixture
def gunicorn(site, tmp_path):
    env, _, _ = site
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "core.wsgi", "--workers", "2", "--bind", "127.0.0.1:0"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while not (found := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text())):
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        port = int(found.group(1))
        while request(port, "GET", "/")[0] != 200:
            time.sleep(0.1)
        # Both workers' first requests (templates, URL resolvers) are not what is measured.
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda path: request(port, "GET", path), ["/", "/accounts/signup/"] * 4))
        yield port
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:  # a worker stuck in a request
            server.kill()
            server.wait(10)


def outbox_rows(database) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT recipient, status FROM mail_outbox ORDER BY id").fetchall()


def test_a_hanging_mail_server_slows_no_request_and_cron_delivers_each_email_once_it_is_back(site, gunicorn):
    env, database, mail_server = site
    account_requests = [
        *(
            (
                "/api/auth/users/",
                {"email": f"new{i}@example.com", "full_name": "New", "password": "pw-new-2026-x", "time_zone": "UTC"},
            )
            for i in range(3)
        ),
        ("/api/auth/users/resend_activation/", {"email": "late@example.com"}),
        ("/api/auth/users/reset_password/", {"email": "owner@example.com"}),
        ("/api/auth/users/reset_password/", {"email": "nobody@example.com"}),
    ]
    pages: list[tuple[int, float]] = []

    def pages_meanwhile():
        for _ in range(6):  # across the senders' 2-second wait on the silent server
            pages.append(request(gunicorn, "GET", "/"))
            time.sleep(0.3)

    reader = threading.Thread(target=pages_meanwhile)
    reader.start()
    # Three at a time: more than the two workers, as an anonymous flood would be.
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda item: request(gunicorn, "POST", *item), account_requests))
    reader.join()

    assert [status for status, _ in answers] == [201, 201, 201, 204, 204, 204]
    assert max(seconds for _, seconds in answers) < FAST, answers
    assert [status for status, _ in pages] == [200] * 6
    assert max(seconds for _, seconds in pages) < FAST, pages
    expected = ["new0@example.com", "new1@example.com", "new2@example.com", "late@example.com", "owner@example.com"]
    deadline = time.monotonic() + 20
    while any(status == "sending" for _, status in outbox_rows(database)):
        assert time.monotonic() < deadline, outbox_rows(database)
        time.sleep(0.1)
    rows = outbox_rows(database)
    assert sorted(recipient for recipient, _ in rows) == sorted(expected)
    assert {status for _, status in rows} == {"pending"}
    assert "cannot connect to the mail server" in manage(env, "outbox")

    mail_server.stop()
    with SmtpPeer(port=mail_server.port) as recovered:
        manage(env, "runcrons", "core.cron.OutboxJob", "--force")
        manage(env, "runcrons", "core.cron.OutboxJob", "--force")
        received = Counter(recovered.handler.recipients())
    assert received == Counter(expected)
    assert {status for _, status in outbox_rows(database)} == {"sent"}
