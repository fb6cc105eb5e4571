from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PalPortalConfig(AppConfig):
    name = "pal_portal"
    verbose_name = _("Cuentas y roles")

    def ready(self):
        from pal_portal.roles import sync_groups

        # Django creates permissions after migrating; the INAI groups follow right after.
        post_migrate.connect(sync_groups, dispatch_uid="pal_portal.sync_groups")
