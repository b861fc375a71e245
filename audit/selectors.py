"""The change history as one sorted, paginated query, and the rows of one page."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from billing.models import CreditReason, PaymentMethod
from clubs.models import Group
from enrollment.models import (
    AttendanceStatus,
    ConsentKind,
    EnrollmentStatus,
    HealthNotePage,
    Household,
    Participant,
)

from .filters import HistoryFilter
from .permissions import history_scope
from .sources import COLUMNS, SOURCES, Kind

ORDER = ("-h_at", "h_kind", "-h_pk")


def history_queryset(*, user, kinds: tuple[str, ...], filterset: HistoryFilter) -> QuerySet:
    """UNION ALL of the chosen sources, scoped to the user and filtered, newest first."""
    parts = [
        filterset.apply(history_scope(user, SOURCES[kind].build())).values(*COLUMNS)
        for kind in kinds
    ]
    if not parts:
        return SOURCES[Kind.ENROLLMENT].build().none().values(*COLUMNS)
    first, *rest = parts
    return first.union(*rest, all=True).order_by(*ORDER)


@dataclass(frozen=True)
class HistoryRow:
    kind: str
    kind_label: str
    at: dt.datetime
    actor: User | None
    participant: Participant | None
    household: Household | None
    group: Group | None
    summary: str
    note: str
    amount: Decimal | None
    ref_at: dt.datetime | None
    ref_date: dt.date | None


def _label(choices, value: str) -> str:
    return str(dict(choices.choices).get(value, value)) if value else ""


def _summary(row: dict) -> str:
    kind, detail, detail2 = row["h_kind"], row["h_detail"], row["h_detail2"]
    if kind == Kind.ENROLLMENT:
        return f"{_label(EnrollmentStatus, detail) or '—'} → {_label(EnrollmentStatus, detail2)}"
    if kind == Kind.ATTENDANCE:
        return _label(AttendanceStatus, detail)
    if kind == Kind.CONSENT:
        decision = _("granted") if detail2 == "1" else _("revoked")
        return f"{_label(ConsentKind, detail)}: {decision}"
    if kind == Kind.PAYMENT:
        return _label(PaymentMethod, detail)
    if kind == Kind.CREDIT_NOTE:
        return _label(CreditReason, detail)
    if kind == Kind.HEALTH_READ:
        return _label(HealthNotePage, detail)
    return detail  # a charge's description


def _note(row: dict) -> str:
    if row["h_kind"] == Kind.CONSENT and row["h_note"]:
        return _("wording version %(version)s") % {"version": row["h_note"]}
    return row["h_note"] or ""


def history_rows(values: list[dict]) -> list[HistoryRow]:
    """One page's rows with their people, families and groups: four queries, whatever the
    page size."""

    def ids(column: str) -> set[int]:
        return {row[column] for row in values if row[column] is not None}

    users = User.objects.in_bulk(ids("h_actor"))
    participants = Participant.objects.in_bulk(ids("h_participant"))
    households = Household.objects.in_bulk(ids("h_household"))
    groups = Group.objects.select_related("activity").in_bulk(ids("h_group"))
    labels = dict(Kind.choices)
    return [
        HistoryRow(
            kind=row["h_kind"],
            kind_label=str(labels.get(row["h_kind"], row["h_kind"])),
            at=row["h_at"],
            actor=users.get(row["h_actor"]),
            participant=participants.get(row["h_participant"]),
            household=households.get(row["h_household"]),
            group=groups.get(row["h_group"]),
            summary=_summary(row),
            note=_note(row),
            amount=row["h_amount"],
            ref_at=row["h_ref_at"],
            ref_date=row["h_ref_date"],
        )
        for row in values
    ]
