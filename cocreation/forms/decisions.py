"""Forms of the decisions (acuerdos), their votes and comments, and the neutrality declaration."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cocreation.models import Vote


class DecisionForm(forms.Form):
    title = forms.CharField(label=_("Acuerdo"), max_length=300)
    description = forms.CharField(
        label=_("Descripción"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Qué se propone y por qué, para que conste en el registro."),
    )
    discussed_on = forms.DateField(
        label=_("Fecha"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Tu voto"), choices=Vote.Choice.choices, widget=forms.RadioSelect
    )


class DecisionCommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comentario"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Tu comentario queda registrado con tu nombre."),
    )


class NeutralityForm(forms.Form):
    statement = forms.CharField(
        label=_("Texto de la declaración"), widget=forms.Textarea(attrs={"rows": 6})
    )
    declares_no_party = forms.BooleanField(
        label=_("Declaro que no represento a ninguna de las partes del STL"), required=False
    )
