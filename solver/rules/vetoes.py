"""Vetoes: a party's objection to nations, by scope. The home of every face of the veto rule.

Scope `units` keeps the nation's units out (its money and diplomacy still welcome); scope `all`
keeps out its participation altogether, money included. The objecting party need not take part.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from forcepack.models import phases
from forcepack.models.common import VetoScope
from forcepack.models.patch import DropVeto, LiftVeto, Operation, withdrawal_veto
from forcepack.models.scenario import Scenario, Veto
from forcepack.solver.checked_plan import CheckedPlan, in_each_bucket
from forcepack.solver.checking import CheckedDocument, Violation, fills, usd
from forcepack.solver.elements import Block, Element
from forcepack.solver.rules.base import Family, Rule


def element_of(veto: Veto, nation: str) -> Element:
    """The scenario element a veto is, as it bears on one nation."""
    return Element("veto", veto.id, nation)


def against(scenario: Scenario, nation: str) -> list[Veto]:
    """Every veto naming the nation."""
    return [v for v in scenario.vetoes if nation in v.against]


class VetoRule(Rule):
    """A veto keeps a nation's units out (both scopes) and its money out too (scope `all`)."""

    name = "veto"
    family = "veto"

    def bars(self, scenario: Scenario, nation: str) -> list[Block]:
        return [(element_of(v, nation),) for v in against(scenario, nation) if v.scope == VetoScope.ALL]

    def bars_units(self, scenario: Scenario, nation: str) -> list[Block]:
        return [(element_of(v, nation),) for v in against(scenario, nation) if v.scope == VetoScope.UNITS]

    placement = True

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """Veto: scope `units` or `all` keeps the nation's units out; scope `all` keeps its money out too."""
        yield from self._units(pkg)
        yield from self._money(pkg)

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """In every bucket a veto binds in, none of the nation's units is present; a veto of scope `all`
        keeps its money out altogether (money is not phased)."""
        yield from in_each_bucket(plan, self._units)
        yield from self._money(plan)

    @staticmethod
    def _units(pkg: CheckedDocument) -> Iterator[Violation]:
        for p in pkg.placements:
            for veto in pkg.vetoes_against(p.nation, [VetoScope.UNITS, VetoScope.ALL]):
                yield Violation(
                    "veto",
                    f"veto `{veto.id}` by {veto.by} against {p.nation} (scope {veto.scope}): {fills(p)}",
                    veto.id,
                )

    @staticmethod
    def _money(pkg: CheckedDocument) -> Iterator[Violation]:
        for nation in sorted(pkg.used_of):
            for veto in pkg.vetoes_against(nation, [VetoScope.ALL]):
                for pledge in pkg.drawn_pledges_of(nation):
                    yield Violation(
                        "veto",
                        f"veto `{veto.id}` by {veto.by} against {nation} (scope all): money is drawn from "
                        f"pledge `{pledge}` ({usd(pkg.drawn[(nation, pledge)])})",
                        veto.id,
                    )


def is_asked_withdrawal(veto: Veto) -> bool:
    """The veto by which a what-if plans a dated withdrawal (`models.patch.withdrawal_veto`): the
    nation's own, against itself alone, from the day asked."""
    return (
        veto.active_from is not None
        and list(veto.against) == [veto.by]
        and veto.id.startswith(withdrawal_veto(veto.by, veto.active_from))
    )


def describe(veto: Veto, nation: str) -> str:
    """A veto in a planner's words."""
    dates = ""
    if veto.active_from is not None or veto.active_until is not None:
        dates = f" ({veto.active_from or 'from the start'} .. {veto.active_until or 'the end'})"
    if veto.by == nation:  # a nation's own withdrawal (a dated what-if)
        return f"{nation} withdraws its units" + (f" from {veto.active_from}" if veto.active_from else "")
    if dates:
        return describe(veto.model_copy(update={"active_from": None, "active_until": None}), nation) + dates
    if veto.scope == VetoScope.ALL:
        return f"{veto.by} objects to any participation of {nation}"
    return f"{veto.by} objects to {nation} deploying units (its money is still welcome)"


class VetoFamily(Family):
    """Vetoes as elements (one per nation a veto names): lifted for that nation when relaxed."""

    type = "veto"
    default_relax_cost = 30

    def veto(self, scenario: Scenario, element: Element) -> Veto:
        return next(v for v in scenario.vetoes if v.id == element.id)

    def describe(self, scenario: Scenario, element: Element) -> str:
        veto = self.veto(scenario, element)
        if is_asked_withdrawal(veto):
            return f"the withdrawal asked (veto `{element.id}`): {describe(veto, element.nation or '')}"
        return f"veto `{element.id}`: {describe(veto, element.nation or '')}"

    def relax(self, document: dict[str, Any], element: Element) -> None:
        for v in document["vetoes"]:
            if v["id"] == element.id:
                v["against"] = [n for n in v["against"] if element.nation is not None and n != element.nation]
        document["vetoes"] = [v for v in document["vetoes"] if v["against"]]

    def patch(self, scenario: Scenario, element: Element) -> list[Operation] | None:
        veto = self.veto(scenario, element)
        if is_asked_withdrawal(veto):
            return None  # (the what-if's own question: `unpatchable`)
        if list(veto.against) == [element.nation]:
            return [DropVeto(op="drop_veto", id=veto.id)]
        return [LiftVeto(op="lift_veto", id=veto.id, nations=[element.nation or ""])]

    def unpatchable(self, scenario: Scenario, element: Element) -> str | None:
        veto = self.veto(scenario, element)
        if not is_asked_withdrawal(veto):
            return None
        return (
            f"{veto.by}'s withdrawal from {veto.active_from} is the what-if's own question: ask it without that "
            "withdrawal (or with a later day)"
        )

    def given_relax_cost(self, scenario: Scenario, element: Element) -> int | None:
        return self.veto(scenario, element).relax_cost

    def binds(self, scenario: Scenario, element: Element) -> list[int]:
        """The buckets some day of which lies in the veto's dates (`active_from`, `active_until`)."""
        veto = self.veto(scenario, element)
        return phases.in_force(scenario, veto.active_from, veto.active_until)


RULE = VetoRule()
FAMILY = VetoFamily()
