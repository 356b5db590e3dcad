"""Resilience: a package with a fallback for every single participating nation's withdrawal.

A fallback keeps every other nation's units where the package put them (forces already
deployed stay) and adds units from the remaining offers, money redrawn as needed, so that every
rule of the scenario still holds, every essential line included. One CP-SAT model holds the
package and, for each nation that could take part, a copy of the scenario without that nation
that must extend the package; the fallbacks returned are then the best such extensions.
"""

from __future__ import annotations

from forcepack.models.analysis import CriterionDelta, Fallback, Resilient
from forcepack.models.patch import Patch, SetObjective, apply_patch
from forcepack.models.scenario import Scenario, key_parts, offer_key
from forcepack.solver.answer import solve
from forcepack.solver.builder import ModelBuilder
from forcepack.solver.criteria import criterion
from forcepack.solver.params import SolveParams
from forcepack.solver.search import Search
from forcepack.solver.sweep import criticality


def _without(scenario: Scenario, nation: str, *, objective: list[str] | None = None) -> Scenario:
    patch = Patch.withdraw(nation)
    if objective is not None:
        patch = patch.then(Patch(ops=[SetObjective(op="set_objective", objective=list(objective))]))
    return apply_patch(scenario, patch)


def _keep(b: ModelBuilder, placed: dict[tuple[str, str], int]) -> None:
    """Every placement kept (none possible when one of them is not in the model)."""
    for pair, units in placed.items():
        var = b.pair_variables().get(pair)
        if var is None:
            b.model.add_bool_or([])  # the placement cannot be kept: no fallback
        else:
            b.model.add(var >= units)


def _with_fallbacks(b: ModelBuilder, scenario: Scenario) -> None:
    """For each nation that could take part, a copy of the scenario without it, in the same model,
    whose package must extend this one's placements of every other nation."""
    candidates = set(b.nations()) | {n for n, _ in b.usable_pledges()}
    for nation in sorted(candidates):
        copy = ModelBuilder(
            _without(scenario, nation, objective=["cost"]), model=b.model, prefix=f"fallback[{nation}]:"
        )
        copy.build()
        for pair, x in b.pair_variables().items():
            if key_parts(pair[0])[0] == nation:
                continue
            y = copy.pair_variables().get(pair)
            if y is None:
                b.model.add(x == 0)
            else:
                b.model.add(y >= x)


def resilient(scenario: Scenario, params: SolveParams | None = None) -> Resilient:
    """The best package that survives any single participating nation's withdrawal, its fallbacks,
    and what resilience costs against the plain optimum."""
    params = params or SolveParams()
    plain = solve(scenario, params)

    search = Search(scenario)
    _with_fallbacks(search.builder, scenario)
    package = search.run(params)
    if package.status == "unknown":
        return Resilient(
            summary="Whether a package survives every single withdrawal was not decided within the time limit.",
            package=package,
            plain_objective=[o.value for o in plain.objective],
        )
    if not package.has_package:
        summary = "No package survives every single withdrawal."
        if plain.has_package:
            rows = criticality(scenario, params, baseline=plain).withdrawals
            indispensable = [", ".join(w.nations) for w in rows if w.feasible is False]
            if indispensable:
                summary += " No package at all exists without " + "; without ".join(indispensable) + "."
            else:
                summary += (
                    " Each nation can be replaced on its own, but not while keeping the other nations' "
                    "placements of one package."
                )
        else:
            summary += " No package exists at all."
        return Resilient(
            summary=summary,
            package=package,
            plain_objective=[o.value for o in plain.objective],
        )
    fallbacks = []
    for row in package.nations:
        keep = {
            (offer_key(a.nation, a.unit), a.requirement): a.units for a in package.assignments if a.nation != row.nation
        }
        search = Search(_without(scenario, row.nation))
        _keep(search.builder, keep)
        fallback = search.run(params)
        fallbacks.append(Fallback(nation=row.nation, package=fallback))
    deltas = [
        CriterionDelta(criterion=a.criterion, optimum=a.value, with_subject=b.value, delta=b.value - a.value)
        for a, b in zip(plain.objective, package.objective, strict=False)
    ]
    worse = [d for d in deltas if criterion(d.criterion).worse(d.delta)]
    summary = (
        "The best package already survives every single withdrawal."
        if not worse
        else "Resilience costs "
        + ", ".join(f"{d.criterion} {d.optimum:,.4g} -> {d.with_subject:,.4g}" for d in worse)
        + "."
    )
    return Resilient(
        summary=summary,
        package=package,
        plain_objective=[o.value for o in plain.objective],
        cost_of_resilience=deltas,
        fallbacks=fallbacks,
    )
