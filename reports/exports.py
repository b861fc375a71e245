"""The annual report and the city's figures as XLSX workbooks (openpyxl)."""

import datetime as dt
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from clubs.models import ActivityKind

from .annual import AnnualReport
from .city import ActivityMonths, InstructorHours, month_totals

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)


def _write(sheet, row: int, values: list, *, bold: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell.data_type = "s"  # never a formula
        else:
            cell.value = value
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
        if bold:
            cell.font = BOLD


def _widths(sheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(text: str) -> str:
    for forbidden in "[]:*?/\\":
        text = text.replace(forbidden, " ")
    return text.strip()[:31]


def annual_xlsx(report: AnnualReport) -> bytes:
    """One sheet per table of the form, rows as on the screen, plus a totals sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    brackets = [b.label for b in report.brackets]
    for section in report.sections:
        sheet = workbook.create_sheet(_sheet_title(section.label))
        _write(sheet, 1, [f"{section.label} — {report.year}"], bold=True)
        if report.is_empty:
            _write(
                sheet,
                2,
                [
                    _("No meetings were held and nobody took part in %(year)d.")
                    % {"year": report.year}
                ],
            )
        headers = [_("Row of the form"), _("Units"), _("Members"), *brackets]
        if section.is_courses:
            headers += [_("Graduates"), *[f"{_('Graduates')}: {b}" for b in brackets]]
        headers += [_("Meetings held"), _("Hours"), _("Attendance marks"), _("Attended")]
        _write(sheet, 3, headers, bold=True)
        row_number = 4
        for line in [*section.rows, None]:
            label, figures = (line.label, line.figures) if line else (_("Total"), section.total)
            values = [label, figures.units, figures.members, *figures.by_bracket]
            if section.is_courses:
                values += [figures.graduates, *figures.graduates_by_bracket]
            values += [figures.meetings, float(figures.hours), figures.marked, figures.attended]
            _write(sheet, row_number, values, bold=line is None)
            row_number += 1
        _widths(sheet, [30] + [12] * (len(headers) - 1))
        sheet.freeze_panes = "B4"
    return _save(workbook)


def city_xlsx(
    *,
    year: int,
    activities: list[ActivityMonths],
    instructors: list[InstructorHours],
    people: list[dict] | None,
    month_labels: list[str],
) -> bytes:
    """Participants per activity and month, hours per instructor, and (only when given) the
    names behind the first sheet."""
    kinds = dict(ActivityKind.choices)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(_("Participants"))
    _write(sheet, 1, [_("Activity"), _("Kind"), *month_labels, _("Most in a month")], bold=True)
    for number, row in enumerate(activities, start=2):
        _write(sheet, number, [row.name, str(kinds.get(row.kind, row.kind)), *row.months, row.peak])
    _write(
        sheet,
        len(activities) + 2,
        [_("Total"), "", *month_totals(activities), ""],
        bold=True,
    )
    _widths(sheet, [32, 16] + [8] * 12 + [14])
    sheet.freeze_panes = "C2"

    hours = workbook.create_sheet(_sheet_title(_("Instructors")))
    _write(hours, 1, [_("Instructor"), *month_labels, _("Meetings held"), _("Hours")], bold=True)
    for number, item in enumerate(instructors, start=2):
        name = item.name or _("no instructor")
        _write(hours, number, [name, *item.months, item.meetings, float(item.hours)])
    _widths(hours, [28] + [8] * 12 + [14, 10])
    hours.freeze_panes = "B2"

    if people is not None:
        names = workbook.create_sheet(_sheet_title(_("Names")))
        _write(
            names,
            1,
            [_("Activity"), _("Last name"), _("First name"), _("Date of birth")],
            bold=True,
        )
        for number, person in enumerate(people, start=2):
            _write(
                names,
                number,
                [
                    person["group__activity__name"],
                    person["participant__last_name"],
                    person["participant__first_name"],
                    person["participant__birth_date"],
                ],
            )
        _widths(names, [32, 22, 18, 14])
    return _save(workbook)
