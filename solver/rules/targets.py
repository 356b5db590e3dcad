"""Force-level targets, one function each; `funding_coverage` lives with the funding rule."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING

from forcepack.models.limits import SHARE_MAX_DENOMINATOR
from forcepack.models.scenario import Scenario
from forcepack.solver.elements import Element

if TYPE_CHECKING:
    from forcepack.solver.build import ModelBuilder


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


def max_personnel(b: ModelBuilder) -> None:
    """Total personnel at most the ceiling."""
    limit = b.scenario.targets.max_personnel
    if limit is not None:
        b.add(b.total_personnel() <= limit, Element("target", "max_personnel"))


def min_nations(b: ModelBuilder) -> None:
    """At least this many nations contribute units."""
    minimum = b.scenario.targets.min_nations
    if minimum:
        b.add(sum(b.contributes(n.code) for n in b.scenario.nations) >= minimum, Element("target", "min_nations"))


def group_minimums(b: ModelBuilder) -> None:
    """At least this many members of each group contribute units."""
    for group, minimum in b.scenario.targets.group_minimums.items():
        if minimum:
            members = b.scenario.group_members.get(group, [])
            b.add(sum(b.contributes(code) for code in members) >= minimum, Element("target", f"group_minimums.{group}"))


def max_nation_share(b: ModelBuilder) -> None:
    """No nation holds more than this share of total personnel."""
    share = b.scenario.targets.max_nation_share
    if share is None or share >= 1:
        return
    num, den = ratio(share, round_up=False, max_denominator=SHARE_MAX_DENOMINATOR)
    total = b.total_personnel()
    for nation in b.scenario.nation_by_code:
        if b.pairs_of_nation(nation):
            b.add(den * b.personnel(nation) <= num * total, Element("target", "max_nation_share"))


TARGET_RULES: tuple[Callable[[ModelBuilder], None], ...] = (
    max_personnel,
    min_nations,
    group_minimums,
    max_nation_share,
)


def constrain(b: ModelBuilder) -> None:
    """Every target set in the scenario."""
    for rule in TARGET_RULES:
        rule(b)


def describe(key: str, scenario: Scenario) -> str:
    """A target in a planner's words, by its key."""
    t = scenario.targets
    if key == "max_personnel":
        return f"the force stays within {t.max_personnel:,} personnel"
    if key == "min_nations":
        return f"at least {t.min_nations} nations contribute units"
    if key == "max_nation_share":
        return f"no nation holds more than {t.max_nation_share:.0%} of the force's personnel"
    if key.startswith("group_minimums."):
        group = key.split(".", 1)[1]
        return f"at least {t.group_minimums.get(group)} nations of group {group} contribute units"
    if key == "funding_coverage":
        return f"pledges cover at least {t.funding_coverage:.0%} of the pooled cost"
    raise KeyError(key)
