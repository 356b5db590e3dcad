"""The benchmark harness: solve, explain and sweep generated scenarios of growing size, write docs/benchmarks.md.

`python -m bench` (or `make bench`) runs six families, under half an hour in all on two cores:

- **solve**: generated scenarios for every size and seed (`bench.instance solve`), each also
  solved by the peers, HiGHS and a greedy fill (`bench.peers.run`, `bench.comparison`);
- **explain**: their infeasible variants (`bench.instance explain`), and `forcepack solve` on the
  example files timed from the command line (`bench.families.run_cli`);
- **workers**: the solve benchmark with one and with two CP-SAT workers (`bench.families`);
- **sweep**: N-1 and N-2 criticality on a process pool and a dask cluster, cold and hinted, and
  on the Gaza example (`bench.sweeps`, `bench.families`), sampled at the larger sizes;
- **load**: the HTTP load test (`bench.load`);
- **profile**: one solve per size under pyinstrument (`bench.profiling`).

One more family is not run by default: **sweep-full**, the sweeps at full length (every N-1
withdrawal, larger N-2 samples; about an hour and a half), `--only sweep-full`.

A run keeps the records of the families it does not run from the results file, so `--only
solve,sweep` measures some families again and the long `sweep-full` survives a default run.
It generates scenarios with `bench.generator`, runs each instance in a fresh process one at a
time, so that timings do not compete for the two cores and peak memory is the instance's own,
and writes

- `docs/benchmarks.md`: the machine, the parameters, the targets, a table per benchmark with one
  row per instance, a table of medians per size, and what the numbers say;
- `docs/benchmarks-time.png`: time against size per solver (`bench.plot`), next to the Markdown;
- `bench/out/results.json`: every record as measured (rewritten after each instance).

Every figure in the Markdown comes from the records; `--from-json` renders it again from a
results file without solving. The order is interleaved (for each seed, every size) so that
drift of the machine during the run affects all sizes alike. Every answer goes through the
independent checker (`solver.check`); a violation is a bug, printed loudly, listed in the
document, and makes the exit status 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ortools

from bench import comparison, families, plot, profiling, targets
from bench.common import checker_cell as _checker_cell
from bench.common import join as _join
from bench.common import median as _median
from bench.common import num as _num
from bench.common import parse_per_size, run_json
from bench.common import table as _table
from bench.records import (
    DEFAULT_FAMILIES,
    DEFAULT_N1_SAMPLE,
    DEFAULT_PAIR_SAMPLE,
    FAMILIES,
    FULL_N1_SAMPLE,
    FULL_PAIR_SAMPLE,
    PEERS,
    RECORD_KINDS,
    SWEEP_FAMILIES,
    Config,
    Echo,
    Record,
    Save,
    normalise,
    start_records,
    total_s,
    with_long_runs,
)
from bench.records import load as load_results
from bench.records import save as save_results
from forcepack.solver.params import default_workers
from forcepack.solver.search import EXPLAIN_TIME_LIMIT_S

__all__ = ["main", "render", "run"]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = Path("docs/benchmarks.md")
QUICK_OUT = Path("bench/out/benchmarks-quick.md")
RESULTS = Path("bench/out/results.json")
QUICK_RESULTS = Path("bench/out/results-quick.json")

CRITERION_HEADERS = {"shortfall": "shortfall (weighted)", "cost": "cost USD", "nations": "nations used"}
"""Column headers of the objective criteria (the first column is already called `nations`)."""


# -- the machine -------------------------------------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""


def machine() -> dict[str, Any]:
    """The machine and software the benchmark runs on."""
    cpuinfo = _read("/proc/cpuinfo").splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    mem_kib = next(
        (int(line.split()[1]) for line in _read("/proc/meminfo").splitlines() if line.startswith("MemTotal:")),
        0,
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024**2, 1) if mem_kib else None,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "ortools": str(getattr(ortools, "__version__", "unknown")),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def source_state() -> dict[str, Any]:
    """The commit measured, and how many tracked files differ from it (read-only git queries); the
    report and plot the harness itself writes do not count."""

    def git(*args: str) -> str:
        try:
            proc = subprocess.run(
                ["git", "--no-optional-locks", *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=30
            )
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return proc.stdout.strip() if proc.returncode == 0 else ""

    written = [f":(exclude){path}" for out in (DEFAULT_OUT, QUICK_OUT) for path in (out, plot_path(out))]
    status = git("status", "--porcelain", "--untracked-files=no", "--", ".", *written)
    changed = [line for line in status.splitlines() if line.strip()]
    return {"commit": git("rev-parse", "--short", "HEAD") or None, "modified_files": len(changed)}


# -- running instances -------------------------------------------------------------------


def run_instance(kind: str, nations: int, seed: int, config: Config) -> Record:
    """Run one instance in a fresh Python process and return its record (or what went wrong)."""
    cmd = [
        sys.executable,
        "-m",
        "bench.instance",
        kind,
        "--nations",
        str(nations),
        "--seed",
        str(seed),
        "--time-limit",
        str(config.time_limit_s),
    ]
    if config.workers is not None:
        cmd += ["--workers", str(config.workers)]
    # Generous: the solve stops itself at the limit (plus the explanation's own budget).
    timeout = 3 * config.time_limit_s + 2 * EXPLAIN_TIME_LIMIT_S + 120
    return run_json(cmd, timeout, {"kind": kind, "nations": nations, "seed": seed})


def _progress(record: Record) -> str:
    """One line of progress for the terminal."""
    head = f"{record['kind']:7s} n={record['nations']:<4d} seed={record['seed']:<3d}"
    if "error" in record:
        return f"{head} ERROR {record['error']}"
    if record["kind"] == "solve":
        fp = record["first_package_s"]
        body = (
            f"{record['status']:10s} first package {_num(fp)} s, wall {record['wall_s']:.1f} s, "
            f"gap {record['gap']:.4f}, peak {record['peak_mib']:.0f} MiB"
        )
    else:
        body = (
            f"{record['status']:10s} total {record['total_s']:.1f} s, conflict {record['conflict_size']}, "
            f"minimal {record['minimal']}, expected found {record['expected_found']}"
        )
    checker = "checker ok" if not record["violations"] else f"CHECKER: {len(record['violations'])} VIOLATION(S)"
    return f"{head} {body}, {checker}"


def _run_instances(kind: str, config: Config, results: dict[str, Any], save: Save, echo: Echo) -> None:
    """Every instance of one kind (`solve` or `explain`), for each seed every size; for `solve`, each
    instance is then solved by the peers (`config.peers`) too, right after CP-SAT."""
    plan = config.plan(config.sizes if kind == "solve" else config.explain_sizes)
    _, done = start_records(kind, results, config.resume)
    _, peers_done = start_records("peers", results, config.resume) if kind == "solve" else ([], set())
    for i, (nations, seed) in enumerate(plan, 1):
        tag = f"[{kind} {i}/{len(plan)}]"
        if (nations, seed) in done:
            echo(f"{tag} {nations} nations, seed {seed}: kept from the interrupted run")
        else:
            echo(f"{tag} {kind} {nations} nations, seed {seed} ...")
            load_before = os.getloadavg()[0]
            record = run_instance(kind, nations, seed, config)
            record["load_before"] = load_before
            results[kind].append(record)
            echo(f"{tag} {_progress(record)}")
            for violation in record["violations"]:
                echo(f"!!! CHECKER VIOLATION ({kind}, {nations} nations, seed {seed}): {violation}")
            save()
        if kind == "solve":
            comparison.run_peers(nations, seed, config, results, peers_done, echo, save, tag)


def run(
    config: Config,
    results_path: Path,
    echo: Echo = print,
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run every family of `config`, one instance at a time, saving the results after each one.

    The records of families not run are kept from `previous` (a results file read before).
    """
    results: dict[str, Any] = normalise(previous) if previous is not None else {"solve": [], "explain": []}
    results["machine"] = machine()
    meta: dict[str, Any] = results.setdefault("families", {})

    current: dict[str, Any] = {}

    def save() -> None:
        # The family's time so far, so that an interrupted run still says how long it ran.
        if current:
            current["meta"]["total_s"] = current["prior"] + time.perf_counter() - current["start"]
        save_results(results_path, results)

    for family in FAMILIES:
        if family not in config.families:
            continue
        start = time.perf_counter()
        old = meta.get(family)
        if config.resume and old is not None and not old.get("legacy"):
            # Continue the interrupted run: its configuration and command stand, its time counts.
            kept = [r for r in results.get(family, []) if "error" not in r]
            prior = old.get("total_s") or sum(r.get("process_s", 0.0) for r in kept)
            old.setdefault("resumed", []).append({"command": config.command, "date": machine()["date"]})
        else:
            prior = 0.0
            meta[family] = {
                "machine": machine(),
                "config": config.to_dict(family),
                "command": config.command,
                "source": source_state(),
                "total_s": 0.0,
            }
        current.update(meta=meta[family], prior=prior, start=start)
        echo(f"== {family} ==")
        if family in ("solve", "explain"):
            _run_instances(family, config, results, save, echo)
            if family == "explain":
                families.run_cli(config, results, echo, save)
        elif family == "workers":
            families.run_workers(config, results, echo, save)
        elif family in SWEEP_FAMILIES:
            families.run_sweeps(config, results, echo, save, family)
        elif family == "load":
            families.run_load(config, results, echo, save)
        else:
            profiling.run_profiles(config, results, echo, save)
        meta[family]["total_s"] = prior + time.perf_counter() - start
        current.clear()
        results["total_s"] = sum(m.get("total_s", 0.0) for m in meta.values() if not m.get("legacy"))
        save()
        echo(f"== {family}: {meta[family]['total_s'] / 60:.1f} min ==")
    results["total_s"] = total_s(results)
    save()
    return results


# -- numbers to text ---------------------------------------------------------------------


def _stage_marks(record: Record, criteria: Sequence[str]) -> str:
    """The status of each lexicographic stage, one letter each (O optimal, F feasible, U unknown, - not run)."""
    letters = {"OPTIMAL": "O", "FEASIBLE": "F", "UNKNOWN": "U", "INFEASIBLE": "I"}
    by_criterion = {s["criterion"]: letters.get(s["status"], "?") for s in record["stages"]}
    return " ".join(by_criterion.get(c, "-") for c in criteria)


def _stage_status(record: Record, criterion: str) -> str | None:
    """CP-SAT's status for the stage of this criterion; None when the stage did not run."""
    return next((s["status"] for s in record["stages"] if s["criterion"] == criterion), None)


def _objective(record: Record, criterion: str) -> str:
    """A criterion's value, with its bound when not proven, or a note when its stage never ran."""
    item = next((o for o in record["objective"] if o["criterion"] == criterion), None)
    if item is None:
        return "—"
    digits = 0 if float(item["value"]).is_integer() else 2
    text = _num(item["value"], digits)
    stage = _stage_status(record, criterion)
    if stage is None:
        # The document still states a value (that of the package found), but nobody optimised it.
        return f"{text} (not optimised)"
    if stage != "OPTIMAL":
        text += f" (bound {_num(item['bound'], 2)})"
    return text


def _has_package(record: Record) -> bool:
    return record["status"] in ("optimal", "feasible")


def _gap(record: Record) -> str:
    """The gap, or a dash when there is no package to measure it on."""
    return _num(record["gap"], 4) if _has_package(record) else "—"


def _sizes(records: list[Record]) -> list[int]:
    return sorted({r["nations"] for r in records})


def _ok(records: list[Record]) -> list[Record]:
    return [r for r in records if "error" not in r]


def _criteria(records: list[Record]) -> list[str]:
    for record in _ok(records):
        if record["objective"]:
            return [o["criterion"] for o in record["objective"]]
    return ["shortfall", "cost", "nations"]


# -- the document ------------------------------------------------------------------------


def _solve_rows(records: list[Record], criteria: list[str]) -> list[list[str]]:
    rows = []
    for r in sorted(records, key=lambda r: (r["nations"], r["seed"])):
        if "error" in r:
            rows.append([str(r["nations"]), str(r["seed"]), f"**error: {r['error']}**"] + [""] * (14 + len(criteria)))
            continue
        s = r["summary"]
        rows.append(
            [
                str(r["nations"]),
                str(r["seed"]),
                str(s["sectors"]),
                f"{s['requirement_lines']} ({s['essential_lines']})",
                str(s["unit_lines"]),
                str(s["pledges"]),
                f"{r['model']['variables']:,}",
                f"{r['model']['constraints']:,}",
                _num(r["build_s"]),
                _num(r["first_package_s"]),
                _num(r["optimal_s"]),
                r["status"],
                _stage_marks(r, criteria),
                _gap(r),
                *(_objective(r, c) for c in criteria),
                _num(r.get("cpu_share")),
                _num(r["peak_mib"], 0),
                _checker_cell(r),
            ]
        )
    return rows


def _solve_summary(records: list[Record]) -> list[list[str]]:
    rows = []
    for n in _sizes(records):
        ok = _ok([r for r in records if r["nations"] == n])
        if not ok:
            continue
        optimal = sum(1 for r in ok if r["status"] == "optimal")
        rows.append(
            [
                str(n),
                str(len(ok)),
                _num(_median(r["summary"]["requirement_lines"] for r in ok), 0),
                _num(_median(r["model"]["variables"] for r in ok), 0),
                _num(_median(r["model"]["constraints"] for r in ok), 0),
                _num(_median(r["build_s"] for r in ok)),
                _num(_median(r["first_package_s"] for r in ok)),
                f"{optimal}/{len(ok)}",
                _num(_median(r["optimal_s"] for r in ok)),
                _num(_median(r["gap"] for r in ok if _has_package(r)), 4),
                _num(_median(r["peak_mib"] for r in ok), 0),
                _num(max(r["peak_mib"] for r in ok), 0),
                _num(_median(r["peak_before_solve_mib"] for r in ok), 0),
            ]
        )
    return rows


def _explain_rows(records: list[Record]) -> list[list[str]]:
    rows = []
    for r in sorted(records, key=lambda r: (r["nations"], r["seed"])):
        if "error" in r:
            rows.append([str(r["nations"]), str(r["seed"]), f"**error: {r['error']}**"] + [""] * 9)
            continue
        rows.append(
            [
                str(r["nations"]),
                str(r["seed"]),
                r["status"],
                _num(r["detect_s"]),
                _num(r["total_s"]),
                str(r["conflict_size"]),
                {True: "yes", False: "no", None: "—"}[r["minimal"]],
                _relaxations(r),
                "yes" if r["expected_found"] else "**no**",
                _num(r.get("cpu_share")),
                _num(r["peak_mib"], 0),
                _checker_cell(r),
            ]
        )
    return rows


def _relaxations(record: Record) -> str:
    """How many relaxations were found, and how many changes each asks for."""
    sizes = record.get("relaxation_sizes", [])
    if not sizes:
        return str(record["relaxations"])
    return f"{record['relaxations']} ({', '.join(str(n) for n in sizes)} changes)"


def _explain_summary(records: list[Record]) -> list[list[str]]:
    rows = []
    for n in _sizes(records):
        ok = _ok([r for r in records if r["nations"] == n])
        if not ok:
            continue
        rows.append(
            [
                str(n),
                str(len(ok)),
                f"{sum(1 for r in ok if r['status'] == 'infeasible')}/{len(ok)}",
                _num(_median(r["detect_s"] for r in ok)),
                _num(_median(r["total_s"] for r in ok)),
                _num(max(r["total_s"] for r in ok)),
                _num(_median(r["conflict_size"] for r in ok), 0),
                f"{sum(1 for r in ok if r['minimal'])}/{len(ok)}",
                f"{sum(1 for r in ok if r['expected_found'])}/{len(ok)}",
                _num(_median(r["peak_mib"] for r in ok), 0),
            ]
        )
    return rows


def _reading_solve(solves: list[Record], config: dict[str, Any]) -> list[str]:
    """What the solve benchmark's numbers say, in sentences built from them."""
    limit = config["time_limit_s"]
    criteria = _criteria(solves)
    out: list[str] = []
    proven: list[str] = []
    partly: list[str] = []
    never: list[str] = []
    for n in _sizes(solves):
        ok = _ok([r for r in solves if r["nations"] == n])
        if not ok:
            continue
        optimal = [r for r in ok if r["status"] == "optimal"]
        first = [r["first_package_s"] for r in ok if r["first_package_s"] is not None]
        first_text = (
            f"the first package came after {_num(max(first))} s at most"
            if first
            else f"no run found a first package within {_num(limit, 0)} s"
        )
        if len(optimal) == len(ok):
            proven.append(str(n))
            slowest, median = max(r["optimal_s"] for r in ok), _median(r["optimal_s"] for r in ok)
            out.append(
                f"- **{n} nations**: proven optimal in all {len(ok)} runs, in {_num(slowest)} s at most "
                f"(median {_num(median)} s); {first_text}."
            )
            continue
        (partly if optimal else never).append(str(n))
        head = (
            f"proven optimal in {len(optimal)} of {len(ok)} runs"
            if optimal
            else f"not proven optimal within {_num(limit, 0)} s in any of its {len(ok)} runs"
        )
        parts = []
        with_package = [r for r in ok if r["status"] == "feasible"]
        if with_package:
            gaps = [r["gap"] for r in with_package]
            parts.append(
                f"{len(with_package)} stopped at the limit with a package (gap {_num(min(gaps), 4)} to "
                f"{_num(max(gaps), 4)})"
            )
        without = [r for r in ok if not _has_package(r)]
        if without:
            parts.append(f"{len(without)} found no package at all ({_join(sorted({r['status'] for r in without}))})")
        stopped: dict[str, int] = {}
        for r in ok:
            if r["status"] != "optimal":
                last = next((c for c in criteria if _stage_status(r, c) != "OPTIMAL"), criteria[-1])
                stopped[last] = stopped.get(last, 0) + 1
        where = _join([f"the `{c}` stage in {k}" for c, k in stopped.items()])
        out.append(
            f"- **{n} nations**: {head}. Of the unproven runs, {_join(parts)}; time ran out in {where} "
            f"(later stages did not run); {first_text}."
        )
    verdict = []
    if proven:
        verdict.append(f"proven optimal within the {_num(limit, 0)} s limit in every run: {_join(proven)} nations")
    if partly:
        verdict.append(f"only sometimes: {_join(partly)} nations")
    if never:
        verdict.append(f"never: {_join(never)} nations")
    if verdict:
        out.insert(0, "In short, " + "; ".join(verdict) + ".")
        out.insert(1, "")
    out += _contention_and_memory(_ok(solves), config)
    return out


def _reading_explain(explains: list[Record], results: dict[str, Any], config: dict[str, Any]) -> list[str]:
    """What the explanation benchmark's numbers say."""
    out: list[str] = []
    budget = config.get("explain_time_limit_s", EXPLAIN_TIME_LIMIT_S)
    ok_all = _ok(explains)
    for n in _sizes(ok_all):
        ok = [r for r in ok_all if r["nations"] == n]
        isolated = [r for r in ok if r["conflict_size"] > 0]
        found = sum(1 for r in ok if r["expected_found"])
        minimal = sum(1 for r in ok if r["minimal"])
        relaxed = sum(1 for r in ok if r["relaxations"] > 0)
        totals = [r["total_s"] for r in ok]
        detect = max(r["detect_s"] for r in ok)
        if isolated:
            what = (
                f"a conflict was isolated in {len(isolated)} of {len(ok)} runs (the planted one in {found}, "
                f"proven minimal in {minimal})"
            )
        else:
            what = f"no conflict was isolated within the budget in any of {len(ok)} runs"
        explaining = [t - r["detect_s"] for t, r in zip(totals, ok, strict=True)]
        out.append(
            f"- **{n} nations**: infeasibility proven in {_num(detect)} s at most; {what}; "
            f"relaxations were found in {relaxed} of {len(ok)}; the whole call took {_num(min(totals))} to "
            f"{_num(max(totals))} s, of which explaining {_num(min(explaining))} to {_num(max(explaining))} s "
            f"(explanation budget {_num(budget, 0)} s)."
        )
    if ok_all:
        missed = [r for r in ok_all if not r["expected_found"]]
        if missed:
            out.insert(
                0,
                f"In short, the planted conflict was found in {len(ok_all) - len(missed)} of {len(ok_all)} runs; "
                f"missed at {_join([str(n) for n in _sizes(missed)])} nations.",
            )
        else:
            out.insert(0, f"In short, the planted conflict was found in all {len(ok_all)} runs.")
        out.insert(1, "")
    out += families.reading_cli(results)
    out += _contention_and_memory(ok_all, config)
    return out


def _workers_text(workers: int | None) -> str:
    """The configured worker count, or the solver's own choice by model size."""
    if workers is not None:
        return str(workers)
    return f"{default_workers()} (the solver's default)"


def _contention_and_memory(records: list[Record], config: dict[str, Any]) -> list[str]:
    out = []
    shares = [r for r in records if r.get("cpu_share") is not None]
    if shares:
        low = sorted((r for r in shares if r["cpu_share"] < 0.9 * r.get("workers", 1)), key=lambda r: r["cpu_share"])
        used = sorted({r.get("workers", 1) for r in shares})
        text = (
            f"- **Contention**: these runs used {_num(min(r['cpu_share'] for r in shares))} to "
            f"{_num(max(r['cpu_share'] for r in shares))} CPU seconds per second with "
            f"{' or '.join(str(w) for w in used)} worker(s); "
        )
        if low:
            named = [f"{r['kind']} of {r['nations']} nations, seed {r['seed']} ({_num(r['cpu_share'])})" for r in low]
            text += (
                f"{len(low)} instance(s) got less than 0.9 CPU seconds per second per worker, so other work "
                f"shared the machine and their times are inflated: {_join(named)}."
            )
        else:
            text += "none competed with other work for the cores."
        out.append(text)
    if records:
        largest = max(records, key=lambda r: r["peak_mib"])
        out.append(
            f"- **Memory**: the largest peak was {_num(largest['peak_mib'], 0)} MiB ({largest['kind']}, "
            f"{largest['nations']} nations, seed {largest['seed']})."
        )
    return out


def _load_range(results: dict[str, Any]) -> str:
    """The range of the 1-minute load average measured before each instance."""
    loads = [
        r["load_before"]
        for kind in ("solve", "peers", "explain", "workers", "sweep", "profile", "sweep-full")
        for r in results.get(kind, [])
        if "load_before" in r
    ]
    return f"{min(loads):.2f} to {max(loads):.2f} (1 min)" if loads else "—"


def _where(kind: str, r: Record) -> str:
    if kind == "cli":
        return f"cli, {r.get('command')}"
    if kind == "load":
        return "load test"
    if kind == "peers":
        return f"{comparison.NAMES.get(r['solver'], r['solver'])}, {r['nations']} nations, seed {r['seed']}"
    if kind in SWEEP_FAMILIES:
        if r["kind"] == "gaza":
            return f"{kind}, Gaza, {r['executor']}"
        if r["kind"] == "baseline":
            return f"{kind} baseline, {r['nations']} nations, seed {r['seed']}"
        return (
            f"{kind}, {r['nations']} nations, seed {r['seed']}, N-{1 if r['mode'] == 'n1' else 2} "
            f"{'hinted' if r['hinted'] else 'cold'} on {r['executor']}"
        )
    where = f"{kind}, {r['nations']} nations, seed {r['seed']}"
    return where + (f", {r['workers']} workers" if kind == "workers" else "")


def _expected_breaks(kind: str, r: Record) -> bool:
    """The greedy's rule breaks are what it is measured for, not bugs."""
    return kind == "peers" and r.get("solver") not in comparison.EXACT


def _violations(results: dict[str, Any]) -> list[str]:
    """Every checker violation of an answer that must honour every rule (each one a bug), and every
    disagreement between two proven optima."""
    out = []
    for kind in RECORD_KINDS:
        for r in results.get(kind, []):
            if not _expected_breaks(kind, r):
                out += [f"- {_where(kind, r)}: {v}" for v in r.get("violations", [])]
                out += [f"- {_where(kind, r)}: HiGHS hold breach: {b}" for b in r.get("hold_breaches") or []]
    return out + comparison.discrepancies(results)


def _failures(results: dict[str, Any]) -> list[str]:
    out = [f"- {_where(kind, r)}: {r['error']}" for kind in RECORD_KINDS for r in results.get(kind, []) if "error" in r]
    out += [f"- load test: {p}" for r in results.get("load", []) if "error" not in r for p in families.load_problems(r)]
    return out


def _runs_table(results: dict[str, Any]) -> list[str]:
    rows = []
    for family in FAMILIES:
        m = results["families"].get(family)
        if m is None:
            continue
        source = m.get("source") or {}
        commit = source.get("commit") or "—"
        if source.get("modified_files"):
            commit += f" + {source['modified_files']} modified file(s)"
        minutes = f"{m.get('total_s', 0.0) / 60:.1f}" + (" (solve and explain together)" if m.get("legacy") else "")
        command = f"`{m.get('command', '')}`"
        for again in m.get("resumed", []):
            command += f"; interrupted, resumed {again['date']} with `{again['command']}`"
        rows.append([family, m.get("machine", {}).get("date", "—"), minutes, commit, command])
    out = _table(["family", "date", "minutes", "source", "command"], rows, [False, False, True, False, False])
    present = [f for f in DEFAULT_FAMILIES if f in results["families"]]
    default = [results["families"][f] for f in present]
    if default and not any(m.get("legacy") for m in default):
        minutes = sum(m.get("total_s", 0.0) for m in default) / 60
        out.append("")
        if len(present) == len(DEFAULT_FAMILIES):
            out.append(f"The {len(present)} families of `make bench` took {minutes:.1f} minutes together.")
        else:
            out.append(
                f"Of the {len(DEFAULT_FAMILIES)} families of `make bench`, these results hold {_join(present)}: "
                f"{minutes:.1f} minutes together."
            )
    notes = [
        f"- {family}: {note}" for family in FAMILIES for note in results["families"].get(family, {}).get("notes", [])
    ]
    return out + (["", *notes] if notes else [])


def _seeds_text(cfg: dict[str, Any]) -> str:
    text = ", ".join(str(s) for s in cfg["seeds"])
    sizes = set(cfg.get("sizes", []))
    at = [(int(n), seeds) for n, seeds in (cfg.get("seeds_at") or {}).items() if int(n) in sizes]
    if at:
        text += " (" + "; ".join(f"{n} nations: {', '.join(str(s) for s in seeds)}" for n, seeds in sorted(at)) + ")"
    return text


def render(results: dict[str, Any], plot_name: str | None = None) -> str:
    """docs/benchmarks.md from the results of `run`: every figure comes from them. `plot_name` is the
    image of time against size (`bench.plot`), next to the Markdown, when one was drawn."""
    results = normalise(results)
    meta = results["families"]
    m = results["machine"]
    solves, explains = results["solve"], results["explain"]
    criteria = _criteria(solves)
    total_min = total_s(results) / 60
    any_cfg = next((f["config"] for f in meta.values() if f.get("config")), results.get("config", {}))
    solve_cfg = meta.get("solve", {}).get("config") or any_cfg
    explain_cfg = meta.get("explain", {}).get("config") or any_cfg
    cfg = solve_cfg
    lines = [
        "# Benchmarks",
        "",
        "How fast forcepack finds, and proves, the best force package as coalitions grow, against a MIP",
        "solver (HiGHS) on the same rules and a planner's greedy fill; how fast it explains a scenario that",
        "has none; what one or two CP-SAT workers change; how long N-1 and N-2 criticality sweeps take;",
        "where a large solve's time goes; and how the HTTP service holds up under 50 delegates. The",
        "scenarios are synthetic and seeded (`bench/generator.py`), each feasible by construction; the",
        "explanation benchmark plants one conflict (an essential `counter_drone` line only a nation barred",
        "from that sector could fill) in the same scenarios. This file and its plot are written by the",
        "harness (`bench/harness.py`); do not edit them by hand: every number below was measured in the",
        "run it describes.",
        "",
        "## Reproduce",
        "",
        "```sh",
        "make bench   # = .venv/bin/python -m bench: the default families, under 30 minutes on 2 cores",
        ".venv/bin/python -m bench --only sweep-full   # the long sweeps (about 1.5 hours): every N-1",
        "                                              # withdrawal and 200 N-2 pairs at 25, 70, 200 nations",
        ".venv/bin/python -m bench --only solve,profile   # some families (solve, explain, workers, sweep, load,",
        "                           # profile, sweep-full); the others keep their records from the results file",
        ".venv/bin/python -m bench --from-json bench/out/results.json   # re-render this file and the plot",
        ".venv/bin/python -m bench --quick   # smoke run: 25 and 70 nations, one seed, 20 s",
        ".venv/bin/python -m bench.instance solve --nations 70 --seed 1 --time-limit 60   # one CP-SAT row",
        ".venv/bin/python -m bench.peers.run --solver highs --nations 70 --seed 1 --time-limit 60   # one peer row",
        ".venv/bin/python -m bench.profiling --nations 200 --seed 1 --time-limit 30   # one profile",
        ".venv/bin/python -m bench.load --json load.json   # the load test alone",
        ".venv/bin/python -m bench.sweeps --help   # one sweep, as JSON",
        "```",
        "",
        "`make bench` keeps its defaults within half an hour by sampling: three seeds at 25, 70 and 200",
        "nations but two at 500 (`--seeds-at 500:1,2`; `--seeds-at 500:1,2,3` for three), sampled N-1 and",
        "N-2 sweeps above 25 nations (`--n1-sample`, `--pair-sample`), a 20 s limit for the workers",
        "comparison (`--workers-time-limit`). `python -m bench --help` lists every option.",
        "",
        "Each instance runs in a fresh Python process, one at a time, in the order *for each seed, every",
        f"size*, so that drift of the machine hits all sizes alike. Raw records: `{cfg.get('results', RESULTS)}`",
        f"(not committed). The families below were measured in these runs ({total_min:.1f} minutes in all):",
        "",
        *_runs_table(results),
        "",
        "## Machine and parameters",
        "",
        *_table(
            ["", ""],
            [
                ["CPU", m["cpu"]],
                ["cores", str(m["cores"])],
                ["memory", f"{m['memory_gib']} GiB"],
                ["OS", m["os"]],
                ["Python", m["python"]],
                ["OR-Tools", m["ortools"]],
                ["load average before instances", _load_range(results)],
                [
                    "CP-SAT workers",
                    f"{_workers_text(cfg['workers'])} (solve and explain; see the workers and sweeps sections)",
                ],
                ["time limit per solve", f"{_num(cfg['time_limit_s'], 0)} s (all lexicographic stages together)"],
                [
                    "explanation budget",
                    f"{_num(explain_cfg.get('explain_time_limit_s', EXPLAIN_TIME_LIMIT_S), 0)} s more, "
                    "infeasible scenarios only",
                ],
                ["search seed", "0 (the solver's default)"],
                ["generator seeds", _seeds_text(cfg)],
            ],
            [False, False],
        ),
        "",
        *targets.render(results),
    ]
    if plot_name and solves:
        lines += [
            "## Time against size",
            "",
            "Each solver's time to its first package (left) and to the proven optimum (right), per run (faint)",
            "and as the median over the seeds (line), on log scales; a cross above the dashed limit is a run",
            "that found no package, or proved nothing, within the limit. Drawn by `bench/plot.py` from the",
            "records below.",
            "",
            f"![Time against size, per solver]({plot_name})",
            "",
        ]
    if solves:
        lines += [
            "## Solving feasible scenarios",
            "",
            "Columns: requirement lines (of which essential); *model* is the CP-SAT model (`solver.build`);",
            "*build* the seconds to build it; *first package* the seconds from the call of `solve` to the first",
            "package found (build included); *optimum* the whole solve's wall time when every criterion was",
            "proven optimal, empty otherwise; *stages* the status of each lexicographic stage,",
            "in order (" + ", ".join(f"`{c}`" for c in criteria) + "): O optimal, F feasible at the limit, U no",
            "package in that stage before the limit, - not run (a criterion whose stage did not run is marked",
            "*not optimised*: its value is that of the package found);",
            "*gap* the relative gap of the first criterion not proven optimal (0 when a later stage stopped",
            "without any package, see *stages*; a dash when there is no package at all); the objective",
            "values, with their bound where not proven; *peak* the instance process's peak resident memory",
            "(`ru_maxrss`), interpreter and libraries included;",
            "*CPU share* the CPU seconds the solve used per wall-clock second (about the number of workers on",
            "an idle machine; less means other work competed for the cores and the times are inflated);",
            "*checker* the verdict of the independent checker (`solver.check`) on the answer.",
            "",
            "### Per instance",
            "",
            *_table(
                [
                    "nations",
                    "seed",
                    "sectors",
                    "req. lines",
                    "unit lines",
                    "pledges",
                    "variables",
                    "constraints",
                    "build s",
                    "first package s",
                    "optimum s",
                    "status",
                    "stages",
                    "gap",
                    *(CRITERION_HEADERS.get(c, c) for c in criteria),
                    "CPU share",
                    "peak MiB",
                    "checker",
                ],
                _solve_rows(solves, criteria),
                [True] * 11 + [False, False, True] + [True] * len(criteria) + [True, True, False],
            ),
            "",
            "### Per size (medians)",
            "",
            "Medians over the seeds. For *optimum*, a run that was not proven optimal counts as slower than",
            "any that was, so the median reads *not reached* when most runs of that size were not proven.",
            "*MiB before solve* is the peak after generating the scenario and building its model once (to",
            "count it), before `solve` builds its own.",
            "",
            *_table(
                [
                    "nations",
                    "runs",
                    "req. lines",
                    "variables",
                    "constraints",
                    "build s",
                    "first package s",
                    "proven optimal",
                    "optimum s",
                    "gap",
                    "peak MiB",
                    "max peak MiB",
                    "MiB before solve",
                ],
                _solve_summary(solves),
                [True] * 13,
            ),
            "",
        ]
        lines += ["### Reading the numbers", "", *_reading_solve(solves, solve_cfg), ""]
    lines += comparison.render(results, meta.get("solve", {}))
    if "profile" in meta:
        lines += profiling.render(results, meta["profile"])
    if explains:
        lines += [
            "## Explaining infeasible scenarios",
            "",
            "`solve` on the infeasible variant (`generate(n, seed, infeasible=True)`): it proves there is no",
            "package, then explains why within its explanation budget. *Detect* is the solve's own time to",
            "prove infeasibility; *total* the whole call measured around it, explanation included;",
            "*conflict* the number of elements in the conflict found; *minimal* whether dropping any single",
            "element was checked to make the rest feasible; *relaxations* the sets of changes found that",
            "make the scenario feasible (and how many elements each gives up); *expected found* whether",
            "both elements of the planted conflict (`expect.conflict`) are in the conflict.",
            "",
            "### Per instance",
            "",
            *_table(
                [
                    "nations",
                    "seed",
                    "status",
                    "detect s",
                    "total s",
                    "conflict",
                    "minimal",
                    "relaxations",
                    "expected found",
                    "CPU share",
                    "peak MiB",
                    "checker",
                ],
                _explain_rows(explains),
                [True, True, False, True, True, True, False, False, False, True, True, False],
            ),
            "",
            "### Per size (medians)",
            "",
            *_table(
                [
                    "nations",
                    "runs",
                    "infeasible",
                    "detect s",
                    "total s",
                    "max total s",
                    "conflict",
                    "minimal",
                    "expected found",
                    "peak MiB",
                ],
                _explain_summary(explains),
                [True] * 10,
            ),
            "",
        ]
        lines += families.render_cli(results)
        lines += ["### Reading the numbers", "", *_reading_explain(explains, results, explain_cfg), ""]
    if "workers" in meta:
        lines += families.render_workers(results, meta["workers"])
    for family in SWEEP_FAMILIES:
        if family in meta:
            lines += families.render_sweeps(results, meta[family], family)
    if "load" in meta:
        lines += families.render_load(results, meta["load"])
    violations = _violations(results)
    failures = _failures(results)
    answers = sum(
        1
        for kind in RECORD_KINDS
        if kind != "load"
        for r in _ok(results.get(kind, []))
        if not _expected_breaks(kind, r)
    )
    lines += ["## Checker", ""]
    if violations:
        lines += [f"**The checker found {len(violations)} violation(s): each one is a bug.**", "", *violations, ""]
    else:
        lines += [
            f"The independent checker found no violation in any of the {answers} records checked (every solve,",
            "HiGHS answer, explanation, command-line answer, profiled solve and re-solve of a sweep; for the",
            "Gaza sweeps, the baseline), and CP-SAT and HiGHS agree wherever both proved the optimum. The",
            "greedy's rule breaks, expected, are in its section.",
            "",
        ]
    if failures:
        lines += ["## Failed instances", "", *failures, ""]
    return "\n".join(lines)


# -- command line ------------------------------------------------------------------------


def _ints(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated whole numbers, e.g. 25,70, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected comma-separated whole numbers >= 1, got {text!r}")
    return values


def _per_size(text: str) -> int | str:
    try:
        return parse_per_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _seeds_at(text: str) -> tuple[int, tuple[int, ...]]:
    size, sep, seeds = text.partition(":")
    if not sep or not size.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected SIZE:SEEDS, e.g. 500:1,2, got {text!r}")
    return int(size), _ints(seeds)


def _peers(text: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    if names == ("none",):
        return ()
    unknown = [n for n in names if n not in PEERS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"expected some of {', '.join(PEERS)}, or none; got {text!r}")
    return tuple(p for p in PEERS if p in names)


def _families(text: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [n for n in names if n not in FAMILIES]
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"expected some of {', '.join(FAMILIES)} (comma-separated), got {text!r}")
    return tuple(f for f in FAMILIES if f in names)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.splitlines()[0],
        epilog="Defaults run every family but sweep-full in under 30 minutes on two cores.",
    )
    parser.add_argument(
        "--only",
        type=_families,
        help=f"run only these families ({', '.join(FAMILIES)}; comma-separated; default: all but sweep-full); "
        "a run always keeps the other families' records from the results file",
    )
    solve = parser.add_argument_group("solve and explain")
    solve.add_argument("--sizes", type=_ints, help="nations per scenario (default 25,70,200,500)")
    solve.add_argument("--seeds", type=_ints, help="generator seeds (default 1,2,3)")
    solve.add_argument(
        "--seeds-at",
        type=_seeds_at,
        action="append",
        metavar="SIZE:SEEDS",
        help="other seeds at one size, e.g. 500:1,2 (repeatable; default 500:1,2 unless --seeds is given)",
    )
    solve.add_argument("--time-limit", type=float, help="seconds per solve, CP-SAT and peers alike (default 60)")
    solve.add_argument(
        "--peers",
        type=_peers,
        help=f"peers solving each instance after CP-SAT ({','.join(PEERS)} or none; default both)",
    )
    solve.add_argument("--explain-sizes", type=_ints, help="sizes of the explanation benchmark (default 25,70,200)")
    solve.add_argument("--workers", type=int, help="CP-SAT workers (default: the solver's default)")
    solve.add_argument("--cli-repeats", type=int, help="runs of each `forcepack solve` command timed (default 3)")
    workers = parser.add_argument_group("workers")
    workers.add_argument("--workers-sizes", type=_ints, help="sizes of the workers comparison (default 25,70,500)")
    workers.add_argument("--workers-seeds", type=_ints, help="seeds of the workers comparison (default 1,2,3)")
    workers.add_argument("--workers-compare", type=_ints, help="numbers of CP-SAT workers compared (default 1,2)")
    workers.add_argument("--workers-time-limit", type=float, help="seconds per solve of the comparison (default 20)")
    sweep = parser.add_argument_group("sweep and sweep-full")
    sweep.add_argument("--sweep-sizes", type=_ints, help="sizes of the sweeps (default 25,70,200)")
    sweep.add_argument("--sweep-seeds", type=_ints, help="seeds of the sweeps (default 1)")
    sweep.add_argument("--sweep-time-limit", type=float, help="seconds per re-solve of a sweep (default 10)")
    sweep.add_argument("--baseline-time-limit", type=float, help="seconds for each sweep's baseline solve (default 60)")
    sweep.add_argument(
        "--n1-sample",
        type=_per_size,
        metavar="N|SIZE:N,...",
        help="N-1 sweeps re-solve a seeded sample of at most N nations, 0 for all; per size as SIZE:N pairs and a "
        f"bare N for the other sizes (default {DEFAULT_N1_SAMPLE}; sweep-full: {FULL_N1_SAMPLE})",
    )
    sweep.add_argument(
        "--pair-sample",
        type=_per_size,
        metavar="N|SIZE:N,...",
        help="N-2 sweeps with more pairs than N re-solve a seeded sample of N pairs and extrapolate, 0 for all; "
        f"per size like --n1-sample (default {DEFAULT_PAIR_SAMPLE}; sweep-full: {FULL_PAIR_SAMPLE})",
    )
    sweep.add_argument("--no-gaza", action="store_true", help="skip the Gaza example's criticality timings")
    load = parser.add_argument_group("load")
    load.add_argument("--load-delegates", type=int, help="concurrent delegates of the load test (default 50)")
    load.add_argument("--load-rounds", type=int, help="read-write-read rounds per delegate (default 40)")
    load.add_argument("--load-max-seconds", type=float, help="stop starting rounds after this (default 300)")
    prof = parser.add_argument_group("profile")
    prof.add_argument("--profile-sizes", type=_ints, help="sizes profiled, seed 1 (default 25,200,500)")
    prof.add_argument("--profile-time-limit", type=float, help="seconds per profiled solve (default 30)")
    out = parser.add_argument_group("output")
    out.add_argument(
        "--out",
        type=Path,
        help=f"Markdown to write (default {DEFAULT_OUT}; {QUICK_OUT} with --quick); the plot goes next to it",
    )
    out.add_argument("--results", type=Path, help=f"raw results JSON (default {RESULTS})")
    out.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: sizes 25,70, seed 1, 20 s, small sweeps, a short load test, a 70-nation profile",
    )
    out.add_argument("--from-json", type=Path, help="render the Markdown and the plot from a results file, no solving")
    out.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run (give it the same options): keep the records already in the results "
        "file and run only the missing instances",
    )
    return parser


def _check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    for name in (
        "time_limit",
        "sweep_time_limit",
        "baseline_time_limit",
        "workers_time_limit",
        "load_max_seconds",
        "profile_time_limit",
    ):
        value = getattr(args, name)
        if value is not None and not value > 0:
            parser.error(f"--{name.replace('_', '-')}: expected a number of seconds > 0, got {value}")
    for name in ("workers", "cli_repeats", "load_delegates", "load_rounds"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')}: expected at least 1, got {value}")


def _config(args: argparse.Namespace, argv: Sequence[str] | None, results_path: Path) -> Config:
    quick = args.quick
    sizes = args.sizes or ((25, 70) if quick else (25, 70, 200, 500))
    sweep_sizes = args.sweep_sizes or ((25,) if quick else (25, 70, 200))
    return Config(
        sizes=sizes,
        seeds=args.seeds or ((1,) if quick else (1, 2, 3)),
        time_limit_s=args.time_limit or (20.0 if quick else 60.0),
        explain_sizes=args.explain_sizes or ((25, 70) if quick else (25, 70, 200)),
        workers=args.workers,
        command=".venv/bin/python -m bench " + " ".join(sys.argv[1:] if argv is None else argv),
        results=str(results_path),
        families=args.only or DEFAULT_FAMILIES,
        # Two seeds at 500 nations by default; `--seeds` alone means those seeds at every size.
        seeds_at=tuple(args.seeds_at) if args.seeds_at else ((500, (1, 2)),) if not (args.seeds or quick) else (),
        peers=args.peers if args.peers is not None else PEERS,
        workers_sizes=args.workers_sizes or ((25,) if quick else (25, 70, 500)),
        workers_seeds=args.workers_seeds or ((1,) if quick else (1, 2, 3)),
        workers_compare=args.workers_compare or (1, 2),
        workers_time_limit_s=args.workers_time_limit or 20.0,
        cli_repeats=args.cli_repeats or (1 if quick else 3),
        sweep_sizes=sweep_sizes,
        sweep_seeds=args.sweep_seeds or (1,),
        sweep_time_limit_s=args.sweep_time_limit or 10.0,
        baseline_time_limit_s=args.baseline_time_limit or (20.0 if quick else 60.0),
        n1_sample=args.n1_sample if args.n1_sample is not None else DEFAULT_N1_SAMPLE,
        pair_sample=args.pair_sample if args.pair_sample is not None else DEFAULT_PAIR_SAMPLE,
        full_sweep_sizes=sweep_sizes,
        full_n1_sample=args.n1_sample if args.n1_sample is not None else FULL_N1_SAMPLE,
        full_pair_sample=args.pair_sample if args.pair_sample is not None else FULL_PAIR_SAMPLE,
        gaza=not args.no_gaza,
        load_delegates=args.load_delegates or (10 if quick else 50),
        load_rounds=args.load_rounds or (5 if quick else 40),
        load_max_seconds=args.load_max_seconds or 300.0,
        profile_sizes=args.profile_sizes or ((70,) if quick else (25, 200, 500)),
        profile_time_limit_s=args.profile_time_limit or (10.0 if quick else 30.0),
        resume=args.resume,
    )


def plot_path(out: Path) -> Path:
    """Where the plot of a Markdown file goes: next to it, `<stem>-time.png`."""
    return out.with_name(f"{out.stem}-time.png")


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench`: run the benchmarks and write docs/benchmarks.md and its plot; 1 if any answer failed
    the checker, an instance failed, or the load test lost a write or answered 5xx."""
    parser = _parser()
    args = parser.parse_args(argv)
    _check_args(parser, args)
    out = args.out or (QUICK_OUT if args.quick else DEFAULT_OUT)
    if not out.is_absolute():
        out = ROOT / out

    if args.from_json is not None:
        results = load_results(args.from_json)
    else:
        results_path = args.results or (QUICK_RESULTS if args.quick else RESULTS)
        config = _config(args, argv, results_path)
        if not results_path.is_absolute():
            results_path = ROOT / results_path
        # The families not run keep their records (the long sweep-full above all).
        previous = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else None
        previous = with_long_runs(previous)
        results = run(config, results_path, previous=previous)
        print(f"results: {results_path}")

    out.parent.mkdir(parents=True, exist_ok=True)
    image = plot.write_plot(results, plot_path(out))
    out.write_text(render(results, plot_name=image.name if image else None), encoding="utf-8")
    print(f"wrote {out}" + (f" and {image}" if image else "") + f" ({total_s(results) / 60:.1f} min of benchmarks)")
    violations = _violations(results)
    for line in violations:
        print(f"!!! CHECKER VIOLATION {line[2:]}")
    if violations:
        print(f"!!! {len(violations)} CHECKER VIOLATION(S): each one is a bug")
    failures = _failures(results)
    for line in failures:
        print(f"!!! FAILED {line[2:]}")
    return 1 if violations or failures else 0
