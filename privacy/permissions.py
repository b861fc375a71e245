"""Who may export and erase. A guardian exports their own household (any rights) and asks for
erasure (full rights); the office and the director carry requests out. Not yours: 404."""

import rules
from django.db.models import QuerySet

from accounts.permissions import is_director, is_office
from enrollment.models import GuardianRights, Household
from enrollment.permissions import households_of

processes_erasure = is_office | is_director
rules.add_perm("privacy.process_erasure", processes_erasure)


def households_exportable_by(user) -> QuerySet[Household]:
    return households_of(user)


def households_erasable_by(user) -> QuerySet[Household]:
    if not user.is_authenticated:
        return Household.objects.none()
    return Household.objects.filter(
        guardians__user=user, guardians__rights=GuardianRights.FULL
    ).distinct()
