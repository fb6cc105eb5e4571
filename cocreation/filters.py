"""The filters of the co-creation record's lists, read from the query string.

Each field's name is the query parameter and the keyword of the list's selector; choices name
the states a row shows in the list.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from cocreation.models import Decision, Prioritization
from cocreation.selectors.records import (
    CONSULTATION_ORIGIN,
    CONSULTATIONS_CLOSED,
    CONSULTATIONS_OPEN,
    CONSULTATIONS_UPCOMING,
    MINUTES_APPROVED,
    MINUTES_MISSING,
    MINUTES_PENDING,
    PROBLEMS_ALL,
    PROBLEMS_MERGED,
    TABLE_ORIGIN,
)
from pal_portal.listing import ListFilters


def _search(help_text):
    return forms.CharField(label=_("Buscar"), required=False, max_length=200, help_text=help_text)


class DialogueTableFilters(ListFilters):
    nucleus = forms.TypedChoiceField(label=_("Núcleo"), required=False, coerce=int)
    minutes = forms.ChoiceField(
        label=_("Minuta"),
        required=False,
        choices=[
            ("", _("Todas")),
            (MINUTES_APPROVED, _("Aprobada")),
            (MINUTES_PENDING, _("Pendiente de aprobación")),
            (MINUTES_MISSING, _("Sin minuta")),
        ],
    )
    search = _search(_("En el lugar, el orden del día o la minuta."))

    def __init__(self, data, *, nuclei, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["nucleus"].choices = [
            ("", _("Todos")),
            *((nucleus.pk, str(nucleus)) for nucleus in nuclei),
        ]


class ConsultationFilters(ListFilters):
    status = forms.ChoiceField(
        label=_("Estado"),
        required=False,
        choices=[
            ("", _("Todas")),
            (CONSULTATIONS_OPEN, _("Abierta hoy")),
            (CONSULTATIONS_CLOSED, _("Cerrada")),
            (CONSULTATIONS_UPCOMING, _("Por abrir")),
        ],
    )
    search = _search(_("En el título, dónde se publicó la convocatoria o los resultados."))


class ProblemFilters(ListFilters):
    origin = forms.ChoiceField(
        label=_("Surgió en"),
        required=False,
        choices=[
            ("", _("Mesas o consultas")),
            (TABLE_ORIGIN, _("Una mesa de diálogo")),
            (CONSULTATION_ORIGIN, _("Una consulta pública")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Estado"),
        required=False,
        choices=[
            ("", _("Vigentes")),
            (PROBLEMS_MERGED, _("Fusionadas en otra")),
            (PROBLEMS_ALL, _("Todas")),
        ],
    )
    search = _search(_("En el título o la descripción."))


class PrioritizationFilters(ListFilters):
    status = forms.ChoiceField(
        label=_("Estado"),
        required=False,
        choices=[("", _("Todos")), *Prioritization.Status.choices],
    )
    method = forms.ChoiceField(
        label=_("Método"),
        required=False,
        choices=[("", _("Todos")), *Prioritization.Method.choices],
    )


class DecisionFilters(ListFilters):
    status = forms.ChoiceField(
        label=_("Estado"),
        required=False,
        choices=[
            ("", _("Todos")),
            (Decision.Status.OPEN, Decision.Status.OPEN.label),
            *Decision.Outcome.choices,
        ],
    )
    search = _search(_("En el acuerdo o su descripción."))


class ProblemSearch(ListFilters):
    """Narrows the problems a choice offers (see ``selectors.problem_candidates``)."""

    search = forms.CharField(
        label=_("Buscar la problemática"),
        required=False,
        max_length=200,
        help_text=_("Parte de su título o de su descripción."),
    )
