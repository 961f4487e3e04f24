"""Latency and throughput of the API lists under gunicorn on PostgreSQL, next to
a trivial authenticated DRF endpoint in the same run, with `wrk` on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_api_bench python -m bench.api.run

Needs `wrk` (Debian package) and `redis-server`. Builds the data set first
(bench/api/generate.py) unless it is there. Starts its own Redis (the shared
cache of production: throttling and the list response cache) and measures three
modes, each with its own gunicorn and its own trivial baseline:

- `off`: no list response cache (every request renders);
- `cold`: the list cache on, every request a miss (a URL never asked before);
- `warm`: the list cache on, the same URL again and again (hits after the first).

`BENCH_MODES=off,cold,warm` chooses. Prints a Markdown table per mode.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("BENCH_PORT", "8765"))
DURATION = os.environ.get("BENCH_DURATION", "15s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKERS = os.environ.get("BENCH_WORKERS", "3")
MODES = os.environ.get("BENCH_MODES", "off,cold,warm").split(",")
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "6391"))

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench.api.settings",
    "DEBUG": "0",
    "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"),
    "HTTPS": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    "STATIC_STORAGE": "plain",
    "LOG_LEVEL": "WARNING",
    "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
}


def tokens() -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-c", "import json; from bench.api.generate import build; print(json.dumps(build()))"],
        cwd=ROOT,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def wait_until_up(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback only
            return
        except OSError as exc:
            if getattr(exc, "code", None):  # an HTTP answer (401) means it is serving
                return
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def measure(path: str, token: str, *, htmx: bool, bust: bool = False) -> dict:
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, CONNECTIONS)}",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}",
            "-s",
            str(ROOT / "bench/api/report.lua"),
            f"http://127.0.0.1:{PORT}{path}",
        ],
        env={
            **os.environ,
            "BENCH_TOKEN": token,
            "BENCH_HTMX": "1" if htmx else "0",
            "BENCH_BUST": "1" if bust else "0",
        },
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def main() -> None:
    redis = subprocess.Popen(
        ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        measure_all()
    finally:
        redis.terminate()
        redis.wait(timeout=30)


def measure_all() -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=ENV, check=True)
    keys = tokens()
    mailing_id = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from core.models import Mailing; "
            "print(Mailing.objects.order_by('id').values_list('id', flat=True)[500])",
        ],
        cwd=ROOT,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    cases = [
        ("trivial DRF endpoint `/bench/ping/`", "/bench/ping/", False),
        ("`/api/mailings/` JSON", "/api/mailings/", False),
        ("`/api/mailings/` HTML", "/api/mailings/", True),
        (f"`/api/attempts/?mailing={mailing_id}` JSON", f"/api/attempts/?mailing={mailing_id}", False),
        (f"`/api/attempts/?mailing={mailing_id}` HTML", f"/api/attempts/?mailing={mailing_id}", True),
        ("`/api/reports/` JSON", "/api/reports/", False),
        ("`/api/reports/` HTML", "/api/reports/", True),
    ]
    for mode in MODES:
        print_table(mode, run_mode(mode, cases, keys["manager"]))


def run_mode(mode: str, cases, token: str) -> list:
    seconds = "0" if mode == "off" else "60"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "core.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            WORKERS,
            "--access-logfile",
            "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
        ],
        cwd=ROOT,
        env={**ENV, "DJANGO_SETTINGS_MODULE": "bench.api.settings", "DATA_CACHE_SECONDS": seconds},
    )
    try:
        wait_until_up(f"http://127.0.0.1:{PORT}/bench/ping/")
        for path in ["/bench/ping/", "/api/mailings/", "/api/reports/"]:
            measure(path, token, htmx=False)  # warm up workers and caches
        return [
            (label, measure(path, token, htmx=htmx, bust=mode == "cold" and path != "/bench/ping/"))
            for label, path, htmx in cases
        ]
    finally:
        server.terminate()
        server.wait(timeout=30)


def print_table(mode: str, results) -> None:
    baseline = results[0][1]["rps"]
    cache = {"off": "list cache off", "cold": "list cache on, every request a miss", "warm": "list cache on, hits"}
    print(
        f"\n**{mode}** ({cache[mode]}): {CONNECTIONS} connections, {DURATION} each, gunicorn {WORKERS} sync workers, "
        "as a manager (sees all 1,000 mailings and 1,000,000 attempts)\n"
    )
    print("| endpoint | req/s | vs trivial | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, f in results:
        share = f["rps"] / baseline * 100
        print(
            f"| {label} | {f['rps']:.0f} | {share:.0f} % | {f['p50_ms']:.1f} | {f['p95_ms']:.1f} | "
            f"{f['p99_ms']:.1f} | {f['errors']} |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
