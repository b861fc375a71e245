from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs) -> None:
    from django.apps import apps

    # post_migrate is sent once per app; the last one sees every app's permissions.
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender.label != with_models[-1].label:
        return
    from .roles import roles_sync

    roles_sync()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import lookups  # noqa: F401  (registers `in` for integer columns)

        # After the last app has migrated, so every app's permissions exist.
        post_migrate.connect(_sync_roles, dispatch_uid="accounts.roles_sync")
