"""The evidence helpers of the access layer: 404 for "does not exist" and "not yours" alike."""

import pytest
from django.http import Http404

from evidence import policy as access
from evidence import services
from tests.evidence.factories import attach

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "view", "attach_", "export"),
    [
        ("alicia", True, True, True),
        ("fernanda", True, True, True),
        ("rita", True, False, True),
        ("adan", True, True, True),
        ("bruno", False, False, False),
    ],
)
def test_evidence_access_by_role(world, persona, view, attach_, export):
    result = access.evidence_access(getattr(world, persona), world.state_a)

    assert (result.can_view, result.can_attach, result.can_export) == (view, attach_, export)


def test_public_stl_does_not_make_its_evidence_public(state_a):
    state_a.is_public = True
    state_a.save()

    result = access.evidence_access(None, state_a)

    assert not result.can_view


def test_get_evidence_or_404(world):
    evidence = attach(world.state_a, world.alicia)

    found, result = access.get_evidence_or_404(world.rita, evidence.pk)
    assert found == evidence and result.can_view
    for user, kwargs in [
        (world.bruno, {}),
        (world.rita, {"need": "attach"}),
        (world.alicia, {"secretariat_pk": world.state_b.pk}),
        (None, {}),
    ]:
        with pytest.raises(Http404):
            access.get_evidence_or_404(user, evidence.pk, **kwargs)
    with pytest.raises(Http404):
        access.get_evidence_or_404(world.adan, 999999)
    with pytest.raises(Http404):
        access.get_evidence_or_404(world.adan, "abc")


def test_get_evidence_subject_or_404(world):
    secretariat, subject_type, subject, result = access.get_evidence_subject_or_404(
        world.fernanda, world.state_a.pk, "stl.secretariat", world.state_a.pk, need="attach"
    )
    assert secretariat == subject == world.state_a
    assert subject_type.key == "stl.secretariat" and result.can_attach
    with pytest.raises(Http404):
        access.get_evidence_subject_or_404(
            world.rita, world.state_a.pk, "stl.secretariat", world.state_a.pk, need="attach"
        )


def test_get_evidence_export_or_404(world):
    export = services.evidence_export_start(secretariat=world.state_a, user=world.rita)

    found, _result = access.get_evidence_export_or_404(
        world.alicia, export.pk, secretariat_pk=world.state_a.pk
    )
    assert found == export
    for user, secretariat_pk in [(world.bruno, world.state_a.pk), (world.rita, world.state_b.pk)]:
        with pytest.raises(Http404):
            access.get_evidence_export_or_404(user, export.pk, secretariat_pk=secretariat_pk)
