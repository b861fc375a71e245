"""Attendance marks (append-only), absence notices and meeting notes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clubs.models import Meeting

from .households import Participant


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
            # The latest mark of each (meeting, participant) first, the id breaking a tie, and
            # the status in the key: the reports read each pair's current mark from the index
            # alone (DISTINCT ON, no sort and no heap fetch on PostgreSQL).
            models.Index(
                fields=["meeting", "participant", "-marked_at", "-id", "status"],
                name="attendance_latest_status",
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


# --- make-up meetings --------------------------------------------------------------------------


class MakeupRule(models.Model):
    """When an absence of an activity earns a make-up meeting in another of its groups."""

    activity = models.OneToOneField(
        "clubs.Activity",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="makeup_rule",
    )
    notice_hours = models.PositiveSmallIntegerField(
        _("notice (hours)"),
        default=24,
        help_text=_("How early an absence must be reported to count."),
    )
    valid_weeks = models.PositiveSmallIntegerField(_("valid (weeks)"), default=4)
    max_per_month = models.PositiveSmallIntegerField(
        _("at most per month"),
        default=2,
        help_text=_("Credits one participant can earn in a calendar month."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("make-up rule")
        verbose_name_plural = _("make-up rules")

    def __str__(self) -> str:
        return str(self.activity)


class MakeupCredit(models.Model):
    """A make-up meeting earned by one reported absence; kept for ever, used at most once."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="makeup_credits",
    )
    activity = models.ForeignKey(
        "clubs.Activity",
        verbose_name=_("activity"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    notice = models.OneToOneField(
        AbsenceNotice,
        verbose_name=_("absence notice"),
        on_delete=models.PROTECT,
        related_name="makeup_credit",
    )
    earned_at = models.DateTimeField(_("earned at"))
    expires_on = models.DateField(_("valid until"))

    class Meta:
        verbose_name = _("make-up credit")
        verbose_name_plural = _("make-up credits")
        ordering = ["-earned_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.participant} — {self.activity}"


class MakeupBooking(models.Model):
    """A credit spent on a meeting of another group: a place at that meeting only."""

    credit = models.ForeignKey(
        MakeupCredit,
        verbose_name=_("make-up credit"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        related_name="makeup_bookings",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("make-up booking")
        verbose_name_plural = _("make-up bookings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A credit is spent once: a cancelled booking gives it back.
            models.UniqueConstraint(
                fields=["credit"],
                condition=Q(cancelled_at__isnull=True),
                name="makeup_booking_one_live_per_credit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.credit.participant} @ {self.meeting_id}"
