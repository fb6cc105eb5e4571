"""Bounds of what people type: numbers, dates and texts, declared once on the model field.

Each app names its limits in its own ``limits`` module and puts these validators on its model
fields; the ``ModelForm`` (through ``pal_portal.forms.ModelForm``) and the service (through
``field_errors``) then refuse a value out of range with the same Spanish message. Texts use
Django's own length message, as every ``CharField`` already does.
"""

import datetime as dt

from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

# No record of the portal predates 2000: Mexico's first transparency law is from 2002 and INAI's
# local open-government exercises began in 2015. Year 0001, which a date field accepts, is a typo.
EARLIEST_DATE = dt.date(2000, 1, 1)


def years_after(date: dt.date, years: int) -> dt.date:
    """Return ``date`` moved ``years`` years ahead (29 February becomes 28 February)."""
    try:
        return date.replace(year=date.year + years)
    except ValueError:
        return date.replace(year=date.year + years, day=28)


def _shown(limit) -> str:
    """Return a limit as people read it in the active language: 10,000 or 01/01/2000."""
    if isinstance(limit, dt.date):
        return formats.date_format(limit, "SHORT_DATE_FORMAT")
    return formats.number_format(limit, force_grouping=True)


class Bound:
    """A bound declared on a model field, whose message shows the limit formatted for the reader.

    ``pal_portal.forms.ModelForm`` gives these validators to the form field as well, with the
    limit as the input's ``min`` or ``max``.
    """

    def limit(self):
        return self.limit_value() if callable(self.limit_value) else self.limit_value

    def __call__(self, value):
        cleaned = self.clean(value)
        limit = self.limit()
        if self.compare(cleaned, limit):
            raise ValidationError(
                self.message,
                code=self.code,
                params={"limit_value": _shown(limit), "show_value": cleaned, "value": value},
            )


class NotNegative(Bound, validators.MinValueValidator):
    message = _("El número no puede ser negativo.")

    def __init__(self):
        super().__init__(0)


class AtMost(Bound, validators.MaxValueValidator):
    message = _("El número no puede ser mayor que %(limit_value)s.")


class NotBefore(Bound, validators.MinValueValidator):
    message = _("La fecha no puede ser anterior al %(limit_value)s.")

    def __init__(self, earliest: dt.date = EARLIEST_DATE):
        super().__init__(earliest)


class NotInTheFuture(Bound, validators.MaxValueValidator):
    """Refuse a date after today (in the portal's time zone) with the field's own message."""

    def __init__(self, message):
        super().__init__(timezone.localdate, message)


class WithinYears(Bound, validators.MaxValueValidator):
    """Refuse a date more than ``years`` years after today."""

    message = _("La fecha no puede ser posterior al %(limit_value)s.")

    def __init__(self, years: int):
        self.years = years
        super().__init__(self.latest)

    def latest(self) -> dt.date:
        return years_after(timezone.localdate(), self.years)

    def __eq__(self, other):
        return isinstance(other, WithinYears) and other.years == self.years

    def __hash__(self):
        return hash((type(self), self.years))


class BoundedTextField(models.TextField):
    """A TextField whose ``max_length`` binds the model too, not only the form's textarea."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))


def field_errors(instance: models.Model, fields) -> dict[str, list[str]]:
    """Return what the model's own field declarations refuse in ``fields`` of ``instance``.

    Runs what a ModelForm runs: blank, choices, lengths and the bound validators. A service calls
    it on the instance it is about to save and adds its own cross-field rules to the result.
    """
    exclude = {field.name for field in instance._meta.fields} - set(fields)
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {}
