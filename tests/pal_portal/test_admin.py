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


def test_admin_cannot_bypass_the_neutrality_rule(adan, state_a, alicia, fernanda):
    from stl.models import FacilitatorAssignment, Member

    client = client_for(adan)
    assert client.get("/admin/stl/member/add/").status_code == 403
    assert client.get("/admin/stl/facilitatorassignment/add/").status_code == 403
    response = client.post(
        "/admin/stl/facilitatorassignment/add/",
        {"secretariat": state_a.pk, "user": alicia.pk, "is_active": "on"},
    )
    assert response.status_code == 403
    response = client.post(
        "/admin/stl/member/add/",
        {
            "secretariat": state_a.pk,
            "nucleus": state_a.nuclei.first().pk,
            "user": fernanda.pk,
            "organisation": "X",
        },
    )
    assert response.status_code == 403
    assert not FacilitatorAssignment.objects.filter(user=alicia).exists()
    assert not Member.objects.filter(user=fernanda).exists()


def test_admin_records_are_read_only_but_their_history_is_visible(adan, state_a, alicia):
    from stl.models import Member

    member = Member.objects.get(user=alicia)
    client = client_for(adan)
    page = client.get(f"/admin/stl/member/{member.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(f"/admin/stl/member/{member.pk}/history/").status_code == 200


def test_inai_admin_cannot_make_anyone_a_superuser_or_change_roles(adan, alicia):
    client = client_for(adan)
    page = client.get(f"/admin/pal_portal/user/{alicia.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="groups"' not in page
    response = client.post(
        f"/admin/pal_portal/user/{alicia.pk}/change/",
        {
            "email": alicia.email,
            "full_name": alicia.full_name,
            "is_active": "on",
            "is_superuser": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302  # saved: the forbidden fields were simply ignored
    alicia.refresh_from_db()
    assert not alicia.is_superuser
    assert not alicia.is_staff
