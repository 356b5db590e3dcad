"""Force-level targets, one rule each, each the home of all its faces; `funding_coverage` lives
with the funding rule (`rules/funding.py`)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

from forcepack.models.limits import SHARE_MAX_DENOMINATOR
from forcepack.models.patch import Operation, SetTargets
from forcepack.models.scenario import Scenario
from forcepack.models.wording import agrees, plural
from forcepack.solver.checked_plan import CheckedPlan, in_each_bucket
from forcepack.solver.checking import SHARE_TOLERANCE, CheckedDocument, Violation
from forcepack.solver.elements import Element
from forcepack.solver.rules.base import BUCKET, PLAN, Clash, Family, ModelView, Rule, applies


def ratio(value: float, *, round_up: bool, max_denominator: int) -> tuple[int, int]:
    """A target fraction as integers (numerator, denominator): the exact decimal as written
    (0.6 is 3/5), or, past `max_denominator`, rounded in the direction that never makes the
    target laxer (up for a floor such as funding coverage, down for a ceiling such as a share).
    The denominator multiplies personnel or dollars in the model, so it is kept to what int64 holds."""
    exact = Fraction(str(value))
    if exact.denominator <= max_denominator:
        return exact.numerator, exact.denominator
    scaled = exact * max_denominator
    numerator = math.ceil(scaled) if round_up else math.floor(scaled)
    return numerator, max_denominator


class TargetRule(Rule):
    """A force-level target; its elements are named by their key (`group_minimums.<group>` per group)."""

    family = "target"

    def describe_key(self, key: str, scenario: Scenario) -> str:
        raise NotImplementedError

    def clash_key(self, key: str, view: ModelView) -> Clash | None:
        """The numbers the target clashes on in a conflict (`Clash`)."""
        return None


class MaxPersonnelTarget(TargetRule):
    name = "max_personnel"

    def constrain(self, view: ModelView) -> None:
        """Total personnel at most the ceiling (in every bucket of a phased plan)."""
        limit = view.scenario.targets.max_personnel
        if limit is not None and applies(view, BUCKET):
            view.add(view.total_personnel() <= limit, Element("target", "max_personnel"))

    def describe_key(self, key: str, scenario: Scenario) -> str:
        return f"the force stays within {scenario.targets.max_personnel:,} personnel"

    def clash_key(self, key: str, view: ModelView) -> Clash | None:
        limit = view.scenario.targets.max_personnel or 0

        def words(best: int, reads: Mapping[str, int]) -> str:
            return f"the rest of the conflict needs at least {best:,} personnel; the ceiling is {limit:,}"

        return Clash(view.total_personnel(), False, words)

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """Target `max_personnel`: the force's total personnel stays within the ceiling."""
        limit = pkg.scenario.targets.max_personnel
        if limit is not None and pkg.total_personnel > limit:
            yield Violation(
                "target.max_personnel",
                f"target max_personnel {limit}: the package deploys {pkg.total_personnel} personnel",
                "max_personnel",
            )

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """In every bucket, the personnel present stays within the ceiling."""
        yield from in_each_bucket(plan, self.verdict)


class MinNationsTarget(TargetRule):
    name = "min_nations"

    def constrain(self, view: ModelView) -> None:
        """At least this many nations contribute units."""
        minimum = view.scenario.targets.min_nations
        if minimum and applies(view, PLAN):
            contributing = sum(view.contributes(n.code) for n in view.scenario.nations)
            view.add(contributing >= minimum, Element("target", "min_nations"))

    def describe_key(self, key: str, scenario: Scenario) -> str:
        least = scenario.targets.min_nations or 0
        return f"at least {plural(least, 'nation')} {agrees(least, 'contributes', 'contribute')} units"

    def clash_key(self, key: str, view: ModelView) -> Clash | None:
        least = view.scenario.targets.min_nations or 0

        def words(best: int, reads: Mapping[str, int]) -> str:
            return (
                f"{plural(least, 'nation')} must contribute units; the rest of the conflict lets at most {best} do so"
            )

        return Clash(sum(view.contributes(n.code) for n in view.scenario.nations), True, words)

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """Target `min_nations`: at least this many nations contribute units."""
        least = pkg.scenario.targets.min_nations
        if least is not None and len(pkg.contributing) < least:
            yield Violation(
                "target.min_nations",
                f"target min_nations {least}: {plural(len(pkg.contributing), 'nation')} "
                f"{agrees(len(pkg.contributing), 'contributes', 'contribute')} units"
                + (f" ({', '.join(sorted(pkg.contributing))})" if pkg.contributing else ""),
                "min_nations",
            )

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """Over the whole plan, at least this many nations have a tour."""
        yield from self.verdict(plan)


class GroupMinimumsTarget(TargetRule):
    name = "group_minimums"

    def constrain(self, view: ModelView) -> None:
        """At least this many members of each group contribute units."""
        for group, minimum in view.scenario.targets.group_minimums.items():
            if minimum and applies(view, PLAN):
                members = view.scenario.group_members.get(group, [])
                contributing = sum(view.contributes(code) for code in members)
                view.add(contributing >= minimum, Element("target", f"group_minimums.{group}"))

    def describe_key(self, key: str, scenario: Scenario) -> str:
        group = key.split(".", 1)[1]
        least = scenario.targets.group_minimums.get(group, 0)
        return f"at least {plural(least, 'nation')} of group {group} {agrees(least, 'contributes', 'contribute')} units"

    def clash_key(self, key: str, view: ModelView) -> Clash | None:
        group = key.split(".", 1)[1]
        least = view.scenario.targets.group_minimums.get(group, 0)
        members = view.scenario.group_members.get(group, [])

        def words(best: int, reads: Mapping[str, int]) -> str:
            return (
                f"{plural(least, 'member')} of group {group} must contribute units; of its "
                f"{plural(len(members), 'member')} the rest of the conflict lets at most {best} do so"
            )

        return Clash(sum(view.contributes(code) for code in members), True, words)

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """Target `group_minimums`: per group, at least this many member nations contribute units."""
        for group, least in pkg.scenario.targets.group_minimums.items():
            members = sorted(n for n in pkg.scenario.group_members.get(group, []) if n in pkg.contributing)
            if len(members) < least:
                yield Violation(
                    "target.group_minimums",
                    f"target group_minimums.{group} {least}: {plural(len(members), 'member')} of `{group}` "
                    f"{agrees(len(members), 'contributes', 'contribute')} units"
                    + (f" ({', '.join(members)})" if members else ""),
                    f"group_minimums.{group}",
                )

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """Over the whole plan, per group, at least this many member nations have a tour."""
        yield from self.verdict(plan)


class MaxNationShareTarget(TargetRule):
    name = "max_nation_share"

    def constrain(self, view: ModelView) -> None:
        """No nation holds more than this share of total personnel."""
        share = view.scenario.targets.max_nation_share
        if share is None or share >= 1 or not applies(view, PLAN):  # (a phased plan: of its personnel-buckets)
            return
        num, den = ratio(share, round_up=False, max_denominator=SHARE_MAX_DENOMINATOR)
        total = view.total_personnel()
        for nation in view.scenario.nation_by_code:
            if view.options_of_nation(nation):
                view.add(den * view.personnel(nation) <= num * total, Element("target", "max_nation_share"))

    def describe_key(self, key: str, scenario: Scenario) -> str:
        return f"no nation holds more than {scenario.targets.max_nation_share:.0%} of the force's personnel"

    def clash_key(self, key: str, view: ModelView) -> Clash | None:
        """The package closest to the ceiling (least personnel over it) with the rest of the
        conflict held: its largest contingent against its total."""
        share = view.scenario.targets.max_nation_share or 1.0
        num, den = ratio(share, round_up=False, max_denominator=SHARE_MAX_DENOMINATOR)
        total = view.total_personnel()
        nations = [n for n in view.scenario.nation_by_code if view.options_of_nation(n)]
        most = sum(c.unit.personnel * c.unit.count for n in nations for c in view.options_of_nation(n))
        largest = view.new_int(0, most, "largest_contingent")
        for nation in nations:
            view.add(largest >= view.personnel(nation), None)

        def words(best: int, reads: Mapping[str, int]) -> str:
            biggest, whole = reads["largest"], reads["total"]
            part = f" ({biggest / whole:.0%})" if whole else ""
            return (
                f"no nation may hold more than {share:.0%}; with the rest of the conflict held, the closest package "
                f"puts {biggest:,} of {whole:,} personnel{part} in one nation"
            )

        return Clash(den * largest - num * total, False, words, {"largest": largest, "total": total})

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """Target `max_nation_share`: no nation holds more than this share of the force's personnel."""
        share = pkg.scenario.targets.max_nation_share
        total = pkg.total_personnel
        if share is None or total == 0:
            return
        for nation in sorted(pkg.personnel_of):
            if pkg.personnel_of[nation] - share * total > SHARE_TOLERANCE * total:
                yield Violation(
                    "target.max_nation_share",
                    f"target max_nation_share {share:g}: {nation} holds {pkg.personnel_of[nation]} of {total} "
                    f"personnel ({pkg.share_of(nation):.1%})",
                    "max_nation_share",
                )

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """Over the plan, no nation holds more than this share of its personnel-buckets (each tour's
        personnel times the buckets it is present)."""
        share = plan.scenario.targets.max_nation_share
        people = plan.personnel_buckets()
        total = sum(people.values())
        if share is None or total == 0:
            return
        for nation in sorted(people):
            if people[nation] - share * total > SHARE_TOLERANCE * total:
                yield Violation(
                    "target.max_nation_share",
                    f"target max_nation_share {share:g}: {nation} holds {people[nation]:,} of the plan's {total:,} "
                    f"personnel-buckets ({people[nation] / total:.1%})",
                    "max_nation_share",
                )


TARGET_RULES: dict[str, TargetRule] = {
    rule.name: rule
    for rule in (MaxPersonnelTarget(), MinNationsTarget(), GroupMinimumsTarget(), MaxNationShareTarget())
}
"""Every force-level target but `funding_coverage` (the funding rule's), by its key."""


def rule_of_key(key: str) -> TargetRule:
    """The rule of a target element's key (`group_minimums.oic` is the group minimums')."""
    return TARGET_RULES[key.split(".", 1)[0]]


def describe(key: str, scenario: Scenario) -> str:
    """A target in a planner's words, by its key."""
    return rule_of_key(key).describe_key(key, scenario)


class TargetFamily(Family):
    """Targets as elements, by key: dropped when relaxed (`group_minimums.<g>` drops that group's)."""

    type = "target"
    default_relax_cost = 20

    def describe(self, scenario: Scenario, element: Element) -> str:
        return f"target `{element.id}`: {describe(element.id, scenario)}"

    def patch(self, scenario: Scenario, element: Element) -> list[Operation] | None:
        if element.id.startswith("group_minimums."):
            group = element.id.split(".", 1)[1]
            rest = {g: n for g, n in scenario.targets.group_minimums.items() if g != group}
            return [SetTargets(op="set_targets", targets={"group_minimums": rest})]
        return [SetTargets(op="set_targets", targets={element.id: None})]

    def clash(self, view: ModelView, element: Element) -> Clash | None:
        return rule_of_key(element.id).clash_key(element.id, view)

    def relax(self, document: dict[str, Any], element: Element) -> None:
        targets = document.setdefault("targets", {})
        if element.id.startswith("group_minimums."):
            targets.get("group_minimums", {}).pop(element.id.split(".", 1)[1], None)
        else:
            targets.pop(element.id, None)


FAMILY = TargetFamily()
