from decimal import Decimal

from django.db import migrations

RULES = [
    # kind, percent: the centre's defaults; the office edits them in the admin.
    ("kdr", Decimal("25.00")),
    ("city_card", Decimal("20.00")),
    ("sibling", Decimal("15.00")),
    ("senior", Decimal("20.00")),
    ("individual", Decimal("0.00")),
]


def seed(apps, schema_editor):
    DiscountRule = apps.get_model("billing", "DiscountRule")
    for kind, percent in RULES:
        DiscountRule.objects.get_or_create(kind=kind, defaults={"percent": percent})


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_ledger")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
