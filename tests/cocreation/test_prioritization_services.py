"""Prioritisation services: create, collect entries per nucleus, compute, methodology evidence."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cocreation import services
from cocreation.models import (
    METHODOLOGY_SOFT_TIME_LIMIT,
    METHODOLOGY_TIME_LIMIT,
    Prioritization,
    PrioritizationEntry,
)
from pal_portal import jobs
from pal_portal.models import Job
from stl.models import Nucleus
from tests.cocreation.factories_dialogue import on_the_register
from tests.cocreation.factories_prioritization import (
    fail_methodology,
    make_entry,
    make_prioritization,
    make_problem,
    make_problems,
    run_methodology_job,
)
from tests.factories import UserFactory, add_member

pytestmark = pytest.mark.django_db

Method = Prioritization.Method


@pytest.fixture
def carlos(state_a):
    """A member of the local-authorities nucleus of state A."""
    return add_member(
        state_a,
        kind=Nucleus.Kind.LOCAL_AUTHORITIES,
        user=UserFactory(full_name="Carlos Pérez"),
    ).user


def civil_society(secretariat):
    return secretariat.nuclei.get(kind=Nucleus.Kind.CIVIL_SOCIETY)


def messages_of(error) -> str:
    return " ".join(error.value.messages)


# --- create ----------------------------------------------------------------------------------


def test_member_opens_a_borda_prioritization_of_active_problems(state_a, alicia):
    problems = make_problems(state_a, 3)

    prioritization = services.prioritization_create(
        secretariat=state_a,
        title="Primera ronda",
        method=Method.BORDA,
        problems=problems,
        user=alicia,
    )

    assert prioritization.status == Prioritization.Status.OPEN
    assert sorted(prioritization.problems.values_list("pk", flat=True)) == [p.pk for p in problems]
    assert prioritization.created_by == alicia
    assert prioritization.max_choices is None


def test_facilitator_opens_a_weighted_prioritization_with_criteria(state_a, fernanda):
    prioritization = services.prioritization_create(
        secretariat=state_a,
        title="Por criterios",
        method=Method.WEIGHTED_CRITERIA,
        problems=make_problems(state_a, 2),
        criteria=[("Impacto", Decimal("2")), ("Viabilidad", Decimal("1.5"))],
        user=fernanda,
    )

    assert [(c.label, c.weight) for c in prioritization.criteria.all()] == [
        ("Impacto", Decimal("2")),
        ("Viabilidad", Decimal("1.5")),
    ]


def test_a_problem_of_another_stl_cannot_be_prioritised(state_a, state_b, alicia):
    foreign = make_problem(state_b, "Problemática de Jalisco")

    with pytest.raises(ValidationError) as error:
        services.prioritization_create(
            secretariat=state_a,
            title="Mezclada",
            method=Method.BORDA,
            problems=[*make_problems(state_a, 2), foreign],
            user=alicia,
        )

    assert "Solo puedes priorizar problemáticas vigentes de este STL" in messages_of(error)
    assert not Prioritization.objects.exists()


def test_a_merged_problem_cannot_be_prioritised(state_a, alicia):
    kept, other = make_problems(state_a, 2)
    merged = make_problem(state_a, "Duplicada", merged_into=kept)

    with pytest.raises(ValidationError) as error:
        services.prioritization_create(
            secretariat=state_a,
            title="Con fusionada",
            method=Method.BORDA,
            problems=[kept, other, merged],
            user=alicia,
        )

    assert "no fusionadas en otra" in messages_of(error)
    assert not Prioritization.objects.exists()


def test_at_least_two_problems_are_needed(state_a, alicia):
    with pytest.raises(ValidationError) as error:
        services.prioritization_create(
            secretariat=state_a,
            title="Sola",
            method=Method.BORDA,
            problems=make_problems(state_a, 1),
            user=alicia,
        )
    assert "al menos dos problemáticas" in messages_of(error)


@pytest.mark.parametrize(
    ("max_choices", "message"),
    [
        (None, "Indica cuántas problemáticas puede elegir cada participante"),
        (0, "Indica cuántas problemáticas puede elegir cada participante"),
        (4, "no puede elegir más problemáticas (4) que las que se priorizan (3)"),
    ],
)
def test_a_vote_needs_a_sensible_number_of_choices(state_a, alicia, max_choices, message):
    with pytest.raises(ValidationError) as error:
        services.prioritization_create(
            secretariat=state_a,
            title="Votación",
            method=Method.APPROVAL_VOTE,
            problems=make_problems(state_a, 3),
            max_choices=max_choices,
            user=alicia,
        )
    assert message in messages_of(error)
    assert not Prioritization.objects.exists()


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ([], "Se requiere al menos un criterio para priorizar."),
        ([("Impacto", Decimal("0"))], "El peso del criterio «Impacto» debe ser un número positivo"),
        ([("Costo", Decimal("-1"))], "El peso del criterio «Costo» debe ser un número positivo."),
        ([("Costo", None)], "El peso del criterio «Costo» debe ser un número positivo."),
        ([("", Decimal("1"))], "Cada criterio necesita un nombre."),
        ([("Impacto", 1), ("impacto", 2)], "Hay dos criterios con el mismo nombre"),
    ],
)
def test_weighted_criteria_need_named_criteria_with_positive_weights(
    state_a, alicia, criteria, message
):
    with pytest.raises(ValidationError) as error:
        services.prioritization_create(
            secretariat=state_a,
            title="Criterios",
            method=Method.WEIGHTED_CRITERIA,
            problems=make_problems(state_a, 2),
            criteria=criteria,
            user=alicia,
        )
    assert message in messages_of(error)
    assert not Prioritization.objects.exists()


def test_only_members_and_the_facilitator_open_a_prioritization(state_a, bruno, rita, adan):
    problems = make_problems(state_a, 2)
    for user in (bruno, rita, adan):
        with pytest.raises(PermissionDenied):
            services.prioritization_create(
                secretariat=state_a,
                title="Ajena",
                method=Method.BORDA,
                problems=problems,
                user=user,
            )
    assert not Prioritization.objects.exists()


# --- entries ---------------------------------------------------------------------------------


def test_member_submits_once_and_may_change_it_while_open(state_a, alicia):
    p1, p2, p3 = make_problems(state_a, 3)
    prioritization = make_prioritization(state_a, problems=[p1, p2, p3])

    first = services.prioritization_entry_submit(
        prioritization=prioritization, data=[p2.pk, p1.pk], user=alicia
    )
    again = services.prioritization_entry_submit(
        prioritization=prioritization, data=[p3.pk, p2.pk, p1.pk], user=alicia
    )

    assert again.pk == first.pk
    entry = PrioritizationEntry.objects.get(prioritization=prioritization)
    assert entry.data == [p3.pk, p2.pk, p1.pk]
    assert entry.participant == "Alicia Morales"
    assert entry.nucleus == civil_society(state_a)
    assert entry.member.user == alicia
    assert entry.entered_by == alicia


def test_a_ranking_naming_a_problem_of_another_stl_is_refused(state_a, state_b, alicia):
    problems = make_problems(state_a, 3)
    prioritization = make_prioritization(state_a, problems=problems)
    foreign = make_problem(state_b, "De otro estado")

    with pytest.raises(ValidationError) as error:
        services.prioritization_entry_submit(
            prioritization=prioritization, data=[problems[0].pk, foreign.pk], user=alicia
        )

    assert messages_of(error) == (
        f"La clasificación de Alicia Morales (Sociedad civil) incluye la problemática "
        f"{foreign.pk}, que no pertenece a las problemáticas de esta priorización."
    )
    assert not PrioritizationEntry.objects.exists()


def test_a_ranking_naming_a_problem_outside_this_prioritization_is_refused(state_a, alicia):
    problems = make_problems(state_a, 3)
    prioritization = make_prioritization(state_a, problems=problems[:2])

    with pytest.raises(ValidationError) as error:
        services.prioritization_entry_submit(
            prioritization=prioritization, data=[problems[2].pk], user=alicia
        )

    assert "que no pertenece a las problemáticas de esta priorización" in messages_of(error)
    assert not PrioritizationEntry.objects.exists()


def test_a_problem_ranked_twice_is_refused(state_a, alicia):
    p1, p2, p3 = make_problems(state_a, 3)
    prioritization = make_prioritization(state_a, problems=[p1, p2, p3])

    with pytest.raises(ValidationError) as error:
        services.prioritization_entry_submit(
            prioritization=prioritization, data=[p1.pk, p2.pk, p1.pk], user=alicia
        )

    assert messages_of(error) == (
        f"La clasificación de Alicia Morales (Sociedad civil) menciona la problemática {p1.pk} "
        "más de una vez."
    )
    assert not PrioritizationEntry.objects.exists()


def test_a_ballot_with_too_many_choices_is_refused(state_a, alicia):
    problems = make_problems(state_a, 4)
    prioritization = make_prioritization(
        state_a, problems=problems, method=Method.APPROVAL_VOTE, max_choices=2
    )

    with pytest.raises(ValidationError) as error:
        services.prioritization_entry_submit(
            prioritization=prioritization, data=[p.pk for p in problems[:3]], user=alicia
        )

    assert messages_of(error) == (
        "La boleta de Alicia Morales (Sociedad civil) marca 3 problemáticas; el máximo "
        "permitido es 2."
    )
    assert not PrioritizationEntry.objects.exists()


@pytest.mark.parametrize("mark", [0, 6, -1])
def test_a_mark_outside_1_to_5_is_refused(state_a, alicia, mark):
    p1, p2 = make_problems(state_a, 2)
    prioritization = make_prioritization(
        state_a,
        problems=[p1, p2],
        method=Method.WEIGHTED_CRITERIA,
        criteria=[("Impacto", 1)],
    )
    criterion = prioritization.criteria.get()

    with pytest.raises(ValidationError) as error:
        services.prioritization_entry_submit(
            prioritization=prioritization,
            data={(p1.pk, criterion.pk): 4, (p2.pk, criterion.pk): mark},
            user=alicia,
        )

    assert messages_of(error) == (
        f"La calificación de Alicia Morales (Sociedad civil) a la problemática {p2.pk} en el "
        f"criterio «Impacto» es {mark}; debe ser un número entero del 1 al 5."
    )
    assert not PrioritizationEntry.objects.exists()


def test_an_empty_entry_is_refused(state_a, alicia):
    prioritization = make_prioritization(state_a)
    with pytest.raises(ValidationError) as error:
        services.prioritization_entry_submit(prioritization=prioritization, data=[], user=alicia)
    assert "Ordena al menos una problemática." in messages_of(error)


def test_facilitator_records_the_entry_of_a_named_participant_of_a_nucleus(state_a, fernanda):
    p1, p2, p3 = make_problems(state_a, 3)
    prioritization = make_prioritization(state_a, problems=[p1, p2, p3])
    guarantor = state_a.nuclei.get(kind=Nucleus.Kind.GUARANTOR)
    on_the_register(state_a, "Rosa Juárez", kind=Nucleus.Kind.GUARANTOR)

    entry = services.prioritization_entry_record(
        prioritization=prioritization,
        nucleus=guarantor,
        participant="  Rosa   Juárez ",
        data=[p3.pk, p1.pk],
        user=fernanda,
    )

    assert entry.participant == "Rosa Juárez"
    assert entry.nucleus == guarantor
    assert entry.member is None
    assert entry.entered_by == fernanda


def test_the_same_participant_name_cannot_be_recorded_twice(state_a, fernanda):
    p1, p2, _p3 = make_problems(state_a, 3)
    prioritization = make_prioritization(state_a, problems=[p1, p2, _p3])
    nucleus = civil_society(state_a)
    on_the_register(state_a, "Rosa Juárez")
    services.prioritization_entry_record(
        prioritization=prioritization,
        nucleus=nucleus,
        participant="Rosa Juárez",
        data=[p1.pk],
        user=fernanda,
    )

    with pytest.raises(ValidationError) as error:
        services.prioritization_entry_record(
            prioritization=prioritization,
            nucleus=nucleus,
            participant="Rosa Juárez",
            data=[p2.pk],
            user=fernanda,
        )

    assert "Ya hay una participación registrada a nombre de «Rosa Juárez»" in messages_of(error)
    assert PrioritizationEntry.objects.get().data == [p1.pk]


def test_the_nucleus_must_belong_to_the_stl(state_a, state_b, fernanda):
    prioritization = make_prioritization(state_a)
    with pytest.raises(ValidationError) as error:
        services.prioritization_entry_record(
            prioritization=prioritization,
            nucleus=civil_society(state_b),
            participant="Rosa Juárez",
            data=[prioritization.problems.first().pk],
            user=fernanda,
        )
    assert "Ese núcleo no pertenece a este STL." in messages_of(error)
    assert not PrioritizationEntry.objects.exists()


@pytest.mark.parametrize(
    "name", ["Fernanda Ríos", "  fernanda   rios ", "FERNANDA RÍOS", "Fernánda Rios"]
)
def test_facilitator_cannot_record_an_entry_under_her_own_name(state_a, fernanda, name):
    prioritization = make_prioritization(state_a)

    with pytest.raises(ValidationError) as error:
        services.prioritization_entry_record(
            prioritization=prioritization,
            nucleus=civil_society(state_a),
            participant=name,
            data=[prioritization.problems.first().pk],
            user=fernanda,
        )

    assert error.value.message_dict["participant"] == [
        "La persona facilitadora tiene voz, pero no voto (requisito 4.b): no puede registrar "
        "una participación a su propio nombre."
    ]
    assert not PrioritizationEntry.objects.exists()


def test_a_participant_whose_name_only_resembles_the_facilitators_is_recorded(state_a, fernanda):
    prioritization = make_prioritization(state_a)
    on_the_register(state_a, "Fernanda Ríos Pérez")
    entry = services.prioritization_entry_record(
        prioritization=prioritization,
        nucleus=civil_society(state_a),
        participant="Fernanda Ríos Pérez",
        data=[prioritization.problems.first().pk],
        user=fernanda,
    )
    assert entry.participant == "Fernanda Ríos Pérez"


def test_only_the_facilitator_records_on_behalf_of_others(state_a, alicia, rita):
    prioritization = make_prioritization(state_a)
    for user in (alicia, rita):
        with pytest.raises(PermissionDenied):
            services.prioritization_entry_record(
                prioritization=prioritization,
                nucleus=civil_society(state_a),
                participant="Rosa Juárez",
                data=[prioritization.problems.first().pk],
                user=user,
            )
    assert not PrioritizationEntry.objects.exists()


def test_facilitator_does_not_take_part_as_herself_and_outsiders_neither(
    state_a, fernanda, bruno, rita
):
    prioritization = make_prioritization(state_a)
    first = prioritization.problems.first().pk
    for user in (fernanda, bruno, rita):
        with pytest.raises(PermissionDenied):
            services.prioritization_entry_submit(
                prioritization=prioritization, data=[first], user=user
            )
    assert not PrioritizationEntry.objects.exists()


def test_an_entry_can_be_deleted_by_its_author_while_open(state_a, alicia, fernanda, carlos):
    on_the_register(state_a, "Rosa Juárez")
    p1, p2, p3 = make_problems(state_a, 3)
    prioritization = make_prioritization(state_a, problems=[p1, p2, p3])
    own = services.prioritization_entry_submit(
        prioritization=prioritization, data=[p1.pk], user=alicia
    )
    recorded = services.prioritization_entry_record(
        prioritization=prioritization,
        nucleus=civil_society(state_a),
        participant="Rosa Juárez",
        data=[p2.pk],
        user=fernanda,
    )

    with pytest.raises(PermissionDenied):
        services.prioritization_entry_delete(entry=own, user=carlos)
    with pytest.raises(PermissionDenied):
        services.prioritization_entry_delete(entry=own, user=fernanda)
    services.prioritization_entry_delete(entry=own, user=alicia)
    services.prioritization_entry_delete(entry=recorded, user=fernanda)

    assert not PrioritizationEntry.objects.exists()


# --- compute ---------------------------------------------------------------------------------


def test_borda_result_through_the_service_matches_the_hand_computed_example(
    state_a, alicia, carlos, fernanda
):
    p1, p2, p3, p4 = make_problems(state_a, 4)
    prioritization = make_prioritization(state_a, problems=[p1, p2, p3, p4])
    on_the_register(state_a, "Rosa Juárez")
    # n = 4: 1st place 3 points, 2nd 2, 3rd 1, 4th 0; unranked problems 0.
    services.prioritization_entry_submit(
        prioritization=prioritization, data=[p2.pk, p1.pk, p3.pk, p4.pk], user=alicia
    )  # p2 3, p1 2, p3 1, p4 0
    services.prioritization_entry_submit(
        prioritization=prioritization, data=[p1.pk, p2.pk], user=carlos
    )  # p1 3, p2 2 (partial ranking)
    services.prioritization_entry_record(
        prioritization=prioritization,
        nucleus=civil_society(state_a),
        participant="Rosa Juárez",
        data=[p3.pk, p1.pk, p2.pk, p4.pk],
        user=fernanda,
    )  # p3 3, p1 2, p2 1, p4 0
    # Totals: p1 = 2 + 3 + 2 = 7; p2 = 3 + 2 + 1 = 6; p3 = 1 + 0 + 3 = 4; p4 = 0.

    computed = services.prioritization_compute(prioritization=prioritization, user=alicia)

    computed.refresh_from_db()
    assert computed.status == Prioritization.Status.COMPUTED
    assert computed.computed_at is not None
    ranking = computed.result["ranking"]
    assert [(row["problem_id"], row["score"]) for row in ranking] == [
        (p1.pk, "7"),
        (p2.pk, "6"),
        (p3.pk, "4"),
        (p4.pk, "0"),
    ]
    assert [row["position"] for row in ranking] == [1, 2, 3, 4]
    assert not any(row["tied_with"] for row in ranking)
    steps = "\n".join(computed.result["steps"])
    assert "Carlos Pérez (Autoridades locales) ordenó 2 de 4 problemáticas" in steps
    assert "Rosa Juárez (Sociedad civil) ordenó 4 de 4 problemáticas" in steps
    assert (
        f"Problemática {p1.pk}: 3 (Carlos Pérez (Autoridades locales)) + 2 (Alicia Morales "
        "(Sociedad civil)) + 2 (Rosa Juárez (Sociedad civil)) = 7 puntos"
    ) in steps
    assert computed.result["method"] == "borda"


def test_borda_tie_is_shown_and_broken_by_registration_order(state_a, alicia, carlos):
    p1, p2 = make_problems(state_a, 2)
    prioritization = make_prioritization(state_a, problems=[p1, p2])
    services.prioritization_entry_submit(
        prioritization=prioritization, data=[p2.pk, p1.pk], user=alicia
    )
    services.prioritization_entry_submit(
        prioritization=prioritization, data=[p1.pk, p2.pk], user=carlos
    )

    result = services.prioritization_compute(prioritization=prioritization, user=carlos).result

    assert [row["problem_id"] for row in result["ranking"]] == [p1.pk, p2.pk]
    assert result["ranking"][0]["tied_with"] == [p2.pk]
    assert result["ranking"][0]["tiebreak"] == "registration_order"
    assert any("Empate con 1 punto" in step for step in result["steps"])


def test_vote_result_counts_ballots_per_problem(state_a, alicia, carlos):
    p1, p2, p3 = make_problems(state_a, 3)
    prioritization = make_prioritization(
        state_a, problems=[p1, p2, p3], method=Method.APPROVAL_VOTE, max_choices=2
    )
    services.prioritization_entry_submit(
        prioritization=prioritization, data=[p3.pk, p2.pk], user=alicia
    )
    services.prioritization_entry_submit(prioritization=prioritization, data=[p3.pk], user=carlos)

    result = services.prioritization_compute(prioritization=prioritization, user=alicia).result

    assert [(row["problem_id"], row["score"]) for row in result["ranking"]] == [
        (p3.pk, "2"),
        (p2.pk, "1"),
        (p1.pk, "0"),
    ]


def test_weighted_result_with_a_problem_nobody_scored(state_a, alicia, carlos):
    p1, p2, p3 = make_problems(state_a, 3)
    prioritization = make_prioritization(
        state_a,
        problems=[p1, p2, p3],
        method=Method.WEIGHTED_CRITERIA,
        criteria=[("Impacto", 2), ("Viabilidad", 1)],
    )
    impact, viability = prioritization.criteria.order_by("pk")
    services.prioritization_entry_submit(
        prioritization=prioritization,
        data={(p1.pk, impact.pk): 5, (p1.pk, viability.pk): 3, (p2.pk, impact.pk): 4},
        user=alicia,
    )
    services.prioritization_entry_submit(
        prioritization=prioritization,
        data={(p1.pk, impact.pk): 3, (p2.pk, viability.pk): 5},
        user=carlos,
    )
    # p1: impact mean (5 + 3) / 2 = 4 × 2 = 8; viability 3 × 1 = 3 → 11.
    # p2: impact 4 × 2 = 8; viability 5 × 1 = 5 → 13. p3: nobody scored → 0, unscored.

    result = services.prioritization_compute(prioritization=prioritization, user=alicia).result

    assert [(row["problem_id"], row["display_score"]) for row in result["ranking"]] == [
        (p2.pk, "13.00"),
        (p1.pk, "11.00"),
        (p3.pk, "0.00"),
    ]
    assert result["ranking"][2]["unscored"] is True


def test_computing_with_no_entries_is_refused(state_a, alicia):
    prioritization = make_prioritization(state_a)

    with pytest.raises(ValidationError) as error:
        services.prioritization_compute(prioritization=prioritization, user=alicia)

    assert "Todavía no hay participaciones" in messages_of(error)
    prioritization.refresh_from_db()
    assert prioritization.status == Prioritization.Status.OPEN
    assert prioritization.result is None


def test_a_computed_prioritization_takes_no_more_entries(state_a, alicia, carlos):
    prioritization = make_prioritization(state_a)
    first = prioritization.problems.order_by("pk").first()
    services.prioritization_entry_submit(
        prioritization=prioritization, data=[first.pk], user=alicia
    )
    services.prioritization_compute(prioritization=prioritization, user=alicia)

    with pytest.raises(ValidationError) as error:
        services.prioritization_entry_submit(
            prioritization=prioritization, data=[first.pk], user=carlos
        )
    assert "ya se calculó" in messages_of(error)
    with pytest.raises(ValidationError):
        services.prioritization_compute(prioritization=prioritization, user=alicia)
    assert PrioritizationEntry.objects.count() == 1


def test_reviewers_and_administrators_do_not_compute(state_a, alicia, rita, adan):
    prioritization = make_prioritization(state_a)
    make_entry(prioritization, participant="Rosa", data=[prioritization.problems.first().pk])
    for user in (rita, adan):
        with pytest.raises(PermissionDenied):
            services.prioritization_compute(prioritization=prioritization, user=user)
    prioritization.refresh_from_db()
    assert prioritization.status == Prioritization.Status.OPEN


def test_methodology_pdf_is_attached_as_evidence_after_compute(
    state_a, alicia, django_capture_on_commit_callbacks
):
    from evidence.models import Evidence

    p1, p2, p3 = make_problems(state_a, 3)
    prioritization = make_prioritization(state_a, problems=[p1, p2, p3], title="Ronda uno")
    services.prioritization_entry_submit(
        prioritization=prioritization, data=[p2.pk, p1.pk, p3.pk], user=alicia
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        prioritization = services.prioritization_compute(prioritization=prioritization, user=alicia)

    assert len(callbacks) == 1
    evidence = Evidence.objects.get(kind="metodologia")
    assert evidence.subject == prioritization
    assert evidence.uploaded_by == alicia
    assert evidence.generated_by_portal
    with evidence.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    # Delivering the job again (the broker's redelivery) runs nothing; rendering again (another
    # run) attaches nothing new.
    assert run_methodology_job(prioritization).attempts == 1
    assert (
        services.prioritization_methodology_attach(prioritization=prioritization, user=alicia)
        == evidence
    )
    assert Evidence.objects.filter(kind="metodologia").count() == 1


def test_history_records_who_acted(state_a, alicia, fernanda):
    on_the_register(state_a, "Rosa Juárez")
    p1, p2 = make_problems(state_a, 2)
    prioritization = services.prioritization_create(
        secretariat=state_a,
        title="Con historia",
        method=Method.BORDA,
        problems=[p1, p2],
        user=alicia,
    )
    entry = services.prioritization_entry_record(
        prioritization=prioritization,
        nucleus=civil_society(state_a),
        participant="Rosa Juárez",
        data=[p1.pk],
        user=fernanda,
    )
    services.prioritization_compute(prioritization=prioritization, user=fernanda)

    assert prioritization.history.earliest().history_user == alicia
    assert prioritization.history.latest().history_user == fernanda
    assert prioritization.history.latest().status == Prioritization.Status.COMPUTED
    assert entry.history.get().history_user == fernanda


def computed(secretariat, alicia):
    p1, p2 = make_problems(secretariat, 2)
    prioritization = make_prioritization(secretariat, problems=[p1, p2])
    make_entry(prioritization, participant="Ana", data=[p1.pk])
    return services.prioritization_compute(prioritization=prioritization, user=alicia)


def test_regenerating_the_methodology_after_a_failure_enqueues_the_task(
    state_a, alicia, django_capture_on_commit_callbacks
):
    from evidence.models import Evidence

    prioritization = computed(state_a, alicia)  # its task never runs: on_commit not executed
    fail_methodology(prioritization)
    assert not Evidence.objects.exists()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.prioritization_methodology_regenerate(prioritization=prioritization, user=alicia)

    assert len(callbacks) == 1
    assert Evidence.objects.get(kind="metodologia").subject == prioritization


def test_regenerating_is_refused_before_computing_and_once_attached(
    state_a, alicia, django_capture_on_commit_callbacks
):
    open_one = make_prioritization(state_a)
    with pytest.raises(ValidationError) as error:
        services.prioritization_methodology_regenerate(prioritization=open_one, user=alicia)
    assert "esta priorización aún no se calcula" in messages_of(error)

    prioritization = computed(state_a, alicia)
    services.prioritization_methodology_attach(prioritization=prioritization, user=alicia)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError) as error,
    ):
        services.prioritization_methodology_regenerate(prioritization=prioritization, user=alicia)
    assert "ya tiene su documento de metodología" in messages_of(error)
    assert callbacks == []


def test_only_members_and_the_facilitator_regenerate_the_methodology(
    state_a, alicia, rita, adan, django_capture_on_commit_callbacks
):
    prioritization = computed(state_a, alicia)
    for user in (rita, adan):
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(PermissionDenied),
        ):
            services.prioritization_methodology_regenerate(prioritization=prioritization, user=user)
        assert callbacks == []


def test_a_withdrawn_methodology_is_generated_again(state_a, alicia):
    from django.utils import timezone

    from evidence.models import Evidence

    prioritization = computed(state_a, alicia)
    first = services.prioritization_methodology_attach(prioritization=prioritization, user=alicia)
    # Withdrawn before generated documents were protected from withdrawal by hand.
    Evidence.objects.filter(pk=first.pk).update(
        withdrawn_at=timezone.now(), withdrawn_by=alicia, withdrawal_reason="Archivo dañado"
    )

    second = services.prioritization_methodology_attach(prioritization=prioritization, user=alicia)

    assert second.pk != first.pk
    assert Evidence.objects.filter(kind="metodologia").count() == 2
    assert (
        services.prioritization_methodology_attach(prioritization=prioritization, user=alicia)
        == second
    )


# --- the methodology job: rendered by a worker, outside any row lock ----------------------------

Status = Job.Status


def job_of(prioritization) -> Job:
    """Return the latest job that renders the prioritisation's methodology (pal_portal.jobs)."""
    return jobs.latest_job(prioritization.methodology_job_key)


def rendering_spy(check=None):
    """Patch the PDF render: call ``check()`` while it runs, then render for real."""
    from cocreation import methodology

    real = methodology.methodology_pdf

    def render(**kwargs):
        if check is not None:
            check()
        return real(**kwargs)

    return mock.patch("cocreation.methodology.methodology_pdf", side_effect=render)


def test_computing_queues_the_job_and_renders_nothing(state_a, alicia):
    with rendering_spy() as render:
        prioritization = computed(state_a, alicia)  # the task waits for the commit

    job = job_of(prioritization)
    assert (job.status, job.requested_by, job.attempts) == (Status.QUEUED, alicia, 0)
    assert (job.task_name, job.args) == (
        "cocreation.generate_prioritization_methodology",
        [prioritization.pk],
    )
    assert job.key == f"cocreation.methodology:{prioritization.pk}"
    assert job.get_status_display() == "En cola"
    render.assert_not_called()


def test_the_job_goes_from_queued_to_running_to_done(state_a, alicia):
    from evidence.models import Evidence

    prioritization = computed(state_a, alicia)
    seen = []
    with rendering_spy(lambda: seen.append(job_of(prioritization))) as render:
        job = run_methodology_job(prioritization)

    render.assert_called_once()
    (during,) = seen
    assert (during.status, during.attempts) == (Status.RUNNING, 1)
    assert during.started_at is not None and during.finished_at is None
    # Its lease is the task's hard time limit: past it, the page counts the job as failed.
    assert during.lease_until - during.started_at == dt.timedelta(seconds=METHODOLOGY_TIME_LIMIT)
    assert (job.status, job.error) == (Status.DONE, "")
    assert job.finished_at >= job.started_at
    evidence = Evidence.objects.get(kind="metodologia")
    assert evidence.uploaded_by == alicia  # on behalf of whoever asked for the job


def test_a_failed_render_marks_the_job_failed_and_a_retry_attaches_one_document(
    state_a, alicia, fernanda, django_capture_on_commit_callbacks
):
    from evidence.models import Evidence

    prioritization = computed(state_a, alicia)

    fail_methodology(prioritization)

    job = job_of(prioritization)
    assert (job.status, job.attempts) == (Status.FAILED, 1)
    assert job.error.startswith("RuntimeError")
    assert not Evidence.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.prioritization_methodology_regenerate(prioritization=prioritization, user=fernanda)
    job = job_of(prioritization)
    assert (job.status, job.requested_by, job.error) == (Status.QUEUED, fernanda, "")

    # The worker runs the task, and a late duplicate of it runs again: one document.
    callbacks[0]()
    callbacks[0]()
    job = job_of(prioritization)
    assert (job.status, job.attempts) == (Status.DONE, 2)
    assert Job.objects.filter(key=prioritization.methodology_job_key).count() == 1  # retried
    assert Evidence.objects.get(kind="metodologia").uploaded_by == fernanda


def test_a_render_past_the_soft_time_limit_fails_the_job(state_a, alicia):
    from celery.exceptions import SoftTimeLimitExceeded

    prioritization = computed(state_a, alicia)
    too_slow = mock.patch(
        "cocreation.methodology.methodology_pdf", side_effect=SoftTimeLimitExceeded
    )
    with too_slow, pytest.raises(SoftTimeLimitExceeded):
        run_methodology_job(prioritization)

    job = job_of(prioritization)
    assert job.status == Status.FAILED
    assert job.error.startswith("SoftTimeLimitExceeded")


def test_two_runs_at_once_attach_one_document(state_a, alicia):
    """The job renders while another run attaches: it finds the document and keeps it."""
    from evidence.models import Evidence

    prioritization = computed(state_a, alicia)
    started, other_run = [], []

    def meanwhile():
        if not started:  # the first render only; the other run's own render goes on
            started.append(True)
            other_run.append(
                services.prioritization_methodology_attach(
                    prioritization=Prioritization.objects.get(pk=prioritization.pk), user=alicia
                )
            )

    with rendering_spy(meanwhile) as render:
        job = run_methodology_job(prioritization)

    assert render.call_count == 2  # both rendered, outside the lock…
    # …but the job kept the other run's document.
    assert list(Evidence.objects.filter(kind="metodologia")) == [other_run[0]]
    assert job.status == Status.DONE


def test_a_second_delivery_of_the_job_while_it_renders_renders_nothing(state_a, alicia):
    prioritization = computed(state_a, alicia)
    second = []

    with rendering_spy(lambda: second.append(run_methodology_job(prioritization))) as render:
        job = run_methodology_job(prioritization)

    render.assert_called_once()  # the redelivery found the job taken
    assert second[0].status == Status.RUNNING
    assert (job.status, job.attempts) == (Status.DONE, 1)


def test_asking_again_is_refused_while_the_job_is_on_its_way(
    state_a, alicia, django_capture_on_commit_callbacks
):
    prioritization = computed(state_a, alicia)  # queued

    for status in (Status.QUEUED, Status.RUNNING):
        Job.objects.filter(key=prioritization.methodology_job_key).update(
            status=status,
            started_at=timezone.now(),
            lease_until=timezone.now() + dt.timedelta(seconds=METHODOLOGY_TIME_LIMIT),
        )
        with (
            django_capture_on_commit_callbacks(execute=False) as callbacks,
            pytest.raises(ValidationError) as error,
        ):
            services.prioritization_methodology_regenerate(
                prioritization=prioritization, user=alicia
            )
        assert "ya se está generando" in messages_of(error)
        assert callbacks == []


def test_a_job_running_longer_than_the_hard_time_limit_counts_as_failed(state_a, alicia, fernanda):
    prioritization = computed(state_a, alicia)
    started = timezone.now()
    limit = dt.timedelta(seconds=METHODOLOGY_TIME_LIMIT)
    Job.objects.filter(key=prioritization.methodology_job_key).update(
        status=Status.RUNNING, started_at=started, lease_until=started + limit, attempts=1
    )
    job = job_of(prioritization)

    assert job.status_at(started + limit) == Status.RUNNING
    assert job.status_at(started + limit + dt.timedelta(seconds=1)) == Status.FAILED

    # Once dead, it may be asked for again: the same job, queued again for whoever asked.
    Job.objects.filter(pk=job.pk).update(lease_until=started - limit)
    services.prioritization_methodology_regenerate(prioritization=prioritization, user=fernanda)
    job = job_of(prioritization)
    assert (job.status, job.requested_by) == (Status.QUEUED, fernanda)


def test_a_job_nobody_took_for_hours_stays_queued_and_the_sweep_hands_it_over(
    state_a, alicia, django_capture_on_commit_callbacks
):
    """The job row is the outbox: a job the broker lost is handed over again, not failed."""
    from evidence.models import Evidence

    prioritization = computed(state_a, alicia)
    job = job_of(prioritization)
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=3))

    assert job_of(prioritization).shown_status == Status.QUEUED
    with pytest.raises(ValidationError) as error:
        services.prioritization_methodology_regenerate(prioritization=prioritization, user=alicia)
    assert "ya se está generando" in messages_of(error)

    assert jobs.jobs_sweep()["resent"] == 1
    assert job_of(prioritization).status == Status.DONE
    assert Evidence.objects.get(kind="metodologia").uploaded_by == alicia


def test_the_task_time_limits_are_the_ones_the_page_uses_and_fit_the_broker(settings):
    """As shipped: a render is cut before the broker would hand the message to another worker."""
    from cocreation.tasks import generate_prioritization_methodology as task

    assert (task.soft_time_limit, task.time_limit) == (
        METHODOLOGY_SOFT_TIME_LIMIT,
        METHODOLOGY_TIME_LIMIT,
    )
    assert jobs.hard_time_limit(task) == METHODOLOGY_TIME_LIMIT  # the job's lease
    assert 0 < METHODOLOGY_SOFT_TIME_LIMIT < METHODOLOGY_TIME_LIMIT
    assert METHODOLOGY_TIME_LIMIT < settings.CELERY_VISIBILITY_TIMEOUT


def test_the_row_is_locked_only_after_rendering_and_no_transaction_is_open_meanwhile(
    state_a, alicia
):
    from django.db import connection

    from cocreation.services import prioritization as module

    prioritization = computed(state_a, alicia)
    outside = len(connection.savepoint_ids)  # the test's own transaction, nothing of ours
    real_locked = module._locked
    events = []

    def locked(prioritization):
        events.append("lock")
        return real_locked(prioritization)

    with (
        mock.patch.object(module, "_locked", side_effect=locked),
        rendering_spy(lambda: events.append(("render", len(connection.savepoint_ids)))),
    ):
        services.prioritization_methodology_attach(prioritization=prioritization, user=alicia)

    assert events == [("render", outside), "lock"]


@pytest.mark.django_db(transaction=True)
def test_another_connection_updates_the_prioritization_while_its_pdf_renders(state_a, alicia):
    """PostgreSQL, two connections: the row is free while the worker renders."""
    import threading

    from django.db import connection, transaction

    from evidence.models import Evidence
    from pal_portal.celery import app as celery_app

    if connection.vendor != "postgresql":
        pytest.skip("Row locks are proven on PostgreSQL.")
    task = celery_app.tasks["cocreation.generate_prioritization_methodology"]
    with mock.patch.object(task, "apply_async"):  # the worker runs it below, not the commit
        prioritization = computed(state_a, alicia)
    errors = []

    def rename_from_another_connection():
        try:
            with transaction.atomic():
                row = Prioritization.objects.select_for_update(nowait=True).get(
                    pk=prioritization.pk
                )
                row.title = "Renombrada mientras se genera el PDF"
                row.save(update_fields=["title"])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    def meanwhile():
        other = threading.Thread(target=rename_from_another_connection)
        other.start()
        other.join(timeout=30)

    with rendering_spy(meanwhile) as render:
        job = run_methodology_job(prioritization)

    render.assert_called_once()
    assert errors == []
    prioritization.refresh_from_db()
    assert prioritization.title == "Renombrada mientras se genera el PDF"
    assert Evidence.objects.get(kind="metodologia").uploaded_by == alicia
    assert job.status == Status.DONE


GENERATED = (
    "El portal generó este documento y solo el portal puede generarlo de nuevo: no se puede "
    "sustituir, retirar ni agregarle una versión pública."
)


def test_no_member_replaces_or_withdraws_the_methodology_the_portal_generated(
    state_a, alicia, carlos
):
    from evidence import services as evidence_services
    from evidence.models import Evidence
    from tests.evidence.factories import pdf_file

    prioritization = computed(state_a, alicia)
    methodology = services.prioritization_methodology_attach(
        prioritization=prioritization, user=alicia
    )

    with pytest.raises(ValidationError) as error:
        evidence_services.evidence_supersede(
            evidence=methodology,
            uploaded_file=pdf_file("otra-metodologia.pdf"),
            description="Metodología corregida",
            user=carlos,
        )
    assert error.value.messages == [GENERATED]
    with pytest.raises(ValidationError) as error:
        evidence_services.evidence_withdraw(evidence=methodology, reason="Otra", user=carlos)
    assert error.value.messages == [GENERATED]

    assert list(Evidence.objects.all()) == [methodology]
    assert methodology.is_current


def test_a_methodology_uploaded_by_hand_does_not_stand_in_for_the_portals(state_a, alicia):
    from evidence.models import Evidence
    from tests.evidence.factories import attach

    prioritization = computed(state_a, alicia)
    by_hand = attach(prioritization, alicia, name="metodologia.pdf", kind="metodologia")

    generated = services.prioritization_methodology_attach(
        prioritization=prioritization, user=alicia
    )

    assert generated.pk != by_hand.pk and generated.generated_by_portal
    assert Evidence.objects.filter(kind="metodologia").count() == 2
