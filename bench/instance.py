"""One benchmark instance, run in a process of its own so that its peak memory is its own.

`python -m bench.instance solve --nations 70 --seed 1 --time-limit 60` generates the scenario,
solves it, runs the independent checker on the answer, and prints one JSON object (the
record the harness tabulates) as the last line of its output. `explain` does the same for the
infeasible variant of the scenario, whose planted conflict the solve must explain. The harness
(`bench.harness`) runs this module once per instance; it can also be run by hand to reproduce
a single row of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
from collections.abc import Sequence
from typing import TypedDict

from bench.generator import generate, summary
from bench.records import ExplainRecord, ModelSize, SolveRecord
from forcepack.models import Scenario, Solution
from forcepack.solver import SolveParams, SolveReport, build, solve
from forcepack.solver.check import check

__all__ = ["checked", "main", "peak_memory_mib", "run_explain", "run_solve"]


def peak_memory_mib() -> float:
    """Peak resident memory of this process so far, in MiB (`ru_maxrss` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time (user and system) this process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _model_size(scenario: Scenario) -> ModelSize:
    """Variables and constraints of the CP-SAT model, and the time to build it once."""
    start = time.perf_counter()
    built = build(scenario)
    build_s = time.perf_counter() - start
    proto = built.model.proto
    sizes: ModelSize = {
        "variables": len(proto.variables),
        "constraints": len(proto.constraints),
        "build_s": build_s,
        "factors": {criterion: factor for criterion, (_, factor) in built.criteria.items()},
    }
    del built, proto
    gc.collect()
    return sizes


class Checked(TypedDict):
    """The checker's verdict on an answer, and its seconds."""

    check_s: float
    violations: list[str]


def checked(scenario: Scenario, solution: Solution) -> Checked:
    """The checker's verdict on a solution: its violations, in words, and how long it took."""
    start = time.perf_counter()
    violations = check(scenario, solution)
    return {
        "check_s": time.perf_counter() - start,
        "violations": [f"[{v.rule}] {v.message}" + (f" ({v.element})" if v.element else "") for v in violations],
    }


def _params(time_limit_s: float, workers: int | None, search_seed: int = 0) -> SolveParams:
    """Solve parameters: the solver's defaults, but for the time limit (and workers and the search's
    seed, if given)."""
    return SolveParams(time_limit_s=time_limit_s, workers=workers, seed=search_seed)


def run_solve(
    nations: int,
    seed: int,
    time_limit_s: float,
    workers: int | None = None,
    *,
    family: str = "standard",
    search_seed: int = 0,
) -> SolveRecord:
    """Generate the feasible scenario (`nations`, `seed`), solve it and check the answer.

    Returns
    -------
    SolveRecord
        The scenario's sizes (`summary`), the model's size, the solve's timings, status, gap
        and objective, the stages, the checker's violations (an empty list when the answer
        honours every rule) and the process's peak memory.
    """
    start = time.perf_counter()
    scenario = generate(nations, seed, family=family)
    generate_s = time.perf_counter() - start
    model = _model_size(scenario)
    memory_before_solve = peak_memory_mib()

    params = _params(time_limit_s, workers, search_seed)
    report = SolveReport()
    cpu_before = cpu_seconds()
    solution = solve(scenario, params, report=report)
    # CPU time per wall second: about the workers used on an idle machine, less when others compete.
    cpu_share = (cpu_seconds() - cpu_before) / report.wall_s if report.wall_s > 0 else None
    verdict = checked(scenario, solution)
    return {
        "kind": "solve",
        "nations": nations,
        "seed": seed,
        "family": family,
        "search_seed": search_seed,
        "scenario": scenario.id,
        "time_limit_s": time_limit_s,
        "workers": solution.run.workers,
        "summary": summary(scenario),
        "generate_s": generate_s,
        "model": model,
        "build_s": report.build_s,
        "first_package_s": report.first_package_s,
        "wall_s": report.wall_s,
        "optimal_s": report.wall_s if solution.status == "optimal" else None,
        "status": solution.status,
        "gap": solution.gap,
        "objective": [{"criterion": o.criterion, "value": o.value, "bound": o.bound} for o in solution.objective],
        "stages": [
            {
                "criterion": s.criterion,
                "status": s.status,
                "value": s.value,
                "bound": s.bound,
                "wall_s": s.wall_s,
                "merged": s.merged,
                # the linear relaxation's proven bound, in the criterion's domain units (large models)
                "relaxation_bound": (
                    s.relaxation_bound / model["factors"][s.criterion] if s.relaxation_bound is not None else None
                ),
                "relaxation_s": s.relaxation_s,
                "neighbourhood_s": s.neighbourhood_s,
            }
            for s in report.stages
        ],
        "check_s": verdict["check_s"],
        "violations": verdict["violations"],
        "cpu_share": cpu_share,
        "peak_before_solve_mib": memory_before_solve,
        "peak_mib": peak_memory_mib(),
    }


def run_explain(nations: int, seed: int, time_limit_s: float, workers: int | None = None) -> ExplainRecord:
    """Generate the infeasible scenario (`nations`, `seed`), solve it (which explains it) and check.

    Returns
    -------
    ExplainRecord
        Status, the total time of `solve` measured around it (proving infeasibility and
        explaining), the time the solve itself reported, the conflict found, whether it is
        minimal, the number of relaxations, whether every element `expect.conflict` names is in
        the conflict, the checker's violations and the process's peak memory.
    """
    scenario = generate(nations, seed, infeasible=True)
    expected = list(scenario.expect.conflict) if scenario.expect and scenario.expect.conflict else []
    params = _params(time_limit_s, workers)
    report = SolveReport()
    cpu_before = cpu_seconds()
    start = time.perf_counter()
    solution = solve(scenario, params, report=report)
    total_s = time.perf_counter() - start
    cpu_share = (cpu_seconds() - cpu_before) / total_s if total_s > 0 else None
    explanation = solution.explanation
    conflict = [e.id for e in explanation.conflict] if explanation else []
    verdict = checked(scenario, solution)
    return {
        "kind": "explain",
        "nations": nations,
        "seed": seed,
        "scenario": scenario.id,
        "time_limit_s": time_limit_s,
        "workers": solution.run.workers,
        "summary": summary(scenario),
        "status": solution.status,
        "detect_s": report.wall_s,
        "total_s": total_s,
        "explained": explanation is not None,
        "conflict": conflict,
        "conflict_size": len(conflict),
        "minimal": explanation.minimal if explanation else None,
        "relaxations": len(explanation.relaxations) if explanation else 0,
        "relaxation_sizes": [len(r.changes) for r in explanation.relaxations] if explanation else [],
        "expected_conflict": expected,
        "expected_found": bool(expected) and all(e in conflict for e in expected),
        "check_s": verdict["check_s"],
        "violations": verdict["violations"],
        "cpu_share": cpu_share,
        "peak_mib": peak_memory_mib(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench.instance {solve,explain} --nations N --seed S --time-limit T`: print one record as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.instance", description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("solve", "explain"), help="benchmark: solve a feasible scenario, or explain")
    parser.add_argument("--nations", type=int, required=True, help="nations in the generated scenario")
    parser.add_argument("--seed", type=int, required=True, help="generator seed")
    parser.add_argument("--time-limit", type=float, default=60.0, help="solve time limit in seconds (default 60)")
    parser.add_argument("--workers", type=int, default=None, help="CP-SAT workers (default: the solver's default)")
    parser.add_argument("--family", default="standard", help="scenario family (bench.generator.FAMILIES; solve only)")
    parser.add_argument("--search-seed", type=int, default=0, help="CP-SAT's random seed (solve only; default 0)")
    args = parser.parse_args(argv)
    if args.kind == "solve":
        record: SolveRecord | ExplainRecord = run_solve(
            args.nations, args.seed, args.time_limit, args.workers, family=args.family, search_seed=args.search_seed
        )
    else:
        record = run_explain(args.nations, args.seed, args.time_limit, args.workers)
    sys.stdout.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
