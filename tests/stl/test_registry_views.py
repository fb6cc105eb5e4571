"""The STL registry pages: bad input answered in Spanish; a fixed number of queries per page."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from stl.models import FacilitatorAssignment, Member, Secretariat
from tests.conftest import client_for
from tests.factories import SecretariatFactory, add_facilitator, add_member

pytestmark = pytest.mark.django_db


def test_admin_registers_an_stl_through_the_form(adan):
    response = client_for(adan).post(
        reverse("stl:create"),
        {
            "state": "YUC",
            "exercise": "2016-2018",
            "installation_date": "2016-12-01",
            "extra_nucleus_kinds": ["sector_empresarial"],
        },
    )
    stl = Secretariat.objects.get(state="YUC")
    assert response.status_code == 302
    assert response["Location"] == stl.get_absolute_url()
    assert stl.nuclei.count() == 4


def test_duplicate_stl_shows_a_spanish_message_and_saves_nothing(adan, state_a):
    response = client_for(adan).post(
        reverse("stl:create"),
        {"state": "OAX", "exercise": "2016–2018", "installation_date": "2016-10-14"},
    )
    assert response.status_code == 200
    assert "Ya existe un Secretariado Técnico Local para esta entidad" in response.content.decode()
    assert Secretariat.objects.filter(state="OAX").count() == 1


def test_exercise_must_be_two_years_in_order(adan):
    response = client_for(adan).post(
        reverse("stl:create"),
        {"state": "YUC", "exercise": "2018–2016", "installation_date": "2016-10-14"},
    )
    assert "El año final debe ser posterior al inicial" in response.content.decode()
    assert not Secretariat.objects.exists()


def test_an_installation_before_2000_shows_a_message(adan):
    response = client_for(adan).post(
        reverse("stl:create"),
        {"state": "YUC", "exercise": "2016–2018", "installation_date": "0001-01-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["installation_date"] == [
        "La fecha no puede ser anterior al 01/01/2000."
    ]
    assert not Secretariat.objects.exists()


def test_an_invitation_keeps_no_direction_controls(adan, state_a):
    nucleus = state_a.nuclei.get(kind="autoridades_locales")
    response = client_for(adan).post(
        reverse("stl:member_invite", kwargs={"pk": state_a.pk}),
        {
            "full_name": "\u202eSofía Robles",
            "email": "sofia@oaxaca.mx\u200f",
            "nucleus": nucleus.pk,
            "organisation": "Ayuntamiento\u2066 de Oaxaca",
            "position": "",
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(user__email="sofia@oaxaca.mx")
    assert (member.user.full_name, member.organisation) == (
        "Sofía Robles",
        "Ayuntamiento de Oaxaca",
    )


def test_facilitator_who_is_a_member_is_refused_through_the_form(adan, state_a, alicia):
    response = client_for(adan).post(
        reverse("stl:facilitator_assign", kwargs={"pk": state_a.pk}),
        {"full_name": "Alicia", "email": alicia.email, "organisation": ""},
    )
    assert response.status_code == 200
    assert "debe ser neutral" in response.content.decode()
    assert not FacilitatorAssignment.objects.filter(user=alicia).exists()


def test_member_invited_twice_is_refused_through_the_form(adan, state_a, alicia):
    nucleus = state_a.nuclei.get(kind="autoridades_locales")
    response = client_for(adan).post(
        reverse("stl:member_invite", kwargs={"pk": state_a.pk}),
        {
            "full_name": "Alicia",
            "email": alicia.email,
            "nucleus": nucleus.pk,
            "organisation": "Otra",
        },
    )
    assert "ya es integrante de este STL" in response.content.decode()
    assert Member.objects.filter(user=alicia).count() == 1


def _invite_through_the_form(client, secretariat, *, email, **extra):
    return client.post(
        reverse("stl:member_invite", kwargs={"pk": secretariat.pk}),
        {
            "full_name": "Gabriela Soto",
            "email": email,
            "nucleus": secretariat.nuclei.get(kind="organo_garante").pk,
            "organisation": "OGAIPO",
        },
        **extra,
    )


def test_invitation_link_follows_the_address_served_when_site_url_is_not_set(
    adan, state_a, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL_IS_SET = False
    settings.ALLOWED_HOSTS = ["localhost"]
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite_through_the_form(
            client_for(adan), state_a, email="garante@oaxaca.mx", HTTP_HOST="localhost:8123"
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"\S+/cuentas/invitacion/\S+/", mail.outbox[0].body).group(0)
    assert link.startswith("http://localhost:8123/cuentas/invitacion/")


def test_invitation_link_uses_site_url_when_set(
    adan, state_a, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL_IS_SET = True
    settings.SITE_URL = "https://pal.inai.org.mx"
    settings.ALLOWED_HOSTS = ["localhost"]
    with django_capture_on_commit_callbacks(execute=True):
        _invite_through_the_form(
            client_for(adan), state_a, email="garante@oaxaca.mx", HTTP_HOST="localhost:8123"
        )
    assert "https://pal.inai.org.mx/cuentas/invitacion/" in mail.outbox[0].body


def test_an_invited_account_holder_is_pending_and_locked_out_until_accepting(
    adan, state_a, bruno, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite_through_the_form(client_for(adan), state_a, email=bruno.email)
    bruno_client = client_for(bruno)
    assert bruno_client.get(state_a.get_absolute_url()).status_code == 404
    assert (
        "invitación pendiente" in client_for(adan).get(state_a.get_absolute_url()).content.decode()
    )

    link = re.search(r"/cuentas/invitacion/\S+/", mail.outbox[0].body).group(0)
    assert bruno_client.get(link).status_code == 302

    assert bruno_client.get(state_a.get_absolute_url()).status_code == 200
    page = client_for(adan).get(state_a.get_absolute_url()).content.decode()
    assert "invitación pendiente" not in page


def test_invite_form_lists_only_this_stls_nuclei(adan, state_a, state_b):
    response = client_for(adan).post(
        reverse("stl:member_invite", kwargs={"pk": state_a.pk}),
        {
            "full_name": "X",
            "email": "x@example.mx",
            "nucleus": state_b.nuclei.first().pk,
            "organisation": "X",
        },
    )
    assert response.status_code == 200
    assert not Member.objects.filter(user__email="x@example.mx").exists()


def test_member_sees_history_with_who_changed_what(adan, state_a, alicia):
    client_for(adan).post(
        reverse("stl:nucleus_create", kwargs={"pk": state_a.pk}),
        {"kind": "academia", "name": ""},
    )
    page = client_for(alicia).get(reverse("stl:history", kwargs={"pk": state_a.pk}))
    body = page.content.decode()
    assert "Adán Villalobos" in body
    assert "Academia" in body


def test_buttons_appear_only_for_actions_the_user_may_take(state_a, alicia, adan):
    invite = reverse("stl:member_invite", kwargs={"pk": state_a.pk})
    assert invite not in client_for(alicia).get(state_a.get_absolute_url()).content.decode()
    assert invite in client_for(adan).get(state_a.get_absolute_url()).content.decode()


def _warm_content_types():
    # A running process has its content types cached; so do the counts below.
    ContentType.objects.get_for_model(Secretariat)


def _fill(count):
    for _ in range(count):
        stl = SecretariatFactory()
        for kind in ("sociedad_civil", "autoridades_locales", "organo_garante"):
            add_member(stl, kind=kind)
        add_facilitator(stl)


@pytest.mark.parametrize("count", [1, 30])
def test_stl_list_query_count_does_not_grow_with_data(count, rita, django_assert_num_queries):
    _fill(count)
    client = client_for(rita)
    _warm_content_types()
    # session, user, the user's global roles (one query), the count, the page
    with django_assert_num_queries(5):
        response = client.get(reverse("stl:list"))
    assert response.status_code == 200
    assert response.content.decode().count('scope="row"') == min(count, 25)


@pytest.mark.parametrize("count", [1, 30])
def test_member_stl_list_query_count_does_not_grow_with_data(
    count, alicia, django_assert_num_queries
):
    _fill(count)
    client = client_for(alicia)
    _warm_content_types()
    # session, user, global roles (one query), the count, the page
    with django_assert_num_queries(5):
        response = client.get(reverse("stl:list"))
    assert response.content.decode().count('scope="row"') == 1


@pytest.mark.parametrize("members", [1, 30])
def test_dashboard_query_count_does_not_grow_with_members(
    members, state_a, alicia, fernanda, django_assert_num_queries
):
    for index in range(members):
        add_member(state_a, kind=("autoridades_locales", "organo_garante")[index % 2])
    # Signed, so the page also asks whether the signed document is filed.
    assignment = FacilitatorAssignment.objects.get(user=fernanda)
    assignment.neutrality_signed_at = timezone.now()
    assignment.save(update_fields=["neutrality_signed_at"])
    client = client_for(alicia)
    _warm_content_types()
    # secretariat, session, user, object permissions (user, group), model permissions (2),
    # nuclei with members (2), facilitator (whether the signed declaration is filed rides along
    # as a subquery of that same query)
    with django_assert_num_queries(9):
        response = client.get(state_a.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Organización de prueba") == members + 1
    assert "Firmada; falta adjuntar el documento firmado" in page


def test_installation_act_uploaded_at_registration_is_kept_as_evidence(adan):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from evidence.models import Evidence
    from tests.factories import MINIMAL_PDF as ACT

    response = client_for(adan).post(
        reverse("stl:create"),
        {
            "state": "TAB",
            "exercise": "2016–2018",
            "installation_date": "2016-08-01",
            "installation_act": SimpleUploadedFile("acta.pdf", ACT, "application/pdf"),
        },
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.subject == Secretariat.objects.get(state="TAB")
    assert evidence.kind == "acta"
    assert evidence.original_name == "acta.pdf"


def test_a_refused_installation_act_saves_nothing(adan):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(adan).post(
        reverse("stl:create"),
        {
            "state": "TAB",
            "exercise": "2016–2018",
            "installation_date": "2016-08-01",
            "installation_act": SimpleUploadedFile("acta.pdf", b"MZ\x90\x00binary", "x/y"),
        },
    )
    assert response.status_code == 200
    assert 'id="id_installation_act_error"' in response.content.decode()
    assert not Secretariat.objects.filter(state="TAB").exists()


def test_admin_removes_a_member_after_confirming(adan, state_a, alicia):
    member = Member.objects.get(user=alicia)
    url = reverse("stl:member_deactivate", kwargs={"pk": state_a.pk, "member_pk": member.pk})
    dashboard = client_for(adan).get(state_a.get_absolute_url()).content.decode()
    assert url in dashboard
    assert "data-confirm=" in dashboard.split(url, 1)[1][:200]
    response = client_for(adan).post(url, follow=True)
    assert "ya no es integrante del STL" in response.content.decode()
    assert client_for(alicia).get(state_a.get_absolute_url()).status_code == 404


def test_member_of_another_stl_cannot_be_removed_through_this_one(adan, state_a, bruno):
    member_b = Member.objects.get(user=bruno)
    url = reverse("stl:member_deactivate", kwargs={"pk": state_a.pk, "member_pk": member_b.pk})
    assert client_for(adan).post(url).status_code == 404
    assert Member.objects.get(user=bruno).is_active


@pytest.mark.parametrize("count", [1, 30])
def test_dashboard_query_count_does_not_grow_with_stls(
    count, alicia, state_a, django_assert_num_queries
):
    _fill(count)
    client = client_for(alicia)
    _warm_content_types()
    with django_assert_num_queries(9):
        response = client.get(state_a.get_absolute_url())
    assert response.status_code == 200


def test_public_stl_is_visible_to_other_states_and_anonymous(state_a, bruno, client):
    Secretariat.objects.filter(pk=state_a.pk).update(is_public=True)
    assert client.get(state_a.get_absolute_url()).status_code == 200
    assert client_for(bruno).get(state_a.get_absolute_url()).status_code == 200
    listing = client.get(reverse("stl:list")).content.decode()
    assert str(state_a) in listing
    # Public means readable, never editable nor its internal history.
    assert client_for(bruno).get(reverse("stl:history", kwargs={"pk": state_a.pk})).status_code == (
        404
    )


def test_reviewer_lands_on_the_list_of_all_stls_and_member_on_their_stl(rita, alicia, state_a):
    assert client_for(rita).get(reverse("home"))["Location"] == reverse("stl:list")
    assert client_for(alicia).get(reverse("home"))["Location"] == state_a.get_absolute_url()
