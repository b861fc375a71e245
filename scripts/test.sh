#!/usr/bin/env bash
# The whole suite. First on the embedded default (SQLite), then, where PostgreSQL is reachable,
# everything again on PostgreSQL, where the tests marked `postgres` run too.
# REQUIRE_SERVICES=1 turns every skipped service test into a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
WORKERS=${PYTEST_WORKERS:-auto}

pg_url=""
case "${DATABASE_URL:-}" in
  postgres*) pg_url=$DATABASE_URL ;;
  "") if $PY - <<'PY' 2>/dev/null; then pg_url=postgres://postgres@127.0.0.1:5432/mok; fi
import socket; socket.create_connection(("127.0.0.1", 5432), timeout=0.5)
PY
  ;;
esac

status=0
if [ -n "$pg_url" ]; then
  echo "== tests on SQLite (embedded default; PostgreSQL-only tests run in the next pass)"
  env -u DATABASE_URL $PY -m pytest -n "$WORKERS" -m "not postgres" "$@" || status=$?
  echo "== tests on PostgreSQL ($pg_url)"
  DATABASE_URL=$pg_url $PY -m pytest -n "$WORKERS" "$@" || status=$?
else
  echo "== tests on SQLite; PostgreSQL not reachable, so tests marked 'postgres' are skipped"
  $PY -m pytest -n "$WORKERS" "$@" || status=$?
fi
exit $status
