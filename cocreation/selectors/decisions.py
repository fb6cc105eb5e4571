"""Reads of the STL's decisions (acuerdos; requirement 4.b)."""

from django.db.models import Count, Prefetch, Q, QuerySet

from cocreation.models import (
    Decision,
    DecisionComment,
    Vote,
)
from stl import quorum
from stl.models import FacilitatorAssignment, Member, Nucleus, Secretariat


def decision_list(*, secretariat: Secretariat, status: str = "", search: str = "") -> QuerySet:
    """Return the STL's decisions, newest first, with their vote counts.

    ``status`` keeps those still in vote (``Decision.Status.OPEN``) or closed with that
    ``Decision.Outcome``; ``search`` looks in the title and the description.
    """
    decisions = Decision.objects.filter(secretariat=secretariat)
    if status == Decision.Status.OPEN:
        decisions = decisions.filter(status=Decision.Status.OPEN)
    elif status:
        decisions = decisions.filter(status=Decision.Status.CLOSED, outcome=status)
    if search:
        decisions = decisions.filter(Q(title__icontains=search) | Q(description__icontains=search))
    return decisions.annotate(
        votes_for=Count("votes", filter=Q(votes__choice=Vote.Choice.FOR)),
        votes_against=Count("votes", filter=Q(votes__choice=Vote.Choice.AGAINST)),
        votes_abstain=Count("votes", filter=Q(votes__choice=Vote.Choice.ABSTAIN)),
    ).order_by("-discussed_on", "-pk")


def decision_quorum(
    *, decision: Decision, votes: list[Vote], active_member_ids: set[int]
) -> quorum.QuorumCount | None:
    """Return how the decision's votes stand against its quorum rule; the one place it is applied.

    An open decision follows the STL's rule, among its active members and anyone who voted and
    has since left (their vote still counts). A closed one keeps the rule and the number of
    members it was closed with; None if it was closed before the portal applied a quorum.
    ``votes`` come with ``member__nucleus``.
    """
    if decision.status == Decision.Status.CLOSED:
        if decision.quorum_rule not in quorum.RULES or decision.electorate is None:
            return None
        rule, electorate = quorum.RULES[decision.quorum_rule], decision.electorate
    else:
        rule = quorum.rule_of(decision.secretariat)
        electorate = len(active_member_ids | {vote.member_id for vote in votes})
    return quorum.quorum_count(
        rule=rule,
        electorate=electorate,
        votes=len(votes),
        nucleus_kinds_voting={vote.member.nucleus.kind for vote in votes},
    )


def decision_quorum_text(*, decision: Decision) -> str:
    """Return the sentence stating the quorum rule that applies to the decision."""
    if decision.status == Decision.Status.CLOSED and decision.quorum_rule in quorum.RULES:
        return quorum.rule_text(
            quorum.RULES[decision.quorum_rule], reference=decision.quorum_reference
        )
    secretariat = decision.secretariat
    return quorum.rule_text(quorum.rule_of(secretariat), reference=secretariat.quorum_reference)


def decision_detail(*, decision: Decision, user) -> dict:
    """Return the decision's votes grouped by nucleus, its discussion and the user's own vote."""
    votes = list(decision.votes.select_related("member__user", "member__nucleus").order_by("pk"))
    vote_by_member = {vote.member_id: vote for vote in votes}
    nuclei = list(
        Nucleus.objects.filter(secretariat_id=decision.secretariat_id).prefetch_related(
            Prefetch(
                "members",
                queryset=Member.objects.filter(is_active=True).select_related("user"),
            )
        )
    )
    groups = []
    listed: set[int] = set()
    own_member = None
    member_by_user: dict[int, Member] = {}
    for nucleus in nuclei:
        rows = []
        for member in nucleus.members.all():
            listed.add(member.pk)
            member_by_user[member.user_id] = member
            if member.user_id == user.pk:
                own_member = member
            rows.append({"member": member, "vote": vote_by_member.get(member.pk)})
        # Votes of people who have since left the nucleus still count and stay visible.
        rows += [
            {"member": vote.member, "vote": vote}
            for vote in votes
            if vote.member.nucleus_id == nucleus.pk and vote.member_id not in listed
        ]
        groups.append({"nucleus": nucleus, "rows": rows})
    facilitator_ids = set(
        FacilitatorAssignment.objects.filter(secretariat_id=decision.secretariat_id).values_list(
            "user_id", flat=True
        )
    )
    comments = list(
        DecisionComment.objects.filter(decision=decision).select_related("author").order_by("pk")
    )
    for comment in comments:
        comment.by_facilitator = comment.author_id in facilitator_ids
        comment.member = member_by_user.get(comment.author_id)
    tally = dict.fromkeys(Vote.Choice.values, 0)
    for vote in votes:
        tally[vote.choice] += 1
    return {
        "quorum": decision_quorum(decision=decision, votes=votes, active_member_ids=listed),
        "quorum_rule_text": decision_quorum_text(decision=decision),
        "groups": groups,
        "votes": votes,
        "comments": comments,
        "own_vote": vote_by_member.get(own_member.pk) if own_member else None,
        "own_member": own_member,
        "tally": {
            "for": tally[Vote.Choice.FOR],
            "against": tally[Vote.Choice.AGAINST],
            "abstain": tally[Vote.Choice.ABSTAIN],
            "total": len(votes),
        },
    }
