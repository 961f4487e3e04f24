"""Dispatch benchmark: how fast the dispatcher sends, against bare Django and
the ceiling of one Python SMTP connection, into Postfix's smtp-sink.

    .venv/bin/python bench/dispatch/run.py [--clients 20000] [--repeat 3] [--memory-clients 200000]
        [--plan-clients 200000]

Fetches Postfix's package into var/cache/ when smtp-sink is missing (the
package's binaries are only unpacked, never installed). Needs PostgreSQL at
--postgres (a database `bench_dispatch`, or --database, is created and dropped). Prints msgs/s
(medians of --repeat runs) and the ratios the targets are about, and writes
the figures to bench/out/dispatch.json. See bench/README.md.
"""

import argparse
import glob
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "var" / "cache"
POSTFIX = CACHE / "postfix"
SINK = POSTFIX / "usr" / "sbin" / "smtp-sink"
OUT = ROOT / "bench" / "out"
PY = sys.executable


def ensure_sink() -> None:
    if SINK.exists():
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    downloaded = glob.glob(str(CACHE / "postfix_*.deb"))
    if not downloaded and subprocess.run(["apt-get", "download", "postfix"], cwd=CACHE).returncode != 0:
        subprocess.run(["apt-get", "update"], check=True)  # the package lists were missing or stale
        subprocess.run(["apt-get", "download", "postfix"], cwd=CACHE, check=True)
    subprocess.run(["dpkg", "-x", glob.glob(str(CACHE / "postfix_*.deb"))[0], str(POSTFIX)], check=True)


def dkim_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sink(port: int) -> subprocess.Popen:
    env = {**os.environ, "LD_LIBRARY_PATH": str(POSTFIX / "usr" / "lib" / "postfix")}
    sink = subprocess.Popen([str(SINK), "-u", "nobody", f"127.0.0.1:{port}", "1000"], env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return sink
        except OSError:
            time.sleep(0.05)
    raise SystemExit("smtp-sink did not start")


class Worker:
    def __init__(self, database_url: str, port: int):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "core.settings",
            "DEBUG": "0",
            "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnop",
            "DATABASE_URL": database_url,
            "EMAIL_BACKEND": "smtp",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": "0",
            "EMAIL_USE_SSL": "0",
            "DISPATCH_RATE_LIMIT": "0",
            "CRON_LOCK_DIR": str(OUT / "locks"),
            "LOG_LEVEL": "WARNING",
        }

    def start(self, *args) -> subprocess.Popen:
        command = [PY, str(Path(__file__).with_name("worker.py")), *map(str, args)]
        return subprocess.Popen(command, env=self.env, stdout=subprocess.PIPE, text=True)

    def run(self, *args) -> dict:
        process = self.start(*args)
        output, _ = process.communicate()
        if process.returncode:
            raise SystemExit(f"worker {args} failed")
        return json.loads(output.strip().splitlines()[-1])


def rate(results: list[dict], count: int, *, within_budget: bool = False) -> float:
    """msgs/s. A cron cycle stops at its time budget: then it counts what it sent in that time."""
    seconds = max(r["end"] for r in results) - min(r["start"] for r in results)
    sent = sum(r["sent"] for r in results)
    if sent != count and not (within_budget and sent):
        raise SystemExit(f"sent {sent} of {count}: {results}")
    if sent != count:
        print(f"  (one cron cycle sent {sent} of {count} within its time budget)", flush=True)
    return sent / seconds


def median_rate(measure, repeat: int) -> float:
    return statistics.median(measure() for _ in range(repeat))


BUSY = 1.5  # a load average above this makes the figures that follow no evidence


def note_load(figures: dict, name: str) -> None:
    """Record the load average before a figure is measured; warn when the machine is busy."""
    load = os.getloadavg()[0]
    figures.setdefault("load_before", {})[name] = round(load, 2)
    if load > BUSY:
        print(f"  WARNING: load average {load:.2f} > {BUSY} before '{name}': a busy machine, not evidence", flush=True)


def start_up(worker: Worker, mailing_id: int) -> float:
    """Seconds from starting `manage.py runcrons` (a new process, as cron starts it
    every minute) to the first message's reply being written: imports, settings,
    checks, the cron machinery and planning the run all count."""
    worker.run("reset", mailing_id)
    started = time.time()
    command = [PY, str(ROOT / "manage.py"), "runcrons", "core.cron.DispatchJob", "--force", "--silent"]
    if subprocess.run(command, env=worker.env, cwd=ROOT).returncode:
        raise SystemExit("runcrons failed")
    return worker.run("first-attempt", mailing_id)["at"] - started


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{url}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory-clients", type=int, default=200000, help="0 skips the memory comparison")
    parser.add_argument("--plan-clients", type=int, default=200000, help="0 skips the planning figures")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="bench_dispatch", help="the database created, used and dropped")
    args = parser.parse_args()
    n = args.clients
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_sink()
    port = free_port()
    sink = start_sink(port)
    figures: dict = {"clients": n, "repeat": args.repeat}
    try:
        sqlite_path = OUT / "dispatch.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        lite = Worker(f"sqlite:///{sqlite_path}", port)
        note_load(figures, "django")
        figures["django"] = median_rate(lambda: rate([lite.run("baseline-django", n)], n), args.repeat)
        note_load(figures, "smtplib")
        figures["smtplib"] = median_rate(lambda: rate([lite.run("baseline-smtplib", n)], n), args.repeat)
        print(f"bare Django send_messages: {figures['django']:8.0f} msgs/s", flush=True)
        print(f"smtplib, pre-built bytes:  {figures['smtplib']:8.0f} msgs/s", flush=True)

        mailing = lite.run("setup", n, "lite@example.com")["mailing"]

        def cron_cycle(worker, mailing_id):
            worker.run("reset", mailing_id)
            return rate([worker.run("runcrons", mailing_id)], n, within_budget=True)

        note_load(figures, "sqlite_runcrons")
        figures["sqlite_runcrons"] = median_rate(lambda: cron_cycle(lite, mailing), args.repeat)
        print(f"runcrons on SQLite:        {figures['sqlite_runcrons']:8.0f} msgs/s", flush=True)

        pg_admin(args.postgres, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
        pg_admin(args.postgres, f"CREATE DATABASE {args.database}")
        pg = Worker(f"{args.postgres}/{args.database}", port)
        mailing = pg.run("setup", n, "pg@example.com")["mailing"]
        note_load(figures, "pg_runcrons")
        figures["pg_runcrons"] = median_rate(lambda: cron_cycle(pg, mailing), args.repeat)
        print(f"runcrons on PostgreSQL:    {figures['pg_runcrons']:8.0f} msgs/s", flush=True)

        def planned_run(workers: int, worker: Worker = pg, mailing_id: int | None = None) -> float:
            mailing_id = mailing_id or mailing
            worker.run("reset", mailing_id)
            worker.run("plan", mailing_id)
            start_at = time.time() + 3  # every process is up and set up by then
            processes = [worker.start("dispatch", mailing_id, start_at) for _ in range(workers)]
            results = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in processes]
            return rate(results, n)

        note_load(figures, "pg_one")
        figures["pg_one"] = median_rate(lambda: planned_run(1), args.repeat)
        note_load(figures, "pg_two")
        figures["pg_two"] = median_rate(lambda: planned_run(2), args.repeat)
        print(f"PostgreSQL, planned run, one dispatcher:  {figures['pg_one']:8.0f} msgs/s", flush=True)
        print(f"PostgreSQL, planned run, two dispatchers: {figures['pg_two']:8.0f} msgs/s", flush=True)

        # The same single dispatcher with every message DKIM-signed (2048-bit RSA).
        signing = Worker(f"{args.postgres}/{args.database}", port)
        signing.env.update(DKIM_PRIVATE_KEY=dkim_key(), DKIM_SELECTOR="bench", DKIM_DOMAIN="example.com")
        note_load(figures, "pg_one_dkim")
        figures["pg_one_dkim"] = median_rate(lambda: planned_run(1, signing), args.repeat)
        figures["ratio_dkim_vs_plain"] = figures["pg_one_dkim"] / figures["pg_one"]
        print(f"PostgreSQL, one dispatcher, DKIM-signed:  {figures['pg_one_dkim']:8.0f} msgs/s", flush=True)

        # A Markdown message (text and HTML) with tracked links and opens, against bare Django
        # sending the same two parts untracked, in the same run.
        note_load(figures, "django_html")
        figures["django_html"] = median_rate(lambda: rate([lite.run("baseline-django-html", n)], n), args.repeat)
        print(f"bare Django, the Markdown message's text and HTML: {figures['django_html']:8.0f} msgs/s", flush=True)
        tracked = pg.run("setup", n, "tracked@example.com", "tracked-markdown")["mailing"]
        note_load(figures, "pg_one_tracked_markdown")
        figures["pg_one_tracked_markdown"] = median_rate(lambda: planned_run(1, pg, tracked), args.repeat)
        print(
            f"PostgreSQL, one dispatcher, Markdown message with tracked links: "
            f"{figures['pg_one_tracked_markdown']:8.0f} msgs/s",
            flush=True,
        )

        note_load(figures, "start_up")
        figures["start_up_seconds"] = statistics.median(start_up(pg, mailing) for _ in range(args.repeat))
        print(f"runcrons process start to its first message: {figures['start_up_seconds']:.2f} s", flush=True)

        if args.plan_clients:
            planned = pg.run("setup", args.plan_clients, "plan@example.com")["mailing"]
            note_load(figures, "plan")
            result = pg.run("plan-claims", planned, 5)
            figures["plan_seconds"] = result["plan_seconds"]
            figures["first_claims_ms"] = result["claim_ms"]
            claims = ", ".join(f"{ms:.0f}" for ms in result["claim_ms"])
            print(
                f"planning {args.plan_clients} recipients on PostgreSQL: {result['plan_seconds']:.1f} s "
                f"(target < 10 s); the first claims right after it: {claims} ms",
                flush=True,
            )

        if args.memory_clients:
            if args.memory_clients == args.plan_clients:
                big = planned
            else:
                big = pg.run("setup", args.memory_clients, "big@example.com")["mailing"]
            for label, mailing_id, count in (("memory_small", mailing, n), ("memory_big", big, args.memory_clients)):
                pg.run("reset", mailing_id)
                result = pg.run("dispatch", mailing_id, 0)
                if result["sent"] != count:
                    raise SystemExit(f"sent {result['sent']} of {count}")
                figures[label] = result["peak_rss_kib"]
                figures[label + "_rate"] = count / (result["end"] - result["start"])
            print(
                f"peak memory of one dispatcher: {figures['memory_small'] / 1024:.0f} MiB for {n} recipients, "
                f"{figures['memory_big'] / 1024:.0f} MiB for {args.memory_clients}",
                flush=True,
            )
        pg_admin(args.postgres, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
    finally:
        sink.terminate()
        sink.wait()
        shutil.rmtree(OUT / "locks", ignore_errors=True)

    figures["ratio_pg_vs_django"] = figures["pg_runcrons"] / figures["django"]
    figures["ratio_sqlite_vs_django"] = figures["sqlite_runcrons"] / figures["django"]
    figures["ratio_two_vs_one"] = figures["pg_two"] / figures["pg_one"]
    print(f"\nPostgreSQL runcrons / bare Django: {figures['ratio_pg_vs_django']:.2f}x (target >= 2.0)")
    print(f"SQLite runcrons / bare Django:     {figures['ratio_sqlite_vs_django']:.2f}x")
    print(f"two dispatchers / one:             {figures['ratio_two_vs_one']:.2f}x (target >= 1.4)")
    figures["ratio_one_vs_ceiling"] = figures["pg_one"] / figures["smtplib"]
    print(f"one dispatcher / smtplib ceiling:  {figures['ratio_one_vs_ceiling']:.2f}x (target >= 0.5)")
    print(f"DKIM-signed / unsigned:            {figures['ratio_dkim_vs_plain']:.2f}x (target >= 0.6)")
    figures["ratio_tracked_markdown_vs_django_html"] = figures["pg_one_tracked_markdown"] / figures["django_html"]
    print(f"tracked Markdown / bare Django HTML: {figures['ratio_tracked_markdown_vs_django_html']:.2f}x")
    print(f"runcrons start to first message:   {figures['start_up_seconds']:.2f} s (target < 1 s)")
    busy = {name: load for name, load in figures["load_before"].items() if load > BUSY}
    if busy:
        print(f"WARNING: the machine was busy before {', '.join(busy)} (load > {BUSY}): these figures are no evidence")
    if "memory_big" in figures:
        figures["ratio_memory"] = figures["memory_big"] / figures["memory_small"]
        print(f"peak memory, big / small:          {figures['ratio_memory']:.2f}x (target <= 1.5)")
    (OUT / "dispatch.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
