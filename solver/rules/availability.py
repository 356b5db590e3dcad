"""Availability: an offered unit's window and readiness against a requirement line's."""

from __future__ import annotations

from forcepack.models.scenario import Requirement, Scenario, UnitOffer
from forcepack.solver.elements import Element


def element_of(unit: UnitOffer, nation: str) -> Element:
    """The scenario element an offered unit's availability is."""
    return Element("availability", unit.id, nation)


def window_blocks(scenario: Scenario, unit: UnitOffer, requirement: Requirement) -> bool:
    """True when the unit is not available for the whole of the line's window."""
    start, end = scenario.window_of(requirement)
    available_from, available_until = scenario.availability_of(unit)
    return available_from > start or available_until < end


def readiness_blocks(unit: UnitOffer, requirement: Requirement) -> bool:
    """True when the line asks for a higher readiness than the unit has."""
    return requirement.min_readiness is not None and unit.readiness.rank < requirement.min_readiness.rank


def describe(scenario: Scenario, unit: UnitOffer, nation: str) -> str:
    """The unit's availability window and readiness, as the lines it could not fill see them."""
    start, end = scenario.availability_of(unit)
    return f"unit `{unit.id}` ({nation}) is available {start} .. {end} at readiness {unit.readiness.value}"
