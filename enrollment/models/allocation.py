"""Fair allocation: applications collected in a window, then a reproducible lottery by priority
tiers (docs/adr/0007-fair-allocation-lottery.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clubs.models import Group, Season

from .households import Participant

MAX_PREFERENCES = 3


class AllocationTierKind(models.TextChoices):
    CONTINUING = "continuing", _("continuing participants of the same activity")
    SIBLING = "sibling", _("siblings of children already placed")
    GENERAL = "general", _("everyone else")


class AllocationTier(models.Model):
    """One priority tier of the lottery; tiers are served in `position` order."""

    position = models.PositiveSmallIntegerField(_("position"), unique=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=AllocationTierKind.choices, unique=True
    )
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        verbose_name = _("allocation priority tier")
        verbose_name_plural = _("allocation priority tiers")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class ApplicationQuerySet(models.QuerySet):
    def current(self):
        return self.filter(withdrawn_at__isnull=True)


class Application(models.Model):
    """A guardian's application for one participant in one season's lottery, with up to three
    groups in order of preference (`choices`). Siblings applying "together or not at all" share
    a `bundle_key`."""

    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.PROTECT, related_name="applications"
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    bundle_key = models.CharField(
        _("siblings together"),
        max_length=32,
        blank=True,
        help_text=_("Applications with the same key are placed together or not at all."),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    # Who changed the preferences last, and who withdrew (every change records who made it).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["season", "participant"],
                condition=Q(withdrawn_at__isnull=True),
                name="application_one_per_participant_and_season",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} — {self.season}"


class ApplicationChoice(models.Model):
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="choices"
    )
    rank = models.PositiveSmallIntegerField(_("preference"))
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="choice_unique_rank"),
            models.UniqueConstraint(fields=["application", "group"], name="choice_unique_group"),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=MAX_PREFERENCES), name="choice_rank_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.group_id}"


class AllocationRun(models.Model):
    """One run of the lottery for a season: its seed, inputs and decisions. Every run is a dry
    run until a person publishes it; at most one run per season is ever published."""

    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.PROTECT, related_name="allocation_runs"
    )
    seed = models.BigIntegerField(_("lottery seed"))
    inputs = models.JSONField(_("inputs"), default=dict)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system ran it at the close of the window."),
    )
    started_at = models.DateTimeField(_("started"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["season"],
                condition=Q(published_at__isnull=False),
                name="allocation_one_published_run_per_season",
            )
        ]

    def __str__(self) -> str:
        return f"{self.season} #{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class AllocationOutcome(models.TextChoices):
    PLACED = "placed", _("placed")
    WAITLISTED = "waitlisted", _("waiting list")
    UNPLACED = "unplaced", _("not placed")


class AllocationDecision(models.Model):
    """One decision of a run about one application: placed in a group, waiting in a group, or
    not placed at all; with the tier, the lottery position and the reason."""

    run = models.ForeignKey(
        AllocationRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="decisions"
    )
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.PROTECT, null=True, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=AllocationOutcome.choices)
    rank = models.PositiveSmallIntegerField(_("preference"), null=True, blank=True)
    tier_position = models.PositiveSmallIntegerField(_("tier"))
    tier_name = models.CharField(_("tier name"), max_length=80)
    tier_kind = models.CharField(_("tier kind"), max_length=12, choices=AllocationTierKind.choices)
    lottery_position = models.PositiveIntegerField(_("lottery position"))
    # The order in which the run served the applications (tier, then lottery): the waiting
    # lists are made in this order.
    sequence = models.PositiveIntegerField(_("order"))
    reason_code = models.CharField(_("reason"), max_length=20)
    reason_params = models.JSONField(_("reason details"), default=dict)

    class Meta:
        verbose_name = _("allocation decision")
        verbose_name_plural = _("allocation decisions")
        ordering = ["run", "sequence", "rank", "pk"]
        indexes = [models.Index(fields=["run", "group", "outcome"])]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.outcome} {self.group_id or '—'}"

    @property
    def reason(self) -> str:
        """The decision explained in the active language (see `allocation_reason`)."""
        return allocation_reason(self.reason_code, self.reason_params)


def _skipped(params: dict) -> str:
    parts = []
    for item in params.get("skipped", []):
        values = {"rank": item["rank"], "tier": item.get("tier", "")}
        if item["why"] == "full":
            parts.append(gettext("preference %(rank)s was full after tier %(tier)s") % values)
        elif item["why"] == "too_few":
            parts.append(
                gettext(
                    "preference %(rank)s had fewer free places than the siblings applying "
                    "together after tier %(tier)s"
                )
                % values
            )
        elif item["why"] == "closed":
            parts.append(gettext("preference %(rank)s no longer takes places by lottery") % values)
        else:
            parts.append(gettext("the age does not fit preference %(rank)s") % values)
    return "; ".join(parts)


def allocation_reason(code: str, params: dict) -> str:
    """A decision's reason from translatable templates, e.g. "Placed in preference 2 because
    preference 1 was full after tier 1."."""
    values = {
        "rank": params.get("rank", ""),
        "tier": params.get("tier", ""),
        "lottery": params.get("lottery", ""),
        "skipped": _skipped(params),
    }
    if code == "placed" and values["skipped"]:
        return (
            gettext(
                "Placed in preference %(rank)s because %(skipped)s (tier %(tier)s, lottery "
                "number %(lottery)s)."
            )
            % values
        )
    if code == "placed":
        return (
            gettext("Placed in preference %(rank)s (tier %(tier)s, lottery number %(lottery)s).")
            % values
        )
    if code == "waitlisted":
        return (
            gettext(
                "On the waiting list of preference %(rank)s because %(skipped)s (tier %(tier)s, "
                "lottery number %(lottery)s)."
            )
            % values
        )
    return gettext("Not placed: %(skipped)s.") % values
