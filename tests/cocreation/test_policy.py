"""The co-creation record's one access policy: every persona against every rule."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from cocreation import policy
from pal_portal import request_cache
from stl import policy as stl_policy
from stl.models import Nucleus
from tests.cocreation.factories_dialogue import DialogueTableFactory
from tests.factories import add_member

pytestmark = pytest.mark.django_db


def nucleus(secretariat, kind):
    return Nucleus.objects.get_or_create(secretariat=secretariat, kind=kind, name="")[0]


def access(user, secretariat):
    return stl_policy.secretariat_access(user, secretariat)


@pytest.mark.parametrize(
    ("persona", "contribute", "vote"),
    [
        ("alicia", True, True),  # member of A
        ("fernanda", True, False),  # A's facilitator: voice, no vote (4.b)
        ("rita", False, False),  # CPGAT reads, does not write the record
        ("adan", False, False),  # INAI administration manages, does not write the record
        ("bruno", False, False),  # member of B
    ],
)
def test_each_persona_against_the_record_rules(world, persona, contribute, vote):
    person_access = access(getattr(world, persona), world.state_a)
    assert policy.may(person_access, "contribute") is contribute
    assert policy.may(person_access, "vote") is vote
    assert policy.may(person_access, "rank") is vote


def test_the_facilitator_is_refused_votes_and_ranks_with_the_rule_of_4b(state_a, fernanda):
    facilitator = access(fernanda, state_a)
    with pytest.raises(PermissionDenied) as vote:
        policy.require(facilitator, "vote")
    with pytest.raises(PermissionDenied) as rank:
        policy.require(facilitator, "rank")
    assert str(vote.value) == "La persona facilitadora tiene voz, pero no voto (requisito 4.b)."
    assert "La persona facilitadora no participa en la priorización" in str(rank.value)


def test_a_facilitator_who_is_also_a_member_still_never_votes(state_a, fernanda):
    # The registry refuses this, but were the permissions ever to coincide, one rule decides.
    stl_policy.grant_member_access(user=fernanda, secretariat=state_a)
    both = access(fernanda, state_a)
    assert both.can_participate and both.can_facilitate
    assert not policy.may(both, "vote")
    assert not policy.may(both, "rank")


def test_outsiders_are_refused_with_the_rules_own_message(state_a, bruno):
    with pytest.raises(PermissionDenied) as refused:
        policy.require(access(bruno, state_a), "contribute")
    assert str(refused.value) == (
        "Solo las personas integrantes del STL y su persona facilitadora pueden hacer esto."
    )


def test_tables_are_logged_by_the_facilitator_or_members_of_their_nucleus(
    state_a, alicia, fernanda
):
    other = nucleus(state_a, Nucleus.Kind.LOCAL_AUTHORITIES)
    own_table = DialogueTableFactory(
        secretariat=state_a, nucleus=nucleus(state_a, Nucleus.Kind.CIVIL_SOCIETY)
    )
    other_table = DialogueTableFactory(secretariat=state_a, nucleus=other)
    member = access(alicia, state_a)
    assert policy.may(member, "edit_table", own_table)
    assert not policy.may(member, "edit_table", other_table)
    assert policy.may(member, "answer_minutes", own_table)
    assert not policy.may(member, "answer_minutes", other_table)
    facilitator = access(fernanda, state_a)
    assert policy.may(facilitator, "edit_table", other_table)
    assert not policy.may(facilitator, "answer_minutes", other_table)
    with pytest.raises(PermissionDenied) as refused:
        policy.require(member, "answer_minutes", other_table)
    assert str(refused.value) == "Solo las personas integrantes de ese núcleo aprueban su minuta."


def test_another_states_objects_are_404_as_missing_ones(state_a, state_b, bruno):
    table = DialogueTableFactory(nucleus=nucleus(state_a, Nucleus.Kind.CIVIL_SOCIETY))
    with pytest.raises(Http404):
        policy.get_dialogue_table_or_404(bruno, state_a.pk, table.pk)
    # Through B's own URL prefix, A's table does not exist either.
    with pytest.raises(Http404):
        policy.get_dialogue_table_or_404(bruno, state_b.pk, table.pk)
    with pytest.raises(Http404):
        policy.get_dialogue_table_or_404(bruno, state_b.pk, "not-a-number")


def test_need_turns_a_refused_action_into_404(state_a, alicia):
    other = nucleus(state_a, Nucleus.Kind.LOCAL_AUTHORITIES)
    table = DialogueTableFactory(secretariat=state_a, nucleus=other)
    found, _access = policy.get_dialogue_table_or_404(alicia, state_a.pk, table.pk)
    assert found == table
    with pytest.raises(Http404):
        policy.get_dialogue_table_or_404(alicia, state_a.pk, table.pk, need="answer_minutes")


def test_roles_are_computed_once_per_request(state_a, alicia):
    token = request_cache._cache.set({})
    try:
        with CaptureQueriesContext(connection) as first:
            first_access = access(alicia, state_a)
            assert first_access.member is not None
        with CaptureQueriesContext(connection) as again:
            assert access(alicia, state_a) is first_access
            assert first_access.member is not None
        assert len(first) > 0 and len(again) == 0
    finally:
        request_cache._cache.reset(token)


def test_outside_a_request_roles_are_computed_afresh(state_a, alicia):
    assert access(alicia, state_a).can_participate
    stl_policy.revoke_member_access(user=alicia, secretariat=state_a)
    assert not access(alicia, state_a).can_participate


def test_a_change_of_roles_within_a_request_is_seen_at_once(state_a, bruno):
    token = request_cache._cache.set({})
    try:
        assert not access(bruno, state_a).can_participate
        add_member(state_a, user=bruno)
        assert access(bruno, state_a).can_participate
    finally:
        request_cache._cache.reset(token)
