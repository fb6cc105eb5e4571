"""The registry part of the demo: INAI staff, two states' STLs, their members and facilitators.

INAI's administrator registers the STLs, invites the members and assigns the facilitators through
the registry's services; each invited person then accepts their invitation and chooses the demo
password, as they would through the link of the e-mail. What already exists is left as it is, so
loading the demo twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from stl import services
from stl.models import Invitation, Nucleus, Secretariat
from stl.roles import ADMINISTRATOR_GROUP, REVIEWER_GROUP, sync_groups

DEMO_PASSWORD = "demo-pal-2026"  # noqa: S105 - the README publishes the demo accounts

User = get_user_model()

STAFF = (
    ("admin@inai.demo", "Adriana Castillo (INAI)", ADMINISTRATOR_GROUP),
    ("revision@inai.demo", "Ernesto Valdés (CPGAT)", REVIEWER_GROUP),
)

DEMO = {
    "OAX": {
        "exercise": "2016–2018",
        "installed": dt.date(2016, 10, 14),
        "extra": [Nucleus.Kind.ACADEMIA],
        "facilitator": ("facilitacion@oaxaca.demo", "Rosa Elena Martínez", "Colectivo Puentes AC"),
        "members": [
            (
                "sociedad_civil",
                "sociedad@oaxaca.demo",
                "Luis Hernández Cruz",
                "Oaxaca Transparente AC",
            ),
            (
                "sociedad_civil",
                "colectivo@oaxaca.demo",
                "Martha López Santiago",
                "Red Ciudadana Mixteca",
            ),
            (
                "autoridades_locales",
                "gobierno@oaxaca.demo",
                "Jorge Ruiz Pérez",
                "Secretaría de la Contraloría",
            ),
            (
                "organo_garante",
                "garante@oaxaca.demo",
                "Ana Sofía Gómez",
                "Órgano Garante de Acceso a la Información de Oaxaca",
            ),
            (
                "academia",
                "academia@oaxaca.demo",
                "Pedro Vásquez Reyes",
                "Universidad Autónoma Benito Juárez",
            ),
        ],
    },
    "JAL": {
        "exercise": "2016–2018",
        "installed": dt.date(2016, 11, 3),
        "extra": [Nucleus.Kind.BUSINESS],
        "facilitator": ("facilitacion@jalisco.demo", "Tomás Aguilar Núñez", ""),
        "members": [
            (
                "sociedad_civil",
                "sociedad@jalisco.demo",
                "Claudia Ramírez Ortiz",
                "Jalisco Cómo Vamos",
            ),
            (
                "autoridades_locales",
                "gobierno@jalisco.demo",
                "Héctor Díaz Flores",
                "Contraloría del Estado de Jalisco",
            ),
            ("organo_garante", "garante@jalisco.demo", "Laura Méndez Silva", "ITEI Jalisco"),
            (
                "sector_empresarial",
                "empresas@jalisco.demo",
                "Ricardo Torres Lara",
                "Consejo de Cámaras Industriales",
            ),
        ],
    },
}


@dataclass
class DemoRegistry:
    """What the registry part loaded, for the parts of the demo built on top of it."""

    admin: object
    reviewer: object
    secretariats: dict[str, Secretariat]
    created: list[str] = field(default_factory=list)


def seed_registry() -> DemoRegistry:
    """Load the INAI staff and both STLs with their people; leave what exists untouched."""
    created: list[str] = []
    sync_groups()
    admin, reviewer = (_staff(email, name, group, created) for email, name, group in STAFF)
    secretariats = {
        state: _secretariat(state, data, admin=admin, created=created)
        for state, data in DEMO.items()
    }
    return DemoRegistry(admin=admin, reviewer=reviewer, secretariats=secretariats, created=created)


def _staff(email: str, name: str, group_name: str, created: list[str]):
    """Return the INAI account, creating it with the demo password the first time."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            DEMO_PASSWORD,
            full_name=name,
            is_staff=group_name == ADMINISTRATOR_GROUP,
        )
        created.append(email)
    user.groups.add(Group.objects.get(name=group_name))  # adds nothing when already there
    return user


def _secretariat(state: str, data: dict, *, admin, created: list[str]) -> Secretariat:
    secretariat = Secretariat.objects.filter(state=state, exercise=data["exercise"]).first()
    if secretariat is None:
        secretariat = services.secretariat_register(
            state=state,
            exercise=data["exercise"],
            installation_date=data["installed"],
            extra_nucleus_kinds=data["extra"],
            user=admin,
        )
        created.append(str(secretariat))
    nuclei = {nucleus.kind: nucleus for nucleus in secretariat.nuclei.all()}
    for kind, email, name, organisation in data["members"]:
        if not secretariat.members.filter(user__email=email).exists():
            services.member_invite(
                secretariat=secretariat,
                nucleus=nuclei[kind],
                email=email,
                full_name=name,
                organisation=organisation,
                invited_by=admin,
            )
            _accept_invitation(email=email, secretariat=secretariat)
            created.append(email)
    email, name, organisation = data["facilitator"]
    if not secretariat.facilitator_assignments.filter(user__email=email, is_active=True).exists():
        services.facilitator_assign(
            secretariat=secretariat,
            email=email,
            full_name=name,
            organisation=organisation,
            assigned_by=admin,
        )
        _accept_invitation(email=email, secretariat=secretariat)
        created.append(email)
    return secretariat


def _accept_invitation(*, email: str, secretariat: Secretariat) -> None:
    """Accept the person's new invitation as they would, choosing the demo password."""
    invitation = (
        Invitation.objects.filter(user__email=email, secretariat=secretariat, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    user = invitation.user
    has_account = user.is_active and user.has_usable_password()
    services.invitation_accept(key=invitation.key, password=None if has_account else DEMO_PASSWORD)
