from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def offers_expire_due_task() -> int:
    """Every minute: expire overdue waiting-list offers and offer the places on."""
    return services.offers_expire_due()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def offers_remind_expiring_task() -> int:
    """Hourly: remind families about offers that expire soon (once per offer)."""
    return services.offers_remind_expiring()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def withdrawals_complete_due_task() -> int:
    """Daily: end withdrawn enrollments after their last day and pass the places on."""
    return services.withdrawals_complete_due()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def meeting_reminders_queue_task() -> int:
    """Daily: queue tomorrow's meeting reminders, sent the evening before (opt-in)."""
    return services.meeting_reminders_queue()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def allocation_windows_close_task() -> int:
    """Every 5 minutes: at the close of an application window draw and record the lottery seed
    and make the dry run for the coordinators (publishing stays a person's step)."""
    return len(services.allocation_windows_close())
