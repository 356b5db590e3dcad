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
from dataclasses import asdict, dataclass
from typing import Any

from forcepack.models.analysis import Criticality, Withdrawal
from forcepack.models.common import Priority
from forcepack.models.loading import parse_scenario
from forcepack.models.patch import Patch, apply_patch
from forcepack.models.scenario import Scenario, offer_key
from forcepack.models.solution import Solution
from forcepack.solver.answer import solve
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
    """Solve one variant: (key, solution JSON, best-effort solution JSON when infeasible, seconds).

    When the variant is infeasible, the best-effort package (essential lines made desirable)
    shows which essential lines are lost; when even that is infeasible, the variant is explained
    and its explanation travels in the solution. `cancel` (in this process only) stops it soon.
    """
    start = time.perf_counter()
    scenario = parse_scenario(json.loads(variant.scenario_json), "variant")
    params = SolveParams(**variant.params)
    hint = Package.of({(u, r): n for u, r, n in variant.hint}) if variant.hint else None
    solution = solve(scenario, params, hint=hint, explain=False, cancel=cancel)
    best_effort = None
    if solution.status == "infeasible":
        reduced = cover_what_can_be_covered(scenario)
        effort = solve(reduced, params, explain=False, cancel=cancel) if reduced is not None else None
        best_effort = effort.to_json(indent=None) if effort is not None else None
        if effort is None or effort.status == "infeasible":
            from forcepack.solver.explain import explain

            budget = SolveParams(time_limit_s=EXPLAIN_BUDGET_S, workers=params.effective_workers, seed=params.seed)
            explanation = explain(scenario, budget, relaxations=1, cancel=cancel)
            solution = solution.model_copy(update={"explanation": explanation})
    return variant.key, solution.to_json(indent=None), best_effort, time.perf_counter() - start


def cover_what_can_be_covered(scenario: Scenario) -> Scenario | None:
    """The scenario reduced to its essential lines, made desirable (each uncovered fraction
    weighing 1): its best package shows which essential lines cannot be covered. None when the
    scenario has no essential line."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    essential = [r for r in data["requirements"] if r["priority"] == Priority.ESSENTIAL.value]
    if not essential:
        return None
    for r in essential:
        r["priority"] = Priority.DESIRABLE.value
        r["weight"] = 1.0
    data["requirements"] = essential
    data["objective"] = ["shortfall"]
    return parse_scenario(data, f"{scenario.id} best effort")


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
    group: tuple[str, ...], baseline: Solution, solution: Solution, best_effort: Solution | None, wall_s: float
) -> Withdrawal:
    """One withdrawal's figures against the baseline."""
    if solution.status == "unknown":
        return Withdrawal(
            nations=list(group),
            status=solution.status,
            feasible=None,
            reason="not decided within the time limit",
            wall_s=round(wall_s, 3),
        )
    if not solution.has_package:
        lost = []
        reason = None
        if best_effort is not None and best_effort.has_package:
            essential = {c.requirement for c in baseline.coverage if c.priority == "essential"}
            lost = [c.requirement for c in best_effort.coverage if c.requirement in essential and c.shortfall]
            if not lost:
                reason = "every essential line can be covered, but a force target or the funding target cannot be met"
        elif solution.explanation is not None:
            reason = solution.explanation.summary
        elif best_effort is not None and best_effort.status == "unknown":
            reason = "no package; which essential lines are lost was not decided within the time limit"
        else:
            reason = "no package even with essential lines relaxed"
        return Withdrawal(
            nations=list(group),
            status=solution.status,
            feasible=False,
            essential_lines_lost=lost,
            reason=reason,
            wall_s=round(wall_s, 3),
        )
    before = {n.nation: n.personnel for n in baseline.nations}
    fillers = sorted(
        n.nation for n in solution.nations if n.nation not in group and n.personnel > before.get(n.nation, 0)
    )
    short_a, short_b = solution.objective_value("shortfall"), baseline.objective_value("shortfall")
    return Withdrawal(
        nations=list(group),
        status=solution.status,
        feasible=True,
        shortfall_delta=(short_a - short_b) if short_a is not None and short_b is not None else None,
        cost_delta_usd=solution.funding.total_cost_usd - baseline.funding.total_cost_usd,
        personnel_delta=solution.totals.personnel - baseline.totals.personnel,
        fillers=fillers,
        objective=[o.value for o in solution.objective],
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
        variants = withdrawal_variants(scenario, baseline, params, pairs=pairs, hinted=hinted, cancel=cancel)
        for key, solution_json, best_json, wall in run(variants, executor, progress, cancel):
            solution = Solution.model_validate_json(solution_json)
            best = Solution.model_validate_json(best_json) if best_json else None
            rows.append(withdrawal_row(key, baseline, solution, best, wall))
    rows.sort(key=rank_key)
    return Criticality(
        scenario=scenario.id,
        baseline=baseline,
        pairs=pairs,
        withdrawals=rows,
        wall_s=round(time.perf_counter() - start, 3),
    )
