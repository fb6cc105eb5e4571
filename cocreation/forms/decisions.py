"""Forms of the decisions (acuerdos), their votes and comments, and the neutrality declaration.

Labels, help texts, lengths and bounds are declared on the model fields; a form keeps only its
widgets, and a label where it speaks to the person filling it in ("Tu voto").
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cocreation.models import Decision, DecisionComment, Vote
from pal_portal.forms import ModelForm
from stl.models import FacilitatorAssignment


class DecisionForm(ModelForm):
    class Meta:
        model = Decision
        fields = ["title", "description", "discussed_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "discussed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.initial.get("discussed_on") is None:
            self.initial["discussed_on"] = timezone.localdate()


class VoteForm(ModelForm):
    class Meta:
        model = Vote
        fields = ["choice"]
        labels = {"choice": _("Tu voto")}
        widgets = {"choice": forms.RadioSelect}


class DecisionCommentForm(ModelForm):
    class Meta:
        model = DecisionComment
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}


class NeutralityForm(ModelForm):
    """The facilitator's declaration; the service says what signing it requires (4.a)."""

    declares_no_party = forms.BooleanField(
        label=_("Declaro que no represento a ninguna de las partes del STL"), required=False
    )

    class Meta:
        model = FacilitatorAssignment
        fields = ["neutrality_statement"]
        widgets = {"neutrality_statement": forms.Textarea(attrs={"rows": 6})}
