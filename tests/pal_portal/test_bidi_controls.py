"""Bidirectional control characters typed into a form never reach the database."""

import pytest
from django import forms
from django.http import QueryDict
from django.urls import reverse

from pal_portal.forms import Form, PortalFormMixin
from pal_portal.text import BIDI_CONTROLS, strip_bidi_controls
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "‮Oaxaca" shows as "acaxaO" and flips what follows
EVERY_CONTROL = "".join(sorted(BIDI_CONTROLS))


class LabelForm(Form):
    name = forms.CharField(max_length=10)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    tags = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)


def test_every_listed_control_is_stripped():
    assert len(BIDI_CONTROLS) == 12
    assert strip_bidi_controls(f"Mesa{EVERY_CONTROL} 1") == "Mesa 1"
    for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]:
        assert chr(code) in BIDI_CONTROLS


def test_text_fields_lose_bidi_controls_before_validation():
    data = QueryDict(mutable=True)
    data["name"] = f"{RLO}Mesa 1{RLO}"
    data["notes"] = f"Acta {EVERY_CONTROL}firmada"
    data.setlist("tags", ["a", f"b{RLO}"])
    form = LabelForm(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "name": "Mesa 1",
        "notes": "Acta firmada",
        "tags": ["a", "b"],
        "secret": "",
    }
    # The form re-rendered after an error shows the cleaned text too.
    assert RLO not in str(form["name"])


def test_a_value_made_only_of_controls_is_empty_and_length_counts_what_is_saved():
    form = LabelForm({"name": EVERY_CONTROL})
    assert not form.is_valid()
    assert form.errors["name"] == ["Este campo es obligatorio."]
    assert LabelForm({"name": "Mesa 12345" + RLO * 5}).is_valid()


def test_passwords_are_kept_exactly_as_typed():
    form = LabelForm({"name": "x", "secret": f"clave{RLO}"})
    assert form.is_valid()
    assert form.cleaned_data["secret"] == f"clave{RLO}"


def test_values_computed_in_clean_are_stripped_too():
    class ComputedForm(Form):
        name = forms.CharField()

        def clean(self):
            cleaned = super().clean()
            cleaned["label"] = f"{RLO}{cleaned['name']}"
            return cleaned

    form = ComputedForm({"name": "Mesa"})
    assert form.is_valid()
    assert form.cleaned_data["label"] == "Mesa"


def test_the_mixin_goes_first_so_that_it_wraps_the_form():
    assert LabelForm.__mro__.index(PortalFormMixin) < LabelForm.__mro__.index(forms.BaseForm)


def test_admin_saves_a_full_name_without_bidi_controls(adan, alicia):
    response = client_for(adan).post(
        f"/admin/pal_portal/user/{alicia.pk}/change/",
        {
            "email": alicia.email,
            "full_name": f"Alicia {RLO}Morales",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302
    alicia.refresh_from_db()
    assert alicia.full_name == "Alicia Morales"


def test_admin_creates_a_user_without_bidi_controls(adan):
    from pal_portal.models import User

    response = client_for(adan).post(
        "/admin/pal_portal/user/add/",
        {
            "email": f"lucia@example.mx{RLO}",
            "full_name": f"{RLO}Lucía Pérez",
            "password1": "Transparencia-Oaxaca-2016",
            "password2": "Transparencia-Oaxaca-2016",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="lucia@example.mx")
    assert user.full_name == "Lucía Pérez"


def test_superuser_saves_a_group_name_without_bidi_controls(db):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    root = UserFactory(is_staff=True, is_superuser=True)
    response = client_for(root).post("/admin/auth/group/add/", {"name": f"Revisión{RLO} CPGAT"})
    assert response.status_code == 302
    assert Group.objects.filter(name="Revisión CPGAT").exists()


def test_sign_in_ignores_bidi_controls_in_the_address(alicia):
    from django.test import Client

    from tests.factories import PASSWORD

    response = Client().post(
        reverse("login"), {"username": f"\u200e{alicia.email}\u200f", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_values_parsed_into_named_tuples_are_stripped_field_by_field():
    from typing import NamedTuple

    class Line(NamedTuple):
        name: str
        organisation: str = ""

    class RegisterForm(Form):
        register = forms.CharField()

        def clean_register(self):
            return [Line(*part.split("|")) for part in self.cleaned_data["register"].split(";")]

    form = RegisterForm({"register": f"Rosa{RLO}|Colectivo;Luis"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["register"] == [Line("Rosa", "Colectivo"), Line("Luis", "")]
