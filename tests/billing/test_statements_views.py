"""The statement pages: who may see them, the upload, the import result, the queue and its
actions, garbage uploads (never a 500) and the queue's query count."""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from billing.models import BankStatement, Payment, StatementLine, StatementLineStatus
from billing.services.statements import statement_import
from tests.enrollment.factories import HouseholdFactory, family
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"
S = StatementLineStatus


@pytest.fixture
def office():
    return UserFactory(roles=[Role.OFFICE])


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


@pytest.fixture
def households():
    return {
        ref: HouseholdFactory(transfer_reference=ref, name=name)
        for ref, name in (
            ("MOK-K7PX3H", "Kowalscy"),
            ("MOK-ACDE34", "Nowakowie"),
            ("MOK-HJKL79", "Wiśniewscy"),
        )
    }


def upload(client, data: bytes, format: str = "csv", name: str = "wyciag.csv"):
    return client.post(
        reverse("billing:statement-import"),
        {"file": SimpleUploadedFile(name, data), "format": format},
    )


def unmatched_lines(office, count: int, start: int = 0) -> None:
    rows = [f"0{1 + i % 9}.10.2026;{10 + i},00;wpłata {i};Płatnik {i}" for i in range(count)]
    text = "Data;Kwota;Tytuł;Nadawca\n" + "\n".join(rows) + "\n"
    statement_import(text.encode(), f"{start}.csv", "csv", office)


# --- access --------------------------------------------------------------------------------------

LIST_PAGES = ["billing:statement-list", "billing:statement-import", "billing:statement-queue"]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_anonymous_people_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", [Role.GUARDIAN, Role.COORDINATOR, Role.INSTRUCTOR])
@pytest.mark.parametrize("name", LIST_PAGES)
def test_people_who_do_not_handle_money_get_404_on_lists(client, role, name):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("role", [Role.GUARDIAN, Role.COORDINATOR])
def test_people_who_do_not_handle_money_get_404_on_a_statement_or_a_line(
    client, office, households, role
):
    unmatched_lines(office, 1)
    line = StatementLine.objects.get()
    client.force_login(UserFactory(roles=[role]))
    for url in (
        reverse("billing:statement-detail", args=[line.statement_id]),
        reverse("billing:statement-line", args=[line.pk]),
    ):
        assert client.get(url).status_code == 404
    missing = client.get(reverse("billing:statement-line", args=[line.pk + 1000]))
    assert missing.status_code == 404
    response = client.post(
        reverse("billing:statement-line-assign", args=[line.pk]),
        {"household": households["MOK-K7PX3H"].pk},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("billing:statement-line-ignore", args=[line.pk]), {"note": "nie moje"}
    )
    assert response.status_code == 404
    line.refresh_from_db()
    assert (line.status, Payment.objects.count()) == (S.UNMATCHED, 0)


@pytest.mark.parametrize("role", [Role.OFFICE, Role.DIRECTOR])
def test_office_and_director_see_the_pages_and_the_menu_link(client, role):
    client.force_login(UserFactory(roles=[role]))
    response = client.get(reverse("clubs:catalogue"))
    assert reverse("billing:statement-list") in response.content.decode()  # the "Work" menu
    for name in LIST_PAGES:
        assert client.get(reverse(name)).status_code == 200


def test_the_menu_link_is_not_shown_to_a_guardian(client):
    user, _kids = family()
    client.force_login(user)
    response = client.get(reverse("clubs:catalogue"))
    assert response.status_code == 200
    assert reverse("billing:statement-list") not in response.content.decode()


# --- upload --------------------------------------------------------------------------------------


def test_upload_imports_and_shows_the_result(office_client, households):
    response = upload(office_client, (DATA / "mbank_cp1250.csv").read_bytes(), "csv_mbank")

    statement = BankStatement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:statement-detail", args=[statement.pk])
    assert (statement.lines_total, statement.lines_new, statement.lines_matched) == (2, 2, 2)
    page = office_client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "ŻANETA GRZĘDA" in html
    assert "1\u00a0200,00\u00a0zł" in html
    texts = [str(m) for m in get_messages(page.wsgi_request)]
    assert len(texts) == 2  # the summary, and the skipped debit line


def test_second_upload_of_the_same_file_says_every_line_was_there(office_client, households):
    data = (DATA / "statement_cp1250.mt940").read_bytes()
    upload(office_client, data, "mt940", "a.mt940")
    response = upload(office_client, data, "mt940", "a.mt940")
    second = BankStatement.objects.order_by("-pk").first()
    assert (second.lines_total, second.lines_new) == (3, 0)
    assert Payment.objects.count() == 2
    page = office_client.get(response["Location"])
    assert _("Every line of this file had been imported before.") in page.content.decode()


def test_malformed_upload_says_which_line_and_imports_nothing(office_client, households):
    data = "Data;Kwota;Tytuł\n05.10.2026;150,00;MOK-K7PX3H\n06.10.2026;sto;x\n".encode()
    response = upload(office_client, data)
    assert response.status_code == 400
    reason = _("“%(value)s” is not an amount.") % {"value": "sto"}
    message = _("Line %(line)s: %(reason)s") % {"line": 3, "reason": reason}
    assert message in response.content.decode()
    assert (BankStatement.objects.count(), Payment.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("data", "format"),
    [
        (os.urandom(4096), "csv"),
        (os.urandom(4096), "mt940"),
        (b"", "csv"),
        (b"\n\n\n", "csv_pko"),
        ("Data;Kwota;Tytuł\n05.10.2026;1,00;" + "x" * 300_000 + "\n", "csv"),
        ((DATA / "statement_cp1250.mt940").read_bytes(), "csv"),
        ((DATA / "generic_utf8.csv").read_bytes(), "mt940"),
        ((DATA / "pko_cp1250.csv").read_bytes(), "csv_mbank"),
        ((DATA / "mbank_cp1250.csv").read_bytes(), "csv_pko"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\n\x00\x00", "csv"),
        ("Data;Kwota;Tytuł\n05.10.2026;1,00;x\n", "ofx"),
    ],
)
def test_garbage_uploads_never_500_and_import_nothing(office_client, households, data, format):
    if isinstance(data, str):
        data = data.encode()
    response = upload(office_client, data, format)
    assert response.status_code == 400
    assert BankStatement.objects.count() == 0
    assert Payment.objects.count() == 0


def test_file_too_large_is_refused_with_a_message(office_client, households, settings):
    settings.BILLING_STATEMENT_MAX_BYTES = 100
    response = upload(office_client, (DATA / "generic_utf8.csv").read_bytes())
    assert response.status_code == 400
    assert BankStatement.objects.count() == 0
    assert response.context["form"].errors["file"]


def test_upload_without_a_file(office_client):
    response = office_client.post(reverse("billing:statement-import"), {"format": "csv"})
    assert response.status_code == 400
    assert _("Choose the statement file.") in response.content.decode()


# --- the queue -----------------------------------------------------------------------------------


def test_queue_lists_only_waiting_lines_and_filters(office_client, office, households):
    text = (
        "Data;Kwota;Tytuł;Nadawca\n"
        "01.10.2026;10,00;MOK-K7PX3H;Jan\n"
        "02.10.2026;20,00;zwrot kaucji;Hurtownia Papieru\n"
        "15.10.2026;300,00;darowizna;Fundacja Łąka\n"
    )
    statement_import(text.encode(), "a.csv", "csv", office)
    url = reverse("billing:statement-queue")

    def titles(**params):
        response = office_client.get(url, params)
        assert response.status_code == 200
        return [line.title for line in response.context["lines"]]

    assert titles() == ["zwrot kaucji", "darowizna"]
    assert titles(booked_from="2026-10-10") == ["darowizna"]
    assert titles(booked_to="2026-10-10") == ["zwrot kaucji"]
    assert titles(amount_min="100") == ["darowizna"]
    assert titles(amount_max="100") == ["zwrot kaucji"]
    assert titles(q="łąka") == ["darowizna"]
    assert titles(q="papieru") == ["zwrot kaucji"]
    # a filter that is not understood is said and ignored, not a 500
    response = office_client.get(url, {"amount_min": "dużo", "booked_from": "wczoraj"})
    assert response.status_code == 200
    assert response.context["filter"].errors


def test_queue_query_count_does_not_grow_with_rows(office_client, office, households):
    url = reverse("billing:statement-queue")
    unmatched_lines(office, 3, start=0)
    with CaptureQueriesContext(connection) as few:
        assert office_client.get(url).status_code == 200
    unmatched_lines(office, 60, start=100)
    with CaptureQueriesContext(connection) as many:
        response = office_client.get(url)
    assert response.status_code == 200
    assert len(response.context["lines"]) == 50  # paginated
    assert len(many) == len(few)


def test_statement_detail_query_count_does_not_grow_with_rows(office_client, office, households):
    unmatched_lines(office, 3, start=0)
    unmatched_lines(office, 60, start=100)
    small, big = BankStatement.objects.order_by("pk")
    with CaptureQueriesContext(connection) as few:
        office_client.get(reverse("billing:statement-detail", args=[small.pk]))
    with CaptureQueriesContext(connection) as many:
        office_client.get(reverse("billing:statement-detail", args=[big.pk]))
    assert len(many) == len(few)


def test_line_page_searches_households_by_reference_or_name(office_client, office, households):
    unmatched_lines(office, 1)
    line = StatementLine.objects.get()
    url = reverse("billing:statement-line", args=[line.pk])

    def found(q):
        response = office_client.get(url, {"q": q})
        assert response.status_code == 200
        return [h.name for h in response.context["found"]]

    assert found("mok acde34") == ["Nowakowie"]
    assert found("ACDE34") == ["Nowakowie"]
    assert found("wiśniew") == ["Wiśniewscy"]
    assert found("nikt taki") == []
    closed = households["MOK-K7PX3H"]
    closed.closed_at = timezone.now()
    closed.save()
    assert found("Kowalscy") == []


def test_assign_from_the_page_books_once_even_from_two_tabs(office_client, office, households):
    unmatched_lines(office, 1)
    line = StatementLine.objects.get()
    household = households["MOK-ACDE34"]
    url = reverse("billing:statement-line-assign", args=[line.pk])

    first = office_client.post(url, {"household": household.pk})
    second = office_client.post(url, {"household": household.pk})

    assert first.status_code == second.status_code == 302
    payment = Payment.objects.get()
    assert (payment.household, payment.amount) == (household, Decimal("10.00"))
    line.refresh_from_db()
    assert (line.status, line.resolved_by, line.payment) == (S.ASSIGNED, office, payment)


def test_assign_to_another_household_from_a_stale_tab_is_refused(office_client, office, households):
    unmatched_lines(office, 1)
    line = StatementLine.objects.get()
    url = reverse("billing:statement-line-assign", args=[line.pk])
    office_client.post(url, {"household": households["MOK-ACDE34"].pk})
    response = office_client.post(url, {"household": households["MOK-HJKL79"].pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:statement-line", args=[line.pk])
    assert list(Payment.objects.values_list("household_id", flat=True)) == [
        households["MOK-ACDE34"].pk
    ]


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_assign_with_a_bad_household_is_a_form_error(office_client, office, households, value):
    unmatched_lines(office, 1)
    line = StatementLine.objects.get()
    response = office_client.post(
        reverse("billing:statement-line-assign", args=[line.pk]), {"household": value}
    )
    assert response.status_code == 400
    assert Payment.objects.count() == 0


def test_assign_to_a_closed_household_is_refused(office_client, office, households):
    unmatched_lines(office, 1)
    line = StatementLine.objects.get()
    closed = households["MOK-ACDE34"]
    closed.closed_at = timezone.now()
    closed.save()
    response = office_client.post(
        reverse("billing:statement-line-assign", args=[line.pk]), {"household": closed.pk}
    )
    assert response.status_code == 400
    assert Payment.objects.count() == 0


def test_ignore_from_the_page(office_client, office, households):
    unmatched_lines(office, 1)
    line = StatementLine.objects.get()
    url = reverse("billing:statement-line-ignore", args=[line.pk])
    assert office_client.post(url, {"note": ""}).status_code == 400
    response = office_client.post(url, {"note": "Zwrot od dostawcy"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.status, line.note, line.resolved_by) == (S.IGNORED, "Zwrot od dostawcy", office)
    assert Payment.objects.count() == 0
    # the page of a resolved line shows it without the forms
    page = office_client.get(reverse("billing:statement-line", args=[line.pk]))
    assert page.status_code == 200
    assert reverse("billing:statement-line-assign", args=[line.pk]) not in page.content.decode()


def test_the_line_page_offers_the_household_named_in_the_title(office_client, office, households):
    statement_import(
        "Data;Kwota;Waluta;Tytuł\n05.10.2026;10,00;EUR;MOK-K7PX3H\n".encode(), "a", "csv", office
    )
    line = StatementLine.objects.get()
    response = office_client.get(reverse("billing:statement-line", args=[line.pk]))
    assert response.status_code == 200
    assert response.context["suggested"] == households["MOK-K7PX3H"]
    # a line in EUR cannot be booked: the page offers only to set it aside
    html = response.content.decode()
    assert reverse("billing:statement-line-assign", args=[line.pk]) not in html
    assert reverse("billing:statement-line-ignore", args=[line.pk]) in html
