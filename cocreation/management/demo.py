"""The co-creation part of the demo: Oaxaca's record complete, Jalisco's part-way.

Everything goes through the services, as the person who would do it (the facilitator logs a
table, the nucleus approves its minutes, members vote, the facilitator signs their neutrality),
so the history says who did what and every rule of the INAI document is applied. Each record is
created together with its whole story and left as it is afterwards: loading twice changes
nothing. Oaxaca's timeline lacks nothing; Jalisco's shows what is still missing (a nucleus
without a table, a consultation without results, a vote still open, an unsigned neutrality).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from cocreation import services
from cocreation.management import demo_files as files
from cocreation.models import (
    Decision,
    DialogueTable,
    MinutesApproval,
    Prioritization,
    Problem,
    PublicConsultation,
    Vote,
)
from cocreation.services.dialogue import AttendeeLine
from cocreation.services.neutrality import neutrality_statement_text
from evidence.models import Evidence
from evidence.services import evidence_add_public_version, evidence_attach
from stl.models import FacilitatorAssignment, Member, Nucleus, Secretariat

User = get_user_model()

APPROVE = MinutesApproval.Answer.APPROVE
CORRECTIONS = MinutesApproval.Answer.CORRECTIONS
FOR, AGAINST, ABSTAIN = Vote.Choice.FOR, Vote.Choice.AGAINST, Vote.Choice.ABSTAIN

# Where the photos say they were taken (the vault strips it).
OAXACA_GPS = (17.0606, -96.7253)
GUADALAJARA_GPS = (20.6767, -103.3475)


# --- the plans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TablePlan:
    """A dialogue table and its story: who logged it, the nucleus's answers, its evidence."""

    nucleus: str
    held_on: dt.date
    logged_by: str
    modality: str
    agenda: str
    minutes: str
    attendee_count: int
    attendees: tuple[tuple[str, str], ...]
    problems: tuple[str, ...]
    place: str = ""
    link: str = ""
    # Answers on the first version of the minutes: (e-mail, answer, comment).
    answers: tuple[tuple[str, str, str], ...] = ()
    # When someone asked for corrections: the corrected minutes, then the answers on them.
    corrected_minutes: str = ""
    answers_on_correction: tuple[tuple[str, str, str], ...] = ()
    # Evidence: "acta", "lista_asistencia" (with its public version when public_list) and
    # "fotografia" (a JPEG, or a PNG screen capture for an online table).
    evidence: tuple[str, ...] = ("acta", "lista_asistencia", "fotografia")
    photo_by: str = ""
    public_list: bool = True


@dataclass(frozen=True)
class ConsultationPlan:
    title: str
    mechanism: str
    call_published_where: str
    call_published_on: dt.date
    opens_on: dt.date
    closes_on: dt.date
    channels: str
    who_could_participate: str
    registered_by: str
    problems: tuple[str, ...]
    # Figures and results, completed after closing by ``results_by`` (none: still missing).
    results_by: str = ""
    participants: int = 0
    contributions: int = 0
    results: str = ""
    # A photo of a forum of the consultation: who files it, where it was taken.
    photo_by: str = ""
    photo_place: str = ""
    photo_gps: tuple[float, float] = OAXACA_GPS


@dataclass(frozen=True)
class DecisionPlan:
    title: str
    description: str
    discussed_on: dt.date
    opened_by: str
    comments: tuple[tuple[str, str], ...]
    votes: tuple[tuple[str, str], ...]
    closed_by: str = ""  # none: the vote is still open
    minutes_by: str = ""  # who files the session's minutes (none: still missing)


@dataclass(frozen=True)
class PrioritizationPlan:
    title: str
    computed_by: str
    # Members rank for themselves: (e-mail, problem titles in order).
    own_rankings: tuple[tuple[str, tuple[str, ...]], ...]
    # The facilitator records people who ranked at the tables: (name, nucleus, titles).
    recorded_rankings: tuple[tuple[str, str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class StatePlan:
    state: str
    tables: tuple[TablePlan, ...]
    consultations: tuple[ConsultationPlan, ...]
    merges: tuple[tuple[str, str], ...] = ()  # (duplicate, survivor), by the facilitator
    prioritizations: tuple[PrioritizationPlan, ...] = ()
    decisions: tuple[DecisionPlan, ...] = ()
    neutrality_signed_on: dt.date | None = None
    gps: tuple[float, float] = OAXACA_GPS


# --- Oaxaca: complete -------------------------------------------------------------------------

OAX_FACILITATOR = "facilitacion@oaxaca.demo"

OAX_OBRA = "Opacidad en la asignación y ejecución de la obra pública municipal"
OAX_MEDICINAS = "Desabasto de medicamentos en centros de salud sin información pública"
OAX_PRESUPUESTO = "Presupuesto municipal sin mecanismos de participación ciudadana"
OAX_PORTALES = "Portales de transparencia municipales desactualizados"
OAX_TRAMITES = "Trámites de licencias y permisos sin requisitos ni costos publicados"
OAX_SOLICITUDES = (
    "Solicitudes de información sin respuesta en municipios que se rigen por sistemas "
    "normativos indígenas"
)
OAX_LENGUAS = "Falta de información pública en lenguas indígenas"
OAX_AGUA = "Datos de calidad del agua de ríos y pozos sin publicar"
OAX_OBRA_DUPLICADA = "Obra pública municipal sin información sobre contratos y avances"
OAX_FAIS = "Destino desconocido de los recursos del FAIS en los municipios"
OAX_MEDICINAS_DUPLICADA = "Falta de medicamentos en clínicas rurales sin explicación pública"
OAX_VIOLENCIA = "Violencia contra las mujeres sin datos públicos de atención y denuncias"

OAXACA = StatePlan(
    state="OAX",
    gps=OAXACA_GPS,
    tables=(
        TablePlan(
            nucleus=Nucleus.Kind.CIVIL_SOCIETY,
            held_on=dt.date(2016, 11, 22),
            logged_by=OAX_FACILITATOR,
            modality=DialogueTable.Modality.IN_PERSON,
            place="Biblioteca Pública Central, Oaxaca de Juárez",
            agenda=(
                "1. Bienvenida y reglas de la mesa\n"
                "2. Qué es el Plan de Acción Local\n"
                "3. Lluvia de problemáticas\n"
                "4. Acuerdos y siguientes pasos"
            ),
            minutes=(
                "Asistieron 18 personas de 11 organizaciones. La facilitación explicó el proceso "
                "del PAL y los requisitos mínimos del INAI. Se propusieron 14 problemáticas, que "
                "el grupo agrupó en tres: la obra pública municipal, el abasto de medicamentos y "
                "la participación en el presupuesto municipal."
            ),
            corrected_minutes=(
                "Asistieron 18 personas de 11 organizaciones. La facilitación explicó el proceso "
                "del PAL y los requisitos mínimos del INAI. Se propusieron 14 problemáticas, que "
                "el grupo agrupó en tres: la obra pública municipal, el abasto de medicamentos y "
                "la participación en el presupuesto municipal.\n\n"
                "La Red Ciudadana Mixteca propuso que el padrón de beneficiarios de la obra "
                "pública se publique también en las agencias municipales; la mesa lo acordó."
            ),
            attendee_count=18,
            attendees=(
                ("Luis Hernández Cruz", "Oaxaca Transparente AC"),
                ("Martha López Santiago", "Red Ciudadana Mixteca"),
                ("María Cruz Jiménez", "Mujeres por la Sierra Sur AC"),
                ("Isaías Ramírez Ortiz", "Colectivo Tequio Digital"),
                ("Elena Bautista Luna", "Salud Comunitaria Oaxaca AC"),
                ("Felipe Chávez Morales", "Observatorio Ciudadano del Istmo"),
                ("Rocío Aquino Martínez", "Fundación Itanoni"),
                ("Daniel Santos García", "Consejo Ciudadano de Tlaxiaco"),
            ),
            problems=(OAX_OBRA, OAX_MEDICINAS, OAX_PRESUPUESTO),
            answers=(
                ("sociedad@oaxaca.demo", APPROVE, ""),
                (
                    "colectivo@oaxaca.demo",
                    CORRECTIONS,
                    "Falta anotar el acuerdo de publicar el padrón de beneficiarios de la obra "
                    "pública en las agencias municipales.",
                ),
            ),
            answers_on_correction=(
                ("colectivo@oaxaca.demo", APPROVE, ""),
                ("sociedad@oaxaca.demo", APPROVE, ""),
            ),
            photo_by="colectivo@oaxaca.demo",
        ),
        TablePlan(
            nucleus=Nucleus.Kind.LOCAL_AUTHORITIES,
            held_on=dt.date(2016, 11, 29),
            logged_by=OAX_FACILITATOR,
            modality=DialogueTable.Modality.IN_PERSON,
            place="Sala de juntas de la Secretaría de la Contraloría, Oaxaca de Juárez",
            agenda=(
                "1. Bienvenida\n"
                "2. Obligaciones de transparencia de los municipios\n"
                "3. Problemáticas que ven las dependencias\n"
                "4. Acuerdos"
            ),
            minutes=(
                "Participaron enlaces de transparencia de ocho dependencias estatales y de cuatro "
                "municipios. Coincidieron en que los portales municipales están desactualizados "
                "y en que los trámites de licencias no publican requisitos ni costos."
            ),
            attendee_count=12,
            attendees=(
                ("Jorge Ruiz Pérez", "Secretaría de la Contraloría"),
                ("Carlos Mendoza Luis", "Secretaría de Finanzas"),
                ("Adriana Toledo Vásquez", "Municipio de Oaxaca de Juárez"),
                ("Raúl Gopar Sánchez", "Municipio de Juchitán de Zaragoza"),
                ("Norma Velasco Ríos", "Secretaría de Salud"),
                ("Héctor Matus López", "Secretaría de las Infraestructuras"),
            ),
            problems=(OAX_PORTALES, OAX_TRAMITES),
            answers=(("gobierno@oaxaca.demo", APPROVE, ""),),
            photo_by="gobierno@oaxaca.demo",
        ),
        TablePlan(
            nucleus=Nucleus.Kind.GUARANTOR,
            held_on=dt.date(2016, 12, 6),
            logged_by=OAX_FACILITATOR,
            modality=DialogueTable.Modality.ONLINE,
            link="https://reuniones.example.org/oaxaca/mesa-organo-garante",
            agenda=(
                "1. Bienvenida\n"
                "2. Solicitudes de información y recursos de revisión en 2016\n"
                "3. Problemáticas del derecho de acceso a la información\n"
                "4. Acuerdos"
            ),
            minutes=(
                "El órgano garante presentó las cifras de solicitudes y recursos de revisión de "
                "2016. Los municipios que se rigen por sistemas normativos indígenas concentran "
                "las solicitudes sin respuesta; casi no hay información pública en lenguas "
                "indígenas."
            ),
            attendee_count=6,
            attendees=(
                ("Ana Sofía Gómez", "Órgano Garante de Acceso a la Información de Oaxaca"),
                ("Guadalupe Santiago Pérez", "Órgano Garante de Acceso a la Información"),
                ("Juan Carlos Ortiz Reyes", "Órgano Garante de Acceso a la Información"),
                ("Beatriz Zárate León", "Órgano Garante de Acceso a la Información"),
            ),
            problems=(OAX_SOLICITUDES, OAX_LENGUAS),
            answers=(("garante@oaxaca.demo", APPROVE, ""),),
            photo_by=OAX_FACILITATOR,
        ),
        TablePlan(
            nucleus=Nucleus.Kind.ACADEMIA,
            held_on=dt.date(2016, 12, 13),
            logged_by="academia@oaxaca.demo",
            modality=DialogueTable.Modality.MIXED,
            place="Auditorio de la Facultad de Derecho, UABJO",
            link="https://reuniones.example.org/oaxaca/mesa-academia",
            agenda=(
                "1. Bienvenida\n2. Datos abiertos para la investigación\n3. Problemáticas\n"
                "4. Acuerdos"
            ),
            minutes=(
                "Investigadoras e investigadores de tres universidades señalaron que los datos "
                "de calidad del agua no se publican y que la obra pública municipal no informa "
                "contratos ni avances."
            ),
            attendee_count=15,
            attendees=(
                ("Pedro Vásquez Reyes", "Universidad Autónoma Benito Juárez"),
                ("Laura Castellanos Díaz", "CIIDIR Oaxaca"),
                ("Miguel Ángel Jarquín", "Universidad de la Sierra Sur"),
                ("Sofía Pacheco Ruiz", "Universidad Autónoma Benito Juárez"),
                ("Ernesto Cortés Salinas", "Instituto Tecnológico de Oaxaca"),
            ),
            problems=(OAX_AGUA, OAX_OBRA_DUPLICADA),
            answers=(("academia@oaxaca.demo", APPROVE, ""),),
            photo_by="academia@oaxaca.demo",
        ),
    ),
    consultations=(
        ConsultationPlan(
            title="Consulta pública: ¿qué debe resolver el Plan de Acción Local de Oaxaca?",
            mechanism=PublicConsultation.Mechanism.MIXED,
            call_published_where=(
                "Periódico Oficial del Estado, sitio del órgano garante, radios comunitarias y "
                "redes sociales del STL"
            ),
            call_published_on=dt.date(2017, 1, 9),
            opens_on=dt.date(2017, 1, 16),
            closes_on=dt.date(2017, 2, 10),
            channels=(
                "Encuesta en línea; foros presenciales en Oaxaca de Juárez, Tlaxiaco y Juchitán; "
                "buzones en los palacios municipales"
            ),
            who_could_participate=(
                "Cualquier persona, sin registro previo; materiales en español, mixteco y zapoteco"
            ),
            registered_by="sociedad@oaxaca.demo",
            problems=(OAX_FAIS, OAX_MEDICINAS_DUPLICADA, OAX_VIOLENCIA),
            results_by=OAX_FACILITATOR,
            participants=412,
            contributions=538,
            results=(
                "Se recibieron 538 aportaciones de 412 personas (61 % en línea, 39 % en los foros "
                "y buzones). Los temas más mencionados fueron el destino de los recursos del FAIS "
                "en los municipios, el desabasto de medicamentos y la falta de datos sobre la "
                "atención a la violencia contra las mujeres."
            ),
            photo_by="colectivo@oaxaca.demo",
            photo_place="Tlaxiaco",
            photo_gps=(17.2703, -97.6781),
        ),
    ),
    merges=((OAX_OBRA_DUPLICADA, OAX_OBRA), (OAX_MEDICINAS_DUPLICADA, OAX_MEDICINAS)),
    prioritizations=(
        PrioritizationPlan(
            title="Jerarquización de problemáticas del PAL de Oaxaca",
            computed_by=OAX_FACILITATOR,
            own_rankings=(
                (
                    "sociedad@oaxaca.demo",
                    (OAX_OBRA, OAX_FAIS, OAX_MEDICINAS, OAX_PRESUPUESTO, OAX_VIOLENCIA),
                ),
                (
                    "colectivo@oaxaca.demo",
                    (OAX_FAIS, OAX_MEDICINAS, OAX_LENGUAS, OAX_OBRA, OAX_VIOLENCIA),
                ),
                (
                    "gobierno@oaxaca.demo",
                    (OAX_PORTALES, OAX_TRAMITES, OAX_OBRA, OAX_FAIS, OAX_AGUA),
                ),
                (
                    "garante@oaxaca.demo",
                    (OAX_SOLICITUDES, OAX_LENGUAS, OAX_PORTALES, OAX_OBRA, OAX_FAIS),
                ),
                (
                    "academia@oaxaca.demo",
                    (OAX_AGUA, OAX_OBRA, OAX_FAIS, OAX_VIOLENCIA, OAX_MEDICINAS),
                ),
            ),
            recorded_rankings=(
                (
                    "María Cruz Jiménez",
                    Nucleus.Kind.CIVIL_SOCIETY,
                    (OAX_MEDICINAS, OAX_VIOLENCIA, OAX_OBRA, OAX_FAIS, OAX_PRESUPUESTO),
                ),
                (
                    "Carlos Mendoza Luis",
                    Nucleus.Kind.LOCAL_AUTHORITIES,
                    (OAX_TRAMITES, OAX_PORTALES, OAX_FAIS, OAX_OBRA, OAX_MEDICINAS),
                ),
                (
                    "Guadalupe Santiago Pérez",
                    Nucleus.Kind.GUARANTOR,
                    (OAX_LENGUAS, OAX_SOLICITUDES, OAX_VIOLENCIA, OAX_FAIS, OAX_OBRA),
                ),
            ),
        ),
    ),
    decisions=(
        DecisionPlan(
            title="Aprobar el calendario de mesas de diálogo por núcleo y de la consulta pública",
            description=(
                "Una mesa por núcleo entre el 22 de noviembre y el 13 de diciembre de 2016, y la "
                "consulta pública a la sociedad civil del 16 de enero al 10 de febrero de 2017."
            ),
            discussed_on=dt.date(2016, 11, 8),
            opened_by=OAX_FACILITATOR,
            comments=(
                (
                    OAX_FACILITATOR,
                    "Propongo que cada núcleo tenga su mesa antes de abrir la consulta, para "
                    "llevar a la consulta lo que ya se identificó.",
                ),
                (
                    "academia@oaxaca.demo",
                    "La academia puede prestar el auditorio de la Facultad de Derecho.",
                ),
            ),
            votes=(
                ("sociedad@oaxaca.demo", FOR),
                ("colectivo@oaxaca.demo", FOR),
                ("gobierno@oaxaca.demo", FOR),
                ("garante@oaxaca.demo", FOR),
                ("academia@oaxaca.demo", FOR),
            ),
            closed_by=OAX_FACILITATOR,
            minutes_by=OAX_FACILITATOR,
        ),
        DecisionPlan(
            title="Ampliar dos semanas el plazo de la consulta pública",
            description="Propuesta de cerrar la consulta el 24 de febrero en lugar del 10.",
            discussed_on=dt.date(2017, 2, 3),
            opened_by="colectivo@oaxaca.demo",
            comments=(
                (
                    "colectivo@oaxaca.demo",
                    "En la Mixteca la convocatoria por radio llegó tarde; dos semanas más "
                    "permitirían más participación.",
                ),
                (
                    "gobierno@oaxaca.demo",
                    "Los foros regionales ya se realizaron; ampliar retrasaría la jerarquización.",
                ),
                (
                    OAX_FACILITATOR,
                    "Recuerdo que el calendario aprobado prevé la jerarquización en marzo.",
                ),
            ),
            votes=(
                ("colectivo@oaxaca.demo", FOR),
                ("sociedad@oaxaca.demo", FOR),
                ("gobierno@oaxaca.demo", AGAINST),
                ("garante@oaxaca.demo", AGAINST),
                ("academia@oaxaca.demo", AGAINST),
            ),
            closed_by=OAX_FACILITATOR,
            minutes_by=OAX_FACILITATOR,
        ),
        DecisionPlan(
            title=(
                "Adoptar la jerarquización de problemáticas como base de los cinco compromisos "
                "del PAL"
            ),
            description=(
                "Las problemáticas con más puntos en la jerarquización (conteo de Borda) orientan "
                "los dos compromisos de temas del PA2018, los dos de problemáticas locales y el "
                "de Follow the Money."
            ),
            discussed_on=dt.date(2017, 3, 2),
            opened_by="sociedad@oaxaca.demo",
            comments=(
                (
                    "garante@oaxaca.demo",
                    "Pido que el compromiso sobre lenguas indígenas quede entre los cinco.",
                ),
                (
                    OAX_FACILITATOR,
                    "La metodología de la jerarquización está adjunta como evidencia (nota 2 "
                    "de los requisitos mínimos).",
                ),
            ),
            votes=(
                ("sociedad@oaxaca.demo", FOR),
                ("colectivo@oaxaca.demo", FOR),
                ("gobierno@oaxaca.demo", ABSTAIN),
                ("garante@oaxaca.demo", FOR),
                ("academia@oaxaca.demo", FOR),
            ),
            closed_by=OAX_FACILITATOR,
            minutes_by=OAX_FACILITATOR,
        ),
    ),
    neutrality_signed_on=dt.date(2016, 10, 24),
)


# --- Jalisco: part-way ------------------------------------------------------------------------

JAL_FACILITATOR = "facilitacion@jalisco.demo"

JALISCO = StatePlan(
    state="JAL",
    gps=GUADALAJARA_GPS,
    tables=(
        TablePlan(
            nucleus=Nucleus.Kind.CIVIL_SOCIETY,
            held_on=dt.date(2016, 11, 24),
            logged_by=JAL_FACILITATOR,
            modality=DialogueTable.Modality.IN_PERSON,
            place="Casa ITEI, Guadalajara",
            agenda="1. Bienvenida\n2. Problemáticas de la sociedad civil\n3. Acuerdos",
            minutes=(
                "Doce organizaciones coincidieron en que la información de seguridad pública está "
                "dispersa entre los municipios metropolitanos y en que los contratos de "
                "recolección de basura no son públicos."
            ),
            attendee_count=14,
            attendees=(
                ("Claudia Ramírez Ortiz", "Jalisco Cómo Vamos"),
                ("Andrés Villaseñor Gil", "Ciudadanos por Municipios Transparentes"),
                ("Mónica Íñiguez Parra", "Colectivo Ciudad Para Todos"),
                ("Jesús Orozco Navarro", "Observatorio Metropolitano"),
            ),
            problems=(
                "Información de seguridad pública dispersa entre los municipios metropolitanos",
                "Contratos de recolección de basura sin información pública",
            ),
            answers=(("sociedad@jalisco.demo", APPROVE, ""),),
            photo_by="sociedad@jalisco.demo",
            public_list=False,
        ),
        TablePlan(
            nucleus=Nucleus.Kind.LOCAL_AUTHORITIES,
            held_on=dt.date(2016, 12, 1),
            logged_by=JAL_FACILITATOR,
            modality=DialogueTable.Modality.IN_PERSON,
            place="Contraloría del Estado de Jalisco, Guadalajara",
            agenda="1. Bienvenida\n2. Problemáticas de las dependencias\n3. Acuerdos",
            minutes=(
                "Las dependencias reconocieron que el padrón de proveedores del gobierno estatal "
                "está incompleto."
            ),
            attendee_count=9,
            attendees=(
                ("Héctor Díaz Flores", "Contraloría del Estado de Jalisco"),
                ("Patricia Arellano Ruiz", "Secretaría de Administración"),
            ),
            problems=("Padrón de proveedores del gobierno estatal incompleto",),
            answers=(
                (
                    "gobierno@jalisco.demo",
                    CORRECTIONS,
                    "Falta registrar el compromiso de la Secretaría de Administración de "
                    "publicar el padrón completo en marzo.",
                ),
            ),
            evidence=("fotografia",),
            photo_by="gobierno@jalisco.demo",
        ),
        TablePlan(
            nucleus=Nucleus.Kind.BUSINESS,
            held_on=dt.date(2016, 12, 8),
            logged_by=JAL_FACILITATOR,
            modality=DialogueTable.Modality.IN_PERSON,
            place="Consejo de Cámaras Industriales de Jalisco, Guadalajara",
            agenda="1. Bienvenida\n2. Problemáticas del sector empresarial\n3. Acuerdos",
            minutes=(
                "Las cámaras señalaron que los trámites de apertura de empresas no tienen una "
                "ventanilla única de información."
            ),
            attendee_count=7,
            attendees=(
                ("Ricardo Torres Lara", "Consejo de Cámaras Industriales"),
                ("Verónica Lozano Meza", "Cámara de Comercio de Guadalajara"),
            ),
            problems=("Trámites de apertura de empresas sin ventanilla única de información",),
            answers=(("empresas@jalisco.demo", APPROVE, ""),),
            evidence=("acta",),
        ),
    ),
    consultations=(
        ConsultationPlan(
            title="Consulta ciudadana en línea para el PAL de Jalisco",
            mechanism=PublicConsultation.Mechanism.ONLINE_SURVEY,
            call_published_where="Portal del Gobierno de Jalisco y redes sociales del ITEI",
            call_published_on=dt.date(2017, 1, 9),
            opens_on=dt.date(2017, 1, 16),
            closes_on=dt.date(2017, 2, 17),
            channels="Encuesta en línea",
            who_could_participate="Cualquier persona con acceso a internet",
            registered_by="sociedad@jalisco.demo",
            problems=("Baches y obra vial sin información de contratos ni garantías",),
        ),
    ),
    decisions=(
        DecisionPlan(
            title="Usar el conteo de Borda para jerarquizar las problemáticas",
            description="Cada integrante ordena las problemáticas; gana la que suma más puntos.",
            discussed_on=dt.date(2017, 2, 20),
            opened_by=JAL_FACILITATOR,
            comments=(
                (
                    "gobierno@jalisco.demo",
                    "Antes de votar, conviene esperar los resultados de la consulta en línea.",
                ),
            ),
            votes=(("sociedad@jalisco.demo", FOR), ("empresas@jalisco.demo", FOR)),
        ),
    ),
)


# --- loading -----------------------------------------------------------------------------------


def seed_cocreation(*, secretariats: dict[str, Secretariat]) -> list[str]:
    """Load Oaxaca's complete co-creation record and Jalisco's part-way one; return what's new."""
    created: list[str] = []
    for plan in (OAXACA, JALISCO):
        created += _seed_state(plan, secretariats[plan.state])
    return created


def _seed_state(plan: StatePlan, secretariat: Secretariat) -> list[str]:
    loader = _StateLoader(plan, secretariat)
    for table in plan.tables:
        loader.table(table)
    for consultation in plan.consultations:
        loader.consultation(consultation)
    for duplicate, survivor in plan.merges:
        loader.merge(duplicate, survivor)
    for prioritization in plan.prioritizations:
        loader.prioritization(prioritization)
    for decision in plan.decisions:
        loader.decision(decision)
    if plan.neutrality_signed_on:
        loader.neutrality(plan.neutrality_signed_on)
    return loader.created


class _StateLoader:
    """Load one state's plan through the services, as the people who would do each step."""

    def __init__(self, plan: StatePlan, secretariat: Secretariat):
        self.plan = plan
        self.secretariat = secretariat
        self.created: list[str] = []
        self.nuclei = {n.kind: n for n in Nucleus.objects.filter(secretariat=secretariat)}
        self._people: dict[str, object] = {}

    def person(self, email: str):
        if email not in self._people:
            self._people[email] = User.objects.get(email=email)
        return self._people[email]

    def name(self, email: str) -> str:
        return self.person(email).full_name

    def members_of(self, nucleus: Nucleus) -> list[Member]:
        return list(
            Member.objects.filter(nucleus=nucleus, is_active=True)
            .select_related("user")
            .order_by("pk")
        )

    @property
    def facilitator(self) -> FacilitatorAssignment:
        return FacilitatorAssignment.objects.select_related("user").get(
            secretariat=self.secretariat, is_active=True
        )

    def attach(self, subject, document, *, kind: str, description: str, by: str, **options):
        return evidence_attach(
            subject=subject,
            uploaded_file=document,
            kind=kind,
            description=description,
            user=self.person(by),
            **options,
        )

    # --- dialogue tables ---

    def table(self, plan: TablePlan) -> None:
        nucleus = self.nuclei[plan.nucleus]
        if DialogueTable.objects.filter(nucleus=nucleus, held_on=plan.held_on).exists():
            return
        attendees = [AttendeeLine(name, organisation) for name, organisation in plan.attendees]
        fields = {
            "held_on": plan.held_on,
            "modality": plan.modality,
            "agenda": plan.agenda,
            "attendee_count": plan.attendee_count,
            "place": plan.place,
            "link": plan.link,
            "attendees": attendees,
        }
        logged_by = self.person(plan.logged_by)
        table = services.dialogue_table_log(
            secretariat=self.secretariat,
            nucleus=nucleus,
            minutes=plan.minutes,
            problem_titles=plan.problems,
            user=logged_by,
            **fields,
        )
        self._answer(table, plan.answers)
        if plan.corrected_minutes:
            table = services.dialogue_table_update(
                table=table, minutes=plan.corrected_minutes, user=logged_by, **fields
            )
            self._answer(table, plan.answers_on_correction)
        self._table_evidence(table, plan)
        self.created.append(str(table))

    def _answer(self, table: DialogueTable, answers) -> None:
        for email, answer, comment in answers:
            services.minutes_answer(
                table=table, answer=answer, comment=comment, user=self.person(email)
            )

    def _table_evidence(self, table: DialogueTable, plan: TablePlan) -> None:
        nucleus = str(table.nucleus)
        date = table.held_on.strftime("%d/%m/%Y")
        slug = f"{table.held_on:%Y-%m-%d}-{plan.nucleus.replace('_', '-')}"
        where = plan.place or plan.link
        if "acta" in plan.evidence:
            signers = [
                (m.user.full_name, f"{m.organisation} ({nucleus})")
                for m in self.members_of(table.nucleus)
            ]
            signers.append((self.facilitator.user.full_name, "Persona facilitadora del STL"))
            document = files.pdf(
                name=f"acta-mesa-{slug}.pdf",
                title=f"Acta de la mesa de diálogo del núcleo {nucleus}",
                subtitle=f"Secretariado Técnico Local de {self.secretariat} · {date}",
                body=files.join(
                    files.facts(
                        [
                            ("Fecha", date),
                            ("Modalidad", table.get_modality_display()),
                            ("Lugar o enlace", where),
                            ("Asistentes", str(table.attendee_count)),
                            ("Versión de la minuta", str(table.minutes_version)),
                        ]
                    ),
                    files.section("Orden del día", files.text(table.agenda)),
                    files.section("Minuta", files.text(table.minutes)),
                    files.section(
                        "Problemáticas identificadas", files.text("\n".join(plan.problems))
                    ),
                    files.signatures(signers),
                ),
            )
            self.attach(
                table,
                document,
                kind=Evidence.Kind.MINUTES,
                description=f"Acta firmada de la mesa del núcleo {nucleus} del {date}.",
                by=plan.logged_by,
            )
        if "lista_asistencia" in plan.evidence:
            rows = [
                (str(n), name, organisation, name)
                for n, (name, organisation) in enumerate(plan.attendees, start=1)
            ]
            title = f"Lista de asistencia de la mesa del núcleo {nucleus}"
            subtitle = f"Secretariado Técnico Local de {self.secretariat} · {date} · {where}"
            original = self.attach(
                table,
                files.pdf(
                    name=f"lista-asistencia-{slug}.pdf",
                    title=title,
                    subtitle=subtitle,
                    body=files.table(
                        ["Núm.", "Nombre", "Organización", "Firma"], rows, signed_column=3
                    ),
                ),
                kind=Evidence.Kind.ATTENDANCE_LIST,
                description=f"Lista de asistencia firmada de la mesa del {date}.",
                by=plan.logged_by,
                contains_personal_data=True,
            )
            if plan.public_list:
                redacted = [
                    (n, _initials(name), organisation, "[firma testada]")
                    for n, name, organisation, _signature in rows
                ]
                evidence_add_public_version(
                    evidence=original,
                    uploaded_file=files.pdf(
                        name=f"lista-asistencia-{slug}-version-publica.pdf",
                        title=f"{title} (versión pública)",
                        subtitle=subtitle,
                        body=files.join(
                            files.text(
                                "Versión pública: se testaron los nombres y las firmas (datos "
                                "personales); se conservan las iniciales y las organizaciones."
                            ),
                            files.table(["Núm.", "Iniciales", "Organización", "Firma"], redacted),
                        ),
                    ),
                    user=self.person(plan.logged_by),
                )
        if "fotografia" in plan.evidence:
            by = plan.photo_by or plan.logged_by
            if plan.modality == DialogueTable.Modality.ONLINE:
                photo = files.video_call_capture(
                    name=f"captura-mesa-{slug}.png",
                    title=f"Mesa en línea del núcleo {nucleus} · {date}",
                    participants=[name for name, _organisation in plan.attendees]
                    + [self.facilitator.user.full_name],
                )
                description = f"Captura de pantalla de la mesa en línea del {date}."
            else:
                photo = files.meeting_photo(
                    name=f"foto-mesa-{slug}.jpg",
                    banner=f"Mesa de diálogo · {nucleus} · {date}",
                    people=min(len(plan.attendees) + 1, 9),
                    seed=table.held_on.toordinal(),
                    taken=dt.datetime.combine(table.held_on, dt.time(10, 40)),
                    latitude=self.plan.gps[0],
                    longitude=self.plan.gps[1],
                )
                description = f"Fotografía de la mesa del núcleo {nucleus} del {date}."
            self.attach(table, photo, kind=Evidence.Kind.PHOTO, description=description, by=by)

    # --- public consultations ---

    def consultation(self, plan: ConsultationPlan) -> None:
        if PublicConsultation.objects.filter(
            secretariat=self.secretariat, title=plan.title
        ).exists():
            return
        fields = {
            "title": plan.title,
            "mechanism": plan.mechanism,
            "call_published_where": plan.call_published_where,
            "call_published_on": plan.call_published_on,
            "opens_on": plan.opens_on,
            "closes_on": plan.closes_on,
            "channels": plan.channels,
            "who_could_participate": plan.who_could_participate,
            "open_to_anyone": True,
        }
        consultation = services.consultation_record(
            secretariat=self.secretariat,
            problem_titles=plan.problems,
            user=self.person(plan.registered_by),
            **fields,
        )
        period = f"del {plan.opens_on:%d/%m/%Y} al {plan.closes_on:%d/%m/%Y}"
        self.attach(
            consultation,
            files.pdf(
                name=f"convocatoria-consulta-{self.plan.state.lower()}.pdf",
                title="Convocatoria",
                subtitle=plan.title,
                body=files.join(
                    files.text(
                        f"El Secretariado Técnico Local de {self.secretariat} convoca a cualquier "
                        f"persona a proponer los problemas que el Plan de Acción Local debe "
                        f"atender. La consulta estará abierta {period}."
                    ),
                    files.facts(
                        [
                            ("Mecanismo", consultation.get_mechanism_display()),
                            ("Canales", plan.channels),
                            ("Quién puede participar", plan.who_could_participate),
                            ("Publicada en", plan.call_published_where),
                            ("Fecha de publicación", f"{plan.call_published_on:%d/%m/%Y}"),
                        ]
                    ),
                ),
            ),
            kind=Evidence.Kind.CALL,
            description=f"Convocatoria publicada el {plan.call_published_on:%d/%m/%Y}.",
            by=plan.registered_by,
        )
        if plan.results_by:
            consultation = services.consultation_update(
                consultation=consultation,
                participants=plan.participants,
                contributions=plan.contributions,
                results=plan.results,
                user=self.person(plan.results_by),
                **fields,
            )
            self.attach(
                consultation,
                files.pdf(
                    name=f"informe-resultados-consulta-{self.plan.state.lower()}.pdf",
                    title="Informe de resultados de la consulta pública",
                    subtitle=plan.title,
                    body=files.join(
                        files.facts(
                            [
                                ("Periodo", period),
                                ("Participantes", str(plan.participants)),
                                ("Aportaciones", str(plan.contributions)),
                            ]
                        ),
                        files.section("Resultados", files.text(plan.results)),
                        files.section(
                            "Problemáticas que surgieron", files.text("\n".join(plan.problems))
                        ),
                    ),
                ),
                kind=Evidence.Kind.REPORT,
                description="Informe de resultados de la consulta pública.",
                by=plan.results_by,
            )
        if plan.photo_by:
            self.attach(
                consultation,
                files.meeting_photo(
                    name=f"foto-foro-consulta-{self.plan.state.lower()}.jpg",
                    banner=f"Foro de consulta pública · {plan.photo_place}",
                    people=9,
                    seed=plan.opens_on.toordinal(),
                    taken=dt.datetime.combine(plan.opens_on + dt.timedelta(days=5), dt.time(17)),
                    latitude=plan.photo_gps[0],
                    longitude=plan.photo_gps[1],
                ),
                kind=Evidence.Kind.PHOTO,
                description=f"Fotografía del foro presencial de la consulta en {plan.photo_place}.",
                by=plan.photo_by,
            )
        self.created.append(str(consultation))

    # --- problems ---

    def problem(self, title: str) -> Problem:
        return Problem.objects.get(secretariat=self.secretariat, title=title)

    def merge(self, duplicate_title: str, survivor_title: str) -> None:
        duplicate = self.problem(duplicate_title)
        if duplicate.merged_into_id is not None:
            return
        services.problem_merge(
            problem=duplicate,
            into=self.problem(survivor_title),
            user=self.facilitator.user,
        )
        self.created.append(f"fusión de «{duplicate_title}»")

    # --- prioritisation ---

    def prioritization(self, plan: PrioritizationPlan) -> None:
        existing = Prioritization.objects.filter(
            secretariat=self.secretariat, title=plan.title
        ).first()
        if existing is not None:
            self._methodology_if_missing(existing, by=plan.computed_by)
            return
        problems = list(
            Problem.objects.filter(secretariat=self.secretariat, merged_into__isnull=True)
        )
        facilitator = self.facilitator.user
        prioritization = services.prioritization_create(
            secretariat=self.secretariat,
            title=plan.title,
            method=Prioritization.Method.BORDA,
            problems=problems,
            user=facilitator,
        )
        ids = {problem.title: problem.pk for problem in problems}
        for email, titles in plan.own_rankings:
            services.prioritization_entry_submit(
                prioritization=prioritization,
                data=[ids[title] for title in titles],
                user=self.person(email),
            )
        for participant, kind, titles in plan.recorded_rankings:
            services.prioritization_entry_record(
                prioritization=prioritization,
                nucleus=self.nuclei[kind],
                participant=participant,
                data=[ids[title] for title in titles],
                user=facilitator,
            )
        # The methodology PDF is generated by a task once this transaction commits.
        services.prioritization_compute(
            prioritization=prioritization, user=self.person(plan.computed_by)
        )
        self.created.append(str(prioritization))

    def _methodology_if_missing(self, prioritization: Prioritization, *, by: str) -> None:
        """Ask again for a methodology PDF whose generation failed on an earlier run."""
        if prioritization.status != Prioritization.Status.COMPUTED:
            return
        try:
            services.prioritization_methodology_regenerate(
                prioritization=prioritization, user=self.person(by)
            )
        except ValidationError:
            return  # it is there: nothing to do
        self.created.append(f"metodología de «{prioritization}»")

    # --- decisions ---

    def decision(self, plan: DecisionPlan) -> None:
        if Decision.objects.filter(secretariat=self.secretariat, title=plan.title).exists():
            return
        decision = services.decision_open(
            secretariat=self.secretariat,
            title=plan.title,
            description=plan.description,
            discussed_on=plan.discussed_on,
            user=self.person(plan.opened_by),
        )
        for email, body in plan.comments:
            services.decision_comment_add(decision=decision, body=body, user=self.person(email))
        for email, choice in plan.votes:
            services.decision_vote(decision=decision, choice=choice, user=self.person(email))
        if plan.closed_by:
            decision = services.decision_close(decision=decision, user=self.person(plan.closed_by))
        if plan.minutes_by:
            self._decision_minutes(decision, plan)
        self.created.append(str(decision))

    def _decision_minutes(self, decision: Decision, plan: DecisionPlan) -> None:
        labels = dict(Vote.Choice.choices)
        votes = [(self.name(email), str(labels[choice])) for email, choice in plan.votes]
        comments = [(self.name(email), body) for email, body in plan.comments]
        date = plan.discussed_on.strftime("%d/%m/%Y")
        signers = [(name, "Integrante del STL") for name, _choice in votes]
        signers.append((self.facilitator.user.full_name, "Persona facilitadora (voz, sin voto)"))
        self.attach(
            decision,
            files.pdf(
                name=f"acta-sesion-{plan.discussed_on:%Y-%m-%d}.pdf",
                title="Acta de la sesión del Secretariado Técnico Local",
                subtitle=f"{self.secretariat} · {date}",
                body=files.join(
                    files.section("Acuerdo sometido a votación", files.text(plan.title)),
                    files.text(plan.description),
                    files.section(
                        "Intervenciones", files.table(["Quién", "Intervención"], comments)
                    ),
                    files.section("Votación", files.table(["Integrante", "Voto"], votes)),
                    files.facts([("Resultado", str(decision.get_outcome_display()))]),
                    files.signatures(signers),
                ),
            ),
            kind=Evidence.Kind.MINUTES,
            description=f"Acta firmada de la sesión del {date} en que se votó el acuerdo.",
            by=plan.minutes_by,
        )

    # --- neutrality ---

    def neutrality(self, signed_on: dt.date) -> None:
        assignment = self.facilitator
        if assignment.neutrality_signed_at is not None:
            return
        person = assignment.user
        statement = neutrality_statement_text(assignment=assignment)
        assignment = services.neutrality_declare(
            assignment=assignment, statement=statement, declares_no_party=True, user=person
        )
        date = signed_on.strftime("%d/%m/%Y")
        self.attach(
            assignment,
            files.pdf(
                name="declaracion-neutralidad-firmada.pdf",
                title="Declaración de neutralidad de la persona facilitadora",
                subtitle=f"Secretariado Técnico Local de {self.secretariat}",
                body=files.join(
                    files.text(statement),
                    files.text(f"{self.secretariat.get_state_display()}, a {date}."),
                    files.signatures([(person.full_name, assignment.organisation)]),
                ),
            ),
            kind=Evidence.Kind.NEUTRALITY_DECLARATION,
            description="Declaración de neutralidad firmada de puño y letra (requisito 4.a).",
            by=person.email,
        )
        self.created.append(f"declaración de neutralidad de {person}")


def _initials(name: str) -> str:
    return " ".join(f"{word[0]}." for word in name.split())
