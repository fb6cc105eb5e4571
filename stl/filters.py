"""The filters of the registry's lists, read from the query string."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pal_portal.listing import ListFilters
from stl.models import Secretariat


class SecretariatFilters(ListFilters):
    search = forms.CharField(
        label=_("Buscar"),
        required=False,
        max_length=100,
        help_text=_("Entidad federativa o ejercicio, por ejemplo Oaxaca o 2016."),
    )
    status = forms.ChoiceField(
        label=_("Estado"),
        required=False,
        choices=[("", _("Todos")), *Secretariat.Status.choices],
    )
