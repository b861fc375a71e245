"""Make-up meetings: the reads the pages and the register need.

A credit is *valid* while unused and not past its last day, *used* while a live booking spends
it, and *expired* otherwise. Free places at a meeting are counted as in `trial_book`: the
group's places taken plus the meeting's live trials and live make-ups.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clubs.models import Meeting, MeetingStatus

from .models import (
    EnrollmentStatus,
    MakeupBooking,
    MakeupCredit,
    Participant,
    TrialBooking,
)


def makeup_participants_for_meeting(meeting: Meeting) -> QuerySet[Participant]:
    """Participants who come to the meeting on a make-up booking (for its register)."""
    return Participant.objects.filter(
        makeup_credits__bookings__meeting=meeting,
        makeup_credits__bookings__cancelled_at__isnull=True,
    ).distinct()


def live_makeups_count(*, meeting: Meeting) -> int:
    return MakeupBooking.objects.filter(meeting=meeting, cancelled_at__isnull=True).count()


def _count(queryset) -> Subquery:
    return Coalesce(
        Subquery(
            queryset.order_by().values("meeting_id").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def meetings_with_free_places() -> QuerySet[Meeting]:
    """Meetings annotated with `free_places` (capacity less every place held at them)."""
    live_trials = TrialBooking.objects.filter(meeting=OuterRef("pk"), cancelled_at__isnull=True)
    live_makeups = MakeupBooking.objects.filter(meeting=OuterRef("pk"), cancelled_at__isnull=True)
    return Meeting.objects.annotate(
        trials_count=_count(live_trials), makeups_count=_count(live_makeups)
    ).annotate(
        free_places=(
            F("group__capacity") - F("group__places_taken") - F("trials_count") - F("makeups_count")
        )
    )


def makeup_meetings_for(*, credit: MakeupCredit, now: dt.datetime | None = None) -> list[Meeting]:
    """Meetings the credit can be booked into: other groups of its activity, ahead, before the
    credit's last day, with a free place and an age range that fits the participant."""
    now = now or timezone.now()
    participant = credit.participant
    member_groups = participant.enrollments.filter(
        Q(status=EnrollmentStatus.ACTIVE) | Q(status=EnrollmentStatus.OFFERED)
    ).values("group_id")
    booked = MakeupBooking.objects.filter(
        credit__participant=participant, cancelled_at__isnull=True
    ).values("meeting_id")
    last_moment = dt.datetime.combine(
        credit.expires_on + dt.timedelta(days=1),
        dt.time.min,
        tzinfo=timezone.get_current_timezone(),
    )
    meetings = (
        meetings_with_free_places()
        .filter(
            group__activity_id=credit.activity_id,
            status=MeetingStatus.SCHEDULED,
            starts_at__gt=now,
            starts_at__lt=last_moment,
            free_places__gt=0,
        )
        .exclude(group_id=credit.notice.meeting.group_id)
        .exclude(group_id__in=member_groups)
        .exclude(pk__in=booked)
        .select_related("group__season", "group__activity", "room__venue")
        .order_by("starts_at")
    )
    return [m for m in meetings if m.group.accepts_birth_date(participant.birth_date)]


@dataclass
class CreditRow:
    credit: MakeupCredit
    booking: MakeupBooking | None
    state: str
    # Filled by the page for valid credits: where the credit can be booked.
    meetings: list[Meeting] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return str(CREDIT_STATES[self.state])


CREDIT_STATES = {
    "valid": _("valid"),
    "used": _("used"),
    "expired": _("expired"),
}


def credit_rows_of(*, participant: Participant, today: dt.date | None = None) -> list[CreditRow]:
    """The participant's credits with their state and live booking, in two queries."""
    today = today or timezone.localdate()
    credits = list(
        MakeupCredit.objects.filter(participant=participant)
        .select_related("activity", "notice__meeting__group")
        .order_by("-earned_at", "-pk")
    )
    bookings = {
        booking.credit_id: booking
        for booking in MakeupBooking.objects.filter(
            credit__in=credits, cancelled_at__isnull=True
        ).select_related("meeting__group__activity", "meeting__room__venue")
    }
    rows = []
    for credit in credits:
        booking = bookings.get(credit.pk)
        if booking is not None:
            state = "used"
        elif credit.expires_on < today or credit.notice.withdrawn_at is not None:
            state = "expired"
        else:
            state = "valid"
        rows.append(CreditRow(credit=credit, booking=booking, state=state))
    return rows
