#!/usr/bin/env bash
# Serve the development site and, beside it, run `manage.py runcrons` at the
# start of every minute, as the production crontab would.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}" EMAIL_BACKEND="${EMAIL_BACKEND:-file}"
mkdir -p var/mail
PY=.venv/bin/python

(
  while true; do
    sleep $((60 - $(date +%s) % 60))
    "$PY" manage.py runcrons >>var/cron.log 2>&1 || echo "runcrons failed, see var/cron.log" >&2
  done
) &
cron_loop=$!
trap 'kill "$cron_loop" 2>/dev/null || true' EXIT INT TERM

echo "Mail sent by the service is written to var/mail/; cron output to var/cron.log."
"$PY" manage.py runserver 127.0.0.1:8000
