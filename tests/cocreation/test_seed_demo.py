"""The demo of the README: a lived-in portal, loaded through the services, twice without harm.

The demo is loaded once for the module (it renders some twenty PDFs) and committed, as
``make run`` does; each test runs inside it and is rolled back, and the database is emptied at
the end of the module, as after a transactional test.
"""

import hashlib
import io
import logging
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from PIL import Image

from cocreation.models import Decision, DialogueTable, Prioritization, Problem, Vote
from cocreation.selectors import secretariat_timeline
from evidence.models import Evidence
from stl.management.demo import DEMO_PASSWORD
from stl.models import FacilitatorAssignment, Member, Nucleus, Secretariat

README = Path(__file__).resolve().parents[2] / "README.md"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the demo once for the module as ``make run`` does (committed), then empty the
    database again as a transactional test would."""
    media_root = tmp_path_factory.mktemp("demo-media")
    records = _Records()
    root = logging.getLogger()
    out = io.StringIO()
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root, PASSWORD_HASHERS=FAST_HASHER),
    ):
        root.addHandler(records)
        try:
            call_command("seed_demo", stdout=out)
        finally:
            root.removeHandler(records)
        try:
            yield {"media_root": media_root, "output": out.getvalue(), "logs": records.records}
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(_demo, db, settings):
    settings.MEDIA_ROOT = _demo["media_root"]
    return _demo


def oaxaca():
    return Secretariat.objects.get(state="OAX")


def jalisco():
    return Secretariat.objects.get(state="JAL")


def user(email):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(email=email)


def row_counts() -> dict[str, int]:
    """Count the rows of every table the project has, history tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def readme_accounts() -> set[str]:
    """Return the e-mails of the README's table of demo accounts."""
    section = README.read_text(encoding="utf-8").split("### Demo accounts", 1)[1]
    rows = [line for line in section.split("\n## ", 1)[0].splitlines() if line.startswith("|")]
    return set(re.findall(r"`([a-z]+@[a-z]+\.demo)`", "\n".join(rows)))


def user_model_passwords():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.values_list("email", "password")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- loading --------------------------------------------------------------------------------


def test_a_second_run_changes_nothing(demo):
    before = row_counts()
    passwords = dict(user_model_passwords())
    files = sorted(p.name for p in Path(demo["media_root"]).rglob("*") if p.is_file())
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    assert row_counts() == before
    assert dict(user_model_passwords()) == passwords
    assert sorted(p.name for p in Path(demo["media_root"]).rglob("*") if p.is_file()) == files
    assert "ya estaban cargados; no cambió nada" in out.getvalue()
    assert before["evidence.Evidence"] > 0
    assert before["cocreation.HistoricalDialogueTable"] > 0


def test_the_output_reports_the_demo_without_task_noise(demo):
    output = demo["output"]
    assert "Datos de demostración cargados." in output
    timeline = reverse("cocreation:timeline", args=[oaxaca().pk])
    assert f"Oaxaca 2016–2018 (http://127.0.0.1:8000{timeline}): 9 registros" in output
    assert "no falta nada" in output
    assert "El núcleo Órgano garante no ha celebrado ninguna mesa de diálogo" in output
    noisy = [
        record.getMessage()
        for record in demo["logs"]
        if record.name.startswith(("celery", "kombu", "weasyprint"))
        and record.levelno < logging.ERROR
    ]
    assert noisy == []


def test_verify_evidence_finds_every_file_intact(demo):
    out = io.StringIO()

    call_command("verify_evidence", stdout=out)

    assert f"{Evidence.objects.count()} archivos revisados" in out.getvalue()
    assert "Todos los archivos están íntegros." in out.getvalue()


# --- accounts -------------------------------------------------------------------------------


def test_every_account_of_the_readme_logs_in_with_the_demo_password(demo):
    accounts = readme_accounts()
    assert len(accounts) == 13
    for email in accounts:
        client = Client()
        response = client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email


def test_people_land_on_their_stl_and_never_see_the_other_state(demo):
    for email, landing in (
        ("admin@inai.demo", reverse("stl:list")),
        ("revision@inai.demo", reverse("stl:list")),
        ("sociedad@oaxaca.demo", oaxaca().get_absolute_url()),
        ("facilitacion@jalisco.demo", jalisco().get_absolute_url()),
    ):
        client = Client()
        client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD})
        assert client.get(reverse("home"))["Location"] == landing
    client = Client()
    client.post(reverse("login"), {"username": "sociedad@jalisco.demo", "password": DEMO_PASSWORD})
    assert client.get(oaxaca().get_absolute_url()).status_code == 404
    assert client.get(reverse("cocreation:timeline", args=[oaxaca().pk])).status_code == 404


# --- what the demo shows --------------------------------------------------------------------


def test_oaxacas_timeline_lacks_nothing(demo):
    timeline = secretariat_timeline(secretariat=oaxaca())

    assert timeline["gaps"] == []
    assert [(item.kind, item.missing) for item in timeline["items"] if item.missing] == []
    kinds = [item.kind for item in timeline["items"]]
    assert sorted(kinds) == sorted(["mesa"] * 4 + ["consulta", "priorizacion"] + ["acuerdo"] * 3)
    tables = {item.title for item in timeline["items"] if item.kind == "mesa"}
    assert tables == {str(nucleus) for nucleus in oaxaca().nuclei.all()}


def test_jaliscos_timeline_shows_what_is_missing(demo):
    client = Client()
    client.force_login(user("facilitacion@jalisco.demo"))

    page = client.get(reverse("cocreation:timeline", args=[jalisco().pk])).content.decode()

    assert "Lo que falta en el STL" in page
    assert (
        "El núcleo Órgano garante no ha celebrado ninguna mesa de diálogo (requisito 1.a)." in page
    )
    missing = {
        item.title: item.missing for item in secretariat_timeline(secretariat=jalisco())["items"]
    }
    assert missing["Consulta ciudadana en línea para el PAL de Jalisco"] == (
        "Sin resultados registrados.",
        "Sin cifras de participación.",
    )
    assert "Minuta sin aprobar por la mayoría del núcleo." in missing["Autoridades locales"]
    assert (
        "Votación sin cerrar."
        in missing["Usar el conteo de Borda para jerarquizar las problemáticas"]
    )
    assignment = FacilitatorAssignment.objects.get(secretariat=jalisco(), is_active=True)
    assert assignment.neutrality_signed_at is None


def test_oaxacas_record_follows_the_rules(demo):
    stl = oaxaca()
    for table in DialogueTable.objects.filter(secretariat=stl):
        assert table.minutes_approved_at is not None
        assert table.attendees.count() > 0
    # The civil-society minutes were corrected once before the nucleus approved them.
    civil = DialogueTable.objects.get(secretariat=stl, nucleus__kind=Nucleus.Kind.CIVIL_SOCIETY)
    assert civil.minutes_version == 2
    # Every active problem traces back to a table or the consultation; duplicates were merged.
    for problem in Problem.objects.filter(secretariat=stl, merged_into__isnull=True):
        assert problem.origins.exists(), problem
    assert Problem.objects.filter(secretariat=stl, merged_into__isnull=False).count() == 2
    prioritization = Prioritization.objects.get(secretariat=stl)
    assert prioritization.status == Prioritization.Status.COMPUTED
    methodology = Evidence.objects.get(subject_id=prioritization.pk, kind="metodologia")
    assert methodology.mime_type == "application/pdf"
    # The facilitator has voice (comments), never a vote.
    facilitator = FacilitatorAssignment.objects.get(secretariat=stl, is_active=True)
    assert not Vote.objects.filter(member__user=facilitator.user).exists()
    assert {d.outcome for d in Decision.objects.filter(secretariat=stl)} == {
        Decision.Outcome.APPROVED,
        Decision.Outcome.REJECTED,
    }
    assert facilitator.neutrality_signed_at is not None
    assert Evidence.objects.filter(
        subject_id=facilitator.pk, kind=Evidence.Kind.NEUTRALITY_DECLARATION
    ).exists()


def test_the_history_says_who_did_what(demo):
    stl = oaxaca()
    facilitator = user("facilitacion@oaxaca.demo")
    academia = DialogueTable.objects.get(secretariat=stl, nucleus__kind=Nucleus.Kind.ACADEMIA)
    assert academia.history.earliest().history_user == user("academia@oaxaca.demo")
    civil = DialogueTable.objects.get(secretariat=stl, nucleus__kind=Nucleus.Kind.CIVIL_SOCIETY)
    assert civil.history.earliest().history_user == facilitator
    for vote in Vote.objects.filter(decision__secretariat=stl).select_related("member__user"):
        assert vote.history.earliest().history_user == vote.member.user
    member = Member.objects.get(secretariat=stl, user__email="garante@oaxaca.demo")
    assert member.history.earliest().history_user == user("admin@inai.demo")


# --- evidence -------------------------------------------------------------------------------


def test_every_evidence_downloads_intact_and_photos_without_metadata(demo):
    client = Client()
    client.force_login(user("revision@inai.demo"))
    evidence_list = list(Evidence.objects.order_by("pk"))
    assert len(evidence_list) == 30

    for evidence in evidence_list:
        response = client.get(evidence.get_absolute_url())
        assert response.status_code == 200, evidence
        content = body(response)
        assert hashlib.sha256(content).hexdigest() == evidence.sha256, evidence
        if evidence.mime_type == "application/pdf":
            assert content.startswith(b"%PDF-"), evidence
        else:
            assert evidence.mime_type in ("image/jpeg", "image/png"), evidence
            with Image.open(io.BytesIO(content)) as image:
                assert dict(image.getexif()) == {}, evidence
    kinds = {e.kind for e in evidence_list}
    assert kinds == set(Evidence.Kind.values) - {Evidence.Kind.OTHER}
    # Attendance lists carry personal data; Oaxaca's have a redacted public version.
    for attendance in Evidence.objects.filter(
        secretariat=oaxaca(), kind=Evidence.Kind.ATTENDANCE_LIST, is_public_version=False
    ):
        assert attendance.contains_personal_data
        assert attendance.public_version is not None
