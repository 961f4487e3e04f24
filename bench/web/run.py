"""Web latency and throughput under gunicorn on PostgreSQL, next to a trivial
Django view measured in the same run (benchmark, not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_web \\
        .venv/bin/python bench/web/run.py --page / --page /mailings/ \\
        --page "/mailings/,/api/mailings/?page=1"

Each --page is one page load: a comma-separated group of URLs fetched one after
the other (the shell, then the fragments it loads), timed as a whole. The URLs
after the first are sent as htmx sends them (`HX-Request`); a URL written
`hx:/api/…` is sent so even when it comes first (a fragment alone: a dialog's
form); one written `json:/api/…` asks for JSON (`Accept: application/json`), as
the client picker's search does. The size of the answers is printed per page load. The
script migrates the database, fills it with the demo data if it is empty, logs
in as --as (a session cookie, like a browser), starts gunicorn on loopback,
and drives it with --threads client threads until --requests page loads or
--seconds have passed, whichever comes first, per group. Throughput is
compared with a trivial view (no session, no database) and with the same view
reading the logged-in user (session and user look-ups: the floor of any
logged-in page), both served by the same gunicorn in the same run.

With --while-sending N every group (the trivial views too) is measured a
second time while another owner's N-recipient mailing is being sent by the
dispatcher into Postfix's smtp-sink (bench/dispatch), over and over: the
dispatcher's writes name only that owner, so the measured owner's cached pages
should stay warm. It needs REDIS_URL, the cache the dispatcher and gunicorn share.
"""

import argparse
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRIVIAL = "/bench/trivial/"
# Also measured: the same trivial view reading the session's user, the floor of any logged-in page.
TRIVIAL_USER = "/bench/trivial-user/"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--page", action="append", default=[], help="comma-separated URLs of one page load")
    parser.add_argument("--as", dest="email", default="alice@example.com", help="log in as this user")
    parser.add_argument("--requests", type=int, default=2000, help="page loads per group, at most")
    parser.add_argument("--seconds", type=float, default=20.0, help="time per group, at most")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--warmup", type=int, default=30, help="unmeasured page loads per group first")
    parser.add_argument(
        "--while-sending", type=int, default=0, metavar="N", help="also measure while another owner sends to N clients"
    )
    args = parser.parse_args()
    if not args.page:
        parser.error("give at least one --page")
    if args.while_sending and not os.environ.get("REDIS_URL"):
        parser.error("--while-sending needs REDIS_URL: the dispatcher's cache writes reach gunicorn only through it")
    return args


class Sending:
    """Another owner's mailing, sent again and again by the dispatcher into
    smtp-sink while a measurement runs (`with sending:`)."""

    def __init__(self, clients: int):
        sys.path.insert(0, str(ROOT))
        from bench.dispatch.run import Worker, ensure_sink, free_port, start_sink

        ensure_sink()
        port = free_port()
        self.sink = start_sink(port)
        self.worker = Worker(os.environ["DATABASE_URL"], port)
        self.mailing = self.worker.run("setup", clients, f"sender-{secrets.token_hex(4)}@bench.example")["mailing"]
        self.sent = 0
        self.process = None

    def _send_again_and_again(self) -> None:
        while self.running:
            self.worker.run("reset", self.mailing)
            self.worker.run("plan", self.mailing)
            self.process = self.worker.start("dispatch", self.mailing, time.time())
            output, _ = self.process.communicate()
            if self.process.returncode == 0:
                self.sent += json.loads(output.strip().splitlines()[-1])["sent"]

    def __enter__(self):
        self.running, self.sent = True, 0
        self.thread = threading.Thread(target=self._send_again_and_again)
        self.thread.start()
        time.sleep(3)  # the dispatcher has started and is sending
        return self

    def __exit__(self, *exc):
        self.running = False
        if self.process is not None:
            self.process.terminate()
        self.thread.join()

    def close(self) -> None:
        self.sink.terminate()
        self.sink.wait()


def prepare_environment():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the figures are meant for production's database.")
    os.environ.update(DJANGO_SETTINGS_MODULE="bench.web.settings", DEBUG="0", HTTPS="0", STATIC_STORAGE="plain")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")


def create_database():
    """Create the database DATABASE_URL names if it does not exist yet."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = config["NAME"]
    admin = psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def session_cookie(email: str) -> str:
    """Migrate, fill an empty database with the demo data, and log `email` in."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from core.models import User

    call_command("migrate", verbosity=0)
    if not User.objects.exists():
        call_command("seed_demo", verbosity=0)
    user = User.objects.get(email=email)
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "core.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--chdir",
        str(ROOT),
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, env=os.environ.copy())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _ = fetch(port, TRIVIAL, "")
            if status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not answer within 30 s")


def fetch(port: int, path: str, cookie: str, *, htmx: bool = False, json: bool = False) -> tuple[int, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie, "Host": "127.0.0.1"}
    if htmx:
        headers["HX-Request"] = "true"
    if json:
        headers["Accept"] = "application/json"
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, len(response.read())
    finally:
        connection.close()


def load_page(port: int, urls: list[str], cookie: str) -> int:
    """Fetch a page load's URLs in turn; return the bytes received."""
    received = 0
    for index, url in enumerate(urls):
        # The fragments after the shell are htmx requests, as the page's own are.
        wants_json = url.startswith("json:")
        htmx = not wants_json and (index > 0 or url.startswith("hx:"))
        status, size = fetch(port, url.removeprefix("hx:").removeprefix("json:"), cookie, htmx=htmx, json=wants_json)
        if status != 200:
            raise RuntimeError(f"{url} answered {status}")
        received += size
    return received


def measure(port: int, urls: list[str], cookie: str, args) -> dict:
    size = 0
    for _ in range(max(1, args.warmup)):
        size = load_page(port, urls, cookie)
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + args.seconds

    def worker():
        while time.perf_counter() < deadline:
            with lock:
                if len(timings) + len(errors) >= args.requests:
                    return
            begin = time.perf_counter()
            try:
                load_page(port, urls, cookie)
            except (RuntimeError, OSError) as exc:
                with lock:
                    errors.append(str(exc))
                continue
            with lock:
                timings.append(time.perf_counter() - begin)

    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    timings.sort()
    return {
        "loads": len(timings),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "p50": statistics.median(timings) * 1000 if timings else float("nan"),
        "p95": timings[max(0, int(len(timings) * 0.95) - 1)] * 1000 if timings else float("nan"),
        "per_second": len(timings) / elapsed,
        "kilobytes": size / 1000,
    }


def main():
    load = os.getloadavg()[0]
    args = parse_args()
    prepare_environment()
    create_database()
    cookie = session_cookie(args.email)
    sending = Sending(args.while_sending) if args.while_sending else None
    port = free_port()
    server = start_gunicorn(port, args.workers)
    try:
        groups = [[TRIVIAL], [TRIVIAL_USER], *([u.strip() for u in page.split(",") if u.strip()] for page in args.page)]
        results = [(group, measure(port, group, cookie, args)) for group in groups]
        if sending is not None:
            with sending:
                busy = [(group, measure(port, group, cookie, args)) for group in groups]
    except RuntimeError as exc:
        sys.exit(f"warm-up failed, nothing measured: {exc}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        if sending is not None:
            sending.close()

    busy_machine = " (above 1.5: a busy machine, not evidence)" if load > 1.5 else ""
    print(f"load average before the run: {load:.2f}{busy_machine}")
    print_results(results, args)
    if sending is not None:
        print(f"\nwhile another owner's {args.while_sending}-recipient mailing was sent ({sending.sent}+ messages):")
        print_results(busy, args)


def print_results(results, args) -> None:
    base = results[0][1]
    print(
        f"gunicorn {args.workers} workers, {args.threads} client threads, "
        f"≤{args.requests} loads or ≤{args.seconds:g} s per group, logged in as {args.email}"
    )
    print(
        f"{'page (URLs fetched in turn)':<48} {'loads':>6} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'loads/s':>8} {'vs trivial':>10} {'kB':>7}"
    )
    for group, result in results:
        ratio = result["per_second"] / base["per_second"] if base["per_second"] else float("nan")
        print(
            f"{' + '.join(group):<48} {result['loads']:>6} {result['errors']:>4} {result['p50']:>8.1f} "
            f"{result['p95']:>8.1f} {result['per_second']:>8.1f} {ratio:>9.0%} {result['kilobytes']:>7.1f}"
        )
        if result["errors"]:
            print(f"    first error: {result['first_error']}")


if __name__ == "__main__":
    main()
