"""Forms of the evidence vault; the services do the real checking of files.

The fields of an evidence row (kind, description, personal data, withdrawal reason) are
declared on ``Evidence``: label, help text and length come from there.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from evidence.file_checks import ACCEPTED_TYPES, accepted_formats_text, limit_label
from evidence.limits import MAX_FILES_PER_UPLOAD
from evidence.models import Evidence
from pal_portal.forms import Form, ModelForm

ACCEPT_ATTRIBUTE = ",".join(f".{extension}" for extension in ACCEPTED_TYPES)


def formats_help() -> str:
    """Return the help text of a file field: the accepted formats and the size limit."""
    return _("%(formats)s; hasta %(limit)s por envío.") % {
        "formats": accepted_formats_text(),
        "limit": limit_label(),
    }


class RefusableMixin:
    @classmethod
    def refused(cls, message: str):
        """Return an empty form showing ``message``, for a request whose body was never read."""
        form = cls()
        form.cleaned_data = {}
        form.add_error(None, message)
        return form


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or several files from one ``<input type="file" multiple>``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"multiple": True, "accept": ACCEPT_ATTRIBUTE})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_FILES_PER_UPLOAD:
            raise forms.ValidationError(
                _("Sube como máximo %(max)d archivos a la vez."),
                code="too_many_files",
                params={"max": MAX_FILES_PER_UPLOAD},
            )
        return files


class EvidenceUploadForm(RefusableMixin, ModelForm):
    files = MultipleFileField(label=_("Archivos"), allow_empty_file=True)
    next = forms.CharField(required=False, widget=forms.HiddenInput())

    class Meta:
        model = Evidence
        fields = ["kind", "description", "contains_personal_data"]

    field_order = ["files", *Meta.fields, "next"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = formats_help()


class EvidenceSupersedeForm(RefusableMixin, ModelForm):
    file = forms.FileField(
        label=_("Nueva versión del archivo"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

    class Meta:
        model = Evidence
        fields = ["description", "contains_personal_data"]

    field_order = ["file", *Meta.fields]


class EvidenceWithdrawForm(ModelForm):
    """The reason of a withdrawal; the service says that one is needed."""

    class Meta:
        model = Evidence
        fields = ["withdrawal_reason"]
        widgets = {"withdrawal_reason": forms.Textarea(attrs={"rows": 4})}


class PublicVersionForm(RefusableMixin, Form):
    file = forms.FileField(
        label=_("Versión pública (con los datos personales testados)"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
