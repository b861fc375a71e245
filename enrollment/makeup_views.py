"""A family's make-up meetings: credits, booking one into another group, cancelling it, and
reporting an absence so that it earns a credit. "Not yours" answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from . import makeups
from .exceptions import EnrollmentError
from .makeup_forms import MakeupBookForm
from .models import MakeupBooking, MakeupCredit, Participant
from .permissions import participants_of
from .services import makeups as services


def _participant(request: HttpRequest, pk: int, *, full_rights: bool = True) -> Participant:
    return get_object_or_404(participants_of(request.user, full_rights=full_rights), pk=pk)


@never_cache
@login_required
@require_safe
def family_makeups(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = _participant(request, participant_id, full_rights=False)
    rows = makeups.credit_rows_of(participant=participant)
    can_act = participants_of(request.user, full_rights=True).filter(pk=participant.pk).exists()
    if can_act:
        for row in rows:
            if row.state == "valid":
                row.meetings = makeups.makeup_meetings_for(credit=row.credit)
    return render(
        request,
        "enrollment/makeups/family.html",
        {"participant": participant, "rows": rows, "can_act": can_act},
    )


@login_required
@require_POST
def makeup_book(request: HttpRequest, participant_id: int, credit_id: int) -> HttpResponse:
    participant = _participant(request, participant_id)
    credit = get_object_or_404(MakeupCredit, pk=credit_id, participant=participant)
    form = MakeupBookForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed meetings."))
    else:
        try:
            services.makeup_book(
                credit=credit, meeting=form.cleaned_data["meeting"], by=request.user
            )
        except EnrollmentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The make-up meeting is booked."))
    return redirect("makeups:family", participant_id=participant.pk)


@login_required
@require_POST
def makeup_cancel(request: HttpRequest, participant_id: int, booking_id: int) -> HttpResponse:
    participant = _participant(request, participant_id)
    booking = get_object_or_404(
        MakeupBooking, pk=booking_id, credit__participant=participant, cancelled_at__isnull=True
    )
    try:
        services.makeup_cancel(booking=booking, by=request.user)
    except EnrollmentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The make-up meeting is cancelled; the credit can be used again.")
        )
    return redirect("makeups:family", participant_id=participant.pk)
