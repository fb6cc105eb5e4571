"""Backup and restore of the whole portal: every table, every stored file, and their checksums.

A backup is a directory (docs/backup.md):

- ``manifest.json`` — format and version, when and from which database, the applied migrations,
  and for every table its dump file, row count, size and SHA-256;
- ``db/<app_label>.<model_name>.jsonl`` — one file per model (history, users, groups,
  permissions, guardian's object permissions, Celery beat's schedules and the job table are
  models like any other), one JSON object per row in Django's ``jsonl`` serialisation, by pk;
- ``files.jsonl`` — one line per stored file: storage alias, name, size, SHA-256;
- ``files/<storage alias>/<name>`` — the files themselves.

Nothing here knows a domain app: the models come from the app registry, the files from a walk
over every ``FileField`` (and the history columns that copy one), the storages from
``settings.STORAGES``. Memory stays bounded whatever the size of the data: rows go out in pages
by primary key and come back in inserts of the same size (at most 2,000 rows, and about 256 KiB
of JSON and unlimited text), read one line at a time; files are copied in 1 MiB pieces.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import reduce
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Serializer as JSONLinesSerializer
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connections,
    reset_queries,
    router,
    transaction,
)
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import BinaryField, FileField, JSONField, Model, TextField
from django.db.models.functions import Cast, Coalesce, Length
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalChanges

FORMAT = "pal-portal-backup"
VERSION = 1
MANIFEST = "manifest.json"
FILES_LIST = "files.jsonl"
CHUNK_SIZE = 1024 * 1024
# Rows are read and inserted in pages of at most MAX_PAGE_ROWS rows and, for tables with columns
# of unbounded width (JSON, text without a length limit), about PAGE_BYTES of those columns: a
# computed prioritisation holds 100 KB of JSON, 2 MB once parsed, so a page of 2,000 such rows
# would not fit in memory.
PAGE_BYTES = 256 * 1024
MAX_PAGE_ROWS = 2000
NAMES_PER_QUERY = 2000
# The rows ``migrate`` itself writes into a new database: content types, permissions, and the
# groups (with their permissions) the apps create after migrating. A restore replaces them with
# the backup's rows, so that every id the other tables point at stays the same.
REPLACED_ON_RESTORE = frozenset(
    {"contenttypes.contenttype", "auth.permission", "auth.group", "auth.group_permissions"}
)


class BackupError(CommandError):
    """A backup that cannot be written, or a restore refused or undone (Spanish message)."""


Log = Callable[[str], None]


# --- what a backup holds --------------------------------------------------------------------------


def backed_up_models(using: str = DEFAULT_DB_ALIAS) -> list[type[Model]]:
    """Return every model whose table a backup holds, by label: all the database's own tables."""
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and router.allow_migrate_model(using, model)
    ]
    return sorted(models, key=lambda model: model._meta.label_lower)


def _storage_alias(model_field: FileField) -> str:
    aliases = [alias for alias in settings.STORAGES if alias != "staticfiles"]
    for alias in aliases:
        if model_field.storage is storages[alias]:
            return alias
    # A storage given as a callable is re-read, in case the storages were set up again since.
    callable_storage = getattr(model_field, "_storage_callable", None)
    if callable_storage is not None:
        current = callable_storage()
        for alias in aliases:
            if current is storages[alias]:
                return alias
    raise BackupError(
        _(
            "El campo %(field)s guarda sus archivos en un almacenamiento que no está en "
            "STORAGES; no se puede respaldar."
        )
        % {"field": f"{model_field.model._meta.label}.{model_field.name}"}
    )


def file_columns(models: list[type[Model]]) -> dict[str, list[tuple[type[Model], str]]]:
    """Return, per storage alias, every ``(model, column)`` that names a file in that storage.

    A history table copies each ``FileField`` of its model as a text column of the same name;
    the files it names are backed up too, so that an old version's file is never lost.
    """
    columns: dict[str, list[tuple[type[Model], str]]] = {}
    for model in models:
        for model_field in model._meta.local_concrete_fields:
            if isinstance(model_field, FileField):
                alias = _storage_alias(model_field)
                columns.setdefault(alias, []).append((model, model_field.attname))
        if issubclass(model, HistoricalChanges):
            tracked = model.instance_type
            for model_field in tracked._meta.concrete_fields:
                if isinstance(model_field, FileField):
                    alias = _storage_alias(model_field)
                    columns.setdefault(alias, []).append((model, model_field.attname))
    return columns


def _stored_names(columns: list[tuple[type[Model], str]], using: str) -> Iterator[str]:
    """Yield, once each and in order, every file name these columns hold (one query)."""
    querysets = [
        model._base_manager.using(using)
        .exclude(**{f"{column}__isnull": True})
        .exclude(**{column: ""})
        .values_list(column, flat=True)
        .order_by()
        for model, column in columns
    ]
    names = querysets[0].union(*querysets[1:]) if len(querysets) > 1 else querysets[0].distinct()
    yield from names.order_by(columns[0][1]).iterator(chunk_size=NAMES_PER_QUERY)


def _safe_relative(name: str) -> PurePosixPath:
    """Return ``name`` as a relative path, refusing anything that could leave its folder."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\\" in name or "\x00" in name:
        raise BackupError(_("Nombre de archivo inseguro en el respaldo: %(name)s") % {"name": name})
    return path


def _applied_migrations(using: str) -> list[str]:
    """Return the schema's state: every applied migration as ``app_label.name``, sorted."""
    recorder = MigrationRecorder(connections[using])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _table_file(model: type[Model]) -> str:
    return f"db/{model._meta.label_lower}.jsonl"


# --- writing --------------------------------------------------------------------------------------


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (a restore must give them back)."""

    def default(self, o):
        if isinstance(o, (dt.datetime, dt.time)):
            return o.isoformat()
        return super().default(o)


class _RowSerializer(JSONLinesSerializer):
    """Django's JSON lines, one ``write`` per row, counting the rows."""

    rows = 0

    def end_object(self, obj):
        self.stream.write(json.dumps(self.get_dump_object(obj), **self.json_kwargs) + "\n")
        self.rows += 1
        self._current = None


class _HashingWriter:
    """A text stream over a binary file that keeps the SHA-256 and size of what it wrote."""

    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.sha256.update(data)
        self.raw.write(data)
        self.size += len(data)
        return len(text)

    def flush(self) -> None:
        self.raw.flush()


def _unbounded(model_field) -> bool:
    return isinstance(model_field, (JSONField, TextField, BinaryField)) and not getattr(
        model_field, "max_length", None
    )


def _rows(model: type[Model], using: str) -> Iterator[Model]:
    """Yield every row of ``model`` by primary key, holding one page of rows at a time."""
    rows = model._base_manager.using(using).order_by("pk")
    wide = [f for f in model._meta.local_concrete_fields if _unbounded(f)]
    if not wide:
        yield from rows.iterator(chunk_size=MAX_PAGE_ROWS)
        return
    # Measure the wide columns of each row first (one small query), then read them in pages
    # of consecutive primary keys that together hold about PAGE_BYTES.
    width = reduce(operator.add, [Coalesce(Length(Cast(f.attname, TextField())), 0) for f in wide])
    widths = rows.annotate(backup_width=width).values_list("pk", "backup_width")
    first = last = None
    size = count = 0
    for pk, row_width in widths.iterator(chunk_size=MAX_PAGE_ROWS):
        if first is not None and (size + row_width > PAGE_BYTES or count == MAX_PAGE_ROWS):
            yield from rows.filter(pk__gte=first, pk__lte=last)
            reset_queries()  # with DEBUG on, Django would keep every statement
            first = None
        if first is None:
            first, size, count = pk, 0, 0
        last, size, count = pk, size + row_width, count + 1
    if first is not None:
        yield from rows.filter(pk__gte=first, pk__lte=last)


def _dump_table(model: type[Model], root: Path, using: str) -> dict:
    fields = [f.name for f in model._meta.local_fields if f.serialize and not f.generated]
    name = _table_file(model)
    with open(root / name, "xb") as raw:
        writer = _HashingWriter(raw)
        serializer = _RowSerializer()
        serializer.serialize(_rows(model, using), stream=writer, fields=fields, cls=_Encoder)
    return {
        "model": model._meta.label_lower,
        "table": model._meta.db_table,
        "file": name,
        "rows": serializer.rows,
        "bytes": writer.size,
        "sha256": writer.sha256.hexdigest(),
    }


def _copy_out(storage: Storage, name: str, target: Path) -> tuple[str, int]:
    """Copy one stored file to ``target`` in pieces; return its SHA-256 and size."""
    sha256 = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with storage.open(name, "rb") as source, open(target, "xb") as copy:
        while chunk := source.read(CHUNK_SIZE):
            sha256.update(chunk)
            copy.write(chunk)
            size += len(chunk)
    return sha256.hexdigest(), size


def _hash_path(path: Path) -> tuple[str, int]:
    sha256 = hashlib.sha256()
    size = 0
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK_SIZE):
            sha256.update(chunk)
            size += len(chunk)
    return sha256.hexdigest(), size


@dataclass
class BackupSummary:
    path: Path
    tables: int = 0
    rows: int = 0
    files: int = 0
    bytes: int = 0
    missing: list[str] = field(default_factory=list)


@contextmanager
def _snapshot(using: str):
    """Read everything inside one transaction that sees one moment of the database."""
    connection = connections[using]
    repeatable = connection.vendor == "postgresql" and not connection.in_atomic_block
    # SQLite: one read transaction is one snapshot (inside a test, the test's transaction is).
    with transaction.atomic(using=using):
        if repeatable:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def backup_write(
    *, path: Path, using: str = DEFAULT_DB_ALIAS, log: Log | None = None
) -> BackupSummary:
    """Write a backup of the database and the stored files to the new directory ``path``.

    The directory appears only once complete (written beside it under a hidden name, then
    renamed). Files that rows name but the storage lacks are listed as missing, not invented.
    """
    path = Path(path)
    if path.exists():
        raise BackupError(
            _("Ya existe %(path)s. Elige una ruta nueva: un respaldo nunca se escribe sobre otro.")
            % {"path": path}
        )
    if not path.parent.is_dir():
        raise BackupError(
            _("No existe la carpeta %(parent)s donde se escribiría el respaldo.")
            % {"parent": path.parent}
        )
    models = backed_up_models(using)
    columns = file_columns(models)
    # mkdtemp: readable by its owner only (the backup holds personal data and password hashes).
    work = Path(tempfile.mkdtemp(prefix=f".{path.name}.incompleto-", dir=path.parent))
    summary = BackupSummary(path=path)
    try:
        (work / "db").mkdir()
        connection = connections[using]
        with _snapshot(using):
            migrations = _applied_migrations(using)
            tables = []
            for model in models:
                table = _dump_table(model, work, using)
                if log:
                    log(f"{table['model']}: {table['rows']}")
                tables.append(table)
                summary.rows += table["rows"]
            summary.tables = len(tables)
            with open(work / FILES_LIST, "xb") as raw:
                listing = _HashingWriter(raw)
                for alias, alias_columns in sorted(columns.items()):
                    storage = storages[alias]
                    for name in _stored_names(alias_columns, using):
                        target = work / "files" / alias / _safe_relative(name)
                        entry = {"storage": alias, "name": name}
                        try:
                            entry["sha256"], entry["size"] = _copy_out(storage, name, target)
                        except FileNotFoundError:
                            entry["missing"] = True
                            summary.missing.append(f"{alias}/{name}")
                        else:
                            summary.files += 1
                            summary.bytes += entry["size"]
                        listing.write(json.dumps(entry, ensure_ascii=False) + "\n")
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "django": django.get_version(),
            "database": connection.vendor,
            "migrations": migrations,
            "tables": tables,
            "files": {
                "list": FILES_LIST,
                "sha256": listing.sha256.hexdigest(),
                "count": summary.files,
                "bytes": summary.bytes,
                "missing": len(summary.missing),
                "storages": sorted(columns),
            },
        }
        with open(work / MANIFEST, "x", encoding="utf-8") as out:
            json.dump(manifest, out, ensure_ascii=False, indent=1)
            out.write("\n")
        os.rename(work, path)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return summary


# --- restoring ------------------------------------------------------------------------------------


def _read_manifest(root: Path) -> dict:
    try:
        with open(root / MANIFEST, encoding="utf-8") as source:
            manifest = json.load(source)
    except FileNotFoundError:
        raise BackupError(
            _("%(path)s no es un respaldo del portal: le falta manifest.json.") % {"path": root}
        ) from None
    except (OSError, ValueError) as error:
        raise BackupError(
            _("No se puede leer el manifiesto del respaldo: %(error)s") % {"error": error}
        ) from error
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or manifest.get("version") != VERSION
    ):
        raise BackupError(
            _("%(path)s no es un respaldo que esta versión del portal sepa leer.") % {"path": root}
        )
    return manifest


def _listed(labels) -> str:
    labels = sorted(labels)
    shown = ", ".join(labels[:5])
    if len(labels) > 5:
        shown += " " + _("y %(count)d más") % {"count": len(labels) - 5}
    return shown


def _check_same_schema(manifest: dict, models: list[type[Model]], using: str) -> None:
    applied = set(_applied_migrations(using))
    recorded = set(manifest["migrations"])
    if applied != recorded:
        raise BackupError(
            _(
                "El esquema de esta base de datos no es el del respaldo (migraciones solo en el "
                "respaldo: %(backup)s; solo en esta base: %(here)s). Restaura con la misma "
                "versión del portal que hizo el respaldo, después de «migrate»."
            )
            % {
                "backup": _listed(recorded - applied) or "—",
                "here": _listed(applied - recorded) or "—",
            }
        )
    here = {model._meta.label_lower for model in models}
    there = {table["model"] for table in manifest["tables"]}
    if here != there:
        raise BackupError(
            _(
                "Las tablas del respaldo no son las de esta versión del portal (solo en el "
                "respaldo: %(backup)s; solo en esta base: %(here)s)."
            )
            % {"backup": _listed(there - here) or "—", "here": _listed(here - there) or "—"}
        )


def tables_with_rows(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Return the models that make the database non-empty for a restore.

    Empty means: no row in any table a backup holds, except the rows ``migrate`` writes into a
    new database (``REPLACED_ON_RESTORE``: content types, permissions, groups).
    """
    return [
        model._meta.label_lower
        for model in backed_up_models(using)
        if model._meta.label_lower not in REPLACED_ON_RESTORE
        and model._base_manager.using(using).exists()
    ]


def first_stored_file(storage: Storage, folder: str = "") -> str | None:
    """Return the name of some file in ``storage``, or None when it holds none (empty folders
    left behind do not count)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return None
    if files:
        return f"{folder}/{files[0]}" if folder else files[0]
    for name in folders:
        found = first_stored_file(storage, f"{folder}/{name}" if folder else name)
        if found:
            return found
    return None


def _storage_named(alias: str) -> Storage:
    if alias not in settings.STORAGES:
        raise BackupError(
            _("El almacenamiento «%(storage)s» del respaldo no está configurado en este portal.")
            % {"storage": alias}
        )
    return storages[alias]


def _check_empty(manifest: dict, using: str) -> None:
    busy = tables_with_rows(using)
    if busy:
        raise BackupError(
            _(
                "La base de datos no está vacía: %(tables)s tienen filas. Solo se restaura sobre "
                "una base recién migrada y sin datos; nada se sobrescribe."
            )
            % {"tables": _listed(busy)}
        )
    for alias in manifest["files"]["storages"]:
        try:
            found = first_stored_file(_storage_named(alias))
        except NotImplementedError:  # a storage that cannot list: saving never overwrites
            continue
        if found:
            raise BackupError(
                _(
                    "El almacenamiento «%(storage)s» no está vacío (tiene %(name)s). Solo se "
                    "restaura sobre un almacenamiento vacío; nada se sobrescribe."
                )
                % {"storage": alias, "name": found}
            )


def _verified_path(root: Path, name: str, sha256: str, size: int | None = None) -> Path:
    """Return ``root/name`` after checking its SHA-256 (and size), or refuse."""
    path = root / _safe_relative(name)
    try:
        actual, actual_size = _hash_path(path)
    except FileNotFoundError:
        raise BackupError(
            _("Respaldo incompleto: falta %(file)s. No se restauró nada.") % {"file": name}
        ) from None
    if actual != sha256 or (size is not None and actual_size != size):
        raise BackupError(
            _(
                "Respaldo dañado: %(file)s no coincide con el SHA-256 del manifiesto. No se "
                "restauró nada."
            )
            % {"file": name}
        )
    return path


def _verify_tables(root: Path, manifest: dict) -> None:
    for table in manifest["tables"]:
        _verified_path(root, table["file"], table["sha256"], table["bytes"])
    _verified_path(root, manifest["files"]["list"], manifest["files"]["sha256"])


def _file_entries(root: Path, manifest: dict) -> Iterator[dict]:
    with open(root / manifest["files"]["list"], encoding="utf-8") as listing:
        for line in listing:
            if line.strip():
                yield json.loads(line)


def _insert(model: type[Model], objects: list[Model], using: str) -> None:
    # Raw, as loaddata saves: no auto_now, no signals, no history rows (the backup has them).
    fields = [f for f in model._meta.local_concrete_fields if not f.generated]
    size = max(1, min(MAX_PAGE_ROWS, connections[using].ops.bulk_batch_size(fields, objects)))
    for start in range(0, len(objects), size):
        model._base_manager._insert(
            objects[start : start + size], fields=fields, raw=True, using=using
        )
    reset_queries()  # with DEBUG on, Django would keep every statement and its rows


class _CountingLines:
    """The lines of a binary file, counting the bytes handed out since ``size`` was reset."""

    def __init__(self, source):
        self.source = source
        self.size = 0

    def __iter__(self):
        for line in self.source:
            self.size += len(line)
            yield line


def _load_table(root: Path, table: dict, using: str) -> int:
    model = apps.get_model(table["model"])
    rows = 0
    batch: list[Model] = []
    with open(root / _safe_relative(table["file"]), "rb") as source:
        lines = _CountingLines(source)
        for row in serializers.deserialize("jsonl", lines, using=using):
            if type(row.object) is not model:
                raise BackupError(
                    _("Respaldo dañado: %(file)s tiene filas de otra tabla.")
                    % {"file": table["file"]}
                )
            batch.append(row.object)
            rows += 1
            if len(batch) >= MAX_PAGE_ROWS or lines.size >= PAGE_BYTES:
                _insert(model, batch, using)
                batch = []
                lines.size = 0
    if batch:
        _insert(model, batch, using)
    if rows != table["rows"]:
        raise BackupError(
            _("Respaldo dañado: %(file)s tiene %(rows)d filas y el manifiesto dice %(expected)d.")
            % {"file": table["file"], "rows": rows, "expected": table["rows"]}
        )
    return rows


def _restore_file(root: Path, entry: dict, written: list[tuple[str, str]]) -> None:
    alias, name = entry["storage"], entry["name"]
    storage = _storage_named(alias)
    source_name = f"files/{alias}/{_safe_relative(name)}"
    path = root / source_name
    try:
        actual, size = _hash_path(path)
    except FileNotFoundError:
        raise BackupError(
            _("Respaldo incompleto: falta %(file)s. Se deshizo la restauración.")
            % {"file": source_name}
        ) from None
    if actual != entry["sha256"] or size != entry["size"]:
        raise BackupError(
            _("Respaldo dañado: %(file)s no coincide con su SHA-256. Se deshizo la restauración.")
            % {"file": source_name}
        )
    with open(path, "rb") as source:
        saved = storage.save(name, File(source, name=name))
    written.append((alias, saved))
    if saved != name:
        raise BackupError(
            _("El almacenamiento «%(storage)s» ya tenía %(name)s. Se deshizo la restauración.")
            % {"storage": alias, "name": name}
        )


@dataclass
class RestoreSummary:
    tables: int = 0
    rows: int = 0
    files: int = 0
    bytes: int = 0
    missing: int = 0


def backup_check(*, path: Path) -> RestoreSummary:
    """Check every checksum of the backup at ``path`` without restoring anything."""
    root = Path(path)
    manifest = _read_manifest(root)
    _verify_tables(root, manifest)
    summary = RestoreSummary(
        tables=len(manifest["tables"]), rows=sum(table["rows"] for table in manifest["tables"])
    )
    for entry in _file_entries(root, manifest):
        if entry.get("missing"):
            summary.missing += 1
            continue
        source_name = f"files/{entry['storage']}/{_safe_relative(entry['name'])}"
        _verified_path(root, source_name, entry["sha256"], entry["size"])
        summary.files += 1
        summary.bytes += entry["size"]
    return summary


def backup_restore(
    *, path: Path, using: str = DEFAULT_DB_ALIAS, log: Log | None = None
) -> RestoreSummary:
    """Restore the backup at ``path`` into an empty database and empty storages.

    Refused, with nothing changed, when the database or a storage is not empty, the schema
    differs, or a table dump fails its checksum. Rows load in one transaction; files are checked
    one by one as they are copied, and any failure rolls the rows back and removes the files
    already copied. Primary keys are kept and sequences reset.
    """
    root = Path(path)
    manifest = _read_manifest(root)
    models = backed_up_models(using)
    _check_same_schema(manifest, models, using)
    _check_empty(manifest, using)
    _verify_tables(root, manifest)
    connection = connections[using]
    summary = RestoreSummary()
    written: list[tuple[str, str]] = []
    try:
        with transaction.atomic(using=using):
            with connection.constraint_checks_disabled(), connection.cursor() as cursor:
                for model in models:
                    if model._meta.label_lower in REPLACED_ON_RESTORE:
                        table = connection.ops.quote_name(model._meta.db_table)
                        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a model's table
                for table in manifest["tables"]:
                    try:
                        summary.rows += _load_table(root, table, using)
                    except (DatabaseError, DeserializationError) as error:
                        raise BackupError(
                            _(
                                "No se pudieron cargar las filas de %(file)s (%(error)s). Se "
                                "deshizo la restauración."
                            )
                            % {"file": table["file"], "error": error}
                        ) from error
                    summary.tables += 1
                    if log:
                        log(f"{table['model']}: {table['rows']}")
            try:
                connection.check_constraints(table_names=[m._meta.db_table for m in models])
            except IntegrityError as error:
                raise BackupError(
                    _(
                        "Las filas del respaldo no son coherentes entre sí (%(error)s). Se "
                        "deshizo la restauración."
                    )
                    % {"error": error}
                ) from error
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)
            for entry in _file_entries(root, manifest):
                if entry.get("missing"):
                    summary.missing += 1
                    continue
                _restore_file(root, entry, written)
                summary.files += 1
                summary.bytes += entry["size"]
    except BaseException:
        for alias, name in written:
            # Best effort: the error being raised matters more than a file left behind.
            with suppress(Exception):
                storages[alias].delete(name)
        raise
    finally:
        ContentType.objects.clear_cache()
    return summary
