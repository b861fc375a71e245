"""Domain errors of enrollment, each with a message for the person in front of the screen."""

from django.utils.translation import gettext_lazy as _


class EnrollmentError(Exception):
    default_message = _("This cannot be done.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class NotEligibleError(EnrollmentError):
    default_message = _("This participant cannot join this group.")


class AgeNotAllowedError(NotEligibleError):
    default_message = _("The participant's age does not fit this group.")


class EnrollmentClosedError(EnrollmentError):
    default_message = _("Enrollment for this group is not open now.")


class AlreadyEnrolledError(EnrollmentError):
    default_message = _("This participant is already enrolled or waiting in this group.")


class ConsentMissingError(EnrollmentError):
    default_message = _("A required consent has not been given for this participant.")


class GroupFullError(EnrollmentError):
    default_message = _("The group has no free place.")


class InvalidTransitionError(EnrollmentError):
    default_message = _("This enrollment cannot change this way in its current state.")


class OfferExpiredError(EnrollmentError):
    default_message = _("The offer has expired; the place has passed to the next person.")


class TrialNotAllowedError(EnrollmentError):
    default_message = _("A trial meeting is not possible here.")


class AttendanceError(EnrollmentError):
    default_message = _("The register cannot be changed this way.")


class MeetingCancelledError(AttendanceError):
    default_message = _("This meeting is cancelled.")


class NotInGroupError(AttendanceError):
    default_message = _("This participant does not attend this group on the meeting's day.")


class MeetingTooFarAheadError(AttendanceError):
    default_message = _("The register of a meeting so far ahead cannot be taken yet.")


class MeetingStartedError(AttendanceError):
    default_message = _("The meeting has already started; an absence can no longer be reported.")


class MeetingChangeError(AttendanceError):
    default_message = _("This meeting cannot be changed this way.")


class MakeupError(EnrollmentError):
    default_message = _("This make-up meeting cannot be booked.")


class MakeupCreditUsedError(MakeupError):
    default_message = _("This make-up credit has already been used.")


class MakeupCreditExpiredError(MakeupError):
    default_message = _("This make-up credit has expired.")


class MakeupMeetingNotAllowedError(MakeupError):
    default_message = _("A make-up meeting is possible only in another group of the same activity.")


class MakeupMeetingFullError(MakeupError):
    default_message = _("There is no free place at this meeting.")


class MakeupCancelTooLateError(MakeupError):
    default_message = _("The meeting has already started; the make-up can no longer be cancelled.")


class ApplicationError(EnrollmentError):
    default_message = _("This application cannot be accepted.")


class ApplicationWindowError(ApplicationError):
    default_message = _("Applications for this season are not open now.")


class DuplicatePreferenceError(ApplicationError):
    default_message = _("Each group can be chosen only once.")


class AlreadyAppliedError(ApplicationError):
    default_message = _("There is already an application for this participant in this season.")


class HouseholdClosedError(EnrollmentError):
    default_message = _("This family account is closed; it cannot apply or enroll.")


class AllocationError(EnrollmentError):
    default_message = _("The allocation cannot be run this way.")


class AllocationWindowOpenError(AllocationError):
    default_message = _("Applications are still open; the allocation runs after they close.")


class AllocationPublishedError(AllocationError):
    default_message = _("The results of this season have already been published.")


class AllocationStaleError(AllocationError):
    default_message = _(
        "Places have changed since this dry run; run the allocation again before publishing."
    )
