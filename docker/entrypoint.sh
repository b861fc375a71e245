#!/bin/sh
# Image entrypoint: optionally apply migrations, then run the command (gunicorn by default).
#
# RUN_MIGRATIONS=1  run `manage.py migrate --noinput` first. docker-compose.yml sets it on the
#                   web service only, so the schema is migrated once per deploy before gunicorn
#                   starts; worker and beat wait for web to be healthy.
set -eu

if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
    echo "entrypoint: applying migrations"
    python manage.py migrate --noinput
fi

exec "$@"
