"""Bank statement import and the queue of unmatched lines.

An import is all or nothing: the file is parsed first (a bad line refuses the whole file), then
one transaction writes the statement, its new lines and the payments of the lines matched by
reference. Each line's fingerprint is unique in the database, so importing the same statement
again, or one that overlaps it, writes nothing twice; two identical lines within one file are two
payments (the fingerprint counts the occurrence).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.models import Household

from ..exceptions import StatementError
from ..models import (
    BankStatement,
    PaymentMethod,
    StatementLine,
    StatementLineStatus,
)
from ..statements import CreditLine, ParsedStatement, parse
from ..statements.references import ReferenceIndex, reference_find
from .ledger import MAX_AMOUNT, PaymentIn, payment_record, payments_record_bulk

CURRENCY = "PLN"
LOOKUP_CHUNK = 500
S = StatementLineStatus


@dataclass(frozen=True)
class ImportSummary:
    """What the page says after an import (debit lines are not stored, only counted)."""

    statement: BankStatement
    debit_lines: int


def _normalized(text: str) -> str:
    return " ".join(text.upper().split())


def fingerprints(parsed: ParsedStatement) -> list[str]:
    """sha256 of what identifies a credit line, and how many identical lines came before it."""
    seen: Counter[tuple] = Counter()
    result = []
    for line in parsed.lines:
        identity = (
            parsed.account,
            line.booked_on.isoformat(),
            str(line.amount),
            line.currency,
            _normalized(line.title),
            _normalized(line.counterparty),
            line.counterparty_account,
            line.bank_reference,
        )
        occurrence = seen[identity]
        seen[identity] += 1
        payload = "\x1f".join((*identity, str(occurrence)))
        result.append(hashlib.sha256(payload.encode("utf-8")).hexdigest())
    return result


def _existing(prints: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(prints), LOOKUP_CHUNK):
        chunk = prints[start : start + LOOKUP_CHUNK]
        found.update(
            StatementLine.objects.filter(fingerprint__in=chunk).values_list(
                "fingerprint", flat=True
            )
        )
    return found


def _households() -> tuple[ReferenceIndex, dict[str, tuple[int, bool]]]:
    """Every household's reference, once per import: reference -> (id, is closed)."""
    rows = Household.objects.values_list("pk", "transfer_reference", "closed_at")
    by_reference = {ref: (pk, closed is not None) for pk, ref, closed in rows}
    return ReferenceIndex(by_reference), by_reference


def _payable(line: CreditLine) -> bool:
    return line.currency == CURRENCY and line.amount <= MAX_AMOUNT


def statement_import(
    data: bytes,
    file_name: str,
    format: str,
    actor,
) -> BankStatement:
    """Import a statement file; lines matched by reference become payments. All or nothing."""
    return statement_import_summary(data, file_name, format, actor).statement


def statement_import_summary(
    data: bytes,
    file_name: str,
    format: str,
    actor,
) -> ImportSummary:
    """`statement_import`, also saying how many debit lines the file had (they are skipped)."""
    parsed = parse(data, format)
    prints = fingerprints(parsed)
    try:
        with transaction.atomic():
            statement = _write(parsed, prints, data, file_name, format, actor)
    except IntegrityError:
        # Another import of the same lines committed while this one ran: nothing of this one
        # was kept, and running it again imports whatever is still new.
        raise StatementError(
            _("The same statement is being imported at this moment; try again in a minute.")
        ) from None
    return ImportSummary(statement=statement, debit_lines=parsed.skipped)


def _write(parsed, prints, data, file_name, format, actor) -> BankStatement:
    existing = _existing(prints)
    index, households = _households()
    statement = BankStatement.objects.create(
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(data).hexdigest(),
        format=format,
        encoding=parsed.encoding[:20],
        imported_by=actor,
        lines_total=len(parsed.lines),
    )
    new_lines: list[StatementLine] = []
    to_pay: list[tuple[StatementLine, int]] = []
    fresh = set()
    for line, fingerprint in zip(parsed.lines, prints, strict=True):
        if fingerprint in existing or fingerprint in fresh:
            continue
        fresh.add(fingerprint)
        reference = reference_find(line.title, index)
        household_id, closed = households[reference] if reference else (None, False)
        matched = household_id is not None and not closed and _payable(line)
        row = StatementLine(
            statement=statement,
            line_no=line.line_no,
            booked_on=line.booked_on,
            amount=line.amount,
            currency=line.currency,
            title=line.title,
            counterparty=line.counterparty,
            counterparty_account=line.counterparty_account,
            bank_reference=line.bank_reference,
            fingerprint=fingerprint,
            status=S.MATCHED if matched else S.UNMATCHED,
            # An unmatched line keeps the household its reference names (closed, or a foreign
            # currency) as a hint for the office.
            household_id=household_id,
        )
        new_lines.append(row)
        if matched:
            to_pay.append((row, household_id))
    StatementLine.objects.bulk_create(new_lines, batch_size=500)
    # One bulk record for every matched line: households locked in one order, payments inserted
    # together, allocated oldest-first in a fixed number of queries (ledger.payments_record_bulk).
    payments = payments_record_bulk(
        [
            PaymentIn(
                household_id=household_id,
                amount=row.amount,
                method=PaymentMethod.TRANSFER,
                received_on=row.booked_on,
                title=row.title,
                payer=row.counterparty,
                key=f"stmt:{row.fingerprint}",
            )
            for row, household_id in to_pay
        ],
        actor=actor,
    )
    paid: list[StatementLine] = []
    for row, _household_id in to_pay:
        row.payment = payments[f"stmt:{row.fingerprint}"]
        paid.append(row)
    if paid:
        if any(row.pk is None for row in paid):  # backends without RETURNING ids
            by_print = dict(
                StatementLine.objects.filter(statement=statement).values_list("fingerprint", "pk")
            )
            for row in paid:
                row.pk = by_print[row.fingerprint]
        StatementLine.objects.bulk_update(paid, ["payment"], batch_size=500)
    statement.lines_new = len(new_lines)
    statement.lines_matched = len(paid)
    statement.save(update_fields=["lines_new", "lines_matched"])
    return statement


# --- The queue: a person assigns an unmatched line to a household, or sets it aside --------------


def _line_lock(line_id: int) -> StatementLine:
    return StatementLine.objects.select_for_update().get(pk=line_id)


def _must_be_waiting(line: StatementLine) -> None:
    if line.status != S.UNMATCHED:
        raise StatementError(
            _("This line has already been dealt with (%(status)s).")
            % {"status": line.get_status_display()}
        )


@transaction.atomic
def statement_line_assign(*, line_id: int, household: Household, actor) -> StatementLine:
    """Book an unmatched line as the household's transfer. Twice (two tabs): one payment."""
    line = _line_lock(line_id)
    key = f"stmt:{line.fingerprint}"
    if line.status == S.ASSIGNED and line.household_id == household.pk:
        return line  # the same assignment sent again
    _must_be_waiting(line)
    if line.currency != CURRENCY:
        raise StatementError(
            _("Only payments in PLN can be booked; this one is in %(currency)s.")
            % {"currency": line.currency}
        )
    payment = payment_record(
        household=household,
        amount=line.amount,
        method=PaymentMethod.TRANSFER,
        received_on=line.booked_on,
        actor=actor,
        title=line.title,
        payer=line.counterparty,
        key=key,
    )
    line.status = S.ASSIGNED
    line.household = household
    line.payment = payment
    line.resolved_by = actor
    line.resolved_at = timezone.now()
    line.save(update_fields=["status", "household", "payment", "resolved_by", "resolved_at"])
    return line


@transaction.atomic
def statement_line_ignore(*, line_id: int, note: str, actor) -> StatementLine:
    """Set an unmatched line aside as not a fee payment (a refund, a grant...), saying why."""
    note = " ".join(note.split())
    if not note:
        raise StatementError(_("Say why this line is not a fee payment."))
    line = _line_lock(line_id)
    _must_be_waiting(line)
    line.status = S.IGNORED
    line.note = note[:300]
    line.resolved_by = actor
    line.resolved_at = timezone.now()
    line.save(update_fields=["status", "note", "resolved_by", "resolved_at"])
    return line
