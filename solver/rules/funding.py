"""Funding: pledges pay the pooled (not self-funded) cost, as a flow from pledges to capabilities.
Every face of the funding rule, and its target `funding_coverage`.

A pledge pays at most its amount and only for its earmark; no capability receives more than the
pooled cost of its units; drawing a pledge makes its nation participate, so the donor's red lines
(not alongside, partners) and vetoes of scope `all` govern its money too. The money's variables
(a flow per pledge and capability, the amount drawn per pledge) belong to the package and are made
by the builder from `payers`; this rule holds what they may do.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from forcepack.models.limits import COVERAGE_MAX_DENOMINATOR
from forcepack.models.patch import Operation, SetTargets
from forcepack.models.scenario import FundingPledge, Scenario, offer_key
from forcepack.solver.checked_plan import CheckedPlan
from forcepack.solver.checking import FIGURE_TOLERANCE, CheckedDocument, Violation, names, pledge_named, usd
from forcepack.solver.elements import Block, Element
from forcepack.solver.rules.base import PLAN, Clash, Family, ModelView, Rule, applies
from forcepack.solver.rules.targets import ratio

ELEMENT = Element("funding", "funding_coverage")


@dataclass(frozen=True)
class Payer:
    """A pledge that may pay in the model: which capabilities, at most how much in all, and what
    (in a relaxable build) keeps its nation out."""

    key: str
    """`NATION/id`."""
    nation: str
    pledge: FundingPledge
    capabilities: tuple[str, ...]
    most: int
    """The most it can pay: its amount, or the pooled cost its earmark can reach, the smaller."""
    blocks: tuple[Block, ...]


def payers(
    scenario: Scenario, ceilings: Mapping[str, int], nation_blocks: Callable[[str], list[Block]], *, relaxable: bool
) -> list[Payer]:
    """The pledges that may pay for the pooled capabilities (`ceilings`: the most each can cost).

    A nation barred altogether (a veto of scope `all`, an unmet mandate condition) pays nothing;
    in a relaxable build its pledges stay, held at zero while what bars it holds."""
    out: list[Payer] = []
    for offer in scenario.offers:
        blocks = nation_blocks(offer.nation)
        if blocks and not relaxable:
            continue
        for pledge in offer.funding:
            capabilities = tuple(cap for cap in (pledge.earmark or sorted(ceilings)) if cap in ceilings)
            if pledge.amount_usd == 0 or not capabilities:
                continue
            most = min(pledge.amount_usd, sum(ceilings[cap] for cap in capabilities))
            key = offer_key(offer.nation, pledge.id)
            out.append(Payer(key, offer.nation, pledge, capabilities, most, tuple(blocks)))
    return out


class FundingRule(Rule):
    """Money flows only as the pledges allow, and covers `funding_coverage` of the pooled cost."""

    name = "funding"
    family = "funding"

    def constrain(self, view: ModelView) -> None:
        """Over the whole plan: each capability's pooled cost pays for no more than it costs, and
        `funding_coverage` of it is paid."""
        if not applies(view, PLAN):
            return
        for capability in view.pooled_capabilities():
            flows = view.flows_into(capability)
            if flows:
                view.add(sum(flows) <= view.pooled_cost(capability), None)
        self._coverage(view)

    @staticmethod
    def _coverage(view: ModelView) -> None:
        """Pledges cover at least `funding_coverage` of the pooled cost, when that target is set.

        `den x drawn >= num x pooled` would multiply the pooled cost by the coverage's denominator
        (up to 1e6) and could pass 2^63 on large offers. It is held exactly, without that product:
        with pooled = den x whole + rest (0 <= rest < den), coverage x pooled = num x whole + num x
        rest / den, so `drawn >= num x whole + part` with `den x part >= num x rest` (part <= num) is
        the same condition on whole dollars, and its linear relaxation is the same too."""
        coverage = view.scenario.targets.funding_coverage
        if coverage is None or coverage == 0:
            return
        num, den = ratio(coverage, round_up=True, max_denominator=COVERAGE_MAX_DENOMINATOR)
        capabilities = view.pooled_capabilities()
        most = sum(view.pooled_cost_ceiling(cap) for cap in capabilities)
        pooled = view.new_int(0, most, "pooled_cost")
        view.add(pooled == sum(view.pooled_cost(cap) for cap in capabilities), None)
        drawn = sum(view.drawn())
        if den == 1:
            view.add(drawn >= num * pooled, ELEMENT)
            return
        whole = view.new_int(0, most // den, "pooled_cost_whole")
        rest = view.new_int(0, den - 1, "pooled_cost_rest")
        view.add(pooled == den * whole + rest, None)
        part = view.new_int(0, num, "coverage_of_rest")
        view.add(den * part >= num * rest, None)
        view.add(drawn >= num * whole + part, ELEMENT)

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """Every flow names a pledge of the scenario and its nation and moves no negative amount; a
        pledge pays at most its amount and only for its earmark; no capability receives more than the
        pooled cost of its units; pledges cover `funding_coverage` of the pooled cost."""
        yield from _flows(pkg)
        yield from _pledge_amounts(pkg)
        yield from _earmarks(pkg)
        yield from _capability_costs(pkg)
        yield from _coverage(pkg)

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """Money is not phased: the same rules over the whole plan, the pooled cost being its tours'."""
        yield from self.verdict(plan)


def _flows(pkg: CheckedDocument) -> Iterator[Violation]:
    for flow in pkg.solution.funding.flows:
        found = pledge_named(pkg.scenario, flow.nation, flow.pledge)
        owner = found[0] if found is not None else None
        if owner is None:
            yield Violation(
                "funding.flow",
                f"flow of {usd(flow.amount_usd)} names pledge `{flow.pledge}`, which is not in this scenario",
            )
        elif owner != flow.nation:
            yield Violation(
                "funding.flow",
                f"flow from pledge `{flow.pledge}` names nation {flow.nation}; the pledge is {owner}'s",
                flow.pledge,
            )
        if flow.amount_usd < 0:
            yield Violation(
                "funding.flow",
                f"flow from pledge `{flow.pledge}` to `{flow.capability}` moves a negative amount ({flow.amount_usd})",
                flow.pledge if owner is not None else None,
            )


def _pledge_amounts(pkg: CheckedDocument) -> Iterator[Violation]:
    for (nation, pledge_id), drawn in pkg.drawn.items():
        found = pledge_named(pkg.scenario, nation, pledge_id)
        assert found is not None  # drawn counts only pledges of the scenario
        pledge = found[1]
        if drawn > pledge.amount_usd:
            yield Violation(
                "funding.pledge_amount",
                f"pledge `{pledge_id}` ({nation}) pays {usd(drawn)}; it pledges {usd(pledge.amount_usd)}",
                pledge_id,
            )


def _earmarks(pkg: CheckedDocument) -> Iterator[Violation]:
    for flow in pkg.solution.funding.flows:
        found = pledge_named(pkg.scenario, flow.nation, flow.pledge)
        if found is None:
            continue
        owner, pledge = found
        if flow.amount_usd <= 0 or pledge.earmark is None:
            continue
        if flow.capability not in pledge.earmark:
            yield Violation(
                "funding.earmark",
                f"pledge `{pledge.id}` ({owner}) pays {usd(flow.amount_usd)} "
                f"for `{flow.capability}`; it is earmarked for {names(pledge.earmark)}",
                pledge.id,
            )


def _capability_costs(pkg: CheckedDocument) -> Iterator[Violation]:
    for capability, received in sorted(pkg.flows_into.items()):
        pooled = pkg.pooled_by_capability[capability]
        if received > pooled:
            yield Violation(
                "funding.capability_cost",
                f"capability `{capability}` receives {usd(received)} from pledges; "
                f"the pooled cost of its units is {usd(pooled)}",
                capability,
            )


def _coverage(pkg: CheckedDocument) -> Iterator[Violation]:
    coverage = pkg.scenario.targets.funding_coverage
    if coverage is None:
        return
    needed = coverage * pkg.pooled_cost
    if pkg.used_total + FIGURE_TOLERANCE * max(1.0, needed) < needed:
        yield Violation(
            "funding.coverage",
            f"target funding_coverage {coverage:g}: pledges pay {usd(pkg.used_total)} of a pooled cost of "
            f"{usd(pkg.pooled_cost)} (at least {usd(math.ceil(needed - FIGURE_TOLERANCE))} needed)",
            "funding_coverage",
        )


def describe(scenario: Scenario) -> str:
    """The coverage target in a planner's words."""
    coverage = scenario.targets.funding_coverage or 0
    return f"pledges must cover {coverage:.0%} of the pooled cost of the units deployed"


class FundingFamily(Family):
    """The funding target as an element: dropped when relaxed."""

    type = "funding"
    default_relax_cost = 20

    def describe(self, scenario: Scenario, element: Element) -> str:
        return f"target `funding_coverage`: {describe(scenario)}"

    def relax(self, document: dict[str, Any], element: Element) -> None:
        document.setdefault("targets", {}).pop("funding_coverage", None)

    def patch(self, scenario: Scenario, element: Element) -> list[Operation] | None:
        return [SetTargets(op="set_targets", targets={"funding_coverage": None})]

    def clash(self, view: ModelView, element: Element) -> Clash | None:
        """The package closest to covering its pooled cost (least money short) with the rest of
        the conflict held: its pooled cost, what pledges can pay of it, and what is needed."""
        coverage = view.scenario.targets.funding_coverage or 0.0
        num, den = ratio(coverage, round_up=True, max_denominator=COVERAGE_MAX_DENOMINATOR)
        pooled = sum(view.pooled_cost(cap) for cap in view.pooled_capabilities())
        drawn = sum(view.drawn())

        def words(best: int, reads: Mapping[str, int]) -> str:
            needed = math.ceil(Fraction(num, den) * reads["pooled"])
            return (
                f"with the rest of the conflict held, the closest package costs {usd(reads['pooled'])} from the pool; "
                f"pledges can pay {usd(reads['drawn'])} of it, {usd(needed)} ({coverage:.0%}) needed"
            )

        return Clash(num * pooled - den * drawn, False, words, {"pooled": pooled, "drawn": drawn})


RULE = FundingRule()
FAMILY = FundingFamily()
