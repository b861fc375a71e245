"""Households, their guardians and invitations, and participants."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
    closed_at = models.DateTimeField(
        _("closed"),
        null=True,
        blank=True,
        help_text=_("A closed household takes no new enrollments and no new payments."),
    )

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
