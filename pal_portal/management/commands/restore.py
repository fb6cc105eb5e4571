"""``python manage.py restore PATH``: a backup back into an empty database and empty storage."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from pal_portal.backup import backup_check, backup_restore


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not gettext_lazy: argparse needs a real string, in the active language.
        return _(
            "Restaura el respaldo de la carpeta PATH en una base recién migrada y sin datos y en "
            "un almacenamiento vacío, verificando cada suma SHA-256 (docs/backup.md)."
        )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("Carpeta del respaldo."))
        parser.add_argument(
            "--check",
            action="store_true",
            help=_("Solo verifica las sumas del respaldo, sin restaurar nada."),
        )

    def handle(self, *args, path, check, verbosity, **options):
        if check:
            summary = backup_check(path=Path(path))
            message = _(
                "Respaldo íntegro: %(tables)d tablas, %(rows)d filas, %(files)d archivos "
                "(%(size)s) verificados."
            )
        else:
            log = self.stdout.write if verbosity >= 2 else None
            summary = backup_restore(path=Path(path), log=log)
            message = _(
                "Restauración terminada: %(tables)d tablas, %(rows)d filas, %(files)d archivos "
                "(%(size)s) verificados."
            )
        self.stdout.write(
            message
            % {
                "tables": summary.tables,
                "rows": summary.rows,
                "files": summary.files,
                "size": filesizeformat(summary.bytes),
            }
        )
        if summary.missing:
            self.stderr.write(
                _("%(count)d archivo(s) ya faltaban cuando se hizo el respaldo; siguen faltando.")
                % {"count": summary.missing}
            )
