"""Versioned consent texts and the decisions (grants and revocations) about them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .households import Participant


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
