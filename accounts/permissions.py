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


@rules.predicate
def is_admin_site_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


# Who must log in with a second factor (docs/adr/0010-hardening.md): everyone who sees other
# people's data. Families and adult members are not asked.
needs_two_factor = is_instructor | is_staff_member | is_admin_site_user
rules.add_perm("accounts.use_two_factor", needs_two_factor)
is_authenticated = rules.is_authenticated
