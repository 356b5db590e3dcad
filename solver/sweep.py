"""Sweeps: many variants of a scenario solved through any `concurrent.futures.Executor`.

A local process pool by default; a dask.distributed cluster when the user gives a scheduler
address (`Client(address).get_executor()`), so the same code runs on a laptop or a cluster.
Each variant travels as plain JSON and is solved in the worker with its own time limit.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from typing import Any

from forcepack.models.analysis import Criticality, Withdrawal
from forcepack.models.loading import parse_scenario
from forcepack.models.patch import Patch, apply_patch
from forcepack.models.scenario import Scenario, offer_key
from forcepack.models.solution import BestEffort, Solution
from forcepack.solver.answer import solve
from forcepack.solver.best_effort import best_effort
from forcepack.solver.document import Package
from forcepack.solver.params import SolveParams

Progress = Callable[[int, int], None]
"""Called as (done, total) while a sweep runs."""


@dataclass(frozen=True)
class Variant:
    """One solve of a sweep, in a form any worker can unpickle."""

    key: tuple[str, ...]
    scenario_json: str
    params: dict[str, Any]
    hint: list[tuple[str, str, int]] | None = None


EXPLAIN_BUDGET_S = 5.0
"""Explaining a withdrawal that leaves no package even with essential lines relaxed."""


def solve_variant(
    variant: Variant, cancel: threading.Event | None = None
) -> tuple[tuple[str, ...], str, str | None, float]:
    """Solve one variant: (key, solution JSON, best-effort JSON when infeasible, seconds).

    When the variant is infeasible, the best-effort package (`solver.best_effort`: every rule but
    the essential lines held, the fewest of them short, proven) shows which essential lines are
    lost; when even that is infeasible, the variant is explained and its explanation travels in
    the solution. `cancel` (in this process only) stops it soon.
    """
    start = time.perf_counter()
    scenario = parse_scenario(json.loads(variant.scenario_json), "variant")
    params = SolveParams(**variant.params)
    hint = Package.of({(u, r): n for u, r, n in variant.hint}) if variant.hint else None
    solution = solve(scenario, params, hint=hint, explain=False, cancel=cancel)
    effort = None
    if solution.status == "infeasible":
        effort = best_effort(scenario, params, cancel=cancel)
        if effort.package is None or effort.package.status == "infeasible":
            from forcepack.solver.explain import explain

            budget = SolveParams(time_limit_s=EXPLAIN_BUDGET_S, workers=params.effective_workers, seed=params.seed)
            explanation = explain(scenario, budget, relaxations=1, cancel=cancel)
            solution = solution.model_copy(update={"explanation": explanation})
    best_json = effort.model_dump_json(by_alias=True) if effort is not None else None
    return variant.key, solution.to_json(indent=None), best_json, time.perf_counter() - start


def read_best_effort(document: str | None) -> BestEffort | None:
    """A variant's best-effort answer, as `solve_variant` sends it."""
    return BestEffort.model_validate_json(document) if document else None


def variant_params(params: SolveParams, executor: Executor | None) -> SolveParams:
    """The parameters of each re-solve: on an executor, one worker each unless told (the executor's
    processes, one per core, are the parallelism; two workers each would share a core between two
    searches); in this process, as given."""
    if executor is None or params.workers is not None:
        return params
    return replace(params, workers=1)


def pool_processes() -> int:
    """Processes of a sweep's local pool: one per core (each solve in it searches on one worker)."""
    return max(1, os.cpu_count() or 1)


@contextmanager
def executor_for(scheduler: str | None = None, workers: int | None = None) -> Iterator[Executor]:
    """A process pool, or a dask.distributed client's executor when a scheduler address is given."""
    if scheduler is None:
        with ProcessPoolExecutor(max_workers=workers or pool_processes()) as pool:
            yield pool
        return
    from distributed import Client

    with Client(scheduler) as client:  # type: ignore[no-untyped-call]
        yield client.get_executor()


def run(
    variants: Sequence[Variant],
    executor: Executor | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> list[tuple[tuple[str, ...], str, str | None, float]]:
    """Solve every variant, in order; in this process when no executor is given.

    `cancel` reaches each solve only when the variants are solved in this process (no executor,
    a `ThreadPoolExecutor`, or an executor with `in_process = True`): an event does not travel to
    other processes, so elsewhere it is not sent.
    """
    results = []
    in_process = executor is None or isinstance(executor, ThreadPoolExecutor) or getattr(executor, "in_process", False)
    work = functools.partial(solve_variant, cancel=cancel) if cancel is not None and in_process else solve_variant
    mapped = executor.map(work, variants) if executor is not None else map(work, variants)
    for i, result in enumerate(mapped, 1):
        results.append(result)
        if progress is not None:
            progress(i, len(variants))
    return results


# -- criticality -----------------------------------------------------------------------------------


def withdrawal_variants(
    scenario: Scenario,
    baseline: Solution,
    params: SolveParams,
    *,
    pairs: bool = False,
    hinted: bool = True,
    cancel: threading.Event | None = None,
) -> list[Variant]:
    """One variant per participating nation withdrawn (and per pair, on request).

    Nations that do not take part in the baseline are skipped: withdrawing them cannot change it.
    Once `cancel` is set, no more variants are made (the list so far is returned).
    """
    participants = [n.nation for n in baseline.nations]
    groups: list[tuple[str, ...]] = [(n,) for n in participants]
    if pairs:
        groups += list(itertools.combinations(participants, 2))
    out = []
    for group in groups:
        if cancel is not None and cancel.is_set():
            break
        patched = apply_patch(scenario, Patch.withdraw(*group))
        hint = (
            [
                (offer_key(a.nation, a.unit), a.requirement, a.units)
                for a in baseline.assignments
                if a.nation not in group
            ]
            if hinted
            else None
        )
        out.append(Variant(group, patched.canonical_json(), _params_dict(params), hint))
    return out


def _params_dict(params: SolveParams) -> dict[str, Any]:
    return {k: v for k, v in asdict(params).items() if k != "log"}


def withdrawal_row(
    group: tuple[str, ...], baseline: Solution, solution: Solution, effort: BestEffort | None, wall_s: float
) -> Withdrawal:
    """One withdrawal's figures against the baseline: every row has its package (the re-solved one
    or the best-effort one), the essential lines it gives up and the fewest that must be."""
    nations = list(group)
    if solution.status == "unknown":
        return Withdrawal(
            nations=nations,
            status=solution.status,
            feasible=None,
            reason="not decided within the time limit",
            wall_s=round(wall_s, 3),
        )
    if not solution.has_package:
        return _lost_row(nations, solution, effort, wall_s)
    before = {n.nation: n.personnel for n in baseline.nations}
    fillers = sorted(
        n.nation for n in solution.nations if n.nation not in group and n.personnel > before.get(n.nation, 0)
    )
    short_a, short_b = solution.objective_value("shortfall"), baseline.objective_value("shortfall")
    return Withdrawal(
        nations=nations,
        status=solution.status,
        feasible=True,
        least_lines_lost=0,
        package=solution,
        shortfall_delta=(short_a - short_b) if short_a is not None and short_b is not None else None,
        cost_delta_usd=solution.funding.total_cost_usd - baseline.funding.total_cost_usd,
        personnel_delta=solution.totals.personnel - baseline.totals.personnel,
        fillers=fillers,
        objective=[o.value for o in solution.objective],
        wall_s=round(wall_s, 3),
    )


def _lost_row(nations: list[str], solution: Solution, effort: BestEffort | None, wall_s: float) -> Withdrawal:
    """A withdrawal after which no package meets every rule: what the best effort gives up, and why."""
    without = ", ".join(nations)
    lost: list[str] = []
    least: int | None = None
    package = None
    if effort is not None and effort.package is not None and effort.package.has_package:
        lost, least, package = effort.lines_short, effort.least, effort.package
        if not lost:
            reason = (
                f"without {without}, every essential line can be covered, but not with every force target "
                "and the funding target met"
            )
        else:
            named = ", ".join(f"`{line}`" for line in lost)
            count = f"{len(lost)} essential line{'s' if len(lost) != 1 else ''}"
            if least is not None:
                reason = f"without {without}, no package meets every essential line: {count} must be given up ({named})"
            else:
                reason = (
                    f"without {without}, no package meets every essential line: the best found gives up {count} "
                    f"({named}); whether fewer would do was not decided within the time limit"
                )
    elif solution.explanation is not None:
        reason = solution.explanation.summary
    elif effort is not None and effort.package is not None and effort.package.status == "unknown":
        reason = f"without {without}, no package; which essential lines are lost was not decided within the time limit"
    else:
        reason = f"without {without}, no package even with the essential lines relaxed"
    return Withdrawal(
        nations=nations,
        status=solution.status,
        feasible=False,
        essential_lines_lost=lost,
        least_lines_lost=least,
        package=package,
        reason=reason,
        wall_s=round(wall_s, 3),
    )


def rank_key(w: Withdrawal) -> tuple[float, ...]:
    """Most critical first: no package, then undecided, then essential lines lost, shortfall, cost."""
    return (
        0 if w.feasible is False else 1 if w.feasible is None else 2,
        -len(w.essential_lines_lost),
        -(w.shortfall_delta or 0.0),
        -(w.cost_delta_usd or 0),
        len(w.nations),
    )


def criticality(
    scenario: Scenario,
    params: SolveParams | None = None,
    *,
    pairs: bool = False,
    baseline: Solution | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    hinted: bool = True,
    cancel: threading.Event | None = None,
) -> Criticality:
    """N-1 (and N-2) criticality: the package re-solved without each participating nation (pair).

    Parameters
    ----------
    scenario
        The scenario.
    params
        Parameters of every solve (time limits live inside each).
    pairs
        Also withdraw every pair of participating nations.
    baseline
        The package to compare with (solved first when not given).
    executor
        Where variants are solved: a process pool, a dask executor; this process when None.
    progress
        Called as variants finish.
    hinted
        Start each re-solve from the baseline without the withdrawn nations.
    cancel
        Set from another thread to stop the re-solves soon; only with no executor or an
        executor of threads (an event does not reach other processes). The answer then holds
        fewer withdrawals than asked, those cut short as not decided: a caller that cancels
        knows not to read it as complete (the service discards it).
    """
    params = params or SolveParams()
    start = time.perf_counter()
    if baseline is None:
        baseline = solve(scenario, params, cancel=cancel)
    rows: list[Withdrawal] = []
    if baseline.has_package:
        each = variant_params(params, executor)
        variants = withdrawal_variants(scenario, baseline, each, pairs=pairs, hinted=hinted, cancel=cancel)
        for key, solution_json, best_json, wall in run(variants, executor, progress, cancel):
            solution = Solution.model_validate_json(solution_json)
            rows.append(withdrawal_row(key, baseline, solution, read_best_effort(best_json), wall))
    rows.sort(key=rank_key)
    return Criticality(
        scenario=scenario.id,
        baseline=baseline,
        pairs=pairs,
        withdrawals=rows,
        wall_s=round(time.perf_counter() - start, 3),
    )
