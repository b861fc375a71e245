"""The monthly register of a group (dziennik zajęć) as an XLSX file for printing.

Rows are participants, columns the month's meetings; a cell holds the abbreviation of the current
mark. Totals per participant on the right, attended per meeting at the bottom.
"""

import io

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .attendance_stats import Sheet
from .exports import _sheet_title
from .models import AttendanceStatus


def status_abbreviations() -> dict[str, str]:
    """The sheet's abbreviations in the active language (Polish: ob., nb., usp., sp.)."""
    return {
        AttendanceStatus.PRESENT: pgettext("attendance sheet", "P"),
        AttendanceStatus.ABSENT: pgettext("attendance sheet", "A"),
        AttendanceStatus.EXCUSED: pgettext("attendance sheet", "E"),
        AttendanceStatus.LATE: pgettext("attendance sheet", "L"),
    }


def month_label(sheet: Sheet) -> str:
    return formats.date_format(sheet.month, "F Y")


def header_lines(sheet: Sheet) -> list[tuple[str, str]]:
    return [
        (_("Group"), sheet.group.name),
        (_("Activity"), sheet.group.activity.name),
        (_("Instructors"), ", ".join(sheet.instructors)),
        (_("Month"), month_label(sheet)),
    ]


def total_headers() -> list[str]:
    return [_("Attended"), _("Absent"), _("Excused")]


def legend() -> str:
    return ", ".join(
        f"{abbreviation} = {AttendanceStatus(status).label}"
        for status, abbreviation in status_abbreviations().items()
    )


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def sheet_xlsx(sheet: Sheet) -> bytes:
    """One landscape page: header block, a bold table header repeated on every printed page."""
    abbreviations = status_abbreviations()
    workbook = Workbook()
    ws = workbook.active
    ws.title = _sheet_title(f"{sheet.group.name} {sheet.month:%Y-%m}")
    bold = Font(bold=True)
    center = Alignment(horizontal="center")

    ws.cell(row=1, column=1, value=_text(_("Attendance register"))).font = Font(bold=True, size=14)
    for offset, (label, value) in enumerate(header_lines(sheet), start=2):
        ws.cell(row=offset, column=1, value=_text(label)).font = bold
        cell = ws.cell(row=offset, column=2, value=_text(value))
        cell.data_type = "s"
    header_row = len(header_lines(sheet)) + 3

    headers = [_("No."), _("Participant")]
    headers += [formats.date_format(timezone.localtime(m.starts_at), "d.m") for m in sheet.meetings]
    headers += total_headers()
    for column, header in enumerate(headers, start=1):
        cell = ws.cell(row=header_row, column=column, value=header)
        cell.font = bold
        cell.alignment = center
        cell.data_type = "s"

    first_total = 3 + len(sheet.meetings)
    for number, row in enumerate(sheet.rows, start=1):
        r = header_row + number
        ws.cell(row=r, column=1, value=number)
        name = ws.cell(row=r, column=2, value=_text(str(row.participant)))
        name.data_type = "s"
        for index, status in enumerate(row.cells):
            cell = ws.cell(row=r, column=3 + index, value=abbreviations.get(status, ""))
            cell.alignment = center
        for index, value in enumerate((row.tally.attended, row.tally.absent, row.tally.excused)):
            ws.cell(row=r, column=first_total + index, value=value).font = bold

    totals_row = header_row + len(sheet.rows) + 1
    ws.cell(row=totals_row, column=2, value=_("Attended")).font = bold
    for index, count in enumerate(sheet.attended_per_meeting):
        cell = ws.cell(row=totals_row, column=3 + index, value=count)
        cell.font = bold
        cell.alignment = center
    total = sheet.total
    for index, value in enumerate((total.attended, total.absent, total.excused)):
        ws.cell(row=totals_row, column=first_total + index, value=value).font = bold
    ws.cell(row=totals_row + 2, column=1, value=_text(legend()))

    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 28
    for index in range(len(sheet.meetings)):
        ws.column_dimensions[get_column_letter(3 + index)].width = 6
    for index in range(3):
        ws.column_dimensions[get_column_letter(first_total + index)].width = 11

    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
