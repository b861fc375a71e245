"""The Celery app of `make bench`: the project's own app and settings, plus the benchmark tasks.

`celery -A benchmarks.celery_app worker ...` runs a worker configured exactly like production's
(`config.celery`, settings from `CELERY_*`), which also knows `benchmarks.tasks`.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from config.celery import app

from . import tasks  # noqa: F401  (registers benchmarks.noop with the app)

__all__ = ("app",)
