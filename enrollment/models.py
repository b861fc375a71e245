"""Households, guardians, participants, consents, enrollments and their history."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clubs.models import Group, Meeting

REFERENCE_ALPHABET = "ACDEFHJKLMNPRTUVWXY3479"  # no look-alikes: 0/O, 1/I, 5/S, 8/B, 2/Z


def new_transfer_reference() -> str:
    """A short reference for bank transfer titles, e.g. `MOK-K7PX3H`."""
    return "MOK-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class Household(models.Model):
    """The billing and contact unit: guardians and the participants they look after."""

    name = models.CharField(_("name"), max_length=120)
    transfer_reference = models.CharField(
        _("transfer reference"), max_length=12, unique=True, default=new_transfer_reference
    )
    calendar_token = models.CharField(
        _("calendar token"), max_length=64, unique=True, default=new_calendar_token
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.transfer_reference})"


class GuardianRights(models.TextChoices):
    FULL = "full", _("full rights")
    VIEW = "view", _("view only")


class Guardianship(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="guardians"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="guardianships",
    )
    rights = models.CharField(
        _("rights"), max_length=10, choices=GuardianRights.choices, default=GuardianRights.FULL
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "user"], name="guardian_once_per_household"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.household.name}"


class Invitation(models.Model):
    """A second guardian invited by e-mail; accepting links their account to the household."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    rights = models.CharField(_("rights"), max_length=10, choices=GuardianRights.choices)
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_calendar_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email


class Participant(models.Model):
    """A child or an adult who takes part in activities."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="participants",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("own account (adult member)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participant_profile",
    )
    first_name = models.CharField(_("first name"), max_length=60)
    last_name = models.CharField(_("last name"), max_length=60)
    birth_date = models.DateField(_("date of birth"))
    pesel = models.CharField(_("PESEL"), max_length=11, blank=True)
    school_class = models.CharField(_("school and class"), max_length=60, blank=True)
    emergency_contact = models.CharField(
        _("emergency contact (name and phone)"), max_length=120, blank=True
    )
    health_notes = models.TextField(
        _("health notes"),
        blank=True,
        help_text=_("Seen only by the group's instructors and the coordinators."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["birth_date", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def get_absolute_url(self) -> str:
        return reverse("enrollment:participant-detail", kwargs={"pk": self.pk})


class ConsentKind(models.TextChoices):
    ENROLLMENT_DATA = "enrollment_data", _("processing of data for enrollment")
    IMAGE = "image", _("publication of image (photos and video)")
    HEALTH = "health", _("processing of health information")


REQUIRED_CONSENTS = frozenset({ConsentKind.ENROLLMENT_DATA})


class ConsentText(models.Model):
    """One version of a consent's wording. A new version asks everyone again."""

    kind = models.CharField(_("kind"), max_length=20, choices=ConsentKind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published"))

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="consent_text_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class ConsentDecision(models.Model):
    """A grant or a revocation; never changed or deleted. The latest decision counts."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="consent_decisions",
    )
    text = models.ForeignKey(
        ConsentText, verbose_name=_("consent text"), on_delete=models.PROTECT, related_name="+"
    )
    granted = models.BooleanField(_("granted"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent decision")
        verbose_name_plural = _("consent decisions")
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["participant", "-decided_at"])]

    def __str__(self) -> str:
        return f"{self.participant}: {self.text} = {self.granted}"


class EnrollmentStatus(models.TextChoices):
    PENDING = "pending", _("awaiting approval")
    ACTIVE = "active", _("active")
    WAITLISTED = "waitlisted", _("on the waiting list")
    OFFERED = "offered", _("place offered")
    WITHDRAWN = "withdrawn", _("withdrawn")
    REJECTED = "rejected", _("rejected")
    DECLINED = "declined", _("offer declined")
    EXPIRED = "expired", _("offer expired")
    MOVED = "moved", _("moved to another group")


LIVE_STATUSES = (
    EnrollmentStatus.PENDING,
    EnrollmentStatus.ACTIVE,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.OFFERED,
)
# Statuses that hold one of the group's places (`Group.places_taken`).
PLACE_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.OFFERED)


class PriorityTier(models.IntegerChoices):
    CONTINUING = 0, _("continuing from last season")
    GENERAL = 1, _("general")


class EnrollmentQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def holding_places(self):
        return self.filter(status__in=PLACE_STATUSES)

    def waitlist(self):
        return self.filter(status=EnrollmentStatus.WAITLISTED).order_by(
            "priority_tier", "waitlist_rank", "pk"
        )


class Enrollment(models.Model):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.PROTECT, related_name="enrollments"
    )
    status = models.CharField(_("status"), max_length=12, choices=EnrollmentStatus.choices)
    priority_tier = models.PositiveSmallIntegerField(
        _("priority"), choices=PriorityTier.choices, default=PriorityTier.GENERAL
    )
    # Orders the waiting list within a tier; starts as the request time in microseconds, so a
    # coordinator can move someone between two others without renumbering.
    waitlist_rank = models.BigIntegerField(_("waiting list rank"), default=0)
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    ends_on = models.DateField(
        _("last day"), null=True, blank=True, help_text=_("Set by a withdrawal: end of month.")
    )
    request_key = models.CharField(
        _("request key"),
        max_length=64,
        blank=True,
        help_text=_("Identifies one submitted form, so a double-clicked submit counts once."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "group"],
                condition=Q(status__in=LIVE_STATUSES),
                name="enrollment_one_live_per_participant_and_group",
            ),
        ]
        indexes = [
            models.Index(fields=["group", "status"]),
            models.Index(fields=["status", "offer_expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.participant} → {self.group} ({self.get_status_display()})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def holds_place(self) -> bool:
        return self.status in PLACE_STATUSES


class EnrollmentEvent(models.Model):
    """Every change of an enrollment's status: from, to, who, why, when."""

    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("enrollment"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(
        _("from"), max_length=12, choices=EnrollmentStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=EnrollmentStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system did it (an offer expired, a withdrawal took effect)."),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("enrollment event")
        verbose_name_plural = _("enrollment events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.from_status or '—'} → {self.to_status}"


class TrialBooking(models.Model):
    """One trial meeting: it uses a place for that meeting only."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.PROTECT, related_name="trials"
    )
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.PROTECT, related_name="trials"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="trials"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("booked by"), on_delete=models.PROTECT
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("trial meeting")
        verbose_name_plural = _("trial meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "group"],
                condition=Q(cancelled_at__isnull=True),
                name="trial_once_per_participant_and_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} — {self.meeting}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("present")
    ABSENT = "absent", _("absent")
    EXCUSED = "excused", _("excused")
    LATE = "late", _("late")


class AttendanceMark(models.Model):
    """One mark in a meeting's register; never changed or deleted. The latest mark counts, so a
    correction is a new row and the history of who marked what stays."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        # PROTECT: regeneration of the schedule keeps a meeting that has attendance.
        on_delete=models.PROTECT,
        related_name="attendance_marks",
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="attendance_marks",
    )
    status = models.CharField(_("status"), max_length=10, choices=AttendanceStatus.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("marked at"))

    class Meta:
        verbose_name = _("attendance mark")
        verbose_name_plural = _("attendance marks")
        ordering = ["-marked_at", "-pk"]
        indexes = [
            models.Index(
                "meeting", "participant", models.F("marked_at").desc(), name="attendance_latest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} @ {self.meeting_id}: {self.status}"


class AbsenceNotice(models.Model):
    """A guardian's "will not attend" for a coming meeting; the register shows it as excused."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="absence_notices",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        related_name="absence_notices",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("absence notice")
        verbose_name_plural = _("absence notices")
        ordering = ["-reported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "meeting"],
                condition=Q(withdrawn_at__isnull=True),
                name="absence_notice_one_live_per_meeting",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} — {self.meeting}"


class MeetingNote(models.Model):
    """The instructor's note on one meeting (what was done, anything to remember)."""

    meeting = models.OneToOneField(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        related_name="register_note",
    )
    text = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("meeting note")
        verbose_name_plural = _("meeting notes")

    def __str__(self) -> str:
        return str(self.meeting)
