"""Who may run and publish the lottery, and see its runs. "Not yours" answers 404: views fetch
seasons and runs through these querysets."""

from django.db.models import QuerySet

from accounts.permissions import is_director, is_office, is_staff_member
from clubs.models import Group, Season

from .models import AllocationRun
from .permissions import groups_managed_by


def lottery_groups_managed_by(user) -> QuerySet[Group]:
    return groups_managed_by(user).by_lottery()


def seasons_allocated_by(user) -> QuerySet[Season]:
    """Seasons with at least one lottery group the user runs."""
    if not is_staff_member(user):
        return Season.objects.none()
    return Season.objects.filter(
        pk__in=lottery_groups_managed_by(user).values("season_id"),
        applications_close_at__isnull=False,
    )


def runs_visible_to(user) -> QuerySet[AllocationRun]:
    return AllocationRun.objects.filter(season__in=seasons_allocated_by(user))


def can_publish_allocation(user, season: Season) -> bool:
    """The publication enrolls in every lottery group of the season: the director, the office,
    or a coordinator who runs all of them."""
    if is_director(user) or is_office(user):
        return True
    every = Group.objects.by_lottery().filter(season=season)
    return not every.exclude(pk__in=lottery_groups_managed_by(user).values("pk")).exists()
