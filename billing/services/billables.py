"""What one enrollment owes for one period under the proration rule (`proration`).

Pure computation over a run's `RunData`: no queries.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from ..models import FeePlanKind
from .proration import money, month_end, months_left_in_year, prorate, semester_of
from .quotes import plan_label
from .run_data import Billable, EnrollmentRow, RunData, S


def _span(data: RunData, enrollment: EnrollmentRow, season) -> tuple[dt.date, dt.date] | None:
    starts = data.activated.get(enrollment.pk)
    if starts is None:
        if enrollment.status != S.ACTIVE:
            return None  # never held a place (a withdrawn request): nothing to bill
        starts = enrollment.requested_on
    ends = enrollment.ends_on or data.ended.get(enrollment.pk) or season.ends_on
    starts, ends = max(starts, season.starts_on), min(ends, season.ends_on)
    return (starts, ends) if starts <= ends else None


def billable_for(data: RunData, enrollment: EnrollmentRow) -> Billable | None:
    """What `enrollment` owes for the run's period under the proration rule (None: nothing)."""
    if enrollment.pk in data.charged_now:
        return None
    plan = data.plans[enrollment.group_id]
    season = plan.group.season
    span = _span(data, enrollment, season)
    if span is None:
        return None
    if plan.kind not in (FeePlanKind.MONTHLY, FeePlanKind.PER_MEETING):
        return _billable(data, enrollment, plan, span)
    # Monthly fees depend on the group and the span only: most enrollments share one answer.
    key = (enrollment.group_id, span)
    if key not in data.shared:
        data.shared[key] = _billable(data, enrollment, plan, span)
    shared = data.shared[key]
    if shared is None:
        return None
    return Billable(enrollment, plan, shared.base, shared.base_label, shared.meetings)


def _billable(data: RunData, enrollment: EnrollmentRow, plan, span) -> Billable | None:
    season = plan.group.season
    starts, ends = span
    period, last = data.period, month_end(data.period)
    group_meetings = data.meetings.get(enrollment.group_id, [])
    month = [(pk, day) for pk, day in group_meetings if period <= day <= last]
    in_span = [pk for pk, day in month if starts <= day <= ends]
    if not in_span:
        return None
    kind = plan.kind
    label = data.labels.get(plan.pk)
    if label is None:
        label = data.labels[plan.pk] = plan_label(plan)
    if kind == FeePlanKind.MONTHLY:
        base = prorate(plan.amount, len(in_span), len(month))
        if len(in_span) < len(month):
            label = _("%(plan)s × %(held)s/%(total)s meetings") % {
                "plan": label,
                "held": len(in_span),
                "total": len(month),
            }
        return Billable(enrollment, plan, base, label)
    if kind == FeePlanKind.PER_MEETING:
        base = money(plan.amount * len(in_span))
        label = _("%(plan)s × %(count)s meetings") % {"plan": label, "count": len(in_span)}
        return Billable(enrollment, plan, base, label, meetings=in_span)
    if kind == FeePlanKind.SEMESTER:
        semester = semester_of(season, max(period, season.starts_on))
        first_month = semester.starts_on.replace(day=1)
        if any(
            (enrollment.pk, month_start) in data.semester_charged
            for month_start in _months(first_month, period)
        ):
            return None
        whole = [
            day for _pk, day in group_meetings if semester.starts_on <= day <= semester.ends_on
        ]
        held = [day for day in whole if starts <= day <= ends]
        base = prorate(plan.amount, len(held), len(whole))
        if len(held) < len(whole):
            label = _("%(plan)s × %(held)s/%(total)s meetings") % {
                "plan": label,
                "held": len(held),
                "total": len(whole),
            }
        return Billable(enrollment, plan, base, label)
    if kind == FeePlanKind.PASS:
        bought = data.passes.get(enrollment.pk, 0)
        if bought:
            used = data.entries.get((enrollment.participant_id, enrollment.group_id), 0)
            if not plan.entries or used < bought * plan.entries:
                return None
        return Billable(enrollment, plan, money(plan.amount), label)
    if kind == FeePlanKind.ANNUAL_DUES:
        if (enrollment.participant_id, plan.group.activity_id) in data.dues_paid:
            return None
        months = months_left_in_year(starts, period)
        base = prorate(plan.amount, months, 12)
        if months < 12:
            label = _("%(plan)s × %(months)s/12 months") % {"plan": label, "months": months}
        return Billable(enrollment, plan, base, label)
    return None


def _months(first: dt.date, before: dt.date):
    month = first
    while month < before:
        yield month
        month = (month + dt.timedelta(days=32)).replace(day=1)
