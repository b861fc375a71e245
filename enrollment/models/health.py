"""Who saw whose health notes, when and on which page: never what the notes say."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .households import Participant


class HealthNotePage(models.TextChoices):
    ROSTER = "roster", _("group roster")
    ENROLLMENT = "enrollment", _("enrollment in the roster")
    REGISTER = "register", _("attendance register")
    ADMIN = "admin", _("administration")


class HealthNoteRead(models.Model):
    """A page showed this participant's health notes to this person. Written once per page
    view for all the participants it showed (one insert); never changed."""

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="health_note_reads",
    )
    page = models.CharField(_("page"), max_length=20, choices=HealthNotePage.choices)
    path = models.CharField(_("address"), max_length=300)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("health note read")
        verbose_name_plural = _("health note reads")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["at"], name="health_read_at"),
            models.Index(fields=["participant", "at"], name="health_read_participant_at"),
        ]

    def __str__(self) -> str:
        return f"{self.reader_id} → {self.participant_id} ({self.page})"
