from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidencia")

    def ready(self):
        from evidence.health import check_integrity
        from evidence.models import Evidence
        from evidence.selectors import EVIDENCE_HISTORY
        from evidence.services import installation_act_file
        from evidence.subjects import register_subject
        from pal_portal.health import ADVISORY_CHECKS
        from stl import hooks
        from stl.models import Secretariat

        ADVISORY_CHECKS["evidence_integrity"] = check_integrity
        # The installation act (and the STL's other founding documents) hang off the STL itself.
        register_subject(
            Secretariat,
            phase=Evidence.Phase.INSTALLATION,
            secretariat_of=lambda secretariat: secretariat,
            label=_("Instalación del STL"),
        )
        hooks.register_dashboard_link(
            "evidence",
            hooks.DashboardLink(_("Evidencia"), "evidence:secretariat_list", "view_history", 10),
        )
        hooks.register_history_source("evidence", EVIDENCE_HISTORY)
        hooks.register_installation_act_filer(installation_act_file)
