"""The evidence log (who uploaded, downloaded, superseded, withdrew what) on the STL's history."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from evidence import services
from evidence.models import EvidenceEvent
from evidence.selectors import evidence_log
from stl.models import FacilitatorAssignment, Member, Nucleus, Secretariat
from tests.conftest import client_for
from tests.evidence.factories import attach, pdf_file, tamper
from tests.factories import add_facilitator, add_member

pytestmark = pytest.mark.django_db


def history_url(secretariat):
    return reverse("stl:history", kwargs={"pk": secretariat.pk})


def subject_page(secretariat):
    return reverse(
        "evidence:subject",
        kwargs={
            "pk": secretariat.pk,
            "subject_type": "stl.secretariat",
            "subject_id": secretariat.pk,
        },
    )


def act_on_the_vault(state_a, alicia, rita):
    """Upload, download, supersede, withdraw, add a public version, export, and break a file."""
    act = attach(state_a, alicia, name="acta.pdf")
    services.evidence_open(evidence=act, user=rita, ip_address="203.0.113.9").file.close()
    services.evidence_supersede(
        evidence=act, uploaded_file=pdf_file("acta firmada.pdf"), description="Firmas", user=alicia
    )
    wrong = attach(state_a, alicia, name="equivocada.pdf")
    services.evidence_withdraw(evidence=wrong, reason="Era de otro estado", user=alicia)
    attendance = attach(state_a, alicia, name="lista.pdf", contains_personal_data=True)
    services.evidence_add_public_version(
        evidence=attendance, uploaded_file=pdf_file("lista testada.pdf"), user=alicia
    )
    services.evidence_export_start(secretariat=state_a, user=rita)
    broken = attach(state_a, alicia, name="alterada.pdf")
    tamper(broken)
    with pytest.raises(services.EvidenceIntegrityError):
        services.evidence_open(evidence=broken, user=rita)


@pytest.mark.parametrize("persona", ["alicia", "fernanda", "rita", "adan"])
def test_insiders_see_every_action_on_the_evidence_in_the_history(world, persona):
    act_on_the_vault(world.state_a, world.alicia, world.rita)

    response = world.client(persona).get(history_url(world.state_a))

    assert response.status_code == 200
    page = response.content.decode()
    for action in (
        "Carga",
        "Descarga",
        "Sustitución",
        "Retiro",
        "Versión pública",
        "Exportación ZIP",
        "Falla de integridad",
    ):
        assert f"<td>{action}</td>" in page
    assert "«acta.pdf», sustituida por «acta firmada.pdf»" in page
    assert "«equivocada.pdf». Motivo: Era de otro estado" in page
    assert "«lista testada.pdf», versión pública de «lista.pdf»" in page
    assert "«alterada.pdf»: el archivo no coincide con su huella SHA-256" in page
    assert "Rita Cárdenas" in page and "Alicia Morales" in page
    assert f'href="{subject_page(world.state_a)}"' in page
    # The client address stays in the log, not on the page.
    assert "203.0.113.9" not in page


def test_history_lists_actions_newest_first_with_who(state_a, alicia, rita):
    act = attach(state_a, alicia, name="acta.pdf")
    services.evidence_open(evidence=act, user=rita).file.close()

    log = evidence_log(secretariat=state_a)

    assert [(entry.action, entry.user) for entry in log] == [
        ("Descarga", rita),
        ("Carga", alicia),
    ]
    assert {entry.url for entry in log} == {subject_page(state_a)}


def test_other_states_and_anonymous_visitors_do_not_see_the_log(world):
    attach(world.state_a, world.alicia, name="de oaxaca.pdf")
    attach(world.state_b, world.bruno, name="de jalisco.pdf")

    assert world.client("bruno").get(history_url(world.state_a)).status_code == 404
    anonymous = world.client("anonymous").get(history_url(world.state_a))
    assert anonymous.status_code == 302
    page = world.client("rita").get(history_url(world.state_a)).content.decode()
    assert "de oaxaca.pdf" in page and "de jalisco.pdf" not in page


def test_evidence_list_links_to_the_log(state_a, rita):
    page = client_for(rita).get(reverse("evidence:secretariat_list", kwargs={"pk": state_a.pk}))

    assert f'href="{history_url(state_a)}"' in page.content.decode()


# Session, user, secretariat, object permissions (user, groups), global permissions (user,
# groups); the number of lines, the page's lines (every source merged in one query), then one
# query per source on the page: the STL, its nuclei, members, facilitators and the evidence log.
HISTORY_QUERIES = 12


def change_each_part_of_the_registry(secretariat):
    add_member(secretariat, kind=Nucleus.Kind.ACADEMIA)  # a nucleus and a member
    add_facilitator(secretariat)
    secretariat.status = Secretariat.Status.INACTIVE
    secretariat.save(update_fields=["status"])


@pytest.mark.parametrize("rounds", [1, 10])
def test_history_with_the_log_takes_a_fixed_number_of_queries(
    state_a, alicia, rita, rounds, django_assert_num_queries
):
    for number in range(rounds):
        act = attach(state_a, alicia, name=f"acta {number}.pdf")
        services.evidence_open(evidence=act, user=rita).file.close()
        services.evidence_supersede(
            evidence=act, uploaded_file=pdf_file(), description="Firmas", user=alicia
        )
        wrong = attach(state_a, alicia, name=f"equivocada {number}.pdf")
        services.evidence_withdraw(evidence=wrong, reason="Error", user=alicia)
    assert EvidenceEvent.objects.filter(secretariat=state_a).count() == 6 * rounds
    change_each_part_of_the_registry(state_a)  # newest: the first page shows every source
    ContentType.objects.get_for_model(Secretariat)
    client = client_for(rita)

    with django_assert_num_queries(HISTORY_QUERIES):
        response = client.get(history_url(state_a))

    page = response.content.decode()
    assert page.count("<tr>") - 1 == min(lines(state_a), 25)
    assert f"{lines(state_a)} registros en total." in page


def lines(secretariat) -> int:
    """Return how many lines the STL's history has, counted source by source."""
    return (
        secretariat.history.count()
        + Nucleus.history.filter(secretariat_id=secretariat.pk).count()
        + Member.history.filter(secretariat_id=secretariat.pk).count()
        + FacilitatorAssignment.history.filter(secretariat_id=secretariat.pk).count()
        + EvidenceEvent.objects.filter(secretariat=secretariat).count()
    )


def test_history_pages_merge_every_source_newest_first_without_losing_a_line(state_a, alicia, rita):
    change_each_part_of_the_registry(state_a)
    for number in range(45):
        attach(state_a, alicia, name=f"acta {number}.pdf")
    client = client_for(rita)
    total = lines(state_a)
    assert total == 45 + 9  # the STL (2), its nuclei (4), members (2) and facilitator (1)

    pages = [client.get(history_url(state_a), {"page": n}).content.decode() for n in (1, 2, 3)]

    assert "Página 1 de 3" in pages[0] and "Página 3 de 3" in pages[2]
    assert all(f"{total} registros en total." in page for page in pages)
    assert [page.count("<tr>") - 1 for page in pages] == [25, 25, 4]
    # The 45 uploads came last: they fill the first page and most of the second; the registry's
    # changes follow, newest first, down to the STL's creation with its three nuclei.
    assert [page.count("<td>Carga</td>") for page in pages] == [25, 20, 0]
    assert "Núcleo: Academia" in pages[1]
    assert pages[2].count("<td>Alta</td>") == 4
    assert "Núcleo: Sociedad civil" in pages[2]


def test_history_weighs_no_more_with_500_lines_than_with_30(state_a, alicia, rita):
    act = attach(state_a, alicia, name="acta.pdf")
    client = client_for(rita)

    def downloads(count):
        EvidenceEvent.objects.bulk_create(
            EvidenceEvent(secretariat=state_a, evidence=act, action="download", user=rita)
            for _ in range(count)
        )

    downloads(30 - lines(state_a))
    full_page = len(client.get(history_url(state_a)).content)
    downloads(470)
    response = client.get(history_url(state_a))
    assert "500 registros en total." in response.content.decode()
    assert len(response.content) < full_page * 1.1
