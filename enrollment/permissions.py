"""Who may see and change what in enrollment. Predicates take (user, object).

"Not yours" must look exactly like "not found": views fetch objects through the scoped
querysets below and answer 404 when the object is not in them.
"""

import rules
from django.db.models import Q, QuerySet

from accounts.permissions import is_coordinator, is_director, is_office
from clubs.models import Group
from clubs.permissions import coordinates_group

from .models import Enrollment, GuardianRights, Household, Participant


def households_of(user) -> QuerySet[Household]:
    if not user.is_authenticated:
        return Household.objects.none()
    return Household.objects.filter(guardians__user=user).distinct()


def participants_of(user, *, full_rights: bool = False) -> QuerySet[Participant]:
    """Participants the user looks after as a guardian, or is (an adult member)."""
    if not user.is_authenticated:
        return Participant.objects.none()
    guardian = Q(household__guardians__user=user)
    if full_rights:
        guardian &= Q(household__guardians__rights=GuardianRights.FULL)
    return Participant.objects.filter(guardian | Q(user=user)).distinct()


def enrollments_of(user, *, full_rights: bool = False) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(participant__in=participants_of(user, full_rights=full_rights))


def groups_managed_by(user) -> QuerySet[Group]:
    """Groups whose rosters the user runs: all for office and director, a coordinator's own."""
    if not user.is_authenticated:
        return Group.objects.none()
    if is_director(user) or is_office(user):
        return Group.objects.all()
    if is_coordinator(user):
        return Group.objects.filter(activity__coordinators=user)
    return Group.objects.none()


@rules.predicate
def manages_group(user, group) -> bool:
    return group is not None and groups_managed_by(user).filter(pk=group.pk).exists()


@rules.predicate
def acts_for_participant(user, participant) -> bool:
    return (
        participant is not None
        and participants_of(user, full_rights=True).filter(pk=participant.pk).exists()
    )


# The office runs every roster but does not see health notes: access by relation only (RODO).
sees_health_notes = is_director | (is_coordinator & coordinates_group)
can_manage_roster = is_director | is_office | (is_coordinator & manages_group)
can_act_for_participant = acts_for_participant

rules.add_perm("enrollment.manage_roster", can_manage_roster)
rules.add_perm("enrollment.act_for_participant", can_act_for_participant)
