from django.db import migrations
from django.utils import timezone

TEXTS = {
    "enrollment_data": (
        "Wyrażam zgodę na przetwarzanie przez Miejski Ośrodek Kultury danych osobowych "
        "uczestnika i moich w zakresie niezbędnym do zapisu na zajęcia, prowadzenia listy "
        "obecności i rozliczania opłat. Administratorem danych jest Miejski Ośrodek Kultury. "
        "Zgodę można wycofać w każdej chwili; wycofanie oznacza rezygnację z zajęć."
    ),
    "image": (
        "Wyrażam zgodę na nieodpłatne utrwalanie i publikowanie wizerunku uczestnika "
        "(zdjęcia i nagrania z zajęć, koncertów i wystaw) na stronie internetowej, w mediach "
        "społecznościowych i materiałach promocyjnych Ośrodka. Zgodę można wycofać w każdej "
        "chwili."
    ),
    "health": (
        "Wyrażam zgodę na przetwarzanie podanych informacji o zdrowiu uczestnika wyłącznie "
        "w celu zapewnienia mu bezpieczeństwa na zajęciach. Informacje widzą tylko instruktorzy "
        "grupy i koordynator. Zgodę można wycofać w każdej chwili."
    ),
}


def create(apps, schema_editor):
    ConsentText = apps.get_model("enrollment", "ConsentText")
    for kind, text in TEXTS.items():
        ConsentText.objects.get_or_create(
            kind=kind, version=1, defaults={"text": text, "published_at": timezone.now()}
        )


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
