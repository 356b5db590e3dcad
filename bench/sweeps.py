"""One sweep benchmark instance, run in a process of its own (like `bench.instance`).

Three kinds, each printing one JSON record as the last line of its output:

- `python -m bench.sweeps baseline --nations 200 --seed 1 --time-limit 60 --out FILE` solves the
  generated scenario once (the package every sweep of that scenario compares with), saves it to
  FILE, checks it, and times one withdrawal re-solved cold and hinted with CP-SAT's log on, to
  show where a re-solve's time goes (presolve, first solution);
- `python -m bench.sweeps sweep --nations 200 --seed 1 --mode n1 --hinted --executor pool
  --baseline FILE --time-limit 10` runs one N-1 (`n1`) or N-2 (`n2`) sweep against that baseline
  on a local process pool or a local dask cluster, and checks every re-solve's answer;
- `python -m bench.sweeps gaza --executor pool` times `solver.sweep.criticality` on the
  illustrative Gaza scenario with the default parameters (baseline solve included).

A sweep is what `solver.sweep.criticality(scenario, params, baseline=..., executor=...)` does,
spelled out (`withdrawal_variants`, `run`, `withdrawal_row`) so that each re-solve's answer can
go through the independent checker and so that a seeded sample of the variants can be solved
instead of all of them (`--sample`): the whole sweep's time is then extrapolated from the sample.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import resource
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from bench.generator import generate, summary
from bench.records import Anatomy, BaselineRecord, GazaRecord, Statuses, SweepRecord
from forcepack.models import Scenario, Solution, load_scenario
from forcepack.models.loading import parse_scenario
from forcepack.models.patch import Patch, apply_patch
from forcepack.models.scenario import offer_key
from forcepack.solver import SolveParams, SolveReport, solve
from forcepack.solver.check import check
from forcepack.solver.document import Package
from forcepack.solver.sweep import (
    Variant,
    criticality,
    executor_for,
    rank_key,
    read_best_effort,
    run,
    withdrawal_row,
    withdrawal_variants,
)

__all__ = ["main", "run_baseline", "run_gaza", "run_sweep"]

PROCESSES = 2
"""Processes of the local pool, and workers of the local dask cluster."""

GAZA = Path(__file__).resolve().parents[1] / "examples" / "gaza-isf.yaml"


def _violations(scenario: Scenario, solution: Solution) -> list[str]:
    return [f"[{v.rule}] {v.message}" + (f" ({v.element})" if v.element else "") for v in check(scenario, solution)]


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _self_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _statuses(statuses: Sequence[str]) -> Statuses:
    def count(status: str) -> int:
        return sum(1 for x in statuses if x == status)

    return {
        "optimal": count("optimal"),
        "feasible": count("feasible"),
        "unknown": count("unknown"),
        "infeasible": count("infeasible"),
    }


# -- where a re-solve's time goes ------------------------------------------------------------------

SEARCH_STARTED = re.compile(r"Starting search at ([\d.]+)s")
_SOLUTION = re.compile(r"^#(\d+)\s+([\d.]+)s\s+best:\S+\s+next:\[[^\]]*\]\s+(\S+)")


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.extend(record.getMessage().splitlines())


@contextmanager
def solver_log() -> Iterator[list[str]]:
    """Collect CP-SAT's search log (passed to the `forcepack.solver` logger with `log=True`)."""
    logger = logging.getLogger("forcepack.solver")
    handler = _Lines()
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def anatomy(variant: Variant, time_limit_s: float, hinted: bool) -> Anatomy:
    """Re-solve one withdrawal with CP-SAT's log on: its status, and when the first stage's search
    started (presolve done) and found its first solution, in CP-SAT's own clock."""
    scenario = parse_scenario(json.loads(variant.scenario_json), "variant")
    hint = Package.of({(u, r): n for u, r, n in variant.hint}) if hinted and variant.hint else None
    report = SolveReport()
    with solver_log() as lines:
        start = time.perf_counter()
        params = SolveParams(time_limit_s=time_limit_s, workers=1, log=True)
        solution = solve(scenario, params, hint=hint, explain=False, report=report)
        wall = time.perf_counter() - start
    # The first stage's log: up to the second "Starting CP-SAT solver" line.
    starts = [i for i, line in enumerate(lines) if "Starting CP-SAT solver" in line]
    first = lines[: starts[1]] if len(starts) > 1 else lines
    search = next((float(m.group(1)) for line in first if (m := SEARCH_STARTED.search(line))), None)
    found = next((m for line in first if (m := _SOLUTION.match(line.strip()))), None)
    hint_note = next((line.strip() for line in first if line.strip().startswith("The solution hint")), None)
    return {
        "withdrawn": list(variant.key),
        "hinted": hinted,
        "status": solution.status,
        "wall_s": wall,
        "build_s": report.build_s,
        "presolve_s": search,
        "first_solution_s": float(found.group(2)) if found else None,
        "first_solution_by": found.group(3) if found else None,
        "first_package_s": report.first_package_s,
        "hint_note": hint_note,
    }


# -- the baseline ----------------------------------------------------------------------------------


def run_baseline(nations: int, seed: int, time_limit_s: float, out: Path, sweep_time_limit_s: float) -> BaselineRecord:
    """Solve the generated scenario once, save the package to `out`, check it, and time one
    withdrawal cold and hinted with CP-SAT's log on."""
    scenario = generate(nations, seed)
    report = SolveReport()
    start = time.perf_counter()
    baseline = solve(scenario, SolveParams(time_limit_s=time_limit_s, workers=1), report=report)
    wall = time.perf_counter() - start
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(baseline.to_json(indent=None), encoding="utf-8")
    violations = _violations(scenario, baseline)
    timed: list[Anatomy] = []
    if baseline.has_package:
        params = SolveParams(time_limit_s=sweep_time_limit_s, workers=1)
        # The first withdrawal that CP-SAT has to search (some are refuted while building the model).
        for variant in withdrawal_variants(scenario, baseline, params, hinted=True)[:5]:
            cold = anatomy(variant, sweep_time_limit_s, hinted=False)
            if cold["presolve_s"] is not None:
                timed = [cold, anatomy(variant, sweep_time_limit_s, hinted=True)]
                break
    return {
        "kind": "baseline",
        "nations": nations,
        "seed": seed,
        "scenario": scenario.id,
        "summary": summary(scenario),
        "time_limit_s": time_limit_s,
        "status": baseline.status,
        "wall_s": wall,
        "first_package_s": report.first_package_s,
        "gap": baseline.gap,
        "participants": len(baseline.nations),
        "path": str(out),
        "violations": violations,
        "anatomy": timed,
        "peak_mib": _peak_mib(),
    }


# -- one sweep -------------------------------------------------------------------------------------


def variants_for(
    scenario: Scenario, baseline: Solution, params: SolveParams, groups: Sequence[tuple[str, ...]], hinted: bool
) -> list[Variant]:
    """The variants `withdrawal_variants` would build for these groups only.

    `withdrawal_variants` builds every variant up front (about 15 ms and 230 kB of scenario JSON
    each at 200 nations: some 11,000 pairs would take minutes and gigabytes before the first
    solve), so a sample builds its own. To make sure they are the same, the first group's variant
    is also built by `withdrawal_variants` itself (on the baseline narrowed to that group's
    nations) and compared.
    """
    settings = {k: v for k, v in asdict(params).items() if k != "log"}
    out = []
    for group in groups:
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
        out.append(Variant(tuple(group), patched.canonical_json(), settings, hint))
    if out:
        first = groups[0]
        narrowed = baseline.model_copy(update={"nations": [n for n in baseline.nations if n.nation in first]})
        reference = withdrawal_variants(scenario, narrowed, params, pairs=len(first) == 2, hinted=hinted)
        if next(v for v in reference if v.key == tuple(first)) != out[0]:
            raise RuntimeError("bench.sweeps.variants_for no longer builds what solver.sweep.withdrawal_variants does")
    return out


def sample_groups(groups: list[tuple[str, ...]], k: int, label: str) -> list[tuple[str, ...]]:
    """A seeded random sample of k groups, kept in their original order (all when k is 0 or enough)."""
    if k <= 0 or k >= len(groups):
        return groups
    chosen = set(random.Random(label).sample(range(len(groups)), k))
    return [g for i, g in enumerate(groups) if i in chosen]


@contextmanager
def _executor(kind: str) -> Iterator[tuple[Executor | None, float]]:
    """The executor of a sweep, and the seconds it took to start (a dask cluster starts up front;
    a process pool starts its processes on the first task, inside the sweep's time)."""
    start = time.perf_counter()
    if kind == "pool":
        with executor_for(None, workers=PROCESSES) as ex:
            yield ex, time.perf_counter() - start
        return
    if kind == "none":
        yield None, 0.0
        return
    from distributed import LocalCluster

    # distributed leaves LocalCluster unannotated (so does solver.sweep for its Client).
    with (
        LocalCluster(n_workers=PROCESSES, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,  # type: ignore[no-untyped-call]
        executor_for(cluster.scheduler_address) as ex,
    ):
        yield ex, time.perf_counter() - start


def run_sweep(
    nations: int,
    seed: int,
    mode: str,
    hinted: bool,
    executor: str,
    baseline_path: Path,
    time_limit_s: float,
    sample: int,
) -> SweepRecord:
    """One N-1 or N-2 sweep against the saved baseline; every answer checked afterwards.

    With `sample` > 0 and more groups than that to withdraw, only a seeded random sample of
    `sample` groups is re-solved (N-1: single nations; N-2: pairs), and the record says so.
    Without sampling, N-2 re-solves every single nation and every pair, as
    `criticality(pairs=True)` does.
    """
    scenario = generate(nations, seed)
    baseline = Solution.model_validate_json(baseline_path.read_text(encoding="utf-8"))
    params = SolveParams(time_limit_s=time_limit_s, workers=1)
    participants = [n.nation for n in baseline.nations]
    singles = [(n,) for n in participants]
    pairs = [(a, b) for i, a in enumerate(participants) for b in participants[i + 1 :]]
    total = len(singles) + (len(pairs) if mode == "n2" else 0)
    pool_of: list[tuple[str, ...]] = list(pairs) if mode == "n2" else list(singles)
    sampled = 0 < sample < len(pool_of)
    label = f"forcepack-bench/{nations}/{seed}/{mode}"
    groups = sample_groups(pool_of, sample, label) if sampled else []

    load_before = os.getloadavg()[0]
    children_before = _children_cpu_s()
    self_before = _self_cpu_s()
    with _executor(executor) as (ex, setup_s):
        start = time.perf_counter()
        if sampled:
            variants = variants_for(scenario, baseline, params, groups, hinted)
        else:
            variants = withdrawal_variants(scenario, baseline, params, pairs=mode == "n2", hinted=hinted)
        build_s = time.perf_counter() - start
        results = run(variants, ex)
        rows = []
        for key, solution_json, best_json, wall in results:
            solution = Solution.model_validate_json(solution_json)
            rows.append(withdrawal_row(key, baseline, solution, read_best_effort(best_json), wall))
        rows.sort(key=rank_key)
        wall_s = time.perf_counter() - start
        teardown_start = time.perf_counter()
    teardown_s = time.perf_counter() - teardown_start
    cpu_s = _children_cpu_s() - children_before + _self_cpu_s() - self_before
    load_after = os.getloadavg()[0]

    check_start = time.perf_counter()
    violations: list[str] = []
    for variant, (key, solution_json, _, _) in zip(variants, results, strict=True):
        variant_scenario = parse_scenario(json.loads(variant.scenario_json), "variant")
        found = _violations(variant_scenario, Solution.model_validate_json(solution_json))
        violations += [f"without {'+'.join(key)}: {v}" for v in found]
    check_s = time.perf_counter() - check_start

    per = [r.wall_s for r in rows]
    slots = PROCESSES if executor != "none" else 1
    return {
        "kind": "sweep",
        "nations": nations,
        "seed": seed,
        "mode": mode,
        "hinted": hinted,
        "executor": executor,
        "processes": slots,
        "time_limit_s": time_limit_s,
        "participants": len(participants),
        "resolves_total": total,
        "resolves_run": len(rows),
        "sampled": sampled,
        "sample_label": label if sampled else None,
        "setup_s": setup_s,
        "build_s": build_s,
        "variant_kib": statistics.mean(len(v.scenario_json) for v in variants) / 1024 if variants else None,
        "wall_s": wall_s,
        "teardown_s": teardown_s,
        "per_resolve_s": per,
        "median_s": statistics.median(per) if per else None,
        "max_s": max(per) if per else None,
        "statuses": _statuses([r.status for r in rows]),
        "feasible_rows": sum(1 for r in rows if r.feasible),
        "cpu_s": cpu_s,
        # Over the executor's whole life: child processes' CPU is only counted once they are reaped.
        "cpu_share": cpu_s / ((setup_s + wall_s + teardown_s) * slots) if wall_s > 0 else None,
        "load_before": load_before,
        "load_after": load_after,
        "violations": violations,
        "check_s": check_s,
        "peak_mib": _peak_mib(),
    }


# -- the Gaza example ------------------------------------------------------------------------------


def run_gaza(executor: str) -> GazaRecord:
    """N-1 criticality of examples/gaza-isf.yaml with the default parameters, baseline solve included."""
    scenario = load_scenario(GAZA)
    params = SolveParams()
    load_before = os.getloadavg()[0]
    with _executor(executor) as (ex, setup_s):
        start = time.perf_counter()
        result = criticality(scenario, params, executor=ex)
        wall_s = time.perf_counter() - start
    per = [w.wall_s for w in result.withdrawals]
    return {
        "kind": "gaza",
        "scenario": scenario.id,
        "executor": executor,
        "processes": PROCESSES if executor != "none" else 1,
        "time_limit_s": params.time_limit_s,
        "workers": params.effective_workers,
        "baseline_status": result.baseline.status,
        "participants": len(result.baseline.nations),
        "resolves_run": len(result.withdrawals),
        "setup_s": setup_s,
        "wall_s": wall_s,
        "criticality_wall_s": result.wall_s,
        "baseline_s": result.baseline.run.wall_s if result.baseline.run else None,
        "per_resolve_s": per,
        "median_s": statistics.median(per) if per else None,
        "max_s": max(per) if per else None,
        "statuses": _statuses([w.status for w in result.withdrawals]),
        "feasible_rows": sum(1 for w in result.withdrawals if w.feasible),
        "load_before": load_before,
        # Only the baseline's document is at hand (criticality keeps rows, not re-solved packages).
        "violations": _violations(scenario, result.baseline),
        "peak_mib": _peak_mib(),
    }


# -- command line ----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench.sweeps {baseline,sweep,gaza} ...`: print one record as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.sweeps", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="kind", required=True)
    base = sub.add_parser("baseline", help="solve and save the package the sweeps compare with")
    sweep = sub.add_parser("sweep", help="one N-1 or N-2 sweep")
    for p in (base, sweep):
        p.add_argument("--nations", type=int, required=True)
        p.add_argument("--seed", type=int, required=True)
    base.add_argument("--time-limit", type=float, default=60.0, help="seconds for the baseline solve")
    base.add_argument("--sweep-time-limit", type=float, default=10.0, help="seconds per re-solve (anatomy)")
    base.add_argument("--out", type=Path, required=True, help="where to save the baseline solution")
    sweep.add_argument("--mode", choices=("n1", "n2"), required=True)
    sweep.add_argument("--hinted", action=argparse.BooleanOptionalAction, default=True)
    sweep.add_argument("--executor", choices=("pool", "dask", "none"), default="pool")
    sweep.add_argument("--baseline", type=Path, required=True, help="saved baseline solution (JSON)")
    sweep.add_argument("--time-limit", type=float, default=10.0, help="seconds per re-solve")
    sweep.add_argument("--sample", type=int, default=0, help="re-solve only a seeded sample of this many (0: all)")
    gaza = sub.add_parser("gaza", help="N-1 criticality of examples/gaza-isf.yaml")
    gaza.add_argument("--executor", choices=("pool", "dask", "none"), default="pool")
    args = parser.parse_args(argv)
    record: BaselineRecord | SweepRecord | GazaRecord
    if args.kind == "baseline":
        record = run_baseline(args.nations, args.seed, args.time_limit, args.out, args.sweep_time_limit)
    elif args.kind == "sweep":
        record = run_sweep(
            args.nations,
            args.seed,
            args.mode,
            args.hinted,
            args.executor,
            args.baseline,
            args.time_limit,
            args.sample,
        )
    else:
        record = run_gaza(args.executor)
    sys.stdout.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
