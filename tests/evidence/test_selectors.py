"""Reads other pages build on: counts per subject in one query, and the embeddable panel."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.test import RequestFactory

from evidence import services
from evidence.forms import EvidenceUploadForm
from evidence.selectors import evidence_counts, evidence_for_subject, evidence_panel
from stl.models import Secretariat
from tests.evidence.factories import attach, pdf_file
from tests.factories import SecretariatFactory

pytestmark = pytest.mark.django_db


def key(obj):
    return (ContentType.objects.get_for_model(obj).pk, obj.pk)


def test_counts_current_evidence_of_many_subjects_in_one_query(
    state_a, state_b, alicia, bruno, django_assert_num_queries
):
    empty = SecretariatFactory()
    attach(state_a, alicia)
    superseded = attach(state_a, alicia)
    services.evidence_supersede(
        evidence=superseded, uploaded_file=pdf_file(), description="Nueva", user=alicia
    )
    withdrawn = attach(state_a, alicia)
    services.evidence_withdraw(evidence=withdrawn, reason="Error", user=alicia)
    personal = attach(state_b, bruno, contains_personal_data=True)
    services.evidence_add_public_version(evidence=personal, uploaded_file=pdf_file(), user=bruno)
    ContentType.objects.get_for_model(Secretariat)  # cached, as in any running process

    with django_assert_num_queries(1):
        counts = evidence_counts(subjects=[state_a, state_b, empty])

    # A: one plain file and the new version; B: the original, not its public version.
    assert counts == {key(state_a): 2, key(state_b): 1, key(empty): 0}


def test_counts_of_nothing_take_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert evidence_counts(subjects=[]) == {}


def test_current_files_come_first(state_a, alicia):
    withdrawn = attach(state_a, alicia, name="retirada.pdf")
    services.evidence_withdraw(evidence=withdrawn, reason="Error", user=alicia)
    current = attach(state_a, alicia, name="vigente.pdf")

    assert list(evidence_for_subject(subject=state_a)) == [current, withdrawn]


@pytest.mark.parametrize(
    ("persona", "sees", "attaches"),
    [("alicia", True, True), ("rita", True, False), ("bruno", False, False)],
)
def test_panel_tells_the_template_what_this_person_may_do(
    request, state_a, alicia, persona, sees, attaches
):
    attach(state_a, alicia)
    user = request.getfixturevalue(persona)

    panel = evidence_panel(subject=state_a, user=user, next_url="/stl/1/")

    assert panel["access"].can_view is sees
    assert len(panel["evidence_list"]) == (1 if sees else 0)
    assert isinstance(panel["form"], EvidenceUploadForm) is attaches
    if attaches:
        assert panel["form"]["next"].value() == "/stl/1/"


def test_panel_can_be_embedded_in_another_page(state_a, alicia):
    attach(state_a, alicia, name="acta.pdf")
    request = RequestFactory().get("/")
    request.user = alicia

    html = render_to_string(
        "evidence/_panel.html",
        {"panel": evidence_panel(subject=state_a, user=alicia)},
        request=request,
    )

    assert "acta.pdf" in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "style=" not in html and "<script" not in html
