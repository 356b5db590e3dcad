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
from typing import Any

from ortools.init.python import init
from ortools.sat.python import cp_model

from forcepack.models.scenario import Scenario
from forcepack.models.solution import RunInfo, Solution, Status
from forcepack.solver.builder import BoolVar, BuildCancelled, BuiltModel, LinearExpr, ModelBuilder
from forcepack.solver.cancel import cancellable
from forcepack.solver.construct import MIN_PAIRS, Construction, complete, construct
from forcepack.solver.criteria import (
    SHARE_SCALE,
    Criterion,
    Form,
    criterion,
    first_bound,
    form,
    merge,
    merged_expression,
    share_of,
    tolerance_of,
)
from forcepack.solver.document import Package, solution_document
from forcepack.solver.engine import new_solver
from forcepack.solver.exact import EXACT_LIMIT, at_most, upper_bound
from forcepack.solver.neighbourhood import around_relaxation, minimised
from forcepack.solver.params import SolveParams
from forcepack.solver.phased import PhasedBuilder, model_builder
from forcepack.solver.phased_construct import complete_plan, construct_plan
from forcepack.solver.relaxation import objective_of, relax
from forcepack.solver.rules.requirements import exact_shortfall_weights, rounding_excess, shortfall_weights

logger = logging.getLogger("forcepack.solver")

SOLVER_NAME = "cp-sat"
SOLVER_VERSION = init.OrToolsVersion.version_string()
CONSTRUCT_TIME_LIMIT_S = 5.0
"""Most of the budget the construction of a first package may take (its completion by CP-SAT)."""
STAGE_SHARE = 0.6
"""Of the time left, what a search that is not the last one gets; the rest is kept for the
searches after it, so that at scale (200 and 500 nations, where `shortfall` alone is not proven
in a minute) `cost` and `nations` are optimised too. A search that ends early hands its time on;
one that has no package at the end of its share goes on with all the time left."""


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
    elif workers == 2:
        # Two workers: the strong relaxation's search (`max_lp`, what one worker runs) beside CP-SAT's
        # default one. CP-SAT's own two-worker portfolio left 3 of 9 `many-lines` runs unproven after
        # 10 units of deterministic time where this pair proves them in 0.3-0.4; one worker alone left
        # a `partial-personnel` run unproven (no better package found for 6 units with the bound
        # already tight) that the pair proves in 0.16 (docs/decisions.md, `python -m bench.robust`).
        p.subsolvers.extend(["max_lp", "default_lp"])
    if pairs >= WHOLE_NEIGHBOURHOOD_PAIRS:
        # Full presolve took 8-11 s of a minute on 500 nations before the search could start; one
        # pass without probing, 2-3 s (what still searches the whole model there: drawing the money,
        # a stage with no package to start the neighbourhoods from).
        p.max_presolve_iterations = 1
        p.cp_model_probing_level = 0

    if not params.presolve:
        p.cp_model_presolve = False
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
        self.found = False
        self.stop_at_next = False
        """Set when the stage's share of the time ran out before any package: stop at the first."""

    def on_solution_callback(self) -> None:
        self.found = True
        if self.stop_at_next:
            self.stop_search()
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
    proves it. Such a package's rounded shortfall is at most the rounded scale times its exact one
    plus the rounding's most excess (`rounding_excess`): that row too is added, so the search looks
    only among packages the rounded search found about as good (without it, a 70-nation scenario's
    proof ran out of time on a gap of 3e-7). Returns whether it was proven, and the best package (a
    value for every variable).
    """
    model = builder.model
    weights, scale = exact_shortfall_weights(builder.scenario)
    terms = [(w, builder.vars.shortfall[rid]) for rid, w in weights.items()]
    rounded, rounded_scale = shortfall_weights(builder.scenario)
    excess = rounding_excess(builder.scenario)
    rounded_sum = sum(rounded[rid] * builder.vars.shortfall[rid] for rid in weights)
    while True:
        value = sum(w * int(current[x.index]) for w, x in terms)
        if value == 0:
            return True, current
        left = deadline - time.perf_counter()
        if left <= 0.01 or (cancel is not None and cancel.is_set()):
            return False, current
        trial = model.clone()
        at_most(trial, terms, value - 1)
        trial.add(rounded_sum <= math.floor(Fraction(rounded_scale * (value - 1), scale) + excess))
        solver = new_solver()
        configure(solver, params, left, workers, pairs)
        with cancellable(solver, cancel):
            code = solver.solve(trial)
        if code == cp_model.INFEASIBLE:
            return True, current
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False, current
        current = builder.tightened(list(solver.response_proto.solution)[: len(model.proto.variables)])


def _package_of(built: BuiltModel, values: Sequence[int]) -> Package:
    """The package in a value for every model variable."""
    v = built.vars
    return Package.of(
        {pair: int(values[var.index]) for pair, var in v.units.items()},
        {key: int(values[var.index]) for key, var in v.flows.items()},
        {key: int(values[var.index]) for key, var in built.tours.items()},
        {key: (int(values[p.index]), int(values[t.index])) for key, (p, t) in built.node_flows.items()},
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


def _tightest(held: Criterion, proved: float | None, known: float | None) -> float:
    """The tighter of a bound a stage proved and the one known, both in domain units: the larger for
    a minimised criterion, the smaller for a maximised one."""
    candidates = [] if proved is None or not math.isfinite(proved) else [proved]
    if known is not None:
        candidates.append(known)
    return min(candidates) if held.maximised else max(candidates)


@dataclass
class _Group:
    """Consecutive criteria optimised as one objective (`solver.criteria.merge`); no forms for a
    criterion that is not linear (`max_share`, searched on its own)."""

    head: Criterion
    forms: list[Form]
    weights: list[int]
    factor: int = 1
    """The first criterion's factor from domain units to its integer scale."""
    rounding: Fraction | None = None
    """A criterion searched with rounded weights (`Criterion.rounding`): the most their sum may
    exceed factor x the exact value; the search's answer is then proven with exact constraints."""
    tie_break: bool = False
    """The group is the tie-break toward a preferred package (`Stage.tie_break`)."""

    def bound_on_first(self, bounds: Sequence[float | None]) -> float | None:
        """The best bound the merged objective's bounds prove on the first criterion (its scale)."""
        proved = [first_bound(self.forms, self.weights, b) for b in bounds if b is not None and math.isfinite(b)]
        if not proved:
            return None
        return min(proved) if self.head.maximised else max(proved)

    def proven(self, bounds: Sequence[float | None]) -> float | None:
        """The same in the domain's units (for rounded weights, a bound on the exact value)."""
        proved = self.bound_on_first(bounds)
        if proved is None:
            return None
        if self.rounding is not None:
            return max(0.0, float((Fraction(math.ceil(proved)) - self.rounding) / self.factor))
        return proved / self.factor


def _groups(builder: ModelBuilder, stages: Sequence[Stage], forms: dict[str, Form]) -> list[_Group]:
    """The stages as searches: a criterion joins the one before it when that one has no tolerance
    and the merged objective's span stays exact (`solver.criteria.merge`). A criterion searched
    with rounded weights (`Criterion.rounding`) or not linear is a search of its own, and so is a
    tie-break (`Stage.tie_break`) after an objective with a tolerance: it may only choose among
    packages exactly as good as the one found.

    Each merged criterion saves a CP-SAT run (on 70 nations the `nations` stage alone took 0.5-0.9 s
    after `cost`; merged, the pair takes what `cost` took)."""
    groups: list[_Group] = []
    previous_tolerance: Fraction | None = None
    tolerant = any(s.tolerance for s in stages)
    for stage in stages:
        c = stage.criterion
        if not c.linear:
            groups.append(_Group(c, [], [], tie_break=stage.tie_break))
            previous_tolerance = None
            continue
        f = forms[c.name]
        factor = builder.criteria[c.name][1]
        rounding = c.rounding(builder.scenario)
        if rounding is not None:
            groups.append(_Group(c, [f], [1], factor, rounding, tie_break=stage.tie_break))
            previous_tolerance = None
            continue
        last = groups[-1] if groups else None
        joins = not (stage.tie_break and tolerant)
        if joins and last is not None and last.forms and last.rounding is None and previous_tolerance == 0:
            weights = merge([*last.forms, f])
            if weights is not None:
                last.forms.append(f)
                last.weights = weights
                previous_tolerance = stage.tolerance
                continue
        groups.append(_Group(c, [f], [1], factor, tie_break=stage.tie_break))
        previous_tolerance = stage.tolerance
    return groups


@dataclass(frozen=True)
class Stage:
    """One criterion of the search's lexicographic objective, with its tolerance."""

    criterion: Criterion
    tolerance: Fraction
    tie_break: bool = False
    """A last `churn` toward a preferred package: it chooses only among packages exactly as good
    as the one found on every criterion before it."""


@dataclass
class _State:
    """What the search holds between its stages."""

    package: Package | None = None
    current: list[int] | None = None
    """Every model variable's value in the best package so far (a complete hint)."""
    fallback: bool = False
    """`current` is a constructed plan kept out of the search's hint: the next stage's package
    replaces it only when at least as good (`Search._first_plan`)."""
    status: Status = "optimal"
    bounds: dict[str, float | None] = field(default_factory=dict)
    proven: set[str] = field(default_factory=set)


class Search:
    """A scenario's model, built, and the lexicographic search of it: what `solve` does, in two
    steps an analysis composes. Between them, an analysis adds its own constraints to `builder`
    (alternatives: different enough from the packages found; resilience: a fallback for every
    withdrawal), and every rule of the scenario still holds.

    Building may raise `BuildCancelled` when the cancel event is set meanwhile.

    Parameters
    ----------
    scenario
        A validated scenario.
    include
        Nation codes that must take part and offered unit keys or ids that must deploy.
    repair_from
        A baseline package: minimise churn against it first (units moved, added or removed),
        then the scenario's objective; the baseline also hints the search.
    prefer
        A baseline package to break ties toward: after the scenario's objective, a last stage
        minimises churn against it among the packages exactly as good as the one found on every
        criterion (each held at its exact value, not within its tolerance), so an equally good
        package does not move units for nothing.
    cancel
        Set from another thread to stop the build, or the search within about 0.1 s.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        include: Sequence[str] = (),
        repair_from: Package | None = None,
        prefer: Package | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.started = time.perf_counter()
        self.scenario = scenario
        self.include = tuple(include)
        self.cancel = cancel
        self.anchor = repair_from if repair_from is not None else prefer
        self.led: Package | None = None
        """The package of `lead`'s search, once made."""
        anchor = self.anchor
        baseline: dict[Any, int] | None = None
        if anchor is not None:
            baseline = dict(anchor.tours) if scenario.phasing is not None else dict(anchor.assignment)
        self.builder = model_builder(scenario, include=include, baseline=baseline, cancel=cancel)
        self.built = self.builder.build()
        self.build_s = time.perf_counter() - self.started
        # Tolerances as the decimals written: 0.29 is 29/100 (`solver.criteria.tolerance_of`).
        self.stages = [Stage(criterion(t.criterion), tolerance_of(t.tolerance)) for t in scenario.objective]
        if repair_from is not None:
            self.stages.insert(0, Stage(criterion("churn"), Fraction(0)))
        elif prefer is not None:
            self.stages.append(Stage(criterion("churn"), Fraction(0), tie_break=True))

    def lead(
        self,
        counted: Sequence[BoolVar],
        params: SolveParams,
        *,
        maximise: bool,
        share: float,
        cancel: threading.Event | None = None,
    ) -> tuple[int | None, cp_model.CpSolverStatus]:
        """A first search, before `run`: the best count of the literals (fewest or most) in `share`
        of the time limit, held for `run` (no worse) with its package as `run`'s hint. Returns the
        count found (None when none was) and the search's status (`OPTIMAL`: the count is proven)."""
        model = self.built.model
        total = sum(counted)
        model.maximize(total) if maximise else model.minimize(total)
        solver = new_solver()
        configure(solver, params, share * params.time_limit_s, params.effective_workers, len(self.built.vars.units))
        with cancellable(solver, cancel):
            code = solver.solve(model)
        model.clear_objective()  # type: ignore[no-untyped-call]
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, code
        found = round(solver.objective_value)
        model.add(total >= found if maximise else total <= found)
        # `run`'s hint by default, in place of any given to this search (its units; a phased plan is
        # completed from its tours, as a baseline's would be).
        model.clear_hints()  # type: ignore[no-untyped-call]
        self.led = _package_of(self.built, list(solver.response_proto.solution))
        return found, code

    def run(
        self,
        params: SolveParams | None = None,
        *,
        hint: Package | None = None,
        on_package: ProgressCallback | None = None,
        report: SolveReport | None = None,
    ) -> Solution:
        """Search the model, stage by stage: the solution document (never explained: an infeasible
        answer's explanation is `forcepack.solver.solve`'s to add).

        `hint` is a package to start from (the baseline by default); `on_package` is called on
        every improving package found; `report` is filled with per-stage figures."""
        params = params or SolveParams()
        report = report if report is not None else SolveReport()
        report.build_s = self.build_s
        start = self.started
        builder, built, model = self.builder, self.built, self.built.model
        hint = hint if hint is not None else self.anchor if self.anchor is not None else self.led
        if hint is not None:
            for pair, var in built.vars.units.items():
                model.add_hint(var, hint.assignment.get(pair, 0))
        state = _State()
        # Each criterion as a linear form over the model's variables (read before any stage sets an objective).
        forms = {s.criterion.name: form(builder, s.criterion.name) for s in self.stages if s.criterion.linear}
        pairs = len(built.vars.units)
        if self.scenario.phasing is not None:
            self._first_plan(state, params, hint, report, on_package)
        elif pairs >= MIN_PAIRS:
            self._first_package(state, params, hint, report, on_package)
        # Until a stage proves better, each criterion's bound is the trivial one.
        state.bounds.update(
            {s.criterion.name: s.criterion.trivial_bound(self.scenario, built.candidates) for s in self.stages}
        )
        groups = _groups(builder, self.stages, forms)
        for i, group in enumerate(groups):
            if self.cancel is not None and self.cancel.is_set():
                report.cancelled = True
                state.status = "unknown" if state.package is None else "feasible"
                break
            time_left = params.time_limit_s - (time.perf_counter() - start)
            if time_left <= 0.01 and state.package is not None:
                state.status = "feasible"
                break
            if group.tie_break and state.current is not None:
                # The tie-break toward the baseline chooses only among packages exactly as good as the
                # one found on every criterion: with a tolerance, that package is the patched
                # scenario's optimum, and a package merely within the tolerance is not.
                for s in self.stages:
                    if not s.tie_break:
                        name = s.criterion.name
                        value = s.criterion.exact_value(builder, state.current, forms.get(name))
                        s.criterion.hold(builder, value, exactly=True)
            # A search before the last gets its share; one stopped at its share with a package hands it
            # on, held (`_stage`), so each later criterion is optimised among the packages at least as
            # good on the earlier ones.
            budget = time_left if i == len(groups) - 1 else STAGE_SHARE * time_left
            if not self._stage(group, state, params, budget, time_left, report, on_package, forms):
                break

        if state.package is not None and built.vars.flows and not report.cancelled:
            state.package = _draw_funding(built, state.package, params, start, pairs) or state.package
        report.wall_s = time.perf_counter() - start
        return self._document(state, params, report)

    def _first_package(
        self,
        state: _State,
        params: SolveParams,
        hint: Package | None,
        report: SolveReport,
        on_package: ProgressCallback | None,
    ) -> None:
        """A large model: a complete package before the search, so there is one to return within a
        second or two, and CP-SAT starts from a complete, feasible hint (a partial one, such as a
        baseline's units alone, left it without any package for a minute on 500 nations)."""
        builder = self.builder
        allowed = min(CONSTRUCT_TIME_LIMIT_S, params.time_limit_s / 4)
        construction = complete(builder, hint.assignment, allowed, 1, self.cancel) if hint is not None else None
        if construction is None and not self.include:
            construction = construct(builder, allowed, 1, self.cancel)
        if construction is None:
            return
        self._adopt(construction, state, report, on_package)

    def _first_plan(
        self,
        state: _State,
        params: SolveParams,
        hint: Package | None,
        report: SolveReport,
        on_package: ProgressCallback | None,
    ) -> None:
        """A phased model: a complete plan before the search (`solver.phased_construct`): the
        hint's tours completed (and hinted), or a plan constructed bucket by bucket (kept as the
        answer, not hinted), so there is one at once (CP-SAT alone took 10 s for one on the Gaza
        example, and none in 60 s on a generated
        25-nation, 96-week scenario)."""
        builder = self.builder
        if not isinstance(builder, PhasedBuilder):
            return
        allowed = min(CONSTRUCT_TIME_LIMIT_S, params.time_limit_s / 4)
        construction = (
            complete_plan(builder, hint.tours, allowed, self.cancel) if hint is not None and hint.tours else None
        )
        if construction is not None:
            self._adopt(construction, state, report, on_package)
            return
        if self.include:
            return
        construction = construct_plan(builder, allowed, self.cancel)
        if construction is not None:
            # Kept as the answer should the search find nothing better, but not given to it as a
            # hint: from a constructed plan, one worker's search stayed near it and ended far worse
            # (the Gaza example: shortfall 12,050 at 60 s against 2,786 without; docs/decisions.md).
            self._adopt(construction, state, report, on_package, hint=False)

    def _adopt(
        self,
        construction: Construction,
        state: _State,
        report: SolveReport,
        on_package: ProgressCallback | None,
        *,
        hint: bool = True,
    ) -> None:
        """Start from a constructed package: the state's, a complete hint (unless not `hint`), the
        first package reported."""
        builder = self.builder
        state.package = construction.package
        state.current = builder.tightened(construction.values)
        if hint:
            _hint_all(self.built.model, state.current)
        else:
            state.fallback = True
        elapsed = time.perf_counter() - self.started
        report.first_package_s = elapsed
        first = self.stages[0].criterion
        if on_package is not None and first.linear:
            expr, factor = self.built.criteria[first.name]
            on_package(first.name, construction.solver.value(expr) / factor, elapsed)
        logger.debug("a complete first package in %.2fs", construction.seconds)

    def _stage(
        self,
        group: _Group,
        state: _State,
        params: SolveParams,
        time_left: float,
        whole_left: float,
        report: SolveReport,
        on_package: ProgressCallback | None,
        forms: dict[str, Form],
    ) -> bool:
        """Search one group of criteria for `time_left` seconds (of `whole_left` until the solve's
        limit: a search with no package at the end of its share goes on with it all) and hold what it
        found for the later ones; False when the search ends here (no package, or no time left)."""
        builder, built, model, cancel, start = self.builder, self.built, self.built.model, self.cancel, self.started
        pairs = len(built.vars.units)
        workers = params.effective_workers
        head = group.head
        stage_start = time.perf_counter()
        names = [f.criterion for f in group.forms] or [head.name]
        results = [StageResult(name, "", None, None, 0.0, merged=i > 0) for i, name in enumerate(names)]
        report.stages.extend(results)
        stage = results[0]
        relaxed: float | None = None  # the relaxation's bound on the merged objective
        outcome: _Outcome | None = None
        if not group.forms:
            outcome = _minimise_share(builder, params, time_left, cancel, start, report, on_package, workers, pairs)
        else:
            model.minimize(merged_expression(builder, group.forms, group.weights))
            expr, factor = built.criteria[head.name]
            if pairs >= MIN_PAIRS and self.scenario.phasing is None:
                # CP-SAT's search of a model this large moved nothing in a minute on one worker, and
                # less than the neighbourhoods on two (500 nations): they get the stage's whole time.
                whole = pairs >= WHOLE_NEIGHBOURHOOD_PAIRS
                around = _around_relaxation(
                    built, builder.tightened, state.current, time_left, params, cancel, stage, whole
                )
                relaxed = around.bound
                stage.relaxation_bound = group.bound_on_first([relaxed])
                if around.values is not None:
                    state.current = around.values
                    state.package = _package_of(built, state.current)
                    _hint_all(model, state.current)
                    if on_package is not None:
                        shown = group.forms[0].value(state.current) / factor
                        on_package(head.name, shown, time.perf_counter() - start)
                if around.proven and state.current is not None:
                    # The package meets the relaxation's bound: optimal, no search needed.
                    outcome = _Outcome(cp_model.OPTIMAL, around.value, float(around.value), state.current)
                elif around.searched and state.current is not None:
                    outcome = _Outcome(cp_model.FEASIBLE, around.value, -math.inf, state.current)
            if outcome is None:
                outcome = self._search(
                    model,
                    head.name,
                    expr,
                    factor,
                    params,
                    report,
                    on_package,
                    state,
                    stage_start,
                    time_left,
                    whole_left,
                )
        if cancel is not None and cancel.is_set():
            report.cancelled = True
        code = outcome.code
        for result in results:
            result.status = code.name
        stage.wall_s = time.perf_counter() - stage_start
        logger.debug("stage %s: %s in %.2fs", "+".join(names), stage.status, stage.wall_s)

        if code == cp_model.INFEASIBLE and state.package is None:
            state.status = "infeasible"
            return False
        if code == cp_model.MODEL_INVALID:
            raise RuntimeError(f"internal error: invalid CP-SAT model ({model.validate()})")
        if code in (cp_model.UNKNOWN, cp_model.INFEASIBLE):
            # No answer this stage (time ran out); the previous stage's (or the constructed, or the
            # neighbourhood's) package stands, held for the later stages at its own values.
            if state.package is None or state.current is None:
                state.status = "unknown"
                return False
            if group.forms:
                searched = outcome.bound if code == cp_model.UNKNOWN else None
                state.bounds[head.name] = _tightest(head, group.proven([searched, relaxed]), state.bounds[head.name])
            state.status = "feasible"
            for result in results:
                kept = criterion(result.criterion)
                kept.hold(builder, kept.exact_value(builder, state.current, forms.get(result.criterion)), Fraction(0))
            _hint_all(model, state.current)
            return whole_left - (time.perf_counter() - stage_start) > 0.01

        # A search's package may leave a shortfall or churn above what its units give: the stage's
        # value, and the hold on it for the later stages, are the package's own.
        current = builder.tightened(outcome.values[: len(model.proto.variables)])
        fallback = state.current if state.fallback else None
        if fallback is not None and [f.minimised(fallback) for f in group.forms] < [
            f.minimised(current) for f in group.forms
        ]:
            current = fallback  # the constructed plan the search was not hinted with, strictly better
        state.fallback = False
        if group.rounding is not None and code == cp_model.OPTIMAL:
            # Optimal for the rounded weights only: proven (or improved) with exact constraints.
            deadline = stage_start + time_left
            exact, current = _prove_shortfall(builder, current, params, deadline, cancel, workers, pairs)
            if cancel is not None and cancel.is_set():
                report.cancelled = True
            if not exact:
                code = cp_model.FEASIBLE
                stage.status = code.name
        state.current = current
        state.package = _package_of(built, current)
        for result in results:
            result.exact = criterion(result.criterion).exact_value(builder, current, forms.get(result.criterion))
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
                # Reported in the exact scale (`Shortfall.exact_scale`).
                stage.value = (stage.exact * head.exact_scale(self.scenario)).numerator
                stage.bound = float(stage.value) if code == cp_model.OPTIMAL else None
        tolerances = {s.criterion.name: s.tolerance for s in self.stages}
        for result in results:
            held, value = criterion(result.criterion), result.exact
            assert value is not None
            if code == cp_model.OPTIMAL:
                # Proven: the stage's value is the optimum (a tolerance may let later stages trade
                # some of it away; the package's own value is then reported with this bound).
                state.bounds[held.name] = float(value)
                state.proven.add(held.name)
                tolerance = tolerances[held.name]
            else:
                state.status = "feasible"
                if result is stage:
                    state.bounds[held.name] = _tightest(held, proved, state.bounds[held.name])
                tolerance = Fraction(0)
            held.hold(builder, value, tolerance)  # for the later stages
        _hint_all(model, current)
        return True

    def _search(
        self,
        model: cp_model.CpModel,
        name: str,
        expr: LinearExpr,
        factor: int,
        params: SolveParams,
        report: SolveReport,
        on_package: ProgressCallback | None,
        state: _State,
        stage_start: float,
        share: float,
        whole: float,
    ) -> _Outcome:
        """One stage's CP-SAT search: `share` seconds, or, when it has no package at all by then, on
        until its first one or the solve's `whole` time (a package found after the share would have
        ended the stage anyway). The search is not restarted at the share's end: a timer stops it
        then if it has a package, else the first package found after it stops it. In deterministic
        mode the share is deterministic time, and a search with no package at its end runs again
        for the rest. Both times count from `stage_start`."""
        pairs = len(self.built.vars.units)
        workers = params.effective_workers
        progress = _Progress(name, expr, factor, self.started, report, on_package)
        if params.deterministic:
            outcome: _Outcome | None = None
            for seconds in (share, whole):
                solver = new_solver()
                configure(solver, params, stage_start + seconds - time.perf_counter(), workers, pairs)
                with cancellable(solver, self.cancel):
                    outcome = _Outcome.of(solver, solver.solve(model, progress))
                done = outcome.code != cp_model.UNKNOWN or state.package is not None
                if done or share >= whole or (self.cancel is not None and self.cancel.is_set()):
                    break
            assert outcome is not None
            return outcome
        solver = new_solver()
        configure(solver, params, stage_start + whole - time.perf_counter(), workers, pairs)

        def share_over() -> None:
            if progress.found or state.package is not None:
                solver.stop_search()
            else:
                progress.stop_at_next = True

        timer = threading.Timer(max(0.0, stage_start + share - time.perf_counter()), share_over)
        timer.daemon = True
        timer.start()
        try:
            with cancellable(solver, self.cancel):
                return _Outcome.of(solver, solver.solve(model, progress))
        finally:
            timer.cancel()

    def _document(self, state: _State, params: SolveParams, report: SolveReport) -> Solution:
        run = _run_info(params, report.wall_s)
        if state.package is None:
            return solution_document(self.scenario, None, status=state.status, run=run)
        document = solution_document(
            self.scenario,
            state.package,
            status=state.status,
            run=run,
            bounds=state.bounds,
            criteria=[s.criterion.name for s in self.stages],
            baseline=self.anchor,
        )
        # The gap of the first criterion not proven optimal (a stage cut short, or never reached)
        # whose bound falls short of its value: one cut short at its bound is not where the package
        # is unproven, the next criterion is (a package at the least shortfall whose cost was never
        # optimised has the cost's gap, not 0).
        gaps = [item.gap for item in document.objective if item.criterion not in state.proven]
        if gaps:
            return document.model_copy(update={"gap": next((g for g in gaps if g > 0), 0.0)})
        return document


def _run_info(params: SolveParams, wall_s: float) -> RunInfo:
    return RunInfo(
        solver=SOLVER_NAME,
        solver_version=SOLVER_VERSION,
        workers=params.effective_workers,
        seed=params.seed,
        time_limit_s=params.time_limit_s,
        wall_s=round(wall_s, 3),
    )


def best(
    scenario: Scenario,
    params: SolveParams | None = None,
    *,
    hint: Package | None = None,
    on_package: ProgressCallback | None = None,
    report: SolveReport | None = None,
    include: Sequence[str] = (),
    cancel: threading.Event | None = None,
    repair_from: Package | None = None,
    prefer: Package | None = None,
) -> Solution:
    """The best package of a scenario, unexplained: `Search` built and run (see its parameters).
    Cancelled during the build, status `unknown`, and the thread is free at once."""
    params = params or SolveParams()
    report = report if report is not None else SolveReport()
    start = time.perf_counter()
    try:
        search = Search(scenario, include=include, repair_from=repair_from, prefer=prefer, cancel=cancel)
    except BuildCancelled:
        report.cancelled = True
        report.wall_s = time.perf_counter() - start
        return solution_document(scenario, None, status="unknown", run=_run_info(params, report.wall_s))
    return search.run(params, hint=hint, on_package=on_package, report=report)


def _draw_funding(built: BuiltModel, package: Package, params: SolveParams, start: float, pairs: int) -> Package | None:
    """With the package's units fixed, draw as much pledged money as the rules allow."""
    model = built.model
    for pair, var in built.vars.units.items():
        model.add(var == package.assignment.get(pair, 0))
    for key, var in built.tours.items():
        model.add(var == package.tours.get(key, 0))
    model.maximize(sum(built.vars.drawn.values()))
    stage_solver = new_solver()
    time_left = max(0.2, params.time_limit_s - (time.perf_counter() - start))
    configure(stage_solver, params, time_left, params.effective_workers, pairs)
    code = stage_solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return _package_of(built, list(stage_solver.response_proto.solution))
