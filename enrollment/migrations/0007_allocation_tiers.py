"""The default priority tiers of the lottery; staff may rename or reorder them in the admin."""

from django.db import migrations

TIERS = [
    (1, "continuing", "Kontynuujący zajęcia"),
    (2, "sibling", "Rodzeństwo dzieci już przyjętych"),
    (3, "general", "Pozostali"),
]


def create(apps, schema_editor):
    AllocationTier = apps.get_model("enrollment", "AllocationTier")
    for position, kind, name in TIERS:
        AllocationTier.objects.get_or_create(kind=kind, defaults={"position": position, "name": name})


def remove(apps, schema_editor):
    apps.get_model("enrollment", "AllocationTier").objects.filter(
        kind__in=[kind for _, kind, _ in TIERS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0006_allocation")]

    operations = [migrations.RunPython(create, remove)]
