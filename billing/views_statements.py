"""Office pages for bank statements: import, the import result, the list, and the queue of
unmatched lines where a person assigns a line to a household or sets it aside.

Only people who handle money (office, director: `billing.handle_money`) see these pages. Anyone
else signed in gets 404, as on every staff page (the permission matrix); anonymous visitors are
sent to log in.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from enrollment.models import Household

from .exceptions import BillingError
from .filters_statements import UnmatchedLineFilter
from .forms_statements import (
    HouseholdSearchForm,
    LineAssignForm,
    LineIgnoreForm,
    StatementUploadForm,
)
from .models import BankStatement, StatementLine, StatementLineStatus
from .services.statements import (
    statement_import_summary,
    statement_line_assign,
    statement_line_ignore,
)

PAGE_SIZE = 50
SEARCH_LIMIT = 20
PERMISSION = "billing.handle_money"


def _require_money(request: HttpRequest, *, detail: bool) -> None:
    if not request.user.has_perm(PERMISSION):
        raise Http404


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _lines() -> QuerySet[StatementLine]:
    return StatementLine.objects.select_related("statement", "household", "resolved_by")


@never_cache
@login_required
@require_safe
def statement_list(request: HttpRequest) -> HttpResponse:
    _require_money(request, detail=False)
    statements = BankStatement.objects.select_related("imported_by").order_by("-imported_at", "-pk")
    page = Paginator(statements, PAGE_SIZE).get_page(request.GET.get("page"))
    waiting = StatementLine.objects.filter(status=StatementLineStatus.UNMATCHED).count()
    return render(
        request,
        "billing/statements/statement_list.html",
        {"page_obj": page, "statements": page.object_list, "waiting": waiting, "query": ""},
    )


@never_cache
@login_required
def statement_import_view(request: HttpRequest) -> HttpResponse:
    _require_money(request, detail=False)
    form = StatementUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = statement_import_summary(
                upload.read(),
                upload.name or "",
                form.cleaned_data["format"],
                request.user,
            )
        except BillingError as error:
            form.add_error("file", error.message)
        else:
            statement = summary.statement
            messages.success(
                request,
                _(
                    "Statement imported: %(new)s new lines, %(matched)s matched and booked, "
                    "%(duplicates)s already imported before."
                )
                % {
                    "new": statement.lines_new,
                    "matched": statement.lines_matched,
                    "duplicates": statement.lines_total - statement.lines_new,
                },
            )
            if summary.debit_lines:
                messages.info(
                    request,
                    ngettext(
                        "%(count)s outgoing (debit) line was skipped: it is not a payment.",
                        "%(count)s outgoing (debit) lines were skipped: they are not payments.",
                        summary.debit_lines,
                    )
                    % {"count": summary.debit_lines},
                )
            return redirect("billing:statement-detail", pk=statement.pk)
    return render(
        request,
        "billing/statements/statement_import.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@login_required
@require_safe
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_money(request, detail=True)
    statement = get_object_or_404(BankStatement.objects.select_related("imported_by"), pk=pk)
    lines = _lines().filter(statement=statement).order_by("line_no", "pk")
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    unmatched = statement.lines.filter(status=StatementLineStatus.UNMATCHED).count()
    return render(
        request,
        "billing/statements/statement_detail.html",
        {
            "statement": statement,
            "duplicates": statement.lines_total - statement.lines_new,
            "unmatched": unmatched,
            "page_obj": page,
            "lines": page.object_list,
            "query": _query(request),
        },
    )


@never_cache
@login_required
@require_safe
def unmatched_queue(request: HttpRequest) -> HttpResponse:
    _require_money(request, detail=False)
    filterset = UnmatchedLineFilter(
        request.GET or None,
        queryset=_lines().filter(status=StatementLineStatus.UNMATCHED).order_by("booked_on", "pk"),
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "billing/statements/unmatched_queue.html",
        {
            "filter": filterset,
            "page_obj": page,
            "lines": page.object_list,
            "query": _query(request),
        },
    )


def household_search(query: str) -> QuerySet[Household]:
    """Open households whose reference or name matches what the office typed."""
    query = query.strip()
    if not query:
        return Household.objects.none()
    code = re.sub(r"[^A-Z0-9]", "", query.upper())
    if code.startswith("MOK") and len(code) > 3:
        code = code[3:]
    condition = Q()
    # SQLite folds the case of ASCII letters only: "łukasz" must also find "Łukasz".
    for variant in {query, query.lower(), query.capitalize(), query.title(), query.upper()}:
        condition |= Q(name__icontains=variant)
    if len(code) >= 4:
        condition |= Q(transfer_reference__icontains=code)
    return Household.objects.filter(condition, closed_at__isnull=True).order_by("name", "pk")[
        :SEARCH_LIMIT
    ]


def _line_page(
    request: HttpRequest,
    line: StatementLine,
    *,
    assign_form: LineAssignForm | None = None,
    ignore_form: LineIgnoreForm | None = None,
    status: int = 200,
) -> HttpResponse:
    search = HouseholdSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    found = list(household_search(query)) if query else []
    suggested = line.household if line.household_id else None
    choices = ([suggested] if suggested and suggested.closed_at is None else []) + [
        h for h in found if not suggested or h.pk != suggested.pk
    ]
    return render(
        request,
        "billing/statements/line_detail.html",
        {
            "line": line,
            "search": search,
            "query": query,
            "found": found,
            "suggested": suggested,
            "assign_form": assign_form or LineAssignForm(households=choices),
            "ignore_form": ignore_form or LineIgnoreForm(),
            "choices": choices,
        },
        status=status,
    )


def _line(pk: int) -> StatementLine:
    return get_object_or_404(_lines(), pk=pk)


@never_cache
@login_required
@require_safe
def line_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_money(request, detail=True)
    return _line_page(request, _line(pk))


@login_required
@require_POST
def line_assign(request: HttpRequest, pk: int) -> HttpResponse:
    _require_money(request, detail=True)
    line = _line(pk)
    form = LineAssignForm(request.POST)
    if not form.is_valid():
        return _line_page(request, line, assign_form=form, status=400)
    household = form.cleaned_data["household"]
    try:
        statement_line_assign(line_id=line.pk, household=household, actor=request.user)
    except BillingError as error:
        messages.error(request, error.message)
        return redirect("billing:statement-line", pk=line.pk)
    messages.success(
        request,
        _("Booked as a payment of %(household)s.") % {"household": household},
    )
    return redirect("billing:statement-queue")


@login_required
@require_POST
def line_ignore(request: HttpRequest, pk: int) -> HttpResponse:
    _require_money(request, detail=True)
    line = _line(pk)
    form = LineIgnoreForm(request.POST)
    if not form.is_valid():
        return _line_page(request, line, ignore_form=form, status=400)
    try:
        statement_line_ignore(line_id=line.pk, note=form.cleaned_data["note"], actor=request.user)
    except BillingError as error:
        messages.error(request, error.message)
        return redirect("billing:statement-line", pk=line.pk)
    messages.success(request, _("The line was set aside as not a fee payment."))
    return redirect("billing:statement-queue")
