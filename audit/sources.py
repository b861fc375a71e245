"""Where the change history comes from: rows that already record who did what and when.

Each source is one model turned into the same columns (all annotations, `h_` prefix, in one
order), so the history is one UNION ALL of them, sorted and paginated by the database: a page
costs the same few queries however many rows there are (docs/adr/0010-hardening.md).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, F, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from billing.models import Charge, CreditNote, Payment
from enrollment.models import AttendanceMark, ConsentDecision, EnrollmentEvent, HealthNoteRead


class Kind(models.TextChoices):
    ENROLLMENT = "enrollment", _("enrollment")
    ATTENDANCE = "attendance", _("attendance")
    CONSENT = "consent", _("consent")
    CHARGE = "charge", _("charge")
    PAYMENT = "payment", _("payment")
    CREDIT_NOTE = "credit_note", _("credit note")
    HEALTH_READ = "health_read", _("health notes seen")


COLUMNS = (
    "h_kind",
    "h_pk",
    "h_at",
    "h_actor",
    "h_participant",
    "h_household",
    "h_group",
    "h_detail",
    "h_detail2",
    "h_note",
    "h_amount",
    "h_ref_at",
    "h_ref_date",
)


def _text(value: str = "") -> Value:
    return Value(value, output_field=models.CharField())


def _null(field: models.Field) -> Cast:
    # Typed: PostgreSQL types two untyped NULLs in a UNION as text, which then clashes with the
    # numbers and dates of a later source.
    return Cast(Value(None), output_field=field)


def _none_id() -> Cast:
    return _null(models.BigIntegerField())


def _as_text(expression) -> Cast:
    return Cast(expression, output_field=models.CharField())


def _flag(field: str) -> Case:
    return Case(When(**{field: True}, then=_text("1")), default=_text("0"))


def _columns(queryset: QuerySet, kind: str, **expressions) -> QuerySet:
    """The source's rows as the common columns, in COLUMNS order."""
    defaults = {
        "h_kind": _text(kind),
        "h_pk": F("pk"),
        "h_actor": _none_id(),
        "h_participant": _none_id(),
        "h_household": _none_id(),
        "h_group": _none_id(),
        "h_detail": _text(),
        "h_detail2": _text(),
        "h_note": _text(),
        "h_amount": _null(models.DecimalField(max_digits=12, decimal_places=2)),
        "h_ref_at": _null(models.DateTimeField()),
        "h_ref_date": _null(models.DateField()),
    }
    defaults.update(expressions)
    return queryset.order_by().annotate(**{name: defaults[name] for name in COLUMNS})


@dataclass(frozen=True)
class Source:
    kind: Kind
    build: Callable[[], QuerySet]
    # The path from the source's model to a group, for a coordinator's scope; None: no group.
    group_path: str | None


def _enrollments() -> QuerySet:
    return _columns(
        EnrollmentEvent.objects.all(),
        Kind.ENROLLMENT,
        h_at=F("at"),
        h_actor=F("actor_id"),
        h_participant=F("enrollment__participant_id"),
        h_household=F("enrollment__participant__household_id"),
        h_group=F("enrollment__group_id"),
        h_detail=F("from_status"),
        h_detail2=F("to_status"),
        h_note=F("reason"),
    )


def _attendance() -> QuerySet:
    return _columns(
        AttendanceMark.objects.all(),
        Kind.ATTENDANCE,
        h_at=F("marked_at"),
        h_actor=F("marked_by_id"),
        h_participant=F("participant_id"),
        h_household=F("participant__household_id"),
        h_group=F("meeting__group_id"),
        h_detail=F("status"),
        h_note=F("note"),
        h_ref_at=F("meeting__starts_at"),
    )


def _consents() -> QuerySet:
    return _columns(
        ConsentDecision.objects.all(),
        Kind.CONSENT,
        h_at=F("decided_at"),
        h_actor=F("decided_by_id"),
        h_participant=F("participant_id"),
        h_household=F("participant__household_id"),
        h_detail=F("text__kind"),
        h_detail2=_flag("granted"),
        h_note=_as_text(F("text__version")),
    )


def _charges() -> QuerySet:
    return _columns(
        Charge.objects.all(),
        Kind.CHARGE,
        h_at=F("created_at"),
        h_actor=F("created_by_id"),
        h_participant=F("enrollment__participant_id"),
        h_household=F("household_id"),
        h_group=F("enrollment__group_id"),
        h_detail=F("description"),
        h_amount=F("amount"),
        h_ref_date=F("period"),
    )


def _payments() -> QuerySet:
    return _columns(
        Payment.objects.all(),
        Kind.PAYMENT,
        h_at=F("created_at"),
        h_actor=F("recorded_by_id"),
        h_household=F("household_id"),
        h_detail=F("method"),
        h_note=F("title"),
        h_amount=F("amount"),
        h_ref_date=F("received_on"),
    )


def _credit_notes() -> QuerySet:
    return _columns(
        CreditNote.objects.all(),
        Kind.CREDIT_NOTE,
        h_at=F("created_at"),
        h_actor=F("created_by_id"),
        h_participant=F("charge__enrollment__participant_id"),
        h_household=F("household_id"),
        h_group=F("charge__enrollment__group_id"),
        h_detail=F("reason"),
        h_note=F("note"),
        h_amount=F("amount"),
    )


def _health_reads() -> QuerySet:
    return _columns(
        HealthNoteRead.objects.all(),
        Kind.HEALTH_READ,
        h_at=F("at"),
        h_actor=F("reader_id"),
        h_participant=F("participant_id"),
        h_household=F("participant__household_id"),
        h_detail=F("page"),
        h_note=F("path"),
    )


SOURCES: dict[str, Source] = {
    Kind.ENROLLMENT: Source(Kind.ENROLLMENT, _enrollments, "enrollment__group"),
    Kind.ATTENDANCE: Source(Kind.ATTENDANCE, _attendance, "meeting__group"),
    Kind.CONSENT: Source(Kind.CONSENT, _consents, None),
    Kind.CHARGE: Source(Kind.CHARGE, _charges, None),
    Kind.PAYMENT: Source(Kind.PAYMENT, _payments, None),
    Kind.CREDIT_NOTE: Source(Kind.CREDIT_NOTE, _credit_notes, None),
    Kind.HEALTH_READ: Source(Kind.HEALTH_READ, _health_reads, None),
}
