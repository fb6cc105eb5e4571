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


def _place_out_of_range(count: int) -> str:
    return _("El lugar debe ser un número entero del 1 al %(max)d.") % {"max": count}


class PrioritizationEntryForm(Form):
    """One participant's entry: a place per problem (Borda), checkboxes (vote) or a grid (marks).

    Each input is about one problem, so the form grows with the number of problems, never with
    its square.
    """

    PLACE_PREFIX = "place_of_"

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
            count = len(self.problems)
            out_of_range = _place_out_of_range(count)
            saved = {pid: place for place, pid in enumerate(data or [], start=1)}
            for problem in self.problems:
                name = self.place_name(problem.pk)
                self.fields[name] = forms.IntegerField(
                    label=_("Lugar de «%(problem)s»") % {"problem": problem.title},
                    required=False,
                    min_value=1,
                    max_value=count,
                    error_messages={
                        "invalid": out_of_range,
                        "min_value": out_of_range,
                        "max_value": out_of_range,
                    },
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )
                if problem.pk in saved:
                    self.initial[name] = saved[problem.pk]
                self.places.append((problem, self[name]))
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

    @classmethod
    def place_name(cls, problem_id) -> str:
        """Return the name of the field holding the place given to problem ``problem_id``."""
        return f"{cls.PLACE_PREFIX}{problem_id}"

    @property
    def person_fields(self):
        return [self[name] for name in ("participant", "nucleus") if name in self.fields]

    def _ranked(self) -> list[tuple[int, int]]:
        """Return the ``(place, problem id)`` pairs given, in order of place."""
        return sorted(
            (place, problem.pk)
            for problem in self.problems
            if (place := self.cleaned_data.get(self.place_name(problem.pk))) is not None
        )

    def clean(self):
        cleaned = super().clean()
        if self.prioritization.method == Prioritization.Method.BORDA:
            known = {self.add_prefix(name) for name in self.fields}
            if any(
                key.startswith(self.add_prefix(self.PLACE_PREFIX))
                and key not in known
                and self.data.get(key)
                for key in self.data
            ):
                raise forms.ValidationError(NOT_IN_PRIORITIZATION)
            if any(self.has_error(self.place_name(problem.pk)) for problem in self.problems):
                return cleaned  # each wrong place already says what is wrong with it
            places = [place for place, _pid in self._ranked()]
            repeated = sorted({place for place in places if places.count(place) > 1})
            if repeated:
                raise forms.ValidationError(
                    _("Cada lugar es de una sola problemática: el %(place)d.º lugar está repetido.")
                    % {"place": repeated[0]}
                )
            gaps = [place for place in range(1, max(places, default=0)) if place not in places]
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
            return [pid for _place, pid in self._ranked()]
        if method == Prioritization.Method.APPROVAL_VOTE:
            return list(self.cleaned_data.get("choices") or [])
        return {
            (problem.pk, criterion.pk): self.cleaned_data[f"score_{problem.pk}_{criterion.pk}"]
            for problem in self.problems
            for criterion in self.criteria
            if self.cleaned_data.get(f"score_{problem.pk}_{criterion.pk}") is not None
        }
