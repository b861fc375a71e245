"""Pages of the family: household, participants, consents, enrollment, offers, calendar.

Objects are always fetched through the user's scoped querysets (`permissions.py`), so another
family's child, enrollment or invitation answers 404, exactly like a missing one.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Exists, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clubs.calendars import calendar_build
from clubs.models import Group, Meeting, MeetingStatus

from . import services
from .exceptions import EnrollmentError
from .forms import (
    ConsentsForm,
    EnrollForm,
    HouseholdForm,
    InviteForm,
    ParticipantForm,
    ReasonForm,
    TrialForm,
)
from .models import (
    ConsentKind,
    ConsentText,
    Enrollment,
    EnrollmentStatus,
    GuardianRights,
    Guardianship,
    Household,
    Invitation,
    Participant,
)
from .permissions import enrollments_of, households_of, participants_of
from .selectors import (
    consent_state,
    consents_current_versions,
    enrollment_list_for_household,
    guardianship_for,
)


def _household_or_none(user) -> Household | None:
    return households_of(user).order_by("pk").first()


@login_required
@require_safe
def family_home(request: HttpRequest) -> HttpResponse:
    household = _household_or_none(request.user)
    if household is None:
        return redirect("enrollment:household-create")
    guardianship = guardianship_for(user=request.user, household=household)
    participants = list(household.participants.order_by("birth_date"))
    enrollments = list(enrollment_list_for_household(household=household))
    by_participant = {p.pk: [] for p in participants}
    for enrollment in enrollments:
        by_participant.setdefault(enrollment.participant_id, []).append(enrollment)
    return render(
        request,
        "enrollment/family_home.html",
        {
            "household": household,
            "can_act": guardianship is not None and guardianship.rights == "full",
            "rows": [(p, by_participant[p.pk]) for p in participants],
            "offers": [e for e in enrollments if e.status == EnrollmentStatus.OFFERED],
            "calendar_url": request.build_absolute_uri(
                reverse("enrollment:household-calendar", args=[household.calendar_token])
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest) -> HttpResponse:
    if _household_or_none(request.user) is not None:
        return redirect("enrollment:home")
    form = HouseholdForm(request.POST or None, initial={"name": request.user.last_name})
    if request.method == "POST" and form.is_valid():
        services.household_create(user=request.user, name=form.cleaned_data["name"])
        messages.success(request, _("Your family account is ready. Add the participants now."))
        return redirect("enrollment:participant-create")
    return render(request, "enrollment/household_form.html", {"form": form})


def _full_rights_household(request) -> Household:
    household = _household_or_none(request.user)
    guardianship = household and guardianship_for(user=request.user, household=household)
    if guardianship is None or guardianship.rights != "full":
        raise Http404
    return household


@login_required
@require_http_methods(["GET", "POST"])
def participant_create(request: HttpRequest) -> HttpResponse:
    household = _household_or_none(request.user)
    if household is None:
        return redirect("enrollment:household-create")
    household = _full_rights_household(request)
    allow_self = not hasattr(request.user, "participant_profile")
    form = ParticipantForm(request.POST or None, allow_self=allow_self)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "is_self"}
        participant = services.participant_create(
            household=household,
            created_by=request.user,
            is_self=form.cleaned_data.get("is_self", False),
            **data,
        )
        messages.success(request, _("Saved. Now give the consents."))
        return redirect(participant.get_absolute_url())
    return render(request, "enrollment/participant_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_object_or_404(participants_of(request.user), pk=pk)
    can_act = participants_of(request.user, full_rights=True).filter(pk=pk).exists()
    texts = {t.kind: t for t in ConsentText.objects.order_by("kind", "-version")[::-1]}
    state = consent_state(participant=participant)
    current = consents_current_versions()
    initial = {
        kind: bool(decision and decision.granted and decision.text.version == current.get(kind))
        for kind, decision in state.items()
    }
    form = ParticipantForm(request.POST or None, instance=participant, prefix="p")
    consents = ConsentsForm(initial=initial, texts=texts, prefix="c")
    if request.method == "POST":
        if not can_act:
            raise Http404
        if form.is_valid():
            services.participant_update(
                participant=participant, updated_by=request.user, **form.cleaned_data
            )
            messages.success(request, _("Saved."))
            return redirect(participant.get_absolute_url())
    return render(
        request,
        "enrollment/participant_detail.html",
        {
            "participant": participant,
            "form": form,
            "consents": consents,
            "state": state,
            "can_act": can_act,
        },
    )


@login_required
@require_POST
def consents_update(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_object_or_404(participants_of(request.user, full_rights=True), pk=pk)
    form = ConsentsForm(request.POST, prefix="c")
    form.is_valid()  # booleans: always valid
    state = consent_state(participant=participant)
    current = consents_current_versions()
    with transaction.atomic():
        for kind in ConsentKind.values:
            wanted = form.cleaned_data.get(kind, False)
            decision = state.get(kind)
            given = bool(
                decision and decision.granted and decision.text.version == current.get(kind)
            )
            if wanted != given and (wanted or decision is not None):
                services.consent_decide(
                    participant=participant, kind=kind, granted=wanted, decided_by=request.user
                )
    messages.success(request, _("Consents saved."))
    return redirect(participant.get_absolute_url())


def _enroll_candidates(user):
    """`participants_of(user, full_rights=True)` without the join and DISTINCT: the same rows,
    read with an IN over the user's full-rights guardianships."""
    households = Guardianship.objects.filter(user=user, rights=GuardianRights.FULL).values(
        "household_id"
    )
    return Participant.objects.filter(Q(household_id__in=households) | Q(user=user)).select_related(
        "household"
    )


@login_required
@require_http_methods(["GET", "POST"])
def enroll(request: HttpRequest, group_id: int) -> HttpResponse:
    # The answer to a POST needs the group's season and activity only; the form page its room.
    related = (
        ("activity", "season")
        if request.method == "POST"
        else ("activity", "season", "room__venue")
    )
    # One read: the group, and whether the user has a household yet.
    group = get_object_or_404(
        Group.objects.published()
        .select_related(*related)
        .annotate(user_has_household=Exists(Guardianship.objects.filter(user=request.user))),
        pk=group_id,
    )
    if not group.user_has_household:  # no household yet
        messages.info(request, _("Create your family account first."))
        return redirect("enrollment:household-create")
    form = EnrollForm(request.POST or None, participants=_enroll_candidates(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            enrollments = services.enrollment_request(
                participants=list(form.cleaned_data["participants"]),
                group=group,
                requested_by=request.user,
                together=form.cleaned_data["together"],
                request_key=form.cleaned_data["request_key"],
            )
        except EnrollmentError as error:
            form.add_error(None, error.message)
        else:
            if not all(hasattr(e, "waitlist_position") for e in enrollments):
                # The same form submitted again: the first answer's rows, read back.
                household = _household_or_none(request.user)
                enrollments = enrollment_list_for_household(household=household).filter(
                    pk__in=[e.pk for e in enrollments]
                )
            else:
                # Just written: the service knows each outcome and waiting-list position.
                for enrollment in enrollments:
                    enrollment.position = enrollment.waitlist_position
                enrollments.sort(key=lambda e: e.participant.birth_date)  # as the list reads
            return render(
                request,
                "enrollment/enroll_result.html",
                {"group": group, "enrollments": enrollments},
            )
    return render(request, "enrollment/enroll_form.html", {"group": group, "form": form})


def _my_enrollment(request, pk: int) -> Enrollment:
    return get_object_or_404(
        enrollments_of(request.user, full_rights=True).select_related(
            "participant", "group__activity"
        ),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = _my_enrollment(request, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_withdraw(
                enrollment=enrollment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except EnrollmentError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The withdrawal has been recorded."))
        return redirect("enrollment:home")
    return render(
        request, "enrollment/withdraw_confirm.html", {"enrollment": enrollment, "form": form}
    )


@login_required
@require_POST
def offer_respond(request: HttpRequest, pk: int, answer: str) -> HttpResponse:
    enrollment = _my_enrollment(request, pk)
    service = {"accept": services.offer_accept, "decline": services.offer_decline}.get(answer)
    if service is None:
        raise Http404
    try:
        service(enrollment=enrollment, by=request.user)
    except EnrollmentError as error:
        messages.error(request, error.message)
    else:
        if answer == "accept":
            messages.success(request, _("Welcome to the group! The place is yours."))
        else:
            messages.info(request, _("The offer has been declined."))
    return redirect("enrollment:home")


@login_required
@require_http_methods(["GET", "POST"])
def trial_book(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_object_or_404(Group.objects.published().filter(trial_allowed=True), pk=group_id)
    meetings = Meeting.objects.filter(
        group=group, status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now()
    ).order_by("starts_at")[:8]
    form = TrialForm(
        request.POST or None,
        participants=participants_of(request.user, full_rights=True),
        meetings=Meeting.objects.filter(pk__in=[m.pk for m in meetings]).order_by("starts_at"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.trial_book(
                participant=form.cleaned_data["participant"],
                meeting=form.cleaned_data["meeting"],
                by=request.user,
            )
        except EnrollmentError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The trial meeting is booked."))
            return redirect("enrollment:home")
    return render(request, "enrollment/trial_form.html", {"group": group, "form": form})


@require_safe
def household_calendar(request: HttpRequest, token: str) -> HttpResponse:
    household = Household.objects.filter(calendar_token=token).first()
    if household is None:
        raise Http404
    group_ids = Enrollment.objects.filter(
        participant__household=household, status=EnrollmentStatus.ACTIVE
    ).values("group_id")
    meetings = Meeting.objects.filter(group_id__in=group_ids).select_related(
        "group__activity", "room__venue"
    )
    calendar = calendar_build(
        name=_("Classes: %(family)s") % {"family": household.name},
        meetings=meetings,
        domain=request.get_host(),
    )
    return HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")


@login_required
@require_POST
def calendar_rotate(request: HttpRequest) -> HttpResponse:
    household = _full_rights_household(request)
    services.household_calendar_token_rotate(household=household)
    messages.success(request, _("The calendar has a new address; the old one no longer works."))
    return redirect("enrollment:home")


@login_required
@require_http_methods(["GET", "POST"])
def guardian_invite(request: HttpRequest) -> HttpResponse:
    household = _full_rights_household(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation = services.guardian_invite(
            household=household,
            email=form.cleaned_data["email"],
            rights=form.cleaned_data["rights"],
            invited_by=request.user,
        )
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        return redirect("enrollment:home")
    return render(request, "enrollment/invite_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    # Only the invited address may see the invitation; anyone else gets "not found".
    invitation = get_object_or_404(
        Invitation.objects.select_related("household"),
        token=token,
        email=request.user.email.lower(),
    )
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except EnrollmentError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("You are now a guardian in this family account."))
            return redirect("enrollment:home")
    return render(request, "enrollment/invitation_accept.html", {"invitation": invitation})
