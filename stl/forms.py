"""Forms of the STL registry: each field is declared on its model (label, help, length, bounds).

The forms add widgets, and the fields that belong to another record: the installation act (an
evidence file), the extra nuclei registered with the STL, and the invited person's account.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from pal_portal.forms import Form, ModelForm
from stl import quorum
from stl.models import FacilitatorAssignment, Member, Nucleus, Secretariat, exercise_normalised

# The sectors an STL may have besides the three nuclei it always has.
EXTRA_KINDS = (Nucleus.Kind.ACADEMIA, Nucleus.Kind.BUSINESS)
ADDABLE_KINDS = (*EXTRA_KINDS, Nucleus.Kind.OTHER)


class SecretariatForm(ModelForm):
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
        choices=[(kind, kind.label) for kind in EXTRA_KINDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_nucleus_name = Nucleus._meta.get_field("name").formfield(
        label=_("Otro sector (opcional)")
    )

    class Meta:
        model = Secretariat
        fields = ["state", "exercise", "installation_date"]
        widgets = {
            "exercise": forms.TextInput(attrs={"placeholder": "2016–2018", "inputmode": "numeric"}),
            "installation_date": forms.DateInput(attrs={"type": "date"}),
        }

    def clean_exercise(self):
        # "2016-2018" is read as "2016–2018" before the model checks it.
        return exercise_normalised(self.cleaned_data["exercise"])


class NucleusForm(ModelForm):
    class Meta:
        model = Nucleus
        fields = ["kind", "name"]
        labels = {"kind": _("Sector")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        kind.choices = [choice for choice in kind.choices if choice[0] in ("", *ADDABLE_KINDS)]


class PersonMixin(Form):
    """The invited person's account: their name and address, as the user model declares them."""

    full_name = get_user_model()._meta.get_field("full_name").formfield()
    email = get_user_model()._meta.get_field("email").formfield()


class MemberInviteForm(PersonMixin, ModelForm):
    class Meta:
        model = Member
        fields = ["nucleus", "organisation", "position"]

    field_order = ["full_name", "email", "nucleus", "organisation", "position"]

    def __init__(self, *args, secretariat, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nucleus"].queryset = secretariat.nuclei.all()
        self.fields["nucleus"].empty_label = _("— Elige el núcleo —")


class FacilitatorForm(PersonMixin, ModelForm):
    class Meta:
        model = FacilitatorAssignment
        fields = ["organisation"]

    field_order = ["full_name", "email", "organisation"]


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
