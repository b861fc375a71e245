"""Enrollments of participants in groups, their history and trial meetings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clubs.models import Group, Meeting

from .households import Participant


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
