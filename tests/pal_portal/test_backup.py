"""backup and restore: every row and every evidence file comes back, or nothing changes.

A "fresh database" is the test database flushed (``flush`` empties every table, then the
post-migrate handlers write content types, permissions and groups again, as ``migrate`` does in a
new database); a "fresh storage" is a new, empty MEDIA_ROOT.
"""

import hashlib
import json
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from evidence import services
from evidence.models import Evidence, EvidenceExport
from pal_portal.backup import backed_up_models, first_stored_file, tables_with_rows
from pal_portal.models import Job
from stl.models import Member, Secretariat
from tests.cocreation.factories_dialogue import on_the_register
from tests.cocreation.factories_prioritization import make_decision, make_vote
from tests.conftest import client_for
from tests.evidence.factories import (
    attach,
    attach_to_each,
    evidence_root,
    pdf_file,
    stored_files,
    subjects_of_several_types,
)
from tests.factories import SecretariatFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def portal(world):
    """A portal with rows in the tables that matter: people, access, the co-creation record,
    evidence (superseded, withdrawn, on several subjects), a ZIP export and its job, history,
    a session and a Celery beat schedule."""
    alicia_member = Member.objects.get(user=world.alicia)
    attach_to_each(subjects_of_several_types(world.state_a, count=1), world.adan, files=1)
    minutes = attach(world.state_a, world.alicia, name="acta.pdf")
    services.evidence_supersede(
        evidence=minutes,
        uploaded_file=pdf_file("acta-corregida.pdf"),
        description="Acta corregida",
        user=world.alicia,
    )
    photo = attach(world.state_a, world.alicia, name="foto.pdf", kind=Evidence.Kind.PHOTO)
    services.evidence_withdraw(evidence=photo, reason="Fotografía equivocada", user=world.alicia)
    export = services.evidence_export_start(secretariat=world.state_a, user=world.rita)
    services.evidence_export_build(export_id=export.pk)
    on_the_register(world.state_a, "Ana Pérez", "Luis Gómez")
    make_vote(make_decision(world.state_a), alicia_member)
    every_week = IntervalSchedule.objects.create(every=7, period=IntervalSchedule.DAYS)
    PeriodicTask.objects.create(
        name="Verificación semanal", task="evidence.verify_evidence", interval=every_week
    )
    client_for(world.alicia)  # a session row
    return world


def database_models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def rows_of_every_table() -> dict:
    return {
        model._meta.label_lower: list(
            model._base_manager.order_by("pk").values_list(
                *[f.attname for f in model._meta.local_concrete_fields]
            )
        )
        for model in database_models()
    }


def stored_checksums() -> dict:
    root = evidence_root()
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in stored_files()
    }


def backup(path) -> str:
    out = StringIO()
    call_command("backup", str(path), stdout=out)
    return out.getvalue()


def restore(path, *args) -> str:
    out = StringIO()
    call_command("restore", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def fresh_portal(settings, tmp_path):
    """Empty the database as a new one is, and point the storage at a new, empty folder."""
    call_command("flush", interactive=False, verbosity=0)
    settings.MEDIA_ROOT = tmp_path / "media-nueva"


def flip_a_byte(path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(data)


def test_a_backup_holds_every_table_including_history_access_jobs_and_schedules():
    labels = {model._meta.label_lower for model in backed_up_models()}

    assert labels == {model._meta.label_lower for model in database_models()}
    assert {
        "pal_portal.user",
        "pal_portal.historicaluser",
        "pal_portal.user_groups",
        "auth.group",
        "auth.group_permissions",
        "auth.permission",
        "guardian.userobjectpermission",
        "stl.secretariatuserobjectpermission",
        "evidence.evidence",
        "evidence.historicalevidence",
        "pal_portal.job",
        "django_celery_beat.periodictask",
    } <= labels


@pytest.mark.parametrize("pages", ["as shipped", "one row per page"])
def test_restore_into_a_fresh_portal_gives_back_every_row_and_every_file(
    portal, tmp_path, settings, monkeypatch, pages
):
    if pages == "one row per page":  # every page boundary of reading and inserting exercised
        monkeypatch.setattr("pal_portal.backup.PAGE_BYTES", 1)
        monkeypatch.setattr("pal_portal.backup.MAX_PAGE_ROWS", 1)
    before = rows_of_every_table()
    files_before = stored_checksums()
    assert before["evidence.historicalevidence"] and before["pal_portal.historicaluser"]
    assert EvidenceExport.objects.get().is_ready
    target = tmp_path / "respaldo"

    output = backup(target)

    rows = sum(len(table) for table in before.values())
    assert output.startswith(f"Respaldo escrito en {target}: {len(before)} tablas, {rows} filas, ")
    assert target.stat().st_mode & 0o077 == 0  # personal data: its owner's eyes only
    fresh_portal(settings, tmp_path)
    assert stored_checksums() == {}

    output = restore(target)

    assert output.startswith(f"Restauración terminada: {len(before)} tablas, {rows} filas, ")
    assert rows_of_every_table() == before
    assert stored_checksums() == files_before
    checksums = stored_checksums()
    for evidence in Evidence.objects.all():
        assert checksums[evidence.file.name] == evidence.sha256
    # Sequences follow the restored ids: new rows (and their history rows) get new ones.
    newest = max(Secretariat.objects.values_list("pk", flat=True))
    assert SecretariatFactory(state="YUC").pk > newest


def test_restore_over_a_database_with_rows_is_refused(portal, tmp_path):
    target = tmp_path / "respaldo"
    backup(target)
    before = rows_of_every_table()

    with pytest.raises(CommandError) as refused:
        restore(target)

    message = str(refused.value)
    assert message.startswith("La base de datos no está vacía: ")
    assert message.endswith(
        " tienen filas. Solo se restaura sobre una base recién migrada y sin datos; nada se "
        "sobrescribe."
    )
    assert rows_of_every_table() == before


def test_restore_into_a_storage_with_files_is_refused(portal, tmp_path, settings):
    target = tmp_path / "respaldo"
    backup(target)
    fresh_portal(settings, tmp_path)
    (evidence_root() / "7").mkdir(parents=True)
    (evidence_root() / "7" / "ajeno").write_bytes(b"otro archivo")

    with pytest.raises(CommandError) as refused:
        restore(target)

    assert str(refused.value) == (
        "El almacenamiento «evidence» no está vacío (tiene 7/ajeno). Solo se restaura sobre un "
        "almacenamiento vacío; nada se sobrescribe."
    )
    assert tables_with_rows() == []


def test_a_corrupted_evidence_file_in_the_backup_undoes_the_whole_restore(
    portal, tmp_path, settings
):
    target = tmp_path / "respaldo"
    backup(target)
    # The last file listed, so that the files before it were already copied when it fails.
    last = json.loads((target / "files.jsonl").read_text().splitlines()[-1])
    flip_a_byte(target / "files" / "evidence" / last["name"])
    fresh_portal(settings, tmp_path)

    with pytest.raises(CommandError) as refused:
        restore(target)

    assert str(refused.value) == (
        f"Respaldo dañado: files/evidence/{last['name']} no coincide con su SHA-256. Se deshizo "
        "la restauración."
    )
    assert tables_with_rows() == []
    assert stored_files() == []
    with pytest.raises(CommandError, match="no coincide con el SHA-256 del manifiesto"):
        restore(target, "--check")


def test_a_corrupted_table_dump_is_refused_before_anything_changes(portal, tmp_path, settings):
    target = tmp_path / "respaldo"
    backup(target)
    assert restore(target, "--check").startswith("Respaldo íntegro: ")
    flip_a_byte(target / "db" / "stl.secretariat.jsonl")
    fresh_portal(settings, tmp_path)

    with pytest.raises(CommandError) as refused:
        restore(target)

    assert str(refused.value) == (
        "Respaldo dañado: db/stl.secretariat.jsonl no coincide con el SHA-256 del manifiesto. "
        "No se restauró nada."
    )
    assert tables_with_rows() == []
    assert stored_files() == []


def test_rows_that_cannot_be_loaded_undo_the_restore_even_with_matching_checksums(
    portal, tmp_path, settings
):
    target = tmp_path / "respaldo"
    backup(target)
    dump = target / "db" / "stl.secretariat.jsonl"
    dump.write_text(dump.read_text() + '{"model": "stl.secretariat", "pk": "uno"}\n')
    manifest = json.loads((target / "manifest.json").read_text())
    (table,) = [t for t in manifest["tables"] if t["model"] == "stl.secretariat"]
    table["sha256"] = hashlib.sha256(dump.read_bytes()).hexdigest()
    table["bytes"] = dump.stat().st_size
    (target / "manifest.json").write_text(json.dumps(manifest))
    fresh_portal(settings, tmp_path)

    with pytest.raises(CommandError) as refused:
        restore(target)

    assert str(refused.value).startswith("No se pudieron cargar las filas de db/stl.secretariat")
    assert str(refused.value).endswith("). Se deshizo la restauración.")
    assert tables_with_rows() == []
    assert stored_files() == []


def test_a_backup_of_another_schema_is_refused(portal, tmp_path, settings):
    target = tmp_path / "respaldo"
    backup(target)
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["migrations"].remove("stl.0003_fields_declared_once_with_bounds")
    (target / "manifest.json").write_text(json.dumps(manifest))
    fresh_portal(settings, tmp_path)

    with pytest.raises(CommandError) as refused:
        restore(target)

    assert str(refused.value) == (
        "El esquema de esta base de datos no es el del respaldo (migraciones solo en el "
        "respaldo: —; solo en esta base: stl.0003_fields_declared_once_with_bounds). Restaura "
        "con la misma versión del portal que hizo el respaldo, después de «migrate»."
    )


def test_a_stored_file_already_missing_is_reported_and_stays_missing(portal, tmp_path, settings):
    lost = Evidence.objects.filter(withdrawn_at__isnull=False).get()
    (evidence_root() / lost.file.name).unlink()
    target = tmp_path / "respaldo"

    with pytest.raises(CommandError) as reported:
        call_command("backup", str(target), stdout=StringIO(), stderr=StringIO())

    assert reported.value.returncode == 1
    assert str(reported.value) == (
        "Faltan 1 archivo(s) en el almacenamiento: el respaldo los registra como faltantes en "
        "files.jsonl (revisa verify_evidence)."
    )
    files_before = stored_checksums()
    fresh_portal(settings, tmp_path)
    restore(target)
    assert stored_checksums() == files_before


def test_a_backup_never_overwrites_another(tmp_path):
    target = tmp_path / "respaldo"
    target.mkdir()

    with pytest.raises(CommandError) as refused:
        backup(target)

    assert str(refused.value) == (
        f"Ya existe {target}. Elige una ruta nueva: un respaldo nunca se escribe sobre otro."
    )


# --- what "empty" means ---------------------------------------------------------------------------


def test_a_freshly_migrated_database_is_empty_despite_what_migrate_writes():
    call_command("flush", interactive=False, verbosity=0)

    assert Group.objects.exists()  # content types, permissions and groups: migrate's own rows
    assert tables_with_rows() == []


def test_one_row_in_any_other_table_makes_the_database_non_empty():
    call_command("flush", interactive=False, verbosity=0)
    Job.objects.create(task_name="evidence.verify_evidence")

    assert tables_with_rows() == ["pal_portal.job"]


def test_empty_folders_do_not_make_a_storage_non_empty(settings, tmp_path):
    from django.core.files.storage import storages

    settings.MEDIA_ROOT = tmp_path / "media-nueva"
    storage = storages["evidence"]
    assert first_stored_file(storage) is None  # not even the folder exists
    (evidence_root() / "3" / "vacía").mkdir(parents=True)
    assert first_stored_file(storage) is None
    (evidence_root() / "3" / "vacía" / "archivo").write_bytes(b"x")
    assert first_stored_file(storage) == "3/vacía/archivo"
