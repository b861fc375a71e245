from celery import shared_task
from django.conf import settings

from .services import retention_apply


@shared_task(name="privacy.retention_apply")
def retention_apply_task() -> int:
    """Weekly: anonymize participants inactive longer than the retention period."""
    return retention_apply(years=settings.PRIVACY_RETENTION_YEARS)
