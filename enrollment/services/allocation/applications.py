"""Applications during a season's window: submit, change and withdraw, with the checks they
share (the window, the ordered preferences, the same age and consent rules as enrolling)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clubs.models import Group, Season

from ...allocation_selectors import WindowState, window_state
from ...exceptions import (
    AlreadyAppliedError,
    AlreadyEnrolledError,
    ApplicationError,
    ApplicationWindowError,
    DuplicatePreferenceError,
    HouseholdClosedError,
)
from ...models import MAX_PREFERENCES, Application, ApplicationChoice, Enrollment, Participant
from ..enrollments import _check_participant


def _check_open(season: Season, now: dt.datetime) -> None:
    state = window_state(season=season, now=now)
    if state is WindowState.OPEN:
        return
    if state is WindowState.BEFORE:
        opens = timezone.localtime(season.applications_open_at)
        raise ApplicationWindowError(
            _("Applications open on %(date)s.") % {"date": opens.strftime("%d.%m.%Y %H:%M")}
        )
    if state is WindowState.CLOSED:
        raise ApplicationWindowError(_("Applications for this season have closed."))
    raise ApplicationWindowError()


def _check_preferences(
    participants: Sequence[Participant], preferences: Sequence[Group], now: dt.datetime
) -> Season:
    """Validate the ordered choices for every participant; returns their common season."""
    if not 1 <= len(preferences) <= MAX_PREFERENCES:
        raise ApplicationError(_("Choose from one to %(max)d groups.") % {"max": MAX_PREFERENCES})
    if len({group.pk for group in preferences}) != len(preferences):
        raise DuplicatePreferenceError()
    seasons = {group.season_id for group in preferences}
    if len(seasons) != 1:
        raise ApplicationError(_("All chosen groups must be in the same season."))
    season = preferences[0].season
    for group in preferences:
        if not (group.is_published and season.is_published and group.is_by_lottery):
            raise ApplicationError(_("“%(group)s” does not take applications.") % {"group": group})
    _check_open(season, now)
    households = {participant.household_id for participant in participants}
    if len(households) != 1:
        raise ApplicationError(_("Siblings applying together must be in the same family."))
    if participants[0].household.closed_at is not None:
        raise HouseholdClosedError()
    for participant in participants:
        for group in preferences:
            _check_participant(participant, group)  # the same age and consent rules as enrolling
    live = Enrollment.objects.live().filter(participant__in=participants, group__in=preferences)
    if live.exists():
        raise AlreadyEnrolledError()
    return season


def _choices_create(applications: Iterable[Application], preferences: Sequence[Group]) -> None:
    ApplicationChoice.objects.bulk_create(
        [
            ApplicationChoice(application=application, rank=rank, group=group)
            for application in applications
            for rank, group in enumerate(preferences, start=1)
        ]
    )


def application_submit(
    *,
    participants: Sequence[Participant],
    preferences: Sequence[Group],
    submitted_by,
    together: bool = False,
    now: dt.datetime | None = None,
) -> list[Application]:
    """Apply for one or more participants with up to three groups in order of preference. With
    `together` (siblings), they are placed in the same group or not at all."""
    now = now or timezone.now()
    participants = list(participants)
    if not participants:
        raise ApplicationError(_("Choose at least one participant."))
    season = _check_preferences(participants, preferences, now)
    bundle = uuid.uuid4().hex if together and len(participants) > 1 else ""
    try:
        with transaction.atomic():
            if (
                Application.objects.current()
                .filter(season=season, participant__in=participants)
                .exists()
            ):
                raise AlreadyAppliedError()
            applications = [
                Application.objects.create(
                    season=season,
                    participant=participant,
                    bundle_key=bundle,
                    submitted_by=submitted_by,
                )
                for participant in participants
            ]
            _choices_create(applications, preferences)
    except IntegrityError as error:  # the partial unique index saw a concurrent application
        raise AlreadyAppliedError() from error
    return applications


def _bundle(application: Application) -> list[Application]:
    if not application.bundle_key:
        return [application]
    return list(
        Application.objects.current()
        .filter(season_id=application.season_id, bundle_key=application.bundle_key)
        .select_related("participant__household")
    )


@transaction.atomic
def application_change(
    *,
    application: Application,
    preferences: Sequence[Group],
    changed_by,
    now: dt.datetime | None = None,
) -> Application:
    """Replace the preferences (of the whole sibling bundle) until the window closes."""
    now = now or timezone.now()
    application = Application.objects.select_related("participant__household", "season").get(
        pk=application.pk
    )
    if application.withdrawn_at is not None:
        raise ApplicationError(_("This application has been withdrawn."))
    _check_open(application.season, now)
    if any(group.season_id != application.season_id for group in preferences):
        raise ApplicationError(_("All chosen groups must be in the same season."))
    members = _bundle(application)
    _check_preferences([m.participant for m in members], preferences, now)
    ApplicationChoice.objects.filter(application__in=members).delete()
    _choices_create(members, preferences)
    Application.objects.filter(pk__in=[m.pk for m in members]).update(
        updated_at=now, changed_by=changed_by
    )
    application.refresh_from_db(fields=["updated_at", "changed_by"])
    return application


@transaction.atomic
def application_withdraw(
    *, application: Application, by, now: dt.datetime | None = None
) -> Application:
    """Withdraw until the window closes; the row stays (a sibling bundle keeps the others)."""
    now = now or timezone.now()
    application = Application.objects.select_related("season").get(pk=application.pk)
    if application.withdrawn_at is not None:
        raise ApplicationError(_("This application has already been withdrawn."))
    _check_open(application.season, now)
    application.withdrawn_at, application.withdrawn_by = now, by
    application.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at"])
    return application
