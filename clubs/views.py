from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .cache import cached_for_anonymous
from .calendars import calendar_build
from .filters import GroupFilter
from .models import Activity, Group
from .selectors import group_list_public, meeting_list_for_group, meeting_list_upcoming

CATALOGUE_PAGE_SIZE = 24


def _catalogue_groups():
    # The fee comes from billing: a page may read across apps (DESIGN.md).
    return group_list_public().select_related("fee_plan")


@require_safe
@cached_for_anonymous
def catalogue(request: HttpRequest) -> HttpResponse:
    filterset = GroupFilter(request.GET or None, queryset=_catalogue_groups())
    season = filterset.selected_season()
    groups = filterset.qs.filter(season=season) if season else filterset.qs.none()
    page = Paginator(groups, CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "clubs/_group_results.html" if request.htmx else "clubs/catalogue.html"
    return render(
        request,
        template,
        {
            "filter": filterset,
            "season": season,
            "page_obj": page,
            "groups": page.object_list,
            "query": query.urlencode(),
        },
    )


@require_safe
def activity_detail(request: HttpRequest, slug: str) -> HttpResponse:
    activity = get_object_or_404(
        Activity.objects.select_related("venue"), slug=slug, is_active=True
    )
    groups = _catalogue_groups().filter(activity=activity)
    season = GroupFilter().selected_season()
    if season is not None:
        groups = groups.filter(season=season)
    return render(
        request,
        "clubs/activity_detail.html",
        {"activity": activity, "groups": groups, "season": season},
    )


@require_safe
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(_catalogue_groups(), pk=pk)
    return render(
        request,
        "clubs/group_detail.html",
        {"group": group, "upcoming": meeting_list_upcoming(group=group)},
    )


@require_safe
def group_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    group = Group.objects.published().select_related("activity").filter(pk=pk).first()
    if group is None:
        raise Http404(_("No such group."))
    calendar = calendar_build(
        name=str(group), meetings=meeting_list_for_group(group=group), domain=request.get_host()
    )
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="group-{group.pk}.ics"'
    return response
