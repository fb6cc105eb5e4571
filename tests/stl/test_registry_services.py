"""Registering STLs, nuclei, members and the facilitator: rules and bad input."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from stl import policy as access
from stl import services
from stl.models import FacilitatorAssignment, Invitation, Member, Nucleus, Secretariat

pytestmark = pytest.mark.django_db


def test_admin_registers_an_stl_with_its_three_nuclei_and_extra_sectors(adan):
    stl = services.secretariat_register(
        state="CHP",
        exercise="2016-2018",
        installation_date=dt.date(2016, 9, 1),
        extra_nucleus_kinds=["academia"],
        other_nucleus_name="Medios de comunicación",
        user=adan,
    )
    assert stl.exercise == "2016–2018"
    assert sorted(stl.nuclei.values_list("kind", flat=True)) == sorted(
        ["sociedad_civil", "autoridades_locales", "organo_garante", "academia", "otro"]
    )
    assert stl.nuclei.get(kind="otro").name == "Medios de comunicación"
    assert stl.history.first().history_user == adan


def test_duplicate_stl_for_the_same_state_and_exercise_is_refused(adan, state_a):
    with pytest.raises(ValidationError) as error:
        services.secretariat_register(
            state=state_a.state,
            exercise=state_a.exercise,
            installation_date=dt.date(2017, 1, 1),
            user=adan,
        )
    assert "Ya existe un Secretariado Técnico Local" in error.value.messages[0]
    assert Secretariat.objects.filter(state=state_a.state).count() == 1


def test_only_inai_administrators_register(alicia, rita):
    for user in (alicia, rita):
        with pytest.raises(PermissionDenied):
            services.secretariat_register(
                state="YUC", exercise="2016–2018", installation_date=dt.date(2016, 1, 1), user=user
            )
    assert not Secretariat.objects.filter(state="YUC").exists()


def test_installation_in_the_future_is_refused(adan):
    with pytest.raises(ValidationError):
        services.secretariat_register(
            state="YUC",
            exercise="2016–2018",
            installation_date=dt.date.today() + dt.timedelta(days=3),
            user=adan,
        )
    assert not Secretariat.objects.exists()


def test_installation_before_2000_is_refused(adan):
    with pytest.raises(ValidationError) as error:
        services.secretariat_register(
            state="YUC", exercise="2016–2018", installation_date=dt.date(1, 1, 1), user=adan
        )
    assert error.value.message_dict["installation_date"] == [
        "La fecha no puede ser anterior al 01/01/2000."
    ]
    assert not Secretariat.objects.exists()


@pytest.mark.parametrize(
    ("exercise", "message"),
    [
        ("0001–0003", "El ejercicio no puede empezar antes de 2000."),
        ("2016–2016", "El año final debe ser posterior al inicial."),
        ("2016–2030", "Un ejercicio dura como máximo 6 años."),
    ],
)
def test_an_exercise_out_of_range_is_refused(adan, exercise, message):
    with pytest.raises(ValidationError) as error:
        services.secretariat_register(
            state="YUC", exercise=exercise, installation_date=dt.date(2016, 9, 1), user=adan
        )
    assert error.value.message_dict["exercise"] == [message]
    assert not Secretariat.objects.exists()


def test_invited_member_gets_an_email_with_a_single_use_link_and_access_on_accepting(
    adan, state_a, django_capture_on_commit_callbacks
):
    nucleus = state_a.nuclei.get(kind="organo_garante")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        member = services.member_invite(
            secretariat=state_a,
            nucleus=nucleus,
            email="Garante@Oaxaca.MX",
            full_name="Gabriela Soto",
            organisation="OGAIPO",
            invited_by=adan,
        )
    assert len(callbacks) == 1  # the e-mail is queued only once the invitation is committed
    assert member.user.email == "garante@oaxaca.mx"
    assert not member.user.is_active
    assert not member.user.has_usable_password()
    invitation = Invitation.objects.get(user=member.user)
    assert len(mail.outbox) == 1
    assert invitation.get_absolute_url() in mail.outbox[0].body
    assert "Oaxaca" in mail.outbox[0].subject
    # Access starts when the person accepts, not when they are invited.
    member.user.is_active = True
    member.user.save()
    assert not access.secretariat_access(member.user, state_a).can_view
    user = services.invitation_accept(key=invitation.key, password="Transparencia-Oaxaca-2016")
    assert access.secretariat_access(user, state_a).can_participate


def test_a_person_with_an_account_invited_to_a_second_stl_sees_it_only_after_accepting(
    adan, state_a, bruno
):
    member = services.member_invite(
        secretariat=state_a,
        nucleus=state_a.nuclei.get(kind="organo_garante"),
        email=bruno.email,
        full_name="Bruno Salas",
        organisation="Garante",
        invited_by=adan,
    )
    assert member.user == bruno and bruno.is_active and bruno.has_usable_password()
    assert not access.secretariat_access(bruno, state_a).can_view
    assert state_a not in access.own_secretariats(bruno)

    services.invitation_accept(key=Invitation.objects.get(user=bruno).key, password=None)

    assert access.secretariat_access(bruno, state_a).can_participate
    assert state_a in access.own_secretariats(bruno)


def test_a_facilitator_with_an_account_facilitates_only_after_accepting(adan, state_a, bruno):
    services.facilitator_assign(
        secretariat=state_a, email=bruno.email, full_name="Bruno", assigned_by=adan
    )
    assert not access.secretariat_access(bruno, state_a).can_view

    services.invitation_accept(key=Invitation.objects.get(user=bruno).key, password=None)

    assert access.secretariat_access(bruno, state_a).can_facilitate


def test_an_invitation_to_a_place_taken_back_gives_no_access(adan, state_a, bruno):
    member = services.member_invite(
        secretariat=state_a,
        nucleus=state_a.nuclei.get(kind="organo_garante"),
        email=bruno.email,
        full_name="Bruno Salas",
        organisation="Garante",
        invited_by=adan,
    )
    services.member_deactivate(member=member, user=adan)

    with pytest.raises(ValidationError) as error:
        services.invitation_accept(key=Invitation.objects.get(user=bruno).key, password=None)

    assert error.value.messages == [
        "Esta invitación ya no está vigente: ya no tienes un lugar en este STL. Si crees que es "
        "un error, escribe a la administración del INAI."
    ]
    assert not access.secretariat_access(bruno, state_a).can_view
    assert Invitation.objects.get(user=bruno).used_at is None


def test_member_invited_twice_into_the_same_stl_is_refused(adan, state_a, alicia):
    with pytest.raises(ValidationError) as error:
        services.member_invite(
            secretariat=state_a,
            nucleus=state_a.nuclei.get(kind="autoridades_locales"),
            email=alicia.email.upper(),
            full_name="Alicia",
            organisation="Otra",
            invited_by=adan,
        )
    assert "ya es integrante de este STL" in error.value.messages[0]
    assert Member.objects.filter(user=alicia).count() == 1
    assert Invitation.objects.count() == 0


def test_facilitator_who_is_a_member_is_refused(adan, state_a, alicia):
    with pytest.raises(ValidationError) as error:
        services.facilitator_assign(
            secretariat=state_a, email=alicia.email, full_name="Alicia", assigned_by=adan
        )
    assert "debe ser neutral" in error.value.messages[0]
    assert not FacilitatorAssignment.objects.filter(user=alicia).exists()
    assert not access.secretariat_access(alicia, state_a).can_facilitate


def test_facilitator_cannot_be_invited_as_member(adan, state_a, fernanda):
    with pytest.raises(ValidationError) as error:
        services.member_invite(
            secretariat=state_a,
            nucleus=state_a.nuclei.get(kind="sociedad_civil"),
            email=fernanda.email,
            full_name="Fernanda",
            organisation="X",
            invited_by=adan,
        )
    assert "persona facilitadora de este STL" in error.value.messages[0]
    assert not Member.objects.filter(user=fernanda).exists()


def test_a_new_facilitator_replaces_the_previous_one(adan, state_a, fernanda):
    assignment = services.facilitator_assign(
        secretariat=state_a, email="nueva@facilita.mx", full_name="Nueva", assigned_by=adan
    )
    assert assignment.is_active
    assert not FacilitatorAssignment.objects.get(user=fernanda).is_active
    assert not access.secretariat_access(fernanda, state_a).can_view
    invitation = Invitation.objects.get(user=assignment.user)
    user = services.invitation_accept(key=invitation.key, password="Transparencia-Oaxaca-2016")
    assert access.secretariat_access(user, state_a).can_facilitate
    assert assignment.history.first().history_user == adan


def test_a_member_of_another_state_may_facilitate_here(adan, state_a, bruno):
    assignment = services.facilitator_assign(
        secretariat=state_a, email=bruno.email, full_name="Bruno", assigned_by=adan
    )
    assert assignment.user == bruno


def test_nucleus_of_another_stl_is_refused(adan, state_a, state_b):
    with pytest.raises(ValidationError):
        services.member_invite(
            secretariat=state_a,
            nucleus=state_b.nuclei.first(),
            email="x@example.mx",
            full_name="X",
            organisation="X",
            invited_by=adan,
        )
    assert not Member.objects.exists()


def test_other_sector_nucleus_needs_a_name_and_is_unique(adan, state_a):
    with pytest.raises(ValidationError):
        services.nucleus_add(secretariat=state_a, kind=Nucleus.Kind.OTHER, name=" ", user=adan)
    services.nucleus_add(secretariat=state_a, kind=Nucleus.Kind.ACADEMIA, user=adan)
    with pytest.raises(ValidationError):
        services.nucleus_add(secretariat=state_a, kind=Nucleus.Kind.ACADEMIA, user=adan)
    assert state_a.nuclei.filter(kind="academia").count() == 1


def test_deactivated_member_loses_access_and_keeps_the_record(adan, state_a, alicia):
    member = Member.objects.get(user=alicia)
    services.member_deactivate(member=member, user=adan)
    member.refresh_from_db()
    assert not member.is_active
    assert not access.secretariat_access(alicia, state_a).can_view
    assert member.history.first().history_user == adan


def test_only_inai_administrators_deactivate(state_a, alicia, fernanda):
    with pytest.raises(PermissionDenied):
        services.member_deactivate(member=Member.objects.get(user=alicia), user=fernanda)
    assert Member.objects.get(user=alicia).is_active


def test_a_removed_member_can_be_invited_again(adan, state_a, alicia):
    member = services.member_deactivate(member=Member.objects.get(user=alicia), user=adan)
    again = services.member_invite(
        secretariat=state_a,
        nucleus=state_a.nuclei.get(kind="organo_garante"),
        email=alicia.email,
        full_name="Alicia",
        organisation="OGAIPO",
        invited_by=adan,
    )
    assert again.pk == member.pk
    assert again.is_active
    assert again.nucleus.kind == "organo_garante"
    assert not access.secretariat_access(alicia, state_a).can_view  # until she accepts again
    services.invitation_accept(key=Invitation.objects.get(user=alicia).key, password=None)
    assert access.secretariat_access(alicia, state_a).can_participate
