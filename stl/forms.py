from django import forms
from django.utils.translation import gettext_lazy as _

from pal_portal.forms import ModelForm
from stl import quorum
from stl.mexican_states import MexicanState
from stl.models import EXERCISE_VALIDATOR, Nucleus, Secretariat

EXTRA_KINDS = [
    (Nucleus.Kind.ACADEMIA, Nucleus.Kind.ACADEMIA.label),
    (Nucleus.Kind.BUSINESS, Nucleus.Kind.BUSINESS.label),
]


class SecretariatForm(forms.Form):
    state = forms.ChoiceField(label=_("Entidad federativa"), choices=MexicanState.choices)
    exercise = forms.CharField(
        label=_("Ejercicio"),
        max_length=9,
        help_text=_("Dos años separados por un guion, por ejemplo 2016–2018."),
        widget=forms.TextInput(attrs={"placeholder": "2016–2018", "inputmode": "numeric"}),
    )
    installation_date = forms.DateField(
        label=_("Fecha de instalación"), widget=forms.DateInput(attrs={"type": "date"})
    )
    installation_act = forms.FileField(
        label=_("Acta de instalación"),
        required=False,
        help_text=_(
            "El acta firmada (PDF o imagen). Queda como evidencia de la instalación; también puede "
            "adjuntarse después."
        ),
    )
    extra_nucleus_kinds = forms.MultipleChoiceField(
        label=_("Otros sectores representados"),
        help_text=_(
            "Sociedad civil, autoridades locales y órgano garante se crean siempre. Marca los "
            "demás sectores que tienen representación en el STL."
        ),
        choices=EXTRA_KINDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_nucleus_name = forms.CharField(
        label=_("Otro sector (opcional)"),
        max_length=120,
        required=False,
        help_text=_("Por ejemplo: medios de comunicación."),
    )

    def clean_exercise(self):
        value = self.cleaned_data["exercise"].strip().replace("-", "–")
        EXERCISE_VALIDATOR(value)
        start, end = (int(part) for part in value.split("–"))
        if end <= start:
            raise forms.ValidationError(_("El año final debe ser posterior al inicial."))
        return value


class NucleusForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Sector"),
        choices=[
            (Nucleus.Kind.ACADEMIA, Nucleus.Kind.ACADEMIA.label),
            (Nucleus.Kind.BUSINESS, Nucleus.Kind.BUSINESS.label),
            (Nucleus.Kind.OTHER, Nucleus.Kind.OTHER.label),
        ],
    )
    name = forms.CharField(
        label=_("Nombre del sector"),
        max_length=120,
        required=False,
        help_text=_("Solo para «Otro sector»."),
    )


class PersonForm(forms.Form):
    full_name = forms.CharField(label=_("Nombre completo"), max_length=200)
    email = forms.EmailField(label=_("Correo electrónico"))
    organisation = forms.CharField(label=_("Organización o institución"), max_length=200)


class MemberInviteForm(PersonForm):
    nucleus = forms.ModelChoiceField(
        label=_("Núcleo"), queryset=Nucleus.objects.none(), empty_label=_("— Elige el núcleo —")
    )
    position = forms.CharField(label=_("Cargo"), max_length=200, required=False)

    field_order = ["full_name", "email", "nucleus", "organisation", "position"]

    def __init__(self, *args, secretariat, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nucleus"].queryset = secretariat.nuclei.all()


class FacilitatorForm(PersonForm):
    organisation = forms.CharField(label=_("Organización"), max_length=200, required=False)


class QuorumRuleForm(ModelForm):
    """The quorum rule an STL's rules of operation set (INAI administrators)."""

    class Meta:
        model = Secretariat
        fields = ["quorum_rule", "quorum_reference"]
        widgets = {"quorum_rule": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each rule as the decision pages state it, not only its name.
        self.fields["quorum_rule"].choices = quorum.choices()
