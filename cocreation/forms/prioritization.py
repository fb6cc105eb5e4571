"""Forms of the prioritisations: open one, and enter a participant's ranking, ballot or marks.

Range and duplicate checks are left to the services (and through them to the pure methods of
``cocreation.scoring``) so every rule has one Spanish message, wherever the data comes from.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from cocreation.models import Criterion, Prioritization
from cocreation.scoring import MAX_MARK, MIN_MARK
from pal_portal.forms import Form, ModelForm

CRITERIA_ROWS = 5

NOT_IN_PRIORITIZATION = _("Esa problemática no pertenece a esta priorización.")


class PrioritizationForm(ModelForm):
    class Meta:
        model = Prioritization
        fields = ["title", "method", "problems", "max_choices"]
        widgets = {
            "method": forms.RadioSelect,
            "problems": forms.CheckboxSelectMultiple,
            "max_choices": forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        }
        error_messages = {"problems": {"invalid_choice": NOT_IN_PRIORITIZATION}}

    def __init__(self, *args, problems, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problems"].queryset = problems
        if not self.is_bound:
            self.initial.update(method=Prioritization.Method.BORDA, problems=list(problems))
        label, weight = (Criterion._meta.get_field(name) for name in ("label", "weight"))
        self.criteria_rows = []
        for index in range(1, CRITERIA_ROWS + 1):
            label_name, weight_name = f"criterion_{index}_label", f"criterion_{index}_weight"
            self.fields[label_name] = label.formfield(
                label=_("Criterio %(n)d") % {"n": index}, required=False
            )
            self.fields[weight_name] = weight.formfield(
                label=_("Peso del criterio %(n)d") % {"n": index},
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "decimal"}),
            )
            self.criteria_rows.append((index, self[label_name], self[weight_name]))

    @property
    def main_fields(self):
        return [self[name] for name in ("title", "method", "problems", "max_choices")]

    def criteria(self) -> list[tuple[str, object]]:
        """Return the filled criteria rows as (label, weight)."""
        rows = []
        for index in range(1, CRITERIA_ROWS + 1):
            label = self.cleaned_data.get(f"criterion_{index}_label", "")
            weight = self.cleaned_data.get(f"criterion_{index}_weight")
            if label or weight is not None:
                rows.append((label, weight))
        return rows


class PrioritizationEntryForm(Form):
    """One participant's entry: a select per place (Borda), checkboxes (vote) or a grid (marks)."""

    def __init__(self, *args, prioritization, problems, criteria, nuclei=None, entry=None, **kw):
        super().__init__(*args, **kw)
        self.prioritization = prioritization
        self.problems = list(problems)
        self.criteria = list(criteria)
        self.on_behalf = nuclei is not None
        if self.on_behalf:
            self.fields["participant"] = forms.CharField(
                label=_("Nombre de la persona participante"),
                max_length=200,
                help_text=_(
                    "Quien dio esta clasificación: una persona integrante del núcleo o que "
                    "aparece en la lista de asistencia de una de sus mesas. Escribe su nombre o "
                    "elígelo de la lista."
                ),
                widget=forms.TextInput(attrs={"list": "personas-conocidas", "autocomplete": "off"}),
            )
            self.fields["nucleus"] = forms.ModelChoiceField(
                label=_("Núcleo"), queryset=nuclei, empty_label=_("— Elige el núcleo —")
            )
        choices = [(problem.pk, f"{problem.pk}. {problem.title}") for problem in self.problems]
        method = prioritization.method
        data = entry.data if entry is not None else None
        self.places = []
        self.grid = []
        if method == Prioritization.Method.BORDA:
            for place in range(1, len(self.problems) + 1):
                name = f"place_{place}"
                self.fields[name] = forms.TypedChoiceField(
                    label=_("%(place)d.º lugar") % {"place": place},
                    choices=[("", _("— sin ordenar —")), *choices],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    error_messages={"invalid_choice": NOT_IN_PRIORITIZATION},
                )
                if data and place <= len(data):
                    self.initial[name] = data[place - 1]
                self.places.append(self[name])
        elif method == Prioritization.Method.APPROVAL_VOTE:
            self.fields["choices"] = forms.TypedMultipleChoiceField(
                label=_("Elige hasta %(max)d problemáticas") % {"max": prioritization.max_choices},
                choices=choices,
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": NOT_IN_PRIORITIZATION},
            )
            if data:
                self.initial["choices"] = data
        else:
            marks = {(pid, cid): mark for pid, cid, mark in data or []}
            for problem in self.problems:
                cells = []
                for criterion in self.criteria:
                    name = f"score_{problem.pk}_{criterion.pk}"
                    self.fields[name] = forms.IntegerField(
                        label=_("Calificación de «%(problem)s» en «%(criterion)s»")
                        % {"problem": problem.title, "criterion": criterion.label},
                        required=False,
                        widget=forms.NumberInput(
                            attrs={
                                "min": MIN_MARK,
                                "max": MAX_MARK,
                                "step": 1,
                                "inputmode": "numeric",
                            }
                        ),
                    )
                    if (problem.pk, criterion.pk) in marks:
                        self.initial[name] = marks[(problem.pk, criterion.pk)]
                    cells.append(self[name])
                self.grid.append((problem, cells))

    @property
    def person_fields(self):
        return [self[name] for name in ("participant", "nucleus") if name in self.fields]

    def clean(self):
        cleaned = super().clean()
        if self.prioritization.method == Prioritization.Method.BORDA:
            filled = [cleaned.get(f"place_{place}") for place in range(1, len(self.problems) + 1)]
            last = max((i for i, pid in enumerate(filled) if pid is not None), default=-1)
            gaps = [i + 1 for i in range(last) if filled[i] is None]
            if gaps:
                raise forms.ValidationError(
                    _(
                        "Llena los lugares en orden, sin huecos: el %(place)d.º lugar está vacío "
                        "y hay problemáticas en lugares posteriores."
                    )
                    % {"place": gaps[0]}
                )
        return cleaned

    def entry_data(self):
        """Return the entry as the services expect it."""
        method = self.prioritization.method
        if method == Prioritization.Method.BORDA:
            places = (
                self.cleaned_data.get(f"place_{place}")
                for place in range(1, len(self.problems) + 1)
            )
            return [pid for pid in places if pid is not None]
        if method == Prioritization.Method.APPROVAL_VOTE:
            return list(self.cleaned_data.get("choices") or [])
        return {
            (problem.pk, criterion.pk): self.cleaned_data[f"score_{problem.pk}_{criterion.pk}"]
            for problem in self.problems
            for criterion in self.criteria
            if self.cleaned_data.get(f"score_{problem.pk}_{criterion.pk}") is not None
        }
