"""Make-up meetings: a credit earned by a reported absence, spent on a meeting of another group
of the same activity. A make-up holds a place at that one meeting, like a trial, so booking
locks the target group's row (`locking.group_lock`, ADR 0004)."""

import calendar
import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clubs.models import Meeting, MeetingStatus

from ..attendance import meeting_participant_ids
from ..exceptions import (
    AgeNotAllowedError,
    MakeupCancelTooLateError,
    MakeupCreditExpiredError,
    MakeupCreditUsedError,
    MakeupError,
    MakeupMeetingFullError,
    MakeupMeetingNotAllowedError,
)
from ..locking import group_lock, race_window
from ..makeups import live_makeups_count
from ..models import AbsenceNotice, MakeupBooking, MakeupCredit, MakeupRule, TrialBooking

logger = logging.getLogger(__name__)


def _month_bounds(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = timezone.localtime(moment)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    days = calendar.monthrange(local.year, local.month)[1]
    return start, start + dt.timedelta(days=days)


def makeup_credit_grant(*, notice: AbsenceNotice) -> MakeupCredit | None:
    """The credit the absence earns under its activity's rule, or None. Safe to call twice."""
    with transaction.atomic():
        # The notice's row lock serialises two grants of one notice; the participant's row
        # serialises the monthly count of one participant.
        notice = (
            AbsenceNotice.objects.select_for_update()
            .select_related("meeting__group", "participant")
            .get(pk=notice.pk)
        )
        existing = MakeupCredit.objects.filter(notice=notice).first()
        if existing is not None:
            return existing
        if notice.withdrawn_at is not None:
            return None
        meeting = notice.meeting
        activity_id = meeting.group.activity_id
        rule = MakeupRule.objects.filter(activity_id=activity_id, active=True).first()
        if rule is None:
            return None
        if notice.reported_at > meeting.starts_at - dt.timedelta(hours=rule.notice_hours):
            return None
        type(notice.participant).objects.select_for_update().get(pk=notice.participant_id)
        now = timezone.now()
        start, end = _month_bounds(now)
        earned = MakeupCredit.objects.filter(
            participant_id=notice.participant_id,
            activity_id=activity_id,
            earned_at__gte=start,
            earned_at__lt=end,
        ).count()
        if earned >= rule.max_per_month:
            return None
        try:
            with transaction.atomic():
                credit = MakeupCredit.objects.create(
                    participant_id=notice.participant_id,
                    activity_id=activity_id,
                    notice=notice,
                    earned_at=now,
                    expires_on=meeting.date + dt.timedelta(weeks=rule.valid_weeks),
                )
        except IntegrityError:  # the same notice granted twice at once
            return MakeupCredit.objects.get(notice=notice)
    logger.info("makeup credit %s earned by absence notice %s", credit.pk, notice.pk)
    return credit


def makeup_book(*, credit: MakeupCredit, meeting: Meeting, by) -> MakeupBooking:
    """Spend the credit on a coming meeting of another group of the same activity."""
    now = timezone.now()
    with transaction.atomic():
        group = group_lock(meeting.group_id)
        # The credit's row serialises two bookings of one credit into different groups.
        credit = (
            MakeupCredit.objects.select_for_update(of=("self",))
            .select_related("participant", "notice__meeting")
            .get(pk=credit.pk)
        )
        meeting = Meeting.objects.get(pk=meeting.pk)
        participant = credit.participant
        if MakeupBooking.objects.filter(credit=credit, cancelled_at__isnull=True).exists():
            raise MakeupCreditUsedError
        if credit.notice.withdrawn_at is not None:
            raise MakeupError(_("The absence was withdrawn, so this credit cannot be used."))
        if group.activity_id != credit.activity_id or group.pk == credit.notice.meeting.group_id:
            raise MakeupMeetingNotAllowedError
        if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= now:
            raise MakeupError(_("Choose a meeting that is still ahead."))
        if (
            credit.expires_on < timezone.localdate(now)
            or timezone.localtime(meeting.starts_at).date() > credit.expires_on
        ):
            raise MakeupCreditExpiredError
        if not group.accepts_birth_date(participant.birth_date):
            raise AgeNotAllowedError
        if participant.pk in meeting_participant_ids(meeting=meeting) or (
            MakeupBooking.objects.filter(
                meeting=meeting, credit__participant=participant, cancelled_at__isnull=True
            ).exists()
        ):
            raise MakeupError(_("The participant is already expected at this meeting."))
        trials = TrialBooking.objects.filter(meeting=meeting, cancelled_at__isnull=True).count()
        if group.places_taken + trials + live_makeups_count(meeting=meeting) >= group.capacity:
            raise MakeupMeetingFullError
        race_window()
        try:
            with transaction.atomic():
                booking = MakeupBooking.objects.create(credit=credit, meeting=meeting, booked_by=by)
        except IntegrityError as exc:  # reachable only with the lock switched off (tests)
            raise MakeupCreditUsedError from exc
    logger.info("makeup booking %s: credit %s at meeting %s", booking.pk, credit.pk, meeting.pk)
    return booking


def makeup_cancel(*, booking: MakeupBooking, by) -> MakeupBooking:
    """Cancel a make-up before its meeting starts; the credit can be booked again."""
    with transaction.atomic():
        group_lock(booking.meeting.group_id)
        booking = (
            MakeupBooking.objects.select_for_update(of=("self",))
            .select_related("meeting")
            .get(pk=booking.pk)
        )
        if booking.cancelled_at is not None:
            return booking
        if booking.meeting.starts_at <= timezone.now():
            raise MakeupCancelTooLateError
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["cancelled_at"])
    logger.info("makeup booking %s cancelled by user %s", booking.pk, getattr(by, "pk", None))
    return booking
