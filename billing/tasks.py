"""Periodic work of billing. Each task calls one service and changes nothing when run twice."""

import logging

from celery import shared_task
from django.utils import timezone

from .exceptions import BillingRunExistsError
from .services import charges, late_charges, overdue

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def billing_run_monthly_task() -> int | None:
    """On the 1st: charge the current month (Europe/Warsaw). A run that exists is left alone."""
    period = timezone.localdate().replace(day=1)
    try:
        run = charges.billing_run(period)
    except BillingRunExistsError:
        logger.info("billing run for %s already exists", period)
        return None
    return run.pk


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def billing_run_finish_task(run_id: int) -> int:
    """After a run commits: one "fee due" message per household, then the run is finished."""
    return charges.billing_run_finish(run_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def billing_runs_finish_pending_task() -> int:
    """Every 15 minutes: finish a run whose messages could not be enqueued at commit."""
    return charges.billing_runs_finish_pending()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def overdue_follow_up_task() -> int:
    """Daily: the next overdue stage of each unpaid charge, each stage once."""
    return overdue.overdue_follow_up()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def cancelled_meetings_credit_task() -> int:
    """Daily: credit meetings the centre cancelled after they were charged (once each)."""
    return charges.cancelled_meetings_credit()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def enrollment_changes_settle_task() -> tuple[int, int]:
    """Every few minutes: charge enrollments activated after their month's run, and credit the
    unused part of charged periods of enrollments that ended early (each once)."""
    settled = late_charges.enrollment_changes_settle()
    return settled.charges, settled.credits


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def family_cards_remind_task() -> int:
    """Daily: remind families once that their family card expires within 30 days."""
    return overdue.family_cards_remind()
