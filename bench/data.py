"""Fill the benchmark database through the portal's own services, as its people would.

``fill(stls=N, heavy=...)`` creates an INAI administrator, a CPGAT reviewer and N STLs, each with a
small co-creation record (one table, one consultation, three problems, an open prioritisation, an
open decision, one evidence file), and, with ``heavy``, one more STL with a large record
(``bench/heavy.py``). The pages are measured on the heavy STL when there is one, on the last STL
otherwise.

Every account the benchmark logs in with has the password ``BENCH_PASSWORD``. Its hash is computed
once and shared (PBKDF2 with the production iterations costs about a quarter of a second per call,
too slow for a few hundred accounts); each account still has its own row and its own sessions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from bench.files import tiny_pdf
from pal_portal.history import acting_as
from stl import services
from stl.mexican_states import MexicanState
from stl.models import FacilitatorAssignment, Invitation, Member, Nucleus
from stl.roles import ADMINISTRATOR_GROUP, REVIEWER_GROUP

User = get_user_model()

# Known to the load scenario (bench/locustfile.py), which logs in through the real login form.
BENCH_PASSWORD = "banco-de-pruebas-PAL-2026"  # noqa: S105 - a throw-away database

FIRST_NAMES = ["Ana", "Luis", "Martha", "Jorge", "Rosa", "Pedro", "Claudia", "Héctor", "Laura"]
LAST_NAMES = ["Hernández", "López", "Ruiz", "Gómez", "Vásquez", "Ramírez", "Díaz", "Méndez"]

# Five members per light STL, spread over its nuclei as in the demo data. The first two (civil
# society) accept their invitation; the other three stay pending.
MEMBER_NUCLEI = [
    Nucleus.Kind.CIVIL_SOCIETY,
    Nucleus.Kind.CIVIL_SOCIETY,
    Nucleus.Kind.LOCAL_AUTHORITIES,
    Nucleus.Kind.GUARANTOR,
    Nucleus.Kind.ACADEMIA,
]
ACCEPTED_MEMBERS = 2


# The URL arguments the fill gives a value for (besides ``pk``, the measured STL): the keys of
# ``BenchData.objects``. tests/test_bench.py checks that every URL of the measured namespaces
# needs nothing else.
OBJECT_KEYS = frozenset(
    {
        "table_pk",
        "consultation_pk",
        "problem_pk",
        "prioritization_pk",
        "entry_pk",
        "decision_pk",
        "evidence_id",
        "member_pk",
        "invitation_pk",
        "export_id",
    }
)


@dataclass
class BenchData:
    """What the pages need to build their URLs, who requests them, and who the load logs in as."""

    personas: dict[str, object]
    secretariat_pks: list[int]
    # The STL whose pages are measured: the heavy one, or the last registered one.
    measured_pk: int
    # URL keyword argument -> primary key of an object of the measured STL (``table_pk``, …).
    objects: dict[str, int] = field(default_factory=dict)
    # Per URL name, keyword arguments that differ from ``objects`` (an open prioritisation…).
    overrides: dict[str, dict[str, int]] = field(default_factory=dict)
    # Evidence subject key ("cocreation.dialoguetable") -> id of one subject of the measured STL.
    subjects: dict[str, int] = field(default_factory=dict)
    # E-mail addresses of the measured STL's accounts by role, for the load scenario.
    accounts: dict[str, list[str]] = field(default_factory=dict)
    # What the fill created and how long each part took, for the report.
    summary: list[str] = field(default_factory=list)

    @property
    def secretariat_pk(self) -> int:
        return self.measured_pk


# An attendee of each small STL's table, whose ballot the facilitator records on their behalf.
BALLOT_NAME = "Participante de la mesa"


def person(index: int) -> str:
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index // len(FIRST_NAMES)) % len(LAST_NAMES)]
    return f"{first} {last}"


class Passwords:
    """The shared hash of ``BENCH_PASSWORD``, computed on first use."""

    _hash: str | None = None

    @classmethod
    def hash(cls) -> str:
        if cls._hash is None:
            cls._hash = make_password(BENCH_PASSWORD)
        return cls._hash


def _staff(*, email: str, full_name: str, group_name: str, is_staff: bool = False):
    user = User.objects.create_user(email=email, full_name=full_name, is_staff=is_staff)
    user.password = Passwords.hash()
    user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=group_name))
    return user


def accept_invitation(user) -> None:
    """Accept ``user``'s pending invitations as the invitation page would, with the bench password.

    The service spends the invitation; the shared hash replaces the ``set_password`` call the
    page makes (same resulting row, without a quarter of a second of PBKDF2 per account).
    """
    for key in Invitation.objects.filter(user=user, used_at__isnull=True).values_list(
        "key", flat=True
    ):
        services.invitation_accept(key=key, password=None)
    user.password = Passwords.hash()
    user.is_active = True
    user.save(update_fields=["password", "is_active"])


def exercise_of(index: int) -> tuple[str, str, dt.date]:
    """Return state, exercise and installation date of STL number ``index``.

    The 32 states in turn, then each state's next exercise: 2016–2018, 2018–2020, …
    """
    states = MexicanState.values
    state = states[index % len(states)]
    start = 2016 + 2 * (index // len(states))
    installed = min(dt.date(start, 10, 14), timezone.localdate() - dt.timedelta(days=400))
    return state, f"{start}–{start + 2}", installed


def register(*, index: int, admin, extra_kinds=(Nucleus.Kind.ACADEMIA, Nucleus.Kind.BUSINESS)):
    state, exercise, installed = exercise_of(index)
    return services.secretariat_register(
        state=state,
        exercise=exercise,
        installation_date=installed,
        extra_nucleus_kinds=list(extra_kinds),
        user=admin,
    )


def _light_secretariat(*, index: int, admin):
    """Register STL number ``index`` with five nuclei, five members and a facilitator."""
    secretariat = register(index=index, admin=admin)
    nuclei = {nucleus.kind: nucleus for nucleus in secretariat.nuclei.all()}
    tag = f"{secretariat.state.lower()}{index}"
    members = []
    for number, kind in enumerate(MEMBER_NUCLEI):
        members.append(
            services.member_invite(
                secretariat=secretariat,
                nucleus=nuclei[kind],
                email=f"integrante{number}.{tag}@bench.example",
                full_name=person(index * len(MEMBER_NUCLEI) + number),
                organisation=f"Organización {number + 1} de {secretariat.get_state_display()}",
                position="Titular" if number % 2 else "",
                invited_by=admin,
            )
        )
    assignment = services.facilitator_assign(
        secretariat=secretariat,
        email=f"facilitacion.{tag}@bench.example",
        full_name=person(index + 7),
        organisation="Colectivo Puentes AC",
        assigned_by=admin,
    )
    for member in members[:ACCEPTED_MEMBERS]:
        accept_invitation(member.user)
    accept_invitation(assignment.user)
    return secretariat


def _small_record(*, secretariat) -> dict[str, int]:
    """Give an STL one of each part of the co-creation record, through the services."""
    from django.core.files.base import ContentFile

    from cocreation import services as cocreation
    from cocreation.models import Prioritization
    from cocreation.services.dialogue import AttendeeLine
    from evidence import services as vault

    facilitator = FacilitatorAssignment.objects.get(secretariat=secretariat, is_active=True).user
    member = (
        Member.objects.filter(secretariat=secretariat, user__is_active=True)
        .select_related("user", "nucleus")
        .order_by("pk")
        .first()
    )
    day = secretariat.installation_date + dt.timedelta(days=30)
    table = cocreation.dialogue_table_log(
        secretariat=secretariat,
        nucleus=member.nucleus,
        held_on=day,
        modality="presencial",
        place="Sala de cabildo",
        agenda="1. Bienvenida\n2. Problemáticas del estado\n3. Acuerdos",
        minutes="Se identificaron las problemáticas del estado y se acordó priorizarlas.",
        attendee_count=12,
        attendees=[AttendeeLine(person(n), f"Organización {n}") for n in range(3)]
        + [AttendeeLine(BALLOT_NAME, "Vecina del estado")],
        problem_titles=["Opacidad en obra pública", "Poca información sobre salud"],
        user=facilitator,
    )
    consultation = cocreation.consultation_record(
        secretariat=secretariat,
        title="Consulta pública sobre prioridades",
        mechanism="encuesta_en_linea",
        call_published_where="Portal del órgano garante",
        call_published_on=day,
        opens_on=day + dt.timedelta(days=1),
        closes_on=day + dt.timedelta(days=20),
        who_could_participate="Cualquier persona residente en el estado.",
        participants=120,
        contributions=45,
        results="Se recibieron 45 aportaciones.",
        problem_titles=["Trámites lentos en el registro civil"],
        user=facilitator,
    )
    problems = list(secretariat.problems.order_by("pk"))
    prioritization = cocreation.prioritization_create(
        secretariat=secretariat,
        title="Priorización de problemáticas",
        method=Prioritization.Method.BORDA,
        problems=problems,
        user=facilitator,
    )
    cocreation.prioritization_entry_record(
        prioritization=prioritization,
        nucleus=member.nucleus,
        participant=BALLOT_NAME,  # on the register of the table above: a person the record knows
        data=[problem.pk for problem in problems],
        user=facilitator,
    )
    decision = cocreation.decision_open(
        secretariat=secretariat,
        title="Adoptar la priorización como base del PAL",
        discussed_on=day + dt.timedelta(days=25),
        user=facilitator,
    )
    cocreation.decision_vote(decision=decision, choice="a_favor", user=member.user)
    evidence = vault.evidence_attach(
        subject=table,
        uploaded_file=ContentFile(tiny_pdf(secretariat.pk), name="minuta-mesa.pdf"),
        kind="acta",
        description="Minuta firmada de la mesa",
        contains_personal_data=True,
        user=facilitator,
    )
    return {
        "table_pk": table.pk,
        "consultation_pk": consultation.pk,
        "problem_pk": problems[0].pk,
        "prioritization_pk": prioritization.pk,
        "entry_pk": prioritization.entries.get().pk,
        "decision_pk": decision.pk,
        "evidence_id": evidence.pk,
        "member_pk": member.pk,
        # A member who has not accepted yet: the dashboard shows how its e-mail went.
        "invitation_pk": Invitation.objects.filter(secretariat=secretariat, used_at__isnull=True)
        .order_by("pk")
        .first()
        .pk,
        "facilitator_user": facilitator.pk,
        "member_user": member.user_id,
    }


def fill(*, stls: int, heavy: bool = False, log=lambda message: None) -> BenchData:
    """Create the staff, ``stls`` STLs with a small record each, and the heavy STL if asked."""
    import time

    from evidence.models import Evidence, EvidenceExport

    started = time.monotonic()
    admin = _staff(
        email="admin@bench.example",
        full_name="Administración INAI (bench)",
        group_name=ADMINISTRATOR_GROUP,
        is_staff=True,
    )
    reviewer = _staff(
        email="revision@bench.example",
        full_name="Revisión CPGAT (bench)",
        group_name=REVIEWER_GROUP,
    )
    pks = []
    record = {}
    with acting_as(admin):
        for index in range(stls):
            secretariat = _light_secretariat(index=index, admin=admin)
            record = _small_record(secretariat=secretariat)
            pks.append(secretariat.pk)
    summary = [
        f"{stls} STL(s), each with 5 nuclei, 5 members (2 active), a facilitator, 1 table, "
        f"1 consultation, 3 problems, 1 open prioritisation, 1 open decision, 1 evidence file "
        f"({time.monotonic() - started:.0f} s)"
    ]
    log(summary[-1])
    last = pks[-1]
    personas = {
        "admin": admin,
        "reviewer": reviewer,
        "member": User.objects.get(pk=record["member_user"]),
        "facilitator": User.objects.get(pk=record["facilitator_user"]),
    }
    objects = {key: value for key, value in record.items() if not key.endswith("_user")}
    data = BenchData(
        personas=personas, secretariat_pks=pks, measured_pk=last, objects=objects, summary=summary
    )
    if heavy:
        from bench import heavy as heavy_fill

        heavy_fill.fill_heavy(data=data, index=stls, admin=admin, reviewer=reviewer, log=log)
    from evidence.subjects import registered_subject_types

    data.subjects = _subjects_of(data.measured_pk, registered_subject_types())
    if "export_id" not in data.objects:
        data.objects["export_id"] = _export(data)
    assert set(data.objects) == OBJECT_KEYS, sorted(set(data.objects) ^ OBJECT_KEYS)
    data.summary.append(
        f"database: {Evidence.objects.count()} evidence rows, "
        f"{EvidenceExport.objects.count()} export(s), {User.objects.count()} accounts; "
        f"fill {time.monotonic() - started:.0f} s"
    )
    return data


def _subjects_of(secretariat_pk: int, subject_types) -> dict[str, int]:
    """Return, per registered subject type, the subject of the STL with the most evidence."""
    from django.db.models import Count

    from evidence.models import Evidence
    from evidence.subjects import content_type_of

    subjects = {}
    for subject_type in subject_types:
        content_type = content_type_of(subject_type.model)
        busiest = (
            Evidence.objects.filter(secretariat_id=secretariat_pk, subject_type=content_type)
            .values("subject_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "subject_id")
            .first()
        )
        if busiest is not None:
            subjects[subject_type.key] = busiest["subject_id"]
            continue
        candidates = subject_type.model._default_manager.all()
        for candidate in candidates.order_by("-pk")[:200]:
            if subject_type.secretariat_of(candidate).pk == secretariat_pk:
                subjects[subject_type.key] = candidate.pk
                break
    return subjects


def _export(data: BenchData) -> int:
    """Ask for the measured STL's ZIP export as its facilitator; eager tasks build it at once."""
    from evidence import services as vault
    from stl.models import Secretariat

    secretariat = Secretariat.objects.get(pk=data.measured_pk)
    return vault.evidence_export_start(
        secretariat=secretariat, user=data.personas["facilitator"]
    ).pk
