"""The filters of the evidence vault's list of an STL, read from the query string."""

from django import forms
from django.utils.translation import gettext_lazy as _

from evidence.models import Evidence
from evidence.subjects import registered_subject_types
from pal_portal.listing import ListFilters


class EvidenceFilters(ListFilters):
    kind = forms.ChoiceField(
        label=_("Tipo de evidencia"),
        required=False,
        choices=[("", _("Todos")), *Evidence.Kind.choices],
    )
    phase = forms.ChoiceField(
        label=_("Fase"), required=False, choices=[("", _("Todas")), *Evidence.Phase.choices]
    )
    subject_type = forms.ChoiceField(label=_("Registro"), required=False)
    search = forms.CharField(
        label=_("Buscar"),
        required=False,
        max_length=200,
        help_text=_("En el nombre o la descripción de los archivos."),
    )

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["subject_type"].choices = [
            ("", _("Todos")),
            *(
                (subject_type.key, subject_type.label)
                for subject_type in registered_subject_types()
            ),
        ]
