"""Who may see money. Predicates take (user, object); views scope querysets with the helpers.

Office and director see all money; a coordinator sees their activities' totals (not households'
ledgers); a guardian sees only their own household. "Not yours" answers 404.
"""

import rules
from django.db.models import QuerySet

from accounts.permissions import is_coordinator, is_director, is_office
from clubs.models import Activity
from enrollment.models import Household
from enrollment.permissions import households_of


def sees_all_money(user) -> bool:
    return bool(is_office(user) or is_director(user))


def households_visible_to(user) -> QuerySet[Household]:
    """Households whose ledger the user may open: all for office/director, else their own."""
    if sees_all_money(user):
        return Household.objects.all()
    return households_of(user)


def activities_with_totals_for(user) -> QuerySet[Activity]:
    """Activities whose money totals the user may see (no per-household detail for coordinators)."""
    if sees_all_money(user):
        return Activity.objects.all()
    if user.is_authenticated and is_coordinator(user):
        return Activity.objects.filter(coordinators=user)
    return Activity.objects.none()


handles_money = is_office | is_director

rules.add_perm("billing.handle_money", handles_money)
rules.add_perm("billing.view_activity_totals", is_office | is_director | is_coordinator)
