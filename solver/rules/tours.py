"""Tours as elements: how long a unit's contingent stays and how many times its nation sends it, in a
phased scenario (docs/domain.md, "A tour" and "Presence"). The home of every face of the tour rule.

A unit line's tours last at most its `tour_months` (in whole buckets, `models.phases.tour_buckets`),
and its tours' units add up over the plan to at most `count x rotations`. The tour length shapes
which tours exist at all (the arithmetic of `models.phases.tour`): a relaxable model also holds the
longer tours the unit could serve without it, behind this element (`TourFamily.ease`, read by the
builder through the registry's `EASINGS`); the rotations are a constraint on the plan
(`TourRule.constrain`). The element is the nation's offer of that unit in time, named by the unit's
id and its nation, like its availability. Its relief in place is part of it: given up, the unit fills its
line from its arrival (a relaxable model holds those tours too, `PhasedBuilder._tour_variables`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from forcepack.models import phases
from forcepack.models.patch import Operation
from forcepack.models.scenario import Requirement, Scenario, UnitOffer, offer_key
from forcepack.models.wording import plural
from forcepack.solver.checked_plan import CheckedPlan
from forcepack.solver.checking import CheckedDocument, Violation
from forcepack.solver.elements import Element
from forcepack.solver.rules.base import PLAN, Candidate, Family, ModelView, Rule, relax_in_offer


def element_of(unit: UnitOffer, nation: str) -> Element:
    """The scenario element a unit's tours are."""
    return Element("tour", unit.id, nation)


class TourRule(Rule):
    """A unit line's tours' units add up over the plan to at most `count x rotations` (its tour length
    is the tours' arithmetic: `models.phases.tour`)."""

    name = "tour"
    family = "tour"

    def constrain(self, view: ModelView) -> None:
        """Over the plan, each unit line's units over its tours at most `count x rotations`, behind the
        unit's tour element."""
        if view.scenario.phasing is None or view.timing != PLAN:
            return
        for nation in view.scenario.offer_by_nation:
            by_unit: dict[str, list[Candidate]] = defaultdict(list)
            for c in view.options_of_nation(nation):
                by_unit[c.key].append(c)
            for options in by_unit.values():
                unit = options[0].unit
                toured = [var for c in options for var in view.toured(c)]
                # Each tour brings at most `count` units: fewer tours than rotations cannot exceed it.
                if unit.rotations is not None and len(toured) > unit.rotations:
                    view.add(sum(toured) <= unit.count * unit.rotations, element_of(unit, nation))

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """A static package has no tours: tour lengths and rotations bind only a phased plan."""
        yield from ()

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """Over the plan, a unit line's tours' units are at most `count x rotations`. (That each tour
        leaves when its tour length says is the tours' arithmetic, checked with their span:
        `tour.span`.)"""
        toured: dict[tuple[str, str], int] = defaultdict(int)
        units: dict[tuple[str, str], UnitOffer] = {}
        for t in plan.tours:
            toured[(t.nation, t.unit.id)] += t.units
            units[(t.nation, t.unit.id)] = t.unit
        for (nation, unit_id), n in sorted(toured.items()):
            unit = units[(nation, unit_id)]
            if unit.rotations is not None and n > unit.count * unit.rotations:
                yield Violation(
                    "capacity.rotations",
                    f"unit `{unit_id}` ({nation}) serves {plural(n, 'unit-tour')}; it offers "
                    f"{plural(unit.count, 'unit')} x {plural(unit.rotations, 'rotation')}",
                    unit_id,
                )


def describe(scenario: Scenario, unit: UnitOffer, nation: str) -> str:
    """The unit's tours in words: their length (in buckets too), the relief each begins with, and the
    rotations its nation offers."""
    parts = []
    if unit.tour_months is not None:
        length = f"tours of {plural(unit.tour_months, 'month')}"
        weeks = phases.tour_buckets(scenario, unit)
        if scenario.phasing is not None and scenario.phasing.bucket == "week" and weeks is not None:
            length += f" ({plural(weeks, 'week')})"
        if unit.relief_days:
            length += f", the first {plural(unit.relief_days, 'day')} of each a relief in place"
        parts.append(f"serves {length}")
    else:
        stays = "stays as long as its line needs it"
        if unit.relief_days:
            stays += f", the first {plural(unit.relief_days, 'day')} of each stay a relief in place (not filling it)"
        parts.append(stays)
    if unit.rotations is not None:
        each = "of each of its " + plural(unit.count, "unit") if unit.count > 1 else "of it"
        parts.append(
            f"its nation offers {plural(unit.rotations, 'rotation')} {each} "
            f"({plural(unit.count * unit.rotations, 'tour')} in all)"
        )
    return f"unit `{unit.id}` ({nation}) " + ", and ".join(parts)


class TourFamily(Family):
    """A unit's tours as an element: when relaxed, it stays as long as its line needs it, for as many
    tours as the plan needs, filling its line from its arrival (no relief in place)."""

    type = "tour"
    default_relax_cost = 5

    def describe(self, scenario: Scenario, element: Element) -> str:
        nation = element.nation or ""
        return describe(scenario, scenario.unit_by_key[offer_key(nation, element.id)], nation)

    def relax(self, document: dict[str, Any], element: Element) -> None:
        """The unit's `tour_months`, `rotations` and `relief_days` are dropped (`ease`)."""

        def drop(unit: dict[str, Any]) -> None:
            unit.pop("tour_months", None)
            unit.pop("rotations", None)
            unit.pop("relief_days", None)

        relax_in_offer(document, element.nation, "units", element.id, drop)

    def patch(self, scenario: Scenario, element: Element) -> list[Operation] | None:
        """None: no operation changes one unit's tours (`replace_offer` would restate the nation's
        whole offer); the change is the nation's to make in its offer."""
        return None

    # -- easing (`base.Easing`) ------------------------------------------------------------

    def element(self, unit: UnitOffer, nation: str) -> Element:
        return element_of(unit, nation)

    def eases(self, scenario: Scenario, unit: UnitOffer) -> bool:
        """A tour length changes which tours exist, and a relief in place when they fill (rotations bound
        their number: `TourRule`)."""
        return unit.tour_months is not None or bool(unit.relief_days)

    def ease(self, unit: UnitOffer) -> UnitOffer:
        return unit.model_copy(update={"tour_months": None, "rotations": None, "relief_days": None})

    def keeps_out(self, scenario: Scenario, unit: UnitOffer, requirement: Requirement) -> bool:
        """Never: a unit's tours close no option beyond the tours they allow."""
        return False


RULE = TourRule()
FAMILY = TourFamily()
