"""Tasks of `make bench`. Loaded by the bench worker through `benchmarks.celery_app`."""

from celery import shared_task

QUEUE = "bench"


@shared_task(name="benchmarks.noop", queue=QUEUE, ignore_result=True)
def noop() -> None:
    """The Celery baseline: a task that does nothing, so only broker and worker cost is measured."""
