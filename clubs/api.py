"""Public read-only JSON for the city website: `/api/v1/groups/`."""

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .cache import cached_for_anonymous
from .filters import GroupFilter
from .models import Group
from .selectors import group_list_public


def group_as_dict(group: Group) -> dict:
    venue = group.room.venue
    return {
        "id": group.pk,
        "name": group.name,
        "url": group.get_absolute_url(),
        "activity": {
            "id": group.activity_id,
            "name": group.activity.name,
            "slug": group.activity.slug,
            "kind": group.activity.kind,
            "kind_label": group.activity.get_kind_display(),
            "category": group.activity.category,
            "category_label": group.activity.get_category_display(),
        },
        "season": {
            "id": group.season_id,
            "name": group.season.name,
            "starts_on": group.season.starts_on.isoformat(),
            "ends_on": group.season.ends_on.isoformat(),
        },
        "venue": {"id": venue.pk, "name": venue.name, "address": venue.address},
        "room": group.room.name,
        "slots": [
            {
                "weekday": slot.weekday,
                "weekday_label": slot.get_weekday_display(),
                "starts_at": slot.starts_at.strftime("%H:%M"),
                "ends_at": slot.ends_at.strftime("%H:%M"),
                "room": (slot.room or group.room).name,
            }
            for slot in group.slots.all()
        ],
        "instructors": [str(instructor) for instructor in group.instructors.all()],
        "age_min": group.age_min,
        "age_max": group.age_max,
        "capacity": group.capacity,
        "free_places": group.free_places,
        "waiting_list_length": group.waitlist_length,
        "requires_approval": group.requires_approval,
        "trial_allowed": group.trial_allowed,
    }


def _error(status: int, message: str, errors: dict | None = None) -> JsonResponse:
    body = {"error": message}
    if errors:
        body["errors"] = errors
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@require_safe
@cached_for_anonymous
def group_list(request: HttpRequest) -> JsonResponse:
    filterset = GroupFilter(request.GET or None, queryset=group_list_public())
    if filterset.is_bound and not filterset.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in filterset.errors.items()}
        return _error(400, _("Invalid filter values."), errors)
    season = filterset.selected_season()
    groups = filterset.qs.filter(season=season) if season else filterset.qs.none()
    results = [group_as_dict(group) for group in groups]
    return JsonResponse(
        {"season": season.name if season else None, "count": len(results), "results": results},
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
def group_detail(request: HttpRequest, pk: int) -> JsonResponse:
    group = group_list_public().filter(pk=pk).first()
    if group is None:
        return _error(404, _("No such group."))
    return JsonResponse(group_as_dict(group), json_dumps_params={"ensure_ascii": False})
