"""Requirement lines: essential coverage (hard) and desirable shortfall (soft). Home of both faces."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING

from forcepack.models.common import Measure, Priority
from forcepack.models.scenario import Requirement, Scenario
from forcepack.solver.elements import Element

if TYPE_CHECKING:
    from forcepack.solver.build import ModelBuilder

SHORTFALL_LIMIT = 2**53
"""Largest value the shortfall may take in its exact integer scale for the stage to search it as one
exact integer sum (the same limit as a merged objective's, `solver.criteria.EXACT_LIMIT`)."""
ROUNDED_SCALE = 10**9
"""Past SHORTFALL_LIMIT, the scale of the rounded weights the stage searches with (its answer is
then proven, or improved, with exact constraints: `solver.solve`)."""


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


def exact_shortfall_weights(scenario: Scenario) -> tuple[dict[str, int], int]:
    """Integer weights per desirable line and the scale they share, exact however large.

    The shortfall criterion is sum(weight x short / quantity), each weight the decimal written;
    scaled by the least common denominator of weight/quantity it is an exact integer sum.
    """
    exact = {
        r.id: Fraction(str(r.weight)) / r.quantity for r in scenario.requirements if r.priority == Priority.DESIRABLE
    }
    scale = 1
    for value in exact.values():
        scale = math.lcm(scale, value.denominator)
    return {rid: int(value * scale) for rid, value in exact.items()}, scale


def shortfall_is_exact(scenario: Scenario) -> bool:
    """Whether the shortfall's exact integer sum, at its largest (every desirable line wholly
    short), stays within SHORTFALL_LIMIT."""
    weights, _ = exact_shortfall_weights(scenario)
    largest = sum(weights[r.id] * r.quantity for r in scenario.requirements if r.id in weights)
    return largest <= SHORTFALL_LIMIT


def shortfall_weights(scenario: Scenario) -> tuple[dict[str, int], int]:
    """The integer weights per desirable line the shortfall stage searches with, and their scale:
    the exact ones (`exact_shortfall_weights`) when `shortfall_is_exact`, otherwise each weight per
    unit of quantity rounded at ROUNDED_SCALE (never to zero, so every line still counts)."""
    weights, scale = exact_shortfall_weights(scenario)
    if shortfall_is_exact(scenario):
        return weights, scale
    return {rid: max(1, round(Fraction(w, scale) * ROUNDED_SCALE)) for rid, w in weights.items()}, ROUNDED_SCALE


def rounding_excess(scenario: Scenario) -> Fraction:
    """The most the rounded weights' sum (`shortfall_weights`, ROUNDED_SCALE) may exceed
    ROUNDED_SCALE x the exact shortfall of any package: each line's rounding up times its quantity."""
    exact, scale = exact_shortfall_weights(scenario)
    rounded, rounded_scale = shortfall_weights(scenario)
    quantity = {r.id: r.quantity for r in scenario.requirements}
    return sum(
        (max(Fraction(0), rounded[rid] - Fraction(exact[rid] * rounded_scale, scale)) * quantity[rid] for rid in exact),
        Fraction(0),
    )


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
