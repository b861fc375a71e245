"""Overdue follow-up and the family-card expiry reminder: daily sweeps, each message once.

Stages (`BILLING_OVERDUE_STAGES`, days after the due date, default "7,21,35"): 1 a reminder to
the family, 2 a second reminder, 3 an alert to the coordinators of the activity. A charge moves
at most one stage per sweep, never skips one, and a late one keeps the stages' spacing from its
previous notice; an `OverdueNotice` row (unique per charge and
stage) is written in the same transaction as its message, so a stage is never queued twice, and
a charge paid meanwhile (nothing outstanding under the household's lock) gets nothing.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Allocation, Charge, DiscountGrant, DiscountKind, OverdueNotice, OverdueStage
from ..models.fields import ZERO
from .ledger import household_lock

CARD_KINDS = (DiscountKind.LARGE_FAMILY_CARD, DiscountKind.CITY_CARD)
CARD_REMINDER_DAYS = 30


def overdue_stages() -> dict[int, int]:
    """{stage: days after the due date}, from the setting "7,21,35" (increasing)."""
    raw = settings.BILLING_OVERDUE_STAGES
    days = [int(part) for part in str(raw).split(",") if part.strip()]
    if len(days) != len(OverdueStage) or days != sorted(days) or days[0] < 0:
        raise ValueError(
            f"BILLING_OVERDUE_STAGES needs {len(OverdueStage)} increasing numbers of days: {raw!r}"
        )
    return dict(zip(OverdueStage.values, days, strict=True))


def _paid():
    return Coalesce(
        Subquery(
            Allocation.objects.filter(charge_id=OuterRef("pk"))
            .values("charge_id")
            .annotate(total=Sum("amount"))
            .values("total"),
            output_field=DecimalField(max_digits=10, decimal_places=2),
        ),
        Value(ZERO),
    )


def _last_notice(field: str):
    return Subquery(
        OverdueNotice.objects.filter(charge_id=OuterRef("pk")).order_by("-stage").values(field)[:1]
    )


def overdue_follow_up(*, today: dt.date | None = None) -> int:
    """Queue the next due stage of every charge still outstanding; returns the notices written."""
    today = today or timezone.localdate()
    stages = overdue_stages()
    candidates = (
        Charge.objects.filter(due_on__lte=today - dt.timedelta(days=stages[1]))
        .annotate(
            paid=_paid(),
            last_stage=Coalesce(_last_notice("stage"), Value(0), output_field=IntegerField()),
            last_at=_last_notice("created_at"),
        )
        .filter(last_stage__lt=max(stages))
        .order_by("due_on", "pk")
        .values_list("pk", "due_on", "amount", "paid", "last_stage", "last_at")
    )
    written = 0
    for charge_id, due_on, amount, paid, last_stage, last_at in candidates:
        stage = last_stage + 1
        if amount - paid <= 0 or (today - due_on).days < stages[stage]:
            continue
        if last_at is not None:
            # Late charges still climb one stage at a time, as far apart as the setting says.
            since = (today - timezone.localtime(last_at).date()).days
            if since < stages[stage] - stages[last_stage]:
                continue
        if _notice_write(charge_id, stage, today=today):
            written += 1
    return written


def _notice_write(charge_id: int, stage: int, *, today: dt.date) -> bool:
    from .. import messages

    with transaction.atomic():
        charge = Charge.objects.select_related(
            "household", "enrollment__participant", "enrollment__group__activity"
        ).get(pk=charge_id)
        household_lock(charge.household_id)  # payments wait: "outstanding" holds until commit
        paid = charge.allocations.aggregate(total=Sum("amount"))["total"] or ZERO
        outstanding = charge.amount - paid
        if outstanding <= 0:
            return False
        if stage > 1 and not OverdueNotice.objects.filter(charge=charge, stage=stage - 1).exists():
            return False
        try:
            with transaction.atomic():
                notice = OverdueNotice.objects.create(
                    charge=charge, stage=stage, outstanding=outstanding
                )
        except IntegrityError:
            return False  # another sweep wrote this stage first
        messages.overdue_queue(notice=notice, today=today)
        return True


def family_cards_remind(*, today: dt.date | None = None) -> int:
    """Remind households once that a family card (national or city) expires within 30 days."""
    from .. import messages

    today = today or timezone.localdate()
    due = DiscountGrant.objects.filter(
        kind__in=CARD_KINDS,
        revoked_at__isnull=True,
        expiry_reminded_at__isnull=True,
        valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=CARD_REMINDER_DAYS),
    ).order_by("valid_until", "pk")
    reminded = 0
    for grant_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            grant = (
                DiscountGrant.objects.select_for_update(of=("self",))
                .select_related("household", "participant")
                .get(pk=grant_id)
            )
            if grant.expiry_reminded_at is not None or grant.revoked_at is not None:
                continue
            messages.family_card_expiring_queue(grant=grant)
            grant.expiry_reminded_at = timezone.now()
            grant.save(update_fields=["expiry_reminded_at"])
            reminded += 1
    return reminded
