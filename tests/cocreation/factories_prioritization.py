"""Small factories for prioritisations and decisions; problems minimal (another topic owns them)."""

import datetime as dt
from decimal import Decimal

from cocreation.models import (
    Criterion,
    Decision,
    Prioritization,
    PrioritizationEntry,
    Problem,
    Vote,
)
from stl.models import Nucleus


def make_problem(secretariat, title="Problemática", **kwargs) -> Problem:
    return Problem.objects.create(secretariat=secretariat, title=title, **kwargs)


def make_problems(secretariat, count: int) -> list[Problem]:
    return [make_problem(secretariat, f"Problemática {n}") for n in range(1, count + 1)]


def make_prioritization(
    secretariat,
    *,
    problems=None,
    method=Prioritization.Method.BORDA,
    max_choices=None,
    criteria=(),
    title="Priorización de prueba",
    **kwargs,
) -> Prioritization:
    problems = problems if problems is not None else make_problems(secretariat, 3)
    prioritization = Prioritization.objects.create(
        secretariat=secretariat, title=title, method=method, max_choices=max_choices, **kwargs
    )
    prioritization.problems.set(problems)
    for label, weight in criteria:
        Criterion.objects.create(
            prioritization=prioritization, label=label, weight=Decimal(str(weight))
        )
    return prioritization


def make_entry(prioritization, *, participant, data, nucleus=None, member=None):
    nucleus = nucleus or (member.nucleus if member else None)
    if nucleus is None:
        nucleus = Nucleus.objects.filter(secretariat=prioritization.secretariat).first()
    return PrioritizationEntry.objects.create(
        prioritization=prioritization,
        nucleus=nucleus,
        member=member,
        participant=participant,
        data=data,
    )


def make_decision(secretariat, title="Acuerdo de prueba", **kwargs) -> Decision:
    kwargs.setdefault("discussed_on", dt.date(2017, 3, 1))
    return Decision.objects.create(secretariat=secretariat, title=title, **kwargs)


def make_vote(decision, member, choice=Vote.Choice.FOR) -> Vote:
    return Vote.objects.create(decision=decision, member=member, choice=choice)


def run_methodology_job(prioritization):
    """Deliver the prioritisation's latest methodology job to a worker (in this process).

    As the worker does: the task runs with the job's id, so it claims the job's row and records
    how it ended. Returns the job, as it is afterwards.
    """
    from pal_portal.celery import app as celery_app
    from pal_portal.jobs import latest_job

    job = latest_job(prioritization.methodology_job_key)
    celery_app.tasks[job.task_name].apply(args=job.args, kwargs=job.kwargs, task_id=str(job.pk))
    job.refresh_from_db()
    return job


def fail_methodology(prioritization) -> None:
    """Run the methodology job once with a render that breaks: the job ends failed."""
    from unittest import mock

    import pytest

    broken = mock.patch("cocreation.methodology.methodology_pdf", side_effect=RuntimeError)
    with broken, pytest.raises(RuntimeError):
        run_methodology_job(prioritization)
