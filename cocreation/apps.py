from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CocreationConfig(AppConfig):
    name = "cocreation"
    verbose_name = _("Registro de la co-creación")

    def ready(self):
        from cocreation.selectors.records import dashboard_section
        from stl import hooks

        hooks.register_dashboard_section(
            "cocreation",
            hooks.DashboardSection(
                "cocreation/_dashboard_section.html", dashboard_section, order=10
            ),
        )
        from cocreation.models import DialogueTable, PublicConsultation
        from evidence.models import Evidence
        from evidence.subjects import register_subject

        # Co-creation record (requirement 1): tables and consultations take evidence.
        register_subject(
            DialogueTable,
            phase=Evidence.Phase.DIALOGUE_TABLES,
            secretariat_of=lambda table: table.secretariat,
            label=_("Mesa de diálogo"),
        )
        register_subject(
            PublicConsultation,
            phase=Evidence.Phase.PUBLIC_CONSULTATION,
            secretariat_of=lambda consultation: consultation.secretariat,
            label=_("Consulta pública"),
        )

        # The facilitator's signed neutrality declaration (4.a) and the prioritisation
        # methodology (footnote 2 of 1.a).
        from cocreation.models import Prioritization
        from stl.models import FacilitatorAssignment

        register_subject(
            FacilitatorAssignment,
            phase=Evidence.Phase.INSTALLATION,
            secretariat_of=lambda assignment: assignment.secretariat,
            label=_("Facilitación del STL"),
            # The facilitator signs; INAI's administration, who assigns them, may file it too.
            may_attach=lambda stl_access: stl_access.can_facilitate or stl_access.can_manage,
        )
        register_subject(
            Prioritization,
            phase=Evidence.Phase.PRIORITIZATION,
            secretariat_of=lambda prioritization: prioritization.secretariat,
            label=_("Priorización"),
        )

        # Decisions (acuerdos, 4.b) take the minutes of the session that adopted them. There is
        # no phase for agreements; the closest is prioritisation: the STL's agreements during
        # co-creation adopt what the PAL will address (1.a), whereas "plan" holds the plan's own
        # documents (commitments app) and would mix the two.
        from cocreation.models import Decision

        register_subject(
            Decision,
            phase=Evidence.Phase.PRIORITIZATION,
            secretariat_of=lambda decision: decision.secretariat,
            label=_("Acuerdo"),
        )
