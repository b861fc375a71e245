#!/usr/bin/env bash
# Web on http://127.0.0.1:8000 plus one Celery worker with embedded beat; one Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
trap 'trap - INT TERM EXIT; kill 0 2>/dev/null; wait' INT TERM EXIT
$BIN/celery -A config worker --beat --loglevel=INFO --concurrency=2 \
  --schedule=var/celerybeat-schedule &
$BIN/python manage.py runserver "${DJANGO_RUN_ADDR:-127.0.0.1:8000}" &
echo "MOK is running on http://${DJANGO_RUN_ADDR:-127.0.0.1:8000}/ (admin: /admin/). Ctrl-C stops it."
wait -n
