"""Which CP-SAT configuration removes the heavy tail: each named configuration on every scenario family
(`bench.generator.FAMILIES`) and several search seeds, measured in CP-SAT's deterministic time (work
units, about seconds on a quiet machine, the same whatever the load) and in counts (proven, not
proven, no package); wall time is recorded with the 1-minute load average beside it.

`python -m bench.robust --configs default,portfolio --out bench/out/robust.jsonl` appends one JSON
line per run (a run already in the file is skipped, so an interrupted measurement resumes), then
prints the summary table per family and configuration. The numbers behind the choices in
docs/decisions.md ("Solver configuration") came from it.

Each configuration changes the CP-SAT parameters that `solver.search.configure` sets for every stage
(it wraps it); the solver's stages, holds and documents are the solver's own.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypedDict, cast

from ortools.sat.python import cp_model

import forcepack.solver.search as search_module
from bench.generator import FAMILIES, generate
from forcepack.solver import SolveParams
from forcepack.solver.answer import solve
from forcepack.solver.params import SolveParams as _Params

Tweak = Callable[[cp_model.CpSolver, int], None]
"""Changes a stage's CP-SAT parameters after `configure` set them (solver, workers configure chose)."""


def _default(solver: cp_model.CpSolver, workers: int) -> None:
    """The solver's own configuration."""


def _portfolio(solver: cp_model.CpSolver, workers: int) -> None:
    """Two workers, CP-SAT's default portfolio (what `workers=2` gives without the project's tuning)."""
    solver.parameters.num_workers = 2
    solver.parameters.clear_linearization_level()


def _portfolio_lin2(solver: cp_model.CpSolver, workers: int) -> None:
    """Two workers, CP-SAT's default portfolio with the strong relaxation (`linearization_level=2`)."""
    solver.parameters.num_workers = 2
    solver.parameters.linearization_level = 2


def _lp_and_restarts(solver: cp_model.CpSolver, workers: int) -> None:
    """Two workers: the strong relaxation's search and a quick-restart search with no relaxation."""
    p = solver.parameters
    p.num_workers = 2
    p.clear_linearization_level()
    p.subsolvers.clear()
    p.subsolvers.extend(["max_lp", "quick_restart_no_lp"])


def _lp_and_default(solver: cp_model.CpSolver, workers: int) -> None:
    """Two workers: the strong relaxation's search and CP-SAT's default one."""
    p = solver.parameters
    p.num_workers = 2
    p.clear_linearization_level()
    p.subsolvers.clear()
    p.subsolvers.extend(["max_lp", "default_lp"])


def _restarts(solver: cp_model.CpSolver, workers: int) -> None:
    """One worker, strong relaxation, the portfolio of heuristics with quick restarts."""
    solver.parameters.search_branching = cp_model.SatParameters.PORTFOLIO_WITH_QUICK_RESTART_SEARCH


def _inclusion_on(solver: cp_model.CpSolver, workers: int) -> None:
    """The solver's configuration with CP-SAT's inclusion presolve back on (google/or-tools#5293)."""
    solver.parameters.clear_presolve_inclusion_work_limit()


def _no_presolve(solver: cp_model.CpSolver, workers: int) -> None:
    """The solver's configuration without CP-SAT's presolve."""
    solver.parameters.cp_model_presolve = False


CONFIGS: dict[str, Tweak] = {
    "default": _default,
    "portfolio": _portfolio,
    "portfolio-lin2": _portfolio_lin2,
    "lp+restarts": _lp_and_restarts,
    "lp+default": _lp_and_default,
    "restarts": _restarts,
    "inclusion-on": _inclusion_on,
    "no-presolve": _no_presolve,
}
"""The configurations measured, by name."""


class RobustRun(TypedDict):
    """One solve of a configuration, a line of the output file."""

    family: str
    nations: int
    seed: int
    search_seed: int
    config: str
    budget: float
    status: str
    gap: float
    objective: list[tuple[str, float, float]]
    """(criterion, value, bound) per criterion (JSON lists in the file)."""
    dtime: float
    """CP-SAT's deterministic time, summed over its calls."""
    wall_s: float
    cpu_s: float
    load: float


SIZES = (12, 22, 35, 50, 70)
GENERATOR_SEEDS = (1, 2)
SEARCH_SEEDS = (0, 1, 2)


@contextmanager
def _tweaked(tweak: Tweak, spent: list[float]) -> Iterator[None]:
    """Every stage's CP-SAT parameters changed by `tweak`; each solver's deterministic time added to
    `spent`."""
    original_configure = search_module.configure
    original_new: Callable[[], cp_model.CpSolver] = getattr(search_module, "new_solver")  # noqa: B009
    solvers: list[cp_model.CpSolver] = []

    def configure(solver: cp_model.CpSolver, params: _Params, time_left: float, workers: int, pairs: int) -> None:
        original_configure(solver, params, time_left, workers, pairs)
        tweak(solver, workers)

    def new_solver() -> cp_model.CpSolver:
        solver = original_new()
        solvers.append(solver)
        return solver

    setattr(search_module, "configure", configure)  # noqa: B010 (the stages read it from the module)
    setattr(search_module, "new_solver", new_solver)  # noqa: B010
    try:
        yield
    finally:
        setattr(search_module, "configure", original_configure)  # noqa: B010
        setattr(search_module, "new_solver", original_new)  # noqa: B010
        spent.append(sum(_dtime(s) for s in solvers))


def _dtime(solver: cp_model.CpSolver) -> float:
    """A solver's deterministic time; 0 for one created but never run."""
    try:
        return float(solver.response_proto.deterministic_time)
    except RuntimeError:
        return 0.0


def run_one(family: str, nations: int, seed: int, search_seed: int, config: str, budget: float) -> RobustRun:
    """Solve one generated scenario with one configuration: status, stages, deterministic and wall time."""
    scenario = generate(nations, seed, family=family)
    params = SolveParams(time_limit_s=budget, seed=search_seed, deterministic=True)
    spent: list[float] = []
    load = os.getloadavg()[0]
    start = time.perf_counter()
    cpu = time.process_time()
    with _tweaked(CONFIGS[config], spent):
        solution = solve(scenario, params, explain=False)
    wall = time.perf_counter() - start
    return {
        "family": family,
        "nations": nations,
        "seed": seed,
        "search_seed": search_seed,
        "config": config,
        "budget": budget,
        "status": solution.status,
        "gap": solution.gap,
        "objective": [(o.criterion, o.value, o.bound) for o in solution.objective],
        "dtime": spent[0],  # `_tweaked` adds it on leaving
        "wall_s": wall,
        "cpu_s": time.process_time() - cpu,
        "load": load,
    }


def _key(r: RobustRun) -> tuple[str, int, int, int, str, float]:
    return (r["family"], r["nations"], r["seed"], r["search_seed"], r["config"], r["budget"])


def _p90(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def summarise(records: Sequence[RobustRun]) -> list[str]:
    """One row per (family, configuration): runs, proven, unproven, no package, p90 and max
    deterministic time (an unproven run counts as its whole budget), wall time and load ranges."""
    rows = ["| family | config | runs | proven | not proven | no package | p90 dtime | max dtime | max wall s | load |"]
    rows.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    groups: dict[tuple[str, str], list[RobustRun]] = {}
    for r in records:
        groups.setdefault((r["family"], r["config"]), []).append(r)
    for (family, config), rs in sorted(groups.items()):
        proven = sum(r["status"] == "optimal" for r in rs)
        none = sum(r["status"] in ("unknown", "infeasible") for r in rs)
        times = [r["dtime"] if r["status"] == "optimal" else r["budget"] for r in rs]
        loads = [r["load"] for r in rs]
        rows.append(
            f"| {family} | {config} | {len(rs)} | {proven} | {len(rs) - proven - none} | {none} | "
            f"{_p90(times):.2f} | {max(times):.2f} | {max(r['wall_s'] for r in rs):.1f} | "
            f"{min(loads):.1f}-{max(loads):.1f} |"
        )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Measure the configurations named on every family, size and seed; append to `--out`."""
    parser = argparse.ArgumentParser(prog="python -m bench.robust", description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default="default", help=f"comma-separated, of {', '.join(CONFIGS)}")
    parser.add_argument("--families", default=",".join(FAMILIES), help="comma-separated scenario families")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="nations, comma-separated")
    parser.add_argument("--seeds", default=",".join(map(str, GENERATOR_SEEDS)), help="generator seeds")
    parser.add_argument("--search-seeds", default=",".join(map(str, SEARCH_SEEDS)), help="CP-SAT seeds")
    parser.add_argument("--budget", type=float, default=10.0, help="deterministic time per solve (default 10)")
    parser.add_argument("--out", type=Path, default=Path("bench/out/robust.jsonl"))
    parser.add_argument("--summary", action="store_true", help="only print the summary of --out")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    lines = args.out.read_text().splitlines() if args.out.exists() else []
    # The runs as this module wrote them, not validated.
    records = [cast(RobustRun, json.loads(line)) for line in lines]
    if not args.summary:
        done = {_key(r) for r in records}
        configs = args.configs.split(",")
        plan = [
            (f, n, s, q, c)
            for s in map(int, args.seeds.split(","))
            for n in map(int, args.sizes.split(","))
            for f in args.families.split(",")
            for q in map(int, args.search_seeds.split(","))
            for c in configs
        ]
        for f, n, s, q, c in plan:
            if (f, n, s, q, c, args.budget) in done:
                continue
            record = run_one(f, n, s, q, c, args.budget)
            records.append(record)
            with args.out.open("a") as out:
                out.write(json.dumps(record) + "\n")
            sys.stderr.write(
                f"{f} n{n} s{s} q{q} {c}: {record['status']} dtime {record['dtime']:.2f} "
                f"wall {record['wall_s']:.2f} load {record['load']:.1f}\n"
            )
    sys.stdout.write("\n".join(summarise([r for r in records if r["budget"] == args.budget])) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
