"""Factories for households, participants, consents and enrollments."""

import datetime as dt

import factory
from django.utils import timezone

from enrollment.models import (
    ConsentDecision,
    ConsentKind,
    ConsentText,
    GuardianRights,
    Guardianship,
    Household,
    Participant,
)
from tests.factories import UserFactory


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    name = factory.Sequence(lambda n: f"Rodzina {n}")


class GuardianshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardianship

    household = factory.SubFactory(HouseholdFactory)
    user = factory.SubFactory(UserFactory)
    rights = GuardianRights.FULL


class ParticipantFactory(factory.django.DjangoModelFactory):
    """A child of 8 on 1 September 2026, with the required consent given."""

    class Meta:
        model = Participant
        skip_postgeneration_save = True

    household = factory.SubFactory(HouseholdFactory)
    first_name = factory.Sequence(lambda n: f"Zosia{n}")
    last_name = "Kowalska"
    birth_date = dt.date(2018, 3, 15)

    @factory.post_generation
    def consents(self, create, extracted, **kwargs):
        if not create:
            return
        kinds = [ConsentKind.ENROLLMENT_DATA] if extracted is None else extracted
        for kind in kinds:
            ConsentDecision.objects.create(
                participant=self,
                text=consent_text(kind),
                granted=True,
                decided_by=guardian_of(self),
            )


def consent_text(kind) -> ConsentText:
    """The current wording of a consent. A data migration creates version 1, but a flushed
    database (transactional tests) has lost it, so make it again when missing."""
    text = ConsentText.objects.filter(kind=kind).order_by("-version").first()
    if text is None:
        text = ConsentText.objects.create(
            kind=kind, version=1, text=f"Zgoda: {kind}", published_at=timezone.now()
        )
    return text


def guardian_of(participant):
    guardianship = participant.household.guardians.select_related("user").first()
    if guardianship is None:
        guardianship = GuardianshipFactory(household=participant.household)
    return guardianship.user


def family(children: int = 1, **participant_kwargs):
    """A guardian and their children: (user, [participants])."""
    guardianship = GuardianshipFactory()
    kids = [
        ParticipantFactory(household=guardianship.household, **participant_kwargs)
        for _ in range(children)
    ]
    return guardianship.user, kids
