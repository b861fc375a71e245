"""The latest-mark index carries the id (the tie-break) and the status, so the reports read each
(meeting, participant)'s current mark from the index alone; it replaces `attendance_latest`."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0008_health_note_reads"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="attendancemark",
            index=models.Index(
                fields=["meeting", "participant", "-marked_at", "-id", "status"],
                name="attendance_latest_status",
            ),
        ),
        migrations.RemoveIndex(
            model_name="attendancemark",
            name="attendance_latest",
        ),
    ]
