"""Build the benchmark data set on PostgreSQL with set-based SQL (generate_series):
10 owners with 10,000 clients and 100 mailings each (100,000 clients, 1,000
mailings, 100 recipients per mailing), 10 runs per mailing (1,000,000 attempts),
and the RunStats / DailyStats rollups the statistics job would keep. Beside them one
large owner, `big@bench.example`, with 100,000 clients, a list "Everyone" holding all of
them and a weekly mailing to its 100,000 own clients (the audience figures of issue 16).

    DJANGO_SETTINGS_MODULE=bench.api.settings DATABASE_URL=postgres://… python -m bench.api.generate
"""

import time

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from core import roles  # noqa: E402
from core.models import Attempt, User  # noqa: E402

OWNERS = 10
CLIENTS_PER_OWNER = 10_000
MAILINGS_PER_OWNER = 100
RECIPIENTS = 100
RUNS = 10
BIG_OWNER = "big@bench.example"
BIG_CLIENTS = 100_000

BIG_STEPS = [
    (
        "big owner's clients",
        """
        INSERT INTO core_client (owner_id, email, full_name, comment, unsubscribe_method, hard_bounces,
                                 suppression_reason, consent_source, consent_url, created_at, updated_at)
        SELECT %(owner)s, 'person' || g || '@big.example', 'Person ' || g, '', '', 0, '', '', '', now(), now()
        FROM generate_series(1, %(clients)s) g
        """,
    ),
    (
        "big owner's list",
        """
        INSERT INTO core_clientlist (owner_id, name, description, is_public, signup_token, created_at, updated_at)
        VALUES (%(owner)s, 'Everyone', 'All 100,000 clients', false, md5(random()::text), now(), now())
        """,
    ),
    (
        "big owner's list members",
        """
        INSERT INTO core_listmember (client_list_id, client_id, added_at)
        SELECT l.id, c.id, now() FROM core_clientlist l JOIN core_client c ON c.owner_id = l.owner_id
        WHERE l.owner_id = %(owner)s
        """,
    ),
    (
        "big owner's message",
        """
        INSERT INTO core_message (owner_id, subject, body, format, created_at, updated_at)
        VALUES (%(owner)s, 'Weekly news', 'Hello {full_name}', 'plain', now(), now())
        """,
    ),
    (
        "big owner's mailing",
        """
        INSERT INTO core_mailing (owner_id, message_id, start_at, end_at, periodicity, status, is_active,
                                  next_run_at, last_run_at, created_at, updated_at, track_clicks, track_opens)
        SELECT %(owner)s, m.id, now() + interval '1 day', NULL, 'weekly', 'created', true,
               now() + interval '1 day', NULL, now(), now(), false, false
        FROM core_message m WHERE m.owner_id = %(owner)s
        """,
    ),
    (
        "big owner's mailing recipients",
        """
        INSERT INTO core_mailingrecipient (mailing_id, client_id)
        SELECT m.id, c.id FROM core_mailing m JOIN core_client c ON c.owner_id = m.owner_id
        WHERE m.owner_id = %(owner)s
        """,
    ),
]

STEPS = [
    (
        "clients",
        """
        INSERT INTO core_client (owner_id, email, full_name, comment, unsubscribe_method, hard_bounces,
                                 suppression_reason, consent_source, consent_url, created_at, updated_at)
        SELECT u.id, 'client' || g || '.' || u.id || '@bench.example', 'Client ' || g, '', '', 0, '', '', '',
               now(), now()
        FROM core_user u CROSS JOIN generate_series(1, %(clients)s) g
        WHERE u.email LIKE 'owner%%@bench.example'
        """,
    ),
    (
        "messages",
        """
        INSERT INTO core_message (owner_id, subject, body, format, created_at, updated_at)
        SELECT u.id, 'Offer ' || g, 'Hello {full_name}', 'plain', now(), now()
        FROM core_user u CROSS JOIN generate_series(1, %(mailings)s) g
        WHERE u.email LIKE 'owner%%@bench.example'
        """,
    ),
    (
        "mailings",
        """
        INSERT INTO core_mailing (owner_id, message_id, start_at, end_at, periodicity, status, is_active,
                                  next_run_at, last_run_at, created_at, updated_at, track_clicks, track_opens)
        SELECT m.owner_id, m.id, now() - interval '20 days' + (m.id %% 24) * interval '1 hour', NULL, 'daily',
               'running', m.id %% 10 <> 0, now() + interval '1 day', now() - interval '10 days', now(), now(),
               false, false
        FROM core_message m
        """,
    ),
    (
        "recipients",
        """
        INSERT INTO core_mailingrecipient (mailing_id, client_id)
        SELECT mailing.id, client.id
        FROM (SELECT id, owner_id, row_number() OVER (PARTITION BY owner_id ORDER BY id) AS n FROM core_mailing)
             AS mailing
        JOIN (SELECT id, owner_id, row_number() OVER (PARTITION BY owner_id ORDER BY id) AS n FROM core_client)
             AS client
          ON client.owner_id = mailing.owner_id
         AND client.n BETWEEN (mailing.n - 1) * %(recipients)s + 1 AND mailing.n * %(recipients)s
        """,
    ),
    (
        "attempts",
        """
        INSERT INTO core_attempt (mailing_id, client_id, run_at, status, tries, attempted_at, next_try_at,
                                  lease_until, smtp_code, server_response)
        SELECT r.mailing_id, r.client_id, m.start_at + k * interval '1 day',
               CASE WHEN (r.client_id + k) %% 10 = 0 THEN 'failure'
                    WHEN (r.client_id + k) %% 10 = 1 AND k = %(runs)s - 1 THEN 'pending'
                    ELSE 'success' END,
               1, m.start_at + k * interval '1 day' + interval '30 seconds', NULL, NULL,
               CASE WHEN (r.client_id + k) %% 10 = 0 THEN 550 ELSE 250 END,
               CASE WHEN (r.client_id + k) %% 10 = 0 THEN '550 5.1.1 no such user' ELSE '250 2.0.0 OK' END
        FROM core_mailingrecipient r JOIN core_mailing m ON m.id = r.mailing_id
        CROSS JOIN generate_series(0, %(runs)s - 1) k
        """,
    ),
    (
        "run statistics",
        """
        INSERT INTO core_runstats (mailing_id, run_at, day, is_resend, planned, sent, failed, pending, skipped, bounced,
                                   reached, first_attempt_at, last_attempt_at, stale, updated_at)
        SELECT a.mailing_id, a.run_at, (a.run_at AT TIME ZONE u.time_zone)::date, false, count(*),
               count(*) FILTER (WHERE a.status = 'success'), count(*) FILTER (WHERE a.status = 'failure'),
               count(*) FILTER (WHERE a.status IN ('pending', 'sending')), count(*) FILTER (WHERE a.status = 'skipped'),
               0, count(*) FILTER (WHERE a.status = 'success'), min(a.attempted_at), max(a.attempted_at), false, now()
        FROM core_attempt a JOIN core_mailing m ON m.id = a.mailing_id JOIN core_user u ON u.id = m.owner_id
        GROUP BY a.mailing_id, a.run_at, u.time_zone
        """,
    ),
    (
        "daily statistics",
        """
        INSERT INTO core_dailystats (mailing_id, day, sent, failed, pending, skipped, updated_at)
        SELECT mailing_id, day, sum(sent), sum(failed), sum(pending), sum(skipped), now()
        FROM core_runstats GROUP BY mailing_id, day
        """,
    ),
]


def run_steps(steps, params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for name, sql in steps:
            started = time.monotonic()
            cursor.execute(sql, params)
            print(f"{name}: {cursor.rowcount:,} rows in {time.monotonic() - started:.1f} s", flush=True)


def build() -> dict[str, str]:
    """Create the data set unless it is there; return the API tokens to use."""
    if connection.vendor != "postgresql":
        raise SystemExit("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://…")
    manager, _ = User.objects.get_or_create(
        email="manager@bench.example", defaults={"full_name": "Bench Manager", "email_verified_at": "2026-01-01T00:00Z"}
    )
    manager.groups.add(Group.objects.get(name=roles.MANAGER))
    for n in range(OWNERS):
        owner, _ = User.objects.get_or_create(
            email=f"owner{n}@bench.example",
            defaults={"full_name": f"Owner {n}", "email_verified_at": "2026-01-01T00:00Z"},
        )
        owner.groups.add(Group.objects.get(name=roles.USER))
    vacuum = False
    if not Attempt.objects.exists():
        params = {"clients": CLIENTS_PER_OWNER, "mailings": MAILINGS_PER_OWNER, "recipients": RECIPIENTS, "runs": RUNS}
        run_steps(STEPS, params)
        vacuum = True
    big, _ = User.objects.get_or_create(
        email=BIG_OWNER, defaults={"full_name": "Big Owner", "email_verified_at": "2026-01-01T00:00Z"}
    )
    big.groups.add(Group.objects.get(name=roles.USER))
    if not big.clients.exists():
        run_steps(BIG_STEPS, {"owner": big.pk, "clients": BIG_CLIENTS})
        vacuum = True
    if vacuum:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    owner = User.objects.get(email="owner0@bench.example")
    return {
        "manager": Token.objects.get_or_create(user=manager)[0].key,
        "owner": Token.objects.get_or_create(user=owner)[0].key,
        "big": Token.objects.get_or_create(user=big)[0].key,
    }


if __name__ == "__main__":
    started = time.monotonic()
    build()
    print(f"data set ready in {time.monotonic() - started:.1f} s")
