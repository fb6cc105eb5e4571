"""History rows name the acting user, in requests and in background tasks alike."""

import pytest

from pal_portal.history import acting_as
from stl.models import Secretariat
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_change_inside_a_task_records_the_acting_user(state_a, adan):
    with acting_as(adan):
        secretariat = Secretariat.objects.get(pk=state_a.pk)
        secretariat.status = Secretariat.Status.INACTIVE
        secretariat.save(update_fields=["status"])
    latest = state_a.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == adan


def test_change_through_a_request_records_the_signed_in_user(state_a, adan):
    client_for(adan).post(f"/stl/{state_a.pk}/nucleos/nuevo/", {"kind": "otro", "name": "Medios"})
    created = state_a.nuclei.get(kind="otro").history.first()
    assert created.history_user == adan


def test_history_page_is_closed_to_other_states_and_anonymous(state_a, bruno, client):
    url = f"/stl/{state_a.pk}/historial/"
    assert client_for(bruno).get(url).status_code == 404
    assert client.get(url).status_code == 302
