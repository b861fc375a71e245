import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.kinds import Kind
from notifications.recipients import Recipient
from notifications.services import notification_queue

from ..exceptions import EnrollmentError
from ..models import (
    ConsentDecision,
    ConsentKind,
    ConsentText,
    GuardianRights,
    Guardianship,
    Household,
    Invitation,
    Participant,
    new_calendar_token,
    new_transfer_reference,
)

INVITATION_DAYS = 14
PARTICIPANT_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "pesel",
    "school_class",
    "emergency_contact",
    "health_notes",
)


REFERENCE_ATTEMPTS = 5


@transaction.atomic
def household_create(*, user, name: str) -> Household:
    """A new household with `user` as its first guardian (full rights)."""
    household = Household(name=name.strip())
    # The transfer reference is 6 random characters (23^6 ≈ 148 million): among 10,000
    # households two are likely to have drawn the same one at some point, so a clash draws again.
    for attempt in range(REFERENCE_ATTEMPTS):
        try:
            with transaction.atomic():
                household.save(force_insert=True)
            break
        except IntegrityError:
            if attempt == REFERENCE_ATTEMPTS - 1:
                raise
            household.transfer_reference = new_transfer_reference()
            household.calendar_token = new_calendar_token()
    Guardianship.objects.create(household=household, user=user, rights=GuardianRights.FULL)
    return household


@transaction.atomic
def participant_create(*, household: Household, created_by, is_self: bool = False, **data):
    """A child (or, with `is_self`, the adult member themself) in the household."""
    fields = {key: data[key] for key in PARTICIPANT_FIELDS if key in data}
    participant = Participant.objects.create(
        household=household, user=created_by if is_self else None, **fields
    )
    return participant


@transaction.atomic
def participant_update(*, participant: Participant, updated_by, **data) -> Participant:
    for key in PARTICIPANT_FIELDS:
        if key in data:
            setattr(participant, key, data[key])
    participant.save()
    return participant


@transaction.atomic
def consent_decide(
    *, participant: Participant, kind: ConsentKind, granted: bool, decided_by
) -> ConsentDecision:
    """Grant or revoke a consent in its current wording; a new row every time."""
    text = ConsentText.objects.filter(kind=kind).order_by("-version").first()
    if text is None:
        raise EnrollmentError(_("This consent has no published text yet."))
    return ConsentDecision.objects.create(
        participant=participant, text=text, granted=granted, decided_by=decided_by
    )


@transaction.atomic
def guardian_invite(*, household: Household, email: str, rights: str, invited_by) -> Invitation:
    """Invite a second guardian by e-mail; the message goes out after commit."""
    invitation = Invitation.objects.create(
        household=household,
        email=email.strip().lower(),
        rights=rights,
        invited_by=invited_by,
        expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
    )
    notification_queue(
        recipient=Recipient(email=invitation.email, language=invited_by.language),
        kind=Kind.GUARDIAN_INVITATION,
        context={
            "family_name": household.name,
            "inviter_name": invited_by.get_full_name() or invited_by.email,
            "path": reverse("enrollment:invitation-accept", args=[invitation.token]),
        },
        dedupe_key=f"guardian-invitation:{invitation.pk}",
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Guardianship:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.expires_at <= timezone.now():
        raise EnrollmentError(_("This invitation has expired or has already been used."))
    if invitation.email != user.email.lower():
        raise EnrollmentError(_("This invitation was sent to another e-mail address."))
    guardianship, _created = Guardianship.objects.get_or_create(
        household=invitation.household, user=user, defaults={"rights": invitation.rights}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return guardianship


@transaction.atomic
def household_calendar_token_rotate(*, household: Household) -> str:
    """A new private calendar address; the old one stops working at once."""
    household.calendar_token = new_calendar_token()
    household.save(update_fields=["calendar_token"])
    return household.calendar_token
