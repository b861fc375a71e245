"""Defaults for the annual report, after the GUS K-07 form (docs/adr/0009-reports-app.md).

The director matches them to the year's form on the report settings page; this only seeds an
empty configuration and never overwrites one that exists.
"""

from django.db import migrations

AGE_BRACKETS = [
    ("do 15 lat", 0, 15),
    ("16–24 lata", 16, 24),
    ("25–59 lat", 25, 59),
    ("60 lat i więcej", 60, None),
]
ALL = [
    "dance",
    "music",
    "vocal",
    "theatre",
    "visual_arts",
    "photography",
    "collecting",
    "literature",
    "languages",
    "seniors",
    "other",
]
ROWS = {
    "ensembles": [
        ("teatralne", ["theatre"]),
        ("muzyczne", ["music"]),
        ("wokalne i chóralne", ["vocal"]),
        ("taneczne", ["dance"]),
        ("inne", None),
    ],
    "clubs": [
        ("plastyczne", ["visual_arts"]),
        ("fotograficzne", ["photography"]),
        ("taneczne", ["dance"]),
        ("muzyczne i wokalne", ["music", "vocal"]),
        ("teatralne", ["theatre"]),
        ("literackie", ["literature"]),
        ("kolekcjonerskie", ["collecting"]),
        ("językowe", ["languages"]),
        ("seniora", ["seniors"]),
        ("inne", None),
    ],
    "courses": [
        ("tańca", ["dance"]),
        ("językowe", ["languages"]),
        ("artystyczne", ["music", "vocal", "theatre", "visual_arts", "photography", "literature"]),
        ("inne", None),
    ],
}


def seed(apps, schema_editor):
    AgeBracket = apps.get_model("reports", "AgeBracket")
    ReportRow = apps.get_model("reports", "ReportRow")
    if not AgeBracket.objects.exists():
        AgeBracket.objects.bulk_create(
            AgeBracket(label=label, age_min=low, age_max=high) for label, low, high in AGE_BRACKETS
        )
    if not ReportRow.objects.exists():
        for section, rows in ROWS.items():
            taken = {c for _label, cats in rows if cats for c in cats}
            for position, (label, categories) in enumerate(rows, start=1):
                if categories is None:  # "other": whatever the named rows do not count
                    categories = [c for c in ALL if c not in taken]
                ReportRow.objects.create(
                    section=section, label=label, position=position, categories=categories
                )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
