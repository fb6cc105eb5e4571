"""An invited person sets a password from the e-mailed link, once, before it expires."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from stl import services
from stl.models import Invitation

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Transparencia-Oaxaca-2016"


@pytest.fixture
def invitation(adan, state_a):
    member = services.member_invite(
        secretariat=state_a,
        nucleus=state_a.nuclei.get(kind="sociedad_civil"),
        email="lucia@example.mx",
        full_name="Lucía Pérez",
        organisation="Colectivo",
        invited_by=adan,
    )
    return Invitation.objects.get(user=member.user)


def _accept(client, invitation):
    return client.post(
        reverse("invitation_accept", kwargs={"key": invitation.key}),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )


def test_invited_person_sets_password_logs_in_and_lands_on_their_stl(client, invitation):
    page = client.get(reverse("invitation_accept", kwargs={"key": invitation.key}))
    assert page.status_code == 200
    assert "Activa tu cuenta" in page.content.decode()
    response = _accept(client, invitation)
    assert response.status_code == 302
    assert response["Location"] == invitation.secretariat.get_absolute_url()
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    assert invitation.user.__class__.objects.get(pk=invitation.user.pk).is_active
    dashboard = client.get(response["Location"])
    assert "Oaxaca" in dashboard.content.decode()
    client.logout()
    login = client.post(
        reverse("login"), {"username": "lucia@example.mx", "password": NEW_PASSWORD}
    )
    assert login.status_code == 302
    assert client.get(reverse("home"))["Location"] == invitation.secretariat.get_absolute_url()


def test_link_used_twice_is_refused_with_a_clear_message(client, invitation):
    _accept(client, invitation)
    client.logout()
    response = _accept(client, invitation)
    assert response.status_code == 410
    assert "ya se usó" in response.content.decode()


def test_expired_link_is_refused_and_nothing_changes(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = _accept(client, invitation)
    assert response.status_code == 410
    assert "venció" in response.content.decode()
    invitation.user.refresh_from_db()
    assert not invitation.user.is_active
    assert not invitation.user.has_usable_password()


def test_weak_password_is_refused_in_spanish(client, invitation):
    response = client.post(
        reverse("invitation_accept", kwargs={"key": invitation.key}),
        {"new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert "contraseña" in response.content.decode().lower()
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_person_with_an_account_keeps_their_password(client, adan, state_a, bruno):
    member = services.member_invite(
        secretariat=state_a,
        nucleus=state_a.nuclei.get(kind="organo_garante"),
        email=bruno.email,
        full_name="Bruno Salas",
        organisation="Garante",
        invited_by=adan,
    )
    invitation = Invitation.objects.get(user=member.user)
    password_before = bruno.password
    response = client.get(reverse("invitation_accept", kwargs={"key": invitation.key}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    bruno.refresh_from_db()
    assert bruno.password == password_before
    invitation.refresh_from_db()
    assert invitation.used_at is not None
