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

from forcepack.models import Priority, Scenario, Solution, UnitOffer
from forcepack.models.wording import agrees, plural
from forcepack.solver.checking import (
    CheckedDocument,
    Verdict,
    Violation,
    close,
    fills,
    unit_named,
    usable_pledged,
    usd,
)
from forcepack.solver.rules import VERDICT_ORDER, Rule

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
    """An `infeasible` or `unknown` answer holds no package: no assignment at all."""
    solution = pkg.solution
    if not solution.has_package and solution.assignments:
        yield Violation(
            "document",
            f"status `{solution.status}` holds no package, yet the document lists "
            f"{plural(len(solution.assignments), 'assignment')}",
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
            wrong.append(f"share {row.share!r} (expected {pkg.share_of(nation)!r})")
        if wrong:
            yield Violation("figures.nations", f"figures of {nation}: " + "; ".join(wrong), nation)


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


# -- registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedVerdict:
    """A rule of the checker: its name, what it checks (in domain words), and its verdict."""

    name: str
    doc: str
    verdict: Verdict

    def __call__(self, pkg: CheckedDocument) -> Iterable[Violation]:
        return self.verdict(pkg)


def _named(function: Verdict) -> NamedVerdict:
    return NamedVerdict(function.__name__, function.__doc__ or "", function)


def _of_rule(rule: Rule) -> NamedVerdict:
    return NamedVerdict(f"check_{rule.family}.{rule.name}", type(rule).verdict.__doc__ or "", rule.verdict)


DOCUMENT_RULES: tuple[NamedVerdict, ...] = tuple(map(_named, (check_document, check_status)))
"""Rules every document obeys, with or without a package."""

PACKAGE_RULES: tuple[NamedVerdict, ...] = (
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
            check_objective,
        ),
    ),
)
"""Rules a package (status `optimal` or `feasible`) obeys: the document's rows and figures here,
and each rule's own verdict from its home (`forcepack.solver.rules`)."""

RULES: tuple[NamedVerdict, ...] = DOCUMENT_RULES + PACKAGE_RULES
"""Every rule of the checker, in the order they are reported."""


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
        Violations in the order of `RULES`. A document of status `infeasible` or `unknown` is
        only checked to answer this scenario and to hold no assignment.
    """
    package = CheckedDocument(scenario, solution)
    violations = [v for rule in DOCUMENT_RULES for v in rule(package)]
    if solution.has_package:
        violations.extend(v for rule in PACKAGE_RULES for v in rule(package))
    return violations
