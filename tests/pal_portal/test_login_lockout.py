"""Repeated failed sign-ins lock the account, however its address is typed."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _variants(email: str, count: int) -> list[str]:
    """Return ``count`` spellings of ``email`` that differ only in case and surrounding spaces."""
    variants = []
    for n in range(count):
        spelled = "".join(
            char.upper() if (n >> (i % 8)) & 1 else char for i, char in enumerate(email)
        )
        variants.append(" " * (n % 3) + spelled + " " * (n % 2))
    assert len(set(variants)) == count
    return variants


def _sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_case_and_spaces_do_not_spread_failures_over_several_counters(alicia):
    client = Client()
    for variant in _variants(alicia.email, 15):
        for _ in range(4):
            _sign_in(client, variant, "equivocada")
    response = _sign_in(client, alicia.email, PASSWORD)
    assert response.status_code == 429
    assert "Acceso bloqueado temporalmente" in response.content.decode()


def test_the_shipped_limit_locks_on_the_fifth_failure_whatever_the_case(alicia):
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    for variant in _variants(alicia.email, settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, variant, "equivocada").status_code == 200
    assert _sign_in(client, alicia.email.upper(), "equivocada").status_code == 429
    assert _sign_in(client, alicia.email, PASSWORD).status_code == 429


def test_fewer_failures_than_the_limit_do_not_lock(alicia):
    client = Client()
    for variant in _variants(alicia.email, settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, variant, "equivocada")
    assert _sign_in(client, alicia.email.title(), PASSWORD).status_code == 302


def test_lockout_page_says_how_long_to_wait_from_the_cool_off_setting(alicia):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, alicia.email, "equivocada")
    body = _sign_in(client, alicia.email, PASSWORD).content.decode()
    assert "Por seguridad, espera 15 minutos antes de intentarlo de nuevo" in body


def test_lockout_page_follows_a_changed_cool_off(alicia, settings):
    settings.AXES_COOLOFF_TIME = dt.timedelta(hours=1)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, alicia.email, "equivocada")
    body = _sign_in(client, alicia.email, PASSWORD).content.decode()
    assert "espera 60 minutos antes de intentarlo de nuevo" in body
    assert "15 minutos" not in body


def test_the_lock_key_is_the_address_as_login_reads_it():
    from pal_portal.auth import login_key

    assert login_key("  Alicia.Morales@Example.MX ") == "alicia.morales@example.mx"
    assert login_key(None) == ""


def test_administrator_unlocks_with_axes_reset_username(alicia):
    from django.core.management import call_command

    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, alicia.email.upper(), "equivocada")
    assert _sign_in(client, alicia.email, PASSWORD).status_code == 429
    call_command("axes_reset_username", alicia.email)
    assert _sign_in(client, alicia.email, PASSWORD).status_code == 302


def test_choosing_a_new_password_from_the_e_mailed_link_lifts_the_lock(alicia):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, alicia.email, "equivocada")
    assert _sign_in(client, alicia.email, PASSWORD).status_code == 429

    uid = urlsafe_base64_encode(force_bytes(alicia.pk))
    token = default_token_generator.make_token(alicia)
    link = client.get(
        reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}), follow=True
    )
    new_password = "Oaxaca-Abierto-2026"
    done = client.post(
        link.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert done.status_code == 302
    assert _sign_in(client, alicia.email, new_password).status_code == 302
