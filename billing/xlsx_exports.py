"""The accountant's XLSX files: charges, payments, and receivables per activity and month.

Each file is one or two queries whatever the number of rows (sums are subqueries or grouped
aggregates, rows are streamed with `.iterator()` into a write-only workbook). Money cells are
numbers shown as "1 234,50 zł" by a Polish spreadsheet, dates are dates.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .models import Allocation, Charge, Payment
from .models.fields import ZERO

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = '#,##0.00\\ "zł"'
DATE_FORMAT = "dd.mm.yyyy"
MONTH_FORMAT = "mm.yyyy"
MONEY = "money"
DATE = "date"
MONTH = "month"

_MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


def month_end(month: dt.date) -> dt.date:
    """The last day of the month starting at `month`."""
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _sum_of(queryset, group_by: str):
    """A correlated subquery: the sum of `amount` over `queryset` (filtered on one `group_by`
    value through OuterRef), zero when there is none."""
    total = queryset.order_by().values(group_by).annotate(total=Sum("amount")).values("total")
    return Coalesce(Subquery(total[:1]), Value(ZERO), output_field=_MONEY_FIELD)


def _text(value) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", str(value or ""))


class Sheet:
    """A write-only worksheet with typed columns: (header, kind, width)."""

    def __init__(self, workbook: Workbook, title: str, columns: list[tuple[str, str | None, int]]):
        self.sheet = workbook.create_sheet(title=title[:31])
        self.kinds = [kind for _header, kind, _width in columns]
        for index, (_header, _kind, width) in enumerate(columns):
            self.sheet.column_dimensions[chr(ord("A") + index)].width = width
        self.sheet.freeze_panes = "A2"
        header = []
        for title_text, _kind, _width in columns:
            cell = WriteOnlyCell(self.sheet, value=title_text)
            cell.font = Font(bold=True)
            header.append(cell)
        self.sheet.append(header)

    def append(self, values: Iterable) -> None:
        row = []
        for value, kind in zip(values, self.kinds, strict=True):
            if kind is None:
                row.append(_text(value) if isinstance(value, str) or value is None else value)
                continue
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.number_format = {MONEY: MONEY_FORMAT, DATE: DATE_FORMAT, MONTH: MONTH_FORMAT}[kind]
            row.append(cell)
        self.sheet.append(row)


def _workbook() -> Workbook:
    return Workbook(write_only=True)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def charges_queryset(start: dt.date, end: dt.date):
    allocations = Allocation.objects.filter(charge=OuterRef("pk"))
    return (
        Charge.objects.filter(period__gte=start, period__lte=end)
        .select_related("household", "enrollment__participant", "enrollment__group__activity")
        .annotate(
            paid=_sum_of(allocations.filter(payment__isnull=False), "charge"),
            credited=_sum_of(allocations.filter(credit_note__isnull=False), "charge"),
        )
        .order_by("period", "household__name", "pk")
    )


def charges_xlsx(start: dt.date, end: dt.date) -> bytes:
    workbook = _workbook()
    sheet = Sheet(
        workbook,
        _("Charges"),
        [
            (_("Month"), MONTH, 10),
            (_("Due date"), DATE, 12),
            (_("Household"), None, 24),
            (_("Transfer reference"), None, 14),
            (_("Activity"), None, 26),
            (_("Group"), None, 20),
            (_("Participant"), None, 24),
            (_("Description"), None, 30),
            (_("Fee plan"), None, 18),
            (_("Amount before discounts"), MONEY, 14),
            (_("Amount charged"), MONEY, 14),
            (_("Paid"), MONEY, 14),
            (_("Credited"), MONEY, 14),
            (_("Outstanding"), MONEY, 14),
        ],
    )
    for charge in charges_queryset(start, end).iterator(chunk_size=2000):
        enrollment = charge.enrollment
        group = enrollment.group if enrollment else None
        sheet.append(
            [
                charge.period,
                charge.due_on,
                charge.household.name,
                charge.household.transfer_reference,
                group.activity.name if group else "",
                group.name if group else "",
                str(enrollment.participant) if enrollment else "",
                charge.description,
                str(charge.get_kind_display()),
                charge.base_amount,
                charge.amount,
                charge.paid,
                charge.credited,
                charge.amount - charge.paid - charge.credited,
            ]
        )
    return _save(workbook)


def payments_queryset(start: dt.date, end: dt.date):
    return (
        Payment.objects.filter(received_on__gte=start, received_on__lte=month_end(end))
        .select_related("household")
        .annotate(allocated=_sum_of(Allocation.objects.filter(payment=OuterRef("pk")), "payment"))
        .order_by("received_on", "pk")
    )


def payments_xlsx(start: dt.date, end: dt.date) -> bytes:
    workbook = _workbook()
    sheet = Sheet(
        workbook,
        _("Payments"),
        [
            (_("Received on"), DATE, 12),
            (_("Household"), None, 24),
            (_("Transfer reference"), None, 14),
            (_("Payer"), None, 24),
            (_("Method"), None, 18),
            (_("Title"), None, 36),
            (_("Amount"), MONEY, 14),
            (_("Allocated to charges"), MONEY, 14),
            (_("Credit (overpayment)"), MONEY, 14),
        ],
    )
    for payment in payments_queryset(start, end).iterator(chunk_size=2000):
        sheet.append(
            [
                payment.received_on,
                payment.household.name,
                payment.household.transfer_reference,
                payment.payer,
                str(payment.get_method_display()),
                payment.title,
                payment.amount,
                payment.allocated,
                payment.amount - payment.allocated,
            ]
        )
    return _save(workbook)


def receivables_rows(start: dt.date, end: dt.date) -> list[dict]:
    """Per month and activity: charged, paid, credited, outstanding (two grouped queries)."""
    activity = "enrollment__group__activity"
    rows: dict[tuple, dict] = {}
    charged = (
        Charge.objects.filter(period__gte=start, period__lte=end)
        .order_by()
        .values("period", f"{activity}_id", f"{activity}__name")
        .annotate(charged=Sum("amount"))
    )
    for item in charged:
        key = (item["period"], item[f"{activity}_id"])
        rows[key] = {
            "period": item["period"],
            "activity": item[f"{activity}__name"] or "",
            "charged": item["charged"] or ZERO,
            "paid": ZERO,
            "credited": ZERO,
        }
    allocated = (
        Allocation.objects.filter(charge__period__gte=start, charge__period__lte=end)
        .order_by()
        .values("charge__period", f"charge__{activity}_id")
        .annotate(
            paid=Sum("amount", filter=Q(payment__isnull=False)),
            credited=Sum("amount", filter=Q(credit_note__isnull=False)),
        )
    )
    for item in allocated:
        row = rows[(item["charge__period"], item[f"charge__{activity}_id"])]
        row["paid"] = item["paid"] or ZERO
        row["credited"] = item["credited"] or ZERO
    result = sorted(rows.values(), key=lambda r: (r["period"], r["activity"]))
    for row in result:
        row["outstanding"] = row["charged"] - row["paid"] - row["credited"]
    return result


def receivables_xlsx(start: dt.date, end: dt.date) -> bytes:
    workbook = _workbook()
    sheet = Sheet(
        workbook,
        _("Receivables"),
        [
            (_("Month"), MONTH, 10),
            (_("Activity"), None, 30),
            (_("Charged"), MONEY, 14),
            (_("Paid"), MONEY, 14),
            (_("Credited"), MONEY, 14),
            (_("Outstanding"), MONEY, 14),
        ],
    )
    totals = dict.fromkeys(("charged", "paid", "credited", "outstanding"), Decimal("0.00"))
    for row in receivables_rows(start, end):
        sheet.append(
            [
                row["period"],
                row["activity"] or _("(no activity)"),
                row["charged"],
                row["paid"],
                row["credited"],
                row["outstanding"],
            ]
        )
        for name in totals:
            totals[name] += row[name]
    sheet.append([None, _("Total"), *totals.values()])
    return _save(workbook)
