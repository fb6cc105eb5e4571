"""The demo of the README loads twice without harm and its accounts work."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from stl.management.demo import DEMO_PASSWORD
from stl.models import Member, Secretariat

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    """Count the rows of every table the project has, history tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def test_seed_demo_is_idempotent_and_its_accounts_log_in():
    call_command("seed_demo")
    before = row_counts()
    call_command("seed_demo")
    assert row_counts() == before
    assert Secretariat.objects.count() == 2
    assert Member.objects.filter(secretariat__state="OAX").count() == 5
    for email, landing in (
        ("admin@inai.demo", reverse("stl:list")),
        ("revision@inai.demo", reverse("stl:list")),
        ("sociedad@oaxaca.demo", Secretariat.objects.get(state="OAX").get_absolute_url()),
        ("facilitacion@jalisco.demo", Secretariat.objects.get(state="JAL").get_absolute_url()),
    ):
        client = Client()
        response = client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert client.get(reverse("home"))["Location"] == landing
    oaxaca = Secretariat.objects.get(state="OAX")
    client = Client()
    client.post(reverse("login"), {"username": "sociedad@jalisco.demo", "password": DEMO_PASSWORD})
    assert client.get(oaxaca.get_absolute_url()).status_code == 404
