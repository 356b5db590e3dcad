"""Mandate conditions as elements. A condition has no rule of its own: the `requires_mandate`
red lines that wait for it bar their nations while it does not hold (`red_lines.RequiresMandateRule`,
whose block names both the red line and the condition, so relaxing either opens it). Its home holds
its sentence and its relaxation."""

from __future__ import annotations

from typing import Any

from forcepack.models import phases
from forcepack.models.patch import Operation, SetMandate
from forcepack.models.scenario import ConditionPeriod, Scenario
from forcepack.solver.elements import Element
from forcepack.solver.rules.base import Family


class MandateFamily(Family):
    """A mandate condition that does not hold; relaxed, it is taken to hold."""

    type = "mandate"
    default_relax_cost = 50

    def describe(self, scenario: Scenario, element: Element) -> str:
        """`mandate condition `x`, which does not hold`; one that holds for part of a phased horizon is
        said with the days it does not (`..., which does not hold before 2026-05-01`). A noun with its
        clause, so it reads in a cause's sentence ("kept out by mandate condition `x`, which ...")."""
        text = f"mandate condition `{element.id}`, which does not hold"
        period = _period(scenario, element.id)
        if period is None:
            return text
        start, end = scenario.horizon.start, scenario.horizon.end
        outside = []
        if period.holds_from is not None and period.holds_from > start:
            outside.append(f"before {period.holds_from}")
        if period.holds_until is not None and period.holds_until < end:
            outside.append(f"after {period.holds_until}")
        return f"{text} {' or '.join(outside)}" if outside else text

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


def _period(scenario: Scenario, condition: str) -> ConditionPeriod | None:
    """The period a condition that holds holds in, under `phasing.conditions` (None: it holds
    throughout, or not at all)."""
    if scenario.phasing is None or not scenario.mandate.get(condition, False):
        return None
    return next((p for p in scenario.phasing.conditions if p.condition == condition), None)


FAMILY = MandateFamily()
