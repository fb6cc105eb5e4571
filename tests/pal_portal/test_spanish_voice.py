"""One voice in Spanish: «tú» everywhere, Django's messages included; dates as Spanish writes."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.core import mail
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from pal_portal.forms import Form
from tests.conftest import client_for

OVERRIDES = Path(settings.BASE_DIR) / "locale" / "es_MX" / "LC_MESSAGES" / "django.po"
# Forms of address and verbs in «usted» that Django's Spanish catalogues use.
USTED = re.compile(
    r"\b(usted|Introduzca|Ingrese|Asegúrese|Seleccione|Verifique|Envíe|Corrija|Por favor|"
    r"Su |su |sus |Habilite|introdúzcala|Note)\b"
)


def _overrides():
    """Yield (context, msgid, msgid_plural, [msgstr, ...]) for each entry of the es_MX catalogue."""
    entry, field = None, None
    for line in OVERRIDES.read_text(encoding="utf-8").splitlines() + [""]:
        if not line or line.startswith("#"):
            if entry and entry["msgid"]:
                yield entry["msgctxt"], entry["msgid"], entry["msgid_plural"], entry["msgstr"]
            if not line:
                entry = None
            continue
        if entry is None:
            entry = {"msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": []}
        keyword, _, rest = line.partition(" ")
        if keyword.startswith("msgstr"):
            entry["msgstr"].append("")
            field = ("msgstr", len(entry["msgstr"]) - 1)
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            entry[keyword] = ""
            field = (keyword, None)
        else:
            rest = line
        text = rest[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        name, index = field
        if index is None:
            entry[name] += text
        else:
            entry[name][index] += text


def test_spanish_is_the_default_and_the_overrides_come_first():
    assert settings.LANGUAGE_CODE == "es-mx"
    assert Path(settings.LOCALE_PATHS[0]) == Path(settings.BASE_DIR) / "locale"
    assert translation.gettext("Enter a valid value.") == "Escribe un valor válido."


def test_every_override_is_compiled_and_wins_over_django():
    entries = list(_overrides())
    assert len(entries) > 90
    for context, msgid, plural, msgstrs in entries:
        if plural:
            assert translation.ngettext(msgid, plural, 1) == msgstrs[0], msgid
            assert translation.ngettext(msgid, plural, 5) == msgstrs[1], msgid
        elif context:
            assert translation.pgettext(context, msgid) == msgstrs[0], msgid
        else:
            assert translation.gettext(msgid) == msgstrs[0], msgid


def test_no_override_speaks_with_usted():
    offenders = [
        msgstr for *_, msgstrs in _overrides() for msgstr in msgstrs if USTED.search(msgstr)
    ]
    assert not offenders, offenders


def test_english_keeps_djangos_english():
    with translation.override("en"):
        assert translation.gettext("Enter a valid value.") == "Enter a valid value."
        rendered = Template("{{ day|date }}").render(Context({"day": dt.date(2026, 11, 20)}))
        assert rendered == "Nov. 20, 2026"


def test_dates_are_written_with_lower_case_months_and_weekdays():
    context = Context({"day": dt.date(2026, 11, 20), "moment": dt.datetime(2026, 5, 4, 9, 5)})
    template = Template(
        '{{ day|date }}|{{ day|date:"l j \\d\\e F" }}|{{ day|date:"YEAR_MONTH_FORMAT" }}|'
        '{{ day|date:"N" }}|{{ day|date:"D" }}|{{ moment|date:"DATETIME_FORMAT" }}'
    )
    assert template.render(context).split("|") == [
        "20 de noviembre de 2026",
        "viernes 20 de noviembre",
        "noviembre de 2026",
        "nov.",
        "vie",
        "4 de mayo de 2026 a las 09:05",
    ]


@pytest.mark.django_db
def test_sign_in_error_speaks_with_tu(alicia):
    body = (
        Client()
        .post(reverse("login"), {"username": alicia.email, "password": "equivocada"})
        .content.decode()
    )
    assert "Escribe un correo electrónico y una contraseña correctos." in body
    assert not USTED.search(body)


@pytest.mark.django_db
def test_password_rules_and_errors_speak_with_tu(alicia):
    client = client_for(alicia)
    page = client.get(reverse("password_change")).content.decode()
    assert "Tu contraseña no puede ser una contraseña de uso común." in page
    assert "Tu contraseña debe tener al menos 10 caracteres." in page
    response = client.post(
        reverse("password_change"),
        {"old_password": "no-es", "new_password1": "12345678901", "new_password2": "1234567890"},
    )
    body = response.content.decode()
    assert "Tu contraseña actual no es correcta. Escríbela de nuevo." in body
    assert not USTED.search(body)


@pytest.mark.django_db
def test_field_validation_speaks_with_tu(client):
    body = client.post(reverse("password_reset"), {"email": "no-es-un-correo"}).content.decode()
    assert "Escribe una dirección de correo electrónico válida." in body
    assert "Correo electrónico" in body  # Django's label, with the portal's capitalisation
    assert not USTED.search(body)


@pytest.mark.django_db
def test_password_reset_email_speaks_with_tu(alicia, client):
    client.post(reverse("password_reset"), {"email": alicia.email})
    message = mail.outbox[0]
    assert "Recibes este correo porque pediste restablecer la contraseña" in message.body
    assert f"Por si lo olvidaste, tu cuenta es: {alicia.email}" in message.body
    assert message.subject == "Restablece tu contraseña de Portal PAL"
    assert not USTED.search(message.body)


class _ChoiceForm(Form):
    group = forms.ModelChoiceField(queryset=None)
    kind = forms.TypedChoiceField(choices=[("", "---------"), ("a", "Academia")])

    def __init__(self, *args, **kwargs):
        from django.contrib.auth.models import Group

        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Group.objects.all()


@pytest.mark.django_db
def test_choices_say_what_to_do_instead_of_dashes():
    html = str(_ChoiceForm())
    assert "---------" not in html
    assert html.count("— Elige una opción —") == 2
