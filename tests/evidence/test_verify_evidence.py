"""verify_evidence: every file re-hashed; missing and altered ones reported, logged, on /healthz."""

import logging

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from evidence import tasks
from evidence.health import check_integrity
from evidence.models import EvidenceEvent, IntegrityCheck
from pal_portal.health import ADVISORY_CHECKS
from tests.conftest import client_for
from tests.evidence.factories import attach, pdf_bytes, stored_path, tamper

pytestmark = pytest.mark.django_db


def run_command():
    from io import StringIO

    out = StringIO()
    call_command("verify_evidence", stdout=out)
    return out.getvalue()


def test_intact_vault_passes_with_a_spanish_report(state_a, alicia):
    attach(state_a, alicia)
    attach(state_a, alicia)

    output = run_command()

    assert "Verificación de evidencia: 2 archivos revisados." in output
    assert "Todos los archivos están íntegros." in output
    check = IntegrityCheck.objects.get()
    assert (check.checked, check.missing, check.altered, check.ok) == (2, 0, 0, True)
    assert check.finished_at is not None


def test_altered_and_missing_files_fail_the_command(state_a, alicia, capsys, caplog):
    intact = attach(state_a, alicia, name="intacta.pdf")
    altered = attach(state_a, alicia, name="alterada.pdf")
    missing = attach(state_a, alicia, name="perdida.pdf")
    tamper(altered)
    stored_path(missing).unlink()

    with (
        caplog.at_level(logging.ERROR, logger="pal_portal.security"),
        pytest.raises(CommandError) as exc_info,
    ):
        call_command("verify_evidence")

    assert exc_info.value.returncode == 1
    assert str(exc_info.value) == "1 archivo(s) faltante(s) y 1 alterado(s)."
    output = capsys.readouterr().out
    assert f"ALTERADO  evidencia #{altered.pk} (STL #{state_a.pk}): alterada.pdf" in output
    assert f"FALTANTE  evidencia #{missing.pk} (STL #{state_a.pk}): perdida.pdf" in output
    assert "intacta.pdf" not in output
    check = IntegrityCheck.objects.get()
    assert (check.checked, check.missing, check.altered) == (3, 1, 1)
    failures = EvidenceEvent.objects.filter(action=EvidenceEvent.Action.VERIFY_FAILURE)
    assert set(failures.values_list("evidence_id", flat=True)) == {altered.pk, missing.pk}
    assert intact.pk not in {e.evidence_id for e in failures}
    assert len([r for r in caplog.records if r.name == "pal_portal.security"]) == 2


def test_same_size_tampering_is_detected(state_a, alicia, capsys):
    content = pdf_bytes("original")
    evidence = attach(state_a, alicia, name="acta.pdf", content=content)
    forged = content.replace(b"Catalog", b"Catalox")
    assert len(forged) == len(content) and forged != content
    tamper(evidence, forged)

    with pytest.raises(CommandError) as exc_info:
        call_command("verify_evidence")

    assert str(exc_info.value) == "0 archivo(s) faltante(s) y 1 alterado(s)."
    assert f"ALTERADO  evidencia #{evidence.pk} (STL #{state_a.pk}): acta.pdf" in (
        capsys.readouterr().out
    )
    assert IntegrityCheck.objects.get().altered == 1


def test_exit_code_of_the_real_command_is_non_zero(state_a, alicia):
    evidence = attach(state_a, alicia)
    tamper(evidence)

    with pytest.raises(SystemExit) as exc_info:
        from django.core.management import ManagementUtility

        ManagementUtility(["manage.py", "verify_evidence"]).execute()

    assert exc_info.value.code == 1


def test_weekly_task_runs_the_same_check(state_a, alicia):
    evidence = attach(state_a, alicia)
    tamper(evidence)

    result = tasks.verify_evidence.delay().get()

    assert result == {
        "check": IntegrityCheck.objects.get().pk,
        "checked": 1,
        "missing": 0,
        "altered": 1,
    }


def test_celery_beat_runs_it_every_week():
    entry = settings.CELERY_BEAT_SCHEDULE["evidence-verify-weekly"]

    assert entry["task"] == tasks.verify_evidence.name
    assert entry["schedule"].day_of_week == {0}
    assert len(entry["schedule"].hour) == 1 and len(entry["schedule"].minute) == 1


def test_healthz_is_healthy_before_any_verification(client):
    assert ADVISORY_CHECKS["evidence_integrity"] is check_integrity

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["checks"]["evidence_integrity"] == {
        "ok": True,
        "last_run": None,
        "failed_reads": 0,
    }


def test_healthz_reports_degraded_while_the_last_run_found_problems(state_a, alicia, client):
    evidence = attach(state_a, alicia)
    tamper(evidence)
    with pytest.raises(CommandError):
        call_command("verify_evidence")

    response = client.get(reverse("healthz"))

    # Reported, not fatal: the services are up and the next weekly check must still run.
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    check = response.json()["checks"]["evidence_integrity"]
    assert (check["ok"], check["checked"], check["missing"], check["altered"]) == (
        False,
        1,
        0,
        1,
    )
    assert check["last_run"]


def test_healthz_recovers_after_a_clean_run(state_a, alicia, client):
    evidence = attach(state_a, alicia)
    original = stored_path(evidence).read_bytes()
    tamper(evidence)
    with pytest.raises(CommandError):
        call_command("verify_evidence")
    stored_path(evidence).write_bytes(original)  # restored from backup

    run_command()

    assert client.get(reverse("healthz")).status_code == 200
    assert client_for(None).get(reverse("healthz")).json()["checks"]["evidence_integrity"]["ok"]


def test_a_download_that_finds_a_file_altered_degrades_health_at_once(state_a, alicia, client):
    evidence = attach(state_a, alicia)
    run_command()  # the weekly check found everything intact
    assert client.get(reverse("healthz")).json()["status"] == "ok"
    tamper(evidence)

    download = client_for(alicia).get(
        reverse("evidence:download", kwargs={"pk": state_a.pk, "evidence_id": evidence.pk})
    )

    assert download.status_code == 409
    body = client.get(reverse("healthz")).json()
    assert body["status"] == "degraded"
    assert body["checks"]["evidence_integrity"]["failed_reads"] == 1
    assert not body["checks"]["evidence_integrity"]["ok"]


def test_command_help_is_in_spanish():
    from evidence.management.commands.verify_evidence import Command

    text = Command().create_parser("manage.py", "verify_evidence").format_help()

    assert "Vuelve a calcular el SHA-256 de cada archivo de evidencia" in text
