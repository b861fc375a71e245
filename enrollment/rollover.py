"""Invitations to re-enroll after a season rollover: one message per household.

A continuing participant is one active in a group of the source season whose group has a copy
in the target season (`Group.copied_from`). Each household gets one message listing its
continuing participants and their groups in the new season, and the priority window when the
season has one. The dedupe key names the target season and the household, so a second run
queues nothing twice.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from clubs.models import Group, Season
from notifications.kinds import Kind
from notifications.recipients import Recipient
from notifications.services import QueueRequest, notifications_queue_many
from notifications.tokens import absolute_url

from .models import Enrollment, EnrollmentStatus, Guardianship, Household


@dataclass
class HouseholdInvitation:
    household: Household
    # (participant name, source group, target group)
    items: list[tuple[str, Group, Group]] = field(default_factory=list)
    # Adult members with their own account hear about it too, as in enrollment/messages.py.
    members: list = field(default_factory=list)


def _continuing(*, source: Season, target: Season) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=source.ends_on),
            status=EnrollmentStatus.ACTIVE,
            group__season=source,
            group__copies__season=target,
        )
        .select_related("participant__household", "participant__user", "group__activity")
        .order_by("participant__household_id", "participant__last_name", "participant_id", "pk")
    )


def reenrollment_invitations_plan(*, source: Season, target: Season) -> list[HouseholdInvitation]:
    """Households to invite and what to tell each (two queries)."""
    enrollments = list(_continuing(source=source, target=target))
    copies = {
        g.copied_from_id: g
        for g in Group.objects.filter(
            season=target, copied_from_id__in={e.group_id for e in enrollments}
        ).select_related("activity")
    }
    by_household: dict[int, HouseholdInvitation] = {}
    for enrollment in enrollments:
        household = enrollment.participant.household
        invitation = by_household.setdefault(household.pk, HouseholdInvitation(household=household))
        copy = copies.get(enrollment.group_id)
        if copy is not None:
            invitation.items.append((str(enrollment.participant), enrollment.group, copy))
            user = enrollment.participant.user
            if user is not None and user not in invitation.members:
                invitation.members.append(user)
    return [inv for inv in by_household.values() if inv.items]


def _iso(value) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def reenrollment_invitations_queue(*, source: Season, target: Season) -> int:
    """Queue one invitation per household of continuing participants (in the caller's
    transaction); returns the number of households. Queueing again adds nothing."""
    invitations = reenrollment_invitations_plan(source=source, target=target)
    if not invitations:
        return 0
    guardians: dict[int, list] = defaultdict(list)
    for guardianship in Guardianship.objects.filter(
        household_id__in=[inv.household.pk for inv in invitations]
    ).select_related("user"):
        guardians[guardianship.household_id].append(guardianship.user)
    requests = []
    for invitation in invitations:
        context = {
            "family_name": invitation.household.name,
            "season_name": target.name,
            "groups": [
                {
                    "participant_name": name,
                    "activity_name": copy.activity.name,
                    "group_name": copy.name,
                    "url": absolute_url(reverse("clubs:group-detail", kwargs={"pk": copy.pk})),
                }
                for name, _source, copy in invitation.items
            ],
            "priority_opens_at": _iso(target.priority_opens_at),
            "enrollment_opens_at": _iso(target.enrollment_opens_at),
            "path": "/family/",
        }
        users = guardians.get(invitation.household.pk, [])
        users += [u for u in invitation.members if all(u.pk != g.pk for g in users)]
        for user in users:
            recipient = Recipient.for_user(user)
            requests.append(
                QueueRequest(
                    recipient=recipient,
                    kind=Kind.REENROLLMENT_INVITATION,
                    context=context,
                    dedupe_key=(
                        f"reenroll:{target.pk}:household:{invitation.household.pk}:{recipient.key}"
                    ),
                )
            )
    if requests:
        notifications_queue_many(requests=requests)
    return len(invitations)


def continuing_households_count(*, source: Season, group_ids) -> int:
    """Households with a participant active at the end of the source season in these groups
    (the preview's count of invitations; one query)."""
    return (
        Enrollment.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=source.ends_on),
            status=EnrollmentStatus.ACTIVE,
            group__season=source,
            group_id__in=list(group_ids),
        )
        .values("participant__household_id")
        .distinct()
        .count()
    )
