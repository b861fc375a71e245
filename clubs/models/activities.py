"""Activities (section | club | ensemble | course) and their groups in a season."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .seasons import AllocationMode, Season
from .venues import Instructor, Room, Venue


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Completed years of age on a date (a person born on 29 February ages on 1 March)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


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
