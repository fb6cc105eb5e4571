"""A pending invitation's e-mail on the STL's dashboard: queued, sent or failed, and "Reenviar"."""

import datetime as dt
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pal_portal import jobs
from pal_portal.celery import app as celery_app
from pal_portal.models import Job
from stl import services
from stl.models import Invitation, Secretariat
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def invite(state_a, adan, *, email="garante@oaxaca.mx", full_name="Gabriela Soto"):
    """Invite a person as the INAI administrator; the e-mail's job waits for a worker."""
    member = services.member_invite(
        secretariat=state_a,
        nucleus=state_a.nuclei.get(kind="organo_garante"),
        email=email,
        full_name=full_name,
        organisation="OGAIPO",
        invited_by=adan,
        site_url="https://pal.example.mx",
    )
    return Invitation.objects.get(user=member.user, secretariat=state_a)


def deliver(invitation, *, breaks=False):
    """Hand the invitation's e-mail job to a worker (in this process), optionally breaking."""
    job = jobs.latest_job(invitation.email_job_key)
    task = celery_app.tasks[job.task_name]
    if not breaks:
        task.apply(args=job.args, kwargs=job.kwargs, task_id=str(job.pk))
        return
    broken = mock.patch("stl.tasks.send_mail", side_effect=RuntimeError("buzón inexistente"))
    with broken, pytest.raises(RuntimeError):
        task.apply(args=job.args, kwargs=job.kwargs, task_id=str(job.pk))


def person_line(page: str, name: str) -> str:
    """Return the dashboard's list item of a member, whole."""
    at = page.index(name)
    return page[page.rindex("<li>", 0, at) : page.index("</li>", at)]


def resend_url(invitation) -> str:
    return reverse(
        "stl:invitation_resend",
        kwargs={"pk": invitation.secretariat_id, "invitation_pk": invitation.pk},
    )


def test_inviting_records_the_email_job_with_who_asked(state_a, adan):
    invitation = invite(state_a, adan)

    job = jobs.latest_job(invitation.email_job_key)

    assert job.key == f"stl.invitation:{invitation.pk}"
    assert (job.task_name, job.args) == ("stl.send_invitation_email", [invitation.pk])
    assert (job.status, job.requested_by) == (Job.Status.QUEUED, adan)


def test_the_dashboard_shows_the_email_queued_then_sent(state_a, adan, alicia):
    invitation = invite(state_a, adan)
    url = state_a.get_absolute_url()

    queued = person_line(client_for(adan).get(url).content.decode(), "Gabriela Soto")
    deliver(invitation)
    sent = person_line(client_for(alicia).get(url).content.decode(), "Gabriela Soto")

    assert "invitación pendiente" in queued
    assert 'data-invitation-email="en_cola"' in queued and "correo en cola" in queued
    assert 'data-invitation-email="terminado"' in sent and "correo enviado" in sent
    assert resend_url(invitation) not in queued + sent
    assert len(mail.outbox) == 1


def test_a_failed_email_shows_failed_and_only_admins_may_resend_it(
    state_a, adan, alicia, fernanda, rita
):
    invitation = invite(state_a, adan)
    deliver(invitation, breaks=True)
    url = state_a.get_absolute_url()

    line = person_line(client_for(adan).get(url).content.decode(), "Gabriela Soto")
    assert 'data-invitation-email="fallido"' in line and "el correo falló" in line
    form = line[line.index("<form") :]
    assert f'action="{resend_url(invitation)}"' in form and 'method="post"' in form
    assert "csrfmiddlewaretoken" in form
    assert "Reenviar la invitación a Gabriela Soto" in form
    for persona in (alicia, fernanda, rita):
        line = person_line(client_for(persona).get(url).content.decode(), "Gabriela Soto")
        assert "el correo falló" in line
        assert resend_url(invitation) not in line
        assert client_for(persona).post(resend_url(invitation)).status_code == 404
    assert jobs.latest_job(invitation.email_job_key).status == Job.Status.FAILED


def test_resending_queues_the_failed_job_again_and_sends_the_email(
    state_a, adan, django_capture_on_commit_callbacks
):
    invitation = invite(state_a, adan)
    deliver(invitation, breaks=True)
    failed = jobs.latest_job(invitation.email_job_key)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(adan).post(resend_url(invitation), follow=True)

    assert len(callbacks) == 1
    page = response.content.decode()
    assert "Se enviará de nuevo la invitación a garante@oaxaca.mx." in page
    job = jobs.latest_job(invitation.email_job_key)
    assert job == failed
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)
    (sent,) = mail.outbox
    assert sent.to == ["garante@oaxaca.mx"]
    assert f"https://pal.example.mx/cuentas/invitacion/{invitation.key}/" in sent.body
    # The page it came back to showed the job queued again (sent after the commit); now sent.
    assert "correo en cola" in person_line(page, "Gabriela Soto")
    page = client_for(adan).get(state_a.get_absolute_url()).content.decode()
    assert "correo enviado" in person_line(page, "Gabriela Soto")


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("queued", "El correo de esta invitación ya está en camino."),
        ("sent", "El correo de esta invitación ya se envió."),
        ("expired", "Esta invitación venció: su enlace ya no sirve."),
        ("accepted", "Esta invitación ya se aceptó: no hace falta enviarla de nuevo."),
    ],
)
def test_resending_is_refused_with_its_reason(
    state_a, adan, case, message, django_capture_on_commit_callbacks
):
    invitation = invite(state_a, adan)
    if case != "queued":
        deliver(invitation, breaks=case != "sent")
    if case == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
    if case == "accepted":
        Invitation.objects.filter(pk=invitation.pk).update(used_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = client_for(adan).post(resend_url(invitation), follow=True).content.decode()

    assert message in page
    assert callbacks == []
    assert Job.objects.filter(key=invitation.email_job_key).count() == 1
    if case == "expired":  # the dashboard does not offer what the service refuses
        assert resend_url(invitation) not in page


def test_resending_needs_a_post_with_the_csrf_token(state_a, adan):
    from django.test import Client

    invitation = invite(state_a, adan)
    deliver(invitation, breaks=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(adan)

    assert client.post(resend_url(invitation)).status_code == 403
    assert client_for(adan).get(resend_url(invitation)).status_code == 405
    assert jobs.latest_job(invitation.email_job_key).status == Job.Status.FAILED


def test_an_invitation_of_another_stl_cannot_be_resent_through_this_one(state_a, state_b, adan):
    invitation = invite(state_b, adan)
    deliver(invitation, breaks=True)
    url = reverse(
        "stl:invitation_resend", kwargs={"pk": state_a.pk, "invitation_pk": invitation.pk}
    )

    assert client_for(adan).post(url).status_code == 404


def test_the_facilitators_pending_invitation_shows_its_email_too(state_a, adan):
    services.facilitator_assign(
        secretariat=state_a,
        email="nueva.facilitadora@example.mx",
        full_name="Nueva Facilitadora",
        assigned_by=adan,
    )

    page = client_for(adan).get(state_a.get_absolute_url()).content.decode()

    section = page[
        page.index('id="facilitacion"') : page.index("</section>", page.index('id="facilitacion"'))
    ]
    assert "Nueva Facilitadora" in section
    assert "invitación pendiente" in section and "correo en cola" in section


def test_public_visitors_see_the_pending_tag_but_not_the_email(state_a, adan, client):
    invite(state_a, adan)
    Secretariat.objects.filter(pk=state_a.pk).update(is_public=True)

    page = client.get(state_a.get_absolute_url()).content.decode()

    assert "invitación pendiente" in page
    assert "correo en cola" not in page


# Secretariat, session, user, object permissions (one query), global roles (one), nuclei with
# members and their pending invitations (2), facilitator, the e-mail jobs of every pending
# invitation of the page (one query).
DASHBOARD_WITH_INVITATIONS_QUERIES = 10


@pytest.mark.parametrize("count", [1, 30])
def test_the_email_states_cost_one_query_whatever_the_number_of_invitations(
    state_a, adan, count, django_assert_num_queries
):
    invitations = [
        invite(state_a, adan, email=f"persona{number}@example.mx", full_name=f"Persona {number}")
        for number in range(count)
    ]
    deliver(invitations[0], breaks=True)
    client = client_for(adan)
    ContentType.objects.get_for_model(Secretariat)

    with django_assert_num_queries(DASHBOARD_WITH_INVITATIONS_QUERIES):
        response = client.get(state_a.get_absolute_url())

    page = response.content.decode()
    assert page.count("invitación pendiente") == count
    assert page.count("correo en cola") == count - 1
    assert page.count("el correo falló") == 1
