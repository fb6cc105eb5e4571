"""Load a realistic demo: two states' STLs with all nuclei, members, facilitators and INAI staff."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from pal_portal.history import acting_as
from stl import services
from stl.models import Invitation, Nucleus, Secretariat
from stl.roles import ADMINISTRATOR_GROUP, REVIEWER_GROUP, sync_groups

DEMO_PASSWORD = "demo-pal-2026"  # noqa: S105 - the README publishes the demo accounts

User = get_user_model()

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


class Command(BaseCommand):
    help = "Carga datos de demostración: dos STL con sus núcleos, integrantes y personal del INAI."

    @transaction.atomic
    def handle(self, *args, **options):
        sync_groups()
        admin = self._staff("admin@inai.demo", "Adriana Castillo (INAI)", ADMINISTRATOR_GROUP)
        admin.is_staff = True
        admin.save(update_fields=["is_staff"])
        self._staff("revision@inai.demo", "Ernesto Valdés (CPGAT)", REVIEWER_GROUP)
        with acting_as(admin):
            for state, data in DEMO.items():
                self._secretariat(state, data, admin)
        self.stdout.write(
            self.style.SUCCESS(f"Datos de demostración listos. Contraseña: {DEMO_PASSWORD}")
        )

    def _staff(self, email, name, group_name):
        user, _created = User.objects.get_or_create(email=email, defaults={"full_name": name})
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.save()
        user.groups.add(Group.objects.get(name=group_name))
        return user

    def _activate(self, email):
        """Give the demo account its password and accept its invitations (access starts there)."""
        user = User.objects.get(email=email)
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.save()
        for invitation in Invitation.objects.filter(user=user, used_at__isnull=True):
            services.invitation_accept(key=invitation.key, password=None)

    def _secretariat(self, state, data, admin):
        secretariat = Secretariat.objects.filter(state=state, exercise=data["exercise"]).first()
        if secretariat is None:
            secretariat = services.secretariat_register(
                state=state,
                exercise=data["exercise"],
                installation_date=data["installed"],
                extra_nucleus_kinds=data["extra"],
                user=admin,
            )
        nuclei = {n.kind: n for n in secretariat.nuclei.all()}
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
            self._activate(email)
        email, name, organisation = data["facilitator"]
        if not secretariat.facilitator_assignments.filter(user__email=email, is_active=True):
            services.facilitator_assign(
                secretariat=secretariat,
                email=email,
                full_name=name,
                organisation=organisation,
                assigned_by=admin,
            )
        self._activate(email)
        return secretariat
