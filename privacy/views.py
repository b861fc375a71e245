from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .models import ErasureRequest, ErasureStatus
from .permissions import households_erasable_by, households_exportable_by
from .services import (
    PrivacyError,
    erasure_execute,
    erasure_refuse,
    erasure_request,
    export_json,
    export_readable,
    live_enrollments,
)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    households = list(households_exportable_by(request.user).order_by("name"))
    erasable = set(households_erasable_by(request.user).values_list("pk", flat=True))
    pending = dict(
        ErasureRequest.objects.filter(
            household__in=households, status=ErasureStatus.PENDING
        ).values_list("household_id", "requested_at")
    )
    rows = [
        {"household": h, "can_erase": h.pk in erasable, "pending_since": pending.get(h.pk)}
        for h in households
    ]
    return render(request, "privacy/home.html", {"rows": rows})


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_object_or_404(households_exportable_by(request.user), pk=pk)
    response = HttpResponse(export_json(household), content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    response["Content-Disposition"] = (
        f'attachment; filename="dane-{household.transfer_reference}-{stamp}.json"'
    )
    return response


@login_required
@require_GET
def export_page(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_object_or_404(households_exportable_by(request.user), pk=pk)
    return render(
        request,
        "privacy/export.html",
        {"household": household, "sections": export_readable(household), "now": timezone.now()},
    )


@login_required
@require_POST
def erasure_ask(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_object_or_404(households_erasable_by(request.user), pk=pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that you ask for erasure."))
        return redirect("privacy:home")
    try:
        erasure_request(household=household, user=request.user)
    except PrivacyError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Your request has been recorded. The office will carry it out within a month "
                "and tell you."
            ),
        )
    return redirect("privacy:home")


def _office(request: HttpRequest) -> None:
    if not request.user.has_perm("privacy.process_erasure"):
        raise Http404


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    _office(request)
    status = request.GET.get("status", ErasureStatus.PENDING)
    if status not in ErasureStatus.values:
        status = ErasureStatus.PENDING
    queryset = (
        ErasureRequest.objects.filter(status=status)
        .select_related("household", "requested_by", "processed_by")
        .order_by("requested_at" if status == ErasureStatus.PENDING else "-processed_at")
    )
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/request_list.html",
        {"page_obj": page, "status": status, "statuses": ErasureStatus.choices},
    )


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    item = get_object_or_404(
        ErasureRequest.objects.select_related("household", "requested_by", "processed_by"), pk=pk
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "execute":
                erasure_execute(request=item, actor=request.user)
                messages.success(request, _("The household's personal data has been erased."))
            elif request.POST.get("action") == "refuse":
                erasure_refuse(
                    request=item, actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("The request has been refused."))
            else:
                messages.error(request, _("Choose what to do with the request."))
        except PrivacyError as error:
            messages.error(request, error.message)
        return redirect("privacy:request-detail", pk=item.pk)
    if request.method != "GET":
        return HttpResponse(status=405)
    return render(
        request,
        "privacy/request_detail.html",
        {
            "item": item,
            "blocking": live_enrollments(item.household).select_related("participant", "group"),
        },
    )
