"""Who gets what from each evidence URL. All objects belong to state A; nothing is public yet."""

from tests.evidence.factories import matrix_evidence, matrix_export
from tests.url_matrix import NOT_FOUND, OK, REDIRECT, expect

# Members, the facilitator, CPGAT reviewers and INAI administrators see the evidence of state A;
# anonymous visitors and other states get 404 (public versions are published later, elsewhere).
VIEWERS = {
    "anonymous": NOT_FOUND,
    "alicia": OK,
    "bruno": NOT_FOUND,
    "fernanda": OK,
    "rita": OK,
    "adan": OK,
}
# Upload, supersede, withdraw, public version: members, the facilitator and INAI administrators.
ATTACHERS = {**VIEWERS, "rita": NOT_FOUND}


def stl_a(world):
    return {"pk": world.state_a.pk}


def installation_of_a(world):
    return {
        "pk": world.state_a.pk,
        "subject_type": "stl.secretariat",
        "subject_id": world.state_a.pk,
    }


def evidence_of_a(world):
    return {"pk": world.state_a.pk, "evidence_id": matrix_evidence(world).pk}


def export_of_a(world):
    return {"pk": world.state_a.pk, "export_id": matrix_export(world).pk}


expect("evidence:secretariat_list", kwargs=stl_a, **VIEWERS)
expect("evidence:subject", kwargs=installation_of_a, **VIEWERS)
expect("evidence:download", kwargs=evidence_of_a, **VIEWERS)
expect("evidence:supersede", kwargs=evidence_of_a, **ATTACHERS)
expect("evidence:withdraw", kwargs=evidence_of_a, **ATTACHERS)
expect("evidence:public_version", kwargs=evidence_of_a, **ATTACHERS)
expect(
    "evidence:export_start",
    kwargs=stl_a,
    method="post",
    **{**VIEWERS, **dict.fromkeys(("alicia", "fernanda", "rita", "adan"), REDIRECT)},
)
expect("evidence:export_status", kwargs=export_of_a, **VIEWERS)
# A ready export: those who may see it are told so, and sent back to its page.
expect(
    "evidence:export_retry",
    kwargs=export_of_a,
    method="post",
    **{**VIEWERS, **dict.fromkeys(("alicia", "fernanda", "rita", "adan"), REDIRECT)},
)
expect("evidence:export_download", kwargs=export_of_a, **VIEWERS)
