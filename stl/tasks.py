from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from stl.models import Invitation

# Sending one e-mail takes a second; a mail server that hangs longer fails the job, and the
# dashboard offers to send it again.
INVITATION_EMAIL_SOFT_TIME_LIMIT = 60  # seconds
INVITATION_EMAIL_TIME_LIMIT = 90  # seconds


@shared_task(
    name="stl.send_invitation_email",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=INVITATION_EMAIL_SOFT_TIME_LIMIT,
    time_limit=INVITATION_EMAIL_TIME_LIMIT,
)
def send_invitation_email(invitation_id: int, site_url: str = "") -> bool:
    """E-mail the link of an unused invitation; do nothing if it is gone or already used.

    The link starts with ``site_url`` (the address the invitation was sent from), or with
    SITE_URL when none is given.
    """
    invitation = (
        Invitation.objects.select_related("user", "secretariat").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.used_at is not None:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "invitation": invitation,
            "link": (site_url or settings.SITE_URL).rstrip("/") + invitation.get_absolute_url(),
        }
        subject = render_to_string("stl/emails/invitation_subject.txt", context).strip()
        body = render_to_string("stl/emails/invitation_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.user.email])
    return True
