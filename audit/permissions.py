"""Who sees which part of the change history.

The director sees everything; the office everything but who saw health notes (that record
says which children have them); a coordinator the enrollments and attendance of the groups of
their activities. Anyone else: no page (404).
"""

import rules
from django.db.models import QuerySet

from accounts.permissions import is_coordinator, is_director, is_office
from enrollment.permissions import groups_managed_by

from .sources import Kind

can_view_history = is_director | is_office | is_coordinator
rules.add_perm("audit.view_history", can_view_history)

OFFICE_KINDS = tuple(kind for kind in Kind if kind != Kind.HEALTH_READ)
COORDINATOR_KINDS = (Kind.ENROLLMENT, Kind.ATTENDANCE)


def kinds_visible_to(user) -> tuple[str, ...]:
    if is_director(user):
        return tuple(Kind)
    if is_office(user):
        return OFFICE_KINDS
    if is_coordinator(user):
        return COORDINATOR_KINDS
    return ()


def history_scope(user, queryset: QuerySet) -> QuerySet:
    """A source's rows the user may see: a coordinator's only those of their groups."""
    if is_director(user) or is_office(user):
        return queryset
    return queryset.filter(h_group__in=groups_managed_by(user).values("pk"))
