"""Mandate conditions as elements. A condition has no rule of its own: the `requires_mandate`
red lines that wait for it bar their nations while it does not hold (`red_lines.RequiresMandateRule`,
whose block names both the red line and the condition, so relaxing either opens it). Its home holds
its sentence and its relaxation."""

from __future__ import annotations

from typing import Any

from forcepack.models import phases
from forcepack.models.patch import Operation, SetMandate
from forcepack.models.scenario import Scenario
from forcepack.solver.elements import Element
from forcepack.solver.rules.base import Family


class MandateFamily(Family):
    """A mandate condition that does not hold; relaxed, it is taken to hold."""

    type = "mandate"
    default_relax_cost = 50

    def describe(self, scenario: Scenario, element: Element) -> str:
        return f"mandate condition `{element.id}` does not hold"

    def relax(self, document: dict[str, Any], element: Element) -> None:
        document["mandate"][element.id] = True
        phasing = document.get("phasing")
        if phasing:
            phasing["conditions"] = [c for c in phasing.get("conditions", []) if c["condition"] != element.id]

    def binds(self, scenario: Scenario, element: Element) -> list[int]:
        """A condition, as what bars the nations waiting for it, binds in the buckets it does not
        hold in (`models.phases.condition_buckets`)."""
        holds = set(phases.condition_buckets(scenario, element.id))
        return [b.index for b in phases.buckets(scenario) if b.index not in holds]

    def patch(self, scenario: Scenario, element: Element) -> list[Operation] | None:
        return [SetMandate(op="set_mandate", conditions={element.id: True}, declare=element.id not in scenario.mandate)]


FAMILY = MandateFamily()
