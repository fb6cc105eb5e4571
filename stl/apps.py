from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StlConfig(AppConfig):
    name = "stl"
    verbose_name = _("Secretariados Técnicos Locales")
