"""Pages of the register: today's meetings, taking a register, cancelling or moving a meeting,
and a family's absence notices. Access by relation only; "not yours" answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clubs.models import Meeting

from . import attendance
from .attendance_forms import (
    AbsenceForm,
    MarkForm,
    MeetingCancelForm,
    MeetingMoveForm,
    MeetingNoteForm,
)
from .exceptions import EnrollmentError
from .health_reads import health_notes_read_record
from .models import AttendanceStatus, HealthNotePage, MakeupCredit, Participant
from .permissions import participants_of
from .services import attendance as services


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(
        attendance.meetings_for_register(request.user).select_related(
            "group__activity", "room__venue"
        ),
        pk=pk,
    )


def _register_url(meeting: Meeting, participant_id: int | None = None) -> str:
    url = reverse("attendance:register", args=[meeting.pk])
    return f"{url}#p-{participant_id}" if participant_id else url


@never_cache
@login_required
@require_safe
def today(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("enrollment.open_registers"):
        raise Http404  # a family's account has no registers
    todays, later = attendance.meetings_for_today(user=request.user)
    return render(request, "enrollment/attendance/today.html", {"todays": todays, "later": later})


@never_cache
@login_required
@require_safe
def register(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    note = attendance.meeting_note(meeting=meeting)
    rows = attendance.register_rows(meeting=meeting)
    # The register shows every health note to whoever takes it.
    health_notes_read_record(
        reader=request.user,
        participants=[row.participant for row in rows],
        page=HealthNotePage.REGISTER,
        path=request.get_full_path(),
    )
    return render(
        request,
        "enrollment/attendance/register.html",
        {
            "meeting": meeting,
            "rows": rows,
            "statuses": AttendanceStatus.choices,
            "note_form": MeetingNoteForm(initial={"text": note.text if note else ""}),
            "note": note,
            "can_mark": not meeting.is_cancelled,
        },
    )


@login_required
@require_POST
def mark(request: HttpRequest, pk: int, participant_id: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    participant = get_object_or_404(Participant, pk=participant_id)
    form = MarkForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("Choose one of the statuses.")
    else:
        try:
            services.attendance_mark(
                meeting=meeting,
                participant=participant,
                status=form.cleaned_data["status"],
                marked_by=request.user,
            )
        except EnrollmentError as exc:
            error = str(exc.message)
    if request.htmx:
        if error:
            # htmx does not swap an error answer: the page's handler shows "not saved".
            return HttpResponse(error, status=409, content_type="text/plain; charset=utf-8")
        [row] = attendance.register_rows(meeting=meeting, only=participant)
        health_notes_read_record(
            reader=request.user,
            participants=[row.participant],
            page=HealthNotePage.REGISTER,
            path=request.get_full_path(),
        )
        return render(
            request,
            "enrollment/attendance/_row.html",
            {
                "meeting": meeting,
                "row": row,
                "statuses": AttendanceStatus.choices,
                "can_mark": True,
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Saved: %(name)s.") % {"name": participant})
    return redirect(_register_url(meeting, participant.pk))


@login_required
@require_POST
def all_present(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    try:
        marks = services.attendance_mark_all_present(meeting=meeting, marked_by=request.user)
    except EnrollmentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked: %(count)d.") % {"count": len(marks)})
    return redirect(_register_url(meeting))


@login_required
@require_POST
def note_save(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = MeetingNoteForm(request.POST)
    if form.is_valid():
        services.meeting_note_save(meeting=meeting, text=form.cleaned_data["text"], by=request.user)
        messages.success(request, _("The note is saved."))
    else:
        messages.error(request, _("The note is too long."))
    return redirect(_register_url(meeting))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = MeetingCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(
                meeting=meeting, by=request.user, reason=form.cleaned_data["reason"]
            )
        except EnrollmentError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The meeting is cancelled and the families are told."))
            return redirect(_register_url(meeting))
    return render(
        request,
        "enrollment/attendance/meeting_cancel.html",
        {"meeting": meeting, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_move(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    local = timezone.localtime(meeting.starts_at)
    form = MeetingMoveForm(
        request.POST or None,
        initial={
            "day": local.date(),
            "starts": local.time(),
            "ends": timezone.localtime(meeting.ends_at).time(),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_move(
                meeting=meeting,
                by=request.user,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                room=data["room"],
                reason=data["reason"],
            )
        except EnrollmentError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The meeting is moved and the families are told."))
            return redirect(_register_url(meeting))
    return render(
        request, "enrollment/attendance/meeting_move.html", {"meeting": meeting, "form": form}
    )


@never_cache
@login_required
@require_safe
def family_attendance(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = get_object_or_404(participants_of(request.user), pk=participant_id)
    meetings = attendance.upcoming_meetings_of(participant=participant)
    notices = {
        notice.meeting_id: notice
        for notice in participant.absence_notices.filter(
            withdrawn_at__isnull=True, meeting__in=meetings
        )
    }
    can_act = participants_of(request.user, full_rights=True).filter(pk=participant.pk).exists()
    return render(
        request,
        "enrollment/attendance/family.html",
        {
            "participant": participant,
            "rows": [(meeting, notices.get(meeting.pk)) for meeting in meetings],
            "marks": attendance.marks_of(participant=participant),
            "can_act": can_act,
            "form": AbsenceForm(),
        },
    )


@login_required
@require_POST
def absence_report(request: HttpRequest, participant_id: int, meeting_id: int) -> HttpResponse:
    participant = get_object_or_404(
        participants_of(request.user, full_rights=True), pk=participant_id
    )
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    form = AbsenceForm(request.POST)
    if form.is_valid():
        try:
            notice = services.absence_report(
                meeting=meeting,
                participant=participant,
                reported_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except EnrollmentError as exc:
            messages.error(request, exc.message)
        else:
            if MakeupCredit.objects.filter(notice=notice).exists():
                messages.success(request, _("The absence is reported and earns a make-up meeting."))
            else:
                messages.success(request, _("The absence is reported. Thank you."))
    return redirect("attendance:family", participant_id=participant.pk)


@login_required
@require_POST
def absence_withdraw(request: HttpRequest, participant_id: int, meeting_id: int) -> HttpResponse:
    participant = get_object_or_404(
        participants_of(request.user, full_rights=True), pk=participant_id
    )
    notice = get_object_or_404(
        participant.absence_notices.filter(withdrawn_at__isnull=True), meeting_id=meeting_id
    )
    try:
        services.absence_withdraw(notice=notice, by=request.user)
    except EnrollmentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The absence notice is withdrawn."))
    return redirect("attendance:family", participant_id=participant.pk)
