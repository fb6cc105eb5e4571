"""The facilitator's neutrality (requirement 4.a): signed declaration, evidence, and the registry
refusing a member as facilitator and the facilitator as member, by service and through views."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from cocreation import services
from stl import services as stl_services
from stl.models import FacilitatorAssignment, Invitation, Member
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

BOX = "Declaro que no represento a ninguna de las partes del STL"


def assignment_of(secretariat) -> FacilitatorAssignment:
    return FacilitatorAssignment.objects.get(secretariat=secretariat, is_active=True)


def neutrality_url(secretariat) -> str:
    return reverse("cocreation:neutrality", kwargs={"pk": secretariat.pk})


# --- the declaration -------------------------------------------------------------------------


def test_facilitator_signs_the_neutrality_declaration(state_a, fernanda):
    signed = services.neutrality_declare(
        assignment=assignment_of(state_a),
        statement="No represento a ninguna parte.",
        declares_no_party=True,
        user=fernanda,
    )

    signed.refresh_from_db()
    assert signed.neutrality_statement == "No represento a ninguna parte."
    assert signed.neutrality_signed_at is not None
    assert signed.history.latest().history_user == fernanda


def test_the_box_must_be_ticked(state_a, fernanda):
    with pytest.raises(ValidationError) as error:
        services.neutrality_declare(
            assignment=assignment_of(state_a),
            statement="Texto",
            declares_no_party=False,
            user=fernanda,
        )
    assert f"Para firmar, marca la casilla «{BOX}»." in error.value.messages
    assert assignment_of(state_a).neutrality_signed_at is None


def test_the_declaration_has_a_maximum_length(state_a, fernanda):
    with pytest.raises(ValidationError) as error:
        services.neutrality_declare(
            assignment=assignment_of(state_a),
            statement="x" * 10_001,
            declares_no_party=True,
            user=fernanda,
        )
    assert error.value.message_dict["neutrality_statement"] == [
        "Asegúrate de que este valor tenga como máximo 10000 caracteres (tiene 10001)."
    ]
    assert assignment_of(state_a).neutrality_signed_at is None


def test_only_the_facilitator_signs_and_only_once(state_a, fernanda, alicia, adan):
    assignment = assignment_of(state_a)
    for user in (alicia, adan):
        with pytest.raises(PermissionDenied):
            services.neutrality_declare(
                assignment=assignment, statement="Texto", declares_no_party=True, user=user
            )
    services.neutrality_declare(
        assignment=assignment, statement="Primera", declares_no_party=True, user=fernanda
    )
    with pytest.raises(ValidationError) as error:
        services.neutrality_declare(
            assignment=assignment, statement="Segunda", declares_no_party=True, user=fernanda
        )
    assert "ya se firmó" in error.value.messages[0]
    assert assignment_of(state_a).neutrality_statement == "Primera"


def test_facilitator_signs_through_the_page(state_a, fernanda):
    client = client_for(fernanda)
    page = client.get(neutrality_url(state_a)).content.decode()
    assert BOX in page
    assert "Fernanda Ríos, persona facilitadora" in page  # the proposed text names her

    refused = client.post(neutrality_url(state_a), {"neutrality_statement": "Texto"})
    assert refused.status_code == 200
    assert "Para firmar, marca la casilla" in refused.content.decode()
    assert assignment_of(state_a).neutrality_signed_at is None

    response = client.post(
        neutrality_url(state_a),
        {"neutrality_statement": "Texto firmado", "declares_no_party": "on"},
    )
    assert response.status_code == 302
    assert assignment_of(state_a).neutrality_statement == "Texto firmado"
    assert "Firmada" in client.get(neutrality_url(state_a)).content.decode()


def test_members_read_the_declaration_but_cannot_sign_it(state_a, fernanda, alicia):
    client = client_for(alicia)
    page = client.get(neutrality_url(state_a)).content.decode()
    assert "Pendiente de firma" in page
    assert BOX not in page

    response = client.post(
        neutrality_url(state_a), {"neutrality_statement": "Falsa", "declares_no_party": "on"}
    )
    assert response.status_code == 404
    assert assignment_of(state_a).neutrality_signed_at is None


def test_the_signed_document_is_evidence_of_the_assignment(state_a, fernanda, alicia):
    from evidence.models import Evidence
    from evidence.services import evidence_attach

    assignment = assignment_of(state_a)
    from tests.factories import MINIMAL_PDF

    pdf = MINIMAL_PDF

    evidence = evidence_attach(
        subject=assignment,
        uploaded_file=ContentFile(pdf, name="declaracion.pdf"),
        kind="declaracion_neutralidad",
        description="Declaración firmada",
        user=fernanda,
    )

    assert evidence.phase == Evidence.Phase.INSTALLATION
    assert evidence.subject == assignment
    assert "declaracion.pdf" in client_for(alicia).get(neutrality_url(state_a)).content.decode()
    # Members read it; only the facilitator (or INAI's administration) files it.
    with pytest.raises((PermissionDenied, ValidationError)):
        evidence_attach(
            subject=assignment,
            uploaded_file=ContentFile(pdf, name="otra.pdf"),
            kind="declaracion_neutralidad",
            description="Intento",
            user=alicia,
        )
    assert Evidence.objects.count() == 1


def test_signing_asks_for_confirmation_and_can_be_cancelled(state_a, fernanda):
    page = client_for(fernanda).get(neutrality_url(state_a)).content.decode()

    form = page[page.index('<form method="post" novalidate') :]
    form = form[: form.index("</form>")]
    assert 'data-confirm="La firma de la declaración de neutralidad es definitiva' in form
    assert f'<a href="{state_a.get_absolute_url()}">Cancelar</a>' in form


def test_the_dashboard_asks_for_the_signed_document_until_it_is_filed(state_a, fernanda, alicia):
    from tests.factories import MINIMAL_PDF

    flag = "Firmada; falta adjuntar el documento firmado"
    dashboard = reverse("stl:dashboard", kwargs={"pk": state_a.pk})
    client = client_for(alicia)
    assert flag not in client.get(dashboard).content.decode()  # not signed yet

    assignment = services.neutrality_declare(
        assignment=assignment_of(state_a),
        statement="No represento a ninguna parte.",
        declares_no_party=True,
        user=fernanda,
    )
    assert flag in client.get(dashboard).content.decode()

    from evidence.services import evidence_attach

    evidence_attach(
        subject=assignment,
        uploaded_file=ContentFile(MINIMAL_PDF, name="declaracion.pdf"),
        kind="informe",  # another kind does not count as the signed declaration
        description="Otro documento",
        user=fernanda,
    )
    assert flag in client.get(dashboard).content.decode()

    evidence_attach(
        subject=assignment,
        uploaded_file=ContentFile(MINIMAL_PDF + b"% firmada\n", name="declaracion.pdf"),
        kind="declaracion_neutralidad",
        description="Declaración firmada",
        user=fernanda,
    )
    page = client.get(dashboard).content.decode()
    assert flag not in page
    assert "Declaración de neutralidad (firmada)" in page


# --- registry: neutral means no party --------------------------------------------------------


def test_a_member_cannot_be_made_facilitator_by_the_service(adan, state_a, alicia, fernanda):
    with pytest.raises(ValidationError) as error:
        stl_services.facilitator_assign(
            secretariat=state_a,
            email=alicia.email,
            full_name="Alicia Morales",
            assigned_by=adan,
        )
    assert "debe ser neutral y no pertenecer a ninguna de las partes" in error.value.messages[0]
    assert assignment_of(state_a).user == fernanda


def test_the_facilitator_cannot_be_made_member_by_the_service(adan, state_a, fernanda):
    with pytest.raises(ValidationError) as error:
        stl_services.member_invite(
            secretariat=state_a,
            nucleus=state_a.nuclei.first(),
            email=fernanda.email,
            full_name="Fernanda Ríos",
            organisation="Colectivo",
            invited_by=adan,
        )
    assert "la facilitación es neutral y no puede integrar ningún núcleo" in error.value.messages[0]
    assert not Member.objects.filter(user=fernanda).exists()


def test_a_member_cannot_be_made_facilitator_through_the_form(adan, state_a, alicia, fernanda):
    invitations = Invitation.objects.count()

    response = client_for(adan).post(
        reverse("stl:facilitator_assign", kwargs={"pk": state_a.pk}),
        {"full_name": "Alicia Morales", "email": alicia.email, "organisation": ""},
    )

    assert response.status_code == 200
    assert "debe ser neutral y no pertenecer a ninguna de las partes" in response.content.decode()
    assert assignment_of(state_a).user == fernanda
    assert FacilitatorAssignment.objects.filter(user=alicia).count() == 0
    assert Invitation.objects.count() == invitations


def test_the_facilitator_cannot_be_made_member_through_the_form(adan, state_a, fernanda):
    invitations = Invitation.objects.count()

    response = client_for(adan).post(
        reverse("stl:member_invite", kwargs={"pk": state_a.pk}),
        {
            "full_name": "Fernanda Ríos",
            "email": fernanda.email,
            "nucleus": state_a.nuclei.first().pk,
            "organisation": "Colectivo",
            "position": "",
        },
    )

    assert response.status_code == 200
    assert "la facilitación es neutral y no puede integrar ningún núcleo" in (
        response.content.decode()
    )
    assert not Member.objects.filter(user=fernanda).exists()
    assert Invitation.objects.count() == invitations
