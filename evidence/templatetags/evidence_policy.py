"""Template tags that ask the evidence policy, so a button shows only for an allowed action."""

from django import template

from evidence import policy

register = template.Library()


@register.simple_tag
def evidence_actions(evidence_access, evidence) -> dict[str, bool]:
    """Return what ``evidence_access`` allows on one file.

    ``{% evidence_actions access evidence as actions %}``, then ``actions.supersede``,
    ``actions.withdraw`` and ``actions.public_version``.
    """
    return policy.evidence_actions(evidence_access, evidence)
