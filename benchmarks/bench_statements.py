"""Bank statement import: a 5,000-line statement, against a bulk insert of its lines.

From the billing issue: "statement import of 5,000 lines". The figure is lines/s of the whole
import as a ratio to a baseline measured in the same run: `bulk_create` of the very
`StatementLine` rows the import writes (same columns, same batch size). No target is set by the
issue; the ratio, the query count and the cost per matched line are reported.

setup: 4,500 families built in bulk (`families_bulk_create`: guardian, household with its random
transfer reference, one child), each household with one open charge of 120 zł.

The statement is an mBank CSV export in Windows-1250 (preamble, `#Data operacji;...` header,
footer), built in memory: 4,500 incoming transfers, one per household, whose titles carry the
reference as people type it (exact, lower case, without the separator, without the prefix, one
wrong character; see `TITLE_FORMS`), 450 incoming transfers without a reference (they wait in
the queue) and 50 outgoing lines (skipped).

run (each measurement inside a transaction that is rolled back, so every round starts equal):
1. `statements_bulk_insert`: `StatementLine.objects.bulk_create` of the import's 4,950 new rows,
   built beforehand, lines/s (the baseline).
2. `statements_parse`: decoding and parsing the file only (no database), lines/s, ratio to (1).
3. `statements_import`: `billing.services.statements.statement_import`: parsing, fingerprints,
   the duplicate check, matching against every reference, the bulk insert and the booking of
   every matched line in one `payments_record_bulk` (household row locks, payments,
   oldest-first allocation), lines/s as a ratio to (1). `extra.queries` is its query count;
   `extra.unmatched_queries_*` are the query counts of an import of only unmatched lines at
   two sizes, which must be equal (no query per line when no payment is booked);
   `extra.queries_per_matched_line` is the cost of booking (a fixed number of queries,
   whatever the number of lines).
4. `statements_import_unmatched`: the same import of 5,000 lines none of which matches (4,950
   for the queue, 50 debits): everything but the booking, lines/s as a ratio to (1).
5. The database is checked after a real (committed) import: 4,500 payments, one per household,
   and a second import of the same file creates nothing.
The best of ROUNDS rounds of each is kept.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from .harness import BenchmarkError, Context, Result, benchmark

HOUSEHOLDS = 4_500
UNMATCHED = 450
DEBITS = 50
LINES = HOUSEHOLDS + UNMATCHED + DEBITS
ROUNDS_QUICK = 1
ROUNDS_FULL = 2
EMAIL_DOMAIN = "statements.bench.example.pl"
FAMILY = "Wyciągowa"
BOOKED_ON = dt.date(2026, 10, 15)
TITLE_FORMS = (
    "{ref} opłata za zajęcia październik",
    "{lower} zajęcia taneczne",
    "Opłata {nosep}",
    "{code} wpłata za Zosię",
    "{typo} opłata",
)


class _Rollback(Exception):
    pass


def _typo(code: str) -> str:
    """One character replaced by another of the alphabet (one edit away)."""
    from enrollment.models import REFERENCE_ALPHABET

    swap = REFERENCE_ALPHABET[(REFERENCE_ALPHABET.index(code[2]) + 1) % len(REFERENCE_ALPHABET)]
    return f"MOK-{code[:2]}{swap}{code[3:]}"


def _references() -> list[str]:
    from enrollment.models import Household

    return list(
        Household.objects.filter(name__startswith=f"Rodzina {FAMILY}")
        .order_by("pk")
        .values_list("transfer_reference", flat=True)
    )


def statement_bytes(references: list[str], *, unmatched: int, debits: int) -> bytes:
    """An mBank CSV export (Windows-1250) with one transfer per reference and the rest."""
    rows = []
    for n, ref in enumerate(references):
        code = ref[4:]
        title = TITLE_FORMS[n % len(TITLE_FORMS)].format(
            ref=ref, lower=ref.lower(), nosep="MOK" + code, code=code, typo=_typo(code)
        )
        rows.append((title, f"RODZIC WYCIĄGOWY {n:04d}", "120,00"))
    for n in range(unmatched):
        rows.append((f"zwrot kaucji nr {n}", f"HURTOWNIA ŁĄKA {n:04d}", f"{50 + n % 50},50"))
    for n in range(debits):
        rows.append((f"faktura {n}", "DOSTAWCA", f"-{100 + n},00"))
    lines = [
        "mBank S.A. Bankowość Detaliczna;",
        "#Numer rachunku;",
        "12 1140 2004 0000 3102 7654 3210;",
        "",
        "#Data operacji;#Data księgowania;#Opis operacji;#Tytuł;#Nadawca/Odbiorca;"
        "#Numer konta;#Kwota;#Saldo po operacji;",
    ]
    day = BOOKED_ON.isoformat()
    for n, (title, name, amount) in enumerate(rows):
        account = f"'{n:026d}'"
        lines.append(f'{day};{day};PRZELEW;"{title}";"{name}";{account};{amount};0,00;')
    lines += ["", "#Saldo końcowe;0,00;"]
    return "\r\n".join(lines).encode("cp1250")


def setup(ctx: Context) -> None:
    from django.db import transaction

    from billing.models import Charge, FeePlanKind

    from .bench_enrollment import families_bulk_create

    with transaction.atomic():
        _users, children = families_bulk_create(
            count=HOUSEHOLDS,
            email_domain=EMAIL_DOMAIN,
            family=FAMILY,
            birth_date=dt.date(2017, 3, 15),
        )
        Charge.objects.bulk_create(
            Charge(
                household_id=child.household_id,
                period=dt.date(2026, 10, 1),
                kind=FeePlanKind.MONTHLY,
                description="Zajęcia (bench)",
                base_amount=Decimal("120.00"),
                amount=Decimal("120.00"),
                due_on=dt.date(2026, 10, 10),
            )
            for child in children
        )


def _rolled_back(work):
    """Run `work()` in a transaction that is then undone; returns (result, seconds)."""
    from django.db import transaction

    box = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            box["result"] = work()
            box["seconds"] = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return box["result"], box["seconds"]


def _counted(work):
    """(result, queries run): counted by a wrapper, as Django keeps only 9,000 in its log."""
    from django.db import connection

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        result = work()
    return result, count


@benchmark(
    "statements",
    setup=setup,
    description="import of a 5,000-line bank statement vs. a bulk insert of its lines",
)
def run(ctx: Context) -> list[Result]:
    from django.contrib.auth import get_user_model

    from billing.models import BankStatement, Payment, StatementLine, StatementLineStatus
    from billing.services import statements as service
    from billing.statements import parse
    from billing.statements.references import ReferenceIndex, reference_find

    office = get_user_model().objects.filter(is_superuser=True).first() or (
        get_user_model().objects.order_by("pk").first()
    )
    references = _references()
    if len(references) != HOUSEHOLDS:
        raise BenchmarkError(f"setup made {len(references)} households, not {HOUSEHOLDS}")
    data = statement_bytes(references, unmatched=UNMATCHED, debits=DEBITS)
    rounds = ROUNDS_QUICK if ctx.config.quick else ROUNDS_FULL
    credits = LINES - DEBITS

    parsed = parse(data, "csv_mbank")
    if len(parsed.lines) != credits or parsed.skipped != DEBITS:
        raise BenchmarkError(f"parsed {len(parsed.lines)} credits and {parsed.skipped} debits")
    prints = service.fingerprints(parsed)
    # A mistyped code one edit from two references is left to a person: count what must match,
    # against every household of the database (other benchmarks' families are there too).
    from enrollment.models import Household

    index = ReferenceIndex(Household.objects.values_list("transfer_reference", flat=True))
    expected = sum(
        1
        for line, ref in zip(parsed.lines, references, strict=False)
        if reference_find(line.title, index) == ref
    )
    if expected < HOUSEHOLDS * 0.99:
        raise BenchmarkError(f"only {expected} of {HOUSEHOLDS} titles match their reference")

    def bulk_insert():
        statement = BankStatement.objects.create(
            file_name="bench.csv",
            file_sha256="0" * 64,
            format="csv_mbank",
            encoding="cp1250",
            imported_by=office,
        )
        StatementLine.objects.bulk_create(
            (
                StatementLine(
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
                    status=StatementLineStatus.UNMATCHED,
                )
                for line, fingerprint in zip(parsed.lines, prints, strict=True)
            ),
            batch_size=500,
        )
        return credits

    def parse_only():
        return len(parse(data, "csv_mbank").lines)

    def import_all():
        return _counted(lambda: service.statement_import(data, "bench.csv", "csv_mbank", office))

    bulk_seconds = min(_rolled_back(bulk_insert)[1] for _ in range(rounds + 1))
    parse_seconds = min(_rolled_back(parse_only)[1] for _ in range(rounds + 1))
    import_times, queries, statement = [], 0, None
    for _ in range(rounds):
        (statement, queries), seconds = _rolled_back(import_all)
        import_times.append(seconds)
        if statement.lines_matched != expected or statement.lines_new != credits:
            raise BenchmarkError(
                f"the import matched {statement.lines_matched} of {expected} lines and "
                f"wrote {statement.lines_new} of {credits}"
            )
    import_seconds = min(import_times)

    def unmatched_queries(count: int) -> int:
        only = statement_bytes([], unmatched=count, debits=0)
        return _rolled_back(
            lambda: _counted(lambda: service.statement_import(only, "u.csv", "csv_mbank", office))
        )[0][1]

    small, large = unmatched_queries(UNMATCHED // 9), unmatched_queries(UNMATCHED)
    unmatched_only = statement_bytes([], unmatched=credits, debits=DEBITS)
    unmatched_seconds = min(
        _rolled_back(
            lambda: service.statement_import(unmatched_only, "u.csv", "csv_mbank", office)
        )[1]
        for _ in range(rounds)
    )
    per_matched = (queries - large) / expected

    # A real import, kept, then the same file again: nothing twice.
    service.statement_import(data, "bench.csv", "csv_mbank", office)
    again = service.statement_import(data, "bench.csv", "csv_mbank", office)
    payments = Payment.objects.filter(key__startswith="stmt:").count()
    households_paid = (
        Payment.objects.filter(key__startswith="stmt:").values("household_id").distinct().count()
    )

    bulk = ctx.result(
        "statements_bulk_insert",
        credits / bulk_seconds,
        "lines/s",
        description=f"bulk_create of the import's {credits} StatementLine rows (the baseline)",
        duration_s=bulk_seconds,
    )
    parse_result = _ratio(
        ctx.result(
            "statements_parse",
            LINES / parse_seconds,
            "lines/s",
            description="decode + parse the 5,000-line mBank CSV (no database)",
            duration_s=parse_seconds,
        ),
        bulk,
    )
    result = _ratio(
        ctx.result(
            "statements_import",
            LINES / import_seconds,
            "lines/s",
            description=f"statement_import of {LINES} lines ({expected} matched and booked "
            f"through payments_record_bulk), ratio to statements_bulk_insert",
            duration_s=import_seconds,
            extra={
                "queries": queries,
                "queries_per_matched_line": round(per_matched, 2),
                f"unmatched_queries_{UNMATCHED // 9}": small,
                f"unmatched_queries_{UNMATCHED}": large,
                "matched_lines": expected,
                "matched_lines_per_s": round(expected / import_seconds, 1),
                "slowdown_vs_bulk_insert": round(import_seconds / bulk_seconds, 2),
                "import_seconds": [round(s, 3) for s in import_times],
                "second_import_new_lines": again.lines_new,
                "payments": payments,
            },
        ),
        bulk,
    )
    queue_result = _ratio(
        ctx.result(
            "statements_import_unmatched",
            LINES / unmatched_seconds,
            "lines/s",
            description=f"statement_import of {LINES} lines none of which matches (no payment "
            f"booked): the import without booking, ratio to statements_bulk_insert",
            duration_s=unmatched_seconds,
        ),
        bulk,
    )
    problems = []
    if large - small > (UNMATCHED - UNMATCHED // 9) // 250 + 1:
        problems.append(f"unmatched import queries grow with lines: {small} -> {large}")
    if again.lines_new or payments != expected or households_paid != expected:
        problems.append(
            f"after two imports: {payments} payments for {households_paid} households, "
            f"{again.lines_new} new lines the second time"
        )
    if problems:
        raise BenchmarkError("; ".join(problems))
    return [bulk, parse_result, queue_result, result]


def _ratio(result: Result, base: Result) -> Result:
    result.baseline, result.baseline_value = base.name, base.value
    result.ratio = result.value / base.value
    return result
