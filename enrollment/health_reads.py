"""The record of who saw health notes (RODO: access to a child's health data is accountable).

Called by every page that shows health notes, after it has decided to show them: one insert
per page view for all the participants whose notes it showed. The notes themselves are never
copied into the record.
"""

from collections.abc import Iterable

from django.utils import timezone

from .models import HealthNotePage, HealthNoteRead, Participant


def health_notes_read_record(
    *, reader, participants: Iterable[Participant], page: HealthNotePage, path: str
) -> list[HealthNoteRead]:
    """Record that `reader` was shown the (non-empty) health notes of `participants`."""
    shown = {p.pk: p for p in participants if p.health_notes.strip()}
    if not shown or not reader.is_authenticated:
        return []
    at = timezone.now()
    return HealthNoteRead.objects.bulk_create(
        HealthNoteRead(reader=reader, participant_id=pk, page=page, path=path[:300], at=at)
        for pk in sorted(shown)
    )
