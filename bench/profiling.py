"""Where a solve's wall time goes: one generated scenario solved under pyinstrument, in a process of its own.

`python -m bench.profiling --nations 200 --seed 1 --time-limit 30` generates the scenario, solves it
with CP-SAT's log on and pyinstrument sampling the main thread every millisecond, runs the checker on
the answer, and prints one JSON record as the last line of its output: the phases of the solve
(building the model; for each lexicographic stage, CP-SAT's presolve, until its log says "Starting
search", and its search; the last CP-SAT call that draws pledged money; the solution document; the
rest of `solve`) and the checker, in seconds and as shares of the whole; the functions with the most
wall time of their own; and the top of pyinstrument's call tree. CP-SAT itself is native code: its
time shows as the Python call that waits for it (`CpSolver.solve`); the phases split it with the log.

The harness runs it as its `profile` family (`run_profiles`) and renders `render`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from bench.common import checker_cell, join, num, run_json, table
from bench.records import (
    Config,
    Echo,
    FamilyMeta,
    Hot,
    ProfileFailure,
    ProfileRecord,
    Results,
    Save,
    start_records,
)

if TYPE_CHECKING:
    from pyinstrument.frame import Frame

    from forcepack.solver.search import StageResult

__all__ = ["main", "phases_text", "profile_solve", "render", "run_profiles"]

TREE_LINES = 45
"""Lines of pyinstrument's call tree kept in the record."""
HOT = 12
HOT_SHARE = 0.005
"""Functions with the most time of their own kept in the record: at most HOT, each at least HOT_SHARE."""


def _walk(frame: Frame) -> Iterator[Frame]:
    yield frame
    for child in frame.children:
        yield from _walk(child)


def _time_in(root: Frame, function: str | tuple[str, ...], path_end: str) -> float:
    """Wall seconds inside calls of `function` (or of any of several) defined in a file ending with
    `path_end` (outermost calls: one nested in another counts once)."""
    functions = (function,) if isinstance(function, str) else function

    def visit(frame: Frame) -> float:
        if frame.function in functions and (frame.file_path or "").replace("\\", "/").endswith(path_end):
            return float(frame.time)
        return sum(visit(child) for child in frame.children)

    return visit(root)


def _hot(root: Frame) -> list[Hot]:
    """The functions with the most wall time of their own (native calls they wait for included)."""
    own: dict[tuple[str, str], float] = defaultdict(float)
    for frame in _walk(root):
        if frame.is_synthetic:
            continue
        # A frame's own time: what its children do not account for, and its `[self]` samples.
        children = [c for c in frame.children if not c.is_synthetic]
        self_time = float(frame.time) - sum(float(c.time) for c in children)
        if self_time <= 0:
            continue
        where = f"{frame.file_path_short or '?'}:{frame.line_no or 0}"
        name = f"{frame.class_name}.{frame.function}" if frame.class_name else str(frame.function)
        own[(name, where)] += self_time
    total = float(root.time) or 1.0
    ranked = [item for item in sorted(own.items(), key=lambda item: -item[1]) if item[1] >= HOT_SHARE * total]
    return [{"function": f, "where": w, "self_s": s, "share": s / total} for (f, w), s in ranked[:HOT]]


def _stage_presolve(lines: list[str]) -> list[float | None]:
    """Per CP-SAT call, in order, the seconds until its search started (its presolve), from its log."""
    from bench.sweeps import SEARCH_STARTED

    sections: list[list[str]] = []
    for line in lines:
        if "Starting CP-SAT solver" in line:
            sections.append([])
        if sections:
            sections[-1].append(line)
    out: list[float | None] = []
    for section in sections:
        out.append(next((float(m.group(1)) for line in section if (m := SEARCH_STARTED.search(line))), None))
    return out


SOLVER_PHASES = ("presolve", ": search", "linear relaxation", "search around the relaxation", "draw pledged money")
"""Phases spent in CP-SAT or GLOP calls (matched in the phase's name)."""


def _in_a_solver(phase: str) -> bool:
    return any(marker in phase for marker in SOLVER_PHASES)


def profile_solve(nations: int, seed: int, time_limit_s: float, workers: int | None = None) -> ProfileRecord:
    """Generate the feasible scenario (`nations`, `seed`), solve it under pyinstrument, check the answer.

    Returns
    -------
    dict
        The solve's status, gap and timings, `phases` (name, seconds, share of the profiled wall time),
        `hot` (functions by wall time of their own), `tree` (the top of pyinstrument's call tree, as
        text lines), the checker's violations and the process's peak memory.
    """
    from pyinstrument import Profiler

    from bench.generator import generate
    from bench.instance import peak_memory_mib
    from bench.sweeps import solver_log
    from forcepack.solver import SolveParams, SolveReport, solve
    from forcepack.solver.check import check

    start = time.perf_counter()
    scenario = generate(nations, seed)
    generate_s = time.perf_counter() - start
    params = (
        SolveParams(time_limit_s=time_limit_s, log=True)
        if workers is None
        else SolveParams(time_limit_s=time_limit_s, workers=workers, log=True)
    )
    report = SolveReport()
    profiler = Profiler(interval=0.001)
    with solver_log() as log:
        profiler.start()
        solve_start = time.perf_counter()
        solution = solve(scenario, params, report=report)
        solve_s = time.perf_counter() - solve_start
        check_start = time.perf_counter()
        violations = check(scenario, solution)
        check_s = time.perf_counter() - check_start
        session = profiler.stop()
    root = session.root_frame()
    if root is None:
        raise RuntimeError("pyinstrument recorded nothing")
    presolve = _stage_presolve(log)
    phases: list[tuple[str, float]] = [("build the model", report.build_s)]
    in_stages = 0.0
    searches: list[list[StageResult]] = []  # one CP-SAT search each: a stage and those merged into it
    for result in report.stages:
        if result.merged and searches:
            searches[-1].append(result)
        else:
            searches.append([result])
    for i, group in enumerate(searches):
        stage = group[0]
        label = f"stage {' + '.join(f'`{s.criterion}`' for s in group)} ({stage.status.lower()})"
        searched = stage.wall_s - stage.relaxation_s - stage.neighbourhood_s
        if stage.relaxation_s:
            phases.append((f"{label}: linear relaxation (GLOP)", stage.relaxation_s))
        if stage.neighbourhood_s:
            phases.append(
                (f"{label}: search around the relaxation ({stage.neighbourhood_rounds} rounds)", stage.neighbourhood_s)
            )
        before_search = presolve[i] if i < len(presolve) else None
        pre = min(searched, before_search) if before_search is not None else searched
        phases.append((f"{label}: presolve" + ("" if before_search is not None else " (search never started)"), pre))
        phases.append((f"{label}: search", searched - pre))
        in_stages += stage.wall_s
    first = _time_in(root, ("construct", "complete"), "solver/construct.py")
    draw = _time_in(root, "_draw_funding", "solver/solve.py")
    document = _time_in(root, "solution_document", "solver/document.py")
    rest = solve_s - report.build_s - first - in_stages - draw - document
    phases.insert(1, ("first package by construction (and its completion by CP-SAT)", first))
    phases += [
        ("draw pledged money (last CP-SAT call)", draw),
        ("solution document", document),
        ("rest of `solve` (holds, hints, gap)", max(0.0, rest)),
        ("checker (`solver.check`)", check_s),
    ]
    profiled = solve_s + check_s
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    # The call tree, without pyinstrument's banner (up to the "Profile at" line).
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    head = next((i + 1 for i, line in enumerate(lines) if line.startswith("Profile at")), 0)
    tree = lines[head:]
    return {
        "kind": "profile",
        "nations": nations,
        "seed": seed,
        "time_limit_s": time_limit_s,
        "workers": solution.run.workers,
        "status": solution.status,
        "gap": solution.gap,
        "generate_s": generate_s,
        "build_s": report.build_s,
        "first_package_s": report.first_package_s,
        "wall_s": solve_s,
        "check_s": check_s,
        "profiled_s": profiled,
        "sampled_s": float(root.time),
        "stages": [
            {"criterion": s.criterion, "status": s.status, "wall_s": s.wall_s, "presolve_s": p}
            for s, p in zip(report.stages, presolve + [None] * len(report.stages), strict=False)
        ],
        "phases": [{"phase": name, "seconds": s, "share": s / profiled if profiled else 0.0} for name, s in phases],
        "hot": _hot(root),
        "tree": tree[:TREE_LINES],
        "tree_lines": len(tree),
        "violations": [f"[{v.rule}] {v.message}" + (f" ({v.element})" if v.element else "") for v in violations],
        "peak_mib": peak_memory_mib(),
    }


# -- the family ------------------------------------------------------------------------------------


def run_profiles(config: Config, results: Results, echo: Echo, save: Save) -> None:
    """One profiled solve per size of `config.profile_sizes` (seed 1), each in a fresh process."""

    records, done = start_records("profile", results, config.resume)
    for n in config.profile_sizes:
        seed = 1
        if (n, seed) in done:
            echo(f"[profile] {n} nations: kept from the interrupted run")
            continue
        echo(f"[profile] {n} nations, seed {seed}, {num(config.profile_time_limit_s, 0)} s ...")
        cmd = [sys.executable, "-m", "bench.profiling", "--nations", str(n), "--seed", str(seed)]
        cmd += ["--time-limit", str(config.profile_time_limit_s)]
        if config.workers is not None:
            cmd += ["--workers", str(config.workers)]
        load = os.getloadavg()[0]
        record = run_json(
            cmd,
            3 * config.profile_time_limit_s + 180,
            ProfileRecord,
            ProfileFailure(kind="profile", nations=n, seed=seed, error="", violations=[]),
        )
        record["load_before"] = load
        records.append(record)
        if "error" in record:
            echo(f"[profile] {n} nations: ERROR {record['error']}")
        else:
            echo(f"[profile] {n} nations: {record['status']} in {record['wall_s']:.1f} s; {phases_text(record)}")
        for violation in record.get("violations", []):
            echo(f"!!! CHECKER VIOLATION (profile, {n} nations, seed {seed}): {violation}")
        save()


def phases_text(record: ProfileRecord, top: int = 4) -> str:
    """The largest phases of a profile, in words: `92 % stage shortfall: search, 5 % build, ...`."""
    phases = sorted(record.get("phases", []), key=lambda p: -p["seconds"])[:top]
    return ", ".join(f"{p['share'] * 100:.0f} % {p['phase']} ({num(p['seconds'])} s)" for p in phases)


def find(results: Results, nations: int) -> ProfileRecord | None:
    """The profile record of a size, if measured without error."""
    return next((r for r in results.get("profile", []) if r["nations"] == nations and "error" not in r), None)


def render(results: Results, meta: FamilyMeta) -> list[str]:
    """The profile section: per size, the phases, the hottest functions, and the top of the call tree."""
    records = results.get("profile", [])
    if not records:
        return []
    lines = [
        "## Where the time goes: profiles",
        "",
        "One solve per size (seed 1) under pyinstrument (`python -m bench.profiling --nations N --seed 1",
        "--time-limit T`), CP-SAT's log on, then the checker. *Phases*: building the model; the first package",
        "by construction on large models (`solver/construct.py`, its completion by CP-SAT included); on large",
        "models, each stage's linear relaxation (GLOP, `solver/relaxation.py`) and the search around its",
        "optimum (CP-SAT on neighbourhoods, `solver/neighbourhood.py`); each search of the lexicographic",
        'stages (criteria merged into one objective share one) split at CP-SAT\'s "Starting search" log line',
        "into its presolve and its search (a stage whose search never started spent its time in presolve);",
        "the last CP-SAT call drawing pledged money; the solution document; the rest of `solve`; the",
        "checker. Shares are of the profiled",
        "wall time (solve and checker). *Own time*: wall time spent in a function itself, native calls it",
        "waits for included (CP-SAT is `CpSolver.solve`), from pyinstrument's samples.",
        "",
    ]
    for r in sorted(records, key=lambda r: r["nations"]):
        if "error" in r:
            lines += [f"### {r['nations']} nations", "", f"**error: {r['error']}**", ""]
            continue
        lines += [
            f"### {r['nations']} nations (seed {r['seed']}, {num(r['time_limit_s'], 0)} s limit)",
            "",
            f"Status {r['status']}, gap {num(r['gap'], 4)}, first package "
            f"{num(r['first_package_s'])} s, solve {num(r['wall_s'])} s, checker {num(r['check_s'])} s "
            f"({checker_cell(r)}), peak {num(r['peak_mib'], 0)} MiB; generating the scenario took "
            f"{num(r['generate_s'])} s (not profiled).",
            "",
            *table(
                ["phase", "seconds", "share"],
                [[p["phase"], num(p["seconds"]), f"{p['share'] * 100:.1f} %"] for p in r["phases"]],
                [False, True, True],
            ),
            "",
            *table(
                ["function (own time)", "where", "seconds", "share"],
                [
                    [f"`{h['function']}`", f"`{h['where']}`", num(h["self_s"]), f"{h['share'] * 100:.1f} %"]
                    for h in r["hot"]
                ],
                [False, False, True, True],
            ),
            "",
            "<details><summary>The top of pyinstrument's call tree "
            f"({min(len(r['tree']), r['tree_lines'])} of {r['tree_lines']} lines)</summary>",
            "",
            "```text",
            *r["tree"],
            "```",
            "",
            "</details>",
            "",
        ]
    ok = [r for r in records if "error" not in r]
    if ok:
        lines += ["### Reading the profiles", ""]
        for r in sorted(ok, key=lambda r: r["nations"]):
            solvers = sum(p["seconds"] for p in r["phases"] if _in_a_solver(p["phase"]))
            rest = r["profiled_s"] - solvers
            lines.append(
                f"- **{r['nations']} nations**: {phases_text(r)}. The solvers' calls (the stages' presolve and "
                f"search, the relaxation, the search around it, the money drawn) took "
                f"{num(solvers / r['profiled_s'] * 100, 0)} % of the wall time; building, the construction "
                f"(with its completion), holds, document and checker {num(rest)} s "
                f"({num(rest / r['profiled_s'] * 100, 0)} %)."
            )
        unfinished = [r for r in ok if r["status"] != "optimal"]
        if unfinished:
            lines.append(
                f"- At {join([str(r['nations']) for r in unfinished])} nations the time limit, not Python, bounds "
                "the solve: the time goes to CP-SAT's presolve and search of the first stage(s) not proven."
            )
        lines.append("")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench.profiling --nations N --seed S --time-limit T`: print one profile record as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.profiling", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--nations", type=int, required=True, help="nations in the generated scenario")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--time-limit", type=float, default=30.0, help="solve time limit in seconds (default 30)")
    parser.add_argument("--workers", type=int, default=None, help="CP-SAT workers (default: the solver's default)")
    args = parser.parse_args(argv)
    record = profile_solve(args.nations, args.seed, args.time_limit, args.workers)
    sys.stdout.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
