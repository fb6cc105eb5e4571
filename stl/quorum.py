"""The quorum of the STL's decisions: how many of its members must vote for a vote to decide.

By default more than half of the active members vote, with at least one vote from each of the
three nuclei of requirement 1.a (sociedad civil, autoridades locales, órgano garante). An STL
whose rules of operation say otherwise records its own rule (``Secretariat.quorum_rule``, which
names the rules defined here). Every text about a rule (the choices of the administrator's form,
the sentence on a decision's page) is generated here from the rule itself, and ``quorum_count``
is the one place a rule is applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stl.models import Nucleus, Secretariat

Name = Secretariat.QuorumRule


@dataclass(frozen=True)
class QuorumRule:
    """A share of the members who must vote, and whether each required nucleus must vote."""

    key: str
    numerator: int
    denominator: int
    # True: more than the share (a majority is more than half); False: at least the share.
    strictly_more: bool
    each_required_nucleus: bool

    def votes_needed(self, electorate: int) -> int:
        """Return the fewest votes that make quorum among ``electorate`` members (at least 1)."""
        whole, remainder = divmod(electorate * self.numerator, self.denominator)
        needed = whole + 1 if self.strictly_more or remainder else whole
        return max(needed, 1)


MAJORITY_EACH_NUCLEUS = QuorumRule(Name.MAJORITY_EACH_NUCLEUS, 1, 2, True, True)
MAJORITY = QuorumRule(Name.MAJORITY, 1, 2, True, False)
TWO_THIRDS_EACH_NUCLEUS = QuorumRule(Name.TWO_THIRDS_EACH_NUCLEUS, 2, 3, False, True)
TWO_THIRDS = QuorumRule(Name.TWO_THIRDS, 2, 3, False, False)

RULES = {
    rule.key: rule
    for rule in (MAJORITY_EACH_NUCLEUS, MAJORITY, TWO_THIRDS_EACH_NUCLEUS, TWO_THIRDS)
}
DEFAULT = RULES[Secretariat._meta.get_field("quorum_rule").default]


def _nucleus_names(kinds: Iterable[str]) -> list[str]:
    return [str(Nucleus.Kind(kind).label).lower() for kind in kinds]


def _and_list(names: Iterable[str]) -> str:
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return _("%(first)s y %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _share(rule: QuorumRule) -> str:
    if (rule.numerator, rule.denominator, rule.strictly_more) == (1, 2, True):
        return _("más de la mitad de las personas integrantes")
    return _("al menos %(numerator)d de cada %(denominator)d personas integrantes") % {
        "numerator": rule.numerator,
        "denominator": rule.denominator,
    }


def rule_summary(rule: QuorumRule) -> str:
    """Return the rule in a few words: who must vote."""
    summary = _share(rule)
    if rule.each_required_nucleus:
        summary = _("%(share)s, con al menos un voto de cada núcleo (%(nuclei)s)") % {
            "share": summary,
            "nuclei": _and_list(_nucleus_names(Nucleus.REQUIRED_KINDS)),
        }
    return capfirst(summary)


def choices() -> list[tuple[str, str]]:
    """Return the rules as a form offers them: each in a few words, the default marked."""
    return [
        (
            rule.key,
            _("%(rule)s — regla predeterminada") % {"rule": rule_summary(rule)}
            if rule == DEFAULT
            else rule_summary(rule),
        )
        for rule in RULES.values()
    ]


def rule_of(secretariat) -> QuorumRule:
    """Return the quorum rule the STL applies to its decisions."""
    return RULES.get(secretariat.quorum_rule, DEFAULT)


def rule_text(rule: QuorumRule, *, reference: str = "") -> str:
    """Return the sentence that states the rule on a decision's page."""
    text = _(
        "Hay quórum cuando vota %(share)s activas del STL (las abstenciones cuentan como voto "
        "emitido)"
    ) % {"share": _share(rule)}
    if rule.each_required_nucleus:
        text += _(", con al menos un voto de cada uno de los núcleos %(nuclei)s") % {
            "nuclei": _and_list(_nucleus_names(Nucleus.REQUIRED_KINDS))
        }
    text += "."
    if reference:
        text += " " + _("Regla de las reglas de operación del STL: %(reference)s.") % {
            "reference": reference
        }
    elif rule == DEFAULT:
        text += " " + _("Es la regla predeterminada del portal.")
    else:
        text += " " + _("Es la regla que establecen las reglas de operación del STL.")
    return text


@dataclass(frozen=True)
class QuorumCount:
    """How a vote stands against the rule: enough votes, and the nuclei still without one."""

    rule: QuorumRule
    electorate: int
    votes: int
    needed: int
    missing_nuclei: tuple[str, ...]

    @property
    def met(self) -> bool:
        return self.votes >= self.needed and not self.missing_nuclei

    @property
    def text(self) -> str:
        """Return the count in a sentence: how many voted, how many are needed, what is missing."""
        text = ngettext(
            "Votó %(votes)d de %(electorate)d personas integrantes; se necesitan %(needed)d.",
            "Votaron %(votes)d de %(electorate)d personas integrantes; se necesitan %(needed)d.",
            self.votes,
        ) % {"votes": self.votes, "electorate": self.electorate, "needed": self.needed}
        if self.missing_nuclei:
            text += " " + _("Falta al menos un voto de: %(nuclei)s.") % {
                "nuclei": _and_list(self.missing_nuclei)
            }
        return text


def quorum_count(
    *, rule: QuorumRule, electorate: int, votes: int, nucleus_kinds_voting: Iterable[str]
) -> QuorumCount:
    """Apply ``rule`` to a vote: ``votes`` cast among ``electorate`` members, by these nuclei."""
    missing: tuple[str, ...] = ()
    if rule.each_required_nucleus:
        voting = set(nucleus_kinds_voting)
        missing = tuple(
            _nucleus_names(kind for kind in Nucleus.REQUIRED_KINDS if kind not in voting)
        )
    return QuorumCount(
        rule=rule,
        electorate=electorate,
        votes=votes,
        needed=rule.votes_needed(electorate),
        missing_nuclei=missing,
    )
