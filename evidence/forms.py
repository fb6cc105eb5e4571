"""Forms of the evidence vault; the services do the real checking of files."""

from django import forms
from django.utils.translation import gettext_lazy as _

from evidence.file_checks import ACCEPTED_TYPES, accepted_formats_text, limit_label
from evidence.models import Evidence

MAX_FILES_PER_UPLOAD = 20
ACCEPT_ATTRIBUTE = ",".join(f".{extension}" for extension in ACCEPTED_TYPES)


def formats_help() -> str:
    """Return the help text of a file field: the accepted formats and the size limit."""
    return _("%(formats)s; hasta %(limit)s por envío.") % {
        "formats": accepted_formats_text(),
        "limit": limit_label(),
    }


class RefusableForm(forms.Form):
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


class EvidenceUploadForm(RefusableForm):
    files = MultipleFileField(label=_("Archivos"), allow_empty_file=True)
    kind = forms.ChoiceField(label=_("Tipo de evidencia"), choices=Evidence.Kind.choices)
    description = forms.CharField(
        label=_("Descripción breve"),
        max_length=500,
        widget=forms.TextInput(),
        help_text=_("Por ejemplo: «Acta firmada de la sesión de instalación»."),
    )
    contains_personal_data = forms.BooleanField(
        label=_("Contiene datos personales (nombres, firmas, domicilios…)"),
        required=False,
        help_text=_("Antes de publicarse necesitará una versión pública testada."),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = formats_help()


class EvidenceSupersedeForm(RefusableForm):
    file = forms.FileField(
        label=_("Nueva versión del archivo"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    description = forms.CharField(label=_("Descripción breve"), max_length=500)
    contains_personal_data = forms.BooleanField(
        label=_("Contiene datos personales (nombres, firmas, domicilios…)"), required=False
    )


class EvidenceWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo del retiro"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Queda registrado y visible para quienes revisan el STL."),
    )


class PublicVersionForm(RefusableForm):
    file = forms.FileField(
        label=_("Versión pública (con los datos personales testados)"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
