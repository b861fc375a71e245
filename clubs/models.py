"""The catalogue: seasons, closures, venues, activities, groups, weekly slots and meetings.

Sections, clubs, ensembles and courses are one model (`Activity`) with a kind.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Completed years of age on a date (a person born on 29 February ages on 1 March)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


class AllocationMode(models.TextChoices):
    """How a group's places are given: first come, first served, or an application window
    followed by a lottery (docs/adr/0007-fair-allocation-lottery.md)."""

    FIRST_COME = "first_come", _("first come, first served")
    LOTTERY = "lottery", _("application window, then a lottery")


class SeasonQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def current(self, on: dt.date | None = None):
        """The published season running on a date, else the next one to start, else the last."""
        on = on or timezone.localdate()
        published = self.published()
        return (
            published.filter(starts_on__lte=on, ends_on__gte=on).order_by("-starts_on").first()
            or published.filter(starts_on__gt=on).order_by("starts_on").first()
            or published.order_by("-ends_on").first()
        )


class Season(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True, help_text=_("e.g. 2026/2027"))
    starts_on = models.DateField(_("first day of classes"))
    ends_on = models.DateField(_("last day of classes"))
    age_reference_date = models.DateField(
        _("age reference date"),
        null=True,
        blank=True,
        help_text=_("Ages are checked on this date; empty means the first day of classes."),
    )
    priority_opens_at = models.DateTimeField(
        _("priority enrollment opens"),
        null=True,
        blank=True,
        help_text=_("Earlier window for participants who were active in the activity last season."),
    )
    enrollment_opens_at = models.DateTimeField(_("enrollment opens"))
    enrollment_closes_at = models.DateTimeField(_("enrollment closes"), null=True, blank=True)
    offer_hours = models.PositiveSmallIntegerField(
        _("hours to accept a waiting-list offer"), default=48, validators=[MinValueValidator(1)]
    )
    allocation_mode = models.CharField(
        _("allocation of places"),
        max_length=12,
        choices=AllocationMode.choices,
        default=AllocationMode.FIRST_COME,
        help_text=_("A group may override it."),
    )
    applications_open_at = models.DateTimeField(
        _("applications open"),
        null=True,
        blank=True,
        help_text=_("For groups allocated by lottery: when families may start to apply."),
    )
    applications_close_at = models.DateTimeField(
        _("applications close"),
        null=True,
        blank=True,
        help_text=_("At this time the lottery seed is drawn and a dry run is prepared."),
    )
    is_published = models.BooleanField(_("published"), default=False)

    objects = SeasonQuerySet.as_manager()

    class Meta:
        verbose_name = _("season")
        verbose_name_plural = _("seasons")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="season_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            errors["ends_on"] = _("The season must end after it starts.")
        if (
            self.priority_opens_at
            and self.enrollment_opens_at
            and self.priority_opens_at > self.enrollment_opens_at
        ):
            errors["priority_opens_at"] = _(
                "The priority window must open before general enrollment."
            )
        if (
            self.enrollment_closes_at
            and self.enrollment_opens_at
            and self.enrollment_closes_at <= self.enrollment_opens_at
        ):
            errors["enrollment_closes_at"] = _("Enrollment must close after it opens.")
        if (
            self.applications_open_at
            and self.applications_close_at
            and self.applications_close_at <= self.applications_open_at
        ):
            errors["applications_close_at"] = _("Applications must close after they open.")
        if errors:
            raise ValidationError(errors)

    @property
    def reference_date(self) -> dt.date:
        return self.age_reference_date or self.starts_on


class Venue(models.Model):
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=30, unique=True)
    address = models.CharField(_("address"), max_length=200)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="rooms"
    )
    name = models.CharField(_("name"), max_length=80)
    seats = models.PositiveSmallIntegerField(_("seats"), null=True, blank=True)
    is_accessible = models.BooleanField(_("step-free access"), default=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["venue__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="room_unique_name_per_venue")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.venue.short_name})"


class ClosurePeriod(models.Model):
    """Days without classes (winter break, Christmas, Easter), for the whole centre or a venue."""

    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.CASCADE, related_name="closures"
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to (inclusive)"))
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty means the whole centre is closed."),
    )

    class Meta:
        verbose_name = _("closure period")
        verbose_name_plural = _("closure periods")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="closure_ends_not_before_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y})"

    def clean(self):
        if not (self.starts_on and self.ends_on):
            return
        if self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A closure cannot end before it starts.")})
        if self.season_id:
            overlapping = ClosurePeriod.objects.filter(
                season_id=self.season_id,
                starts_on__lte=self.ends_on,
                ends_on__gte=self.starts_on,
            ).exclude(pk=self.pk)
            if self.venue_id:
                overlapping = overlapping.filter(Q(venue__isnull=True) | Q(venue_id=self.venue_id))
            other = overlapping.first()
            if other is not None:
                raise ValidationError(
                    _("This closure overlaps “%(other)s”; merge them or change the dates.")
                    % {"other": other}
                )

    def covers(self, day: dt.date, venue_id: int | None) -> bool:
        return self.starts_on <= day <= self.ends_on and (
            self.venue_id is None or self.venue_id == venue_id
        )


class Instructor(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="instructor_profile",
    )
    first_name = models.CharField(_("first name"), max_length=60)
    last_name = models.CharField(_("last name"), max_length=60)
    bio = models.TextField(_("short biography"), blank=True)

    class Meta:
        verbose_name = _("instructor")
        verbose_name_plural = _("instructors")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ActivityKind(models.TextChoices):
    SECTION = "section", _("section")
    CLUB = "club", _("interest club")
    ENSEMBLE = "ensemble", _("ensemble")
    COURSE = "course", _("course")


class Category(models.TextChoices):
    DANCE = "dance", _("dance")
    MUSIC = "music", _("music")
    VOCAL = "vocal", _("vocal")
    THEATRE = "theatre", _("theatre")
    VISUAL_ARTS = "visual_arts", _("visual arts")
    PHOTOGRAPHY = "photography", _("photography")
    COLLECTING = "collecting", _("collecting")
    LITERATURE = "literature", _("literature")
    LANGUAGES = "languages", _("languages")
    SENIORS = "seniors", _("seniors")
    OTHER = "other", _("other")


class Activity(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="activities"
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinators"),
        blank=True,
        related_name="coordinated_activities",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("clubs:activity-detail", kwargs={"slug": self.slug})


class GroupQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True, activity__is_active=True, season__is_published=True)

    def with_free_places(self):
        return self.filter(places_taken__lt=F("capacity"))

    def for_age(self, age: int):
        return self.filter(age_min__lte=age, age_max__gte=age)

    def by_lottery(self):
        """Groups whose places are allocated by lottery (their own mode, else the season's)."""
        return self.filter(
            Q(allocation_mode=AllocationMode.LOTTERY)
            | Q(allocation_mode="", season__allocation_mode=AllocationMode.LOTTERY)
        )


class Group(models.Model):
    """An activity's group in one season: who may join, how many, where and with whom."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="groups"
    )
    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.PROTECT, related_name="groups"
    )
    name = models.CharField(_("name"), max_length=120)
    capacity = models.PositiveSmallIntegerField(_("places"))
    age_min = models.PositiveSmallIntegerField(_("minimum age"), default=0)
    age_max = models.PositiveSmallIntegerField(_("maximum age"), default=120)
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="groups"
    )
    instructors = models.ManyToManyField(
        Instructor, verbose_name=_("instructors"), blank=True, related_name="groups"
    )
    requires_approval = models.BooleanField(
        _("enrollment needs a coordinator's approval"), default=False
    )
    trial_allowed = models.BooleanField(_("trial meeting allowed"), default=False)
    is_published = models.BooleanField(_("published"), default=True)
    allocation_mode = models.CharField(
        _("allocation of places"),
        max_length=12,
        choices=AllocationMode.choices,
        blank=True,
        help_text=_("Empty means the season's mode."),
    )
    # The group of an earlier season this one was copied from by a season rollover
    # (clubs/rollover.py): a second rollover finds it and creates nothing twice.
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="copies",
    )
    # Counters kept by the enrollment services inside the transaction that holds the group's
    # row lock, so the catalogue reads free places without joining enrollments.
    places_taken = models.PositiveSmallIntegerField(_("places taken"), default=0, editable=False)
    waitlist_length = models.PositiveIntegerField(
        _("waiting list length"), default=0, editable=False
    )

    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["activity__name", "age_min", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_min__lte=F("age_max")), name="group_age_min_not_above_max"
            ),
            models.CheckConstraint(
                condition=Q(places_taken__lte=F("capacity")), name="group_never_over_capacity"
            ),
            models.UniqueConstraint(
                fields=["activity", "season", "name"], name="group_unique_name_per_season"
            ),
            models.UniqueConstraint(
                fields=["copied_from", "season"],
                condition=Q(copied_from__isnull=False),
                name="group_copied_once_per_season",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity.name}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("clubs:group-detail", kwargs={"pk": self.pk})

    def clean(self):
        errors = {}
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            errors["age_max"] = _("The maximum age cannot be lower than the minimum age.")
        if self.capacity is not None and self.capacity < self.places_taken:
            errors["capacity"] = _(
                "%(taken)d places are already taken; the group cannot have fewer places."
            ) % {"taken": self.places_taken}
        if errors:
            raise ValidationError(errors)

    @property
    def free_places(self) -> int:
        return max(self.capacity - self.places_taken, 0)

    @property
    def effective_allocation_mode(self) -> str:
        return self.allocation_mode or self.season.allocation_mode

    @property
    def is_by_lottery(self) -> bool:
        return self.effective_allocation_mode == AllocationMode.LOTTERY

    def accepts_birth_date(self, birth_date: dt.date) -> bool:
        age = age_on(birth_date, self.season.reference_date)
        return self.age_min <= age <= self.age_max


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


class WeeklySlot(models.Model):
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="slots"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    room = models.ForeignKey(
        Room,
        verbose_name=_("room"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty means the group's room."),
    )

    class Meta:
        verbose_name = _("weekly slot")
        verbose_name_plural = _("weekly slots")
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=1, weekday__lte=7), name="slot_weekday_iso"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A slot must end after it starts.")})


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    CANCELLED = "cancelled", _("cancelled")


class Meeting(models.Model):
    """One meeting of a group. Generated from weekly slots; `date` is the slot's original date,
    so a moved meeting keeps its identity when the schedule is regenerated."""

    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="meetings"
    )
    slot = models.ForeignKey(
        WeeklySlot,
        verbose_name=_("weekly slot"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
    )
    date = models.DateField(_("scheduled date"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.PROTECT)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Set when a person changed the meeting (moved or cancelled it): regeneration keeps it.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "slot", "date"], name="meeting_unique_per_slot_and_date"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["group", "starts_at"])]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.group} — {local:%d.%m.%Y %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED
