"""Audience figures for a 100,000-client owner (issue 16) on PostgreSQL: making
a mailing to a 100,000-client list through the API, and planning its run,
each next to a baseline measured in the same run.

    DATABASE_URL=postgres://…/bench_big .venv/bin/python -m bench.api.audience [--repeat 5]

Uses the `bench/api` data set (`python -m bench.api.generate`): the owner
`big@bench.example` with 100,000 clients, the list "Everyone" holding all of
them and a weekly mailing to its 100,000 own clients. Each figure is the median
of --repeat. Everything it makes is deleted again.

- **Making a mailing** (`POST /api/mailings/` with a token, in-process through
  Django's handler: routing, authentication, validation, the service and its
  transaction): to the list, against the same mailing to one client.
- **Planning its run** (`plan_run`, the dispatcher's planner: one `INSERT …
  SELECT` per 10,000 clients): the list's 100,000 against the existing
  mailing's 100,000 own clients (how every mailing was planned before lists).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setup() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to the PostgreSQL database of the bench data set.")
    os.environ.update(DJANGO_SETTINGS_MODULE="bench.api.settings", DEBUG="0", HTTPS="0", DATA_CACHE_SECONDS="0")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def median_seconds(action, repeat: int, *, then=None) -> float:
    """The median time of `action` (one unmeasured call first); `then` runs
    after each call, untimed."""
    times = []
    for index in range(repeat + 1):
        started = time.perf_counter()
        action()
        if index:
            times.append(time.perf_counter() - started)
        if then is not None:
            then()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup()

    from django.db import connection
    from django.utils import timezone
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from bench.api.generate import BIG_OWNER, build
    from core.models import Attempt, ClientList, Mailing, User
    from core.services.mailings import plan_run

    build()
    owner = User.objects.get(email=BIG_OWNER)
    everyone = ClientList.objects.get(owner=owner, name="Everyone")
    own = Mailing.objects.filter(owner=owner, targets__isnull=True).order_by("pk").first()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=owner).key}")
    one_client = owner.clients.order_by("pk").values_list("pk", flat=True).first()
    start = (timezone.now() + timedelta(days=1)).isoformat()
    made: list[int] = []

    def make(**audience) -> None:
        body = {"message": own.message_id, "start_at": start, "periodicity": "weekly", **audience}
        response = api.post("/api/mailings/", body, format="json")
        assert response.status_code == 201, response.content[:500]
        made.append(response.json()["id"])

    try:
        to_one = median_seconds(lambda: make(clients=[one_client]), args.repeat)
        to_list = median_seconds(lambda: make(lists=[everyone.pk]), args.repeat)
        list_mailing = Mailing.objects.get(pk=made[-1])
        run_at = timezone.now() + timedelta(days=3)

        def plan(mailing: Mailing) -> None:
            assert plan_run(mailing=mailing, run_at=run_at) == 100_000

        def unplan() -> None:
            Attempt.objects.filter(run_at=run_at).delete()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE core_attempt")

        planned_own = median_seconds(lambda: plan(own), args.repeat, then=unplan)
        planned_list = median_seconds(lambda: plan(list_mailing), args.repeat, then=unplan)
    finally:
        Mailing.objects.filter(pk__in=made).delete()

    load = os.getloadavg()[0]
    print(f"owner {BIG_OWNER}: 100,000 clients; medians of {args.repeat}; load average {load:.2f}")
    if load > 1.5:
        print("WARNING: load average above 1.5 — the machine is busy; these figures are not evidence.")
    print("| figure | seconds | baseline (same run) | seconds | ratio |")
    print("|---|---:|---|---:|---:|")
    print(
        f"| make a mailing to the 100,000-client list (API) | {to_list:.3f} | the same mailing to one client | "
        f"{to_one:.3f} | {to_list / to_one:.2f} times |"
    )
    print(
        f"| plan its run (100,000 attempts) | {planned_list:.2f} | a run to 100,000 own clients | "
        f"{planned_own:.2f} | {planned_list / planned_own:.2f} times |"
    )


if __name__ == "__main__":
    main()
