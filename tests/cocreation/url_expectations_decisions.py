"""Expected answers of the prioritisation, decision and neutrality URLs (imported by
``tests/stl/url_expectations.py``, since the matrix only loads modules of that name)."""

from stl.models import Nucleus
from tests.cocreation.factories_prioritization import make_decision, make_entry, make_prioritization
from tests.url_matrix import NOT_FOUND, OK, REDIRECT, expect, insiders_only


def cocreators_only(ok=OK):
    """Members and the facilitator of state A; reviewers and administrators only read."""
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


def prioritization_a(world):
    prioritization = make_prioritization(world.state_a)
    return {"pk": world.state_a.pk, "prioritization_pk": prioritization.pk}


def computed_prioritization_a(world):
    from cocreation.services import prioritization_compute

    prioritization = make_prioritization(world.state_a)
    make_entry(
        prioritization, participant="Ana", data=[prioritization.problems.order_by("pk").first().pk]
    )
    # The test's transaction never commits: the methodology job stays queued.
    prioritization_compute(prioritization=prioritization, user=world.alicia)
    return {"pk": world.state_a.pk, "prioritization_pk": prioritization.pk}


def recorded_entry_a(world):
    prioritization = make_prioritization(world.state_a)
    entry = make_entry(
        prioritization,
        participant="Rosa Juárez",
        nucleus=world.state_a.nuclei.get(kind=Nucleus.Kind.CIVIL_SOCIETY),
        data=[prioritization.problems.order_by("pk").first().pk],
    )
    return {
        "pk": world.state_a.pk,
        "prioritization_pk": prioritization.pk,
        "entry_pk": entry.pk,
    }


def decision_a(world):
    return {"pk": world.state_a.pk, "decision_pk": make_decision(world.state_a).pk}


expect("cocreation:prioritization_list", kwargs=stl_a, **insiders_only())
expect("cocreation:prioritization_create", kwargs=stl_a, **cocreators_only())
expect("cocreation:prioritization_detail", kwargs=prioritization_a, **insiders_only())
expect("cocreation:prioritization_entry", kwargs=prioritization_a, **cocreators_only())
# Only the facilitator removes an entry she recorded on someone's behalf; a member only their own.
expect(
    "cocreation:prioritization_entry_delete",
    kwargs=recorded_entry_a,
    method="post",
    anonymous=REDIRECT,
    alicia=NOT_FOUND,
    bruno=NOT_FOUND,
    fernanda=REDIRECT,
    rita=NOT_FOUND,
    adan=NOT_FOUND,
)
# Without entries computing is refused with a message and a redirect to the detail page.
expect(
    "cocreation:prioritization_compute",
    kwargs=prioritization_a,
    method="post",
    **cocreators_only(REDIRECT),
)
# Asking again for the methodology PDF: refused with a message (not computed yet) and a redirect.
expect(
    "cocreation:prioritization_methodology_regenerate",
    kwargs=prioritization_a,
    method="post",
    **cocreators_only(REDIRECT),
)
# How the methodology document is going (JSON the page polls): whoever sees the page.
expect(
    "cocreation:prioritization_methodology_status",
    kwargs=computed_prioritization_a,
    **insiders_only(),
)

expect("cocreation:decision_list", kwargs=stl_a, **insiders_only())
expect("cocreation:decision_create", kwargs=stl_a, **cocreators_only())
expect("cocreation:decision_detail", kwargs=decision_a, **insiders_only())
# Voice but no vote (requirement 4.b): the facilitator's vote is refused like an outsider's.
expect(
    "cocreation:decision_vote",
    kwargs=decision_a,
    method="post",
    data=lambda world: {"choice": "a_favor"},
    anonymous=REDIRECT,
    alicia=REDIRECT,
    bruno=NOT_FOUND,
    fernanda=NOT_FOUND,
    rita=NOT_FOUND,
    adan=NOT_FOUND,
)
expect(
    "cocreation:decision_comment",
    kwargs=decision_a,
    method="post",
    data=lambda world: {"body": "Un comentario."},
    **cocreators_only(REDIRECT),
)
# Without votes closing is refused with a message and a redirect to the detail page.
expect("cocreation:decision_close", kwargs=decision_a, method="post", **cocreators_only(REDIRECT))

expect("cocreation:neutrality", kwargs=stl_a, **insiders_only())
