"""The portal's forms: one base every form uses, the account forms, and shared form helpers."""

import datetime as dt

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import Group
from django.core import validators
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.choices import BlankChoiceIterator
from django.utils.translation import gettext_lazy as _

from pal_portal.bounds import Bound
from pal_portal.models import User
from pal_portal.text import strip_bidi_controls

# Django's placeholder for "nothing chosen yet" (BLANK_CHOICE_DASH, ModelChoiceField.empty_label)
# is not translatable; every portal form says it in words instead.
DJANGO_EMPTY_LABEL = "---------"
EMPTY_CHOICE_LABEL = _("— Elige una opción —")


def _without_bidi(value):
    if isinstance(value, str):
        return strip_bidi_controls(value)
    if isinstance(value, list | tuple):
        items = [_without_bidi(item) for item in value]
        # A named tuple (a parsed line of a form) is built from its fields, not from one iterable.
        return value._make(items) if hasattr(value, "_make") else type(value)(items)
    return value


class PortalFormMixin:
    """Every form of the portal (tests/test_architecture.py checks it): text without bidi controls.

    The submitted data loses its bidirectional control characters before validation, so required
    and length checks see what will be saved; ``cleaned_data`` loses them again after ``clean()``,
    for values a form computes itself. Passwords are left exactly as typed: they are never shown.
    Choice fields say "— Elige una opción —" instead of Django's "---------".
    Put the mixin first: ``class NucleusForm(PortalFormMixin, forms.Form)``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = self._data_without_bidi(self.data)
        for field in self.fields.values():
            _name_the_empty_choice(field)

    def _password_fields(self) -> set[str]:
        return {
            name
            for name, field in self.fields.items()
            if isinstance(field.widget, forms.PasswordInput)
        }

    def _data_without_bidi(self, data):
        kept = {self.add_prefix(name) for name in self._password_fields()}
        if hasattr(data, "lists"):  # QueryDict, MultiValueDict
            data = data.copy()
            for key, values in list(data.lists()):
                if key not in kept:
                    data.setlist(key, [_without_bidi(value) for value in values])
            return data
        return {key: value if key in kept else _without_bidi(value) for key, value in data.items()}

    def _post_clean(self):
        # Runs after clean() and, for a ModelForm, before the instance is built from cleaned_data.
        passwords = self._password_fields()
        for name, value in self.cleaned_data.items():
            if name not in passwords:
                self.cleaned_data[name] = _without_bidi(value)
        super()._post_clean()


def _name_the_empty_choice(field) -> None:
    if getattr(field, "empty_label", None) == DJANGO_EMPTY_LABEL:  # ModelChoiceField
        field.empty_label = EMPTY_CHOICE_LABEL
    # A model field's choices come with their blank as a BlankChoiceIterator.
    elif isinstance(field, forms.ChoiceField) and isinstance(
        field.choices, list | BlankChoiceIterator
    ):
        blank = ("", DJANGO_EMPTY_LABEL)
        if any(tuple(choice) == blank for choice in field.choices):
            # A required set of radio buttons needs no empty choice: none is ticked until chosen.
            radio = field.required and isinstance(field.widget, forms.RadioSelect)
            field.choices = [
                ("", EMPTY_CHOICE_LABEL) if tuple(choice) == blank else choice
                for choice in field.choices
                if not (radio and tuple(choice) == blank)
            ]


def _share_the_model_declarations(field, model_field) -> None:
    """Make a form field refuse what its model field refuses, with the model field's messages.

    The bounds declared on the model field (``pal_portal.bounds.Bound``) replace the form field's
    own (a ``PositiveIntegerField`` gives its form field a bare "greater than or equal to 0") and
    show as the input's ``min``/``max``; a "blank" message declared on the model field is the
    form field's "required" message.
    """
    declared = getattr(model_field, "_error_messages", None) or {}
    if "blank" in declared:
        field.error_messages["required"] = declared["blank"]
    bounds = [validator for validator in model_field.validators if isinstance(validator, Bound)]
    if not bounds:
        return
    replaced = (validators.MinValueValidator, validators.MaxValueValidator)
    field.validators = [v for v in field.validators if not isinstance(v, replaced)] + bounds
    for bound in bounds:
        limit = bound.limit()
        attribute = "min" if isinstance(bound, validators.MinValueValidator) else "max"
        field.widget.attrs[attribute] = limit.isoformat() if isinstance(limit, dt.date) else limit


class Form(PortalFormMixin, forms.Form):
    """A plain form of the portal."""


class ModelForm(PortalFormMixin, forms.ModelForm):
    """A model form of the portal: each field declared once, on the model.

    Labels, help texts, lengths, choices and bounds come from the model field; its bound
    validators and its "blank" message are the form field's too (``_share_the_model_declarations``),
    so the form and the service refuse a value with the same words.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        opts = self._meta.model._meta
        declared = self._meta.fields
        for name, field in self.fields.items():
            if declared not in (None, forms.ALL_FIELDS) and name not in declared:
                continue  # a form-only field that happens to share a model field's name
            try:
                model_field = opts.get_field(name)
            except FieldDoesNotExist:
                continue
            if hasattr(model_field, "validators"):
                _share_the_model_declarations(field, model_field)


# --- accounts: sign-in, passwords, and the admin's user and group forms -------------------------


class LoginForm(PortalFormMixin, auth_forms.AuthenticationForm):
    pass


class PasswordResetForm(PortalFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(PortalFormMixin, auth_forms.SetPasswordForm):
    pass


class PasswordChangeForm(PortalFormMixin, auth_forms.PasswordChangeForm):
    pass


class UserChangeForm(PortalFormMixin, auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User
        field_classes = {}


class UserCreationForm(PortalFormMixin, auth_forms.AdminUserCreationForm):
    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "full_name")
        field_classes = {}


class AdminPasswordChangeForm(PortalFormMixin, auth_forms.AdminPasswordChangeForm):
    pass


class GroupForm(ModelForm):
    class Meta:
        model = Group
        fields = ("name", "permissions")


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, field by field where it names fields."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
