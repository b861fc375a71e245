"""Credit notes for the unused part of a charged period after an enrollment ended early.

A move, or a withdrawal whose last day falls before the end of what a charge covers, leaves part
of the charge unused. The proration rule answers it the way it would have charged: the credit is
the charge's amount (after its frozen discounts) times the share of its meetings after the
enrollment's last day, rounded half up to the grosz:

- MONTHLY: the month's scheduled meetings of the group inside the charged span (from the
  activation on) that fall after the last day, over those inside the charged span;
- SEMESTER: the same over the semester's scheduled meetings;
- PER_MEETING: the charged meetings after the last day that no cancelled-meeting credit has
  already repaid, over the charged meetings;
- ANNUAL_DUES: whole months after the last day's month over the months charged; a move keeps the
  membership of the club (the dues stay paid for the new group), so it credits nothing;
- PASS: never prorated, nothing.

Only a charge written before the end was known is credited (a later one already stopped at the
last day). One note per charge, keyed `unused:charge:<id>`, written under the household's lock
and never more than what is left of the charge after earlier credit notes; the actor is the one
who ended the enrollment (None for the system). See docs/adr/0014-credits-for-unused-months.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clubs.models import Meeting, MeetingStatus
from enrollment.models import Enrollment, EnrollmentStatus

from ..models import Charge, CreditNote, CreditReason, FeePlanKind
from ..models.fields import ZERO
from .credits import charged_meeting_ids, meeting_credit_key_meeting
from .ledger import credit_note_issue, household_lock
from .proration import month_end, months_left_in_year, period_label, prorate, semester_of
from .run_data import Life, enrollment_lives

S = EnrollmentStatus
# An end older than this is not looked at again (the sweep runs many times a day).
UNUSED_LOOKBACK_DAYS = 120
CREDITED_KINDS = (
    FeePlanKind.MONTHLY,
    FeePlanKind.PER_MEETING,
    FeePlanKind.SEMESTER,
    FeePlanKind.ANNUAL_DUES,
)


def unused_key(charge_id: int) -> str:
    return f"unused:charge:{charge_id}"


@dataclass(frozen=True)
class Share:
    """The unused part of a charge: `unused` of `total` meetings (months for dues)."""

    unused: int
    total: int
    first: dt.date  # what the charge covers, for the note
    last: dt.date

    def of(self, amount: Decimal) -> Decimal:
        return prorate(amount, self.unused, self.total)


def unused_share(
    charge: Charge,
    life: Life,
    *,
    scheduled: list[dt.date],
    charged_meetings: dict[int, dt.date],
    repaid: set[int],
) -> Share | None:
    """What of `charge` lies after `life.last_day` under the proration rule (None: nothing).

    `scheduled`: the group's scheduled meeting days around the charge; `charged_meetings`: the
    days of a per-meeting charge's meetings; `repaid`: those already credited as cancelled.
    """
    last_day = life.last_day
    if last_day is None:
        return None
    season = charge.enrollment.group.season
    period = charge.period
    starts = max(life.starts, season.starts_on)
    kind = charge.kind
    if kind in (FeePlanKind.MONTHLY, FeePlanKind.SEMESTER):
        if kind == FeePlanKind.MONTHLY:
            first, last = max(period, starts), min(month_end(period), season.ends_on)
        else:
            semester = semester_of(season, max(period, season.starts_on))
            first, last = max(semester.starts_on, starts), semester.ends_on
        held = [day for day in scheduled if first <= day <= last]
        unused = [day for day in held if day > last_day]
        return Share(len(unused), len(held), first, last) if unused else None
    if kind == FeePlanKind.PER_MEETING:
        if not charged_meetings:
            return None
        unused = [pk for pk, day in charged_meetings.items() if day > last_day and pk not in repaid]
        days = sorted(charged_meetings.values())
        return Share(len(unused), len(days), days[0], days[-1]) if unused else None
    if kind == FeePlanKind.ANNUAL_DUES:
        if life.moved:
            return None  # the membership goes on in the new group, whose dues are this charge
        total = months_left_in_year(starts, period)
        if last_day.year < period.year:
            unused = total
        elif last_day.year > period.year:
            unused = 0
        else:
            unused = min(12 - last_day.month, total)
        year_end = period.replace(month=12, day=31)
        return Share(unused, total, period, year_end) if unused > 0 else None
    return None


def unused_periods_credit(*, today: dt.date | None = None, enrollment_ids=None) -> int:
    """Credit the unused part of every charge whose enrollment ended early (see the module).

    Safe to run any number of times: one note per charge. Returns the notes issued.
    """
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=UNUSED_LOOKBACK_DAYS)
    ended = Enrollment.objects.filter(
        Q(ends_on__gte=since)
        | Q(
            status=S.MOVED, updated_at__gte=timezone.now() - dt.timedelta(days=UNUSED_LOOKBACK_DAYS)
        )
    )
    if enrollment_ids is not None:
        ended = ended.filter(pk__in=list(enrollment_ids))
    charges = list(
        Charge.objects.filter(enrollment__in=ended, kind__in=CREDITED_KINDS)
        .select_related("enrollment__group__season", "enrollment__participant", "household")
        .order_by("pk")
    )
    if not charges:
        return 0
    done = set(
        CreditNote.objects.filter(key__in=[unused_key(c.pk) for c in charges]).values_list(
            "key", flat=True
        )
    )
    charges = [c for c in charges if unused_key(c.pk) not in done]
    lives = enrollment_lives({c.enrollment for c in charges})
    # Only what was charged before the end was known: a later charge stopped at the last day.
    charges = [
        c
        for c in charges
        if lives[c.enrollment_id].ended_at is not None
        and c.created_at < lives[c.enrollment_id].ended_at
    ]
    if not charges:
        return 0
    scheduled, charged_meetings, repaid = _meetings_for(charges)
    users = get_user_model().objects.in_bulk(
        {lives[c.enrollment_id].ended_by_id for c in charges} - {None}
    )
    issued = 0
    for charge in charges:
        life = lives[charge.enrollment_id]
        share = unused_share(
            charge,
            life,
            scheduled=scheduled.get(charge.enrollment.group_id, []),
            charged_meetings=charged_meetings.get(charge.pk, {}),
            repaid=repaid.get(charge.pk, set()),
        )
        if share is None:
            continue
        if _unused_credit(charge, life, share, actor=users.get(life.ended_by_id)):
            issued += 1
    return issued


def _meetings_for(charges: list[Charge]):
    """Scheduled meeting days per group, per-meeting charges' meetings, and repaid meetings."""
    groups = {c.enrollment.group_id for c in charges}
    first = min(c.enrollment.group.season.starts_on for c in charges)
    last = max(c.enrollment.group.season.ends_on for c in charges)
    scheduled: dict[int, list[dt.date]] = defaultdict(list)
    for group_id, day in (
        Meeting.objects.filter(
            group_id__in=groups,
            status=MeetingStatus.SCHEDULED,
            date__gte=first,
            date__lte=last,
        )
        .order_by("date", "pk")
        .values_list("group_id", "date")
    ):
        scheduled[group_id].append(day)
    per_meeting = [c for c in charges if c.kind == FeePlanKind.PER_MEETING]
    ids_of = {c.pk: charged_meeting_ids(c) for c in per_meeting}
    days = dict(
        Meeting.objects.filter(pk__in={pk for ids in ids_of.values() for pk in ids}).values_list(
            "pk", "date"
        )
    )
    charged_meetings = {
        charge_id: {pk: days[pk] for pk in ids if pk in days} for charge_id, ids in ids_of.items()
    }
    repaid: dict[int, set[int]] = defaultdict(set)
    for charge_id, key in CreditNote.objects.filter(
        charge_id__in=list(ids_of), reason=CreditReason.CANCELLED_MEETING
    ).values_list("charge_id", "key"):
        meeting_id = meeting_credit_key_meeting(key or "")
        if meeting_id is not None:
            repaid[charge_id].add(meeting_id)
    return scheduled, charged_meetings, repaid


def _unused_credit(charge: Charge, life: Life, share: Share, *, actor) -> bool:
    key = unused_key(charge.pk)
    enrollment = charge.enrollment
    with translation.override(settings.LANGUAGE_CODE):
        if charge.kind in (FeePlanKind.MONTHLY, FeePlanKind.PER_MEETING):
            covered = period_label(charge.period)
        elif charge.kind == FeePlanKind.SEMESTER:
            covered = _("the semester %(first)s–%(last)s") % {
                "first": share.first.strftime("%d.%m.%Y"),
                "last": share.last.strftime("%d.%m.%Y"),
            }
        else:
            covered = _("the dues for %(year)s") % {"year": charge.period.year}
        note = _(
            "Unused part of %(period)s (%(unused)s/%(total)s): %(participant)s, %(group)s, "
            "enrollment no. %(enrollment)s, ended on %(date)s"
        ) % {
            "period": covered,
            "participant": str(enrollment.participant),
            "group": enrollment.group.name,
            "enrollment": enrollment.pk,
            "date": life.last_day.strftime("%d.%m.%Y"),
            "unused": share.unused,
            "total": share.total,
        }
    try:
        with transaction.atomic():
            household_lock(charge.household_id)  # the credited sum cannot change under us
            if CreditNote.objects.filter(key=key).exists():
                return False
            credited = charge.credit_notes.aggregate(total=Sum("amount"))["total"] or ZERO
            amount = min(share.of(charge.amount), charge.amount - credited)
            if amount <= 0:
                return False
            credit_note_issue(
                household=charge.household,
                amount=amount,
                reason=CreditReason.MOVE if life.moved else CreditReason.WITHDRAWAL,
                note=note,
                actor=actor,
                charge=charge,
                key=key,
            )
    except IntegrityError:  # a concurrent sweep wrote the same key first
        return False
    return True
