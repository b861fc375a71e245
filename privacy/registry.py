"""Where a household's personal data lives, and what export and erasure do with each model.

Every model of the project's apps that holds personal data appears here exactly once (a test
introspects the models and fails on one that is missing), with:

- `rows(scope)`: the rows about this household (for the export and for erasure);
- `erase`: what erasure does to those rows: ANONYMIZE (overwrite the personal fields), DELETE
  (rows that are only personal data and no record of anything), KEEP (records the law requires:
  accounting documents are kept five years, art. 74 of the Accounting Act; consents are the
  proof of a lawful basis), or NONE (no personal data beyond links to rows anonymized elsewhere);
- `hidden`: fields never exported (secrets such as tokens and password hashes).

Models whose only link to a person is a member of staff acting on something (`created_by`,
`marked_by`...) are not household data: the `User` row they point at is anonymized itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q, QuerySet

ANONYMIZE, DELETE, KEEP, NONE = "anonymize", "delete", "keep", "none"


@dataclass(frozen=True)
class Scope:
    household_id: int
    participant_ids: tuple[int, ...]
    user_ids: tuple[int, ...]  # guardians and adult members of the household
    erasable_user_ids: tuple[int, ...]  # of those, users with no other household and no role


@dataclass(frozen=True)
class Entry:
    label: str  # "app_label.ModelName"
    rows: Callable[[Scope], QuerySet]
    erase: str
    # ANONYMIZE: field -> new value, or a callable(row) -> new value
    replace: dict = field(default_factory=dict)
    hidden: tuple[str, ...] = ()
    why: str = ""

    @property
    def model(self):
        return apps.get_model(self.label)


def _m(label: str):
    return apps.get_model(label)


def _household(scope: Scope) -> Q:
    return Q(household_id=scope.household_id)


def _participants(scope: Scope) -> Q:
    return Q(participant_id__in=scope.participant_ids)


def _users(scope: Scope) -> Q:
    return Q(user_id__in=scope.user_ids)


def _filter(label: str, condition: Callable[[Scope], Q]) -> Callable[[Scope], QuerySet]:
    return lambda scope: _m(label).objects.filter(condition(scope))


def _january_first(row):
    return row.birth_date.replace(month=1, day=1)


def _erased_email(row):
    return f"usuniety-{row.pk}@invalid.invalid"


def _nothing(_row) -> dict:
    return {}


def _token(_row):
    return secrets.token_urlsafe(24)


ERASED = "[usunięto]"

ENTRIES: list[Entry] = [
    Entry(
        "accounts.User",
        lambda scope: _m("accounts.User").objects.filter(pk__in=scope.user_ids),
        ANONYMIZE,
        replace={
            "email": _erased_email,
            "first_name": "",
            "last_name": "",
            "phone": "",
            "is_active": False,
            "password": "!erased",
        },
        hidden=("password",),
        why="Only a user with no other household and no staff role is anonymized.",
    ),
    Entry(
        "enrollment.Household",
        lambda scope: _m("enrollment.Household").objects.filter(pk=scope.household_id),
        ANONYMIZE,
        replace={"name": ERASED, "calendar_token": _token},
        hidden=("calendar_token",),
        why="The household row stays: its ledger is kept; its reference identifies payments.",
    ),
    Entry("enrollment.Guardianship", _filter("enrollment.Guardianship", _household), NONE),
    Entry(
        "enrollment.Invitation",
        _filter("enrollment.Invitation", _household),
        ANONYMIZE,
        replace={"email": _erased_email, "token": _token},
        hidden=("token",),
    ),
    Entry(
        "enrollment.Participant",
        _filter("enrollment.Participant", _household),
        ANONYMIZE,
        replace={
            "first_name": ERASED,
            "last_name": "",
            "birth_date": _january_first,
            "pesel": "",
            "school_class": "",
            "emergency_contact": "",
            "health_notes": "",
            "user": None,
        },
        why="The year of birth stays for the annual statistics (age brackets), nothing else.",
    ),
    Entry(
        "enrollment.ConsentDecision",
        _filter("enrollment.ConsentDecision", _participants),
        KEEP,
        why="Proof of the lawful basis of past processing (GDPR art. 7(1)).",
    ),
    Entry("enrollment.Enrollment", _filter("enrollment.Enrollment", _participants), NONE),
    Entry(
        "enrollment.EnrollmentEvent",
        lambda scope: _m("enrollment.EnrollmentEvent").objects.filter(
            enrollment__participant_id__in=scope.participant_ids
        ),
        ANONYMIZE,
        replace={"reason": ERASED},
        why="Who changed what stays; the free-text reason may name the family and goes.",
    ),
    Entry("enrollment.TrialBooking", _filter("enrollment.TrialBooking", _participants), NONE),
    Entry(
        "enrollment.AttendanceMark",
        _filter("enrollment.AttendanceMark", _participants),
        ANONYMIZE,
        replace={"note": ""},
        why="Marks stay for the group's statistics; a note about the child goes.",
    ),
    Entry(
        "enrollment.AbsenceNotice",
        _filter("enrollment.AbsenceNotice", _participants),
        ANONYMIZE,
        replace={"reason": ""},
    ),
    Entry("enrollment.MakeupCredit", _filter("enrollment.MakeupCredit", _participants), NONE),
    Entry(
        "enrollment.MakeupBooking",
        lambda scope: _m("enrollment.MakeupBooking").objects.filter(
            credit__participant_id__in=scope.participant_ids
        ),
        NONE,
    ),
    Entry("enrollment.Application", _filter("enrollment.Application", _participants), NONE),
    Entry(
        "enrollment.AllocationDecision",
        lambda scope: _m("enrollment.AllocationDecision").objects.filter(
            application__participant_id__in=scope.participant_ids
        ),
        NONE,
        why="How the lottery placed the child: explains the outcome, no personal data.",
    ),
    Entry(
        "enrollment.HealthNoteRead",
        _filter("enrollment.HealthNoteRead", _participants),
        NONE,
        why="Who read the child's health notes and when (never the content): the family may know.",
    ),
    Entry(
        "billing.DiscountGrant",
        _filter("billing.DiscountGrant", _household),
        KEEP,
        why="Justifies the discounts on kept charges (Accounting Act art. 74).",
    ),
    Entry(
        "billing.Charge",
        _filter("billing.Charge", _household),
        KEEP,
        why="Accounting records: kept five years (Accounting Act art. 74).",
    ),
    Entry(
        "billing.CreditNote",
        _filter("billing.CreditNote", _household),
        KEEP,
        why="Accounting records: kept five years (Accounting Act art. 74).",
    ),
    Entry(
        "billing.Payment",
        _filter("billing.Payment", _household),
        KEEP,
        why="Accounting records: kept five years (Accounting Act art. 74).",
    ),
    Entry(
        "billing.Allocation",
        lambda scope: _m("billing.Allocation").objects.filter(
            charge__household_id=scope.household_id
        ),
        NONE,
    ),
    Entry(
        "billing.StatementLine",
        _filter("billing.StatementLine", _household),
        KEEP,
        why="Bank statement lines are accounting records (Accounting Act art. 74).",
    ),
    Entry(
        "billing.OnlinePayment",
        _filter("billing.OnlinePayment", _household),
        KEEP,
        why="Accounting records: kept five years (Accounting Act art. 74).",
    ),
    Entry(
        "billing.OverdueNotice",
        lambda scope: _m("billing.OverdueNotice").objects.filter(
            charge__household_id=scope.household_id
        ),
        NONE,
    ),
    Entry(
        "notifications.Notification",
        _filter("notifications.Notification", _users),
        ANONYMIZE,
        replace={"address": "", "recipient_name": "", "context": _nothing, "last_error": ""},
        why="That a message was sent stays; to where and what it said goes.",
    ),
    Entry(
        "notifications.NotificationEvent",
        lambda scope: _m("notifications.NotificationEvent").objects.filter(
            notification__user_id__in=scope.user_ids
        ),
        ANONYMIZE,
        replace={"detail": ""},
    ),
    Entry("notifications.Preference", _filter("notifications.Preference", _users), DELETE),
    Entry(
        "privacy.ErasureRequest",
        _filter("privacy.ErasureRequest", _household),
        KEEP,
        why="The record that the request was made and carried out (GDPR art. 5(2)).",
    ),
]

# Models with personal data that are not a household's: staff and the centre's own records.
NOT_HOUSEHOLD_DATA: dict[str, str] = {
    "clubs.Instructor": "Staff: instructors' names are published with their groups.",
    "clubs.Activity": "Links coordinators (staff) to activities.",
    "clubs.Venue": "The centre's addresses, not a person's.",
    "notifications.Broadcast": "Staff messages; the recipient list is cleared once sent.",
    "notifications.AddressOptOut": (
        "An address that asked for no messages; erased with the household's addresses below."
    ),
    "billing.GatewayNotification": "The gateway's calls as received; no household link.",
}


def entry_for(label: str) -> Entry | None:
    return next((entry for entry in ENTRIES if entry.label == label), None)
