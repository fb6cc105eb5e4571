"""Bounds declared once on a model field: the ModelForm and the service refuse alike."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from pal_portal.bounds import (
    EARLIEST_DATE,
    AtMost,
    NotBefore,
    NotInTheFuture,
    WithinYears,
    years_after,
)


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
