"""Fill the benchmark database through the portal's own services, as an INAI administrator would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from pal_portal.history import acting_as
from stl import services
from stl.mexican_states import MexicanState
from stl.models import Nucleus
from stl.roles import ADMINISTRATOR_GROUP, REVIEWER_GROUP

User = get_user_model()

FIRST_NAMES = ["Ana", "Luis", "Martha", "Jorge", "Rosa", "Pedro", "Claudia", "Héctor", "Laura"]
LAST_NAMES = ["Hernández", "López", "Ruiz", "Gómez", "Vásquez", "Ramírez", "Díaz", "Méndez"]

# Five members per STL, spread over its nuclei as in the demo data.
MEMBER_NUCLEI = [
    Nucleus.Kind.CIVIL_SOCIETY,
    Nucleus.Kind.CIVIL_SOCIETY,
    Nucleus.Kind.LOCAL_AUTHORITIES,
    Nucleus.Kind.GUARANTOR,
    Nucleus.Kind.ACADEMIA,
]


@dataclass(frozen=True)
class BenchData:
    """What the pages of the benchmark need to build their URLs, and who requests them."""

    personas: dict[str, object]
    secretariat_pks: list[int]

    @property
    def secretariat_pk(self) -> int:
        """Return the STL whose pages are measured: the last registered one."""
        return self.secretariat_pks[-1]


def _person(index: int) -> str:
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index // len(FIRST_NAMES)) % len(LAST_NAMES)]
    return f"{first} {last}"


def _staff(*, email: str, full_name: str, group_name: str, is_staff: bool = False):
    # No password: the benchmark logs in by session, never through the login form.
    user = User.objects.create_user(email=email, full_name=full_name, is_staff=is_staff)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def _secretariat(*, index: int, admin):
    """Register STL number ``index`` with five nuclei, five members and a facilitator."""
    states = MexicanState.values
    state = states[index % len(states)]
    # Past the 32 states, the next exercise of each state: 2016–2018, 2018–2020, …
    start = 2016 + 2 * (index // len(states))
    secretariat = services.secretariat_register(
        state=state,
        exercise=f"{start}–{start + 2}",
        installation_date=min(dt.date(start, 10, 14), timezone.localdate()),
        extra_nucleus_kinds=[Nucleus.Kind.ACADEMIA, Nucleus.Kind.BUSINESS],
        user=admin,
    )
    nuclei = {nucleus.kind: nucleus for nucleus in secretariat.nuclei.all()}
    tag = f"{state.lower()}{index}"
    for number, kind in enumerate(MEMBER_NUCLEI):
        services.member_invite(
            secretariat=secretariat,
            nucleus=nuclei[kind],
            email=f"integrante{number}.{tag}@bench.example",
            full_name=_person(index * len(MEMBER_NUCLEI) + number),
            organisation=f"Organización {number + 1} de {secretariat.get_state_display()}",
            position="Titular" if number % 2 else "",
            invited_by=admin,
        )
    services.facilitator_assign(
        secretariat=secretariat,
        email=f"facilitacion.{tag}@bench.example",
        full_name=_person(index + 7),
        organisation="Colectivo Puentes AC",
        assigned_by=admin,
    )
    return secretariat


def fill(*, stls: int) -> BenchData:
    """Create an INAI administrator, a CPGAT reviewer and ``stls`` complete STLs."""
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
    with acting_as(admin):
        pks = [_secretariat(index=index, admin=admin).pk for index in range(stls)]
    return BenchData(personas={"admin": admin, "reviewer": reviewer}, secretariat_pks=pks)
