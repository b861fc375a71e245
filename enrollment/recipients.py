"""The broadcast audience "the households of a group", for the notifications app."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clubs.models import Group
from notifications.recipients import Audience, Recipient, RecipientSource, recipients_unique

from .models import EnrollmentStatus, Guardianship, Participant
from .permissions import groups_managed_by


class GroupHouseholdsSource(RecipientSource):
    """Guardians (and adult members) of everyone active in a group; for the group's instructors
    and the staff who run its roster."""

    key = "group_households"
    label = _("Families of a group")

    def _groups(self, user):
        if not user.is_authenticated:
            return Group.objects.none()
        current = Q(season__ends_on__gte=timezone.localdate())
        taught = Group.objects.filter(current, instructors__user=user)
        managed = groups_managed_by(user).filter(current)
        return (
            (taught | managed)
            .distinct()
            .select_related("activity")
            .order_by("activity__name", "name")
        )

    def audiences(self, *, user) -> list[Audience]:
        return [Audience(str(group.pk), str(group)) for group in self._groups(user)]

    def recipients(self, *, audience: str) -> list[Recipient]:
        if not audience.isdigit():
            return []
        participants = Participant.objects.filter(
            enrollments__group_id=int(audience), enrollments__status=EnrollmentStatus.ACTIVE
        )
        guardians = Guardianship.objects.filter(
            household__participants__in=participants
        ).select_related("user")
        users = [guardianship.user for guardianship in guardians]
        users += [p.user for p in participants.filter(user__isnull=False).select_related("user")]
        return recipients_unique(Recipient.for_user(user) for user in users if user.is_active)
