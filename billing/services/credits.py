"""Credit notes written by code for meetings the centre cancelled after charging.

A daily sweep (`cancelled_meetings_credit`) credits one meeting's price, after the charge's own
discounts, keyed `meeting:<id>:charge:<id>` so it happens once. Meetings after the enrollment's
last day are left to `unused_credits`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from clubs.models import Meeting, MeetingStatus

from ..models import Charge, CreditNote, CreditReason, FeePlanKind
from ..models.fields import ZERO
from .proration import money
from .run_data import enrollment_lives

CREDIT_LOOKBACK_DAYS = 120


def meeting_credit_key(meeting_id: int, charge_id: int) -> str:
    return f"meeting:{meeting_id}:charge:{charge_id}"


def meeting_credit_key_meeting(key: str) -> int | None:
    """The meeting of a `meeting_credit_key` (None for any other key)."""
    parts = key.split(":")
    if len(parts) == 4 and parts[0] == "meeting" and parts[1].isdigit():
        return int(parts[1])
    return None


def charged_meeting_ids(charge: Charge) -> list[int]:
    """The meetings a per-meeting charge was for (its first line lists them)."""
    return [int(pk) for pk in charge.lines[0].get("meetings") or []] if charge.lines else []


def cancelled_meetings_credit(*, today: dt.date | None = None) -> int:
    """Credit one meeting's price (after the charge's discounts) on each per-meeting charge for
    every charged meeting the centre cancelled after charging. Idempotent by the note's key."""
    today = today or timezone.localdate()
    cancelled = {
        pk: (group_id, day, changed)
        for pk, group_id, day, changed in Meeting.objects.filter(
            status=MeetingStatus.CANCELLED,
            date__gte=(today - dt.timedelta(days=CREDIT_LOOKBACK_DAYS)).replace(day=1),
        ).values_list("pk", "group_id", "date", "updated_at")
    }
    if not cancelled:
        return 0
    groups = {group_id for group_id, _day, _changed in cancelled.values()}
    months = {day.replace(day=1) for _group, day, _changed in cancelled.values()}
    charges = Charge.objects.filter(
        kind=FeePlanKind.PER_MEETING,
        enrollment__group_id__in=groups,
        period__in=months,
    ).select_related("enrollment__group__fee_plan", "household")
    charges = list(charges)
    # A meeting after the enrollment's last day is credited with the unused part of the charge
    # (`unused_credits`), not here: the two never repay one meeting twice.
    lives = enrollment_lives({charge.enrollment for charge in charges})
    due: list[tuple[Charge, int, dt.date, str]] = []
    for charge in charges:
        charged = set(charged_meeting_ids(charge))
        last_day = lives[charge.enrollment_id].last_day
        for meeting_id in sorted(charged & set(cancelled)):
            _group, day, changed = cancelled[meeting_id]
            if last_day is not None and day > last_day:
                continue
            if changed > charge.created_at:
                due.append((charge, meeting_id, day, meeting_credit_key(meeting_id, charge.pk)))
    done = set(
        CreditNote.objects.filter(key__in=[key for *_rest, key in due]).values_list(
            "key", flat=True
        )
    )
    issued = 0
    for charge, _meeting_id, day, key in due:
        if key in done:
            continue
        if _meeting_credit(charge, day, key):
            issued += 1
    return issued


def _meeting_credit(charge: Charge, day: dt.date, key: str) -> bool:
    from django.utils import translation

    from .ledger import credit_note_issue

    plan = charge.enrollment.group.fee_plan
    price = plan.amount
    if charge.base_amount > 0 and charge.amount != charge.base_amount:
        price = money(price * charge.amount / charge.base_amount)
    with transaction.atomic():
        credited = charge.credit_notes.aggregate(total=Sum("amount"))["total"] or ZERO
        amount = min(price, charge.amount - credited)
        if amount <= 0:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            note = _("Meeting on %(date)s cancelled by the centre") % {
                "date": day.strftime("%d.%m.%Y")
            }
        credit_note_issue(
            household=charge.household,
            amount=amount,
            reason=CreditReason.CANCELLED_MEETING,
            note=note,
            charge=charge,
            key=key,
        )
    return True
