"""The ZIP export of an STL's evidence: every file, verified, with a manifest that matches."""

import csv
import datetime as dt
import hashlib
import io
import time
import zipfile
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evidence import services
from evidence.models import Evidence, EvidenceEvent, EvidenceExport
from evidence.storage import evidence_storage
from pal_portal import jobs
from pal_portal.celery import app as celery_app
from pal_portal.models import Job
from tests.conftest import client_for
from tests.evidence.factories import (
    attach,
    attach_to_each,
    pdf_bytes,
    pdf_file,
    subjects_of_several_types,
    tamper,
)

MANIFEST_COLUMNS = [
    "Sujeto",
    "Tipo",
    "Nombre del archivo",
    "Tamaño (bytes)",
    "SHA-256",
    "Subido por",
    "Fecha",
    "Fase",
    "Estado",
    "Archivo en el ZIP",
    "Id",
]


def read_manifest(archive: zipfile.ZipFile) -> list[dict]:
    text = archive.read(services.MANIFEST_NAME).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == MANIFEST_COLUMNS
    return list(reader)


def open_export(export: EvidenceExport) -> zipfile.ZipFile:
    with evidence_storage().open(export.file.name, "rb") as stored:
        data = stored.read()
    assert hashlib.sha256(data).hexdigest() == export.sha256
    assert len(data) == export.size
    return zipfile.ZipFile(io.BytesIO(data))


def assert_manifest_matches_the_files(export: EvidenceExport) -> list[dict]:
    """Check every manifest row against the ZIP member and the database row it names."""
    archive = open_export(export)
    rows = read_manifest(archive)
    included = [row for row in rows if row["Archivo en el ZIP"]]
    assert sorted(archive.namelist()) == sorted(
        [services.MANIFEST_NAME] + [row["Archivo en el ZIP"] for row in included]
    )
    for row in included:
        data = archive.read(row["Archivo en el ZIP"])
        evidence = Evidence.objects.select_related("uploaded_by").get(pk=row["Id"])
        assert hashlib.sha256(data).hexdigest() == row["SHA-256"] == evidence.sha256
        assert len(data) == int(row["Tamaño (bytes)"]) == evidence.size
        assert row["Nombre del archivo"] == services.manifest_cell(evidence.original_name)
        assert row["Subido por"] == evidence.uploaded_by.full_name
        assert row["Tipo"] == evidence.get_kind_display()
    assert len(rows) == Evidence.objects.filter(secretariat=export.secretariat).count()
    return rows


def build_vault(state_a, alicia, fernanda):
    """Return the evidence of a small STL: current, superseded, withdrawn, public versions."""
    act = attach(state_a, alicia, name="Acta de instalación.pdf", content=pdf_bytes("acta"))
    services.evidence_supersede(
        evidence=act,
        uploaded_file=pdf_file("Acta firmada.pdf"),
        description="Con todas las firmas",
        user=fernanda,
    )
    attendance = attach(
        state_a,
        fernanda,
        name="Lista de asistencia.pdf",
        kind=Evidence.Kind.ATTENDANCE_LIST,
        contains_personal_data=True,
    )
    services.evidence_add_public_version(
        evidence=attendance, uploaded_file=pdf_file("Lista testada.pdf"), user=fernanda
    )
    wrong = attach(state_a, alicia, name="=HYPERLINK(equivocada).pdf")
    services.evidence_withdraw(evidence=wrong, reason="Era de otro estado", user=alicia)
    return act


@pytest.mark.django_db
def test_export_holds_every_file_and_a_manifest_that_matches(state_a, alicia, fernanda, rita):
    build_vault(state_a, alicia, fernanda)
    export = services.evidence_export_start(secretariat=state_a, user=rita)

    services.evidence_export_build(export_id=export.pk)

    export.refresh_from_db()
    assert export.is_ready
    assert (export.done, export.total, export.percent) == (5, 5, 100)
    rows = assert_manifest_matches_the_files(export)
    states = {row["Nombre del archivo"]: row["Estado"] for row in rows}
    assert states == {
        "'=HYPERLINK(equivocada).pdf": "retirada",
        "Acta de instalación.pdf": "sustituida",
        "Acta firmada.pdf": "vigente",
        "Lista de asistencia.pdf": "vigente",
        "Lista testada.pdf": "versión pública",
    }
    assert {row["Sujeto"] for row in rows} == {"Instalación del STL: Oaxaca 2016–2018"}
    assert {row["Fase"] for row in rows} == {"Instalación del STL"}


@pytest.mark.django_db
def test_manifest_cells_cannot_run_as_spreadsheet_formulas(state_a, alicia, fernanda, rita):
    build_vault(state_a, alicia, fernanda)
    export = services.evidence_export_start(secretariat=state_a, user=rita)
    services.evidence_export_build(export_id=export.pk)
    export.refresh_from_db()

    text = open_export(export).read(services.MANIFEST_NAME).decode("utf-8-sig")

    assert "'=HYPERLINK(equivocada).pdf" in text
    assert "\n=" not in text and ",=" not in text


@pytest.mark.django_db
def test_altered_file_is_left_out_listed_and_logged(state_a, alicia, rita):
    intact = attach(state_a, alicia, name="intacta.pdf")
    altered = attach(state_a, alicia, name="alterada.pdf")
    tamper(altered)
    export = services.evidence_export_start(secretariat=state_a, user=rita)

    services.evidence_export_build(export_id=export.pk)

    export.refresh_from_db()
    archive = open_export(export)
    rows = {row["Id"]: row for row in read_manifest(archive)}
    assert rows[str(altered.pk)]["Estado"] == "alterado, no incluido"
    assert rows[str(altered.pk)]["Archivo en el ZIP"] == ""
    assert rows[str(intact.pk)]["Archivo en el ZIP"] in archive.namelist()
    assert EvidenceEvent.objects.filter(
        action=EvidenceEvent.Action.VERIFY_FAILURE, evidence=altered, detail__context="export"
    ).exists()


@pytest.mark.django_db
def test_building_twice_leaves_a_finished_export_alone(state_a, alicia, rita):
    attach(state_a, alicia)
    export = services.evidence_export_start(secretariat=state_a, user=rita)
    services.evidence_export_build(export_id=export.pk)
    export.refresh_from_db()
    first_file = export.file.name

    services.evidence_export_build(export_id=export.pk)

    export.refresh_from_db()
    assert export.file.name == first_file
    assert services.evidence_export_build(export_id=999999) is None


@pytest.mark.django_db
def test_starting_is_logged_and_queued_after_commit(
    state_a, alicia, rita, django_capture_on_commit_callbacks
):
    attach(state_a, alicia)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        export = services.evidence_export_start(secretariat=state_a, user=rita)

    assert len(callbacks) == 1
    export.refresh_from_db()
    assert export.is_ready
    job = jobs.latest_job(f"evidence.export:{export.pk}")
    assert (job.task_name, job.args, job.requested_by) == (
        "evidence.build_export",
        [export.pk],
        rita,
    )
    assert (job.status, job.attempts) == (Job.Status.DONE, 1)
    assert EvidenceEvent.objects.filter(
        action=EvidenceEvent.Action.EXPORT, user=rita, detail__export=export.pk
    ).exists()


@pytest.mark.django_db
def test_an_export_in_progress_is_reused(state_a, rita):
    first = services.evidence_export_start(secretariat=state_a, user=rita)

    assert services.evidence_export_start(secretariat=state_a, user=rita) == first
    assert Job.objects.filter(key=first.job_key).count() == 1
    # Running within its lease: still on its way.
    Job.objects.filter(key=first.job_key).update(
        status=Job.Status.RUNNING, lease_until=timezone.now() + dt.timedelta(minutes=1)
    )
    assert services.evidence_export_start(secretariat=state_a, user=rita) == first


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["failed", "past its lease", "ready"])
def test_an_export_no_longer_on_its_way_is_not_reused(state_a, alicia, rita, how):
    attach(state_a, alicia)
    first = services.evidence_export_start(secretariat=state_a, user=rita)
    if how == "ready":
        services.evidence_export_build(export_id=first.pk)
    else:
        Job.objects.filter(key=first.job_key).update(
            status=Job.Status.FAILED if how == "failed" else Job.Status.RUNNING,
            lease_until=timezone.now() - dt.timedelta(seconds=1),
        )

    second = services.evidence_export_start(secretariat=state_a, user=rita)

    assert second != first
    assert jobs.latest_job(second.job_key).status == Job.Status.QUEUED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 404),
        ("alicia", 302),
        ("bruno", 404),
        ("fernanda", 302),
        ("rita", 302),
        ("adan", 302),
    ],
)
def test_who_may_export(world, persona, status):
    response = world.client(persona).post(
        reverse("evidence:export_start", kwargs={"pk": world.state_a.pk})
    )

    assert response.status_code == status
    assert EvidenceExport.objects.count() == (status == 302)


@pytest.mark.django_db
def test_export_start_is_post_only(state_a, rita):
    response = client_for(rita).get(reverse("evidence:export_start", kwargs={"pk": state_a.pk}))

    assert response.status_code == 405


@pytest.mark.django_db
def test_export_start_needs_the_csrf_token(state_a, rita):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(rita)

    response = client.post(reverse("evidence:export_start", kwargs={"pk": state_a.pk}))

    assert response.status_code == 403
    assert not EvidenceExport.objects.exists()


@pytest.mark.django_db
def test_reviewer_follows_the_progress_and_downloads_the_zip(state_a, alicia, rita):
    attach(state_a, alicia)
    client = client_for(rita)
    export = services.evidence_export_start(secretariat=state_a, user=rita)
    status_url = reverse(
        "evidence:export_status", kwargs={"pk": state_a.pk, "export_id": export.pk}
    )

    pending = client.get(status_url, {"formato": "json"}).json()
    page = client.get(status_url).content.decode()
    services.evidence_export_build(export_id=export.pk)
    ready = client.get(status_url, {"formato": "json"}).json()
    download = client.get(ready["download_url"])

    assert pending == {
        "status": "en_cola",
        "status_label": "En cola",
        "percent": 0,
        "done": 0,
        "total": 0,
        "finished": False,
        "may_retry": False,
        "requested_by": "Rita Cárdenas",
        "download_url": "",
    }
    assert "Solicitud de Rita Cárdenas." in page
    assert "<div data-export-retry hidden>" in page
    assert "js/evidence-export.js" in page and "<script>" not in page
    assert 'data-export-status-url="' in page
    assert ready["finished"] and ready["percent"] == 100
    assert (ready["status"], ready["status_label"]) == ("terminado", "Terminado")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Security-Policy"] == "sandbox"
    assert download["X-Content-Type-Options"] == "nosniff"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert services.MANIFEST_NAME in archive.namelist()
    assert EvidenceEvent.objects.filter(action="export_download", user=rita).exists()


# Session, user, the export with its STL, object permissions (own and through groups, one
# query), global roles (one query), its latest job with who asked.
EXPORT_STATUS_QUERIES = 6


@pytest.mark.django_db
@pytest.mark.parametrize("files", [1, 30])
def test_export_status_takes_a_fixed_number_of_queries(
    state_a, alicia, rita, files, django_assert_num_queries
):
    for number in range(files):
        attach(state_a, alicia, name=f"acta {number}.pdf")
    export = services.evidence_export_start(secretariat=state_a, user=rita)
    services.evidence_export_build(export_id=export.pk)
    client = client_for(rita)
    status_url = reverse(
        "evidence:export_status", kwargs={"pk": state_a.pk, "export_id": export.pk}
    )

    with django_assert_num_queries(EXPORT_STATUS_QUERIES):
        response = client.get(status_url)

    assert response.status_code == 200


@pytest.mark.django_db
def test_download_of_an_unfinished_export_goes_back_to_its_progress(state_a, rita):
    export = services.evidence_export_start(secretariat=state_a, user=rita)

    response = client_for(rita).get(
        reverse("evidence:export_download", kwargs={"pk": state_a.pk, "export_id": export.pk})
    )

    assert response.status_code == 302
    assert response["Location"] == export.get_absolute_url()


@pytest.mark.django_db
def test_export_of_state_a_is_404_for_state_b_and_through_b_urls(world):
    export = services.evidence_export_start(secretariat=world.state_a, user=world.rita)
    services.evidence_export_build(export_id=export.pk)
    for name in ("evidence:export_status", "evidence:export_download"):
        own = reverse(name, kwargs={"pk": world.state_a.pk, "export_id": export.pk})
        foreign = reverse(name, kwargs={"pk": world.state_b.pk, "export_id": export.pk})

        assert world.client("bruno").get(own).status_code == 404
        assert world.client("rita").get(foreign).status_code == 404


# --- in the real Celery worker (CI) -----------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_zip_export_runs_in_the_real_worker(live_worker, settings, state_a, alicia, fernanda, rita):
    # live_worker points this test's MEDIA_ROOT at the worker's, so both see the same files.
    build_vault(state_a, alicia, fernanda)

    export = services.evidence_export_start(secretariat=state_a, user=rita)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = jobs.latest_job(export.job_key)
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            break
        time.sleep(0.2)
    export.refresh_from_db()
    assert export.is_ready, (
        f"export job {job.status} ({job.error or 'no error'}); the worker must share the "
        f"database and MEDIA_ROOT ({settings.MEDIA_ROOT}) with the test"
    )
    assert (job.status, job.requested_by, job.attempts) == (Job.Status.DONE, rita, 1)
    rows = assert_manifest_matches_the_files(export)
    assert all(row["Archivo en el ZIP"] for row in rows), "the worker could not read some files"


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 10])
def test_export_names_subjects_with_one_query_per_subject_type(state_a, adan, rita, count):
    made = subjects_of_several_types(state_a, count=count)
    attach_to_each(made, adan, files=2)
    export = EvidenceExport.objects.create(secretariat=state_a, requested_by=rita)

    with CaptureQueriesContext(connection) as captured:
        services.evidence_export_build(export_id=export.pk)

    # One query per subject model: the STL, tables (with their nucleus), consultations,
    # prioritisations and facilitator assignments (with the person), whatever their number.
    stl_reads = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "stl_' in q["sql"] or 'FROM "cocreation_' in q["sql"]
    ]
    assert len(stl_reads) == 5
    export.refresh_from_db()
    rows = read_manifest(open_export(export))
    assert len(rows) == 2 * len(made)
    subjects_named = {row["Sujeto"] for row in rows}
    assert "Mesa de diálogo: Mesa de Sociedad civil del 15/02/2017" in subjects_named
    assert "Facilitación del STL: Facilitadora anterior 0 — Oaxaca 2016–2018" in subjects_named


# --- its job: failed, retried, past its lease -------------------------------------------------


def status_url_of(export) -> str:
    return reverse(
        "evidence:export_status", kwargs={"pk": export.secretariat_id, "export_id": export.pk}
    )


def retry_url_of(export) -> str:
    return reverse(
        "evidence:export_retry", kwargs={"pk": export.secretariat_id, "export_id": export.pk}
    )


def failed_export(secretariat, alicia, rita) -> EvidenceExport:
    """Return an export whose job ran once and broke (the storage refused the ZIP)."""
    attach(secretariat, alicia)
    export = services.evidence_export_start(secretariat=secretariat, user=rita)
    job = jobs.latest_job(export.job_key)
    task = celery_app.tasks[job.task_name]
    broken = mock.patch("evidence.services._write_archive", side_effect=ValueError("roto"))
    with broken, pytest.raises(ValueError):
        task.apply(args=job.args, task_id=str(job.pk))
    return export


@pytest.mark.django_db
def test_a_failed_export_shows_who_asked_and_its_retry(state_a, alicia, rita):
    export = failed_export(state_a, alicia, rita)
    client = client_for(rita)

    data = client.get(status_url_of(export), {"formato": "json"}).json()
    page = client.get(status_url_of(export)).content.decode()

    assert (data["status"], data["status_label"], data["finished"], data["may_retry"]) == (
        "fallido",
        "Falló",
        True,
        True,
    )
    assert 'data-export-status="fallido"' in page and "Falló" in page
    assert "Solicitud de Rita Cárdenas." in page
    start = page.index("<div data-export-retry>")
    retry = page[start : page.index("</form>", start)]
    assert "La exportación falló. Puedes intentarlo de nuevo" in retry
    assert f'action="{retry_url_of(export)}"' in retry
    assert 'method="post"' in retry and "csrfmiddlewaretoken" in retry
    assert "Reintentar" in retry
    assert "data-export-refresh" not in page


@pytest.mark.django_db
def test_retrying_a_failed_export_builds_it_with_the_same_job_for_whoever_retried(
    state_a, alicia, fernanda, rita, django_capture_on_commit_callbacks
):
    export = failed_export(state_a, alicia, rita)
    failed_job = jobs.latest_job(export.job_key)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(fernanda).post(retry_url_of(export), follow=True)

    assert len(callbacks) == 1
    assert "Se pidió de nuevo la exportación" in response.content.decode()
    export.refresh_from_db()
    assert export.is_ready
    job = jobs.latest_job(export.job_key)
    assert job == failed_job
    assert (job.status, job.attempts, job.requested_by) == (Job.Status.DONE, 2, fernanda)
    page = client_for(rita).get(status_url_of(export)).content.decode()
    assert "Solicitud de Fernanda Ríos." in page
    assert "<div data-export-retry hidden>" in page


@pytest.mark.django_db
def test_retrying_is_refused_while_the_export_is_on_its_way_and_once_ready(
    state_a, alicia, rita, django_capture_on_commit_callbacks
):
    attach(state_a, alicia)
    export = services.evidence_export_start(secretariat=state_a, user=rita)  # queued
    client = client_for(rita)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        on_its_way = client.post(retry_url_of(export), follow=True).content.decode()
        services.evidence_export_build(export_id=export.pk)
        ready = client.post(retry_url_of(export), follow=True).content.decode()

    assert callbacks == []
    assert "Esta exportación ya se está preparando: su página muestra el avance." in on_its_way
    assert "Esta exportación ya está lista: puedes descargar su ZIP." in ready
    assert Job.objects.filter(key=export.job_key).count() == 1


@pytest.mark.django_db
def test_an_export_whose_worker_died_shows_failed_and_may_be_retried(
    state_a, alicia, rita, django_capture_on_commit_callbacks
):
    attach(state_a, alicia)
    export = services.evidence_export_start(secretariat=state_a, user=rita)
    Job.objects.filter(key=export.job_key).update(
        status=Job.Status.RUNNING,
        attempts=1,
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )
    client = client_for(rita)

    assert client.get(status_url_of(export), {"formato": "json"}).json()["status"] == "fallido"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry_url_of(export))

    export.refresh_from_db()
    assert export.is_ready
    assert jobs.latest_job(export.job_key).attempts == 2


@pytest.mark.django_db
def test_retrying_needs_the_csrf_token_and_a_post(state_a, alicia, rita):
    from django.test import Client

    export = failed_export(state_a, alicia, rita)
    client = Client(enforce_csrf_checks=True)
    client.force_login(rita)

    assert client.post(retry_url_of(export)).status_code == 403
    assert client_for(rita).get(retry_url_of(export)).status_code == 405
    assert jobs.latest_job(export.job_key).status == Job.Status.FAILED


@pytest.mark.django_db
def test_the_recent_exports_show_the_state_of_their_jobs(state_a, alicia, rita):
    ready = services.evidence_export_start(secretariat=state_a, user=rita)
    services.evidence_export_build(export_id=ready.pk)
    failed = failed_export(state_a, alicia, rita)
    assert failed != ready

    page = (
        client_for(rita)
        .get(reverse("evidence:secretariat_list", kwargs={"pk": state_a.pk}))
        .content.decode()
    )

    section = page[page.index('id="exportaciones"') :]
    assert '<span class="tag tag-ok">Terminado</span>' in section
    assert '<span class="tag tag-danger">Falló</span>' in section
