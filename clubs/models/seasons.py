"""Seasons with their enrollment windows and allocation mode, and closure periods."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .venues import Venue


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
