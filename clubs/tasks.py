from celery import shared_task
from django.utils import timezone

from .models import Group, Season
from .services import meetings_generate


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def meetings_generate_task(group_id: int) -> None:
    """Regenerate one group's meetings; safe to run any number of times."""
    group = Group.objects.select_related("season", "room").filter(pk=group_id).first()
    if group is not None:
        meetings_generate(group=group)


@shared_task(acks_late=True)
def meetings_generate_all_task() -> int:
    """Nightly: regenerate meetings of every group of the seasons that have not ended."""
    today = timezone.localdate()
    group_ids = list(
        Group.objects.filter(season__in=Season.objects.filter(ends_on__gte=today)).values_list(
            "pk", flat=True
        )
    )
    for group_id in group_ids:
        meetings_generate_task.delay(group_id)
    return len(group_ids)
