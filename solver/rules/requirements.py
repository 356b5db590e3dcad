"""Requirement lines: essential coverage (hard) and desirable shortfall (soft). Home of both faces."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING

from models.common import Measure, Priority
from models.scenario import Requirement, Scenario
from solver.elements import Element

if TYPE_CHECKING:
    from solver.build import ModelBuilder

SHORTFALL_MAX_SCALE = 10**9
"""Above this common denominator the shortfall weights are rounded (each within 1e-9 of the line's
weight per unit of quantity)."""


def element_of(requirement: Requirement) -> Element:
    return Element("requirement", requirement.id)


def constrain(b: ModelBuilder) -> None:
    """provided >= quantity on essential lines; shortfall >= quantity - provided on desirable ones."""
    for r in b.scenario.requirements:
        per_unit = (lambda c: c.unit.personnel) if r.measure == Measure.PERSONNEL else (lambda c: 1)
        pairs = b.pairs_of_requirement(r.id)
        if r.priority == Priority.ESSENTIAL:
            b.add(sum(per_unit(c) * b.units(c) for c in pairs) >= r.quantity, element_of(r))
        else:
            short = b.model.new_int_var(0, r.quantity, f"shortfall[{r.id}]")
            b.at_least(short, r.quantity, [(-per_unit(c), b.units(c)) for c in pairs])
            b.vars.shortfall[r.id] = short


def shortfall_weights(scenario: Scenario) -> tuple[dict[str, int], int]:
    """Integer weights per desirable line and the scale they share.

    The shortfall criterion is sum(weight x short / quantity); scaled by the least common
    denominator of weight/quantity it is an exact integer sum, unless that denominator exceeds
    SHORTFALL_MAX_SCALE, where the weights are rounded instead.
    """
    exact = {
        r.id: Fraction(str(r.weight)) / r.quantity for r in scenario.requirements if r.priority == Priority.DESIRABLE
    }
    scale = 1
    for value in exact.values():
        scale = math.lcm(scale, value.denominator)
        if scale > SHORTFALL_MAX_SCALE:
            scale = SHORTFALL_MAX_SCALE
            break
    # Rounded weights keep their order and never reach zero.
    return {rid: max(1, round(value * scale)) for rid, value in exact.items()}, scale


def describe(requirement: Requirement, scenario: Scenario) -> str:
    """The line in a planner's words."""
    sector = scenario.sector_by_id[requirement.sector]
    measure = (
        "personnel" if requirement.measure == Measure.PERSONNEL else ("unit" if requirement.quantity == 1 else "units")
    )
    return (
        f"{requirement.priority.value} line `{requirement.id}`: {requirement.quantity:,} {measure} of "
        f"{requirement.capability} in {sector.name or sector.id} ({sector.control.value}), "
        f"engagement {int(requirement.engagement)}"
    )
