"""The accountant's XLSX exports: a small form (a month range) and three files.

Office and director only (`billing.handle_money`); anyone else gets 404. A bad month is a form
error on the page (400), never a 500.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import xlsx_exports

MAX_MONTHS = 36
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_parse(value: str) -> dt.date:
    match = _MONTH.fullmatch((value or "").strip())
    if not match:
        raise ValueError(value)
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError(value)
    return dt.date(year, month, 1)


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "RRRR-MM"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return month_parse(value)
        except ValueError:
            raise forms.ValidationError(
                gettext_lazy("Enter a month as YYYY-MM, e.g. 2026-09."), code="invalid"
            ) from None


class ExportForm(forms.Form):
    month_from = MonthField(label=gettext_lazy("From month"))
    month_to = MonthField(label=gettext_lazy("To month"))

    def clean(self):
        data = super().clean()
        start, end = data.get("month_from"), data.get("month_to")
        if start and end:
            if start > end:
                raise forms.ValidationError(
                    _("The first month must not be after the last one."), code="order"
                )
            months = (end.year - start.year) * 12 + end.month - start.month + 1
            if months > MAX_MONTHS:
                raise forms.ValidationError(
                    _("Choose at most %(n)s months at a time.") % {"n": MAX_MONTHS},
                    code="range",
                )
        return data


def _require_money_handler(request: HttpRequest) -> None:
    if not request.user.has_perm("billing.handle_money"):
        raise Http404


def _initial() -> dict:
    this_month = timezone.localdate().replace(day=1)
    return {"month_from": this_month.strftime("%Y-%m"), "month_to": this_month.strftime("%Y-%m")}


@never_cache
@login_required
@require_safe
def exports_page(request: HttpRequest) -> HttpResponse:
    _require_money_handler(request)
    form = ExportForm(request.GET) if request.GET else ExportForm(initial=_initial())
    if request.GET:
        form.is_valid()
    return render(request, "billing/exports/form.html", {"form": form})


def _export(request: HttpRequest, build, name: str) -> HttpResponse:
    _require_money_handler(request)
    form = ExportForm(request.GET)
    if not form.is_valid():
        return render(request, "billing/exports/form.html", {"form": form}, status=400)
    start, end = form.cleaned_data["month_from"], form.cleaned_data["month_to"]
    response = HttpResponse(build(start, end), content_type=xlsx_exports.XLSX_CONTENT_TYPE)
    filename = f"{name}-{start:%Y-%m}-{end:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_safe
def export_charges(request: HttpRequest) -> HttpResponse:
    return _export(request, xlsx_exports.charges_xlsx, "naleznosci")


@never_cache
@login_required
@require_safe
def export_payments(request: HttpRequest) -> HttpResponse:
    return _export(request, xlsx_exports.payments_xlsx, "wplaty")


@never_cache
@login_required
@require_safe
def export_receivables(request: HttpRequest) -> HttpResponse:
    return _export(request, xlsx_exports.receivables_xlsx, "rozrachunki")
