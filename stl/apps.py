from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StlConfig(AppConfig):
    name = "stl"
    verbose_name = _("Secretariados Técnicos Locales")

    def ready(self):
        from stl import hooks
        from stl.roles import sync_groups

        hooks.register_dashboard_link(
            "history",
            hooks.DashboardLink(_("Historial de cambios"), "stl:history", "view_history", 90),
        )

        # Django creates permissions after migrating; the INAI groups follow right after.
        post_migrate.connect(sync_groups, dispatch_uid="stl.sync_groups")
