"""One benchmark instance solved by a peer, in a process of its own; one JSON record on stdout.

`python -m bench.peers.run --solver highs --nations 70 --seed 1 --time-limit 60` generates the same
scenario as `python -m bench.instance solve --nations 70 --seed 1` (bench.generator), solves it with
the peer, runs the independent checker on the answer, and prints one JSON object as the last line
of its output, with the fields of `bench.instance.run_solve` (so the harness can put the peers
beside CP-SAT) and a few of its own: `solver`, `solver_version`, the model's `rows`, `cols` and
`nonzeros`, and, with `--reference`, CP-SAT's objective on the same instance and the peer's excess
over it per criterion.

The HiGHS peer runs without OR-Tools in the process (`bench.peers.isolation`), so `--reference`
runs CP-SAT in a child process (`bench.instance`).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    # Only the types: the records module imports the solver, which the HiGHS peer keeps out of its process.
    from bench.records import MipSize, PeerRecord, PeerStage, Reference, SolveRecord

__all__ = ["main", "run_peer"]

SOLVERS = ("highs", "greedy")


def peak_memory_mib() -> float:
    """Peak resident memory of this process so far, in MiB (`ru_maxrss` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time (user and system) this process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _reference(nations: int, seed: int, time_limit_s: float) -> SolveRecord | None:
    """CP-SAT's record for the same instance (`bench.instance solve`), from a child process."""
    cmd = [sys.executable, "-m", "bench.instance", "solve", "--nations", str(nations), "--seed", str(seed)]
    cmd += ["--time-limit", str(time_limit_s)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=time_limit_s * 3 + 60, check=False)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return None
    # The record `bench.instance` wrote, not validated (as a results file is read).
    return cast("SolveRecord", json.loads(lines[-1]))


def _reference_of(cp_sat: SolveRecord) -> Reference:
    """What a peer's record keeps of CP-SAT's on the same instance."""
    return {
        "status": cp_sat["status"],
        "objective": cp_sat["objective"],
        "wall_s": cp_sat["wall_s"],
        "gap": cp_sat["gap"],
        "first_package_s": cp_sat["first_package_s"],
    }


def run_peer(
    solver: str, nations: int, seed: int, time_limit_s: float, reference: bool = False, family: str = "standard"
) -> PeerRecord:
    """Generate the feasible scenario (`nations`, `seed`), solve it with a peer and check the answer.

    Returns
    -------
    PeerRecord
        The fields of `bench.instance.run_solve` (`model` holds `variables`, `constraints` and
        `nonzeros` of the MIP, None for the greedy), plus `solver`, `solver_version`, `rows`,
        `cols`, `nonzeros`, `hold_breaches` (HiGHS) and, with `reference`, `reference` (CP-SAT's
        status, objective and wall time) and `excess` (peer minus CP-SAT per criterion, positive =
        worse).
    """
    if solver == "highs":
        from bench.peers.isolation import keep_ortools_out

        keep_ortools_out()
    from bench.generator import generate, summary
    from bench.peers.greedy import excess
    from forcepack.solver.check import check
    from forcepack.solver.params import SolveParams

    start = time.perf_counter()
    scenario = generate(nations, seed, family=family)
    generate_s = time.perf_counter() - start
    memory_before_solve = peak_memory_mib()
    params = SolveParams(time_limit_s=time_limit_s)
    cpu_before = cpu_seconds()
    solve_start = time.perf_counter()
    model: MipSize | None
    stages: list[PeerStage]
    rows: int | None
    cols: int | None
    nonzeros: int | None
    hold_breaches: list[str] | None
    if solver == "highs":
        from bench.peers.highs import SOLVER_VERSION, HighsReport, solve_highs

        report = HighsReport()
        solution = solve_highs(scenario, params, report=report)
        wall_s = report.wall_s
        solver_version = SOLVER_VERSION
        model = {
            "variables": report.cols,
            "constraints": report.rows,
            "nonzeros": report.nonzeros,
            "integer_variables": report.integer_cols,
            "build_s": report.build_s,
        }
        build_s, first_package_s = report.build_s, report.first_package_s
        stages = [
            {
                "criterion": s.criterion,
                "status": s.status,
                "value": s.value,
                "bound": s.bound,
                "wall_s": s.wall_s,
                "solves": s.solves,
            }
            for s in report.stages
        ]
        rows, cols, nonzeros = report.rows, report.cols, report.nonzeros
        hold_breaches = report.hold_breaches
    else:
        from bench.peers.greedy import SOLVER_VERSION as GREEDY_VERSION
        from bench.peers.greedy import solve_greedy

        solution = solve_greedy(scenario, seed=seed)
        wall_s = time.perf_counter() - solve_start
        solver_version = GREEDY_VERSION
        model, build_s, first_package_s, stages = None, 0.0, wall_s, []
        rows = cols = nonzeros = hold_breaches = None
    cpu_share = (cpu_seconds() - cpu_before) / wall_s if wall_s > 0 else None
    check_start = time.perf_counter()
    violations = check(scenario, solution)
    record: PeerRecord = {
        "kind": "solve",
        "solver": solver,
        "nations": nations,
        "family": family,
        "seed": seed,
        "scenario": scenario.id,
        "time_limit_s": time_limit_s,
        "workers": solution.run.workers,
        "summary": summary(scenario),
        "generate_s": generate_s,
        "solver_version": solver_version,
        "model": model,
        "build_s": build_s,
        "first_package_s": first_package_s,
        "stages": stages,
        "rows": rows,
        "cols": cols,
        "nonzeros": nonzeros,
        "wall_s": wall_s,
        "optimal_s": wall_s if solution.status == "optimal" else None,
        "status": solution.status,
        "gap": solution.gap,
        "objective": [{"criterion": o.criterion, "value": o.value, "bound": o.bound} for o in solution.objective],
        "check_s": time.perf_counter() - check_start,
        "violations": [f"[{v.rule}] {v.message}" + (f" ({v.element})" if v.element else "") for v in violations],
        "cpu_share": cpu_share,
        "peak_before_solve_mib": memory_before_solve,
        "peak_mib": peak_memory_mib(),
    }
    if hold_breaches is not None:
        record["hold_breaches"] = hold_breaches
    if reference:
        cp_sat = _reference(nations, seed, time_limit_s)
        record["reference"] = None if cp_sat is None else _reference_of(cp_sat)
        if cp_sat is not None and solution.objective:
            record["excess"] = excess(solution, {o["criterion"]: o["value"] for o in cp_sat["objective"]})
    return record


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench.peers.run --solver highs|greedy --nations N --seed S --time-limit T`: one JSON record."""
    parser = argparse.ArgumentParser(prog="python -m bench.peers.run", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--solver", choices=SOLVERS, required=True, help="the peer: HiGHS MIP or the greedy fill")
    parser.add_argument("--nations", type=int, required=True, help="nations in the generated scenario")
    parser.add_argument("--seed", type=int, required=True, help="generator seed")
    parser.add_argument("--time-limit", type=float, default=60.0, help="time limit in seconds (default 60)")
    parser.add_argument(
        "--reference", action="store_true", help="also solve with CP-SAT (child process) and report the excess"
    )
    parser.add_argument("--family", default="standard", help="scenario family (bench.generator.FAMILIES)")
    args = parser.parse_args(argv)
    record = run_peer(args.solver, args.nations, args.seed, args.time_limit, args.reference, args.family)
    sys.stdout.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
