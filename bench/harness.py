"""The benchmark harness: solve and explain generated scenarios of growing size, write docs/benchmarks.md.

`python -m bench` (or `make bench`) generates scenarios with `bench.generator` for every size and
seed, runs each instance in a fresh process (`python -m bench.instance`) one at a time, so that
timings do not compete for the two cores and peak memory is the instance's own, and writes

- `docs/benchmarks.md`: the machine, the parameters, a table per benchmark with one row per
  instance, a table of medians per size, and what the numbers say;
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
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ortools

from solver import SolveParams
from solver.solve import EXPLAIN_TIME_LIMIT_S

__all__ = ["Config", "main", "render", "run"]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = Path("docs/benchmarks.md")
QUICK_OUT = Path("bench/out/benchmarks-quick.md")
RESULTS = Path("bench/out/results.json")
QUICK_RESULTS = Path("bench/out/results-quick.json")

Record = dict[str, Any]

CRITERION_HEADERS = {"shortfall": "shortfall (weighted)", "cost": "cost USD", "nations": "nations used"}
"""Column headers of the objective criteria (the first column is already called `nations`)."""


@dataclass(frozen=True)
class Config:
    """What to run: sizes (nations), seeds, the time limit per solve, sizes to explain, workers."""

    sizes: tuple[int, ...]
    seeds: tuple[int, ...]
    time_limit_s: float
    explain_sizes: tuple[int, ...]
    workers: int | None
    command: str
    results: str

    @property
    def effective_workers(self) -> int:
        """CP-SAT workers used: the solver's default unless given."""
        return self.workers if self.workers is not None else SolveParams().workers

    def to_dict(self) -> dict[str, Any]:
        """The configuration as JSON-ready data."""
        return {
            "sizes": list(self.sizes),
            "seeds": list(self.seeds),
            "time_limit_s": self.time_limit_s,
            "explain_sizes": list(self.explain_sizes),
            "workers": self.effective_workers,
            "explain_time_limit_s": EXPLAIN_TIME_LIMIT_S,
            "command": self.command,
            "results": self.results,
        }


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
    start = time.perf_counter()
    failure: str
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        failure = f"no answer after {timeout:.0f} s (process killed)"
    else:
        lines = proc.stdout.strip().splitlines()
        if proc.returncode == 0 and lines:
            try:
                record: Record = json.loads(lines[-1])
            except json.JSONDecodeError:
                failure = f"unreadable output: {lines[-1][:200]!r}"
            else:
                record["process_s"] = time.perf_counter() - start
                return record
        else:
            tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
            failure = f"exit status {proc.returncode}: {tail}"
    return {"kind": kind, "nations": nations, "seed": seed, "error": failure, "violations": []}


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


def run(config: Config, results_path: Path, echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Run every instance of `config`, one at a time, saving the results after each one."""
    results: dict[str, Any] = {"machine": machine(), "config": config.to_dict(), "solve": [], "explain": []}
    start = time.perf_counter()
    plan = [("solve", n, s) for s in config.seeds for n in config.sizes]
    plan += [("explain", n, s) for s in config.seeds for n in config.explain_sizes]
    for i, (kind, nations, seed) in enumerate(plan, 1):
        echo(f"[{i}/{len(plan)}] {kind} {nations} nations, seed {seed} ...")
        load_before = os.getloadavg()[0]
        record = run_instance(kind, nations, seed, config)
        record["load_before"] = load_before
        results[kind].append(record)
        echo(f"[{i}/{len(plan)}] {_progress(record)}")
        for violation in record["violations"]:
            echo(f"!!! CHECKER VIOLATION ({kind}, {nations} nations, seed {seed}): {violation}")
        results["total_s"] = time.perf_counter() - start
        _write_json(results_path, results)
    return results


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


# -- numbers to text ---------------------------------------------------------------------


def _num(value: float | None, digits: int = 2) -> str:
    """A number for a table; an em dash when there is none, `> limit` when it is infinite."""
    if value is None:
        return "—"
    if math.isinf(value):
        return "not reached"
    return f"{value:,.{digits}f}"


def _median(values: Iterable[float | None]) -> float | None:
    """Median of the values; None (not reached) counts as infinite, so it is a fair median of times."""
    numbers = [math.inf if v is None else v for v in values]
    return statistics.median(numbers) if numbers else None


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


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], right: Sequence[bool]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _checker_cell(record: Record) -> str:
    return "ok" if not record["violations"] else f"**{len(record['violations'])} VIOLATION(S)**"


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


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _reading(results: dict[str, Any]) -> list[str]:
    """What the measured numbers say, in sentences built from them."""
    limit = results["config"]["time_limit_s"]
    solves: list[Record] = results["solve"]
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

    explains = _ok(results["explain"])
    for n in _sizes(explains):
        ok = [r for r in explains if r["nations"] == n]
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
        out.append(
            f"- **Explaining, {n} nations**: infeasibility proven in {_num(detect)} s at most; {what}; "
            f"relaxations were found in {relaxed} of {len(ok)}; the whole call took {_num(min(totals))} to "
            f"{_num(max(totals))} s (explanation budget {_num(EXPLAIN_TIME_LIMIT_S, 0)} s)."
        )
    everything = _ok(solves) + explains
    shares = [r for r in everything if r.get("cpu_share") is not None]
    if shares:
        workers = results["config"]["workers"]
        low = sorted((r for r in shares if r["cpu_share"] < 0.9 * workers), key=lambda r: r["cpu_share"])
        text = (
            f"- **Contention**: the solves used {_num(min(r['cpu_share'] for r in shares))} to "
            f"{_num(max(r['cpu_share'] for r in shares))} CPU seconds per second with {workers} worker(s); "
        )
        if low:
            named = [f"{r['kind']} of {r['nations']} nations, seed {r['seed']} ({_num(r['cpu_share'])})" for r in low]
            text += (
                f"{len(low)} instance(s) got less than {_num(0.9 * workers)}, so other work shared the machine "
                f"and their times are inflated: {_join(named)}."
            )
        else:
            text += "none competed with other work for the cores."
        out.append(text)
    if everything:
        largest = max(everything, key=lambda r: r["peak_mib"])
        out.append(
            f"- **Memory**: the largest peak was {_num(largest['peak_mib'], 0)} MiB ({largest['kind']}, "
            f"{largest['nations']} nations, seed {largest['seed']})."
        )
    return out


def _load_range(results: dict[str, Any]) -> str:
    """The range of the 1-minute load average measured before each instance."""
    loads = [r["load_before"] for kind in ("solve", "explain") for r in results[kind] if "load_before" in r]
    return f"{min(loads):.2f} to {max(loads):.2f} (1 min)" if loads else "—"


def _violations(results: dict[str, Any]) -> list[str]:
    out = []
    for kind in ("solve", "explain"):
        for r in results[kind]:
            out += [f"- {kind}, {r['nations']} nations, seed {r['seed']}: {v}" for v in r["violations"]]
    return out


def render(results: dict[str, Any]) -> str:
    """docs/benchmarks.md from the results of `run`: every figure comes from them."""
    m, cfg = results["machine"], results["config"]
    solves, explains = results["solve"], results["explain"]
    criteria = _criteria(solves)
    total_min = results.get("total_s", 0.0) / 60
    lines = [
        "# Benchmarks",
        "",
        "How fast forcepack finds, and proves, the best force package as coalitions grow, and how fast it",
        "explains a scenario that has none. The scenarios are synthetic and seeded (`bench/generator.py`):",
        "coalitions of " + _join([str(n) for n in cfg["sizes"]]) + " nations, each feasible by construction;",
        "the explanation benchmark plants one conflict (an essential `counter_drone` line only a nation",
        "barred from that sector could fill) in the same scenarios. This file is written by the harness",
        "(`bench/harness.py`); do not edit it by hand: every number below was measured in the run it",
        "describes.",
        "",
        "## Reproduce",
        "",
        "```sh",
        "make bench   # = .venv/bin/python -m bench: sizes 25,70,200,500, seeds 1,2,3, 60 s",
        f"{cfg['command']}   # the run below",
        ".venv/bin/python -m bench --quick   # smoke run: 25 and 70 nations, one seed, 20 s",
        ".venv/bin/python -m bench.instance solve --nations 70 --seed 1 --time-limit 60   # one row, as JSON",
        "```",
        "",
        "Each instance runs in a fresh Python process, one at a time, in the order *for each seed, every",
        f"size*, so that drift of the machine hits all sizes alike. Raw records: `{cfg.get('results', RESULTS)}`",
        f"(not committed). The run took {total_min:.1f} minutes.",
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
                ["date", m["date"]],
                ["load average before instances", _load_range(results)],
                ["CP-SAT workers", str(cfg["workers"])],
                ["time limit per solve", f"{_num(cfg['time_limit_s'], 0)} s (all lexicographic stages together)"],
                ["explanation budget", f"{_num(cfg['explain_time_limit_s'], 0)} s more, infeasible scenarios only"],
                ["search seed", "0 (the solver's default)"],
                ["generator seeds", ", ".join(str(s) for s in cfg["seeds"])],
            ],
            [False, False],
        ),
        "",
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
    lines += ["## Reading the numbers", "", *_reading(results), ""]
    violations = _violations(results)
    failures = [
        f"- {r['kind']}, {r['nations']} nations, seed {r['seed']}: {r['error']}"
        for kind in ("solve", "explain")
        for r in results[kind]
        if "error" in r
    ]
    answers = len(_ok(solves)) + len(_ok(explains))
    lines += ["## Checker", ""]
    if violations:
        lines += [f"**The checker found {len(violations)} violation(s): each one is a bug.**", "", *violations, ""]
    else:
        lines += [f"The independent checker found no violation in any of the {answers} answers.", ""]
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_ints, help="nations per scenario (default 25,70,200,500)")
    parser.add_argument("--seeds", type=_ints, help="generator seeds (default 1,2,3)")
    parser.add_argument("--time-limit", type=float, help="seconds per solve (default 60)")
    parser.add_argument("--explain-sizes", type=_ints, help="sizes of the explanation benchmark (default 25,70,200)")
    parser.add_argument("--workers", type=int, help="CP-SAT workers (default: the solver's default)")
    parser.add_argument("--out", type=Path, help=f"Markdown to write (default {DEFAULT_OUT}; {QUICK_OUT} with --quick)")
    parser.add_argument("--results", type=Path, help=f"raw results JSON (default {RESULTS})")
    parser.add_argument("--quick", action="store_true", help="smoke run: sizes 25,70, seed 1, 20 s")
    parser.add_argument("--from-json", type=Path, help="render the Markdown from a results file, without solving")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench`: run the benchmarks and write docs/benchmarks.md; 1 if any answer failed the checker."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.time_limit is not None and not args.time_limit > 0:
        parser.error(f"--time-limit: expected a number of seconds > 0, got {args.time_limit}")
    if args.workers is not None and args.workers < 1:
        parser.error(f"--workers: expected at least 1, got {args.workers}")
    out = args.out or (QUICK_OUT if args.quick else DEFAULT_OUT)
    if not out.is_absolute():
        out = ROOT / out

    if args.from_json is not None:
        results = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        quick = args.quick
        results_path = args.results or (QUICK_RESULTS if quick else RESULTS)
        sizes = args.sizes or ((25, 70) if quick else (25, 70, 200, 500))
        config = Config(
            sizes=sizes,
            seeds=args.seeds or ((1,) if quick else (1, 2, 3)),
            time_limit_s=args.time_limit or (20.0 if quick else 60.0),
            explain_sizes=args.explain_sizes or ((25, 70) if quick else (25, 70, 200)),
            workers=args.workers,
            command=".venv/bin/python -m bench " + " ".join(sys.argv[1:] if argv is None else argv),
            results=str(results_path),
        )
        if not results_path.is_absolute():
            results_path = ROOT / results_path
        results = run(config, results_path)
        print(f"results: {results_path}")

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(results), encoding="utf-8")
    print(f"wrote {out} ({results.get('total_s', 0.0) / 60:.1f} min of benchmarks)")
    violations = _violations(results)
    for line in violations:
        print(f"!!! CHECKER VIOLATION {line[2:]}")
    failed = [r for kind in ("solve", "explain") for r in results[kind] if "error" in r]
    return 1 if violations or failed else 0
