"""Expected answers of the co-creation record's URLs: tables, consultations, problems, timeline.

Objects belong to state A. Tables are logged by the facilitator or a member of the table's nucleus
(Alicia: civil society); the minutes are answered by members of that nucleus only. CPGAT and
INAI administrators read everything but write nothing here.
"""

from tests.cocreation.factories_dialogue import (
    DialogueTableFactory,
    PublicConsultationFactory,
    nucleus_of,
    problem_from,
)
from tests.url_matrix import NOT_FOUND, OK, REDIRECT, expect, insiders_only


def contributors_only(ok=OK):
    """Members and the facilitator of state A write; nobody else may even see the form."""
    return {
        "anonymous": REDIRECT,
        "alicia": ok,
        "bruno": NOT_FOUND,
        "fernanda": ok,
        "rita": NOT_FOUND,
        "adan": NOT_FOUND,
    }


def stl_a(world):
    return {"pk": world.state_a.pk}


def table_a(world):
    table = DialogueTableFactory(nucleus=nucleus_of(world.state_a))
    return {"pk": world.state_a.pk, "table_pk": table.pk}


def consultation_a(world):
    consultation = PublicConsultationFactory(secretariat=world.state_a)
    return {"pk": world.state_a.pk, "consultation_pk": consultation.pk}


def problem_a(world):
    problem = problem_from(DialogueTableFactory(nucleus=nucleus_of(world.state_a)))
    return {"pk": world.state_a.pk, "problem_pk": problem.pk}


expect("cocreation:table_list", kwargs=stl_a, **insiders_only())
expect("cocreation:table_create", kwargs=stl_a, **contributors_only())
expect("cocreation:table_detail", kwargs=table_a, **insiders_only())
expect("cocreation:table_edit", kwargs=table_a, **contributors_only())
expect(
    "cocreation:table_minutes",
    kwargs=table_a,
    anonymous=REDIRECT,
    alicia=OK,
    bruno=NOT_FOUND,
    fernanda=NOT_FOUND,  # voice, no vote: the facilitator does not approve minutes
    rita=NOT_FOUND,
    adan=NOT_FOUND,
)
expect("cocreation:consultation_list", kwargs=stl_a, **insiders_only())
expect("cocreation:consultation_create", kwargs=stl_a, **contributors_only())
expect("cocreation:consultation_detail", kwargs=consultation_a, **insiders_only())
expect("cocreation:consultation_edit", kwargs=consultation_a, **contributors_only())
expect("cocreation:problem_list", kwargs=stl_a, **insiders_only())
expect("cocreation:problem_create", kwargs=stl_a, **contributors_only())
expect("cocreation:problem_merge", kwargs=problem_a, **contributors_only())
expect("cocreation:timeline", kwargs=stl_a, **insiders_only())
