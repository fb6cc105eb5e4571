"""Factories of the co-creation record: dialogue tables, consultations and problems."""

import datetime as dt

import factory

from cocreation.models import DialogueTable, Problem, ProblemOrigin, PublicConsultation
from stl.models import Nucleus


def nucleus_of(secretariat, kind=Nucleus.Kind.CIVIL_SOCIETY) -> Nucleus:
    return Nucleus.objects.get(secretariat=secretariat, kind=kind, name="")


class DialogueTableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DialogueTable

    secretariat = factory.LazyAttribute(lambda o: o.nucleus.secretariat)
    nucleus = None  # pass nucleus=…
    held_on = dt.date(2017, 2, 15)
    modality = DialogueTable.Modality.IN_PERSON
    place = "Sala de cabildo, Oaxaca de Juárez"
    agenda = "1. Bienvenida\n2. Problemáticas del núcleo"
    minutes = "Se identificaron tres problemáticas."
    attendee_count = 12


class PublicConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublicConsultation

    title = factory.Sequence(lambda n: f"Foro abierto {n}")
    mechanism = PublicConsultation.Mechanism.OPEN_FORUM
    call_published_where = "Periódico Oficial y redes sociales"
    call_published_on = dt.date(2017, 3, 1)
    opens_on = dt.date(2017, 3, 10)
    closes_on = dt.date(2017, 3, 20)
    who_could_participate = "Cualquier persona residente en el estado"
    participants = 80
    contributions = 45
    results = "Se recibieron 45 aportaciones."


def problem_from(origin, title="Opacidad en obra pública", **kwargs) -> Problem:
    """Create a problem of ``origin``'s STL, traced to ``origin`` (a table or a consultation)."""
    problem = Problem.objects.create(secretariat=origin.secretariat, title=title, **kwargs)
    key = "dialogue_table" if isinstance(origin, DialogueTable) else "consultation"
    ProblemOrigin.objects.create(problem=problem, **{key: origin})
    return problem


def evidence_of(subject, kind, *, user, secretariat=None):
    """Store an evidence row of ``kind`` for ``subject`` directly (the vault's checks are
    tested in tests/evidence; here only its presence matters)."""
    from django.contrib.contenttypes.models import ContentType

    from evidence.models import Evidence
    from evidence.subjects import subject_type_of

    subject_type = subject_type_of(subject)
    return Evidence.objects.create(
        secretariat=secretariat or subject_type.secretariat_of(subject),
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        kind=kind,
        phase=subject_type.phase,
        description=f"{kind} de prueba",
        original_name=f"{kind}.pdf",
        file=f"{subject.pk}/{kind}.pdf",
        sha256="0" * 64,
        size=10,
        mime_type="application/pdf",
        uploaded_by=user,
    )


def on_the_register(secretariat, *names, kind=Nucleus.Kind.CIVIL_SOCIETY) -> DialogueTable:
    """Hold a table of the nucleus of ``kind`` whose attendance register lists ``names``."""
    from cocreation.models import Attendee

    table = DialogueTableFactory(nucleus=nucleus_of(secretariat, kind), attendee_count=len(names))
    for name in names:
        Attendee.objects.create(dialogue_table=table, full_name=name)
    return table
