"""Resilience: the package that survives the most single withdrawals, every one when it can.

A fallback keeps every other nation's units where the package put them (forces already deployed
stay; in a phased plan, every other nation's tours as planned) and adds units from the remaining
offers, money redrawn as needed, so that every rule of the scenario still holds, every essential
line included. One CP-SAT model holds the package and, for each nation that could take part, a
copy of the scenario without that nation (every rule of it guarded by one literal, "this
withdrawal is survived") that must extend the package when that withdrawal is to be survived.
The search first maximises the withdrawals survived (proven when it finishes), then, holding that
count, the scenario's objective; the fallbacks returned are the best extensions, and each
withdrawal that stays fatal is named with its reason.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from ortools.sat.python import cp_model

from forcepack.models.analysis import CriterionDelta, Fallback, Fatal, Resilient
from forcepack.models.patch import Patch, SetObjective, apply_patch
from forcepack.models.scenario import Scenario, key_parts
from forcepack.models.solution import Solution
from forcepack.models.wording import plural
from forcepack.solver.answer import solve
from forcepack.solver.best_effort import best_effort
from forcepack.solver.builder import BoolVar, ModelBuilder
from forcepack.solver.criteria import criterion
from forcepack.solver.document import Package
from forcepack.solver.explain import explain
from forcepack.solver.params import SolveParams
from forcepack.solver.phased import PhasedBuilder, model_builder
from forcepack.solver.search import Search

COUNT_SHARE = 0.5
"""Of the time limit, the most the search for the most withdrawals survived may take."""

MOST_TERMS = 2_000_000
"""The most terms (nonzeros of the linear constraints) the model with a copy per withdrawal may hold.
A larger one is not built: the best package stands, and each of its withdrawals is still tried. The
phased Gaza example's, about 1 million terms, peaked at 1.0 GiB for the whole answer; a generated
25-nation phased coalition's would hold about 4 million, a 70-nation one's some 60 million, which no
service process should hold at once (docs/decisions.md)."""


def _without(scenario: Scenario, nation: str, *, objective: list[str] | None = None) -> Scenario:
    patch = Patch.withdraw(nation)
    if objective is not None:
        patch = patch.then(Patch(ops=[SetObjective(op="set_objective", objective=list(objective))]))
    return apply_patch(scenario, patch)


Placement = tuple[Any, ...]
"""A placement a fallback keeps: (unit key, line) in a static package; a tour (unit key, line,
arrival bucket, last bucket) in a phased plan."""


def _placements(b: ModelBuilder) -> Mapping[Placement, cp_model.IntVar]:
    """The model's units per placement: per option, or per tour in a phased model."""
    return b.tours if isinstance(b, PhasedBuilder) else b.pair_variables()


def placed(package: Solution) -> dict[Placement, int]:
    """The package's units per placement (`_placements`)."""
    found = Package.from_solution(package)
    return dict(found.tours) if package.plan is not None else dict(found.assignment)


def _keep(b: ModelBuilder, kept: Mapping[Placement, int]) -> None:
    """Every placement kept (none possible when one of them is not in the model)."""
    variables = _placements(b)
    for where, units in kept.items():
        var = variables.get(where)
        if var is None:
            b.model.add_bool_or([])  # the placement cannot be kept: no fallback
        else:
            b.model.add(var >= units)


def _with_fallbacks(b: ModelBuilder, scenario: Scenario) -> dict[str, BoolVar]:
    """For each nation that could take part, a copy of the scenario without it, in the same model,
    whose package extends this one's placements of every other nation (in a phased plan, their
    tours) when the literal returned for that nation (the withdrawal is survived) is true: the
    literal guards every rule of the copy, so a withdrawal not survived leaves it free."""
    survives: dict[str, BoolVar] = {}
    for nation in _candidates(b):
        b.check_cancelled()
        without = _without(scenario, nation, objective=["cost"])
        survived = b.model.new_bool_var(f"survives[{nation}]")
        survives[nation] = survived
        copy = model_builder(without, model=b.model, prefix=f"fallback[{nation}]:", guard=survived, cancel=b.cancel)
        copy.build()
        kept = _placements(copy)
        for where, x in _placements(b).items():
            if key_parts(where[0])[0] == nation:
                continue
            y = kept.get(where)
            if y is None:
                b.model.add(x == 0).only_enforce_if(survived)
            else:
                b.model.add(y >= x).only_enforce_if(survived)
    return survives


def _candidates(b: ModelBuilder) -> list[str]:
    """The nations whose withdrawal the package could have to survive: those that could take part."""
    return sorted(set(b.nations()) | {n for n, _ in b.usable_pledges()})


def _terms(b: ModelBuilder) -> int:
    """The terms of the model's linear constraints (read only where a constraint is linear: reading
    `linear` on another kind of constraint turns it into an empty linear one, which no package meets)."""
    return sum(len(c.linear.vars) for c in b.model.proto.constraints if c.has_linear())


def _most_survived(
    search: Search,
    survives: dict[str, BoolVar],
    params: SolveParams,
    cancel: threading.Event | None,
    start: Solution,
) -> tuple[int | None, bool]:
    """The most withdrawals a package can survive (held for the search after), and whether that is
    proven; None when no package was found in the time. The search starts from the best package
    (`start`), which survives at least the withdrawals of nations it does not use."""
    model = search.builder.model
    start_at = placed(start)
    for where, var in _placements(search.builder).items():
        model.add_hint(var, start_at.get(where, 0))
    found, code = search.lead(list(survives.values()), params, maximise=True, share=COUNT_SHARE, cancel=cancel)
    if found is None:
        return None, code == cp_model.INFEASIBLE
    return found, code == cp_model.OPTIMAL


def _fatal_reason(
    scenario: Scenario,
    nation: str,
    params: SolveParams,
    cancel: threading.Event | None,
    kept: Mapping[Placement, int] | None = None,
) -> str:
    """Why a withdrawal stays fatal: no package at all without the nation (and what the best
    effort gives up), or none that keeps the other nations' placements of this package (and the
    rules that keeping them clashes with)."""
    without = _without(scenario, nation)
    alone = solve(without, params, explain=False, cancel=cancel)
    if alone.has_package:
        kept_what = _kept_what(scenario)
        reason = f"a package exists without {nation}, but not one that keeps the other nations' {kept_what} of this one"
        if kept:
            include = [_keep_words(where, units) for where, units in sorted(kept.items())]
            # A quarter of the time limit, at least 5 s (within it): a longer limit narrows more down.
            seconds = min(params.time_limit_s, max(5.0, params.time_limit_s / 4))
            budget = SolveParams(time_limit_s=seconds, workers=1, seed=params.seed)
            why = explain(without, budget, include=include, relaxations=0, conflicts=1, cancel=cancel)
            if why is not None and why.conflict and why.minimal:
                reason += ": keeping them clashes with " + "; ".join(e.text for e in why.conflict)
            elif why is not None and why.conflict:
                # A conflict not narrowed down in the time given names most of the scenario: not a reason.
                reason += (
                    f" (what it clashes with was not narrowed down within {budget.time_limit_s:g} s; a longer time "
                    "limit gives it more)"
                )
        return reason
    if alone.status == "unknown":
        return f"whether any package exists without {nation} was not decided within the time limit"
    effort = best_effort(without, params, cancel=cancel)
    if effort.lines_short:
        lines = ", ".join(f"`{line}`" for line in effort.lines_short)
        many = len(effort.lines_short) > 1
        fewest = " (the fewest possible)" if effort.least is not None and many else ""
        return (
            f"no package exists without {nation}: it gives up the essential line{'s' if many else ''} {lines}{fewest}"
        )
    return f"no package exists without {nation}, even with the essential lines relaxed"


def _kept_what(scenario: Scenario) -> str:
    """What a fallback keeps, in words: a phased plan's tours, a static package's placements."""
    return "tours" if scenario.phasing is not None else "placements"


def _kept_package(kept: Mapping[Placement, int], *, phased: bool) -> Package:
    """The placements a fallback keeps as a package to start its search from (a phased plan is
    completed from its tours)."""
    return Package.of_tours(kept) if phased else Package.of(dict(kept))


def _keep_words(where: Placement, units: int) -> str:
    """A kept placement as an inclusion (`keep:` in `solver.builder.INCLUSION_KINDS`)."""
    if len(where) == 4:
        key, line, first, last = where
        return f"keep:{key}@{line}#{first}-{last}={units}"
    key, line = where
    return f"keep:{key}@{line}={units}"


def resilient(
    scenario: Scenario,
    params: SolveParams | None = None,
    *,
    plain: Solution | None = None,
    cancel: threading.Event | None = None,
    progress: Callable[[str, int | None, int | None], None] | None = None,
) -> Resilient:
    """The package that survives the most single withdrawals (see the module's docstring), its
    fallbacks, the withdrawals that stay fatal and why, and what resilience costs against the
    plain optimum (`plain`, when already solved with these parameters). `progress` hears each step
    as it starts: its name, and for the fallbacks how many are done of how many."""
    params = params or SolveParams()
    step = progress or (lambda name, done, total: None)
    if plain is None:
        plain = solve(scenario, params, cancel=cancel)
    plain_objective = [o.value for o in plain.objective]
    if not plain.has_package:
        summary = "No package exists at all." if plain.status == "infeasible" else "No package was found in time."
        return Resilient(
            summary=summary, package=plain, plain_objective=plain_objective, most_proven=False, searched=False
        )
    step("most withdrawals survived", None, None)
    search = Search(scenario, cancel=cancel)
    terms = _terms(search.builder) * (len(_candidates(search.builder)) + 1)
    skipped = None
    own = None  # why the best package stands, when the search made gave nothing better to answer with
    if terms > MOST_TERMS:
        # The model with a copy per withdrawal would be too large to build: the best package
        # stands, and its withdrawals are tried one by one below.
        skipped = (
            f"The search for a package surviving more withdrawals was not made: with a copy of the scenario per "
            f"nation its model would hold about {terms:,} terms, over the {MOST_TERMS:,} built at once."
        )
        package, proven = plain, False
    else:
        survives = _with_fallbacks(search.builder, scenario)
        most, proven = _most_survived(search, survives, params, cancel, plain) if survives else (0, True)
        package = search.run(params) if most is not None else plain
        if most is None or not package.has_package:
            # The search of the package that survives the most found none in time: the best package
            # stands, with the withdrawals it survives (no more is claimed).
            package, proven = plain, False
            ended = "found no package" if most is not None else "found no count"
            own = f"The search for a package surviving more withdrawals {ended} within the time limit."
    participants = [row.nation for row in package.nations]
    fallbacks: list[Fallback] = []
    fatal: list[Fatal] = []
    undecided: list[Fatal] = []
    for i, nation in enumerate(participants):
        step("fallbacks", i, len(participants))
        keep = {where: units for where, units in placed(package).items() if key_parts(where[0])[0] != nation}
        fallback = Search(_without(scenario, nation), cancel=cancel)
        _keep(fallback.builder, keep)
        answer = fallback.run(params, hint=_kept_package(keep, phased=scenario.phasing is not None))
        if answer.has_package:
            fallbacks.append(Fallback(nation=nation, package=answer))
        elif answer.status == "unknown":
            reason = f"no fallback that keeps the other nations' {_kept_what(scenario)} was found within the time limit"
            undecided.append(Fatal(nation=nation, reason=reason + ", and none is proven impossible"))
        else:
            fatal.append(Fatal(nation=nation, reason=_fatal_reason(scenario, nation, params, cancel, keep)))
    deltas = [
        CriterionDelta(criterion=a.criterion, optimum=a.value, with_subject=b.value, delta=b.value - a.value)
        for a, b in zip(plain.objective, package.objective, strict=False)
    ]
    if not fatal and not undecided:
        proven = True  # every withdrawal survived: none can survive more
    why_own = skipped or own
    summary = _summary(package, fatal, undecided, deltas, proven, searched=why_own is None)
    return Resilient(
        summary=summary + (f" {why_own}" if why_own and (fatal or undecided) else ""),
        package=package,
        plain_objective=plain_objective,
        cost_of_resilience=deltas,
        fallbacks=fallbacks,
        fatal=fatal,
        undecided=undecided,
        most_proven=proven,
        searched=skipped is None,
    )


def _summary(
    package: Solution,
    fatal: list[Fatal],
    undecided: list[Fatal],
    deltas: list[CriterionDelta],
    proven: bool,
    *,
    searched: bool = True,
) -> str:
    """The answer in a paragraph. What the search maximised is the withdrawals survived of every
    nation that could take part (a nation the package leaves out is survived at once): proven, no
    package has fewer fatal withdrawals; it does not follow that none survives more of its own."""
    worse = [d for d in deltas if criterion(d.criterion).worse(d.delta)]
    price = (
        "at no cost against the best package"
        if not worse
        else "at a cost: "
        + ", ".join(
            f"{d.criterion} {criterion(d.criterion).written(d.optimum)} -> "
            f"{criterion(d.criterion).written(d.with_subject)}"
            for d in worse
        )
    )
    if not fatal and not undecided:
        return f"This package survives every single withdrawal, {price}."
    survived = len(package.nations) - len(fatal) - len(undecided)
    if not searched:
        most = "the best package's own"
    elif proven:
        most = "no package has fewer fatal withdrawals"
    else:
        most = "the fewest fatal withdrawals found in the time limit"
    of = f"its {plural(len(package.nations), 'nation')}"
    how_many = f"none of the withdrawals of {of}" if not survived else f"the withdrawal of {survived} of {of}"
    lead = (
        "No package survives every single withdrawal. This one"
        if searched and proven
        else "This package is not known to survive every single withdrawal: it"
        if not fatal
        else "This package does not survive every single withdrawal: it"
    )
    text = f"{lead} survives {how_many} ({most}), {price}."
    if fatal:
        text += " Fatal: " + "; ".join(f"{f.nation}: {f.reason}" for f in fatal) + "."
    if undecided:
        text += " Not decided within the time limit: " + "; ".join(f"{f.nation}: {f.reason}" for f in undecided) + "."
    return text
