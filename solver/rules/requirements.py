"""Requirement lines: essential coverage (hard) and desirable shortfall (soft), every face of the
rule; and the integer weights the `shortfall` criterion is searched with."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

from forcepack.models import phases
from forcepack.models.common import Measure, Priority
from forcepack.models.patch import Operation, SetPriority
from forcepack.models.scenario import Requirement, Scenario
from forcepack.models.solution import ElementRef, NationSupply, Supply
from forcepack.models.wording import plural
from forcepack.solver.checked_plan import CheckedPlan
from forcepack.solver.checking import CheckedDocument, Violation
from forcepack.solver.elements import Block, Element
from forcepack.solver.rules.base import BUCKET, Candidate, Family, ModelView, Rule, applies

SHORTFALL_LIMIT = 2**53
"""Largest value the shortfall may take in its exact integer scale for the stage to search it as one
exact integer sum (the same limit as a merged objective's, `solver.criteria.EXACT_LIMIT`)."""
ROUNDED_SCALE = 10**9
"""Past SHORTFALL_LIMIT, the scale of the rounded weights the stage searches with (its answer is
then proven, or improved, with exact constraints: `solver.solve`)."""


def element_of(requirement: Requirement) -> Element:
    """The scenario element a requirement line is (its essential coverage)."""
    return Element("requirement", requirement.id)


class RequirementRule(Rule):
    """Essential lines are covered (provided >= quantity, in their measure); desirable lines may
    fall short, at a weighted penalty (the `shortfall` criterion)."""

    name = "requirement"
    family = "requirement"

    def constrain(self, view: ModelView) -> None:
        """In every bucket a line is needed in (once, in a static model): an essential line filled
        in full, a desirable line's shortfall counted."""
        if not applies(view, BUCKET):
            return
        for r in view.scenario.requirements:
            required = view.required(r)
            if required is None:
                continue
            if r.priority == Priority.ESSENTIAL:
                view.add(view.provided(r) >= required, element_of(r))
            else:
                view.shortfall(r)  # held at least at quantity - provided by the model itself

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """Every essential requirement line is covered: provided >= quantity, in its measure."""
        for r in pkg.scenario.requirements:
            if r.priority == Priority.ESSENTIAL and pkg.provided[r.id] < r.quantity:
                yield Violation(
                    "coverage.essential",
                    f"essential line `{r.id}` ({r.capability} in `{r.sector}`) needs {_amount(r.quantity, r)}; "
                    f"the package provides {pkg.provided[r.id]:,}",
                    r.id,
                )

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """Every essential line is filled in full in every bucket it is needed in: the units filling it
        there (past their relief) provide at least what it asks for there, in its measure."""
        for r in plan.scenario.requirements:
            if r.priority != Priority.ESSENTIAL:
                continue
            for index, required in plan.needs(r).items():
                provided = plan.snapshots[index].provided[r.id]
                if provided < required:
                    yield Violation(
                        "coverage.essential",
                        f"{plan.words(index)}: essential line `{r.id}` ({r.capability} in `{r.sector}`) needs "
                        f"{_amount(required, r)}; the plan provides {provided:,}",
                        r.id,
                    )


def _amount(quantity: int, requirement: Requirement) -> str:
    """A quantity in the line's measure: `1 unit`, `2 units`, `600 personnel`."""
    if requirement.measure == Measure.PERSONNEL:
        return f"{quantity:,} personnel"
    return plural(quantity, "unit")


def shortfall_terms(scenario: Scenario) -> dict[str, tuple[Fraction, int]]:
    """Per term of the shortfall criterion, its exact weight per unit short and the most it can be
    short: one per desirable line (keyed by its id), or, in a phased scenario, one per desirable line
    and bucket it asks for something in (keyed `line@bucket`, weighted by the bucket's weight)."""
    out: dict[str, tuple[Fraction, int]] = {}
    for r in scenario.requirements:
        if r.priority != Priority.DESIRABLE:
            continue
        if scenario.phasing is None:
            out[r.id] = (Fraction(str(r.weight)) / r.quantity, r.quantity)
            continue
        for t, quantity in phases.needs(scenario, r).items():
            if quantity:
                out[f"{r.id}@{t}"] = (Fraction(str(r.weight)) * phases.bucket_weight(scenario, t) / quantity, quantity)
    return out


def exact_shortfall_weights(scenario: Scenario) -> tuple[dict[str, int], int]:
    """Integer weights per shortfall term (`shortfall_terms`) and the scale they share, exact however
    large.

    The shortfall criterion is sum(weight x short / quantity), each weight the decimal written;
    scaled by the least common denominator of weight/quantity it is an exact integer sum.
    """
    exact = {key: weight for key, (weight, _) in shortfall_terms(scenario).items()}
    scale = 1
    for value in exact.values():
        scale = math.lcm(scale, value.denominator)
    return {rid: int(value * scale) for rid, value in exact.items()}, scale


def shortfall_is_exact(scenario: Scenario) -> bool:
    """Whether the shortfall's exact integer sum, at its largest (every desirable line wholly
    short), stays within SHORTFALL_LIMIT."""
    weights, _ = exact_shortfall_weights(scenario)
    largest = sum(weights[key] * most for key, (_, most) in shortfall_terms(scenario).items())
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
    quantity = {key: most for key, (_, most) in shortfall_terms(scenario).items()}
    return sum(
        (max(Fraction(0), rounded[key] - Fraction(exact[key] * rounded_scale, scale)) * quantity[key] for key in exact),
        Fraction(0),
    )


class RequirementFamily(Family):
    """Requirement lines as elements: an essential line given up becomes desirable."""

    type = "requirement"
    default_relax_cost = 40

    def describe(self, scenario: Scenario, element: Element) -> str:
        return describe(scenario.requirement_by_id[element.id], scenario)

    def relax(self, document: dict[str, Any], element: Element) -> None:
        for r in document["requirements"]:
            if r["id"] == element.id:
                r["priority"] = "desirable"

    def patch(self, scenario: Scenario, element: Element) -> list[Operation] | None:
        return [SetPriority(op="set_priority", requirement=element.id, priority=Priority.DESIRABLE)]

    def given_relax_cost(self, scenario: Scenario, element: Element) -> int | None:
        return scenario.requirement_by_id[element.id].relax_cost


RULE = RequirementRule()
FAMILY = RequirementFamily()


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


# -- a supply shortfall's figures ------------------------------------------------------------------


def supply(
    requirement: Requirement,
    options: list[Candidate],
    scenario: Scenario | None = None,
    keeping: Callable[[Candidate], tuple[frozenset[int], list[tuple[Block, frozenset[int]]]]] | None = None,
) -> Supply:
    """What the line needs against what is offered for it: every unit line of its capability (the
    options of the line, open or closed), per nation, and what keeps each closed option out (every
    element of each block that closes it, the scenario as it stands).

    In a phased scenario (`scenario`, and `keeping`: the buckets the line is needed in and what keeps
    an option off it in which of them, `solver.phased.keeping_out`), what keeps an option out in
    every bucket the line is needed in counts as kept out, and what keeps it out in some of them only
    apart (`kept_out_part`, said with those buckets)."""
    per_unit = (lambda c: c.unit.personnel * c.unit.count) if requirement.measure == Measure.PERSONNEL else None
    rows: dict[str, NationSupply] = {}
    part_buckets: dict[str, set[int]] = defaultdict(set)
    needs = phases.needs(scenario, requirement) if scenario is not None and keeping is not None else {}
    open_in: dict[int, int] = dict.fromkeys(needs, 0)  # what could fill the line in each bucket it is needed in
    for c in options:
        amount = per_unit(c) if per_unit is not None else c.unit.count
        row = rows.get(c.nation) or NationSupply(nation=c.nation, offered=0, kept_out=0)
        part = False
        if keeping is None:
            blocks = list(c.blocks)
        else:
            needed, kept = keeping(c)
            blocks = [block for block, _ in kept]
            covered = frozenset().union(*(at for _, at in kept))
            part = bool(kept) and covered != needed
            if part:
                part_buckets[c.nation] |= covered
            for t in open_in:
                if t not in covered:
                    open_in[t] += amount
        by = list(row.by)
        for block in blocks:
            for e in block:
                ref = ElementRef(type=e.type, id=e.id, nation=e.nation)
                if ref not in by:
                    by.append(ref)
        rows[c.nation] = row.model_copy(
            update={
                "offered": row.offered + amount,
                "kept_out": row.kept_out + (amount if blocks and not part else 0),
                "kept_out_part": row.kept_out_part + (amount if part else 0),
                "by": by,
            }
        )
    if scenario is not None:
        for nation, buckets in part_buckets.items():
            rows[nation] = rows[nation].model_copy(update={"part_when": phases.buckets_words(scenario, buckets)})
    nations = list(rows.values())
    supply = Supply(
        needed=requirement.quantity,
        measure=requirement.measure.value,
        offered=sum(r.offered for r in nations),
        kept_out=sum(r.kept_out for r in nations),
        kept_out_part=sum(r.kept_out_part for r in nations),
        nations=nations,
    )
    if open_in and scenario is not None and scenario.phasing is not None:
        short = {t: needs[t] - n for t, n in open_in.items() if n < needs[t]}
        supply = supply.model_copy(
            update={
                "bucket": scenario.phasing.bucket,
                "needed_least": min(needs.values()),
                "needed_most": max(needs.values()),
                "open_least": min(open_in.values()),
                "open_most": max(open_in.values()),
                "short_most": max(short.values(), default=0),
                "short_when": phases.buckets_words(scenario, short) if short else None,
            }
        )
    return supply


def ref_words(ref: ElementRef) -> str:
    """An element named briefly, as a supply's figures name what keeps units out."""
    kind = {
        "red_line": "red line",
        "availability": "availability of unit",
        "mandate": "mandate condition",
        "node": "node of entry",
        "tour": "tours of unit",
    }.get(ref.type, ref.type)
    return f"{kind} `{ref.id}`" + (f" ({ref.nation})" if ref.nation else "")


def supply_sentence(figures: Supply) -> str:
    """A supply shortfall in numbers: needed, offered in all and by whom, kept out and by what, what
    could fill it; in a phased scenario, what is kept out part of the time apart, with when, and what
    could fill it throughout and at other times.

    A row without a nation (a redacted view) reads "other nations"; an element named by a
    placeholder reads as the placeholder."""
    unit = "personnel" if figures.measure == Measure.PERSONNEL.value else ("unit" if figures.needed == 1 else "units")
    part = figures.kept_out_part
    open_ = figures.offered - figures.kept_out - part
    needed = f"{figures.needed:,}"
    least, most = figures.needed_least, figures.needed_most
    if least is not None and most is not None and least != most:
        needed = f"{least:,} to {most:,}"
        unit = "units" if unit == "unit" else unit
    text = f"needs {needed} {unit}; {figures.offered:,} offered in all"
    if figures.nations:
        text += " (" + ", ".join(f"{r.nation or 'other nations'}: {r.offered:,}" for r in figures.nations) + ")"

    def who(r: NationSupply, amount: int, when: str | None) -> str:
        by = ", ".join(ref_words(b) for b in r.by)
        whose = f"{r.nation}'s" if r.nation else "other nations'"
        return f"{whose} {amount:,}" + (f" in {when}" if when else "") + (f" by {by}" if by else "")

    if figures.kept_out:
        parts = [who(r, r.kept_out, None) for r in figures.nations if r.kept_out]
        text += f"; {figures.kept_out:,} kept out: " + "; ".join(parts)
    if part:
        parts = [who(r, r.kept_out_part, r.part_when) for r in figures.nations if r.kept_out_part]
        text += f"; {part:,} kept out part of the time: " + "; ".join(parts)

    if figures.open_least is not None and figures.open_most is not None:
        # A phased line: what could fill it bucket by bucket, and where that leaves it short.
        lo, hi = figures.open_least, figures.open_most
        text += f"; could fill it: {lo:,} to {hi:,} a {figures.bucket}" if lo != hi else f"; {lo:,} could fill it"
        if figures.short_when:
            text += f", short in {figures.short_when}"
            if figures.short_most:
                text += f" (by up to {figures.short_most:,})"
        return text
    text += f"; {open_:,} could fill it"
    if open_ < figures.needed:
        text += f", {figures.needed - open_:,} short"
    return text
