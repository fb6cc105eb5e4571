"""Bounds declared once on a model field: the ModelForm and the service refuse alike."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from cocreation.forms.decisions import DecisionCommentForm, VoteForm
from cocreation.forms.dialogue import ConsultationForm, DialogueTableForm, MinutesAnswerForm
from cocreation.models import DialogueTable
from pal_portal.bounds import (
    EARLIEST_DATE,
    AtMost,
    NotBefore,
    NotInTheFuture,
    WithinYears,
    field_errors,
    years_after,
)
from pal_portal.forms import EMPTY_CHOICE_LABEL


def messages(validator, value) -> list[str]:
    try:
        validator(value)
    except ValidationError as error:
        return error.messages
    return []


def test_limits_are_shown_as_the_reader_writes_them():
    assert messages(AtMost(10_000_000), 10_000_001) == [
        "El número no puede ser mayor que 10,000,000."
    ]
    assert messages(NotBefore(), dt.date(1999, 12, 31)) == [
        "La fecha no puede ser anterior al 01/01/2000."
    ]
    with translation.override("en"):
        assert messages(NotBefore(), dt.date(1, 1, 1))[0].endswith("01/01/2000.")
    assert messages(AtMost(10), 10) == []
    assert messages(NotBefore(), EARLIEST_DATE) == []


def test_dates_ahead_are_counted_from_today():
    today = timezone.localdate()
    assert messages(NotInTheFuture("No en el futuro."), today) == []
    assert messages(NotInTheFuture("No en el futuro."), today + dt.timedelta(days=1)) == [
        "No en el futuro."
    ]
    latest = years_after(today, 2)
    assert messages(WithinYears(2), latest) == []
    assert messages(WithinYears(2), latest + dt.timedelta(days=1)) == [
        f"La fecha no puede ser posterior al {latest:%d/%m/%Y}."
    ]


def test_a_leap_day_moves_to_the_28th():
    assert years_after(dt.date(2024, 2, 29), 2) == dt.date(2026, 2, 28)
    assert years_after(dt.date(2024, 3, 1), 2) == dt.date(2026, 3, 1)


def test_bounds_deconstruct_to_their_arguments_only():
    # Migrations record the bound, not today's date nor a bound method.
    assert WithinYears(2).deconstruct() == ("pal_portal.bounds.WithinYears", (2,), {})
    assert AtMost(5).deconstruct() == ("pal_portal.bounds.AtMost", (5,), {})
    assert WithinYears(2) == WithinYears(2) != WithinYears(3)


def test_a_text_field_with_a_maximum_length_binds_the_model_too():
    table = DialogueTable(agenda="x" * 10_001)
    assert field_errors(table, ["agenda"]) == {
        "agenda": ["Asegúrate de que este valor tenga como máximo 10000 caracteres (tiene 10001)."]
    }
    assert field_errors(DialogueTable(agenda="Orden del día"), ["agenda"]) == {}


def test_the_form_shows_the_model_bounds_as_input_limits():
    form = DialogueTableForm(nuclei=DialogueTable.objects.none())
    count = form["attendee_count"].as_widget()
    assert 'min="0"' in count and 'max="10000"' in count
    held_on = form["held_on"].as_widget()
    assert 'min="2000-01-01"' in held_on
    assert f'max="{timezone.localdate().isoformat()}"' in held_on
    assert 'maxlength="10000"' in form["agenda"].as_widget()


def test_the_form_says_required_in_the_model_words():
    form = DecisionCommentForm({"body": "  "})
    assert form.errors["body"] == ["Escribe tu comentario."]


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (MinutesAnswerForm(), "answer"),
        (VoteForm(), "choice"),
        (DialogueTableForm(nuclei=DialogueTable.objects.none()), "modality"),
    ],
)
def test_required_radio_buttons_offer_no_empty_choice(form, field):
    values = [value for value, _label in form.fields[field].choices]
    assert "" not in values
    assert str(EMPTY_CHOICE_LABEL) not in str(form[field])


def test_a_select_over_model_choices_names_its_empty_choice():
    form = ConsultationForm()
    assert form.fields["mechanism"].choices[0] == ("", EMPTY_CHOICE_LABEL)
    assert "---------" not in str(form["mechanism"])
