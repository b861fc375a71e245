"""Models of the enrollment app, one module per concept."""

from .attendance import (
    AbsenceNotice,
    AttendanceMark,
    AttendanceStatus,
    MakeupBooking,
    MakeupCredit,
    MakeupRule,
    MeetingNote,
)
from .consents import (
    REQUIRED_CONSENTS,
    ConsentDecision,
    ConsentKind,
    ConsentText,
)
from .enrollments import (
    LIVE_STATUSES,
    PLACE_STATUSES,
    Enrollment,
    EnrollmentEvent,
    EnrollmentQuerySet,
    EnrollmentStatus,
    PriorityTier,
    TrialBooking,
)
from .households import (
    REFERENCE_ALPHABET,
    GuardianRights,
    Guardianship,
    Household,
    Invitation,
    Participant,
    new_calendar_token,
    new_transfer_reference,
)

__all__ = [
    "LIVE_STATUSES",
    "PLACE_STATUSES",
    "REFERENCE_ALPHABET",
    "REQUIRED_CONSENTS",
    "AbsenceNotice",
    "AttendanceMark",
    "AttendanceStatus",
    "ConsentDecision",
    "ConsentKind",
    "ConsentText",
    "Enrollment",
    "EnrollmentEvent",
    "EnrollmentQuerySet",
    "EnrollmentStatus",
    "GuardianRights",
    "Guardianship",
    "Household",
    "Invitation",
    "MakeupBooking",
    "MakeupCredit",
    "MakeupRule",
    "MeetingNote",
    "Participant",
    "PriorityTier",
    "TrialBooking",
    "new_calendar_token",
    "new_transfer_reference",
]
