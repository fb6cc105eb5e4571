"""Prioritisation pages: friendly forms per method, bad input, result, methodology, scoping."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from cocreation import services
from cocreation.models import (
    METHODOLOGY_TIME_LIMIT,
    Prioritization,
    PrioritizationEntry,
)
from cocreation.tasks import generate_prioritization_methodology
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
from tests.conftest import client_for
from tests.factories import UserFactory, add_member

pytestmark = pytest.mark.django_db

Method = Prioritization.Method


def url(name, prioritization, **extra):
    return reverse(
        f"cocreation:{name}",
        kwargs={
            "pk": prioritization.secretariat_id,
            "prioritization_pk": prioritization.pk,
            **extra,
        },
    )


def text(response) -> str:
    return response.content.decode()


# --- create ----------------------------------------------------------------------------------


def test_member_opens_a_prioritization_through_the_form(state_a, alicia):
    problems = make_problems(state_a, 3)
    client = client_for(alicia)

    page = client.get(reverse("cocreation:prioritization_create", kwargs={"pk": state_a.pk}))
    assert page.status_code == 200
    assert "Problemática 1" in text(page)

    response = client.post(
        reverse("cocreation:prioritization_create", kwargs={"pk": state_a.pk}),
        {"title": "Ronda uno", "method": "borda", "problems": [p.pk for p in problems]},
    )

    prioritization = Prioritization.objects.get()
    assert response.status_code == 302
    assert response.url == url("prioritization_detail", prioritization)
    assert prioritization.problems.count() == 3


def test_weighted_criteria_with_a_zero_weight_shows_the_message_and_saves_nothing(
    state_a, fernanda
):
    problems = make_problems(state_a, 2)

    response = client_for(fernanda).post(
        reverse("cocreation:prioritization_create", kwargs={"pk": state_a.pk}),
        {
            "title": "Por criterios",
            "method": "weighted_criteria",
            "problems": [p.pk for p in problems],
            "criterion_1_label": "Impacto",
            "criterion_1_weight": "0",
        },
    )

    assert response.status_code == 200
    assert "El peso del criterio «Impacto» debe ser un número positivo." in text(response)
    assert not Prioritization.objects.exists()


def test_a_problem_of_another_stl_is_not_offered_nor_accepted(state_a, state_b, alicia):
    own = make_problems(state_a, 2)
    foreign = make_problem(state_b, "Problemática de Jalisco")
    client = client_for(alicia)
    create_url = reverse("cocreation:prioritization_create", kwargs={"pk": state_a.pk})

    assert "Problemática de Jalisco" not in text(client.get(create_url))
    response = client.post(
        create_url,
        {"title": "Mezcla", "method": "borda", "problems": [own[0].pk, foreign.pk]},
    )

    assert response.status_code == 200
    assert "Esa problemática no pertenece a esta priorización." in text(response)
    assert not Prioritization.objects.exists()


# --- entries ---------------------------------------------------------------------------------


def place(problem) -> str:
    """Return the name of the Borda form's input for the place of ``problem``."""
    return f"place_of_{problem.pk}"


def test_borda_form_has_one_place_input_per_problem(state_a, alicia):
    p1, p2, p3 = make_problems(state_a, 3)
    prioritization = make_prioritization(state_a, problems=[p1, p2, p3])

    page = text(client_for(alicia).get(url("prioritization_entry", prioritization)))

    assert page.count('type="number" name="place_of_') == 3
    for problem in (p1, p2, p3):
        assert (
            f'<label class="visually-hidden" for="id_{place(problem)}">Lugar de «{problem.title}»'
            in (page)
        )
        assert f'<th scope="row">{problem.pk}. {problem.title}</th>' in page
    assert 'min="1"' in page and 'max="3"' in page
    assert "<option" not in page.split('<form method="post" novalidate>')[1]


@pytest.mark.parametrize("count", [10, 20, 40])
def test_borda_form_grows_linearly_with_the_problems(state_a, alicia, count):
    prioritization = make_prioritization(state_a, problems=make_problems(state_a, count))
    page = text(client_for(alicia).get(url("prioritization_entry", prioritization)))
    # 40 problems once took 1,640 options (126 KB); each problem now takes one row.
    assert page.count("<option") == 2  # the language selector's
    assert len(page.encode()) < 6_000 + 600 * count


def test_member_submits_a_partial_ranking_through_the_form(state_a, alicia):
    p1, p2, p3 = make_problems(state_a, 3)
    prioritization = make_prioritization(state_a, problems=[p1, p2, p3])

    response = client_for(alicia).post(
        url("prioritization_entry", prioritization),
        {place(p3): "1", place(p1): "2", place(p2): ""},
    )

    assert response.status_code == 302
    entry = PrioritizationEntry.objects.get()
    assert entry.data == [p3.pk, p1.pk]
    assert entry.member.user == alicia
    # Coming back, the form shows the saved ranking, ready to change.
    page = text(client_for(alicia).get(url("prioritization_entry", prioritization)))
    assert "Modificar mi participación" in page
    assert f'name="{place(p3)}" value="1"' in page
    assert f'name="{place(p1)}" value="2"' in page
    assert f'name="{place(p2)}" inputmode=' in page


@pytest.mark.parametrize(
    ("places", "message"),
    [
        ({"P1": "2"}, "Llena los lugares en orden, sin huecos: el 1.º lugar está vacío"),
        (
            {"P1": "1", "P2": "1"},
            "Cada lugar es de una sola problemática: el 1.º lugar está repetido.",
        ),
        ({"P1": "3"}, "El lugar debe ser un número entero del 1 al 2."),
        ({"P1": "0"}, "El lugar debe ser un número entero del 1 al 2."),
        ({"P1": "primero"}, "El lugar debe ser un número entero del 1 al 2."),
        ({"FOREIGN": "1"}, "Esa problemática no pertenece a esta priorización."),
        ({"OUTSIDE": "1", "P1": "2"}, "Esa problemática no pertenece a esta priorización."),
        ({}, "Ordena al menos una problemática."),
    ],
)
def test_bad_rankings_show_a_spanish_message_and_save_nothing(
    state_a, state_b, alicia, places, message
):
    p1, p2, outside = make_problems(state_a, 3)
    foreign = make_problem(state_b, "Ajena")
    prioritization = make_prioritization(state_a, problems=[p1, p2])
    problems = {"P1": p1, "P2": p2, "FOREIGN": foreign, "OUTSIDE": outside}

    response = client_for(alicia).post(
        url("prioritization_entry", prioritization),
        {place(problems[key]): value for key, value in places.items()},
    )

    assert response.status_code == 200
    assert message in text(response)
    assert not PrioritizationEntry.objects.exists()


def test_vote_form_has_checkboxes_and_refuses_too_many_choices(state_a, alicia):
    problems = make_problems(state_a, 3)
    prioritization = make_prioritization(
        state_a, problems=problems, method=Method.APPROVAL_VOTE, max_choices=2
    )
    client = client_for(alicia)

    page = text(client.get(url("prioritization_entry", prioritization)))
    assert page.count('type="checkbox" name="choices"') == 3
    assert "Elige hasta 2 problemáticas" in page

    response = client.post(
        url("prioritization_entry", prioritization), {"choices": [p.pk for p in problems]}
    )

    assert response.status_code == 200
    assert "marca 3 problemáticas; el máximo permitido es 2." in text(response)
    assert not PrioritizationEntry.objects.exists()


def test_weighted_form_is_a_grid_and_refuses_marks_outside_1_to_5(state_a, alicia):
    p1, p2 = make_problems(state_a, 2)
    prioritization = make_prioritization(
        state_a,
        problems=[p1, p2],
        method=Method.WEIGHTED_CRITERIA,
        criteria=[("Impacto", 2), ("Viabilidad", 1)],
    )
    impact, viability = prioritization.criteria.order_by("pk")
    client = client_for(alicia)

    page = text(client.get(url("prioritization_entry", prioritization)))
    assert page.count('type="number" name="score_') == 4
    assert 'min="1"' in page and 'max="5"' in page

    response = client.post(
        url("prioritization_entry", prioritization),
        {f"score_{p1.pk}_{impact.pk}": "5", f"score_{p2.pk}_{viability.pk}": "9"},
    )
    assert response.status_code == 200
    assert "«Viabilidad» es 9; debe ser un número entero del 1 al 5." in text(response)
    assert not PrioritizationEntry.objects.exists()

    # Blanks are allowed: only the marks given are stored.
    response = client.post(
        url("prioritization_entry", prioritization), {f"score_{p1.pk}_{impact.pk}": "5"}
    )
    assert response.status_code == 302
    assert PrioritizationEntry.objects.get().data == [[p1.pk, impact.pk, 5]]


def test_facilitator_records_a_named_participant_of_a_nucleus(state_a, fernanda):
    p1, p2, p3 = make_problems(state_a, 3)
    prioritization = make_prioritization(state_a, problems=[p1, p2, p3])
    guarantor = state_a.nuclei.get(kind=Nucleus.Kind.GUARANTOR)
    on_the_register(state_a, "Rosa Juárez", kind=Nucleus.Kind.GUARANTOR)
    client = client_for(fernanda)

    page = text(client.get(url("prioritization_entry", prioritization)))
    assert "Nombre de la persona participante" in page

    response = client.post(
        url("prioritization_entry", prioritization),
        {
            "participant": "Rosa Juárez",
            "nucleus": guarantor.pk,
            place(p2): "1",
            "another": "1",
        },
    )

    assert response.status_code == 302
    assert response.url == url("prioritization_entry", prioritization)
    entry = PrioritizationEntry.objects.get()
    assert (entry.participant, entry.nucleus, entry.member, entry.entered_by) == (
        "Rosa Juárez",
        guarantor,
        None,
        fernanda,
    )


def test_facilitator_cannot_record_an_entry_under_her_own_name_through_the_form(state_a, fernanda):
    p1, p2, p3 = make_problems(state_a, 3)
    prioritization = make_prioritization(state_a, problems=[p1, p2, p3])

    response = client_for(fernanda).post(
        url("prioritization_entry", prioritization),
        {
            "participant": "fernanda rios",
            "nucleus": state_a.nuclei.get(kind=Nucleus.Kind.CIVIL_SOCIETY).pk,
            place(p1): "1",
        },
    )

    assert response.status_code == 200
    assert (
        "La persona facilitadora tiene voz, pero no voto (requisito 4.b): no puede registrar "
        "una participación a su propio nombre."
    ) in text(response)
    assert not PrioritizationEntry.objects.exists()


# --- compute and result ----------------------------------------------------------------------


def test_compute_shows_ordered_problems_steps_and_the_methodology_pdf(
    state_a, alicia, fernanda, django_capture_on_commit_callbacks
):
    p1, p2, p3 = make_problems(state_a, 3)
    prioritization = make_prioritization(state_a, problems=[p1, p2, p3], title="Ronda uno")
    on_the_register(state_a, "Rosa Juárez", kind=Nucleus.Kind.LOCAL_AUTHORITIES)
    client = client_for(alicia)
    client.post(
        url("prioritization_entry", prioritization),
        {place(p2): "1", place(p1): "2", place(p3): "3"},
    )
    client_for(fernanda).post(
        url("prioritization_entry", prioritization),
        {
            "participant": "Rosa Juárez",
            "nucleus": state_a.nuclei.get(kind=Nucleus.Kind.LOCAL_AUTHORITIES).pk,
            place(p1): "1",
        },
    )
    # p1 = 1 + 2 = 3, p2 = 2, p3 = 0.

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("prioritization_compute", prioritization))

    assert response.status_code == 302
    page = text(client.get(url("prioritization_detail", prioritization)))
    order = [page.index(f"{p.pk}. {p.title}</th>") for p in (p1, p2, p3)]
    assert order == sorted(order)
    assert "Cálculo paso a paso" in page
    assert (
        f"Problemática {p1.pk}: 2 (Rosa Juárez (Autoridades locales)) + 1 (Alicia Morales "
        "(Sociedad civil)) = 3 puntos"
    ) in page
    assert "Orden final" in page
    assert f"metodologia-priorizacion-{prioritization.pk}.pdf" in page
    assert "Calcular el resultado" not in page


def test_a_tie_is_shown_on_the_result(state_a, alicia):
    p1, p2 = make_problems(state_a, 2)
    prioritization = make_prioritization(state_a, problems=[p1, p2])
    make_entry(prioritization, participant="Ana", data=[p1.pk])
    make_entry(prioritization, participant="Beto", data=[p2.pk])

    client_for(alicia).post(url("prioritization_compute", prioritization))

    page = text(client_for(alicia).get(url("prioritization_detail", prioritization)))
    # One point and one first place each: registration order (the lower number) decides.
    first, second = result_row(page, p1), result_row(page, p2)
    assert first.startswith("<td>1.º</td>")
    assert second.startswith("<td>2.º</td>")
    assert '<span class="tag tag-warn">empate</span>' in first
    assert f"con {p2.pk}. {p2.title}; lugar decidido por orden de registro" in first
    assert '<span class="tag tag-warn">empate</span>' in second
    assert f"con {p1.pk}. {p1.title}; lugar decidido por orden de registro" in second


def result_row(page: str, problem) -> str:
    """Return the result table's row of ``problem`` (from its first cell to ``</tr>``)."""
    result = page[page.index('id="resultado"') :]
    header = result.index(f'<th scope="row">{problem.pk}. {problem.title}')
    start = result.rindex("<tr>", 0, header) + len("<tr>")
    return result[start : result.index("</tr>", header)].strip()


def test_computing_without_entries_is_refused_with_a_message(state_a, alicia):
    prioritization = make_prioritization(state_a)

    response = client_for(alicia).post(url("prioritization_compute", prioritization), follow=True)

    assert "Todavía no hay participaciones" in text(response)
    prioritization.refresh_from_db()
    assert prioritization.status == Prioritization.Status.OPEN


def test_reviewer_reads_but_sees_no_entry_or_compute_buttons(state_a, rita):
    prioritization = make_prioritization(state_a)

    page = text(client_for(rita).get(url("prioritization_detail", prioritization)))

    assert prioritization.title in page
    assert url("prioritization_entry", prioritization) not in page
    assert url("prioritization_compute", prioritization) not in page


# --- scoping ---------------------------------------------------------------------------------


def test_another_states_member_gets_404_on_each_object(state_a, state_b, bruno, fernanda):
    prioritization = make_prioritization(state_a)
    entry = make_entry(prioritization, participant="Rosa", data=[])
    client = client_for(bruno)
    own_stl = {"pk": state_b.pk, "prioritization_pk": prioritization.pk}

    for name in ("prioritization_detail", "prioritization_entry"):
        assert client.get(url(name, prioritization)).status_code == 404
        # Through bruno's own STL in the URL, state A's prioritisation is still not found.
        assert client.get(reverse(f"cocreation:{name}", kwargs=own_stl)).status_code == 404
    assert client.post(url("prioritization_compute", prioritization)).status_code == 404
    assert (
        client.post(
            url("prioritization_entry_delete", prioritization, entry_pk=entry.pk)
        ).status_code
        == 404
    )
    assert PrioritizationEntry.objects.filter(pk=entry.pk).exists()


# --- query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("entries", [2, 40])
def test_detail_query_count_does_not_grow_with_entries(
    state_a, alicia, entries, django_assert_num_queries
):
    problems = make_problems(state_a, 4)
    prioritization = make_prioritization(state_a, problems=problems)
    nuclei = list(state_a.nuclei.all())
    for n in range(entries):
        member = add_member(
            state_a, kind=nuclei[n % len(nuclei)].kind, user=UserFactory(full_name=f"P {n}")
        )
        make_entry(
            prioritization,
            participant=f"P {n}",
            member=member,
            data=[problems[n % 4].pk, problems[(n + 1) % 4].pk],
        )
    make_entry(prioritization, participant="Rosa", data=[problems[0].pk])
    prioritization.result = None
    client = client_for(alicia)
    detail = url("prioritization_detail", prioritization)
    client.post(url("prioritization_compute", prioritization))
    client.get(detail)  # warms Django's content-type cache, as any running server has it

    # Session, user, secretariat, object permissions (user, groups), global permissions (user,
    # groups), prioritization, its evidence list (the panel reuses the page's access: no
    # permission is asked again), the methodology job (none once the document is there),
    # problems, criteria, entries.
    with django_assert_num_queries(QUERIES_ON_DETAIL):
        response = client.get(detail)
    assert response.status_code == 200


QUERIES_ON_DETAIL = 12  # with the count of the evidence panel's pages


def form_tag(page: str, action: str) -> str:
    """Return the opening ``<form …>`` tag that posts to ``action``."""
    at = page.index(f'action="{action}"')
    return page[page.rindex("<form", 0, at) : page.index(">", at) + 1]


def test_computing_asks_for_confirmation_first(state_a, alicia):
    prioritization = make_prioritization(state_a)

    page = text(client_for(alicia).get(url("prioritization_detail", prioritization)))

    assert 'data-confirm="Al calcular el resultado se cierra la priorización' in form_tag(
        page, url("prioritization_compute", prioritization)
    )


# --- the methodology, again ------------------------------------------------------------------


def computed_without_methodology(secretariat, alicia):
    """Compute a prioritisation whose methodology job failed."""
    p1, p2 = make_problems(secretariat, 2)
    prioritization = make_prioritization(secretariat, problems=[p1, p2], title="Sin PDF")
    make_entry(prioritization, participant="Ana", data=[p1.pk, p2.pk])
    # The test's transaction never commits, so the task enqueued on commit never runs…
    client_for(alicia).post(url("prioritization_compute", prioritization))
    prioritization.refresh_from_db()
    assert prioritization.status == Prioritization.Status.COMPUTED
    # …and a run of it by hand breaks.
    fail_methodology(prioritization)
    return prioritization


def test_a_failed_methodology_can_be_generated_again(
    state_a, alicia, django_capture_on_commit_callbacks
):
    from evidence.models import Evidence

    prioritization = computed_without_methodology(state_a, alicia)
    regenerate = url("prioritization_methodology_regenerate", prioritization)
    client = client_for(alicia)
    page = text(client.get(url("prioritization_detail", prioritization)))
    assert "No se pudo generar el documento de metodología" in page
    # Safe to repeat: a plain POST with its CSRF token, no confirmation asked.
    form = form_tag(page, regenerate)
    assert 'method="post"' in form and "data-confirm" not in form
    retry = page[page.index(form) : page.index("</form>", page.index(form))]
    assert "csrfmiddlewaretoken" in retry and "Reintentar" in retry

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(regenerate)

    assert response.status_code == 302
    assert len(callbacks) == 1
    evidence = Evidence.objects.get(kind="metodologia")
    assert evidence.subject == prioritization
    assert evidence.uploaded_by == alicia
    page = text(client.get(url("prioritization_detail", prioritization)))
    assert f"metodologia-priorizacion-{prioritization.pk}.pdf" in page
    assert reverse(
        "evidence:download", kwargs={"pk": state_a.pk, "evidence_id": evidence.pk}
    ) in section(page, "documento-metodologia")
    assert f'action="{regenerate}"' not in page

    # Asking once more is refused with a message; still one document.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(regenerate, follow=True)
    assert "ya tiene su documento de metodología" in text(again)
    assert Evidence.objects.filter(kind="metodologia").count() == 1


def test_facilitator_may_ask_again_and_reviewer_only_sees_that_it_failed(
    state_a, alicia, fernanda, rita
):
    prioritization = computed_without_methodology(state_a, alicia)
    regenerate = url("prioritization_methodology_regenerate", prioritization)

    assert f'action="{regenerate}"' in text(
        client_for(fernanda).get(url("prioritization_detail", prioritization))
    )
    page = text(client_for(rita).get(url("prioritization_detail", prioritization)))
    assert "No se pudo generar el documento de metodología" in page
    assert f'action="{regenerate}"' not in page
    assert client_for(rita).post(regenerate).status_code == 404


def test_a_withdrawn_methodology_shows_as_missing_with_its_button(state_a, alicia):
    from django.utils import timezone

    from evidence.models import Evidence

    prioritization = computed_without_methodology(state_a, alicia)
    services.prioritization_methodology_regenerate(prioritization=prioritization, user=alicia)
    assert run_methodology_job(prioritization).status == Job.Status.DONE
    evidence = Evidence.objects.get(kind="metodologia")
    # People cannot withdraw the portal's own documents; one withdrawn before that rule (or by
    # INAI in the database) must still be asked for again.
    evidence.withdrawn_at = timezone.now()
    evidence.withdrawn_by = alicia
    evidence.withdrawal_reason = "Archivo dañado"
    evidence.save()

    page = text(client_for(alicia).get(url("prioritization_detail", prioritization)))

    box = section(page, "documento-metodologia")
    assert 'data-methodology-status="falta"' in box
    assert "si se retiró, puedes pedirlo de nuevo" in box
    assert "Generar de nuevo el documento de metodología" in box


def test_an_open_prioritization_offers_no_methodology_button(state_a, alicia):
    prioritization = make_prioritization(state_a)
    page = text(client_for(alicia).get(url("prioritization_detail", prioritization)))
    assert "data-methodology-status-url" not in page
    assert f'action="{url("prioritization_methodology_regenerate", prioritization)}"' not in page


# --- the methodology job's progress, in place ---------------------------------------------------

Status = Job.Status


def section(page: str, id_: str) -> str:
    """Return the ``<section id=…>`` element of the page, whole."""
    start = page.index(f'<section id="{id_}"')
    return page[start : page.index("</section>", start)]


def status_of(client, prioritization) -> dict:
    response = client.get(url("prioritization_methodology_status", prioritization))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    return response.json()


def test_the_compute_post_answers_at_once_with_the_job_queued_and_renders_nothing(
    state_a, alicia, django_capture_on_commit_callbacks
):
    from evidence.models import Evidence
    from pal_portal import jobs
    from pal_portal.celery import app as celery_app

    p1, p2 = make_problems(state_a, 2)
    prioritization = make_prioritization(state_a, problems=[p1, p2], title="Sin esperar")
    make_entry(prioritization, participant="Ana", data=[p1.pk, p2.pk])
    task = celery_app.tasks["cocreation.generate_prioritization_methodology"]
    client = client_for(alicia)
    celery_app.conf.task_always_eager = False  # as in production: a worker runs the task
    with (
        mock.patch("cocreation.methodology.methodology_pdf") as render,
        mock.patch.object(task, "apply_async") as broker,  # stands in for Redis
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("prioritization_compute", prioritization))
        jobs._sender.submit(lambda: None).result(timeout=10)  # the hand-over thread is done
        render.assert_not_called()

    assert response.status_code == 302
    broker.assert_called_once()
    assert broker.call_args.kwargs["args"] == [prioritization.pk]
    job = Job.objects.get(pk=broker.call_args.kwargs["task_id"])
    assert (job.key, job.requested_by) == (prioritization.methodology_job_key, alicia)
    assert not Evidence.objects.exists()
    assert status_of(client, prioritization)["status"] == Status.QUEUED
    page = text(client.get(url("prioritization_detail", prioritization)))
    box = section(page, "documento-metodologia")
    assert 'data-methodology-status="en_cola"' in box
    assert 'data-methodology-finished="false"' in box
    assert "js/methodology-status.js" in page

    # The worker takes the message.
    generate_prioritization_methodology.apply(
        args=broker.call_args.kwargs["args"], task_id=broker.call_args.kwargs["task_id"]
    )

    data = status_of(client, prioritization)
    assert (data["status"], data["status_label"], data["finished"]) == (
        Status.DONE,
        "Terminado",
        True,
    )
    evidence = Evidence.objects.get(kind="metodologia")
    assert evidence.get_absolute_url() in data["html"]


def test_each_step_of_the_job_is_shown_on_the_page_and_in_the_fragment(state_a, alicia):
    prioritization = computed_without_methodology(state_a, alicia)
    client = client_for(alicia)
    detail = url("prioritization_detail", prioritization)
    regenerate = url("prioritization_methodology_regenerate", prioritization)
    expected = {
        Status.QUEUED: ("En cola", "está en cola", False),
        Status.RUNNING: ("En proceso", "Se está generando el documento", False),
        Status.FAILED: ("Falló", "No se pudo generar el documento", True),
    }
    for status, (label, sentence, finished) in expected.items():
        Job.objects.filter(key=prioritization.methodology_job_key).update(
            status=status,
            started_at=timezone.now(),
            lease_until=timezone.now() + dt.timedelta(seconds=METHODOLOGY_TIME_LIMIT),
        )
        data = status_of(client, prioritization)
        page = text(client.get(detail))
        box = section(page, "documento-metodologia")

        assert (data["status"], data["status_label"], data["finished"]) == (
            status,
            label,
            finished,
        )
        for html in (data["html"], box):
            assert label in html and sentence in html
            assert f"Solicitud de {alicia}." in html  # who asked for the document
            assert (f'action="{regenerate}"' in html) is (status == Status.FAILED)
            # Without JavaScript, "Actualizar" reloads the page while waiting.
            assert (f'href="{detail}#documento-metodologia"' in html) is (not finished)
        assert ("js/methodology-status.js" in page) is (not finished)


def test_a_job_stuck_rendering_past_the_hard_limit_shows_failed_with_the_retry(state_a, alicia):
    prioritization = computed_without_methodology(state_a, alicia)
    started = timezone.now() - dt.timedelta(seconds=METHODOLOGY_TIME_LIMIT + 1)
    Job.objects.filter(key=prioritization.methodology_job_key).update(
        status=Status.RUNNING,
        started_at=started,
        lease_until=started + dt.timedelta(seconds=METHODOLOGY_TIME_LIMIT),
    )
    client = client_for(alicia)

    data = status_of(client, prioritization)

    assert (data["status"], data["status_label"], data["finished"]) == (
        Status.FAILED,
        "Falló",
        True,
    )
    regenerate = url("prioritization_methodology_regenerate", prioritization)
    assert f'action="{regenerate}"' in data["html"]
    assert "Reintentar" in data["html"]


def test_the_status_of_an_open_prioritization_is_empty_and_finished(state_a, alicia):
    prioritization = make_prioritization(state_a)

    assert status_of(client_for(alicia), prioritization) == {
        "status": "",
        "status_label": "",
        "finished": True,
        "html": "",
    }


def test_an_outsider_gets_404_from_the_status(state_a, alicia, bruno):
    prioritization = computed_without_methodology(state_a, alicia)

    response = client_for(bruno).get(url("prioritization_methodology_status", prioritization))

    assert response.status_code == 404


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_document_while_the_page_polls(state_a, alicia, live_worker):
    """Through the broker: the POST renders nothing; the worker does, and the status says so."""
    import time

    from evidence.models import Evidence

    p1, p2 = make_problems(state_a, 2)
    prioritization = make_prioritization(state_a, problems=[p1, p2], title="Con trabajador")
    make_entry(prioritization, participant="Ana", data=[p1.pk, p2.pk])
    client = client_for(alicia)

    with mock.patch("cocreation.methodology.methodology_pdf") as render_here:
        response = client.post(url("prioritization_compute", prioritization))
    render_here.assert_not_called()
    assert response.status_code == 302

    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        data = status_of(client, prioritization)
        if not seen or seen[-1] != data["status"]:
            seen.append(data["status"])
        if data["finished"]:
            break
        time.sleep(0.2)
    assert seen[-1] == Status.DONE, seen
    assert set(seen) <= {Status.QUEUED, Status.RUNNING, Status.DONE}
    evidence = Evidence.objects.get(kind="metodologia")
    assert evidence.get_absolute_url() in data["html"]
    page = text(client.get(url("prioritization_detail", prioritization)))
    assert f"metodologia-priorizacion-{prioritization.pk}.pdf" in page


def test_the_list_counts_problems_and_entries_of_each_prioritization(state_a, alicia):
    p1, p2, p3 = make_problems(state_a, 3)
    three = make_prioritization(state_a, problems=[p1, p2, p3], title="Tres problemáticas")
    make_entry(three, participant="Ana", data=[p1.pk])
    make_entry(three, participant="Beto", data=[p2.pk])
    make_prioritization(state_a, problems=[p1], title="Una sin participaciones")

    page = text(
        client_for(alicia).get(reverse("cocreation:prioritization_list", args=[state_a.pk]))
    )

    row = page[page.index("Tres problemáticas") :]
    row = row[: row.index("</tr>")]
    assert "<td>3</td>" in row and "<td>2</td>" in row
    row = page[page.index("Una sin participaciones") :]
    row = row[: row.index("</tr>")]
    assert "<td>1</td>" in row and "<td>0</td>" in row
