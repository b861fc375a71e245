"""Export and erasure of a household's personal data, and the retention policy."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from enrollment.models import (
    LIVE_STATUSES,
    Enrollment,
    EnrollmentStatus,
    Guardianship,
    Household,
    Participant,
)
from notifications.models import AddressOptOut

from .models import ErasureRequest, ErasureStatus
from .registry import ANONYMIZE, DELETE, ENTRIES, ERASED, Entry, Scope, entry_for

EXPORT_VERSION = 1


class PrivacyError(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def scope_for(household: Household) -> Scope:
    participants = list(
        Participant.objects.filter(household=household).values_list("pk", "user_id")
    )
    guardians = set(
        Guardianship.objects.filter(household=household).values_list("user_id", flat=True)
    )
    users = guardians | {user_id for _pk, user_id in participants if user_id}
    elsewhere = set(
        Guardianship.objects.filter(user_id__in=users)
        .exclude(household=household)
        .values_list("user_id", flat=True)
    )
    User = get_user_model()
    with_roles = set(
        User.objects.filter(pk__in=users)
        .filter((Q(groups__isnull=False) & ~Q(groups__name=Role.GUARDIAN)) | Q(is_superuser=True))
        .values_list("pk", flat=True)
    )
    return Scope(
        household_id=household.pk,
        participant_ids=tuple(sorted(pk for pk, _user in participants)),
        user_ids=tuple(sorted(users)),
        erasable_user_ids=tuple(sorted(users - elsewhere - with_roles)),
    )


def _exported_fields(entry: Entry) -> list:
    return [
        f
        for f in entry.model._meta.concrete_fields
        if f.name not in entry.hidden and f.attname not in entry.hidden
    ]


def export_household(household: Household) -> dict[str, Any]:
    """Everything the system holds about the household, model by model (GDPR art. 15 and 20)."""
    scope = scope_for(household)
    sections = {}
    for entry in ENTRIES:
        fields = _exported_fields(entry)
        rows = entry.rows(scope).order_by("pk").values(*[f.attname for f in fields])
        sections[entry.label] = list(rows)
    return {
        "format": "mok-household-export",
        "version": EXPORT_VERSION,
        "generated_at": timezone.now(),
        "household": {"id": household.pk, "transfer_reference": household.transfer_reference},
        "sections": sections,
    }


def export_json(household: Household) -> str:
    import json

    return json.dumps(
        export_household(household), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )


def export_readable(household: Household) -> list[dict[str, Any]]:
    """The same data for people: sections with verbose names and displayed choices."""
    scope = scope_for(household)
    sections = []
    for entry in ENTRIES:
        model = entry.model
        fields = _exported_fields(entry)
        rows = []
        for obj in entry.rows(scope).order_by("pk"):
            cells = []
            for f in fields:
                value = getattr(obj, f.attname)
                if f.choices and value not in (None, ""):
                    value = dict(f.flatchoices).get(value, value)
                cells.append(value)
            rows.append(cells)
        if rows:
            sections.append(
                {
                    "label": entry.label,
                    "title": model._meta.verbose_name_plural,
                    "headers": [f.verbose_name for f in fields],
                    "rows": rows,
                }
            )
    return sections


def live_enrollments(household: Household):
    today = timezone.localdate()
    return Enrollment.objects.filter(
        participant__household=household, status__in=LIVE_STATUSES
    ).exclude(status=EnrollmentStatus.ACTIVE, ends_on__lt=today)


@transaction.atomic
def erasure_request(*, household: Household, user) -> ErasureRequest:
    existing = ErasureRequest.objects.filter(
        household=household, status=ErasureStatus.PENDING
    ).first()
    if existing is not None:
        return existing
    if ErasureRequest.objects.filter(household=household, status=ErasureStatus.DONE).exists():
        raise PrivacyError(_("This household's data has already been erased."))
    return ErasureRequest.objects.create(household=household, requested_by=user)


def _anonymize(entry: Entry, queryset, scope: Scope) -> int:
    if entry.label == "accounts.User":
        queryset = queryset.filter(pk__in=scope.erasable_user_ids)
    changed = 0
    plain = {k: v for k, v in entry.replace.items() if not callable(v)}
    computed = {k: v for k, v in entry.replace.items() if callable(v)}
    if plain and not computed:
        return queryset.update(**plain)
    for obj in queryset:
        for name, value in entry.replace.items():
            setattr(obj, name, value(obj) if callable(value) else value)
        obj.save(update_fields=list(entry.replace))
        changed += 1
    return changed


@transaction.atomic
def erasure_execute(*, request: ErasureRequest, actor, now: dt.datetime | None = None) -> dict:
    """Anonymize the household everywhere except the records the law requires (see registry).

    Refused while a participant still holds or waits for a place: withdraw them first (an
    active place ends with the month).
    """
    now = now or timezone.now()
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ErasureStatus.PENDING:
        raise PrivacyError(_("This request has already been processed."))
    household = Household.objects.select_for_update().get(pk=request.household_id)
    if live_enrollments(household).exists():
        raise PrivacyError(
            _(
                "Participants of this household are still enrolled or waiting for a place. "
                "Withdraw them first; an active place ends with the month."
            )
        )
    scope = scope_for(household)
    User = get_user_model()
    addresses = set()
    for email, phone in User.objects.filter(pk__in=scope.erasable_user_ids).values_list(
        "email", "phone"
    ):
        addresses |= {email, phone} - {""}
    counts = {}
    for entry in ENTRIES:
        queryset = entry.rows(scope)
        if entry.erase == ANONYMIZE:
            counts[entry.label] = _anonymize(entry, queryset, scope)
        elif entry.erase == DELETE:
            counts[entry.label] = queryset.delete()[0]
    counts["notifications.AddressOptOut"] = AddressOptOut.objects.filter(
        address__in=addresses
    ).delete()[0]
    _sessions_end(set(scope.erasable_user_ids))
    Household.objects.filter(pk=household.pk).update(closed_at=household.closed_at or now)
    request.status = ErasureStatus.DONE
    request.processed_by = actor
    request.processed_at = now
    request.outcome = ", ".join(f"{label}: {n}" for label, n in counts.items() if n)
    request.save(update_fields=["status", "processed_by", "processed_at", "outcome"])
    return counts


@transaction.atomic
def erasure_refuse(*, request: ErasureRequest, actor, reason: str) -> ErasureRequest:
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ErasureStatus.PENDING:
        raise PrivacyError(_("This request has already been processed."))
    if not reason.strip():
        raise PrivacyError(_("Say why the request is refused."))
    request.status = ErasureStatus.REFUSED
    request.processed_by = actor
    request.processed_at = timezone.now()
    request.outcome = reason.strip()[:2000]
    request.save(update_fields=["status", "processed_by", "processed_at", "outcome"])
    return request


def _sessions_end(user_ids: set[int]) -> None:
    if not user_ids:
        return
    # Through the configured store: a cached session must go from the cache too.
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    wanted = {str(pk) for pk in user_ids}
    for session in Session.objects.filter(expire_date__gt=timezone.now()):
        if str(session.get_decoded().get("_auth_user_id")) in wanted:
            store_class(session_key=session.session_key).delete()


def retention_candidates(*, years: int, today: dt.date | None = None):
    """Participants with no live enrollment whose last activity ended `years` ago or earlier."""
    today = today or timezone.localdate()
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    live = Enrollment.objects.filter(status__in=LIVE_STATUSES).values("participant_id")
    return (
        Participant.objects.exclude(pk__in=live)
        .exclude(first_name=ERASED)
        .annotate(last_seen=Max("enrollments__updated_at"))
        .filter(
            Q(last_seen__date__lt=cutoff) | Q(last_seen__isnull=True, created_at__date__lt=cutoff)
        )
    )


@transaction.atomic
def retention_apply(*, years: int, today: dt.date | None = None) -> int:
    """Anonymize participants inactive for `years`; a household whose participants are all
    anonymized and who has nothing live is anonymized and closed as by an erasure request."""
    participants = list(retention_candidates(years=years, today=today))
    if not participants:
        return 0
    for participant in participants:
        scope = Scope(participant.household_id, (participant.pk,), (), ())
        for label in (
            "enrollment.Participant",
            "enrollment.AttendanceMark",
            "enrollment.AbsenceNotice",
            "enrollment.EnrollmentEvent",
        ):
            item = entry_for(label)
            _anonymize(item, item.rows(scope), scope)
    households = {p.household_id for p in participants}
    for household in Household.objects.filter(pk__in=households, closed_at__isnull=True):
        remaining = Participant.objects.filter(household=household).exclude(first_name=ERASED)
        if remaining.exists() or live_enrollments(household).exists():
            continue
        request = ErasureRequest.objects.filter(
            household=household, status=ErasureStatus.PENDING
        ).first() or ErasureRequest.objects.create(household=household, requested_by=None)
        erasure_execute(request=request, actor=None)
    return len(participants)
