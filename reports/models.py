"""How the annual statistics report is laid out: age brackets and the rows of the form.

Both are data the director edits (the GUS K-07 form changes its rows now and then), seeded by a
data migration with the centre's defaults (docs/adr/0009-reports-app.md). They are edited as a
whole set and validated as one (`reports.config`): overlaps and gaps are refused, nothing saved.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from clubs.models import ActivityKind


class Section(models.TextChoices):
    """The form's three tables. Which activity kinds report in which table is fixed here."""

    ENSEMBLES = "ensembles", _("artistic ensembles")
    CLUBS = "clubs", _("interest clubs and sections")
    COURSES = "courses", _("courses")


SECTION_KINDS: dict[str, tuple[str, ...]] = {
    Section.ENSEMBLES: (ActivityKind.ENSEMBLE,),
    Section.CLUBS: (ActivityKind.CLUB, ActivityKind.SECTION),
    Section.COURSES: (ActivityKind.COURSE,),
}


def section_of_kind(kind: str) -> str:
    for section, kinds in SECTION_KINDS.items():
        if kind in kinds:
            return section
    raise ValueError(kind)


class AgeBracket(models.Model):
    """One age group of the form, in completed years on 31 December of the reported year."""

    label = models.CharField(_("label"), max_length=60)
    age_min = models.PositiveSmallIntegerField(_("from (years)"))
    age_max = models.PositiveSmallIntegerField(
        _("to (years, inclusive)"), null=True, blank=True, help_text=_("Empty means no limit.")
    )

    class Meta:
        verbose_name = _("age bracket")
        verbose_name_plural = _("age brackets")
        ordering = ["age_min"]
        constraints = [
            models.UniqueConstraint(fields=["age_min"], name="age_bracket_unique_start"),
            models.CheckConstraint(
                condition=models.Q(age_max__isnull=True)
                | models.Q(age_max__gte=models.F("age_min")),
                name="age_bracket_max_not_below_min",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ReportRow(models.Model):
    """A row of one of the form's tables and the activity categories counted in it."""

    section = models.CharField(_("table"), max_length=12, choices=Section.choices)
    label = models.CharField(_("row of the form"), max_length=120)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    categories = models.JSONField(
        _("activity categories"),
        default=list,
        blank=True,
        help_text=_("Activities of these categories are counted in this row."),
    )

    class Meta:
        verbose_name = _("row of the statistics form")
        verbose_name_plural = _("rows of the statistics form")
        ordering = ["section", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["section", "label"], name="report_row_unique_label")
        ]

    def __str__(self) -> str:
        return f"{self.get_section_display()}: {self.label}"
