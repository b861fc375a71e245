"""Who may change the catalogue. Predicates take (user, object)."""

import rules

from accounts.permissions import is_coordinator, is_director, is_office


@rules.predicate
def coordinates_activity(user, activity) -> bool:
    if activity is None or not user.is_authenticated:
        return False
    return activity.coordinators.filter(pk=user.pk).exists()


@rules.predicate
def coordinates_group(user, group) -> bool:
    if group is None or not user.is_authenticated:
        return False
    return group.activity.coordinators.filter(pk=user.pk).exists()


can_manage_catalogue = is_director | is_coordinator
can_manage_activity = is_director | (is_coordinator & coordinates_activity)
can_manage_group = is_director | (is_coordinator & coordinates_group)
can_view_catalogue_admin = can_manage_catalogue | is_office

rules.add_perm("clubs.manage_activity", can_manage_activity)
rules.add_perm("clubs.manage_group", can_manage_group)
