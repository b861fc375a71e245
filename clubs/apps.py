from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ClubsConfig(AppConfig):
    name = "clubs"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        # Cache invalidation only (no business rules): any change of what the public catalogue
        # shows makes its cached answers stale. Group counters change through `save()`.
        from .cache import catalogue_changed
        from .models import Activity, Group, Instructor, Room, Season, Venue, WeeklySlot

        for model in (Activity, Group, Instructor, Room, Season, Venue, WeeklySlot):
            post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-{model}")
            post_delete.connect(
                catalogue_changed, sender=model, dispatch_uid=f"catalogue-del-{model}"
            )
        m2m_changed.connect(
            catalogue_changed, sender=Group.instructors.through, dispatch_uid="catalogue-m2m"
        )
