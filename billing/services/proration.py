"""The proration rule and the calendar of billing periods: months, semesters, due dates.

One rule for every plan (`proration_rule_text()` says it to people):

- MONTHLY: the monthly fee times the share of the month's scheduled (not cancelled) meetings of
  the group that fall inside the enrollment's span, rounded half up to the grosz.
- PER_MEETING: the price of a meeting times the month's scheduled meetings inside the span; a
  meeting the centre cancels after the charge is credited (`cancelled_meetings_credit`).
- SEMESTER: charged once per semester, in the first month in which the enrollment has a meeting
  (the semester's first month, or a late joiner's first month): the fee times the share of the
  semester's scheduled meetings inside the span. Semesters: the season's start to the day before
  `BILLING_SECOND_SEMESTER_STARTS` (1 February), then to the season's end.
- PASS (*karnet*): the full price of N entries, in the first month with a meeting, and again in a
  month by which the participant has used every entry bought so far (present or late, counted in
  the group's meetings before the month). Not prorated.
- ANNUAL_DUES: once per calendar year per participant and activity, in the first month with a
  meeting (January for continuing members): whole months count, the fee times the months from
  the joining month to December over 12 (a member who joined in an earlier year pays in full).
  Clubs think in months of membership, not in meetings, so dues follow months.

The span runs from activation (the first event to ACTIVE) to the last day (`ends_on`, set by a
withdrawal; for a move, the day before the move), within the season. A month in which the span
holds no scheduled meeting of the group charges nothing: no row. What an enrollment leaves unused
after a charge is credited by the same rule (`unused_credits`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..exceptions import BillingError
from ..models import FeePlan, FeePlanKind
from ..models.fields import GROSZ, ZERO

ONE_DAY = dt.timedelta(days=1)

PRORATION_RULES = {
    FeePlanKind.MONTHLY: gettext_lazy(
        "Joining or leaving during a month: the monthly fee is multiplied by the share of the "
        "month's scheduled meetings of the group that fall within the enrollment, rounded to "
        "the grosz. A month without such meetings is not charged."
    ),
    FeePlanKind.PER_MEETING: gettext_lazy(
        "Each month is charged for the meetings held within the enrollment: the price of one "
        "meeting times the scheduled meetings. A meeting cancelled by the centre is credited."
    ),
    FeePlanKind.SEMESTER: gettext_lazy(
        "The semester fee is charged once, in the first month of the semester or of the "
        "enrollment, multiplied by the share of the semester's scheduled meetings that fall "
        "within the enrollment, rounded to the grosz."
    ),
    FeePlanKind.PASS: gettext_lazy(
        "A pass is charged in full when the enrollment starts and again in the month after "
        "all its entries have been used. Passes are not prorated."
    ),
    FeePlanKind.ANNUAL_DUES: gettext_lazy(
        "Annual dues are charged once per calendar year, in January or in the month of "
        "joining: the yearly fee times the months from the month of joining to December, "
        "divided by 12."
    ),
}
GENERAL_RULE = gettext_lazy(
    "Joining or leaving during a period: a monthly or semester fee is multiplied by the share "
    "of the period's scheduled meetings (not cancelled) that fall within the enrollment, "
    "rounded half up to the grosz; a period without such meetings is not charged. Meetings "
    "cancelled by the centre are credited on fees by meetings held. Passes are charged in full; "
    "annual dues by whole months left in the year."
)


def proration_rule_text(plan: FeePlan | None = None) -> str:
    """The proration rule for people: the general one, or the one of `plan`'s kind ("" if free)."""
    if plan is None:
        return str(GENERAL_RULE)
    rule = PRORATION_RULES.get(plan.kind)
    return str(rule) if rule else ""


def money(value) -> Decimal:
    return Decimal(value).quantize(GROSZ, rounding=ROUND_HALF_UP)


def prorate(fee: Decimal, held: int, total: int) -> Decimal:
    """`fee` times held/total, rounded half up to the grosz; 0 when nothing was held."""
    if total <= 0 or held <= 0:
        return ZERO
    if held >= total:
        return money(fee)
    return money(Decimal(fee) * held / total)


def months_left_in_year(joined: dt.date, period: dt.date) -> int:
    """Whole months of dues owed in `period`'s year: from the joining month to December."""
    if joined.year < period.year:
        return 12
    return 13 - max(joined.month, 1)


# --- settings --------------------------------------------------------------------------------


def due_day() -> int:
    return min(max(int(getattr(settings, "BILLING_DUE_DAY", 10)), 1), 28)


# A charge created late (a run for the current month after its due day, a late joiner) still
# gives the family this many days to pay, so nothing is overdue the day it appears.
MIN_DAYS_TO_PAY = 14


def due_date(period: dt.date, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return max(period.replace(day=due_day()), today + dt.timedelta(days=MIN_DAYS_TO_PAY))


def second_semester_start(season_start: dt.date) -> dt.date:
    """The first `BILLING_SECOND_SEMESTER_STARTS` ("MM-DD") after the season's first day."""
    month, day = (int(part) for part in settings.BILLING_SECOND_SEMESTER_STARTS.split("-"))
    candidate = dt.date(season_start.year, month, day)
    if candidate <= season_start:
        candidate = dt.date(season_start.year + 1, month, day)
    return candidate


def month_end(period: dt.date) -> dt.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def period_check(period: dt.date) -> dt.date:
    if not isinstance(period, dt.date) or isinstance(period, dt.datetime) or period.day != 1:
        raise BillingError(_("A billing period is a month, given by its first day."))
    return period


def period_label(period: dt.date) -> str:
    """ "listopad 2026" / "November 2026" in the active language."""
    from django.utils.dates import MONTHS

    return f"{MONTHS[period.month]} {period.year}"


@dataclass
class Semester:
    starts_on: dt.date
    ends_on: dt.date


def semester_of(season, day: dt.date) -> Semester:
    """The semester of `season` that holds `day`."""
    second = second_semester_start(season.starts_on)
    if second > season.ends_on or day < second:
        return Semester(season.starts_on, min(second - ONE_DAY, season.ends_on))
    return Semester(second, season.ends_on)
