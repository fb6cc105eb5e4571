"""Entries recorded on someone's behalf name a person the record knows, once per person.

The hole: the facilitator (voice, no vote) entered five ballots in invented or near-duplicate
names and changed the winner of a prioritisation.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cocreation import services
from cocreation.models import Prioritization, PrioritizationEntry
from stl.models import Member, Nucleus
from tests.cocreation.factories_dialogue import on_the_register
from tests.cocreation.factories_prioritization import make_prioritization, make_problems
from tests.conftest import client_for
from tests.factories import UserFactory, add_member

pytestmark = pytest.mark.django_db


def unknown(name, nucleus="Sociedad civil"):
    return (
        f"«{name}» no es integrante del núcleo {nucleus} ni aparece en la lista de asistencia de "
        "una de sus mesas de diálogo. Solo se registra la participación de personas que el "
        "registro conoce: si participó en una mesa, agrega primero su nombre a la lista de "
        "asistencia de esa mesa."
    )


def once(name):
    return (
        f"Ya hay una participación registrada a nombre de «{name}» en esta priorización: cada "
        "persona participa una sola vez. Si hay que corregirla, quien la registró puede "
        "eliminarla y registrarla de nuevo."
    )


def nucleus(secretariat, kind=Nucleus.Kind.CIVIL_SOCIETY):
    return secretariat.nuclei.get(kind=kind)


def record(prioritization, name, data, user, kind=Nucleus.Kind.CIVIL_SOCIETY):
    return services.prioritization_entry_record(
        prioritization=prioritization,
        nucleus=nucleus(prioritization.secretariat, kind),
        participant=name,
        data=data,
        user=user,
    )


def refusal(call) -> list[str]:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict["participant"]


@pytest.fixture
def carlos(state_a):
    return add_member(
        state_a, kind=Nucleus.Kind.LOCAL_AUTHORITIES, user=UserFactory(full_name="Carlos Pérez")
    ).user


def test_invented_and_near_duplicate_names_do_not_change_the_winner(
    state_a, alicia, carlos, fernanda
):
    p1, p2 = make_problems(state_a, 2)
    prioritization = make_prioritization(
        state_a, problems=[p1, p2], method=Prioritization.Method.APPROVAL_VOTE, max_choices=1
    )
    on_the_register(state_a, "Luis Hernández Cruz")
    services.prioritization_entry_submit(prioritization=prioritization, data=[p1.pk], user=alicia)
    services.prioritization_entry_submit(prioritization=prioritization, data=[p1.pk], user=carlos)

    # One real attendee, typed as the register has it but without capitals: recorded once.
    entry = record(prioritization, "luis hernández cruz", [p2.pk], fernanda)
    assert entry.participant == "Luis Hernández Cruz"  # as the register spells it
    # The same person again, without accents; then people nobody knows.
    assert refusal(lambda: record(prioritization, "Luis Hernandez Cruz", [p2.pk], fernanda)) == [
        once("Luis Hernández Cruz")
    ]
    for name in ("Persona Inventada", "Otra Persona", "Juan Pérez", "María López"):
        assert refusal(lambda name=name: record(prioritization, name, [p2.pk], fernanda)) == [
            unknown(name)
        ]

    computed = services.prioritization_compute(prioritization=prioritization, user=alicia)
    assert computed.result["ranking"][0]["problem_id"] == p1.pk
    assert PrioritizationEntry.objects.filter(prioritization=prioritization).count() == 3


def test_an_attendee_of_another_nucleus_is_not_known_in_this_one(state_a, fernanda):
    prioritization = make_prioritization(state_a)
    first = prioritization.problems.first().pk
    on_the_register(state_a, "Rosa Juárez", kind=Nucleus.Kind.LOCAL_AUTHORITIES)

    assert refusal(lambda: record(prioritization, "Rosa Juárez", [first], fernanda)) == [
        unknown("Rosa Juárez")
    ]
    record(prioritization, "Rosa Juárez", [first], fernanda, kind=Nucleus.Kind.LOCAL_AUTHORITIES)


def test_a_member_who_submitted_her_own_entry_gets_no_second_one(state_a, alicia, fernanda):
    prioritization = make_prioritization(state_a)
    first, second, _third = prioritization.problems.order_by("pk")
    services.prioritization_entry_submit(
        prioritization=prioritization, data=[first.pk], user=alicia
    )

    assert refusal(lambda: record(prioritization, "ALICIA MORALES", [second.pk], fernanda)) == [
        once("Alicia Morales")
    ]
    assert PrioritizationEntry.objects.get().member.user == alicia


def test_a_member_recorded_by_the_facilitator_does_not_submit_again(state_a, alicia, fernanda):
    prioritization = make_prioritization(state_a)
    first, second, _third = prioritization.problems.order_by("pk")
    record(prioritization, "Alicia Morales", [first.pk], fernanda)  # a member is known

    with pytest.raises(ValidationError) as error:
        services.prioritization_entry_submit(
            prioritization=prioritization, data=[second.pk], user=alicia
        )

    assert error.value.messages == [once("Alicia Morales")]
    assert PrioritizationEntry.objects.get().data == [first.pk]


def test_a_member_who_left_is_no_longer_known(state_a, alicia, fernanda):
    Member.objects.filter(user=alicia).update(is_active=False)
    prioritization = make_prioritization(state_a)

    assert refusal(
        lambda: record(
            prioritization, "Alicia Morales", [prioritization.problems.first().pk], fernanda
        )
    ) == [unknown("Alicia Morales")]


# --- pages --------------------------------------------------------------------------------------


def _url(name, prioritization):
    return reverse(
        f"cocreation:{name}",
        kwargs={"pk": prioritization.secretariat_id, "prioritization_pk": prioritization.pk},
    )


def test_the_form_suggests_the_people_the_record_knows(state_a, alicia, fernanda):
    prioritization = make_prioritization(state_a)
    on_the_register(state_a, "Rosa Juárez", "Luis Díaz", kind=Nucleus.Kind.GUARANTOR)

    page = client_for(fernanda).get(_url("prioritization_entry", prioritization)).content.decode()

    assert 'list="personas-conocidas"' in page
    assert '<option value="Alicia Morales">Sociedad civil</option>' in page
    assert '<option value="Rosa Juárez">Órgano garante</option>' in page
    assert '<option value="Luis Díaz">Órgano garante</option>' in page
    assert "La lista sugiere los primeros" not in page


def test_the_suggestions_are_bounded(state_a, fernanda, monkeypatch):
    monkeypatch.setattr("cocreation.selectors.prioritization.KNOWN_PEOPLE_SUGGESTED", 2)
    prioritization = make_prioritization(state_a)
    on_the_register(state_a, "Ana Uno", "Beto Dos", "Ceci Tres")

    page = client_for(fernanda).get(_url("prioritization_entry", prioritization)).content.decode()

    datalist = page[page.index('<datalist id="personas-conocidas">') :]
    assert datalist[: datalist.index("</datalist>")].count("<option ") == 2
    assert (
        "La lista sugiere los primeros 2 nombres; puedes escribir el de cualquier otra persona "
        "integrante o asistente del núcleo." in page
    )


def test_an_unknown_name_is_refused_through_the_form(state_a, fernanda):
    prioritization = make_prioritization(state_a)

    response = client_for(fernanda).post(
        _url("prioritization_entry", prioritization),
        {
            "participant": "Persona Inventada",
            "nucleus": nucleus(state_a).pk,
            "place_1": prioritization.problems.first().pk,
        },
    )

    assert response.status_code == 200
    assert unknown("Persona Inventada") in response.content.decode()
    assert not PrioritizationEntry.objects.exists()


def test_the_page_says_how_many_entries_were_recorded_on_behalf_and_by_whom(
    state_a, alicia, fernanda
):
    prioritization = make_prioritization(state_a)
    first = prioritization.problems.first().pk
    on_the_register(state_a, "Rosa Juárez", "Luis Díaz")
    client = client_for(alicia)
    assert (
        "Cada participación la registró la propia persona."
        not in client.get(_url("prioritization_detail", prioritization)).content.decode()
    )

    services.prioritization_entry_submit(prioritization=prioritization, data=[first], user=alicia)
    page = client.get(_url("prioritization_detail", prioritization)).content.decode()
    assert "Cada participación la registró la propia persona." in page

    record(prioritization, "Rosa Juárez", [first], fernanda)
    record(prioritization, "Luis Díaz", [first], fernanda)
    page = client.get(_url("prioritization_detail", prioritization)).content.decode()
    assert "2 participaciones se registraron a nombre de otras personas:" in page
    assert "2 por Fernanda Ríos." in page
    assert page.count("registrada por Fernanda Ríos") == 2
