"""A group's roster as a file: CSV for a Polish Excel and XLSX.

Health notes are never exported: a file leaves the system and is forwarded, printed and lost.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Set
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from clubs.models import Group, age_on

from .models import Enrollment

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_DELIMITER = ";"  # a Polish Excel reads "," as the decimal separator
DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_DATE_FORMAT = "yyyy-mm-dd"
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class ExportRow:
    number: int
    first_name: str
    last_name: str
    birth_date: dt.date
    age: int
    guardian_names: tuple[str, ...]
    guardian_emails: tuple[str, ...]
    guardian_phones: tuple[str, ...]
    photo_allowed: bool
    priority: str
    requested_at: dt.datetime  # local time, naive: Excel has no time zones


def export_rows(
    enrollments: Iterable[Enrollment], *, photo_allowed: Set[int], today: dt.date
) -> list[ExportRow]:
    """Rows in the given order. Expects the household's guardians (with users) prefetched."""
    rows = []
    for number, enrollment in enumerate(enrollments, start=1):
        participant = enrollment.participant
        guardians = [g.user for g in participant.household.guardians.all()]
        rows.append(
            ExportRow(
                number=number,
                first_name=participant.first_name,
                last_name=participant.last_name,
                birth_date=participant.birth_date,
                age=age_on(participant.birth_date, today),
                guardian_names=tuple(user.get_full_name() or user.email for user in guardians),
                guardian_emails=tuple(user.email for user in guardians),
                guardian_phones=tuple(user.phone for user in guardians if user.phone),
                photo_allowed=participant.pk in photo_allowed,
                priority=str(enrollment.get_priority_tier_display()),
                requested_at=timezone.localtime(enrollment.requested_at).replace(tzinfo=None),
            )
        )
    return rows


def _columns() -> list[tuple[str, int]]:
    """(header, width in characters), in the active language."""
    return [
        (_("No."), 5),
        (_("First name"), 16),
        (_("Last name"), 20),
        (_("Date of birth"), 13),
        (_("Age"), 6),
        (_("Guardians"), 28),
        (_("Guardians' e-mail addresses"), 34),
        (_("Guardians' phones"), 22),
        (_("Photo consent"), 14),
        (_("Priority"), 26),
        (_("Requested at"), 17),
    ]


def _values(row: ExportRow) -> list:
    return [
        row.number,
        row.first_name,
        row.last_name,
        row.birth_date,
        row.age,
        ", ".join(row.guardian_names),
        ", ".join(row.guardian_emails),
        ", ".join(row.guardian_phones),
        _("yes") if row.photo_allowed else _("no"),
        row.priority,
        row.requested_at,
    ]


# A cell a spreadsheet would run as a formula: it starts with one of these and holds more than
# digits and phone punctuation ("+48 600 100 200" stays as it is, "=HYPERLINK(...)" does not).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HARMLESS = re.compile(r"[0-9 ().,+-]*")


def _csv_text(value: str) -> str:
    if value.startswith(_FORMULA_START) and not _HARMLESS.fullmatch(value):
        return "'" + value
    return value


def _csv_cell(value) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    return _csv_text(str(value))


def roster_csv(rows: Iterable[ExportRow]) -> str:
    """UTF-8 text with a byte order mark and `;` between fields, so Excel shows diacritics."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER)
    writer.writerow(header for header, _width in _columns())
    for row in rows:
        writer.writerow(_csv_cell(value) for value in _values(row))
    return buffer.getvalue()


def roster_xlsx(rows: Iterable[ExportRow], *, title: str) -> bytes:
    """One sheet: a bold, frozen header row, set column widths, dates as dates."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(title)
    bold = Font(bold=True)
    for index, (header, width) in enumerate(_columns(), start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = bold
        sheet.column_dimensions[get_column_letter(index)].width = width
    rows = list(rows)
    for row_number, row in enumerate(rows, start=2):
        for index, value in enumerate(_values(row), start=1):
            cell = sheet.cell(row=row_number, column=index)
            if isinstance(value, str):
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"  # openpyxl would store "=..." as a formula
            else:
                cell.value = value
            if isinstance(value, dt.datetime):
                cell.number_format = XLSX_DATETIME_FORMAT
            elif isinstance(value, dt.date):
                cell.number_format = XLSX_DATE_FORMAT
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(_columns()))}{len(rows) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str) -> str:
    return _SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or _("Roster")


# NFKD does not decompose ł; a season's "2026/2027" should not become "20262027".
_TRANSLITERATE = str.maketrans({"ł": "l", "Ł": "L", "/": "-"})


def export_filename(group: Group, *, suffix: str = "", extension: str) -> str:
    """E.g. `taniec-grupa-mlodsza-2026-2027.xlsx`: ASCII, safe in a Content-Disposition."""
    text = f"{group.activity.name} {group.name} {group.season.name} {suffix}"
    slug = slugify(text.translate(_TRANSLITERATE)) or f"group-{group.pk}"
    return f"{slug}.{extension}"
