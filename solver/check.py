"""The independent checker: does a solution document honour the contract of the domain reference?

Every figure of the package is recomputed from the scenario alone (offers, requirement lines,
red lines, vetoes, targets) and compared with what the document states; every rule the
package breaks is listed as a `Violation`. An empty list is the project's proof that an
answer is right.

The checker imports only the standard library and `models`, never the solver's model, so that
it stays an executable statement of the rules that the solver is tested against. This module
holds the rules of the document itself (its rows, its figures, its objective) and the runner;
each rule of the domain reference has its verdict in its own home (`forcepack.solver.rules`),
beside its other faces but sharing no code with them. A document that can be parsed never makes
it raise: unknown ids, impossible counts and wrong figures are violations, not exceptions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

from forcepack.models import MAXIMISED, Priority, Scenario, Solution, UnitOffer, phases
from forcepack.models.solution import Tour as TourRow
from forcepack.models.wording import agrees, figure, plural
from forcepack.solver.checked_plan import CheckedPlan, CheckedTour, LineKey, placement_at
from forcepack.solver.checking import (
    CheckedDocument,
    Violation,
    close,
    fills,
    names,
    unit_named,
    usable_pledged,
    usd,
)
from forcepack.solver.rules import VERDICT_ORDER, Rule

D = TypeVar("D", bound=CheckedDocument, contravariant=True)

# -- the document ------------------------------------------------------------------------


def check_document(pkg: CheckedDocument) -> Iterator[Violation]:
    """The document answers this scenario: same id, name and sha256 of the canonical JSON."""
    ref, scenario = pkg.solution.scenario, pkg.scenario
    if ref.id != scenario.id:
        yield Violation("document", f"the solution answers scenario `{ref.id}`, not `{scenario.id}`")
    if ref.name != scenario.name:
        yield Violation("document", f"the solution names the scenario {ref.name!r}, not {scenario.name!r}")
    expected = scenario.sha256()
    if ref.sha256 != expected:
        yield Violation(
            "document",
            f"the solution was computed for another version of scenario `{scenario.id}` "
            f"(sha256 {ref.sha256[:12]}..., this one is {expected[:12]}...)",
        )


def check_status(pkg: CheckedDocument) -> Iterator[Violation]:
    """An `infeasible` or `unknown` answer holds no package: no assignment and no tour at all."""
    solution = pkg.solution
    if not solution.has_package and solution.assignments:
        yield Violation(
            "document",
            f"status `{solution.status}` holds no package, yet the document lists "
            f"{plural(len(solution.assignments), 'assignment')}",
        )
    if not solution.has_package and solution.plan is not None and solution.plan.tours:
        yield Violation(
            "document",
            f"status `{solution.status}` holds no package, yet its plan lists "
            f"{plural(len(solution.plan.tours), 'tour')}",
        )


def check_plan(pkg: CheckedDocument) -> Iterator[Violation]:
    """A phased scenario's package comes with its plan; a static scenario's answer has none."""
    solution, scenario = pkg.solution, pkg.scenario
    if scenario.phasing is None and solution.plan is not None:
        yield Violation("plan", f"scenario `{scenario.id}` is not phased, yet the answer carries a plan")
    if scenario.phasing is not None and solution.has_package and solution.plan is None:
        yield Violation(
            "plan",
            f"scenario `{scenario.id}` is phased ({scenario.phasing.bucket}ly buckets), yet the package has no plan: "
            "it cannot be checked bucket by bucket",
        )


# -- assignment rows ---------------------------------------------------------------------


def check_assignment_references(pkg: CheckedDocument) -> Iterator[Violation]:
    """Every assignment names an offered unit and a requirement line of the scenario."""
    for row in pkg.solution.assignments:
        known = unit_named(pkg.scenario, row.nation, row.unit) is not None
        if not known:
            yield Violation(
                "assignment.reference",
                f"assignment to `{row.requirement}`: unit `{row.unit}` of {row.nation} is not offered in this scenario",
            )
        if row.requirement not in pkg.scenario.requirement_by_id:
            yield Violation(
                "assignment.reference",
                f"assignment of unit `{row.unit}`: `{row.requirement}` is not a requirement line of this scenario",
                row.unit if known else None,
            )


def check_assignment_units(pkg: CheckedDocument) -> Iterator[Violation]:
    """An assignment places at least one whole unit."""
    for row in pkg.solution.assignments:
        if row.units < 1:
            yield Violation(
                "assignment.units",
                f"assignment of unit `{row.unit}` to `{row.requirement}` places "
                f"{plural(row.units, 'unit')} (at least 1)",
                row.unit if unit_named(pkg.scenario, row.nation, row.unit) is not None else None,
            )


def check_assignment_fields(pkg: CheckedDocument) -> Iterator[Violation]:
    """An assignment states the nation, capability, funding and sector the scenario gives its unit and line."""
    for p in pkg.placements:
        stated = {
            "nation": (p.row.nation, p.nation),
            "capability": (p.row.capability, p.unit.capability),
            "sector": (p.row.sector, p.requirement.sector),
            "self_funded": (p.row.self_funded, p.unit.self_funded),
        }
        wrong = [f"{name} {got!r} (scenario: {want!r})" for name, (got, want) in stated.items() if got != want]
        if wrong:
            yield Violation(
                "assignment.fields",
                f"assignment of `{p.unit.id}` to `{p.requirement.id}`: " + "; ".join(wrong),
                p.unit.id,
            )


def check_assignment_personnel(pkg: CheckedDocument) -> Iterator[Violation]:
    """An assignment's personnel is its units times the unit's personnel."""
    for p in pkg.placements:
        if p.row.personnel != p.personnel:
            yield Violation(
                "assignment.personnel",
                f"assignment of `{p.unit.id}` to `{p.requirement.id}` states {p.row.personnel} personnel; "
                f"{p.units} x {p.unit.personnel} = {p.personnel}",
                p.unit.id,
            )


def check_assignment_cost(pkg: CheckedDocument) -> Iterator[Violation]:
    """An assignment costs units x monthly cost x months of its line's window; the monthly cost is the unit's."""
    for p in pkg.placements:
        if p.row.monthly_cost_usd != p.monthly_cost_usd:
            yield Violation(
                "assignment.cost",
                f"assignment of `{p.unit.id}` to `{p.requirement.id}` states a monthly cost of "
                f"{usd(p.row.monthly_cost_usd)}; the unit costs {usd(p.monthly_cost_usd)} a month",
                p.unit.id,
            )
        if p.row.cost_usd != p.cost_usd:
            months = pkg.scenario.months_of(p.requirement)
            yield Violation(
                "assignment.cost",
                f"assignment of `{p.unit.id}` to `{p.requirement.id}` states a cost of {usd(p.row.cost_usd)}; "
                f"{plural(p.units, 'unit')} x {usd(p.monthly_cost_usd)} x {plural(months, 'month')} "
                f"= {usd(p.cost_usd)}",
                p.unit.id,
            )


def check_duplicate_assignments(pkg: CheckedDocument) -> Iterator[Violation]:
    """One row per (offered unit, requirement line)."""
    counts = Counter((row.nation, row.unit, row.requirement) for row in pkg.solution.assignments)
    for (nation, unit, requirement), n in counts.items():
        if n > 1:
            yield Violation(
                "assignment.duplicate",
                f"unit `{unit}` is assigned to `{requirement}` in {plural(n, 'row')} (one row each)",
                unit if unit_named(pkg.scenario, nation, unit) is not None else None,
            )


def check_capacity(pkg: CheckedDocument) -> Iterator[Violation]:
    """The units assigned from one offer line add up to at most its `count`: no unit serves two lines."""
    assigned: Counter[tuple[str, str]] = Counter()
    units: dict[tuple[str, str], UnitOffer] = {}
    for p in pkg.placements:
        assigned[(p.nation, p.unit.id)] += p.units
        units[(p.nation, p.unit.id)] = p.unit
    for (nation, unit_id), n in assigned.items():
        unit = units[(nation, unit_id)]
        if n > unit.count:
            yield Violation(
                "capacity",
                f"unit `{unit_id}` ({nation}) is assigned {plural(n, 'time')}; only {unit.count} "
                f"{agrees(unit.count, 'is', 'are')} offered",
                unit_id,
            )


# -- capability of every placement ---------------------------------------------------------


def check_capability(pkg: CheckedDocument) -> Iterator[Violation]:
    """A unit fills only lines of its own capability."""
    for p in pkg.placements:
        if p.unit.capability != p.requirement.capability:
            yield Violation(
                "eligibility.capability",
                f"{fills(p)}, but the unit is `{p.unit.capability}` and the line needs `{p.requirement.capability}`",
                p.unit.id,
            )


# -- coupling red lines ------------------------------------------------------------------


# -- coverage and targets ----------------------------------------------------------------


# -- figures the document states ---------------------------------------------------------


def check_figures_coverage(pkg: CheckedDocument) -> Iterator[Violation]:
    """One coverage row per requirement line, each matching the recomputed coverage."""
    rows: dict[str, int] = Counter(row.requirement for row in pkg.solution.coverage)
    for requirement, n in rows.items():
        if requirement not in pkg.scenario.requirement_by_id:
            yield Violation("figures.coverage", f"coverage row for `{requirement}`, which is not a requirement line")
        elif n > 1:
            yield Violation("figures.coverage", f"{n} coverage rows for `{requirement}` (one each)", requirement)
    for line in pkg.scenario.requirements:
        if line.id not in rows:
            yield Violation("figures.coverage", f"no coverage row for requirement line `{line.id}`", line.id)
    for row in pkg.solution.coverage:
        r = pkg.scenario.requirement_by_id.get(row.requirement)
        if r is None:
            continue
        provided = pkg.provided[r.id]
        expected: dict[str, object] = {
            "sector": r.sector,
            "capability": r.capability,
            "priority": str(r.priority),
            "measure": str(r.measure),
            "required": r.quantity,
            "provided": provided,
            "shortfall": max(0, r.quantity - provided),
        }
        wrong = [f"{k} {getattr(row, k)!r} (expected {v!r})" for k, v in expected.items() if getattr(row, k) != v]
        if wrong:
            yield Violation("figures.coverage", f"coverage of `{r.id}`: " + "; ".join(wrong), r.id)


def check_figures_totals(pkg: CheckedDocument) -> Iterator[Violation]:
    """The totals are the package's personnel, units, nations contributing units and nations taking part."""
    totals = pkg.solution.totals
    expected = {
        "personnel": pkg.total_personnel,
        "units": pkg.total_units,
        "nations_contributing": len(pkg.contributing),
        "nations_participating": len(pkg.participating),
    }
    for name, value in expected.items():
        stated = getattr(totals, name)
        if stated != value:
            yield Violation("figures.totals", f"totals.{name} is {stated}; the package has {value}")


def check_figures_nations(pkg: CheckedDocument) -> Iterator[Violation]:
    """One row per participating nation, each with its personnel, share, units, sectors, cost and money."""
    rows = Counter(row.nation for row in pkg.solution.nations)
    for nation, n in sorted(rows.items()):
        if nation not in pkg.participating:
            yield Violation("figures.nations", f"a nations row for {nation}, which does not take part", nation)
        elif n > 1:
            yield Violation("figures.nations", f"{plural(n, 'row')} in `nations` for {nation} (one each)", nation)
    for nation in sorted(pkg.participating - set(rows)):
        yield Violation("figures.nations", f"no nations row for {nation}, which takes part", nation)
    for row in pkg.solution.nations:
        nation = row.nation
        if nation not in pkg.participating:
            continue
        offer = pkg.scenario.offer_by_nation.get(nation)
        expected: dict[str, object] = {
            "personnel": pkg.personnel_of[nation],
            "units": pkg.units_of[nation],
            "sectors": sorted(pkg.sectors_of.get(nation, set())),
            "cost_usd": pkg.cost_of[nation],
            "funding_pledged_usd": sum(p.amount_usd for p in offer.funding) if offer else 0,
            "funding_used_usd": pkg.used_of[nation],
        }
        wrong = [f"{k} {getattr(row, k)!r} (expected {v!r})" for k, v in expected.items() if getattr(row, k) != v]
        if not close(row.share, pkg.share_of(nation)):
            wrong.append(f"share {_percent(row.share, pkg.share_of(nation))}")
        if wrong:
            yield Violation("figures.nations", f"figures of {nation}: " + "; ".join(wrong), nation)


def _percent(given: float, expected: float) -> str:
    """A share given and the share expected as percentages a reader compares: `31.25 % (expected
    30 %)`, with as many decimals as it takes to tell them apart."""
    for digits in (2, 4, 6, 9):
        a, b = f"{given * 100:.{digits}f}", f"{expected * 100:.{digits}f}"
        if a != b:
            break
    return f"{_trimmed(a)} % (expected {_trimmed(b)} %)"


def _trimmed(figure: str) -> str:
    return figure.rstrip("0").rstrip(".") if "." in figure else figure


def check_figures_funding(pkg: CheckedDocument) -> Iterator[Violation]:
    """The funding balance: total, self-funded and pooled cost, usable pledges, money used and the gap."""
    funding = pkg.solution.funding
    expected = {
        "total_cost_usd": pkg.total_cost,
        "self_funded_usd": pkg.self_funded_cost,
        "pooled_cost_usd": pkg.pooled_cost,
        "pledged_usd": usable_pledged(pkg.scenario),
        "used_usd": pkg.used_total,
        "gap_usd": max(0, pkg.pooled_cost - pkg.used_total),
    }
    for name, value in expected.items():
        stated = getattr(funding, name)
        if stated != value:
            yield Violation("figures.funding", f"funding.{name} is {usd(stated)}; the package gives {usd(value)}")


# -- objective ---------------------------------------------------------------------------


def shortfall_value(pkg: CheckedDocument) -> float:
    """Sum over desirable lines of weight x uncovered fraction."""
    return sum(
        r.weight * max(0, r.quantity - pkg.provided[r.id]) / r.quantity
        for r in pkg.scenario.requirements
        if r.priority == Priority.DESIRABLE
    )


def cost_value(pkg: CheckedDocument) -> float:
    """Total cost of every assigned unit, self-funded ones included."""
    return float(pkg.total_cost)


def nations_value(pkg: CheckedDocument) -> float:
    """Number of nations contributing units."""
    return float(len(pkg.contributing))


def max_share_value(pkg: CheckedDocument) -> float:
    """The largest nation's share of personnel (0 without personnel)."""
    return max((pkg.share_of(n) for n in pkg.personnel_of), default=0.0)


def readiness_value(pkg: CheckedDocument) -> float:
    """Sum over assigned units of their readiness rank, `pledged` 0 to `rapid` 3."""
    return float(sum(p.units * p.unit.readiness.rank for p in pkg.placements))


CRITERION_VALUES: dict[str, Callable[[CheckedDocument], float]] = {
    "shortfall": shortfall_value,
    "cost": cost_value,
    "nations": nations_value,
    "max_share": max_share_value,
    "readiness": readiness_value,
}
"""How each objective criterion is computed from a package; `churn` needs a baseline and is not checked."""


def check_objective_criteria(pkg: CheckedDocument) -> Iterator[Violation]:
    """Every criterion of the scenario's objective is reported once, in the order optimised."""
    reported = [o.criterion for o in pkg.solution.objective]
    for criterion, n in Counter(reported).items():
        if n > 1:
            yield Violation(
                "objective.criteria", f"criterion `{criterion}` is reported {plural(n, 'time')} in the objective"
            )
    wanted = [t.criterion for t in pkg.scenario.objective]
    # Criteria outside the scenario's objective (a repair's `churn`) may come in between.
    if [c for c in dict.fromkeys(reported) if c in wanted] != wanted:
        yield Violation(
            "objective.criteria",
            f"the objective reports [{', '.join(reported)}]; "
            f"the scenario optimises [{', '.join(wanted)}], in that order",
        )


def check_objective_bounds(pkg: CheckedDocument) -> Iterator[Violation]:
    """Each criterion's proven bound lies on its side of its value: at most the value when minimised,
    at least when maximised (a bound past the value would claim better than the package itself)."""
    for item in pkg.solution.objective:
        maximised = item.criterion in MAXIMISED
        past = item.bound < item.value if maximised else item.bound > item.value
        if past and not close(item.bound, item.value):
            side = "below" if maximised else "above"
            yield Violation(
                "objective.bound",
                f"objective `{item.criterion}`'s bound {figure(item.bound, 6)} is {side} its value "
                f"{figure(item.value, 6)}: a bound cannot be better than the package it bounds",
            )


def check_objective(pkg: CheckedDocument) -> Iterator[Violation]:
    """Each reported criterion has the value recomputed from the package."""
    for item in pkg.solution.objective:
        compute = CRITERION_VALUES.get(item.criterion)
        if compute is None:
            continue
        value = compute(pkg)
        if not close(item.value, value):
            yield Violation(
                f"objective.{item.criterion}",
                f"objective `{item.criterion}` is reported as {item.value!r}; the package gives {value!r}",
            )


# -- a phased plan: its buckets and tours --------------------------------------------------


def check_plan_buckets(plan: CheckedPlan) -> Iterator[Violation]:
    """The plan's buckets are the scenario's: its bucket length, and every bucket's index, first and last day."""
    stated = plan.solution.plan
    phasing = plan.scenario.phasing
    if stated is None or phasing is None:
        return
    if stated.bucket != phasing.bucket:
        yield Violation("plan.buckets", f"the plan is in {stated.bucket}s; the scenario is phased in {phasing.bucket}s")
    expected = [(b.index, b.start, b.end) for b in plan.buckets]
    got = [(b.index, b.start, b.end) for b in stated.buckets]
    if got != expected:
        first = next((i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b), None)
        where = (
            f"{phasing.bucket} {first + 1} is {got[first][1]} .. {got[first][2]}, expected {expected[first][1]} .. "
            f"{expected[first][2]}"
            if first is not None
            else f"{len(got)} buckets, expected {len(expected)}"
        )
        yield Violation("plan.buckets", f"the plan's buckets are not the scenario's: {where}")


def _full(plan: CheckedPlan, index: int | None) -> str:
    """The bucket a sector is full from, in words (None: never within the horizon)."""
    return plan.words(index) if index is not None else "no bucket of the horizon"


def _tour_rows(plan: CheckedPlan) -> list[TourRow]:
    return list(plan.solution.plan.tours) if plan.solution.plan is not None else []


def check_tour_references(plan: CheckedPlan) -> Iterator[Violation]:
    """Every tour names an offered unit and a requirement line, places at least one unit, and arrives
    and leaves in buckets of the plan, in that order."""
    count = len(plan.buckets)
    for row in _tour_rows(plan):
        known = unit_named(plan.scenario, row.nation, row.unit) is not None
        what = f"tour of `{row.unit}` ({row.nation}) on `{row.requirement}` arriving in {plan.words(row.arrival)}"
        if not known:
            yield Violation(
                "tour.reference", f"{what}: unit `{row.unit}` of {row.nation} is not offered in this scenario"
            )
        if row.requirement not in plan.scenario.requirement_by_id:
            yield Violation(
                "tour.reference",
                f"{what}: `{row.requirement}` is not a requirement line of this scenario",
                row.unit if known else None,
            )
        if row.units < 1:
            yield Violation(
                "tour.units", f"{what}: it places {plural(row.units, 'unit')} (at least 1)", row.unit if known else None
            )
        if not 0 <= row.arrival <= row.last < count:
            yield Violation(
                "tour.span",
                f"{what}: buckets {row.arrival} .. {row.last} are not an arrival and a last bucket of the plan's "
                f"{count} (0 .. {count - 1}), in order",
                row.unit if known else None,
            )


def check_tour_duplicates(plan: CheckedPlan) -> Iterator[Violation]:
    """One row per tour: per (offered unit, requirement line, arrival bucket)."""
    counts = Counter((row.nation, row.unit, row.requirement, row.arrival) for row in _tour_rows(plan))
    for (nation, unit, requirement, arrival), n in counts.items():
        if n > 1:
            yield Violation(
                "tour.duplicate",
                f"unit `{unit}` ({nation}) arrives for `{requirement}` in {plan.words(arrival)} "
                f"in {n} tour rows (one each)",
                unit if unit_named(plan.scenario, nation, unit) is not None else None,
            )


def check_tour_fields(plan: CheckedPlan) -> Iterator[Violation]:
    """A tour states the nation, sector and funding the scenario gives its unit and line, and its units' personnel."""
    for t in plan.tours:
        stated = {
            "nation": (t.row.nation, t.nation),
            "sector": (t.row.sector, t.requirement.sector),
            "self_funded": (t.row.self_funded, t.unit.self_funded),
            "personnel": (t.row.personnel, t.personnel),
        }
        wrong = [f"{name} {got!r} (scenario: {want!r})" for name, (got, want) in stated.items() if got != want]
        if wrong:
            yield Violation("tour.fields", f"{t.words()}: " + "; ".join(wrong), t.unit.id)


def check_tour_capability(plan: CheckedPlan) -> Iterator[Violation]:
    """A tour's unit fills only a line of its own capability."""
    for t in plan.tours:
        if t.unit.capability != t.requirement.capability:
            yield Violation(
                "eligibility.capability",
                f"{t.words()}: the unit is `{t.unit.capability}` and the line needs `{t.requirement.capability}`",
                t.unit.id,
            )


PLACEMENT_RULES: tuple[Rule, ...] = tuple(rule for rule in VERDICT_ORDER if rule.placement)
"""The rules whose verdict judges a placement alone: in a bucket where one finds the unit's placement
on a line broken, it closes the line to the unit, and a tour there ends the bucket before."""


def closed_in(
    plan: CheckedPlan, t: CheckedTour, index: int, cache: dict[tuple[LineKey, int], str | None]
) -> str | None:
    """The rule that closes the tour's line to its unit in a bucket (its violation, in words), or None
    when none does: the placement rules' verdicts run on the unit alone there."""
    key = (t.key, index)
    if key not in cache:
        assert plan.timeline is not None
        alone = placement_at(plan.scenario, t.unit, t.nation, t.requirement, t.units)
        snap = CheckedDocument.snapshot(plan.scenario, plan.solution, plan.timeline, index, [alone], Counter())
        found = next((v for rule in PLACEMENT_RULES for v in rule.verdict(snap)), None)
        cache[key] = f"[{found.rule}] {found.message}" if found is not None else None
    return cache[key]


def expected_last(
    plan: CheckedPlan, t: CheckedTour, cache: dict[tuple[LineKey, int], str | None]
) -> tuple[int, str] | None:
    """The last bucket of a tour arriving as this one does, and why it ends there: the first of its tour
    length, the unit's availability, the line's last need (`phases.tour`) and the bucket before a rule
    closes the line to the unit. None when no tour can arrive then (`phases.tour`)."""
    base = phases.tour(plan.scenario, t.unit, t.requirement, t.arrival)
    if base is None:
        return None
    for index in range(t.arrival, base.last + 1):
        closing = closed_in(plan, t, index, cache)
        if closing is not None:
            return index - 1, f"a rule closes the line to the unit in {plan.words(index)}: {closing}"
    length = phases.tour_buckets(plan.scenario, t.unit)
    need = plan.needs(t.requirement)
    if length is not None and base.last == t.arrival + length - 1:
        why = f"its tour of {plural(t.unit.tour_months or 0, 'month')} is {plural(length, 'bucket')}"
    elif base.last == max(need):
        why = "the line's last need"
    else:
        why = "the unit's availability"
    return base.last, why


def check_tour_span(plan: CheckedPlan) -> Iterator[Violation]:
    """A tour fills its line from its arrival plus its unit's relief buckets, fills it in at least one
    bucket, and leaves at the end of the first of: its tour length, its unit's availability, its line's
    last need, and the bucket before a rule in force (engagement, control, sectors, a veto, a mandate
    condition) closes the line to the unit."""
    cache: dict[tuple[LineKey, int], str | None] = {}
    for t in plan.tours:
        if t.row.fills_from != t.effective:
            yield Violation(
                "tour.span",
                f"{t.words()}: it states it fills the line from {plan.words(t.row.fills_from)}; with "
                f"{plural(t.effective - t.arrival, 'relief ' + t.kind)} it fills from {plan.words(t.effective)}",
                t.unit.id,
            )
        if t.effective > t.last:
            yield Violation(
                "tour.span",
                f"{t.words()}: it leaves after {plan.words(t.last)} and fills its line in no {t.kind} "
                f"(from {t.kind} {t.effective + 1})",
                t.unit.id,
            )
            continue
        expected = expected_last(plan, t, cache)
        if expected is None or expected[0] == t.last:
            continue
        last, why = expected
        if last < t.effective:
            yield Violation(
                "tour.span", f"{t.words()}: no such tour, it would leave before it fills its line ({why})", t.unit.id
            )
        else:
            yield Violation(
                "tour.span",
                f"{t.words()}: it states it leaves after {plan.words(t.last)}; "
                f"it leaves after {plan.words(last)} ({why})",
                t.unit.id,
            )


def check_tour_cost(plan: CheckedPlan) -> Iterator[Violation]:
    """A tour is paid for its months, from its arrival's first day to its last bucket's last day, and costs
    units x monthly cost x months."""
    for t in plan.tours:
        if t.row.months != t.months:
            yield Violation(
                "tour.cost",
                f"{t.words()}: it states {plural(t.row.months, 'month')}; {plan.buckets[t.arrival].start} .. "
                f"{plan.buckets[t.last].end} is {t.months}",
                t.unit.id,
            )
        if t.row.cost_usd != t.cost_usd:
            yield Violation(
                "tour.cost",
                f"{t.words()}: it states a cost of {usd(t.row.cost_usd)}; {plural(t.units, 'unit')} x "
                f"{usd(t.monthly_cost_usd)} x {plural(t.months, 'month')} = {usd(t.cost_usd)}",
                t.unit.id,
            )


def check_presence(plan: CheckedPlan) -> Iterator[Violation]:
    """In every bucket, the units of a unit line present on all lines (relief included) are at most its
    `count`. (Its rotations over the plan are the tour rule's, `forcepack.solver.rules.tours`.)"""
    units: dict[tuple[str, str], UnitOffer] = {(t.nation, t.unit.id): t.unit for t in plan.tours}
    for snap in plan.snapshots:
        present: Counter[tuple[str, str]] = Counter()
        for p in snap.placements:
            present[(p.nation, p.unit.id)] += p.units
        for (nation, unit_id), n in sorted(present.items()):
            unit = units[(nation, unit_id)]
            if n > unit.count:
                yield Violation(
                    "capacity",
                    f"{plan.words(snap.bucket or 0)}: {plural(n, 'unit')} of `{unit_id}` ({nation}) "
                    f"{agrees(n, 'is', 'are')} present; only "
                    f"{unit.count} are offered",
                    unit_id,
                )


# -- a phased plan: nodes of entry -----------------------------------------------------------


def _arrivals(plan: CheckedPlan) -> tuple[Counter[tuple[str, int]], Counter[tuple[str, int]]]:
    """Personnel and tons arriving per (nation, bucket)."""
    personnel: Counter[tuple[str, int]] = Counter()
    tons: Counter[tuple[str, int]] = Counter()
    for t in plan.tours:
        personnel[(t.nation, t.arrival)] += t.personnel
        tons[(t.nation, t.arrival)] += t.units * (t.unit.lift_tons or 0)
    return personnel, tons


def check_node_flows(plan: CheckedPlan) -> Iterator[Violation]:
    """When the scenario has nodes of entry, every arrival passes through them: each flow names a node
    its nation may use (`entry`, default all), one row per (node, nation, bucket), and a nation's flows in
    a bucket carry exactly the personnel and tons of its tours arriving in it. Without nodes, no flow."""
    stated = plan.solution.plan
    phasing = plan.scenario.phasing
    if stated is None or phasing is None:
        return
    nodes = {n.id for n in phasing.nodes}
    if not nodes:
        if stated.flows:
            yield Violation(
                "node.flow", f"the plan lists {plural(len(stated.flows), 'flow')}; the scenario has no nodes of entry"
            )
        return
    for (node, nation, bucket), n in Counter((f.node, f.nation, f.bucket) for f in stated.flows).items():
        if n > 1:
            yield Violation(
                "node.flow", f"{n} flows of {nation} through `{node}` in {plan.words(bucket)} (one each)", node
            )
    flowed: Counter[tuple[str, int]] = Counter()
    flowed_tons: Counter[tuple[str, int]] = Counter()
    for f in stated.flows:
        if f.node not in nodes:
            yield Violation("node.reference", f"a flow of {f.nation} names `{f.node}`, which is not a node of entry")
            continue
        offer = plan.scenario.offer_by_nation.get(f.nation)
        if offer is None:
            yield Violation(
                "node.reference", f"a flow through `{f.node}` names {f.nation}, which makes no offer", f.node
            )
            continue
        if offer.entry is not None and f.node not in offer.entry and (f.personnel or f.tons):
            yield Violation(
                "node.entry",
                f"{plan.words(f.bucket)}: {f.nation}'s arrivals pass through `{f.node}`; it may use only "
                f"{names(offer.entry)}",
                f.node,
            )
        flowed[(f.nation, f.bucket)] += f.personnel
        flowed_tons[(f.nation, f.bucket)] += f.tons
    personnel, tons = _arrivals(plan)
    for key in sorted(set(personnel) | set(tons) | set(flowed) | set(flowed_tons)):
        nation, bucket = key
        if flowed[key] != personnel[key] or flowed_tons[key] != tons[key]:
            yield Violation(
                "node.flow",
                f"{plan.words(bucket)}: {nation}'s flows carry {flowed[key]:,} personnel and {flowed_tons[key]:,} "
                f"tons; its arrivals are {personnel[key]:,} personnel and {tons[key]:,} tons",
                nation,
            )


# -- a phased plan: figures ------------------------------------------------------------------


def check_figures_assignments(plan: CheckedPlan) -> Iterator[Violation]:
    """One assignment row per unit line on a line with a tour: its units the most present at once, its
    cost its tours', its monthly cost the unit's."""
    rows = {(p.nation, p.unit.id, p.requirement.id): p for p in plan.placements}
    for key in sorted(set(plan.at_once) - set(rows)):
        nation, unit, requirement = key
        yield Violation(
            "figures.assignments",
            f"no assignment row for `{unit}` ({nation}) on `{requirement}`, which has tours",
            unit,
        )
    for key, p in rows.items():
        nation, unit, requirement = key
        if key not in plan.at_once:
            yield Violation(
                "figures.assignments",
                f"an assignment row for `{unit}` ({nation}) on `{requirement}`, which has no tour",
                unit,
            )
            continue
        expected = {"units": plan.at_once[key], "cost_usd": plan.line_cost[key], "monthly_cost_usd": p.monthly_cost_usd}
        wrong = [f"{k} {getattr(p.row, k)!r} (expected {v!r})" for k, v in expected.items() if getattr(p.row, k) != v]
        if wrong:
            yield Violation(
                "figures.assignments",
                f"assignment of `{unit}` ({nation}) to `{requirement}`: " + "; ".join(wrong),
                unit,
            )


def worst_bucket(plan: CheckedPlan, requirement_id: str) -> tuple[int, int]:
    """(required, provided) of a line in its worst bucket: the largest uncovered fraction, then the
    largest shortfall, then the largest need, then the earliest; (0, 0) for a line needed in no bucket."""
    r = plan.scenario.requirement_by_id[requirement_id]
    best: tuple[Fraction, int, int, int] | None = None
    figures = (0, 0)
    for index, required in sorted(plan.needs(r).items()):
        provided = plan.snapshots[index].provided[r.id]
        short = max(0, required - provided)
        rank = (Fraction(short, required) if required else Fraction(0), short, required, -index)
        if best is None or rank > best:
            best, figures = rank, (required, provided)
    return figures


def check_figures_phased_coverage(plan: CheckedPlan) -> Iterator[Violation]:
    """One coverage row per requirement line, each its worst bucket (`worst_bucket`)."""
    rows: dict[str, int] = Counter(row.requirement for row in plan.solution.coverage)
    for requirement, n in rows.items():
        if requirement not in plan.scenario.requirement_by_id:
            yield Violation("figures.coverage", f"coverage row for `{requirement}`, which is not a requirement line")
        elif n > 1:
            yield Violation("figures.coverage", f"{n} coverage rows for `{requirement}` (one each)", requirement)
    for line in plan.scenario.requirements:
        if line.id not in rows:
            yield Violation("figures.coverage", f"no coverage row for requirement line `{line.id}`", line.id)
    for row in plan.solution.coverage:
        r = plan.scenario.requirement_by_id.get(row.requirement)
        if r is None:
            continue
        required, provided = worst_bucket(plan, r.id)
        expected: dict[str, object] = {
            "sector": r.sector,
            "capability": r.capability,
            "priority": str(r.priority),
            "measure": str(r.measure),
            "required": required,
            "provided": provided,
            "shortfall": max(0, required - provided),
        }
        wrong = [f"{k} {getattr(row, k)!r} (expected {v!r})" for k, v in expected.items() if getattr(row, k) != v]
        if wrong:
            yield Violation("figures.coverage", f"coverage of `{r.id}` (its worst bucket): " + "; ".join(wrong), r.id)


def check_figures_plan_coverage(plan: CheckedPlan) -> Iterator[Violation]:
    """The plan's coverage: one row per line per bucket it is needed in, with what it asks for there and
    what fills it (tours past their relief)."""
    stated = plan.solution.plan
    if stated is None:
        return
    expected: dict[tuple[str, int], tuple[int, int]] = {}
    for r in plan.scenario.requirements:
        for index, required in plan.needs(r).items():
            expected[(r.id, index)] = (required, plan.snapshots[index].provided[r.id])
    seen: Counter[tuple[str, int]] = Counter()
    for row in stated.coverage:
        key = (row.requirement, row.bucket)
        seen[key] += 1
        if key not in expected:
            yield Violation(
                "figures.plan.coverage",
                f"a plan coverage row for `{row.requirement}` in {plan.words(row.bucket)}, where it is not needed",
                row.requirement if row.requirement in plan.scenario.requirement_by_id else None,
            )
            continue
        required, provided = expected[key]
        want = {"required": required, "provided": provided, "shortfall": max(0, required - provided)}
        wrong = [f"{k} {getattr(row, k)!r} (expected {v!r})" for k, v in want.items() if getattr(row, k) != v]
        if wrong:
            yield Violation(
                "figures.plan.coverage",
                f"{plan.words(row.bucket)}: coverage of `{row.requirement}`: " + "; ".join(wrong),
                row.requirement,
            )
    for key, n in sorted(seen.items()):
        if n > 1 and key in expected:
            yield Violation(
                "figures.plan.coverage",
                f"{n} plan coverage rows for `{key[0]}` in {plan.words(key[1])} (one each)",
                key[0],
            )
    for requirement, index in sorted(set(expected) - set(seen)):
        yield Violation(
            "figures.plan.coverage", f"no plan coverage row for `{requirement}` in {plan.words(index)}", requirement
        )


def check_figures_plan_nodes(plan: CheckedPlan) -> Iterator[Violation]:
    """The plan's node loads: one row per node of entry per bucket, its personnel and tons the flows
    through it, its capacities its daily figures times the bucket's days."""
    stated = plan.solution.plan
    if stated is None:
        return
    loads = plan.node_loads()
    seen: Counter[tuple[str, int]] = Counter()
    for row in stated.nodes:
        key = (row.node, row.bucket)
        seen[key] += 1
        if key not in loads:
            yield Violation(
                "figures.plan.nodes",
                f"a node load row for `{row.node}` in {plan.words(row.bucket)}, "
                "which is not a node and bucket of the plan",
            )
            continue
        personnel, tons = loads[key]
        most_personnel, most_tons = plan.node_capacity(row.node, row.bucket)
        want: dict[str, object] = {
            "personnel": personnel,
            "tons": tons,
            "personnel_capacity": most_personnel,
            "tons_capacity": most_tons,
        }
        wrong = [f"{k} {getattr(row, k)!r} (expected {v!r})" for k, v in want.items() if getattr(row, k) != v]
        if wrong:
            yield Violation(
                "figures.plan.nodes", f"{plan.words(row.bucket)}: load of `{row.node}`: " + "; ".join(wrong), row.node
            )
    for key, n in sorted(seen.items()):
        if n > 1 and key in loads:
            yield Violation(
                "figures.plan.nodes", f"{n} load rows for `{key[0]}` in {plan.words(key[1])} (one each)", key[0]
            )
    for node, index in sorted(set(loads) - set(seen)):
        yield Violation("figures.plan.nodes", f"no load row for `{node}` in {plan.words(index)}", node)


def full_from(plan: CheckedPlan, sector: str) -> int | None:
    """The first bucket, among those some line of the sector is needed in, from which every line of the
    sector is filled in full in every bucket it is needed in; None when there is none (the last bucket
    needing something is short, or the sector needs nothing)."""
    return _first_full(*_asking_and_short(plan, sector))


def _asking_and_short(plan: CheckedPlan, sector: str) -> tuple[set[int], set[int]]:
    """The buckets some line of the sector asks for something in, and those of them some line is short in."""
    short: set[int] = set()
    asking: set[int] = set()
    for r in plan.scenario.requirements:
        if r.sector != sector:
            continue
        for index, required in plan.needs(r).items():
            if not required:
                continue  # (a bucket asking for nothing is no step towards full operational capability)
            asking.add(index)
            if plan.snapshots[index].provided[r.id] < required:
                short.add(index)
    return asking, short


def _first_full(asking: set[int], short: set[int]) -> int | None:
    """The first bucket asking for something after the last one short (None: none)."""
    after = max(short, default=-1)
    return min((index for index in asking if index > after), default=None)


FOC_ROW = "full operational capability row"
"""A row of `plan.sectors`, in a violation's words."""


def check_figures_plan_sectors(plan: CheckedPlan) -> Iterator[Violation]:
    """One row per sector, `full_from` the first bucket from which all its lines are filled in full (`full_from`)."""
    stated = plan.solution.plan
    if stated is None:
        return
    rows = Counter(row.sector for row in stated.sectors)
    for sector, n in rows.items():
        if sector not in plan.scenario.sector_by_id:
            yield Violation(
                "figures.plan.sectors", f"a full operational capability row for `{sector}`, which is not a sector"
            )
        elif n > 1:
            yield Violation(
                "figures.plan.sectors", f"{n} full operational capability rows for sector `{sector}` (one each)", sector
            )
    for known in plan.scenario.sectors:
        if known.id not in rows:
            yield Violation(
                "figures.plan.sectors", f"no full operational capability row for sector `{known.id}`", known.id
            )
    for row in stated.sectors:
        if row.sector not in plan.scenario.sector_by_id:
            continue
        expected = full_from(plan, row.sector)
        if row.full_from != expected:
            yield Violation(
                "figures.plan.sectors",
                f"sector `{row.sector}` is stated full from {_full(plan, row.full_from)}; "
                f"every line of it is filled in full from {_full(plan, expected)}",
                row.sector,
            )


# -- a phased plan: objective ----------------------------------------------------------------


def phased_shortfall_value(plan: CheckedPlan) -> float:
    """Sum over desirable lines and the buckets each is needed in of bucket weight x weight x uncovered
    fraction (buckets asking for 0 count nothing)."""
    total = 0.0
    for r in plan.scenario.requirements:
        if r.priority != Priority.DESIRABLE:
            continue
        for index, required in plan.needs(r).items():
            if required:
                short = max(0, required - plan.snapshots[index].provided[r.id])
                total += phases.bucket_weight(plan.scenario, index) * r.weight * short / required
    return total


def phased_foc_value(plan: CheckedPlan) -> float:
    """Over the sectors, the buckets each needs something in before its full operational capability
    (`full_from`; every one of them when it is never reached), summed."""
    total = 0
    for sector in plan.scenario.sectors:
        asking, short = _asking_and_short(plan, sector.id)
        full = _first_full(asking, short)
        total += sum(1 for t in asking if full is None or t < full)
    return float(total)


def phased_readiness_value(plan: CheckedPlan) -> float:
    """Sum over tours of their units' readiness rank."""
    return float(sum(t.units * t.unit.readiness.rank for t in plan.tours))


PHASED_CRITERION_VALUES: dict[str, Callable[[CheckedPlan], float]] = {
    "shortfall": phased_shortfall_value,
    "foc": phased_foc_value,
    "cost": cost_value,
    "nations": nations_value,
    "max_share": max_share_value,
    "readiness": phased_readiness_value,
}
"""How each objective criterion is computed from a phased plan: the tours' cost, the nations with a
tour, the largest share in any bucket (`CheckedPlan.share_of`), as `CRITERION_VALUES` for the rest."""


def check_phased_objective(plan: CheckedPlan) -> Iterator[Violation]:
    """Each reported criterion has the value recomputed from the plan."""
    for item in plan.solution.objective:
        compute = PHASED_CRITERION_VALUES.get(item.criterion)
        if compute is None:
            continue
        value = compute(plan)
        if not close(item.value, value):
            yield Violation(
                f"objective.{item.criterion}",
                f"objective `{item.criterion}` is reported as {item.value!r}; the plan gives {value!r}",
            )


# -- registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedVerdict(Generic[D]):
    """A rule of the checker: its name, what it checks (in domain words), and its verdict (on a
    package, `CheckedDocument`, or on a phased plan, `CheckedPlan`)."""

    name: str
    doc: str
    verdict: Callable[[D], Iterable[Violation]]

    def __call__(self, pkg: D) -> Iterable[Violation]:
        return self.verdict(pkg)


def _named(function: Callable[[D], Iterable[Violation]]) -> NamedVerdict[D]:
    return NamedVerdict(function.__name__, function.__doc__ or "", function)


def _of_rule(rule: Rule) -> NamedVerdict[CheckedDocument]:
    return NamedVerdict(f"check_{rule.family}.{rule.name}", type(rule).verdict.__doc__ or "", rule.verdict)


def _of_rule_in_time(rule: Rule) -> NamedVerdict[CheckedPlan]:
    return NamedVerdict(
        f"check_{rule.family}.{rule.name}", type(rule).phased_verdict.__doc__ or "", rule.phased_verdict
    )


DOCUMENT_RULES: tuple[NamedVerdict[CheckedDocument], ...] = tuple(
    map(_named, (check_document, check_status, check_plan))
)
"""Rules every document obeys, with or without a package."""

PACKAGE_RULES: tuple[NamedVerdict[CheckedDocument], ...] = (
    *map(
        _named,
        (
            check_assignment_references,
            check_assignment_units,
            check_assignment_fields,
            check_assignment_personnel,
            check_assignment_cost,
            check_duplicate_assignments,
            check_capacity,
            check_capability,
        ),
    ),
    *map(_of_rule, VERDICT_ORDER),
    *map(
        _named,
        (
            check_figures_coverage,
            check_figures_totals,
            check_figures_nations,
            check_figures_funding,
            check_objective_criteria,
            check_objective_bounds,
            check_objective,
        ),
    ),
)
"""Rules a package (status `optimal` or `feasible`) obeys: the document's rows and figures here,
and each rule's own verdict from its home (`forcepack.solver.rules`)."""

RULES: tuple[NamedVerdict[CheckedDocument], ...] = DOCUMENT_RULES + PACKAGE_RULES
"""Every rule of the checker for a static scenario, in the order they are reported."""

PLAN_RULES: tuple[NamedVerdict[CheckedPlan], ...] = (
    *map(
        _named,
        (
            check_assignment_references,
            check_assignment_units,
            check_assignment_fields,
            check_assignment_personnel,
            check_duplicate_assignments,
            check_plan_buckets,
            check_tour_references,
            check_tour_duplicates,
            check_tour_fields,
            check_tour_capability,
            check_tour_span,
            check_tour_cost,
            check_presence,
        ),
    ),
    *map(_of_rule_in_time, VERDICT_ORDER),
    *map(
        _named,
        (
            check_node_flows,
            check_figures_assignments,
            check_figures_phased_coverage,
            check_figures_totals,
            check_figures_nations,
            check_figures_funding,
            check_figures_plan_coverage,
            check_figures_plan_nodes,
            check_figures_plan_sectors,
            check_objective_criteria,
            check_objective_bounds,
            check_phased_objective,
        ),
    ),
)
"""Rules a phased plan (a package of a phased scenario) obeys: its summary rows, its tours and their
arithmetic, presence, each rule's phased verdict from its home, the nodes of entry, the figures of
the plan and of the document's static parts, and the objective."""

PHASED_RULES: tuple[NamedVerdict[CheckedPlan], ...] = (*DOCUMENT_RULES, *PLAN_RULES)
"""Every rule of the checker for a phased scenario, in the order they are reported."""


def check(scenario: Scenario, solution: Solution) -> list[Violation]:
    """Every way the solution breaks the contract of the domain reference; empty when it honours it.

    Parameters
    ----------
    scenario
        The scenario the solution claims to answer.
    solution
        The solution document, from any interface.

    Returns
    -------
    list[Violation]
        Violations in the order of `RULES` (`PHASED_RULES` for a phased scenario). A document of
        status `infeasible` or `unknown` is only checked to answer this scenario and to hold no
        assignment (and no tour); a phased package without its plan only to have one.
    """
    if scenario.phasing is not None:
        plan = CheckedPlan(scenario, solution)
        found = [v for rule in DOCUMENT_RULES for v in rule(plan)]
        if solution.has_package and solution.plan is not None:
            found.extend(v for rule in PLAN_RULES for v in rule(plan))
        return found
    package = CheckedDocument(scenario, solution)
    violations = [v for rule in DOCUMENT_RULES for v in rule(package)]
    if solution.has_package:
        violations.extend(v for rule in PACKAGE_RULES for v in rule(package))
    return violations
