"""Writes of the enrollment app. Every function changes state inside one transaction."""

from .allocation import (
    allocation_publish,
    allocation_run,
    allocation_windows_close,
    application_change,
    application_submit,
    application_withdraw,
)
from .enrollments import (
    enrollment_approve,
    enrollment_move,
    enrollment_reject,
    enrollment_request,
    enrollment_withdraw,
    group_counters_recount,
    trial_book,
)
from .households import (
    consent_decide,
    guardian_invite,
    household_calendar_token_rotate,
    household_create,
    invitation_accept,
    participant_create,
    participant_update,
)
from .reminders import meeting_reminders_queue
from .waitlist import (
    offer_accept,
    offer_decline,
    offers_expire_due,
    offers_remind_expiring,
    waitlist_promote,
    waitlist_reorder,
    withdrawals_complete_due,
)

__all__ = [
    "allocation_publish",
    "allocation_run",
    "allocation_windows_close",
    "application_change",
    "application_submit",
    "application_withdraw",
    "consent_decide",
    "enrollment_approve",
    "enrollment_move",
    "enrollment_reject",
    "enrollment_request",
    "enrollment_withdraw",
    "group_counters_recount",
    "guardian_invite",
    "household_calendar_token_rotate",
    "household_create",
    "invitation_accept",
    "meeting_reminders_queue",
    "offer_accept",
    "offer_decline",
    "offers_expire_due",
    "offers_remind_expiring",
    "participant_create",
    "participant_update",
    "trial_book",
    "waitlist_promote",
    "waitlist_reorder",
    "withdrawals_complete_due",
]
