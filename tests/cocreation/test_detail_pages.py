"""Pages of one record (a table, a consultation, the neutrality declaration) and the timeline: a
fixed number of queries however much they hold, and the evidence panel reusing the page's access
instead of asking for it again."""

from unittest import mock

import pytest
from django.urls import reverse

from cocreation.models import Attendee, MinutesApproval
from evidence import policy as evidence_policy
from stl import policy as stl_policy
from tests.cocreation.factories_dialogue import (
    DialogueTableFactory,
    PublicConsultationFactory,
    evidence_of,
    nucleus_of,
    problem_from,
)
from tests.cocreation.factories_prioritization import make_decision, make_prioritization
from tests.conftest import client_for
from tests.factories import UserFactory, add_member

pytestmark = pytest.mark.django_db

# Every page costs five queries before its record: session, user, secretariat, object
# permissions (own and through groups, one query), global roles (one query).
BEFORE = 5
# + the table, its nucleus' members, their answers on the minutes, the person's own membership
# (who may edit or answer), the attendance register, the problems raised, the evidence (its
# count, then one page of it).
TABLE_DETAIL_QUERIES = BEFORE + 8
# + the consultation, its evidence (count and page), the problems raised.
CONSULTATION_DETAIL_QUERIES = BEFORE + 4
# + the facilitator's assignment, its evidence (count and page: the signed declaration).
NEUTRALITY_QUERIES = BEFORE + 3
# + tables, consultations, prioritisations, decisions, nuclei, their evidence counted by kind.
TIMELINE_QUERIES = BEFORE + 6


def fill_table(secretariat, user, count):
    """Return a table with ``count`` members answering, attendees, problems and files."""
    table = DialogueTableFactory(nucleus=nucleus_of(secretariat))
    for n in range(count):
        member = add_member(secretariat, user=UserFactory(full_name=f"Integrante {n}"))
        MinutesApproval.objects.create(
            dialogue_table=table, member=member, minutes_version=1, answer="aprueba"
        )
        Attendee.objects.create(dialogue_table=table, full_name=f"Asistente {n}")
        problem_from(table, f"Problemática {n}")
        evidence_of(table, "acta", user=user)
    return reverse("cocreation:table_detail", kwargs={"pk": secretariat.pk, "table_pk": table.pk})


def fill_consultation(secretariat, user, count):
    consultation = PublicConsultationFactory(secretariat=secretariat)
    for n in range(count):
        problem_from(consultation, f"Problemática {n}")
        evidence_of(consultation, "convocatoria", user=user)
    return reverse(
        "cocreation:consultation_detail",
        kwargs={"pk": secretariat.pk, "consultation_pk": consultation.pk},
    )


def fill_neutrality(secretariat, user, count):
    from stl.models import FacilitatorAssignment

    assignment = FacilitatorAssignment.objects.get(secretariat=secretariat, is_active=True)
    for _n in range(count):
        evidence_of(assignment, "declaracion_neutralidad", user=user)
    return reverse("cocreation:neutrality", kwargs={"pk": secretariat.pk})


def fill_timeline(secretariat, user, count):
    for n in range(count):
        table = DialogueTableFactory(nucleus=nucleus_of(secretariat))
        evidence_of(table, "acta", user=user)
        PublicConsultationFactory(secretariat=secretariat)
        make_decision(secretariat, title=f"Acuerdo {n}")
    return reverse("cocreation:timeline", kwargs={"pk": secretariat.pk})


PAGES = {
    "table_detail": (fill_table, TABLE_DETAIL_QUERIES),
    "consultation_detail": (fill_consultation, CONSULTATION_DETAIL_QUERIES),
    "neutrality": (fill_neutrality, NEUTRALITY_QUERIES),
    "timeline": (fill_timeline, TIMELINE_QUERIES),
}


@pytest.mark.parametrize("count", [1, 40])
@pytest.mark.parametrize("name", PAGES)
def test_each_page_takes_a_fixed_number_of_queries(
    state_a, alicia, fernanda, name, count, django_assert_num_queries
):
    fill, queries = PAGES[name]
    url = fill(state_a, alicia, count)
    client = client_for(alicia)
    client.get(url)  # warms Django's content-type cache, as any running server has it

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200


def detail_urls(secretariat, fernanda):
    table = DialogueTableFactory(nucleus=nucleus_of(secretariat))
    consultation = PublicConsultationFactory(secretariat=secretariat)
    prioritization = make_prioritization(secretariat)
    decision = make_decision(secretariat)
    pk = secretariat.pk
    return [
        reverse("cocreation:table_detail", kwargs={"pk": pk, "table_pk": table.pk}),
        reverse(
            "cocreation:consultation_detail", kwargs={"pk": pk, "consultation_pk": consultation.pk}
        ),
        reverse(
            "cocreation:prioritization_detail",
            kwargs={"pk": pk, "prioritization_pk": prioritization.pk},
        ),
        reverse("cocreation:decision_detail", kwargs={"pk": pk, "decision_pk": decision.pk}),
        reverse("cocreation:neutrality", kwargs={"pk": pk}),
    ]


@pytest.mark.parametrize("persona", ["alicia", "fernanda", "rita"])
def test_the_evidence_panel_reuses_the_access_the_page_computed(world, persona):
    urls = detail_urls(world.state_a, world.fernanda)
    client = world.client(persona)

    with mock.patch.object(
        evidence_policy, "secretariat_access", wraps=stl_policy.secretariat_access
    ) as asked:
        for url in urls:
            page = client.get(url).content.decode()
            assert 'class="evidence-panel"' in page, url

    asked.assert_not_called()


def test_evidence_access_refuses_an_access_of_another_stl_or_person(state_a, state_b, alicia):
    from cocreation.policy import access_for

    of_alicia = access_for(alicia, state_a)

    assert evidence_policy.evidence_access(alicia, state_a, stl_access=of_alicia).can_attach
    with pytest.raises(ValueError, match="another"):
        evidence_policy.evidence_access(alicia, state_b, stl_access=of_alicia)
    with pytest.raises(ValueError, match="another"):
        evidence_policy.evidence_access(UserFactory(), state_a, stl_access=of_alicia)
