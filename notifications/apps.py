from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers the rules permissions
        from .recipients import StaffRoleSource, recipient_source_register

        recipient_source_register(StaffRoleSource())
