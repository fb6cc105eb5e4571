"""Forms of the co-creation record: dialogue tables, minutes, consultations and problems.

Forms only read and type the input; the rules (dates, figures, who may act) live in the services.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cocreation.models import DialogueTable, MinutesApproval, Problem, PublicConsultation
from cocreation.services.dialogue import parse_attendance_register
from cocreation.services.problems import parse_problem_lines

NOT_NEGATIVE = {"min_value": _("El número no puede ser negativo.")}


def _date_field(label, **kwargs):
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs
    )


def _count_field(label, **kwargs):
    return forms.IntegerField(
        label=label,
        min_value=0,
        error_messages=NOT_NEGATIVE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        **kwargs,
    )


class ProblemLinesMixin(forms.Form):
    problem_titles = forms.CharField(
        label=_("Problemáticas planteadas"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Una problemática por línea. Cada una queda vinculada a este registro."),
    )

    def clean_problem_titles(self):
        return parse_problem_lines(self.cleaned_data.get("problem_titles", ""))


class DialogueTableForm(ProblemLinesMixin, forms.Form):
    nucleus = forms.ModelChoiceField(
        label=_("Núcleo"), queryset=None, empty_label=_("— Elige el núcleo —")
    )
    held_on = _date_field(_("Fecha de la mesa"))
    modality = forms.ChoiceField(
        label=_("Modalidad"),
        choices=DialogueTable.Modality.choices,
        widget=forms.RadioSelect,
    )
    place = forms.CharField(
        label=_("Lugar"),
        max_length=300,
        required=False,
        help_text=_("Obligatorio si la mesa fue presencial."),
    )
    link = forms.URLField(
        label=_("Enlace"),
        required=False,
        assume_scheme="https",
        help_text=_("Obligatorio si la mesa fue en línea."),
    )
    agenda = forms.CharField(label=_("Orden del día"), widget=forms.Textarea(attrs={"rows": 4}))
    minutes = forms.CharField(
        label=_("Minuta"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Si cambias la minuta, las personas del núcleo deberán aprobar la nueva versión."
        ),
    )
    attendee_count = _count_field(_("Número de asistentes"))
    attendees = forms.CharField(
        label=_("Registro de asistencia"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Una persona por línea: Nombre — Organización. Son datos personales: solo los ve el "
            "STL y nunca se publican."
        ),
    )

    field_order = [
        "nucleus",
        "held_on",
        "modality",
        "place",
        "link",
        "agenda",
        "minutes",
        "attendee_count",
        "attendees",
        "problem_titles",
    ]

    def __init__(self, *args, nuclei=None, **kwargs):
        super().__init__(*args, **kwargs)
        if nuclei is None:
            # Editing: a table stays in its nucleus (its members answer on the minutes).
            del self.fields["nucleus"]
            self.fields["problem_titles"].label = _("Otras problemáticas planteadas")
            self.fields["problem_titles"].help_text = _(
                "Solo para agregar: una por línea. Las ya registradas se conservan."
            )
        else:
            self.fields["nucleus"].queryset = nuclei

    def clean_attendees(self):
        try:
            return parse_attendance_register(self.cleaned_data.get("attendees", ""))
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


class MinutesAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Tu respuesta"), choices=MinutesApproval.Answer.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comentario"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Obligatorio si pides correcciones: explica cuáles."),
    )


class ConsultationForm(ProblemLinesMixin, forms.Form):
    title = forms.CharField(label=_("Título"), max_length=200)
    mechanism = forms.ChoiceField(
        label=_("Mecanismo"), choices=PublicConsultation.Mechanism.choices
    )
    call_published_where = forms.CharField(
        label=_("Dónde se publicó la convocatoria"),
        max_length=300,
        help_text=_("Medios, sitios o lugares donde se difundió. Adjunta la convocatoria después."),
    )
    call_published_on = _date_field(_("Fecha de publicación de la convocatoria"))
    opens_on = _date_field(_("Abre el"))
    closes_on = _date_field(_("Cierra el"))
    channels = forms.CharField(
        label=_("Canales de participación"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    open_to_anyone = forms.BooleanField(
        label=_("Abierta a cualquier persona"),
        required=False,
        initial=True,
        help_text=_("Desmarca si hubo alguna restricción para participar, y descríbela."),
    )
    who_could_participate = forms.CharField(
        label=_("Quién pudo participar"), widget=forms.Textarea(attrs={"rows": 3})
    )
    restrictions = forms.CharField(
        label=_("Restricciones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatorio si la consulta no estuvo abierta a cualquier persona."),
    )
    participants = _count_field(_("Participantes"), initial=0)
    contributions = _count_field(_("Aportaciones recibidas"), initial=0)
    results = forms.CharField(
        label=_("Resultados"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class ProblemForm(forms.Form):
    origin = forms.ChoiceField(
        label=_("¿De dónde surgió?"),
        help_text=_("Toda problemática viene de una mesa de diálogo o de una consulta pública."),
    )
    title = forms.CharField(label=_("Problemática"), max_length=300)
    description = forms.CharField(
        label=_("Descripción"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, origin_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin"].choices = [("", _("Elige una mesa o consulta")), *origin_choices]


class ProblemMergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("Fusionar en"),
        queryset=Problem.objects.none(),
        help_text=_(
            "La problemática elegida se conserva y suma los orígenes de ambas; esta queda "
            "integrada en ella."
        ),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = candidates
