"""Attendance counted the way the reports count it: each person's latest mark per meeting.

A correction is a new mark (enrollment.models.AttendanceMark), so "the current mark" of a
(meeting, participant) is the one with the latest `marked_at`, the higher id breaking a tie.

`mark_counts()` gives, for a set of meetings, the current marks and how many of them are
attendances, grouped by fields of the meeting (the activity's kind and category, the month).
On PostgreSQL it is one query that takes each pair's latest mark with DISTINCT ON in one pass
over the `attendance_latest_status` index (no sort, no heap), counts per meeting and only then
joins the meetings' keys: a few thousand meeting rows are joined instead of every mark. On other
databases (SQLite, the embedded default) it is the portable form: marks with no later mark for
the same pair (NOT EXISTS), grouped by the same keys. Both count the same rows.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from clubs.models import Meeting
from enrollment.models import AttendanceMark, AttendanceStatus

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
MONTH = "month"  # a key: the month the meeting started in (local time)


def current_marks() -> QuerySet[AttendanceMark]:
    """Marks not replaced by a later one for the same meeting and participant."""
    later = AttendanceMark.objects.filter(
        Q(marked_at__gt=OuterRef("marked_at"))
        | Q(marked_at=OuterRef("marked_at"), pk__gt=OuterRef("pk")),
        meeting_id=OuterRef("meeting_id"),
        participant_id=OuterRef("participant_id"),
    )
    return AttendanceMark.objects.filter(~Exists(later))


def _key(path: str, prefix: str):
    if path == MONTH:
        return TruncMonth(f"{prefix}starts_at", tzinfo=timezone.get_current_timezone())
    return F(f"{prefix}{path}")


def mark_counts(meetings: QuerySet[Meeting], keys: dict[str, str]) -> list[dict]:
    """Rows of the keys (alias -> a field path on Meeting, or MONTH) with `marked` (current
    marks) and `attended` (of them, present or late), over the meetings given, in one query.
    Keys with no mark are left out; the rows are in no particular order."""
    if connection.vendor == "postgresql":
        return _mark_counts_distinct_on(meetings, keys)
    return list(
        current_marks()
        .filter(meeting__in=meetings.order_by().values("pk"))
        .values(**{alias: _key(path, "meeting__") for alias, path in keys.items()})
        .annotate(marked=Count("pk"), attended=Count("pk", filter=Q(status__in=ATTENDED)))
        .order_by()
    )


def _mark_counts_distinct_on(meetings: QuerySet[Meeting], keys: dict[str, str]) -> list[dict]:
    qn = connection.ops.quote_name
    keyed = meetings.order_by().values(
        report_meeting=F("pk"), **{alias: _key(path, "") for alias, path in keys.items()}
    )
    try:
        keyed_sql, keyed_params = keyed.query.sql_with_params()
        ids_sql, ids_params = meetings.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # e.g. .none() or an empty __in: no meeting, no mark
        return []
    marks = AttendanceMark._meta
    column = {name: qn(marks.get_field(name).column) for name in ("meeting", "participant")}
    aliases = ", ".join(f"k.{qn(alias)}" for alias in keys)
    # Only quoted names and Django's own SQL are formatted in; every value is a parameter.
    sql = f"""
        SELECT {aliases}, SUM(c.marked), SUM(c.attended)
        FROM (
            SELECT latest.meeting_id, COUNT(*) AS marked,
                COUNT(*) FILTER (WHERE latest.status IN ({", ".join(["%s"] * len(ATTENDED))}))
                    AS attended
            FROM (
                SELECT DISTINCT ON ({column["meeting"]}, {column["participant"]})
                    {column["meeting"]} AS meeting_id, {qn("status")} AS status
                FROM {qn(marks.db_table)}
                WHERE {column["meeting"]} IN ({ids_sql})
                ORDER BY {column["meeting"]}, {column["participant"]},
                    {qn("marked_at")} DESC, {qn(marks.pk.column)} DESC
            ) latest
            GROUP BY latest.meeting_id
        ) c
        JOIN ({keyed_sql}) k ON k.report_meeting = c.meeting_id
        GROUP BY {aliases}
    """  # noqa: S608
    params = (*[str(status) for status in ATTENDED], *ids_params, *keyed_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            {
                **dict(zip(keys, row[: len(keys)], strict=True)),
                "marked": int(row[-2]),
                "attended": int(row[-1]),
            }
            for row in cursor.fetchall()
        ]
