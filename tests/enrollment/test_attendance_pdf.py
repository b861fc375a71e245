"""The monthly register as a PDF (`enrollment.attendance_pdf`)."""

import re
import shutil
import subprocess
import zlib

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from enrollment import attendance_pdf
from tests.enrollment.test_attendance_stats import LAST_MONTH, _mark, _month_meetings, setup  # noqa: F401
from tests.factories import InstructorFactory, UserFactory

pytestmark = pytest.mark.django_db

GROUP_NAME = "Żółwie — źrebięta gęślą"


def _streams(pdf: bytes) -> list[bytes]:
    """The PDF itself and its decompressed streams (WeasyPrint compresses objects too)."""
    found = [pdf]
    # Leniently: compressed bytes may end in "\r", which the pattern takes for the line break
    # before "endstream"; a decompressobj keeps what it could inflate instead of failing.
    for stream in re.findall(rb"stream\r?\n(.*?)\nendstream", pdf, re.S):
        try:
            found.append(zlib.decompressobj().decompress(stream))
        except zlib.error:
            continue
    return found


def _mapped_characters(pdf: bytes) -> set[str]:
    """Characters the PDF's embedded fonts map to text (their ToUnicode CMaps): a check, with
    no PDF library, that the Polish letters are there as real glyphs."""
    found = set()
    for data in _streams(pdf):
        for line in data.splitlines():
            codes = re.findall(rb"<([0-9A-Fa-f]+)>", line)
            if len(codes) == 2:  # bfchar: <glyph> <unicode>
                found.add(bytes.fromhex(codes[1].decode()).decode("utf-16-be", "replace"))
            elif len(codes) == 3:  # bfrange: <first glyph> <last glyph> <first unicode>
                start, count = int(codes[2], 16), int(codes[1], 16) - int(codes[0], 16)
                found |= {chr(start + i) for i in range(count + 1)}
    return found


def _url(group, month=LAST_MONTH):
    return f"{reverse('attendance:group-sheet-pdf', args=[group.pk])}?month={month:%Y-%m}"


@pytest.fixture
def rendered(monkeypatch):
    """The HTML pages given to WeasyPrint (the real renderer still runs)."""
    pages = []
    real = attendance_pdf.html_to_pdf

    def spy(html):
        pages.append(html)
        return real(html)

    monkeypatch.setattr(attendance_pdf, "html_to_pdf", spy)
    return pages


def test_the_instructor_gets_a_pdf_with_the_group_name(client, setup, rendered, tmp_path):  # noqa: F811
    group, by = setup["group"], setup["instructor"]
    group.name = GROUP_NAME
    group.save()
    [meeting] = _month_meetings(group, days=(3,))
    _mark(meeting, setup["kids"][0], "present", by)
    client.force_login(by)

    response = client.get(_url(group))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="dziennik-')
    assert disposition.endswith(f'-{LAST_MONTH:%Y-%m}.pdf"')
    assert disposition.isascii()
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1024
    [html] = rendered
    assert GROUP_NAME in html
    assert str(setup["kids"][0]) in html
    assert set("Żółźęśą") <= _mapped_characters(pdf)
    boxes = [
        [float(n) for n in box.split()]
        for data in _streams(pdf)
        for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", data)
    ]
    assert boxes
    assert all(round(w) == 842 and round(h) == 595 for _x, _y, w, h in boxes)  # A4 landscape
    if shutil.which("pdftotext"):  # the text of the PDF itself, where poppler is installed
        path = tmp_path / "sheet.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert GROUP_NAME in text


def test_another_instructor_gets_404(client, setup):  # noqa: F811
    other = UserFactory(roles=[Role.INSTRUCTOR])
    InstructorFactory(user=other)
    client.force_login(other)

    assert client.get(_url(setup["group"])).status_code == 404


def test_a_coordinator_of_another_activity_gets_404(client, setup):  # noqa: F811
    client.force_login(UserFactory(roles=[Role.COORDINATOR]))

    assert client.get(_url(setup["group"])).status_code == 404


def test_anonymous_is_sent_to_log_in(client, setup):  # noqa: F811
    response = client.get(_url(setup["group"]))

    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("value", ["2026-13", "nonsense"])
def test_a_bad_month_answers_400_with_a_message(client, setup, rendered, value):  # noqa: F811
    group = setup["group"]
    client.force_login(setup["instructor"])

    with translation.override("en"):
        response = client.get(
            reverse("attendance:group-sheet-pdf", args=[group.pk]),
            {"month": value},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "is not a month" in response.content.decode()
    assert rendered == []


def test_the_sheet_and_stats_pages_link_to_the_pdf(client, setup):  # noqa: F811
    group = setup["group"]
    client.force_login(setup["instructor"])
    pdf_path = reverse("attendance:group-sheet-pdf", args=[group.pk])

    for name in ("attendance:group-sheet", "attendance:group-stats"):
        page = client.get(reverse(name, args=[group.pk]), {"month": f"{LAST_MONTH:%Y-%m}"})
        assert f"{pdf_path}?month={LAST_MONTH:%Y-%m}" in page.content.decode()
