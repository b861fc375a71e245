from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = _("Enrollment")

    def ready(self) -> None:
        from notifications.recipients import recipient_source_register

        from .recipients import GroupHouseholdsSource

        recipient_source_register(GroupHouseholdsSource())
