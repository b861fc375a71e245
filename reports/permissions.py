"""Who sees which report. Predicates take (user[, object]); views scope querysets with these.

- Dashboards: every member of staff; a coordinator sees the groups of the activities they
  coordinate, the office and the director every group (`groups_managed_by`).
- The annual report and the exports for the city: every member of staff, as counts (no
  personal data). The people behind a figure: the office and the director all of them, a
  coordinator those in the activities they coordinate.
- The report settings and the season rollover: the director.
Instructors, guardians and anonymous users get "not found" (anonymous: the login page first),
as on the coordinators' other pages.
"""

import rules
from django.db.models import Q

from accounts.permissions import is_coordinator, is_director, is_office, is_staff_member
from enrollment.permissions import groups_managed_by

can_view_reports = is_staff_member
can_configure_reports = is_director
can_roll_over_season = is_director


def sees_all_people(user) -> bool:
    return bool(is_director(user) or is_office(user))


def people_scope(user, prefix: str = "") -> Q | None:
    """A filter on enrollments (or on rows joined to a group, with `prefix`) keeping those
    whose people the user may see; None when the user may see nobody."""
    if sees_all_people(user):
        return Q()
    if user.is_authenticated and is_coordinator(user):
        return Q(**{f"{prefix}group__activity__coordinators": user})
    return None


def dashboard_groups(user):
    return groups_managed_by(user)


rules.add_perm("reports.view_reports", can_view_reports)
rules.add_perm("reports.configure_reports", can_configure_reports)
rules.add_perm("reports.roll_over_season", can_roll_over_season)
