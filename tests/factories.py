"""factory_boy factories of the accounts and STL registry; other apps keep theirs beside them."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from stl import policy as access
from stl.models import FacilitatorAssignment, Member, Nucleus, Secretariat
from stl.roles import ADMINISTRATOR_GROUP, REVIEWER_GROUP

PASSWORD = "contrasena-de-prueba-9"

# The smallest PDF that libmagic and the vault accept as a PDF.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persona{n}@example.mx")
    full_name = factory.Faker("name", locale="es_MX")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def admin_user(**kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=ADMINISTRATOR_GROUP))
    return user


def reviewer_user(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=REVIEWER_GROUP))
    return user


class SecretariatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Secretariat
        skip_postgeneration_save = True

    state = factory.Iterator(["OAX", "JAL", "CHP", "YUC", "NLE", "PUE", "VER", "SON"])
    exercise = factory.Sequence(lambda n: f"{2000 + n % 900 * 2:04d}–{2002 + n % 900 * 2:04d}")
    installation_date = dt.date(2016, 10, 14)

    @factory.post_generation
    def with_nuclei(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            for kind in Nucleus.REQUIRED_KINDS:
                Nucleus.objects.create(secretariat=obj, kind=kind)


def add_member(secretariat, *, kind=Nucleus.Kind.CIVIL_SOCIETY, user=None, **kwargs):
    """Make ``user`` (or a new person) a member of the nucleus of ``kind`` of the STL."""
    nucleus, _created = Nucleus.objects.get_or_create(secretariat=secretariat, kind=kind, name="")
    user = user or UserFactory()
    member = Member.objects.create(
        secretariat=secretariat,
        nucleus=nucleus,
        user=user,
        organisation=kwargs.pop("organisation", "Organización de prueba"),
        **kwargs,
    )
    access.grant_member_access(user=user, secretariat=secretariat)
    return member


def add_facilitator(secretariat, *, user=None):
    user = user or UserFactory()
    assignment = FacilitatorAssignment.objects.create(secretariat=secretariat, user=user)
    access.grant_facilitator_access(user=user, secretariat=secretariat)
    return assignment
