"""Test-only models: stand-ins for downstream rows that refer to catalogue objects."""

from django.db import models


class MeetingRecord(models.Model):
    """Refers to a meeting the way an attendance mark does (PROTECT)."""

    meeting = models.ForeignKey("clubs.Meeting", on_delete=models.PROTECT)
