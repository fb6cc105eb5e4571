"""Writes of the STL's decisions (acuerdos): open, discuss, vote, close.

Requirement 4.b of INAI's minimum requirements: the facilitator has voice but no vote. They may
open a decision, comment on it and close it, but ``decision_vote`` refuses them always.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cocreation import policy
from cocreation.models import Decision, DecisionComment, Vote
from cocreation.selectors.decisions import decision_quorum
from pal_portal.bounds import field_errors
from pal_portal.history import acting_as
from stl.models import Member, Secretariat


def _locked_open(decision: Decision) -> Decision:
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.status != Decision.Status.OPEN:
        raise ValidationError(_("Este acuerdo ya está cerrado: no admite más cambios."))
    return decision


def decision_open(
    *,
    secretariat: Secretariat,
    title: str,
    description: str = "",
    discussed_on: dt.date,
    user,
) -> Decision:
    """Put an agreement to the STL's vote; members and the facilitator may open one."""
    policy.require(policy.access_for(user, secretariat), "contribute")
    decision = Decision(
        secretariat=secretariat,
        title=title.strip(),
        description=description.strip(),
        discussed_on=discussed_on,
        created_by=user,
    )
    # The model declares every rule of these fields: required, lengths, no future date.
    errors = field_errors(decision, ["title", "description", "discussed_on"])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), acting_as(user):
        decision.save()
    return decision


def decision_vote(*, decision: Decision, choice: str, user) -> Vote:
    """Cast or change the vote of a member present; the facilitator can never vote (4.b)."""
    secretariat = decision.secretariat
    stl_access = policy.access_for(user, secretariat)
    policy.require(stl_access, "vote")
    member = stl_access.member
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": _("Elige a favor, en contra o abstención.")})
    with transaction.atomic(), acting_as(user):
        decision = _locked_open(decision)
        vote = Vote.objects.filter(decision=decision, member=member).first()
        if vote is None:
            return Vote.objects.create(decision=decision, member=member, choice=choice)
        if vote.choice != choice:
            vote.choice = choice
            vote.cast_at = timezone.now()
            vote.save(update_fields=["choice", "cast_at"])
        return vote


def decision_comment_add(*, decision: Decision, body: str, user) -> DecisionComment:
    """Record a voice in the discussion, with its author's name: members and the facilitator."""
    policy.require(policy.access_for(user, decision.secretariat), "contribute")
    comment = DecisionComment(decision=decision, author=user, body=body.strip())
    errors = field_errors(comment, ["body"])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), acting_as(user):
        comment.decision = _locked_open(decision)
        comment.save()
    return comment


def decision_outcome(*, in_favour: int, against: int, quorum_met: bool) -> str:
    """Return the outcome of a vote: without quorum, none; else the majority of votes cast for
    or against, equal being a tie."""
    if not quorum_met:
        return Decision.Outcome.NO_QUORUM
    if in_favour > against:
        return Decision.Outcome.APPROVED
    if against > in_favour:
        return Decision.Outcome.REJECTED
    return Decision.Outcome.TIED


def decision_outcome_rule() -> str:
    """Return the sentence stating how ``decision_outcome`` decides, for the decision's page."""
    return _(
        "Con quórum, el acuerdo se aprueba si hay más votos a favor que en contra, no se aprueba "
        "si hay más en contra, y si son iguales hay empate. Sin quórum, la votación se cierra "
        "con el resultado «%(no_quorum)s»."
    ) % {"no_quorum": Decision.Outcome.NO_QUORUM.label}


def decision_close(*, decision: Decision, user) -> Decision:
    """Close the vote and record its outcome under the STL's quorum rule; no vote can be cast or
    changed afterwards."""
    policy.require(policy.access_for(user, decision.secretariat), "contribute")
    with transaction.atomic(), acting_as(user):
        decision = _locked_open(decision)
        votes = list(decision.votes.select_related("member__nucleus"))
        if not votes:
            raise ValidationError(
                _("Nadie ha votado todavía: el acuerdo no se puede cerrar sin votos.")
            )
        active_member_ids = set(
            Member.objects.filter(
                secretariat_id=decision.secretariat_id, is_active=True
            ).values_list("pk", flat=True)
        )
        count = decision_quorum(decision=decision, votes=votes, active_member_ids=active_member_ids)
        choices = [vote.choice for vote in votes]
        decision.outcome = decision_outcome(
            in_favour=choices.count(Vote.Choice.FOR),
            against=choices.count(Vote.Choice.AGAINST),
            quorum_met=count.met,
        )
        decision.quorum_rule = count.rule.key
        decision.quorum_reference = decision.secretariat.quorum_reference
        decision.electorate = count.electorate
        decision.status = Decision.Status.CLOSED
        decision.closed_at = timezone.now()
        decision.save(
            update_fields=[
                "outcome",
                "quorum_rule",
                "quorum_reference",
                "electorate",
                "status",
                "closed_at",
            ]
        )
    return decision
