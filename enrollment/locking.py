"""Row locks for enrollment, in one place.

A group's row is locked before its places are counted and changed, so a place goes to exactly one
person. On PostgreSQL that is `SELECT ... FOR UPDATE`; on SQLite every write transaction already
takes the database lock at BEGIN (`transaction_mode = "IMMEDIATE"`).

Two test-only settings let the concurrency tests force the race (never set them elsewhere):
`ENROLLMENT_TEST_RACE_DELAY` (seconds to sleep between the check and the write) and
`ENROLLMENT_TEST_DISABLE_LOCK` (the negative control: without the lock the tests must oversell).
"""

import time

from django.conf import settings

from clubs.models import Group


def group_lock(group_id: int) -> Group:
    """The group's row, locked until the end of the current transaction."""
    queryset = Group.objects.select_related("season", "activity")
    if not getattr(settings, "ENROLLMENT_TEST_DISABLE_LOCK", False):
        queryset = queryset.select_for_update(of=("self",))
    return queryset.get(pk=group_id)


# What a change of places reads from the locked row.
PLACES_FIELDS = ("capacity", "requires_approval", "places_taken", "waitlist_length")


def group_lock_refresh(group: Group) -> Group:
    """`group_lock` for a group already read: locks its row and refreshes on the same instance
    the fields a change of places reads (`PLACES_FIELDS`), in one query without joins; the
    instance keeps its loaded season and activity. Returns the instance."""
    queryset = Group.objects.filter(pk=group.pk).values_list(*PLACES_FIELDS)
    if not getattr(settings, "ENROLLMENT_TEST_DISABLE_LOCK", False):
        queryset = queryset.select_for_update()
    values = queryset.get()
    for name, value in zip(PLACES_FIELDS, values, strict=True):
        setattr(group, name, value)
    return group


def race_window() -> None:
    delay = getattr(settings, "ENROLLMENT_TEST_RACE_DELAY", 0)
    if delay:
        time.sleep(delay)


def groups_lock(group_ids) -> dict[int, Group]:
    """Several groups' rows, locked in id order (the order every caller uses: no deadlock)."""
    queryset = Group.objects.filter(pk__in=list(group_ids)).order_by("pk")
    if not getattr(settings, "ENROLLMENT_TEST_DISABLE_LOCK", False):
        queryset = queryset.select_for_update(of=("self",))
    return {group.pk: group for group in queryset}
