"""Role predicates shared by all apps (django-rules). Apps compose these in their own
`permissions.py`; views and templates never test `is_staff` or group names inline."""

import rules

from .models import Role


def _has_role(role: str):
    @rules.predicate(name=f"has_role_{role}")
    def predicate(user) -> bool:
        return bool(user and user.is_authenticated and user.is_active and user.has_role(role))

    return predicate


is_guardian = _has_role(Role.GUARDIAN)
is_instructor = _has_role(Role.INSTRUCTOR)
is_coordinator = _has_role(Role.COORDINATOR)
is_office = _has_role(Role.OFFICE)


@rules.predicate
def is_director(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.has_role(Role.DIRECTOR)


is_staff_member = is_coordinator | is_office | is_director
is_authenticated = rules.is_authenticated
