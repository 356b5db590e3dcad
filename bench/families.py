"""The workers, command-line, sweep and load benchmark families: running them, and their sections
of docs/benchmarks.md. `bench.harness` calls these; every figure written comes from the records.

- **workers**: the solve benchmark (`bench.instance solve`) with each number of CP-SAT workers
  of `Config.workers_compare`, interleaved, on `Config.workers_sizes` x `Config.workers_seeds`;
- **cli**: `forcepack solve` on example files, timed from outside (interpreter start included),
  part of the explain family;
- **sweep** and **sweep-full**: N-1 and N-2 criticality (`bench.sweeps`) on generated scenarios,
  on a local process pool and a local dask cluster, cold and hinted, and on the Gaza example; the
  default `sweep` re-solves small seeded samples of the variants at the larger sizes, the long
  `sweep-full` (not run by default) every N-1 variant and larger N-2 samples;
- **load**: the HTTP load test (`bench.load`): delegates reading and writing their offers.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, cast

from bench.common import ROOT, checker_cell, join, median, num, per_size, run_json, table
from bench.records import (
    Anatomy,
    AnyEntry,
    BaselineFailure,
    BaselineRecord,
    CliFailure,
    CliFloor,
    CliRecord,
    Config,
    Echo,
    FamilyMeta,
    GazaFailure,
    GazaRecord,
    LoadEntry,
    LoadFailure,
    LoadRecord,
    Results,
    RunConfig,
    Save,
    SolveEntry,
    SolveFailure,
    SolveRecord,
    SweepFailure,
    SweepFamily,
    SweepRecord,
    record_key,
    start_records,
)
from forcepack.models import MAXIMISED
from forcepack.solver.params import default_workers
from forcepack.solver.search import WHOLE_NEIGHBOURHOOD_PAIRS

CLI_FILES: tuple[tuple[str, str], ...] = (
    ("examples/infeasible-funding.yaml", "infeasible"),
    ("examples/infeasible-khan-younis-police.yaml", "infeasible"),
    ("examples/gaza-isf.yaml", "feasible"),
)
"""Example files `forcepack solve` is timed on, and what they are expected to be."""

BASELINES = {"sweep": Path("bench/out/baselines"), "sweep-full": Path("bench/out/baselines-full")}
"""Where each sweep family keeps its baseline packages (apart, so that one never replaces the other's)."""
SWEEPS: tuple[tuple[str, bool, str], ...] = (
    ("n1", False, "pool"),
    ("n1", False, "dask"),
    ("n1", True, "pool"),
    ("n1", True, "dask"),
    ("n2", True, "pool"),
)
"""(mode, hinted, executor) of the sweeps run on every generated scenario, in this order."""

STATUSES: tuple[Literal["optimal", "feasible", "unknown", "infeasible"], ...] = (
    "optimal",
    "feasible",
    "unknown",
    "infeasible",
)
EXECUTOR_NAMES = {"pool": "process pool", "dask": "dask LocalCluster", "none": "sequential (no executor)"}


def _loud(echo: Echo, family: str, where: str, record: AnyEntry) -> None:
    for violation in record.get("violations", []):
        echo(f"!!! CHECKER VIOLATION ({family}, {where}): {violation}")


# -- workers ---------------------------------------------------------------------------------------


def run_workers(config: Config, results: Results, echo: Echo, save: Save) -> None:
    """The solve benchmark with 1 and 2 CP-SAT workers (`Config.workers_compare`), interleaved."""
    records, done = start_records("workers", results, config.resume)
    plan = [(n, s, w) for s in config.workers_seeds for n in config.workers_sizes for w in config.workers_compare]
    for i, (n, s, w) in enumerate(plan, 1):
        if (n, s, w) in done:
            echo(f"[workers {i}/{len(plan)}] {n} nations, seed {s}, {w} worker(s): kept from the interrupted run")
            continue
        echo(f"[workers {i}/{len(plan)}] solve {n} nations, seed {s}, {w} worker(s) ...")
        cmd = [sys.executable, "-m", "bench.instance", "solve", "--nations", str(n), "--seed", str(s)]
        cmd += ["--time-limit", str(config.workers_time_limit_s), "--workers", str(w)]
        load = os.getloadavg()[0]
        record = run_json(
            cmd,
            3 * config.workers_time_limit_s + 120,
            SolveRecord,
            SolveFailure(kind="solve", nations=n, seed=s, workers=w, error="", violations=[]),
        )
        record["load_before"] = load
        records.append(record)
        if "error" in record:
            echo(f"[workers {i}/{len(plan)}] ERROR {record['error']}")
        else:
            echo(
                f"[workers {i}/{len(plan)}] {record['status']:10s} wall {record['wall_s']:.1f} s, "
                f"first package {num(record['first_package_s'])} s, gap {num(record['gap'], 4)}, "
                f"CPU share {num(record.get('cpu_share'))}"
            )
        _loud(echo, "workers", f"{n} nations, seed {s}, {w} workers", record)
        save()


def _by_workers(records: list[SolveEntry]) -> dict[tuple[int, int], dict[int, SolveEntry]]:
    out: dict[tuple[int, int], dict[int, SolveEntry]] = {}
    for r in records:
        out.setdefault((r["nations"], r["seed"]), {})[r["workers"]] = r
    return out


def _share(r: SolveEntry | None) -> str:
    """A run's CPU share, or a dash where it did not run or failed."""
    return num(r.get("cpu_share")) if r is not None and "error" not in r else "—"


def _measured_pair(by: dict[int, SolveEntry], one: int, two: int) -> tuple[SolveRecord, SolveRecord] | None:
    """The runs of one scenario with `one` and with `two` workers, when both were measured without error."""
    a, b = by.get(one), by.get(two)
    if a is None or b is None or "error" in a or "error" in b:
        return None
    return a, b


def _solve_cells(r: SolveEntry | None) -> list[str]:
    if r is None:
        return ["—"] * 4
    if "error" in r:
        return [f"**error: {r['error']}**", "", "", ""]
    gap = num(r["gap"], 4) if r["status"] in ("optimal", "feasible") else "—"
    return [r["status"], num(r["first_package_s"]), num(r["wall_s"]), gap]


def render_workers(results: Results, meta: FamilyMeta) -> list[str]:
    """The workers section: one row per scenario, each number of workers side by side."""
    records = results.get("workers", [])
    if not records:
        return []
    cfg = meta["config"]
    counts = sorted({r["workers"] for r in records})
    grouped = _by_workers(records)
    header = ["nations", "seed"]
    for w in counts:
        header += [f"{w}w status", f"{w}w first package s", f"{w}w wall s", f"{w}w gap"]
    header += [f"wall {counts[-1]}w / {counts[0]}w", "CPU share", "checker"]
    rows = []
    for (n, s), by in sorted(grouped.items()):
        row = [str(n), str(s)]
        for w in counts:
            row += _solve_cells(by.get(w))
        first, last = by.get(counts[0]), by.get(counts[-1])
        ratio = (
            num(last["wall_s"] / first["wall_s"])
            if first and last and "error" not in first and "error" not in last and first["wall_s"] > 0
            else "—"
        )
        shares = " / ".join(_share(by.get(w)) for w in counts)
        verdicts = [checker_cell(by[w]) for w in counts if w in by]
        row += [ratio, shares, "ok" if all(v == "ok" for v in verdicts) else " ".join(verdicts)]
        rows.append(row)
    summary = []
    for n in sorted({n for n, _ in grouped}):
        row = [str(n)]
        for w in counts:
            ok = [r for r in records if r["nations"] == n and r["workers"] == w and "error" not in r]
            proven = sum(1 for r in ok if r["status"] == "optimal")
            row += [
                f"{proven}/{len(ok)}",
                num(median(r["wall_s"] if r["status"] == "optimal" else None for r in ok)),
                num(median(r["first_package_s"] for r in ok)),
            ]
        summary.append(row)
    summary_header = ["nations"]
    for w in counts:
        summary_header += [f"{w}w proven optimal", f"{w}w optimum s (median)", f"{w}w first package s (median)"]
    lines = [
        "## One or two CP-SAT workers",
        "",
        f"The solve benchmark again, on {join([str(n) for n in cfg['workers_sizes']])} nations (seeds "
        f"{', '.join(str(s) for s in cfg['workers_seeds'])}), once with each number of CP-SAT workers "
        f"({join([str(w) for w in counts])}), the runs of one scenario back to back, each in a fresh process, "
        f"time limit {num(cfg.get('workers_time_limit_s', cfg['time_limit_s']), 0)} s. "
        f"The solver's default is {default_workers()} (`solver.params.default_workers`); this measures the choice. One",
        "worker runs with `linearization_level = 2`; two run that search (`max_lp`) beside CP-SAT's default",
        "one (`default_lp`); more are CP-SAT's own portfolio. *CPU share* is CPU",
        "seconds per wall second, per number of workers (about the workers on an idle machine). From",
        f"{WHOLE_NEIGHBOURHOOD_PAIRS:,} unit-line pairs (about 350 nations) the search around the linear relaxation",
        "takes each stage's whole time in rounds on one worker whatever the count (`solver.solve`), so",
        "there the count changes only the search for a first package: a CPU share near 1 either way.",
        "",
        "### Per instance",
        "",
        *table(header, rows, [True, True] + [False, True, True, True] * len(counts) + [True, True, False]),
        "",
        "### Per size (medians)",
        "",
        "*Optimum s* counts a run not proven optimal as slower than any that was (*not reached* when most",
        "were not).",
        "",
        *table(summary_header, summary, [True] * len(summary_header)),
        "",
        "### Reading the numbers",
        "",
        *_reading_workers(records, counts, cfg.get("workers_time_limit_s", cfg["time_limit_s"])),
        "",
    ]
    return lines


def _packages_at_the_limit(pairs: list[tuple[SolveRecord, SolveRecord]], one: int, two: int) -> str:
    """Where neither run proved the optimum, the first criterion of the package each returned."""
    unproven = [
        (a, b)
        for a, b in pairs
        if a["status"] != "optimal" and b["status"] != "optimal" and a.get("objective") and b.get("objective")
    ]
    if not unproven:
        return ""
    criterion = unproven[0][0]["objective"][0]["criterion"]
    values = "; ".join(
        f"seed {a['seed']}: {num(a['objective'][0]['value'])} against {num(b['objective'][0]['value'])}"
        for a, b in unproven
    )
    better = sum(
        1
        for a, b in unproven
        if (b["objective"][0]["value"] > a["objective"][0]["value"]) == (criterion in MAXIMISED)
        and b["objective"][0]["value"] != a["objective"][0]["value"]
    )
    return (
        f" Neither proved the optimum in {len(unproven)}: the `{criterion}` of the package at the limit, "
        f"{one} worker against {two} ({values}); {two} workers returned the better package in {better} of "
        f"{len(unproven)}."
    )


def _reading_workers(records: list[SolveEntry], counts: list[int], limit: float) -> list[str]:
    out = []
    grouped = _by_workers(records)
    one, two = counts[0], counts[-1]
    for n in sorted({n for n, _ in grouped}):
        pairs = [
            pair
            for (m, _), by in sorted(grouped.items())
            if m == n and (pair := _measured_pair(by, one, two)) is not None
        ]
        if not pairs:
            continue
        faster = sum(1 for a, b in pairs if a["wall_s"] < b["wall_s"])
        proven = [
            sum(1 for a, _ in pairs if a["status"] == "optimal"),
            sum(1 for _, b in pairs if b["status"] == "optimal"),
        ]
        walls = "; ".join(
            f"seed {a['seed']}: {num(a['wall_s'])} s ({a['status']}) against {num(b['wall_s'])} s ({b['status']})"
            for a, b in pairs
        )
        out.append(
            f"- **{n} nations**: {one} worker proved {proven[0]} of {len(pairs)} optimal, {two} workers "
            f"{proven[1]} of {len(pairs)} (limit {num(limit, 0)} s); {one} worker finished first in {faster} of "
            f"{len(pairs)} runs ({walls})." + _packages_at_the_limit(pairs, one, two)
        )
    all_pairs = [pair for by in grouped.values() if (pair := _measured_pair(by, one, two)) is not None]
    if all_pairs:
        faster = sum(1 for a, b in all_pairs if a["wall_s"] < b["wall_s"])
        slower = sum(1 for a, b in all_pairs if b["wall_s"] < a["wall_s"])
        closes = sum(1 for a, b in all_pairs if a["status"] == "optimal" and b["status"] != "optimal")
        opens = sum(1 for a, b in all_pairs if b["status"] == "optimal" and a["status"] != "optimal")
        wins = {one: (faster, closes), two: (slower, opens)}
        chosen = default_workers()
        other = two if chosen == one else one
        if chosen not in wins:
            verdict = f"the default ({chosen} workers) was not measured here"
        elif wins[chosen][1] >= wins[other][1] and wins[chosen][0] >= wins[other][0]:
            verdict = f"the default of {chosen} holds on this machine"
        elif wins[chosen][1] > wins[other][1]:
            verdict = f"the default of {chosen} proves more, though {other} was faster more often"
        else:
            verdict = f"the default of {chosen} does not hold on this machine"
        out.insert(
            0,
            f"In short, {one} worker was faster than {two} in {faster} of {len(all_pairs)} runs and slower in "
            f"{slower}; {one} proved optimality where {two} did not in {closes}, {two} where {one} did not in "
            f"{opens}: {verdict}.",
        )
        out.insert(1, "")
        shares = [share for _, b in all_pairs if (share := b.get("cpu_share")) is not None]
        if shares:
            out.append(
                f"- **Contention**: with {two} workers the solves got {num(min(shares))} to {num(max(shares))} CPU "
                f"seconds per second (at most {two} on an idle machine)."
            )
    return out


# -- the command line ------------------------------------------------------------------------------


def _timed(cmd: Sequence[str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(list(cmd), cwd=ROOT, capture_output=True, text=True, check=False, timeout=600)
    return time.perf_counter() - start, proc.returncode, proc.stdout


def run_cli(config: Config, results: Results, echo: Echo, save: Save) -> None:
    """`forcepack solve FILE` timed from outside, `cli_repeats` times each; then once with `--json`
    to read the answer and check it."""
    from forcepack.models import Solution, load_scenario
    from forcepack.solver.check import check

    exe = str(Path(sys.executable).with_name("forcepack"))
    records, done = start_records("cli", results, config.resume)
    if done:
        echo("[cli] kept from the interrupted run")
        return
    repeats = max(1, config.cli_repeats)
    walls = [_timed([exe, "--help"])[0] for _ in range(repeats)]
    records.append(CliFloor(kind="cli", file=None, command="forcepack --help", walls_s=walls, violations=[]))
    echo(f"[cli] forcepack --help: {', '.join(f'{w:.2f}' for w in walls)} s")
    for file, expected in CLI_FILES:
        runs = [_timed([exe, "solve", file]) for _ in range(repeats)]
        wall_json, code_json, out = _timed([exe, "solve", file, "--json"])
        command = f"forcepack solve {file}"
        walls_s = [w for w, _, _ in runs]
        exit_codes = sorted({c for _, c, _ in runs})
        record: CliRecord | CliFailure
        try:
            solution = Solution.model_validate_json(out)
        except ValueError as exc:
            record = CliFailure(
                kind="cli",
                file=file,
                command=command,
                expected=expected,
                walls_s=walls_s,
                exit_codes=exit_codes,
                json_wall_s=wall_json,
                json_exit_code=code_json,
                error=f"unreadable --json output: {str(exc)[:200]}",
                violations=[],
            )
        else:
            explanation = solution.explanation
            record = CliRecord(
                kind="cli",
                file=file,
                command=command,
                expected=expected,
                walls_s=walls_s,
                exit_codes=exit_codes,
                json_wall_s=wall_json,
                json_exit_code=code_json,
                status=solution.status,
                solve_s=solution.run.wall_s,  # the solver's own wall time, inside the command's
                conflict_size=len(explanation.conflict) if explanation else None,
                minimal=explanation.minimal if explanation else None,
                relaxations=len(explanation.relaxations) if explanation else None,
                violations=[
                    f"[{v.rule}] {v.message}" + (f" ({v.element})" if v.element else "")
                    for v in check(load_scenario(ROOT / file), solution)
                ],
            )
        records.append(record)
        echo(
            f"[cli] {record['command']}: {', '.join(f'{w:.2f}' for w in record['walls_s'])} s, exit "
            f"{record['exit_codes']}, {record['error'] if 'error' in record else record['status']}"
        )
        _loud(echo, "cli", file, record)
        save()


def _as_expected(r: CliRecord) -> bool:
    if r["expected"] == "infeasible":
        return bool(r["status"] == "infeasible")
    return r["status"] in ("optimal", "feasible")


def render_cli(results: Results) -> list[str]:
    """The command-line subsection of the explanation section."""
    records = results.get("cli", [])
    if not records:
        return []
    rows = []
    for r in records:
        walls = r["walls_s"]
        spread = f"{num(median(walls))} ({num(min(walls))}–{num(max(walls))})"
        if r["file"] is None:
            rows.append([f"`{r['command']}`", "—", "—", "—", spread, "—", "—", "—", "—"])
            continue
        if "error" in r:
            rows.append([f"`{r['command']}`", r["expected"], f"**{r['error']}**", "", spread, "", "", "", ""])
            continue
        status = r["status"] if _as_expected(r) else f"**{r['status']}**"
        rows.append(
            [
                f"`{r['command']}`",
                r["expected"],
                status,
                ", ".join(str(c) for c in r["exit_codes"]),
                spread,
                "—" if r["conflict_size"] is None else str(r["conflict_size"]),
                {True: "yes", False: "no", None: "—"}[r["minimal"]],
                "—" if r["relaxations"] is None else str(r["relaxations"]),
                checker_cell(r),
            ]
        )
    n = len(records[0]["walls_s"])
    return [
        "### `forcepack solve` from the command line",
        "",
        f"The command as a planner runs it, timed from outside with `subprocess` ({n} runs each; median, and",
        "range): wall clock from launch to exit, Python's start-up and imports included, default parameters",
        "(30 s, two workers). `forcepack --help` is the floor: starting the interpreter and the CLI. The answer",
        "columns come from one more run with `--json`, checked by `solver.check`. Exit codes: 0 a package,",
        "1 infeasible.",
        "",
        *table(
            ["command", "expected", "status", "exit", "wall s", "conflict", "minimal", "relaxations", "checker"],
            rows,
            [False, False, False, True, True, True, False, True, False],
        ),
        "",
    ]


def reading_cli(results: Results) -> list[str]:
    """Sentences on the command-line timings."""
    records = results.get("cli", [])
    if not records:
        return []
    floor = next((median(r["walls_s"]) for r in records if r["file"] is None), None)
    parts = []
    for r in records:
        if r["file"] is None or "error" in r:
            continue
        what: str = r["status"]
        if r.get("conflict_size"):
            what += f", a conflict of {r['conflict_size']} and {r['relaxations']} relaxation(s)"
        parts.append(f"`{Path(r['file']).name}` {num(median(r['walls_s']))} s ({what})")
    out = [f"- **Command line**: {join(parts)}"]
    if floor is not None:
        out[0] += f"; starting the CLI alone (`--help`) takes {num(floor)} s of that."
    else:
        out[0] += "."
    wrong = [r["file"] for r in records if r["file"] is not None and "error" not in r and not _as_expected(r)]
    if wrong:
        out.append(f"- **Unexpected answers** from the command line on {join(wrong)}.")
    return out


# -- sweeps ----------------------------------------------------------------------------------------


def _expected_resolves(mode: str, participants: int, sample: int) -> int:
    pairs = participants * (participants - 1) // 2
    if mode == "n1":
        return participants if sample <= 0 else min(participants, sample)
    return sample if 0 < sample < pairs else participants + pairs


def _sweep_name(r: SweepRecord | SweepFailure) -> str:
    return f"N-{1 if r['mode'] == 'n1' else 2} {'hinted' if r['hinted'] else 'cold'}"


def _sweep_progress(r: SweepRecord | SweepFailure | GazaRecord | GazaFailure) -> str:
    if "error" in r:
        return f"ERROR {r['error']}"
    counts = ", ".join(f"{r['statuses'][s]} {s}" for s in STATUSES if r["statuses"][s])
    return (
        f"{r['resolves_run']} re-solves in {r['wall_s']:.1f} s (setup {r['setup_s']:.1f} s), "
        f"median {num(r['median_s'])} s, max {num(r['max_s'])} s: {counts}; "
        + ("checker ok" if not r["violations"] else f"CHECKER: {len(r['violations'])} VIOLATION(S)")
    )


def run_sweeps(config: Config, results: Results, echo: Echo, save: Save, family: SweepFamily = "sweep") -> None:
    """For each size and seed: the baseline, then every sweep of `SWEEPS`; then the Gaza example.

    `family` is `sweep` (the default run's sampled sweeps) or `sweep-full` (the long run); each has
    its sizes and samples (`Config.sweep_plan`), its records and its baselines.
    """
    records, done = start_records(family, results, config.resume)
    sizes, n1_sample, pair_sample = config.sweep_plan(family)
    tl = config.sweep_time_limit_s
    py = sys.executable
    tag = f"[{family}]"
    for seed in config.sweep_seeds:
        for n in sizes:
            path = BASELINES[family] / f"n{n:03d}-s{seed}.json"
            kept = next(
                (r for r in records if r["kind"] == "baseline" and record_key(family, r) == ("baseline", n, seed)),
                None,
            )
            if kept is not None and (ROOT / path).exists():
                base = kept
                echo(f"{tag} baseline {n} nations, seed {seed}: kept from the interrupted run")
            else:
                if kept is not None:
                    # Its package is gone: solve it again, and every sweep against it.
                    records[:] = [r for r in records if r.get("nations") != n or r.get("seed") != seed]
                    done = {k for k in done if k[1:3] != (n, seed)}
                echo(f"{tag} baseline {n} nations, seed {seed} ...")
                cmd = [py, "-m", "bench.sweeps", "baseline", "--nations", str(n), "--seed", str(seed)]
                cmd += ["--time-limit", str(config.baseline_time_limit_s), "--sweep-time-limit", str(tl)]
                cmd += ["--out", str(path)]
                load = os.getloadavg()[0]
                base = run_json(
                    cmd,
                    2 * config.baseline_time_limit_s + 12 * tl + 300,
                    BaselineRecord,
                    BaselineFailure(kind="baseline", nations=n, seed=seed, error="", violations=[]),
                )
                base["load_before"] = load
                records.append(base)
                save()
            _loud(echo, f"{family} baseline", f"{n} nations, seed {seed}", base)
            if "error" in base or base["status"] not in ("optimal", "feasible"):
                echo(f"{tag} baseline {n} nations, seed {seed}: {base.get('error', base.get('status'))}; no sweep")
                continue
            echo(
                f"{tag} baseline {n} nations, seed {seed}: {base['status']} in {base['wall_s']:.1f} s, "
                f"{base['participants']} participants"
            )
            for mode, hinted, executor in SWEEPS:
                sample = per_size(n1_sample if mode == "n1" else pair_sample, n)
                count = _expected_resolves(mode, base["participants"], sample)
                name = f"N-{1 if mode == 'n1' else 2} {'hinted' if hinted else 'cold'} on {executor}"
                if ("sweep", n, seed, mode, hinted, executor) in done:
                    echo(f"{tag} {n} nations, seed {seed}: {name}: kept from the interrupted run")
                    continue
                echo(f"{tag} {n} nations, seed {seed}: {name}, {count} re-solves ...")
                cmd = [py, "-m", "bench.sweeps", "sweep", "--nations", str(n), "--seed", str(seed)]
                cmd += ["--mode", mode, "--hinted" if hinted else "--no-hinted", "--executor", executor]
                cmd += ["--baseline", str(path), "--time-limit", str(tl), "--sample", str(sample)]
                failed = SweepFailure(
                    kind="sweep",
                    nations=n,
                    seed=seed,
                    mode=mode,
                    hinted=hinted,
                    executor=executor,
                    error="",
                    violations=[],
                )
                # Each re-solve: its limit, a best-effort solve and an explanation at worst.
                record = run_json(cmd, count * (2 * tl + 10) / 2 + 600, SweepRecord, failed)
                records.append(record)
                echo(f"{tag} {n} nations, seed {seed}: {name}: {_sweep_progress(record)}")
                _loud(echo, family, f"{n} nations, seed {seed}, {name}", record)
                save()
    if config.gaza:
        for executor in ("pool", "none"):
            if ("gaza", executor) in done:
                echo(f"{tag} Gaza example, {EXECUTOR_NAMES[executor]}: kept from the interrupted run")
                continue
            echo(f"{tag} Gaza example, N-1 criticality, {EXECUTOR_NAMES[executor]} ...")
            cmd = [py, "-m", "bench.sweeps", "gaza", "--executor", executor]
            gaza = run_json(cmd, 3600, GazaRecord, GazaFailure(kind="gaza", executor=executor, error="", violations=[]))
            records.append(gaza)
            echo(f"{tag} Gaza, {executor}: {_sweep_progress(gaza) if 'error' not in gaza else gaza['error']}")
            _loud(echo, family, f"Gaza, {executor}", gaza)
            save()


_HINT = re.compile(r"hint is (\w+): (\d+) out of (\d+)")


def _hint_text(note: str | None) -> str:
    if not note:
        return "—"
    m = _HINT.search(note)
    return f"{m.group(1)}: {m.group(2)} of {m.group(3)} variables" if m else note


def _anatomy_cells(a: Anatomy | None) -> list[str]:
    if a is None:
        return ["—", "—", "—"]
    return [a["status"], num(a["presolve_s"]), num(a["first_solution_s"])]


def _whole(r: SweepRecord) -> str:
    """The whole sweep's time: measured, or extrapolated from the sample (and said so)."""
    if not r["sampled"]:
        return num(r["wall_s"], 1)
    est = r["wall_s"] * r["resolves_total"] / max(1, r["resolves_run"])
    return f"≈ {num(est, 0)} (extrapolated{_hours(est)})"


def _hours(seconds: float) -> str:
    return f", {seconds / 3600:.1f} h" if seconds >= 3600 else f", {seconds / 60:.0f} min" if seconds >= 120 else ""


def _busy(r: SweepRecord) -> float | None:
    """Share of the executor's slots' time spent inside re-solves."""
    if not r["wall_s"]:
        return None
    return float(sum(r["per_resolve_s"]) / (r["wall_s"] * r["processes"]))


def render_sweeps(results: Results, meta: FamilyMeta, family: SweepFamily = "sweep") -> list[str]:
    """The section of a sweep family (`sweep` or `sweep-full`)."""
    records = results.get(family, [])
    if not records:
        return []
    cfg = meta["config"]
    bases = [r for r in records if r["kind"] == "baseline"]
    sweeps = [r for r in records if r["kind"] == "sweep"]
    gaza = [r for r in records if r["kind"] == "gaza"]
    base_rows = []
    for b in sorted(bases, key=lambda r: (r["nations"], r["seed"])):
        if "error" in b:
            base_rows.append([str(b["nations"]), str(b["seed"]), f"**error: {b['error']}**"] + [""] * 11)
            continue
        anatomy = {a["hinted"]: a for a in b.get("anatomy", [])}
        timed = anatomy.get(False) or anatomy.get(True)
        base_rows.append(
            [
                str(b["nations"]),
                str(b["seed"]),
                str(b["participants"]),
                b["status"],
                num(b["wall_s"]),
                num(b["gap"], 4) if b["status"] in ("optimal", "feasible") else "—",
                "—" if timed is None else ", ".join(timed["withdrawn"]),
                *_anatomy_cells(anatomy.get(False)),
                *_anatomy_cells(anatomy.get(True)),
                _hint_text(anatomy[True]["hint_note"]) if True in anatomy else "—",
                checker_cell(b),
            ]
        )
    sweep_rows = []
    for r in sorted(sweeps, key=lambda r: (r["nations"], r["seed"], r["mode"], r["hinted"], r["executor"])):
        head = [str(r["nations"]), str(r["seed"]), _sweep_name(r), EXECUTOR_NAMES[r["executor"]]]
        if "error" in r:
            sweep_rows.append([*head, f"**error: {r['error']}**"] + [""] * 13)
            continue
        run = str(r["resolves_run"]) if not r["sampled"] else f"{r['resolves_run']} of {r['resolves_total']:,}"
        sweep_rows.append(
            [
                *head,
                str(r["participants"]),
                run,
                num(r["setup_s"]),
                num(r["wall_s"], 1),
                _whole(r),
                num(r["median_s"]),
                num(r["max_s"]),
                num(_busy(r)),
                *(str(r["statuses"][s]) for s in STATUSES),
                num(r.get("cpu_share")),
                checker_cell(r),
            ]
        )
    gaza_rows = []
    for g in gaza:
        if "error" in g:
            gaza_rows.append([EXECUTOR_NAMES[g["executor"]], f"**error: {g['error']}**"] + [""] * 9)
            continue
        gaza_rows.append(
            [
                EXECUTOR_NAMES[g["executor"]] + (f" ({g['processes']} processes)" if g["executor"] != "none" else ""),
                str(g["participants"]),
                str(g["resolves_run"]),
                num(g["wall_s"]),
                num(g["baseline_s"]),
                num(g["median_s"]),
                num(g["max_s"]),
                *(str(g["statuses"][s]) for s in STATUSES),
                checker_cell(g),
            ]
        )
    samples = _samples_text(cfg["n1_sample"], cfg["pair_sample"], cfg["sweep_sizes"])
    heading = (
        "## Sweeps: N-1 and N-2 criticality"
        if family == "sweep"
        else "## Sweeps at full length: N-1 and N-2 criticality (the long run)"
    )
    intro = (
        "The default run's sweeps, sampled at the larger sizes so that `make bench` fits in about 45 minutes;",
        "the long run's, when the results hold them, are in *Sweeps at full length* below.",
    )
    if family == "sweep-full":
        intro = (
            "The long run (`--only sweep-full`, not part of `make bench`: about an hour and a half on 2 cores);",
            "a default run keeps its records in the results file.",
        )
    lines = [
        heading,
        "",
        *intro,
        "",
        "`solver.sweep` re-solves the package without each participating nation (N-1) or each pair (N-2).",
        f"Generated scenarios of {join([str(n) for n in cfg['sweep_sizes']])} nations (seed"
        f"{'s' if len(cfg['sweep_seeds']) > 1 else ''} {', '.join(str(s) for s in cfg['sweep_seeds'])}); "
        f"{num(cfg['sweep_time_limit_s'], 0)} s per re-solve, one CP-SAT worker each, "
        "two re-solves at a time: on a local process pool of 2 processes (`executor_for(None, workers=2)`) or on a",
        "local dask cluster of 2 single-threaded worker processes (`distributed.LocalCluster`, through",
        "`executor_for(scheduler_address)`). *Cold* re-solves start from nothing; *hinted* ones from the",
        f"baseline package without the withdrawn nations. {samples}",
        "",
        "Each sweep runs in a fresh process (`python -m bench.sweeps`), one at a time. The baseline package",
        "every sweep compares with is solved once per scenario beforehand "
        f"({num(cfg['baseline_time_limit_s'], 0)} s, one worker) and",
        "given to the sweeps, so their times do not include it; a sweep does what",
        "`criticality(scenario, params, baseline=..., executor=...)` does (`withdrawal_variants`, `run`,",
        "`withdrawal_row`; sampled sweeps build only the sampled variants), and the independent checker then",
        "checks every re-solve's answer against its variant of the scenario (time not counted).",
        "",
        "### Baselines, and where a re-solve's time goes",
        "",
        "One withdrawal that CP-SAT has to search (the first one not refuted while building the model) is",
        "re-solved alone with CP-SAT's log on, cold and hinted, with the sweeps' "
        f"{num(cfg['sweep_time_limit_s'], 0)} s limit:",
        "*search from* is when CP-SAT's presolve ended and its search began, *first solution* when the first",
        "stage's first solution came (CP-SAT's own clock; — when none came); *hint* what CP-SAT said of the hint.",
        "",
        *table(
            [
                "nations",
                "seed",
                "participants",
                "baseline",
                "baseline s",
                "gap",
                "withdrawal timed",
                "cold status",
                "cold search from s",
                "cold first solution s",
                "hinted status",
                "hinted search from s",
                "hinted first solution s",
                "hint",
                "checker",
            ],
            base_rows,
            [True, True, True, False, True, True, False, False, True, True, False, True, True, False, False],
        ),
        "",
        "### Sweeps",
        "",
        "*Re-solved*: how many variants were solved (of how many the whole sweep has, when sampled);",
        "*executor start*: seconds to start the executor before the first task (a process pool starts its",
        "processes on the first task, inside the sweep's time; a dask cluster up front); *wall*: the sweep,",
        "from building the variants to the last row; *whole sweep*: the same, or, for a sample, the sample's",
        "wall scaled by the number of variants (an **extrapolation**, not a measurement); *per re-solve*:",
        "seconds each re-solve took in its worker, best-effort solve and explanation of infeasible variants",
        "included; *busy*: the sum of those over wall x 2, the share of the two slots spent inside re-solves;",
        "status counts: *optimal* every stage proven, *feasible* a package at the limit, *unknown* no answer",
        "within the limit, *infeasible* proven to have no package; *CPU share*: CPU seconds of the sweep's",
        "processes (its own and the workers', their start-up included) per wall second per slot, over the",
        "executor's whole life; well under 1 means other work on the machine took the cores.",
        "",
        *table(
            [
                "nations",
                "seed",
                "sweep",
                "executor",
                "participants",
                "re-solved",
                "executor start s",
                "wall s",
                "whole sweep s",
                "median s / re-solve",
                "max s / re-solve",
                "busy",
                "optimal",
                "feasible",
                "unknown",
                "infeasible",
                "CPU share",
                "checker",
            ],
            sweep_rows,
            [True, True, False, False] + [True] * 12 + [True, False],
        ),
        "",
    ]
    if gaza_rows:
        lines += [
            "### The Gaza example",
            "",
            "`criticality(load_scenario('examples/gaza-isf.yaml'), SolveParams())` (30 s, one worker), baseline",
            "solve included, on a pool of 2 processes and in this process (`executor=None`). Only the baseline's",
            "answer can be checked here (`criticality` keeps rows, not the re-solved packages).",
            "",
            *table(
                [
                    "executor",
                    "participants",
                    "re-solves",
                    "wall s",
                    "baseline s",
                    "median s / re-solve",
                    "max s / re-solve",
                    "optimal",
                    "feasible",
                    "unknown",
                    "infeasible",
                    "checker",
                ],
                gaza_rows,
                [False] + [True] * 10 + [False],
            ),
            "",
        ]
    lines += ["### Reading the numbers", "", *_reading_sweeps(bases, sweeps, gaza, cfg), ""]
    return lines


def _samples_text(n1: int | str, pairs: int | str, sizes: Sequence[int]) -> str:
    """What the sweeps re-solved, per size when the samples differ by size (`--n1-sample`, `--pair-sample`)."""

    def n1_text(k: int) -> str:
        return (
            "every participating nation" if k <= 0 else f"a seeded random sample of at most {k} participating nations"
        )

    def n2_text(k: int) -> str:
        if k <= 0:
            return "every single nation and every pair"
        return (
            f"every single nation and every pair where there are at most {k} pairs, and otherwise a seeded "
            f"random sample of {k} pairs"
        )

    def by_size(spec: int | str, text: Callable[[int], str]) -> str:
        values = {n: per_size(spec, n) for n in sizes}
        if len(set(values.values())) <= 1:
            return text(next(iter(values.values()), 0))
        return "; ".join(f"at {n} nations {text(k)}" for n, k in values.items())

    return (
        f"N-1 sweeps re-solve {by_size(n1, n1_text)} (`--n1-sample`); N-2 sweeps re-solve "
        f"{by_size(pairs, n2_text)} (`--pair-sample`)."
    )


def _find(
    sweeps: list[SweepRecord | SweepFailure], n: int, seed: int, mode: str, hinted: bool, executor: str
) -> SweepRecord | None:
    return next(
        (
            r
            for r in sweeps
            if r["nations"] == n
            and r["seed"] == seed
            and r["mode"] == mode
            and r["hinted"] == hinted
            and r["executor"] == executor
            and "error" not in r
        ),
        None,
    )


def _counts(r: SweepRecord | GazaRecord) -> str:
    return join([f"{r['statuses'][s]} {s}" for s in STATUSES if r["statuses"][s]])


def _sweep_summary(
    bases: list[BaselineRecord | BaselineFailure], sweeps: list[SweepRecord | SweepFailure], tl: float
) -> str:
    """One sentence: the hinted N-1 sweep on the pool per size, and the N-2 sweep (extrapolated where sampled)."""
    n1, n2 = [], []
    for b in sorted(bases, key=lambda r: (r["nations"], r["seed"])):
        if "error" in b:
            continue
        label = f"{b['nations']} nations" + (f" (seed {b['seed']})" if b["seed"] != 1 else "")
        r = _find(sweeps, b["nations"], b["seed"], "n1", True, "pool")
        if r is not None:
            whole = r["wall_s"] * r["resolves_total"] / max(1, r["resolves_run"])
            approx = "≈ " if r["sampled"] else ""
            decided = r["resolves_run"] - r["statuses"]["unknown"]
            n1.append(
                f"{approx}{num(whole, 0)} s at {label} ({r['resolves_total']} re-solves, {decided} of "
                f"{r['resolves_run']} decided)"
            )
        r = _find(sweeps, b["nations"], b["seed"], "n2", True, "pool")
        if r is not None:
            whole = r["wall_s"] * r["resolves_total"] / max(1, r["resolves_run"])
            text = f"{num(whole, 0)} s{_hours(whole)} at {label} ({r['resolves_total']:,} re-solves)"
            n2.append(("≈ " + text + ", extrapolated from a sample") if r["sampled"] else text)
    if not n1:
        return ""
    out = (
        f"In short, with {num(tl, 0)} s per re-solve and two at a time, a hinted N-1 sweep on the process pool "
        f"took {join(n1)}"
    )
    if n2:
        out += f"; the N-2 sweep: {join(n2)}"
    return out + "."


def _reading_sweeps(
    bases: list[BaselineRecord | BaselineFailure],
    sweeps: list[SweepRecord | SweepFailure],
    gaza: list[GazaRecord | GazaFailure],
    cfg: RunConfig,
) -> list[str]:
    out: list[str] = []
    tl = cfg["sweep_time_limit_s"]
    for b in sorted(bases, key=lambda r: (r["nations"], r["seed"])):
        n, seed = b["nations"], b["seed"]
        if "error" in b or b["status"] not in ("optimal", "feasible"):
            out.append(f"- **{n} nations, seed {seed}**: the baseline had no package; no sweep ran.")
            continue
        parts = [f"{b['participants']} of {n} nations take part in the baseline ({b['status']}, {num(b['wall_s'])} s)"]
        cold, hinted = _find(sweeps, n, seed, "n1", False, "pool"), _find(sweeps, n, seed, "n1", True, "pool")
        for label, r in (("cold", cold), ("hinted", hinted)):
            if r is not None:
                what = f"{r['resolves_run']} re-solves" + (f" of {r['resolves_total']}" if r["sampled"] else "")
                parts.append(
                    f"N-1 {label} on the pool: {what} in {num(r['wall_s'], 1)} s (median {num(r['median_s'])} s, "
                    f"max {num(r['max_s'])} s per re-solve; {_counts(r)})"
                )
        if cold and hinted and cold["wall_s"] > 0:
            change = hinted["wall_s"] / cold["wall_s"]
            parts.append(
                f"hinted took {num(change)} x the cold wall time (CPU share {num(hinted.get('cpu_share'))} "
                f"against {num(cold.get('cpu_share'))})"
            )
        for hinted_flag in (False, True):
            pool, dask = (
                _find(sweeps, n, seed, "n1", hinted_flag, "pool"),
                _find(sweeps, n, seed, "n1", hinted_flag, "dask"),
            )
            if pool and dask:
                parts.append(
                    f"dask {'hinted' if hinted_flag else 'cold'}: {num(dask['wall_s'], 1)} s against the pool's "
                    f"{num(pool['wall_s'], 1)} s (CPU share {num(dask.get('cpu_share'))} against "
                    f"{num(pool.get('cpu_share'))}), plus {num(dask['setup_s'])} s to start the cluster"
                )
        n2 = _find(sweeps, n, seed, "n2", True, "pool")
        if n2:
            if n2["sampled"]:
                est = n2["wall_s"] * n2["resolves_total"] / max(1, n2["resolves_run"])
                parts.append(
                    f"N-2: a sample of {n2['resolves_run']} pairs took {num(n2['wall_s'], 1)} s ({_counts(n2)}); "
                    f"the whole N-2 sweep ({n2['resolves_total']:,} re-solves) would take about {num(est, 0)} s"
                    f"{_hours(est)} by **extrapolation**"
                )
                if (kib := n2.get("variant_kib")) and n2["resolves_run"]:
                    per_build = n2["build_s"] / n2["resolves_run"]
                    gib = kib * n2["resolves_total"] / 1024**2
                    parts.append(
                        f"building all its variants up front, as `withdrawal_variants(pairs=True)` does before the "
                        f"first solve, would take about {num(per_build * n2['resolves_total'], 0)} s and hold "
                        f"{num(gib, 1)} GiB of scenario JSON ({num(kib, 0)} KiB each; extrapolated "
                        "from the sample)"
                    )
            else:
                parts.append(f"N-2: all {n2['resolves_run']} re-solves in {num(n2['wall_s'], 1)} s ({_counts(n2)})")
        limited = [
            r
            for r in sweeps
            if r["nations"] == n
            and r["seed"] == seed
            and "error" not in r
            and r["statuses"]["optimal"] == 0
            and r["median_s"] is not None
            and r["median_s"] >= 0.95 * tl
        ]
        if limited and len(limited) == len([r for r in sweeps if r["nations"] == n and r["seed"] == seed]):
            parts.append(
                f"no re-solve of any sweep was proven optimal and the median re-solve ran to the {num(tl, 0)} s limit: "
                "at this size a sweep's time is re-solves x limit / 2, and its answers are packages with a gap "
                "(*feasible*) or none (*unknown*), not optima"
            )
        busy = [x for r in sweeps if r["nations"] == n and r["seed"] == seed and "error" not in r if (x := _busy(r))]
        if busy:
            parts.append(f"the slots were busy inside re-solves {num(min(busy))} to {num(max(busy))} of the wall time")
        out.append(f"- **{n} nations, seed {seed}**: " + "; ".join(parts) + ".")
        anatomy = {a["hinted"]: a for a in b.get("anatomy", [])}
        at_limit = [
            r
            for r in sweeps
            if r["nations"] == n
            and r["seed"] == seed
            and "error" not in r
            and r["statuses"]["unknown"] == r["resolves_run"]
        ]
        if anatomy:
            where = []
            for flag, a in sorted(anatomy.items()):
                name = "hinted" if flag else "cold"
                if a["presolve_s"] is None:
                    where.append(f"{name}: decided without a search ({a['status']})")
                    continue
                if a["first_solution_s"] is not None:
                    found = f"first solution at {num(a['first_solution_s'])} s"
                elif a["status"] == "infeasible":
                    found = f"proven infeasible in {num(a['wall_s'])} s"
                else:
                    found = f"no solution within {num(tl, 0)} s"
                where.append(f"{name}: presolve until {num(a['presolve_s'])} s, {found} ({a['status']})")
            line = f"  Where a re-solve's time goes (without {', '.join(anatomy[False]['withdrawn'])}): " + "; ".join(
                where
            )
            presolve = [a["presolve_s"] for a in anatomy.values() if a["presolve_s"] is not None]
            if presolve and max(presolve) > 0.5 * tl:
                line += (
                    f". Presolve alone takes {num(min(presolve) / tl * 100, 0)} % or more of the {num(tl, 0)} s limit "
                    "at this size, so the search barely starts"
                )
            out.append(line + ".")
        if at_limit:
            names = join([f"{_sweep_name(r)} on {r['executor']}" for r in at_limit])
            out.append(
                f"  **Every** re-solve ended *unknown* (no answer within {num(tl, 0)} s) in: {names}. Such a sweep "
                "says nothing about any withdrawal; its time is the number of re-solves x the limit / 2."
            )
    summary = _sweep_summary(bases, sweeps, tl)
    if summary:
        out[:0] = [summary, ""]
    on_pool = next((g for g in gaza if g["executor"] == "pool" and "error" not in g), None)
    alone = next((g for g in gaza if g["executor"] == "none" and "error" not in g), None)
    if on_pool and alone:
        out.append(
            f"- **Gaza example**: N-1 criticality ({on_pool['resolves_run']} withdrawals, baseline included) took "
            f"{num(on_pool['wall_s'])} s on 2 processes against {num(alone['wall_s'])} s sequentially "
            f"(x{num(alone['wall_s'] / on_pool['wall_s'] if on_pool['wall_s'] else None)}); {_counts(on_pool)}."
        )
    loads = [r["load_before"] for r in sweeps if "load_before" in r and "error" not in r]
    shares = [share for r in sweeps if "error" not in r and (share := r.get("cpu_share")) is not None]
    if loads and shares:
        out.append(
            f"- **Contention**: the 1-minute load average before the sweeps was {num(min(loads))} to "
            f"{num(max(loads))} on 2 cores; the sweeps' processes used {num(min(shares))} to {num(max(shares))} "
            "CPU seconds per wall second per slot."
        )
    return out


# -- load ------------------------------------------------------------------------------------------


def run_load(config: Config, results: Results, echo: Echo, save: Save) -> None:
    """The HTTP load test (`python -m bench.load --json FILE`) once, in a process of its own."""
    records, done = start_records("load", results, config.resume)
    if done:
        echo("[load] kept from the interrupted run")
        return
    cmd = [sys.executable, "-m", "bench.load", "--delegates", str(config.load_delegates)]
    cmd += ["--rounds", str(config.load_rounds), "--max-seconds", str(config.load_max_seconds)]
    echo(f"[load] {config.load_delegates} delegates, {config.load_rounds} rounds each ...")
    command = " ".join(["python", *cmd[1:]])
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="forcepack-bench-load-") as folder:
        path = Path(folder) / "load.json"
        timeout = config.load_max_seconds + 300
        record: LoadRecord | LoadFailure
        try:
            proc = subprocess.run(
                [*cmd, "--json", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            error = f"no answer after {timeout:.0f} s (process killed)"
            record = LoadFailure(kind="load", error=error, command=command, load_before=load_before, violations=[])
        else:
            if path.exists():
                report: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
                measured = {"kind": "load", **report, "exit_code": proc.returncode}
                measured.update(command=command, load_before=load_before, violations=[])
                # `bench.load.Report` as the process wrote it, not validated (as a results file is read).
                record = cast(LoadRecord, measured)
            else:
                tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
                error = f"exit status {proc.returncode}: {tail}"
                record = LoadFailure(kind="load", error=error, command=command, load_before=load_before, violations=[])
    record["process_s"] = time.perf_counter() - start
    if "error" not in record and not load_problems(record):
        record.pop("server_log_tail", None)
    records.append(record)
    if "error" in record:
        echo(f"[load] ERROR {record['error']}")
    else:
        echo(
            f"[load] {record['requests']} requests in {record['wall_s']:.1f} s, {record['server_errors']} 5xx, "
            f"{record['writes_lost']} lost writes; p99 read {record['reads']['p99_ms']:.0f} ms, "
            f"write {record['writes']['p99_ms']:.0f} ms"
        )
    for problem in load_problems(record):
        echo(f"!!! LOAD TEST: {problem}")
    save()


def load_problems(r: LoadEntry) -> list[str]:
    """What the load test found wrong: an error, a 5xx answer, a lost write, a request without an answer."""
    if "error" in r:
        return [str(r["error"])]
    out = []
    if r["server_errors"]:
        out.append(f"{r['server_errors']} answer(s) with a 5xx status")
    if r["writes_lost"]:
        out.append(f"{r['writes_lost']} of {r['writes_acknowledged']} acknowledged writes lost")
    if r.get("transport_errors"):
        out.append("requests without an answer: " + ", ".join(f"{k} {v}" for k, v in r["transport_errors"].items()))
    return out


LOAD_TAIL = ("wall s", "throughput")


def render_load(results: Results, meta: FamilyMeta) -> list[str]:
    """The load-test section: requests, 5xx, lost writes, and the latency of reads and writes."""
    records = results.get("load", [])
    if not records:
        return []
    lines = [
        "## The HTTP service under load",
        "",
        "`bench/load.py`: a real uvicorn (`uvicorn --factory forcepack.api.app:create_app`, one process,",
        "default settings)",
        "serves a temporary SQLite database holding `bench.generator.generate(delegates, 1)`; every delegate, one",
        "per nation with its own token, repeats with no think time: read its offer (GET, keeping the ETag),",
        "write a new version with `If-Match` (PUT; the whole scenario is validated with it), read it back.",
        "Afterwards every nation's history is read: each acknowledged write must be there, and nothing else.",
        "Latency is measured by the clients, which run on the same two cores as the server (so it includes",
        "waiting for the server's threads, the write lock, and the clients' own share of the CPU).",
        "",
    ]
    for r in records:
        lines += [f"Command: `{r.get('command', 'python -m bench.load')}`.", ""]
        if "error" in r:
            lines += [f"**The load test failed: {r['error']}**", ""]
            continue
        lines += table(
            ["delegates", "rounds", "requests", "reads", "writes", "5xx", "lost writes", "stale reads", *LOAD_TAIL],
            [
                [
                    str(r["delegates"]),
                    str(r["rounds"]),
                    f"{r['requests']:,}",
                    f"{r['reads']['count']:,}",
                    f"{r['writes']['count']:,}",
                    str(r["server_errors"]) if not r["server_errors"] else f"**{r['server_errors']}**",
                    f"{r['writes_lost']} of {r['writes_acknowledged']:,}",
                    str(r["stale_reads"]),
                    num(r["wall_s"], 1),
                    f"{r['throughput_rps']:.0f} req/s",
                ]
            ],
            [True] * 10,
        )
        lines += [""]
        lines += table(
            ["latency (ms)", "requests", "p50", "p90", "p99", "max"],
            [
                [name, f"{lat['count']:,}", *(num(lat[k], 1) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms"))]
                for name, lat in (("read (GET offer)", r["reads"]), ("write (PUT offer)", r["writes"]))
            ],
            [False] + [True] * 5,
        )
        statuses = ", ".join(f"{k}: {v:,}" for k, v in sorted(r["statuses"].items()))
        lines += ["", f"Answers by status: {statuses}; 1-minute load average before: {num(r.get('load_before'))}."]
        for problem in load_problems(r):
            lines.append(f"**{problem}.**")
        lines.append("")
    return lines
