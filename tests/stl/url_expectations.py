from tests.url_matrix import OK, REDIRECT, admins_only, everyone, expect, insiders_only


def stl_a(world):
    return {"pk": world.state_a.pk}


expect("stl:list", **everyone(OK))
expect("stl:create", **admins_only())
expect("stl:dashboard", kwargs=stl_a, **{**insiders_only(), "anonymous": 404})
expect("stl:nucleus_create", kwargs=stl_a, **admins_only())
expect("stl:member_invite", kwargs=stl_a, **admins_only())
expect("stl:facilitator_assign", kwargs=stl_a, **admins_only())
expect("stl:quorum_rule", kwargs=stl_a, **admins_only())
expect("stl:history", kwargs=stl_a, **insiders_only())
expect(
    "stl:member_deactivate",
    kwargs=lambda world: {
        "pk": world.state_a.pk,
        "member_pk": world.state_a.members.get(user=world.alicia).pk,
    },
    **admins_only(405),  # POST only; everyone else learns nothing
)


def failed_invitation_of_a(world):
    """Return the URL kwargs of an invitation of state A whose e-mail job failed."""
    import datetime as dt

    from django.utils import timezone

    from pal_portal.models import Job
    from stl.models import Invitation
    from tests.factories import UserFactory

    invitation = Invitation.objects.create(
        user=UserFactory(),
        secretariat=world.state_a,
        key="matriz-de-urls",
        expires_at=timezone.now() + dt.timedelta(days=7),
        invited_by=world.adan,
    )
    Job.objects.create(
        task_name="stl.send_invitation_email",
        args=[invitation.pk],
        key=invitation.email_job_key,
        status=Job.Status.FAILED,
    )
    return {"pk": world.state_a.pk, "invitation_pk": invitation.pk}


expect(
    "stl:invitation_resend",
    kwargs=failed_invitation_of_a,
    method="post",
    **admins_only(REDIRECT),  # sent again, back to the dashboard
)
