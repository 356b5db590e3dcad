"""Eligibility: which offered units could fill which requirement lines, and what closes the others.

Runs before the model is built, so the model holds only pairs that can happen. Every closed pair
keeps the elements that closed it, so an explanation can still name the red line, veto, window or
readiness rule that removed an option.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from forcepack.models.scenario import Requirement, Scenario, UnitOffer, offer_key
from forcepack.solver.elements import Block
from forcepack.solver.rules import availability, vetoes
from forcepack.solver.rules.red_lines import element_of, rule_for


@dataclass(frozen=True)
class Candidate:
    """An offered unit line and a requirement line of the same capability."""

    unit: UnitOffer
    nation: str
    requirement: Requirement
    blocks: tuple[Block, ...]
    """Why the pair is closed; empty when it is open. Relaxing one element of every block opens it."""

    @property
    def eligible(self) -> bool:
        return not self.blocks

    @property
    def key(self) -> str:
        """The unit line's key, `NATION/id` (`models.scenario.offer_key`)."""
        return offer_key(self.nation, self.unit.id)


def participation_blocks(scenario: Scenario, nation: str) -> list[Block]:
    """What bars the nation altogether, units and money: vetoes of scope `all`, unmet mandate conditions."""
    blocks: list[Block] = [
        (vetoes.element_of(v, nation),) for v in vetoes.vetoes_against(scenario, nation) if vetoes.bars_money(v)
    ]
    for line in scenario.red_lines_of(nation):
        blocks.extend(rule_for(line).bars(line, scenario, nation))
    return blocks


def unit_blocks(scenario: Scenario, nation: str) -> list[Block]:
    """What bars every unit of the nation: participation blocks and vetoes of scope `units`."""
    blocks = participation_blocks(scenario, nation)
    blocks.extend(
        (vetoes.element_of(v, nation),)
        for v in vetoes.vetoes_against(scenario, nation)
        if vetoes.bars_units(v) and not vetoes.bars_money(v)
    )
    return blocks


def candidates(scenario: Scenario, *, stop: Callable[[], None] | None = None) -> list[Candidate]:
    """Every capability-matching (unit, requirement) pair, open or closed, in scenario order.

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
        for unit in offer.units:
            for requirement in by_capability.get(unit.capability, []):
                blocks = list(nation_blocks)
                if availability.window_blocks(scenario, unit, requirement) or availability.readiness_blocks(
                    unit, requirement
                ):
                    blocks.append((availability.element_of(unit, nation),))
                for line in offer.red_lines:
                    if rule_for(line).blocks(line, scenario, requirement):
                        blocks.append((element_of(line, nation),))
                out.append(Candidate(unit, nation, requirement, tuple(blocks)))
    return out


def eligible(scenario: Scenario) -> list[Candidate]:
    """The open pairs only."""
    return [c for c in candidates(scenario) if c.eligible]
