"""Errors of the reports app, each with a message for the person in front of the screen."""

from django.utils.translation import gettext_lazy as _


class ReportsError(Exception):
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, *, messages: list | None = None):
        self.messages = list(messages or [message or self.default_message])
        super().__init__(" ".join(str(m) for m in self.messages))


class ReportConfigError(ReportsError):
    """Age brackets or form rows that overlap or leave gaps; nothing was saved."""

    default_message = _("The report settings are not consistent; nothing was saved.")


class BadYearError(ReportsError):
    default_message = _("Choose a year between 2000 and 2100.")


class RolloverError(ReportsError):
    """A season rollover that cannot be done; nothing was changed."""

    default_message = _("The season cannot be rolled over; nothing was changed.")
