"""The embedded default of `make run`, with real processes: SQLite in a fresh VAR_DIR, kombu's
file-system broker, and a Celery worker with embedded beat."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def manage(env, *args, timeout=120) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return result.stdout


def test_worker_with_beat_runs_tasks_through_the_file_broker(tmp_path):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the embedded mode is tested once, in the SQLite pass")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL"}
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(tmp_path), DJANGO_DEBUG="1")
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    # Forget the meetings, so the worker has visible work to do: every demo group gets them back.
    manage(env, "shell", "-c", "from clubs.models import Meeting; Meeting.objects.all().delete()")
    groups = int(
        manage(env, "shell", "-c", "from clubs.models import Group; print(Group.objects.count())")
        .strip()
        .splitlines()[-1]
    )
    assert groups >= 19

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--beat",
            "--concurrency=2",
            "--loglevel=INFO",
            f"--schedule={tmp_path / 'beat-schedule'}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        manage(
            env,
            "shell",
            "-c",
            "from clubs.tasks import meetings_generate_all_task as task; task.delay()",
        )
        deadline = time.monotonic() + 90
        count = 0
        while time.monotonic() < deadline:
            count = int(
                manage(
                    env,
                    "shell",
                    "-c",
                    "from clubs.models import Group, Meeting;"
                    "print(Group.objects.exclude(meetings=None).count())",
                )
                .strip()
                .splitlines()[-1]
            )
            if count == groups:
                break
            time.sleep(1)
        assert count == groups
        # Beat ran too: the database scheduler stored the schedule from settings.
        tasks = manage(
            env,
            "shell",
            "-c",
            "from django_celery_beat.models import PeriodicTask;"
            "print(sorted(PeriodicTask.objects.values_list('task', flat=True)))",
        )
        assert "clubs.tasks.meetings_generate_all_task" in tasks
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
