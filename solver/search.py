"""Solve a scenario: the lexicographic objective, stage by stage, on one CP-SAT model.

Each stage optimises one criterion, then holds it at its optimum (or within its tolerance, read as
the decimal written) for the stages after it; each stage starts from the previous stage's package
as a hint. Every value compared and held is exact: `optimal` means each criterion's value is the
exact lexicographic optimum, proven. A last stage draws as much pledged money as the rules allow for
the package found, so the funding balance reads true. Infeasibility is a status in the returned
document, never an exception.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from ortools.init.python import init
from ortools.sat.python import cp_model

from forcepack.models.scenario import Scenario
from forcepack.models.solution import RunInfo, Solution, Status
from forcepack.solver.builder import BuildCancelled, BuiltModel, LinearExpr, ModelBuilder
from forcepack.solver.cancel import cancellable
from forcepack.solver.construct import MIN_PAIRS, complete, construct
from forcepack.solver.criteria import (
    EXACT_LIMIT,
    SHARE_SCALE,
    Form,
    at_most,
    exact_value,
    first_bound,
    form,
    hold,
    maximised,
    merge,
    merged_expression,
    share_of,
    tolerance_of,
    upper_bound,
)
from forcepack.solver.document import Package, solution_document
from forcepack.solver.engine import new_solver
from forcepack.solver.neighbourhood import around_relaxation, minimised
from forcepack.solver.params import SolveParams
from forcepack.solver.relaxation import objective_of, relax
from forcepack.solver.rules.requirements import exact_shortfall_weights, rounding_excess, shortfall_is_exact

logger = logging.getLogger("forcepack.solver")

SOLVER_NAME = "cp-sat"
SOLVER_VERSION = init.OrToolsVersion.version_string()
EXPLAIN_TIME_LIMIT_S = 10.0
"""Budget for explaining an infeasible scenario, on top of the solve's own."""
CONSTRUCT_TIME_LIMIT_S = 5.0
"""Most of the budget the construction of a first package may take (its completion by CP-SAT)."""


@dataclass
class StageResult:
    """One stage of the lexicographic solve (value and bounds in the criterion's integer scale; for
    `max_share`, in units of 1e-7, rounded; for a shortfall searched with rounded weights, in the
    exact scale of `solver.rules.requirements.exact_shortfall_weights`)."""

    criterion: str
    status: str
    value: int | None
    bound: float | None
    wall_s: float
    exact: Fraction | None = None
    """The stage's value in the domain's units, exactly: what the later stages hold."""
    relaxation_bound: float | None = None
    """The linear relaxation's proven bound on the criterion (large models)."""
    relaxation_s: float = 0.0
    neighbourhood_s: float = 0.0
    """Seconds of the search around the relaxation's optimum (large models)."""
    neighbourhood_rounds: int = 0
    merged: bool = False
    """Optimised in the same search as the stage before it (one objective, exact lexicographically):
    its status is that search's, its seconds counted there."""


@dataclass
class SolveReport:
    """What the search did, stage by stage (for benchmarks and logs)."""

    stages: list[StageResult] = field(default_factory=list)
    build_s: float = 0.0
    first_package_s: float | None = None
    wall_s: float = 0.0
    cancelled: bool = False


ProgressCallback = Callable[[str, float, float], None]
"""Called on every improving package: (criterion, objective in domain units, seconds since start)."""


def configure(solver: cp_model.CpSolver, params: SolveParams, time_left: float, workers: int, pairs: int) -> None:
    """CP-SAT parameters for one stage of a model of `pairs` (unit, line) pairs."""
    p = solver.parameters
    p.max_time_in_seconds = max(0.01, time_left)
    if params.deterministic:
        # Deterministic time (work units, about seconds on a quiet machine) makes the same
        # search stop at the same point whatever the load; wall time is only a backstop.
        p.max_deterministic_time = max(0.01, time_left)
        p.max_time_in_seconds = max(0.01, 10 * time_left)
    p.num_workers = workers
    p.random_seed = params.seed
    # One worker with a stronger linear relaxation proves the cost stage far faster than the
    # default portfolio on two cores (docs/benchmarks.md).
    if workers == 1:
        p.linearization_level = 2
    if pairs >= WHOLE_NEIGHBOURHOOD_PAIRS:
        # Full presolve took 8-11 s of a minute on 500 nations before the search could start; one
        # pass without probing, 2-3 s (what still searches the whole model there: drawing the money,
        # a stage with no package to start the neighbourhoods from).
        p.max_presolve_iterations = 1
        p.cp_model_probing_level = 0

    p.log_search_progress = params.log
    if params.log:
        solver.log_callback = lambda line: logger.info(line)


@dataclass
class _Outcome:
    """What a stage's search ended with, in the criterion's integer scale."""

    code: cp_model.CpSolverStatus
    value: int
    bound: float
    values: list[int]
    """Every variable of the searched model (a copy's may have more), empty when none was found."""

    @classmethod
    def of(cls, solver: cp_model.CpSolver, code: cp_model.CpSolverStatus) -> _Outcome:
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return cls(code, 0, solver.best_objective_bound, [])
        values = list(solver.response_proto.solution)
        return cls(code, round(solver.objective_value), solver.best_objective_bound, values)


class _Progress(cp_model.CpSolverSolutionCallback):
    """Reports each improving package by the value of the stage's first criterion."""

    def __init__(
        self,
        criterion: str,
        expr: LinearExpr,
        factor: int,
        start: float,
        report: SolveReport,
        callback: ProgressCallback | None,
    ) -> None:
        super().__init__()
        self.criterion, self.expr, self.factor = criterion, expr, factor
        self.start, self.report, self.callback = start, report, callback

    def on_solution_callback(self) -> None:
        elapsed = time.perf_counter() - self.start
        if self.report.first_package_s is None:
            self.report.first_package_s = elapsed
        if self.callback is not None:
            self.callback(self.criterion, self.value(self.expr) / self.factor, elapsed)


def _minimise_share(
    builder: ModelBuilder,
    params: SolveParams,
    time_left: float,
    cancel: threading.Event | None,
    start: float,
    report: SolveReport,
    on_package: ProgressCallback | None,
    workers: int,
    pairs: int,
) -> _Outcome:
    """The `max_share` stage as a sequence of exact linear problems (Dinkelbach's method).

    The share of the largest contributor is a ratio, personnel(n) / total; held as a bound times
    the total it needs a product of two variables, whose weak relaxation left CP-SAT unable to
    prove even small optima. Here, with p/q the exact share of the best package so far, each step
    asks for a package with a smaller share, q x largest < p x total in integers (or nobody
    deployed, share 0), minimising `q x largest - p x total` (linear once p/q is a number); no such
    package proves p/q optimal, exactly. Each step runs on a copy of the model (same variables, and
    a few more), so the model keeps only the stage's final hold. Returns the stage's status and the
    best package (`value` and `bound` in units of 1e-7, for reports).
    """
    model = builder.model
    deadline = time.perf_counter() + time_left
    total = builder.total_personnel()
    most = upper_bound(model, total)
    personnel = [builder.personnel(n) for n in builder.vars.contributes]
    best: tuple[list[int], Fraction] | None = None
    while True:
        trial = model.clone()
        trial.clear_objective()  # type: ignore[no-untyped-call]
        if best is not None:
            p, q = best[1].numerator, best[1].denominator
            largest = trial.new_int_var(0, most, "largest_contingent")
            anyone = trial.new_bool_var("anyone_deploys")
            for expr in personnel:
                trial.add(expr <= largest)
            trial.add(total <= most * anyone)
            at_most(trial, [(q, largest), (1, anyone), (-p, total)], 0)
            # The objective only guides the step (the row above decides): with integers too large
            # to be exact in doubles, a nearby ratio guides as well.
            guide = (
                best[1] if max(p, q) * most <= EXACT_LIMIT else best[1].limit_denominator(max(1, EXACT_LIMIT // most))
            )
            trial.minimize(guide.denominator * largest - guide.numerator * total)
        solver = new_solver()
        configure(solver, params, deadline - time.perf_counter(), workers, pairs)
        with cancellable(solver, cancel):
            code = solver.solve(trial)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values = list(solver.response_proto.solution)[: len(model.proto.variables)]
            share = share_of(builder, values)
            best = (values, share)
            elapsed = time.perf_counter() - start
            if report.first_package_s is None:
                report.first_package_s = elapsed
            if on_package is not None:
                on_package("max_share", float(share), elapsed)
            z = math.ceil(share * SHARE_SCALE)
            if share == 0:
                return _Outcome(cp_model.OPTIMAL, z, 0.0, values)
            if time.perf_counter() < deadline and not (cancel is not None and cancel.is_set()):
                continue
            return _Outcome(cp_model.FEASIBLE, z, 0.0, values)
        if best is None:
            return _Outcome(code, 0, 0.0, [])
        z = math.ceil(best[1] * SHARE_SCALE)
        if code == cp_model.INFEASIBLE:
            return _Outcome(cp_model.OPTIMAL, z, float(best[1] * SHARE_SCALE), best[0])
        return _Outcome(cp_model.FEASIBLE, z, 0.0, best[0])


def _prove_shortfall(
    builder: ModelBuilder,
    current: list[int],
    params: SolveParams,
    deadline: float,
    cancel: threading.Event | None,
    workers: int,
    pairs: int,
) -> tuple[bool, list[int]]:
    """After a search with rounded shortfall weights (the exact ones too large for one integer
    objective), prove its package exactly optimal or find the exact optimum.

    Each step asks, on a copy of the model with its rounded objective, for a package whose exact
    shortfall is smaller than the best so far (one exact row, `solver.criteria.at_most`); none
    proves it. Returns whether it was proven, and the best package (a value for every variable).
    """
    model = builder.model
    weights, _ = exact_shortfall_weights(builder.scenario)
    terms = [(w, builder.vars.shortfall[rid]) for rid, w in weights.items()]
    while True:
        value = sum(w * int(current[x.index]) for w, x in terms)
        if value == 0:
            return True, current
        left = deadline - time.perf_counter()
        if left <= 0.01 or (cancel is not None and cancel.is_set()):
            return False, current
        trial = model.clone()
        at_most(trial, terms, value - 1)
        solver = new_solver()
        configure(solver, params, left, workers, pairs)
        with cancellable(solver, cancel):
            code = solver.solve(trial)
        if code == cp_model.INFEASIBLE:
            return True, current
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False, current
        current = builder.tightened(list(solver.response_proto.solution)[: len(model.proto.variables)])


def trivial_bound(built: BuiltModel, criterion: str) -> float:
    """A bound every package meets, reported for a criterion no stage reached."""
    if criterion == "nations":
        return float(len(built.vars.contributes))
    if criterion == "readiness":
        units = {c.key: c.unit for c in built.candidates}
        return float(sum(u.readiness.rank * u.count for u in units.values()))
    return 0.0  # shortfall, cost, max_share, churn are never negative


def _package_of(built: BuiltModel, values: Sequence[int]) -> Package:
    """The package in a value for every model variable."""
    v = built.vars
    return Package.of(
        {pair: int(values[var.index]) for pair, var in v.units.items()},
        {key: int(values[var.index]) for key, var in v.flows.items()},
    )


def _hint_all(model: cp_model.CpModel, values: Sequence[int]) -> None:
    """A complete hint: CP-SAT takes a feasible one as its first package at once."""
    model.clear_hints()  # type: ignore[no-untyped-call]
    hint = model.proto.solution_hint
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)


@dataclass
class _Around:
    """What the relaxation and the search around it gave one stage, in its objective's integer
    scale (several criteria's, when merged)."""

    bound: float | None
    """The relaxation's proven bound on the objective (None when it was not solved)."""
    value: int
    """The objective's value of the best package after the neighbourhood search."""
    values: list[int] | None
    """That package, when the neighbourhood search improved on the one it started from."""
    proven: bool
    """The package meets the bound: it is optimal."""
    searched: bool = False
    """The neighbourhood search took the stage's whole time: no search of the whole model follows."""


NEIGHBOURHOOD_SHARE = 0.5
"""Of the time left to a large model's stage, the most its neighbourhood search may take."""
RELAXATION_SHARE = 0.25
"""Of the time left to a large model's stage, the most solving its linear relaxation may take."""
WHOLE_MARGIN_S = 1.5
"""Left, when the neighbourhood search takes a stage's whole time, for drawing the money after."""
WHOLE_NEIGHBOURHOOD_PAIRS = 20_000
"""From this many (unit, line) pairs up (about 350 nations), the neighbourhood search takes each
stage's whole time: on 500 nations it reached 614.9 and 588.2 in a minute on one worker, where half
the time for it and half for CP-SAT's whole search on two workers reached 620.8 and 591.1 (and the
whole search on one worker moved nothing). Below it CP-SAT's whole search is worth its half."""


def _around_relaxation(
    built: BuiltModel,
    tighten: Callable[[Sequence[int]], list[int]],
    current: list[int] | None,
    time_left: float,
    params: SolveParams,
    cancel: threading.Event | None,
    stage: StageResult,
    whole: bool,
) -> _Around:
    """Solve the stage's linear relaxation, then search around its optimum (solver.neighbourhood)
    from the package `current` (a value for every model variable, `tighten`ed), when there is one,
    each round's package passed through `tighten` (`ModelBuilder.tightened`): for up to
    NEIGHBOURHOOD_SHARE of the time, or, when `whole`, for all of it, with rounds by sector after
    the relaxation's own.

    The model's objective is the stage's. Fills the stage's report: the relaxation's and the
    neighbourhood's seconds, the neighbourhood's rounds.
    """
    model = built.model
    coefficients, offset, sign = objective_of(model)
    start = time.perf_counter()
    relaxation = relax(model, coefficients, RELAXATION_SHARE * time_left, cancel)
    stage.relaxation_s = time.perf_counter() - start
    bound = None if relaxation is None else sign * (relaxation.bound + offset)
    if current is None:
        return _Around(bound, 0, None, False)
    value = minimised(model, current)
    if relaxation is None:
        return _Around(None, sign * (value + offset), None, False)
    if relaxation.bound >= value:
        return _Around(bound, sign * (value + offset), None, True)
    start = time.perf_counter()
    pairs = [var.index for var in built.vars.units.values()]
    left = max(0.0, time_left - stage.relaxation_s)
    budget = max(0.0, left - WHOLE_MARGIN_S) if whole else NEIGHBOURHOOD_SHARE * left
    by_sector: dict[str, list[int]] = {}
    if whole:
        for c in built.candidates:
            by_sector.setdefault(c.requirement.sector, []).append(built.vars.units[(c.key, c.requirement.id)].index)

    def round_parameters(solver: cp_model.CpSolver, seconds: float) -> None:
        # One worker with the strong relaxation: the neighbourhood is small enough to search well.
        # Not logged: the log is read as one section per stage's own search.
        configure(solver, params, seconds, 1, 0)
        solver.parameters.log_search_progress = False

    better = around_relaxation(
        model,
        pairs,
        current,
        relaxation,
        budget,
        configure=round_parameters,
        cancel=cancel,
        groups=[by_sector[sector] for sector in sorted(by_sector)],
        seed=params.seed,
        tighten=tighten,
    )
    stage.neighbourhood_s = time.perf_counter() - start
    if better is None:
        return _Around(bound, sign * (value + offset), None, False, whole)
    values, improved, stage.neighbourhood_rounds = better
    return _Around(bound, sign * (improved + offset), values, relaxation.bound >= improved, whole)


def _tightest(criterion: str, proved: float | None, known: float | None) -> float:
    """The tighter of a bound a stage proved and the one known, both in domain units: the larger for
    a minimised criterion, the smaller for a maximised one."""
    candidates = [] if proved is None or not math.isfinite(proved) else [proved]
    if known is not None:
        candidates.append(known)
    return min(candidates) if maximised(criterion) else max(candidates)


@dataclass
class _Group:
    """Consecutive criteria optimised as one objective (`solver.criteria.merge`); no forms for `max_share`."""

    forms: list[Form]
    weights: list[int]
    factor: int = 1
    """The first criterion's factor from domain units to its integer scale."""
    rounding: Fraction | None = None
    """A shortfall searched with rounded weights: the most their sum may exceed factor x the exact
    shortfall (`solver.rules.requirements.rounding_excess`); the search's answer is then proven
    with exact constraints."""

    def bound_on_first(self, bounds: Sequence[float | None]) -> float | None:
        """The best bound the merged objective's bounds prove on the first criterion (its scale)."""
        proved = [first_bound(self.forms, self.weights, b) for b in bounds if b is not None and math.isfinite(b)]
        if not proved:
            return None
        return min(proved) if maximised(self.forms[0].criterion) else max(proved)

    def proven(self, bounds: Sequence[float | None]) -> float | None:
        """The same in the domain's units (for rounded weights, a bound on the exact shortfall)."""
        proved = self.bound_on_first(bounds)
        if proved is None:
            return None
        if self.rounding is not None:
            return max(0.0, float((Fraction(math.ceil(proved)) - self.rounding) / self.factor))
        return proved / self.factor


def _groups(
    builder: ModelBuilder, stages: Sequence[tuple[str, Fraction]], forms: dict[str, Form], *, tie_break: bool
) -> list[_Group]:
    """The stages as searches: a criterion joins the one before it when that one has no tolerance
    and the merged objective's span stays exact (`solver.criteria.merge`). A shortfall searched with
    rounded weights (`solver.rules.requirements.shortfall_is_exact`) and `max_share` are searches of
    their own, and so is a last `churn` that breaks ties (`tie_break`) after an objective with a
    tolerance: it may only choose among packages exactly as good as the one found.

    Each merged criterion saves a CP-SAT run (on 70 nations the `nations` stage alone took 0.5-0.9 s
    after `cost`; merged, the pair takes what `cost` took)."""
    groups: list[_Group] = []
    previous_tolerance: Fraction | None = None
    exact_shortfall = shortfall_is_exact(builder.scenario)
    tolerant = any(tolerance for _, tolerance in stages)
    for criterion, tolerance in stages:
        if criterion == "max_share":
            groups.append(_Group([], []))
            previous_tolerance = None
            continue
        f = forms[criterion]
        factor = builder.criteria[criterion][1]
        if criterion == "shortfall" and not exact_shortfall:
            groups.append(_Group([f], [1], factor, rounding_excess(builder.scenario)))
            previous_tolerance = None
            continue
        last = groups[-1] if groups else None
        joins = not (tie_break and criterion == "churn" and tolerant)
        if joins and last is not None and last.forms and last.rounding is None and previous_tolerance == 0:
            weights = merge([*last.forms, f])
            if weights is not None:
                last.forms.append(f)
                last.weights = weights
                previous_tolerance = tolerance
                continue
        groups.append(_Group([f], [1], factor))
        previous_tolerance = tolerance
    return groups


def solve(
    scenario: Scenario,
    params: SolveParams | None = None,
    *,
    hint: Package | None = None,
    on_package: ProgressCallback | None = None,
    report: SolveReport | None = None,
    explain: bool = True,
    include: Sequence[str] = (),
    cancel: threading.Event | None = None,
    repair_from: Package | None = None,
    prefer: Package | None = None,
    constraints: Callable[[ModelBuilder], None] | None = None,
) -> Solution:
    """Find the best force package of a scenario.

    Parameters
    ----------
    scenario
        A validated scenario.
    params
        Time limit, workers, seed, determinism.
    hint
        A package to start the search from (a baseline, or a previous answer).
    on_package
        Called on every improving package found, for progress reports.
    report
        Filled with per-stage figures when given.
    include
        Nation codes that must take part and offered unit ids that must deploy.
    repair_from
        A baseline package: minimise churn against it first (units moved, added or removed),
        then the scenario's objective; the baseline also hints the search.
    prefer
        A baseline package to break ties toward: after the scenario's objective, a last stage
        minimises churn against it among the packages exactly as good as the one found on every
        criterion (each held at its exact value, not within its tolerance), so an equally good
        package does not move units for nothing.
    constraints
        Adds further constraints to the built model (alternatives, resilience).
    cancel
        Set from another thread to stop the search within about 0.1 s: the best package found
        so far is returned (`feasible`), or status `unknown` when none was.
    explain
        When the scenario is infeasible, find the conflict and relaxations (`solver.explain`),
        within EXPLAIN_TIME_LIMIT_S more seconds.

    Returns
    -------
    Solution
        The solution document; `status` tells whether a package was found.
    """
    params = params or SolveParams()
    report = report if report is not None else SolveReport()
    start = time.perf_counter()
    anchor = repair_from if repair_from is not None else prefer
    builder = ModelBuilder(
        scenario, include=include, baseline=dict(anchor.assignment) if anchor is not None else None, cancel=cancel
    )
    try:
        built = builder.build()
    except BuildCancelled:
        # Cancelled before the search could start: no package, and the thread is free at once.
        report.cancelled = True
        report.wall_s = time.perf_counter() - start
        run = RunInfo(
            solver=SOLVER_NAME,
            solver_version=SOLVER_VERSION,
            workers=params.effective_workers,
            seed=params.seed,
            time_limit_s=params.time_limit_s,
            wall_s=round(report.wall_s, 3),
        )
        return solution_document(scenario, None, status="unknown", run=run)
    if constraints is not None:
        constraints(builder)
    if anchor is not None and hint is None:
        hint = anchor
    report.build_s = time.perf_counter() - start
    model = built.model
    if hint is not None:
        for pair, var in built.vars.units.items():
            model.add_hint(var, hint.assignment.get(pair, 0))

    package: Package | None = None
    status: Status = "optimal"
    bounds: dict[str, float | None] = {}
    current: list[int] | None = None
    """Every model variable's value in the best package so far (a complete hint)."""

    # Tolerances as the decimals written: 0.29 is 29/100 (`solver.criteria.tolerance_of`).
    stages: list[tuple[str, Fraction]] = [(t.criterion, tolerance_of(t.tolerance)) for t in scenario.objective]
    if repair_from is not None:
        stages.insert(0, ("churn", Fraction(0)))
    elif prefer is not None:
        stages.append(("churn", Fraction(0)))
    # Each criterion as a linear form over the model's variables (read before any stage sets an objective).
    forms = {criterion: form(builder, criterion) for criterion, _ in stages if criterion != "max_share"}
    pairs = len(built.vars.units)
    large = pairs >= MIN_PAIRS
    workers = params.effective_workers
    if large:
        # A large model: a complete package before the search, so there is one to return within a
        # second or two, and CP-SAT starts from a complete, feasible hint (a partial one, such as a
        # baseline's units alone, left it without any package for a minute on 500 nations).
        allowed = min(CONSTRUCT_TIME_LIMIT_S, params.time_limit_s / 4)
        construction = complete(builder, hint.assignment, allowed, 1, cancel) if hint is not None else None
        if construction is None and not include:
            construction = construct(builder, allowed, 1, cancel)
        if construction is not None:
            package = construction.package
            current = builder.tightened(construction.values)
            _hint_all(model, current)
            elapsed = time.perf_counter() - start
            report.first_package_s = elapsed
            criterion = stages[0][0]
            if on_package is not None and criterion != "max_share":
                expr, factor = built.criteria[criterion]
                on_package(criterion, construction.solver.value(expr) / factor, elapsed)
            logger.debug("a complete first package in %.2fs", construction.seconds)
    # Until a stage proves better, each criterion's bound is the trivial one.
    bounds.update({criterion: trivial_bound(built, criterion) for criterion, _ in stages})
    tolerances = dict(stages)
    proven: set[str] = set()
    objective = [t.criterion for t in scenario.objective]
    for group in _groups(builder, stages, forms, tie_break=prefer is not None):
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            status = "unknown" if package is None else "feasible"
            break
        head = group.forms[0].criterion if group.forms else "max_share"
        time_left = params.time_limit_s - (time.perf_counter() - start)
        if time_left <= 0.01 and package is not None:
            status = "feasible"
            break
        if prefer is not None and head == "churn" and current is not None:
            # The tie-break toward the baseline chooses only among packages exactly as good as the
            # one found on every criterion: with a tolerance, that package is the patched
            # scenario's optimum, and a package merely within the tolerance is not.
            for name in objective:
                hold(builder, name, exact_value(builder, name, current, forms.get(name)), exactly=True)
        stage_start = time.perf_counter()
        names = [f.criterion for f in group.forms] or ["max_share"]
        results = [StageResult(name, "", None, None, 0.0, merged=i > 0) for i, name in enumerate(names)]
        report.stages.extend(results)
        stage = results[0]
        relaxed: float | None = None  # the relaxation's bound on the merged objective
        outcome: _Outcome | None = None
        if not group.forms:
            outcome = _minimise_share(builder, params, time_left, cancel, start, report, on_package, workers, pairs)
        else:
            model.minimize(merged_expression(builder, group.forms, group.weights))
            expr, factor = built.criteria[head]
            if large:
                # CP-SAT's search of a model this large moved nothing in a minute on one worker, and
                # less than the neighbourhoods on two (500 nations): they get the stage's whole time.
                whole = pairs >= WHOLE_NEIGHBOURHOOD_PAIRS
                around = _around_relaxation(built, builder.tightened, current, time_left, params, cancel, stage, whole)
                relaxed = around.bound
                stage.relaxation_bound = group.bound_on_first([relaxed])
                if around.values is not None:
                    current = around.values
                    package = _package_of(built, current)
                    _hint_all(model, current)
                    if on_package is not None:
                        on_package(head, group.forms[0].value(current) / factor, time.perf_counter() - start)
                if around.proven and current is not None:
                    # The package meets the relaxation's bound: optimal, no search needed.
                    outcome = _Outcome(cp_model.OPTIMAL, around.value, float(around.value), current)
                elif around.searched and current is not None:
                    outcome = _Outcome(cp_model.FEASIBLE, around.value, -math.inf, current)
            if outcome is None:
                solver = new_solver()
                configure(solver, params, params.time_limit_s - (time.perf_counter() - start), workers, pairs)
                with cancellable(solver, cancel):
                    code = solver.solve(model, _Progress(head, expr, factor, start, report, on_package))
                outcome = _Outcome.of(solver, code)
        if cancel is not None and cancel.is_set():
            report.cancelled = True
        code = outcome.code
        for result in results:
            result.status = code.name
        stage.wall_s = time.perf_counter() - stage_start
        logger.debug("stage %s: %s in %.2fs", "+".join(names), stage.status, stage.wall_s)

        if code == cp_model.INFEASIBLE and package is None:
            status = "infeasible"
            break
        if code == cp_model.MODEL_INVALID:
            raise RuntimeError(f"internal error: invalid CP-SAT model ({model.validate()})")
        if code in (cp_model.UNKNOWN, cp_model.INFEASIBLE):
            # No answer this stage (time ran out); the previous stage's (or the constructed, or the
            # neighbourhood's) package stands.
            if package is None:
                status = "unknown"
                break
            if group.forms:
                searched = outcome.bound if code == cp_model.UNKNOWN else None
                bounds[head] = _tightest(head, group.proven([searched, relaxed]), bounds[head])
            status = "feasible"
            break

        # A search's package may leave a shortfall or churn above what its units give: the stage's
        # value, and the hold on it for the later stages, are the package's own.
        current = builder.tightened(outcome.values[: len(model.proto.variables)])
        if group.rounding is not None and code == cp_model.OPTIMAL:
            # Optimal for the rounded weights only: proven (or improved) with exact constraints.
            deadline = start + params.time_limit_s
            exact, current = _prove_shortfall(builder, current, params, deadline, cancel, workers, pairs)
            if cancel is not None and cancel.is_set():
                report.cancelled = True
            if not exact:
                code = cp_model.FEASIBLE
                stage.status = code.name
        package = _package_of(built, current)
        for result in results:
            result.exact = exact_value(builder, result.criterion, current, forms.get(result.criterion))
        proved: float | None
        if not group.forms:
            stage.value = outcome.value
            proved = outcome.bound / SHARE_SCALE if code == cp_model.OPTIMAL else 0.0
            stage.bound = outcome.bound
        else:
            for result, f in zip(results, group.forms, strict=True):
                result.value = f.value(current)
            stage.bound = group.bound_on_first([outcome.bound, relaxed])
            proved = group.proven([outcome.bound, relaxed])
            if group.rounding is not None and stage.exact is not None:
                # Reported in the exact scale (`exact_shortfall_weights`).
                scale = exact_shortfall_weights(scenario)[1]
                stage.value = (stage.exact * scale).numerator
                stage.bound = float(stage.value) if code == cp_model.OPTIMAL else None
        for result in results:
            criterion, value = result.criterion, result.exact
            assert value is not None
            if code == cp_model.OPTIMAL:
                # Proven: the stage's value is the optimum (a tolerance may let later stages trade
                # some of it away; the package's own value is then reported with this bound).
                bounds[criterion] = float(value)
                proven.add(criterion)
                tolerance = tolerances[criterion]
            else:
                status = "feasible"
                if result is stage:
                    bounds[criterion] = _tightest(criterion, proved, bounds[criterion])
                tolerance = Fraction(0)
            hold(builder, criterion, value, tolerance)  # for the later stages
        _hint_all(model, current)

    if package is not None and built.vars.flows and not report.cancelled:
        package = _draw_funding(built, package, params, start, pairs) or package

    report.wall_s = time.perf_counter() - start
    run = RunInfo(
        solver=SOLVER_NAME,
        solver_version=SOLVER_VERSION,
        workers=workers,
        seed=params.seed,
        time_limit_s=params.time_limit_s,
        wall_s=round(report.wall_s, 3),
    )
    if package is None:
        explanation = None
        if status == "infeasible" and explain:
            from forcepack.solver.explain import explain as explain_scenario

            budget = SolveParams(time_limit_s=EXPLAIN_TIME_LIMIT_S, workers=params.effective_workers, seed=params.seed)
            explanation = explain_scenario(scenario, budget, include=include, cancel=cancel)
        return solution_document(scenario, None, status=status, run=run, explanation=explanation)
    document = solution_document(
        scenario,
        package,
        status=status,
        run=run,
        bounds=bounds,
        criteria=[c for c, _ in stages],
        baseline=anchor,
    )
    # The gap of the first criterion not proven optimal (a stage cut short, or never reached).
    for item in document.objective:
        if item.criterion not in proven:
            gap = abs(item.value - item.bound) / max(1.0, abs(item.value))
            return document.model_copy(update={"gap": gap})
    return document


def _draw_funding(built: BuiltModel, package: Package, params: SolveParams, start: float, pairs: int) -> Package | None:
    """With the package's units fixed, draw as much pledged money as the rules allow."""
    model = built.model
    for pair, var in built.vars.units.items():
        model.add(var == package.assignment.get(pair, 0))
    model.maximize(sum(built.vars.drawn.values()))
    stage_solver = new_solver()
    time_left = max(0.2, params.time_limit_s - (time.perf_counter() - start))
    configure(stage_solver, params, time_left, params.effective_workers, pairs)
    code = stage_solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return _package_of(built, list(stage_solver.response_proto.solution))
