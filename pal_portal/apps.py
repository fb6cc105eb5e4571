from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PalPortalConfig(AppConfig):
    name = "pal_portal"
    verbose_name = _("Cuentas")
