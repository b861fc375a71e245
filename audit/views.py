"""The change history page ("Historia zmian"): read-only, for the director, the office and
coordinators (each sees their part, see `permissions.py`)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .filters import HistoryFilter
from .permissions import can_view_history, kinds_visible_to
from .selectors import history_queryset, history_rows

PAGE_SIZE = 50


@never_cache
@login_required
@require_safe
def history(request: HttpRequest) -> HttpResponse:
    if not can_view_history(request.user):
        raise Http404
    visible = kinds_visible_to(request.user)
    filterset = HistoryFilter(request.GET or None, kinds=visible)
    kinds = filterset.selected_kinds(visible)
    queryset = history_queryset(user=request.user, kinds=kinds, filterset=filterset)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/history.html",
        {
            "filter": filterset,
            "page_obj": page,
            "rows": history_rows(list(page.object_list)),
            "query": query.urlencode(),
        },
    )
