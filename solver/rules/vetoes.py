"""Vetoes: a party's objection to nations, by scope. The home of the veto rule's faces."""

from __future__ import annotations

from forcepack.models.common import VetoScope
from forcepack.models.scenario import Scenario, Veto
from forcepack.solver.elements import Element


def element_of(veto: Veto, nation: str) -> Element:
    """The scenario element a veto is, as it bears on one nation."""
    return Element("veto", veto.id, nation)


def vetoes_against(scenario: Scenario, nation: str) -> list[Veto]:
    """Every veto naming the nation."""
    return [v for v in scenario.vetoes if nation in v.against]


def bars_units(veto: Veto) -> bool:
    """Both scopes keep the nation's units out."""
    return veto.scope in (VetoScope.UNITS, VetoScope.ALL)


def bars_money(veto: Veto) -> bool:
    """Only scope `all` keeps the nation's money out too."""
    return veto.scope == VetoScope.ALL


def describe(veto: Veto, nation: str) -> str:
    """A veto in a planner's words."""
    if veto.scope == VetoScope.ALL:
        return f"{veto.by} objects to any participation of {nation}"
    return f"{veto.by} objects to {nation} deploying units (its money is still welcome)"
