"""The registry of every rule and element family: one home (module) per family, each holding all
of its faces (eligibility, constraint, verdict, sentence, relaxation; `rules/base.py`).

The homes import only the standard library, `forcepack.models` and the checker's view
(`forcepack.solver.checking`): never OR-Tools, never the builder.
"""

from __future__ import annotations

from forcepack.models.solution import ConflictType
from forcepack.solver.rules import (
    availability,
    funding,
    mandate,
    nodes,
    red_lines,
    requirements,
    targets,
    tours,
    vetoes,
)
from forcepack.solver.rules.base import Easing, Family, Rule

FAMILIES: dict[ConflictType, Family] = {
    family.type: family
    for family in (
        requirements.FAMILY,
        red_lines.FAMILY,
        vetoes.FAMILY,
        targets.FAMILY,
        mandate.FAMILY,
        funding.FAMILY,
        availability.FAMILY,
        nodes.FAMILY,
        tours.FAMILY,
    )
}
"""Every element family, by its conflict type."""

ELIGIBILITY: tuple[Rule, ...] = (vetoes.RULE, availability.RULE, *red_lines.RED_LINE_RULES.values())
"""The rules that close options or bar nations before the model is built."""

BUILD_ORDER: tuple[Rule, ...] = (
    tours.RULE,
    nodes.RULE,
    requirements.RULE,
    *red_lines.RED_LINE_RULES.values(),
    *targets.TARGET_RULES.values(),
    funding.RULE,
)
"""The rules that constrain the model, in the order the builder adds them (after the package's
variables, before the objective's criteria). The tours and the nodes of entry bind only a phased plan,
and come first there, beside the tours' presence and the lift they bound."""

EASINGS: tuple[Easing, ...] = (availability.FAMILY, tours.FAMILY)
"""The families whose elements, given up, change the tours a unit can serve (its ready day and
window, its tour length): a relaxable phased model holds the tours each makes possible, behind it."""

_RED = red_lines.RED_LINE_RULES
VERDICT_ORDER: tuple[Rule, ...] = (
    availability.RULE,
    tours.RULE,
    _RED["max_engagement"],
    _RED["allowed_control"],
    _RED["sectors"],
    vetoes.RULE,
    _RED["requires_mandate"],
    _RED["not_alongside"],
    _RED["requires_partner"],
    _RED["max_personnel"],
    _RED["min_contingent"],
    _RED["max_sectors"],
    requirements.RULE,
    *targets.TARGET_RULES.values(),
    funding.RULE,
    nodes.RULE,
)
"""Every rule, in the order the checker reports their violations."""


def family(kind: ConflictType) -> Family:
    """The home of an element family."""
    return FAMILIES[kind]


__all__ = ["BUILD_ORDER", "EASINGS", "ELIGIBILITY", "FAMILIES", "VERDICT_ORDER", "Easing", "Family", "Rule", "family"]
