"""Eligibility: which offered units could fill which requirement lines, and what closes the others.

Runs before the model is built, so the model holds only pairs that can happen. Every closed pair
keeps the elements that closed it, so an explanation can still name the red line, veto, window or
readiness rule that removed an option.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from forcepack.models.scenario import Requirement, Scenario
from forcepack.solver.elements import Block
from forcepack.solver.rules import ELIGIBILITY
from forcepack.solver.rules.base import Candidate

__all__ = ["Candidate", "candidates", "eligible", "participation_blocks", "unit_blocks"]


def participation_blocks(scenario: Scenario, nation: str) -> list[Block]:
    """What bars the nation altogether, units and money (a veto of scope `all`, an unmet mandate
    condition): every eligibility rule's `bars`."""
    return [block for rule in ELIGIBILITY for block in rule.bars(scenario, nation)]


def unit_blocks(scenario: Scenario, nation: str) -> list[Block]:
    """What bars every unit of the nation: participation blocks and each rule's `bars_units` (a
    veto of scope `units`)."""
    blocks = participation_blocks(scenario, nation)
    blocks.extend(block for rule in ELIGIBILITY for block in rule.bars_units(scenario, nation))
    return blocks


def candidates(scenario: Scenario, *, stop: Callable[[], None] | None = None) -> list[Candidate]:
    """Every capability-matching (unit, requirement) pair, open or closed, in scenario order, each
    with the blocks every eligibility rule (`forcepack.solver.rules.ELIGIBILITY`) finds on it.

    `stop` is called before each offer (a build's cancel check: it raises to stop)."""
    by_capability: dict[str, list[Requirement]] = defaultdict(list)
    for requirement in scenario.requirements:
        by_capability[requirement.capability].append(requirement)
    out: list[Candidate] = []
    for offer in scenario.offers:
        if stop is not None:
            stop()
        nation = offer.nation
        nation_blocks = unit_blocks(scenario, nation)
        # Only the rules that can close an option of this nation are asked about each of them.
        filters = [f for rule in ELIGIBILITY if (f := rule.blocks(scenario, nation)) is not None]
        for unit in offer.units:
            for requirement in by_capability.get(unit.capability, []):
                blocks = list(nation_blocks)
                for closed in filters:
                    blocks.extend(closed(unit, requirement))
                out.append(Candidate(unit, nation, requirement, tuple(blocks)))
    return out


def eligible(scenario: Scenario) -> list[Candidate]:
    """The open pairs only."""
    return [c for c in candidates(scenario) if c.eligible]
