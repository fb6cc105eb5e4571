"""The Django admin is for INAI staff and shows history."""

import pytest

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_admin_is_closed_to_stl_members(alicia):
    response = client_for(alicia).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_inai_admin_sees_secretariats_and_their_history(adan, state_a):
    client = client_for(adan)
    assert client.get("/admin/stl/secretariat/").status_code == 200
    history = client.get(f"/admin/stl/secretariat/{state_a.pk}/history/")
    assert history.status_code == 200
