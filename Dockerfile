# Production image: gunicorn + whitenoise for web; the same image runs the Celery worker and beat
# (see docker-compose.yml). Runtime dependencies only, installed from the hash-locked base.txt.
FROM python:3.11-slim

# DJANGO_STATIC_ROOT is outside var/, so a volume mounted on var/ never hides the static files.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    DJANGO_STATIC_ROOT=/app/staticfiles

WORKDIR /app

RUN groupadd --system --gid 10001 mok \
    && useradd --system --uid 10001 --gid mok --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin mok

# WeasyPrint (the PDF attendance register) needs pango; DejaVu fonts carry the Polish glyphs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Every requirement is pinned and hash-checked (--require-hashes): the image gets exactly the lock.
COPY requirements/base.txt /tmp/requirements/base.txt
RUN pip install --require-hashes -r /tmp/requirements/base.txt \
    && pip check \
    && rm -rf /tmp/requirements

COPY . .

# Static files are collected into the image (whitenoise serves them with hashed names). The
# secret is a build-time placeholder only; the running containers get DJANGO_SECRET_KEY from
# the environment. Translations need no gettext: the compiled .mo files are in the repository.
RUN DJANGO_SECRET_KEY=collectstatic-build-only-not-a-secret DJANGO_DEBUG=0 VAR_DIR=/tmp/build-var \
        python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-var \
    && chmod 0755 /app/docker/entrypoint.sh \
    && mkdir -p /app/var \
    && chown mok:mok /app/var

# Code and static files stay root-owned (read-only for the app); only var/ is writable.
USER 10001:10001

EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "config.wsgi", "-b", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", \
     "--access-logfile", "-"]
