"""``python manage.py backup PATH``: the database and the stored files, with their checksums."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from pal_portal.backup import backup_write


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not gettext_lazy: argparse needs a real string, in the active language.
        return _(
            "Escribe en la carpeta nueva PATH un respaldo de toda la base de datos y de los "
            "archivos guardados, con un manifiesto de sumas SHA-256 (docs/backup.md)."
        )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("Carpeta nueva donde se escribe el respaldo."))

    def handle(self, *args, path, verbosity, **options):
        log = self.stdout.write if verbosity >= 2 else None
        summary = backup_write(path=Path(path), log=log)
        self.stdout.write(
            _(
                "Respaldo escrito en %(path)s: %(tables)d tablas, %(rows)d filas, %(files)d "
                "archivos (%(size)s)."
            )
            % {
                "path": summary.path,
                "tables": summary.tables,
                "rows": summary.rows,
                "files": summary.files,
                "size": filesizeformat(summary.bytes),
            }
        )
        if summary.missing:
            for name in summary.missing:
                self.stderr.write(_("  FALTANTE  %(name)s") % {"name": name})
            raise CommandError(
                _(
                    "Faltan %(count)d archivo(s) en el almacenamiento: el respaldo los registra "
                    "como faltantes en files.jsonl (revisa verify_evidence)."
                )
                % {"count": len(summary.missing)},
                returncode=1,
            )
