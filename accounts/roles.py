"""Roles are Django auth groups; this module says which model permissions each one carries.

`roles_sync()` runs after every `migrate` (see `apps.py`), so a new model's permissions reach
the roles without a hand-written data migration.
"""

from django.contrib.auth.models import Group, Permission

from .models import Role

# "app_label.codename" patterns; "app_label.*" means every permission of the app.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.GUARDIAN: [],
    Role.INSTRUCTOR: [],
    Role.COORDINATOR: [
        "clubs.view_season",
        "clubs.view_closureperiod",
        "clubs.view_venue",
        "clubs.view_room",
        "clubs.view_instructor",
        "clubs.view_activity",
        "clubs.change_activity",
        "clubs.view_group",
        "clubs.add_group",
        "clubs.change_group",
        "clubs.view_weeklyslot",
        "clubs.add_weeklyslot",
        "clubs.change_weeklyslot",
        "clubs.delete_weeklyslot",
        "clubs.view_meeting",
        "clubs.change_meeting",
        "billing.view_feeplan",
        "enrollment.view_enrollment",
        "enrollment.view_participant",
        "enrollment.view_household",
    ],
    Role.OFFICE: [
        "enrollment.view_enrollment",
        "enrollment.view_participant",
        "enrollment.view_household",
        "enrollment.change_household",
        "enrollment.change_participant",
        "clubs.view_season",
        "clubs.view_activity",
        "clubs.view_group",
        "clubs.view_meeting",
        "billing.*",
    ],
    Role.DIRECTOR: [
        "clubs.*",
        "enrollment.*",
        "billing.*",
        "accounts.view_user",
        "django_celery_beat.*",
    ],
}


def _permissions_for(patterns: list[str]) -> list[Permission]:
    found: list[Permission] = []
    for pattern in patterns:
        app_label, codename = pattern.split(".", 1)
        queryset = Permission.objects.filter(content_type__app_label=app_label)
        if codename != "*":
            queryset = queryset.filter(codename=codename)
        found.extend(queryset)
    return found


def roles_sync() -> None:
    """Create the role groups and set their permissions to exactly what ROLE_PERMISSIONS says."""
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(_permissions_for(patterns))
