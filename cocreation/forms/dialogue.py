"""Forms of the co-creation record: dialogue tables, minutes, consultations and problems.

Each form over a model is a ``ModelForm``: labels, help texts, lengths and bounds are declared on
the model fields. The forms add widgets and the fields that are not columns (the attendance
register and the problems raised, one per line); the rules that join fields (a place for an
in-person table, dates in order, who may act) live in the services.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cocreation.limits import PROBLEM_LINES_MAX_LENGTH
from cocreation.models import DialogueTable, MinutesApproval, Problem, PublicConsultation
from cocreation.services.dialogue import parse_attendance_register
from cocreation.services.problems import parse_problem_lines
from pal_portal.forms import Form, ModelForm

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
COUNT_INPUT = forms.NumberInput(attrs={"inputmode": "numeric"})


def _text_area(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class HttpsURLField(forms.URLField):
    """A link typed without its scheme is read as https://, not http://."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class ProblemLinesMixin(Form):
    problem_titles = forms.CharField(
        label=_("Problemáticas planteadas"),
        required=False,
        max_length=PROBLEM_LINES_MAX_LENGTH,
        widget=_text_area(4),
        help_text=_("Una problemática por línea. Cada una queda vinculada a este registro."),
    )

    def clean_problem_titles(self):
        return parse_problem_lines(self.cleaned_data.get("problem_titles", ""))

    def only_adding_problems(self, label) -> None:
        """Relabel the problems box of an edit form: it adds problems, never removes them."""
        self.fields["problem_titles"].label = label
        self.fields["problem_titles"].help_text = _(
            "Solo para agregar: una por línea. Las ya registradas se conservan."
        )


class DialogueTableForm(ProblemLinesMixin, ModelForm):
    attendees = forms.CharField(
        label=_("Registro de asistencia"),
        required=False,
        widget=_text_area(6),
        help_text=_(
            "Una persona por línea: Nombre — Organización. Son datos personales: solo los ve el "
            "STL y nunca se publican."
        ),
    )

    class Meta:
        model = DialogueTable
        fields = [
            "nucleus",
            "held_on",
            "modality",
            "place",
            "link",
            "agenda",
            "minutes",
            "attendee_count",
        ]
        widgets = {
            "held_on": DATE_INPUT,
            "modality": forms.RadioSelect,
            "agenda": _text_area(4),
            "minutes": _text_area(8),
            "attendee_count": COUNT_INPUT,
        }
        field_classes = {"link": HttpsURLField}

    field_order = [*Meta.fields, "attendees", "problem_titles"]

    def __init__(self, *args, nuclei=None, **kwargs):
        super().__init__(*args, **kwargs)
        if nuclei is None:
            # Editing: a table stays in its nucleus (its members answer on the minutes).
            del self.fields["nucleus"]
            self.only_adding_problems(_("Otras problemáticas planteadas"))
        else:
            self.fields["nucleus"].queryset = nuclei
            self.fields["nucleus"].empty_label = _("— Elige el núcleo —")

    def clean_attendees(self):
        try:
            return parse_attendance_register(self.cleaned_data.get("attendees", ""))
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


class MinutesAnswerForm(ModelForm):
    class Meta:
        model = MinutesApproval
        fields = ["answer", "comment"]
        labels = {"answer": _("Tu respuesta")}
        widgets = {"answer": forms.RadioSelect, "comment": _text_area(4)}


class ConsultationForm(ProblemLinesMixin, ModelForm):
    class Meta:
        model = PublicConsultation
        fields = [
            "title",
            "mechanism",
            "call_published_where",
            "call_published_on",
            "opens_on",
            "closes_on",
            "channels",
            "open_to_anyone",
            "who_could_participate",
            "restrictions",
            "participants",
            "contributions",
            "results",
        ]
        widgets = {
            "call_published_on": DATE_INPUT,
            "opens_on": DATE_INPUT,
            "closes_on": DATE_INPUT,
            "channels": _text_area(3),
            "who_could_participate": _text_area(3),
            "restrictions": _text_area(3),
            "participants": COUNT_INPUT,
            "contributions": COUNT_INPUT,
            "results": _text_area(6),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.only_adding_problems(_("Otras problemáticas que surgieron"))


class ProblemForm(ModelForm):
    origin = forms.ChoiceField(
        label=_("¿De dónde surgió?"),
        help_text=_("Toda problemática viene de una mesa de diálogo o de una consulta pública."),
    )

    class Meta:
        model = Problem
        fields = ["title", "description"]
        widgets = {"description": _text_area(4)}

    field_order = ["origin", *Meta.fields]

    def __init__(self, *args, origin_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin"].choices = [("", _("Elige una mesa o consulta")), *origin_choices]


class ProblemMergeForm(Form):
    """Choose the survivor of a merge: an action on two problems, not a problem's own data."""

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
