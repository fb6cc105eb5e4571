"""``python manage.py verify_evidence``: re-hash every evidence file and report problems."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from evidence.services import EvidenceIntegrityError, evidence_verify_all


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not gettext_lazy: argparse needs a real string, in the active language.
        return _(
            "Vuelve a calcular el SHA-256 de cada archivo de evidencia e informa los faltantes o "
            "alterados (código de salida distinto de cero si hay alguno)."
        )

    def handle(self, *args, **options):
        check = evidence_verify_all()
        self.stdout.write(
            _("Verificación de evidencia: %(checked)d archivos revisados.")
            % {"checked": check.checked}
        )
        for problem in check.problems:
            label = (
                _("FALTANTE")
                if problem["problem"] == EvidenceIntegrityError.MISSING
                else _("ALTERADO")
            )
            self.stdout.write(
                _("  %(label)s  evidencia #%(id)s (STL #%(stl)s): %(name)s")
                % {
                    "label": label,
                    "id": problem["evidence"],
                    "stl": problem["secretariat"],
                    "name": problem["name"],
                }
            )
        if not check.ok:
            raise CommandError(
                _("%(missing)d archivo(s) faltante(s) y %(altered)d alterado(s).")
                % {"missing": check.missing, "altered": check.altered},
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(_("Todos los archivos están íntegros.")))
