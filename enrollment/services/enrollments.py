"""Enrollment requests, withdrawal, approval, moves between groups and trial meetings.

Every change of places runs inside one transaction holding the group's row lock; see
docs/adr/0004-enrollment-places-and-waiting-list.md and `places.py`.
"""

import calendar
import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clubs.models import Group, Meeting, MeetingStatus

from ..allocation_selectors import lottery_check_enrollment
from ..exceptions import (
    AgeNotAllowedError,
    AlreadyEnrolledError,
    ConsentMissingError,
    EnrollmentClosedError,
    GroupFullError,
    InvalidTransitionError,
    NotEligibleError,
    TrialNotAllowedError,
)
from ..locking import group_lock, group_lock_refresh, race_window
from ..models import (
    LIVE_STATUSES,
    Enrollment,
    EnrollmentStatus,
    Participant,
    PriorityTier,
    TrialBooking,
)
from ..selectors import consents_missing, participant_is_continuing
from .places import advance_waitlist, micros, move, record, save_counters

S = EnrollmentStatus


def _check_window(group: Group, *, continuing: bool, now: dt.datetime) -> None:
    season = group.season
    if season.enrollment_closes_at and now >= season.enrollment_closes_at:
        raise EnrollmentClosedError(_("Enrollment for this season has closed."))
    if now >= season.enrollment_opens_at:
        return
    if continuing and season.priority_opens_at and now >= season.priority_opens_at:
        return
    opens = timezone.localtime(season.enrollment_opens_at)
    raise EnrollmentClosedError(
        _("Enrollment opens on %(date)s.") % {"date": opens.strftime("%d.%m.%Y %H:%M")}
    )


def _check_participant(participant: Participant, group: Group) -> None:
    if participant.household.closed_at is not None:
        raise NotEligibleError(_("This household account is closed: it takes no new enrollments."))
    if not group.accepts_birth_date(participant.birth_date):
        raise AgeNotAllowedError(
            _("%(name)s's age does not fit this group (ages %(min)d–%(max)d).")
            % {"name": participant.first_name, "min": group.age_min, "max": group.age_max}
        )
    if consents_missing(participant=participant):
        raise ConsentMissingError(
            _("Give the consent to processing of %(name)s's data first.")
            % {"name": participant.first_name}
        )


def enrollment_request(
    *,
    participants: Sequence[Participant],
    group: Group,
    requested_by,
    together: bool = False,
    request_key: str = "",
    now: dt.datetime | None = None,
) -> list[Enrollment]:
    """Enroll one or more participants (siblings) in a group.

    Each gets a place (ACTIVE), waits for approval (PENDING) or joins the waiting list. With
    `together`, either all of them get places or all of them wait.
    """
    now = now or timezone.now()
    if not group.is_published or not group.season.is_published:
        raise EnrollmentClosedError(_("This group does not take enrollments."))
    lottery_check_enrollment(group=group)
    tiers = {}
    for participant in participants:
        _check_participant(participant, group)
        continuing = participant_is_continuing(participant=participant, group=group)
        _check_window(group, continuing=continuing, now=now)
        tiers[participant.pk] = PriorityTier.CONTINUING if continuing else PriorityTier.GENERAL

    try:
        with transaction.atomic():
            # The group as read above, its places and counters re-read under the lock.
            locked = group_lock_refresh(group)
            # One read for both checks: this user's earlier rows with the same request key, and
            # any live enrollment of these participants in the group.
            clash = Q(status__in=LIVE_STATUSES, group=locked, participant__in=participants)
            if request_key:
                clash |= Q(request_key=request_key, requested_by=requested_by)
            found = list(Enrollment.objects.filter(clash).order_by("pk"))
            if request_key:
                repeated = [
                    e
                    for e in found
                    if e.request_key == request_key
                    and e.requested_by_id == getattr(requested_by, "pk", None)
                ]
                if repeated:
                    return repeated  # the same form submitted twice: answer as the first time
            if found:
                raise AlreadyEnrolledError()
            taken, waiting = locked.places_taken, locked.waitlist_length
            race_window()
            free = locked.capacity - taken
            fits_all = free >= len(participants)
            enrollments = []
            for participant in participants:
                if locked.requires_approval:
                    status = S.PENDING
                elif free > 0 and (fits_all or not together):
                    status, free, taken = S.ACTIVE, free - 1, taken + 1
                else:
                    status, waiting = S.WAITLISTED, waiting + 1
                enrollment = Enrollment.objects.create(
                    participant=participant,
                    group=locked,
                    status=status,
                    priority_tier=tiers[participant.pk],
                    waitlist_rank=micros(now),
                    requested_at=now,
                    requested_by=requested_by,
                    request_key=request_key,
                )
                context = record(enrollment, from_status="", actor=requested_by) or {}
                # For the answer page: the place in line as the message tells it.
                enrollment.waitlist_position = context.get("position")
                enrollments.append(enrollment)
            save_counters(locked, taken=taken, waiting=waiting)
            return enrollments
    except IntegrityError as error:
        # The partial unique index caught a duplicate the check above could not see.
        raise AlreadyEnrolledError() from error


def _last_day_of_month(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@transaction.atomic
def enrollment_withdraw(
    *, enrollment: Enrollment, by, reason: str = "", now: dt.datetime | None = None
) -> Enrollment:
    """Withdraw. An active place stays until the end of the month, then passes on; a request,
    a waiting-list place or an offer ends at once."""
    now = now or timezone.now()
    group = group_lock(enrollment.group_id)
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    if enrollment.status == S.ACTIVE:
        if enrollment.ends_on is not None:
            raise InvalidTransitionError(_("The withdrawal has already been recorded."))
        enrollment.ends_on = _last_day_of_month(timezone.localdate(now))
        enrollment.save(update_fields=["ends_on", "updated_at"])
        record(
            enrollment,
            from_status=S.ACTIVE,
            actor=by,
            reason=reason or _("Withdrawal at the end of the month"),
        )
        return enrollment
    if enrollment.status not in (S.PENDING, S.WAITLISTED, S.OFFERED):
        raise InvalidTransitionError()
    was = enrollment.status
    move(enrollment, S.WITHDRAWN, actor=by, reason=reason)
    if was == S.WAITLISTED:
        save_counters(group, taken=group.places_taken, waiting=group.waitlist_length - 1)
    elif was == S.OFFERED:
        save_counters(group, taken=group.places_taken - 1, waiting=group.waitlist_length)
        advance_waitlist(group, now=now)
    return enrollment


@transaction.atomic
def enrollment_approve(
    *, enrollment: Enrollment, by, reason: str = "", now: dt.datetime | None = None
) -> Enrollment:
    """Accept a pending request: a place if there is one, else the waiting list."""
    now = now or timezone.now()
    group = group_lock(enrollment.group_id)
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    if enrollment.status != S.PENDING:
        raise InvalidTransitionError(_("Only requests awaiting approval can be approved."))
    if group.places_taken < group.capacity:
        move(enrollment, S.ACTIVE, actor=by, reason=reason)
        save_counters(group, taken=group.places_taken + 1, waiting=group.waitlist_length)
    else:
        move(enrollment, S.WAITLISTED, actor=by, reason=reason, waitlist_rank=micros(now))
        save_counters(group, taken=group.places_taken, waiting=group.waitlist_length + 1)
    return enrollment


@transaction.atomic
def enrollment_reject(*, enrollment: Enrollment, by, reason: str) -> Enrollment:
    group = group_lock(enrollment.group_id)
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    if enrollment.status not in (S.PENDING, S.WAITLISTED):
        raise InvalidTransitionError(_("Only requests and waiting-list places can be rejected."))
    was = enrollment.status
    move(enrollment, S.REJECTED, actor=by, reason=reason)
    if was == S.WAITLISTED:
        save_counters(group, taken=group.places_taken, waiting=group.waitlist_length - 1)
    return enrollment


def enrollment_move(
    *, enrollment: Enrollment, to_group: Group, by, reason: str, now: dt.datetime | None = None
) -> Enrollment:
    """Move an active participant to another group with a free place; the old enrollment ends
    as MOVED and its place passes on. Returns the new enrollment."""
    now = now or timezone.now()
    if to_group.pk == enrollment.group_id:
        raise InvalidTransitionError(_("Choose a different group."))
    if to_group.activity_id != enrollment.group.activity_id or (
        to_group.season_id != enrollment.group.season_id
    ):
        raise InvalidTransitionError(_("A move is possible within the same activity and season."))
    first, second = sorted([enrollment.group_id, to_group.pk])
    with transaction.atomic():
        locked = {first: group_lock(first), second: group_lock(second)}  # fixed order: no deadlock
        source, target = locked[enrollment.group_id], locked[to_group.pk]
        enrollment = Enrollment.objects.select_related("participant").get(pk=enrollment.pk)
        if enrollment.status != S.ACTIVE:
            raise InvalidTransitionError(_("Only active participants can be moved."))
        if not target.accepts_birth_date(enrollment.participant.birth_date):
            raise AgeNotAllowedError()
        if target.places_taken >= target.capacity:
            raise GroupFullError()
        if (
            Enrollment.objects.live()
            .filter(group=target, participant=enrollment.participant)
            .exists()
        ):
            raise AlreadyEnrolledError()
        move(enrollment, S.MOVED, actor=by, reason=reason)
        moved = Enrollment.objects.create(
            participant=enrollment.participant,
            group=target,
            status=S.ACTIVE,
            priority_tier=enrollment.priority_tier,
            waitlist_rank=micros(now),
            requested_at=now,
            requested_by=by,
        )
        record(
            moved,
            from_status="",
            actor=by,
            reason=_("Moved from %(group)s: %(reason)s") % {"group": source, "reason": reason},
        )
        save_counters(source, taken=source.places_taken - 1, waiting=source.waitlist_length)
        save_counters(target, taken=target.places_taken + 1, waiting=target.waitlist_length)
        advance_waitlist(source, now=now)
        return moved


@transaction.atomic
def trial_book(*, participant: Participant, meeting: Meeting, by) -> TrialBooking:
    """Book one trial meeting; it takes a place at that meeting only."""
    group = group_lock(meeting.group_id)
    if not group.trial_allowed:
        raise TrialNotAllowedError(_("This group does not offer trial meetings."))
    meeting = Meeting.objects.get(pk=meeting.pk)
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= timezone.now():
        raise TrialNotAllowedError(_("Choose a meeting that is still ahead."))
    if not group.accepts_birth_date(participant.birth_date):
        raise AgeNotAllowedError()
    if Enrollment.objects.live().filter(group=group, participant=participant).exists():
        raise TrialNotAllowedError(_("The participant is already enrolled in this group."))
    if TrialBooking.objects.filter(
        participant=participant, group=group, cancelled_at__isnull=True
    ).exists():
        raise TrialNotAllowedError(_("A trial meeting in this group has already been booked."))
    trials = TrialBooking.objects.filter(meeting=meeting, cancelled_at__isnull=True).count()
    if group.places_taken + trials >= group.capacity:
        raise GroupFullError(_("There is no free place at this meeting."))
    return TrialBooking.objects.create(
        participant=participant, group=group, meeting=meeting, booked_by=by
    )


def group_counters_recount(*, group: Group) -> tuple[int, int]:
    """(places taken, waiting list length) counted from the rows: what the counters must say."""
    enrollments = Enrollment.objects.filter(group=group)
    return (
        enrollments.holding_places().count(),
        enrollments.filter(status=S.WAITLISTED).count(),
    )
