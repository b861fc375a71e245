"""Helpers shared by the reports pages: access, paging, the year asked for, attachments."""

from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .. import annual
from ..exceptions import BadYearError
from ..permissions import can_view_reports

PAGE_SIZE = 25


# A page the user may not open answers 404 like a missing one (anonymous users are sent to log in
# first), as the coordinators' other pages do.
def _require(predicate, request: HttpRequest) -> None:
    if not predicate(request.user):
        raise Http404


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _year(request: HttpRequest) -> int:
    return annual.year_parse(request.GET.get("year"))


def _bad_year(request: HttpRequest, exc: BadYearError) -> HttpResponse:
    return render(
        request,
        "reports/bad_year.html",
        {"message": exc.messages[0], "value": request.GET.get("year", "")},
        status=400,
    )


def report_of_year(view):
    """A report of one year: for those who may view reports (404 to others), then the `year`
    asked for, passed to the view (a wrong one answers 400 with the page that says why)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        _require(can_view_reports, request)
        try:
            year = _year(request)
        except BadYearError as exc:
            return _bad_year(request, exc)
        return view(request, year, *args, **kwargs)

    return wrapper


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
