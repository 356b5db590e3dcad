"""The tail family: the solve benchmark on every scenario family (`bench.generator.FAMILIES`), small
and medium coalitions, several CP-SAT seeds each, HiGHS on the same instances right after, and its
section of docs/benchmarks.md: the p90 and the largest time to the proven optimum and how many runs
ended without a proof or without a package, which the medians of the solve section hide.

Each run is `bench.instance solve --family F --search-seed Q` (CP-SAT) or `bench.peers.run --solver
highs --family F` in a fresh process, one at a time, for each generator seed every size and family,
the CP-SAT seeds and then HiGHS back to back (interleaved, as `bench.comparison` does).
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from typing import TypedDict

from bench.common import join, num, run_json, table
from bench.records import (
    Config,
    Echo,
    FamilyMeta,
    PeerRecord,
    Results,
    Save,
    SolveRecord,
    TailEntry,
    TailFailure,
    start_records,
)

SOLVERS = ("cp-sat", "highs")


def _plan(config: Config) -> list[tuple[str, int, int, str, int]]:
    """(family, nations, generator seed, solver, search seed) in the order run."""
    plan = []
    for seed in config.tail_seeds:
        for nations in config.tail_sizes:
            for family in config.tail_families:
                plan += [(family, nations, seed, "cp-sat", q) for q in config.tail_search_seeds]
                plan.append((family, nations, seed, "highs", 0))
    return plan


def run_tail(config: Config, results: Results, echo: Echo, save: Save) -> None:
    """Every family, size and seed: CP-SAT with each search seed, then HiGHS, each in a fresh process."""
    records, done = start_records("tail", results, config.resume)
    plan = _plan(config)
    limit = config.tail_time_limit_s
    for i, (family, nations, seed, solver, q) in enumerate(plan, 1):
        tag = f"[tail {i}/{len(plan)}] {family} {nations} nations, seed {seed}, {solver}" + (
            f" search seed {q}" if solver == "cp-sat" else ""
        )
        if (family, nations, seed, solver, q) in done:
            echo(f"{tag}: kept from the interrupted run")
            continue
        if solver == "cp-sat":
            cmd = [sys.executable, "-m", "bench.instance", "solve", "--search-seed", str(q)]
        else:
            cmd = [sys.executable, "-m", "bench.peers.run", "--solver", solver]
        cmd += ["--nations", str(nations), "--seed", str(seed), "--family", family, "--time-limit", str(limit)]
        load = os.getloadavg()[0]
        failed = TailFailure(
            kind="tail",
            family=family,
            nations=nations,
            seed=seed,
            solver=solver,
            error="",
            violations=[],
            search_seed=q,
        )
        record: TailEntry
        if solver == "cp-sat":
            solved = run_json(cmd, 3 * limit + 120, SolveRecord, failed)
            if "error" in solved:
                record = solved
            else:
                record = {**solved, "kind": "tail", "family": family, "solver": "cp-sat", "search_seed": q}
        else:
            peer = run_json(cmd, 3 * limit + 120, PeerRecord, failed)
            record = peer if "error" in peer else {**peer, "kind": "tail", "family": family, "search_seed": q}
        record["load_before"] = load
        records.append(record)
        if "error" in record:
            echo(f"{tag}: ERROR {record['error']}")
        else:
            echo(f"{tag}: {record['status']} in {record['wall_s']:.2f} s (load {load:.1f})")
        for violation in record.get("violations", []):
            echo(f"!!! CHECKER VIOLATION (tail, {tag}): {violation}")
        save()


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile: the smallest value at least `q` of the values are at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


class TailSummary(TypedDict):
    """How the runs of one family and solver ended, and their times to the proven optimum."""

    runs: int
    errors: int
    proven: int
    unproven: int
    no_package: int
    p90: float | None
    max: float | None
    median: float | None
    loads: list[float]


def summary(records: Sequence[TailEntry], limit: float) -> TailSummary:
    """Runs, proven, without a proof, without a package; p90 and largest time to the proven optimum (a
    run not proven counts as the limit, so the p90 reads past it when more than a tenth were not)."""
    ok = [r for r in records if "error" not in r]
    proven = [r for r in ok if r["status"] == "optimal"]
    none = [r for r in ok if r["status"] in ("unknown", "infeasible")]
    times = [r["wall_s"] if r["status"] == "optimal" else math.inf for r in ok]
    return {
        "runs": len(ok),
        "errors": len(records) - len(ok),
        "proven": len(proven),
        "unproven": len(ok) - len(proven) - len(none),
        "no_package": len(none),
        "p90": percentile(times, 0.9) if times else None,
        "max": max(times) if times else None,
        "median": percentile(times, 0.5) if times else None,
        "loads": [r["load_before"] for r in ok if r.get("load_before") is not None],
    }


def _time(value: float | None, limit: float) -> str:
    if value is None:
        return "—"
    return f"> {num(limit, 0)} (not proven)" if math.isinf(value) else num(value)


def render_tail(results: Results, meta: FamilyMeta) -> list[str]:
    """The tail section: one row per family and solver, then the runs that were not proven."""
    records = results.get("tail", [])
    if not records:
        return []
    cfg = meta["config"]
    limit = cfg["tail_time_limit_s"]
    families = list(dict.fromkeys(r["family"] for r in records))
    header = ["family", "solver", "runs", "proven", "no proof", "no package", "median s", "p90 s", "max s", "load"]
    rows = []
    for family in families:
        for solver in SOLVERS:
            rs = [r for r in records if r["family"] == family and r.get("solver", "cp-sat") == solver]
            if not rs:
                continue
            s = summary(rs, limit)
            loads = s["loads"]
            rows.append(
                [
                    family,
                    "CP-SAT" if solver == "cp-sat" else "HiGHS",
                    str(s["runs"]) + (f" (+{s['errors']} errors)" if s["errors"] else ""),
                    str(s["proven"]),
                    str(s["unproven"]),
                    str(s["no_package"]),
                    _time(s["median"], limit),
                    _time(s["p90"], limit),
                    _time(s["max"], limit),
                    f"{min(loads):.1f}-{max(loads):.1f}" if loads else "—",
                ]
            )
    tail = [
        r for r in records if "error" not in r and r["status"] != "optimal" and r.get("solver", "cp-sat") == "cp-sat"
    ]
    tail_rows = [
        [
            r["family"],
            str(r["nations"]),
            str(r["seed"]),
            str(r.get("search_seed", 0)),
            r["status"],
            num(r.get("gap"), 4) if r["status"] == "feasible" else "—",
            num(r["wall_s"]),
            num(r.get("load_before"), 1),
        ]
        for r in tail
    ]
    lines = [
        "## The tail: scenario families, several search seeds",
        "",
        "The medians above hide a tail. Here the same benchmark runs on every scenario family of",
        "`bench.generator.FAMILIES` (the standard generator, and families that stress one part of the",
        "model each: "
        + join([f"`{f}`" for f in families if f != "standard"])
        + "), at "
        + join([str(n) for n in cfg["tail_sizes"]])
        + f" nations, generator seeds {', '.join(str(s) for s in cfg['tail_seeds'])}, each instance solved by "
        f"CP-SAT with search seeds {', '.join(str(q) for q in cfg['tail_search_seeds'])} (the solver's "
        f"default workers) and by HiGHS, interleaved, {num(limit, 0)} s per solve. *Median*, *p90* and *max* are",
        "the seconds to the proven optimum (every criterion), a run not proven counting as slower than any",
        "that was; *no proof* ended with a package and a gap, *no package* with none. *Load* is the",
        "1-minute load average before each run on 2 cores: wall times measured above about 2 are inflated",
        "by other work; regenerate this table on a quiet machine with `make bench`. The deterministic-time",
        "measurements behind the solver's configuration are in docs/decisions.md (`python -m bench.robust`).",
        "",
        *table(header, rows, [False, False] + [True] * 7 + [False]),
        "",
    ]
    if tail_rows:
        lines += [
            "CP-SAT runs not proven within the limit:",
            "",
            *table(
                ["family", "nations", "seed", "search seed", "status", "gap", "wall s", "load"],
                tail_rows,
                [False, True, True, True, False, True, True, True],
            ),
            "",
        ]
    else:
        lines += ["Every CP-SAT run was proven optimal within the limit.", ""]
    return lines
