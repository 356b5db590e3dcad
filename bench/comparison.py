"""CP-SAT against its peers (`bench.peers`): HiGHS on the same rules as a MIP, and a planner's greedy fill.

Part of the solve family: for each instance of the solve benchmark, right after CP-SAT
(`bench.instance solve`), each peer of `Config.peers` solves the same generated scenario in a fresh
process (`python -m bench.peers.run`) with the same time limit, so that drift of the machine hits all
three alike; the records go to `results["peers"]`, CP-SAT's stay in `results["solve"]`.

The *best known* objective of an instance is the lexicographically best package CP-SAT or HiGHS found
that the checker accepts. Every answer goes through the checker: a CP-SAT or HiGHS violation is a bug
(loud, and the harness exits 1), as is a disagreement between two packages both proven optimal; the
greedy's violations are expected (it checks only the rules one placement decides) and are reported as
its rule breaks.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TypeGuard

from typing_extensions import TypeIs

from bench.common import checker_cell, join, median, num, run_json, table
from bench.records import (
    PEERS,
    Config,
    Echo,
    FamilyMeta,
    Key,
    MipSize,
    ModelSize,
    PeerFailure,
    PeerRecord,
    Results,
    Run,
    RunConfig,
    RunEntry,
    Save,
)
from forcepack.models.scenario import MAXIMISED

__all__ = [
    "best_known",
    "by_instance",
    "compare",
    "discrepancies",
    "render",
    "run_peers",
    "speedup",
    "versus",
]

NAMES = {"cp-sat": "CP-SAT", "highs": "HiGHS", "greedy": "greedy"}
EXACT = ("cp-sat", "highs")
"""The solvers whose answers must pass the checker; the greedy's rule breaks are expected."""

TARGET_SPEEDUP = 2.0


# -- running ---------------------------------------------------------------------------------------


def run_peers(
    nations: int,
    seed: int,
    config: Config,
    results: Results,
    done: set[Key],
    echo: Echo,
    save: Save,
    tag: str,
) -> None:
    """Each peer of `config.peers` on one instance, each in a fresh process, after CP-SAT."""
    for solver in config.peers:
        if (solver, nations, seed) in done:
            echo(f"{tag} {NAMES[solver]}: kept from the interrupted run")
            continue
        cmd = [sys.executable, "-m", "bench.peers.run", "--solver", solver, "--nations", str(nations)]
        cmd += ["--seed", str(seed), "--time-limit", str(config.time_limit_s)]
        load = os.getloadavg()[0]
        record = run_json(
            cmd,
            3 * config.time_limit_s + 120,
            PeerRecord,
            PeerFailure(kind="solve", solver=solver, nations=nations, seed=seed, error="", violations=[]),
        )
        record["load_before"] = load
        results.setdefault("peers", []).append(record)
        echo(f"{tag} {progress(record)}")
        if solver in EXACT:
            for violation in record.get("violations", []):
                echo(f"!!! CHECKER VIOLATION ({NAMES[solver]}, {nations} nations, seed {seed}): {violation}")
            for breach in (record.get("hold_breaches") or []) if "error" not in record else []:
                echo(f"!!! HiGHS HOLD BREACH ({nations} nations, seed {seed}): {breach}")
        save()


def progress(r: PeerRecord | PeerFailure) -> str:
    """One line of progress for a peer's record."""
    head = f"{NAMES.get(r['solver'], r['solver']):7s} n={r['nations']:<4d} seed={r['seed']:<3d}"
    if "error" in r:
        return f"{head} ERROR {r['error']}"
    checked = (
        "checker ok"
        if not r["violations"]
        else f"{len(r['violations'])} rule break(s), expected"
        if r["solver"] == "greedy"
        else f"CHECKER: {len(r['violations'])} VIOLATION(S)"
    )
    return (
        f"{head} {r['status']:10s} first package {num(r['first_package_s'])} s, wall {r['wall_s']:.1f} s, "
        f"peak {r['peak_mib']:.0f} MiB, {checked}"
    )


# -- comparing -------------------------------------------------------------------------------------


def _ok(r: RunEntry | None) -> TypeIs[Run]:
    return r is not None and "error" not in r


def _has_package(r: RunEntry | None) -> TypeGuard[Run]:
    return _ok(r) and r is not None and r["status"] in ("optimal", "feasible")


def _values(r: Run) -> dict[str, float]:
    return {o["criterion"]: float(o["value"]) for o in r["objective"]}


def _close(criterion: str, a: float, b: float) -> bool:
    """Equal up to rounding: 1e-6 in the domain's units (2e-7 for a share, the product's hold)."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=2e-7 if criterion == "max_share" else 1e-6)


def compare(a: dict[str, float], b: dict[str, float], criteria: Sequence[str]) -> int:
    """-1 when objective `a` is lexicographically better than `b`, 1 when worse, 0 when equal up to rounding."""
    for c in criteria:
        if c not in a or c not in b or _close(c, a[c], b[c]):
            continue
        better = a[c] > b[c] if c in MAXIMISED else a[c] < b[c]
        return -1 if better else 1
    return 0


def by_instance(results: Results) -> dict[tuple[int, int], dict[str, RunEntry]]:
    """Every (nations, seed) with its records by solver: `cp-sat` (the solve family) and the peers."""
    out: dict[tuple[int, int], dict[str, RunEntry]] = {}
    for r in results.get("solve", []):
        out.setdefault((r["nations"], r["seed"]), {})["cp-sat"] = r
    for p in results.get("peers", []):
        out.setdefault((p["nations"], p["seed"]), {})[p["solver"]] = p
    return dict(sorted(out.items()))


def criteria_of(records: Iterable[RunEntry]) -> list[str]:
    for r in records:
        if _ok(r) and r.get("objective"):
            return [o["criterion"] for o in r["objective"]]
    return ["shortfall", "cost", "nations"]


def best_known(runs: dict[str, RunEntry], criteria: Sequence[str]) -> tuple[dict[str, float], list[str]] | None:
    """The best objective CP-SAT or HiGHS found on one instance (a package the checker accepts), and who found it."""
    best: dict[str, float] | None = None
    found: list[str] = []
    for solver in EXACT:
        r = runs.get(solver)
        if r is None or not _has_package(r) or r["violations"]:
            continue
        values = _values(r)
        order = 1 if best is None else compare(values, best, criteria)
        if order < 0 or best is None:
            best, found = values, [solver]
        elif order == 0:
            found.append(solver)
    return None if best is None else (best, found)


def versus(r: RunEntry, best: dict[str, float] | None, criteria: Sequence[str]) -> tuple[str, float, float] | None:
    """How a run's package compares with the best known: None when equal (or nothing to compare), else the
    first criterion that differs, the excess in its units (positive = worse) and relative to the best."""
    if best is None or not _has_package(r):
        return None
    values = _values(r)
    for c in criteria:
        if c not in values or c not in best or _close(c, values[c], best[c]):
            continue
        excess = best[c] - values[c] if c in MAXIMISED else values[c] - best[c]
        return c, excess, excess / max(1.0, abs(best[c]))
    return None


def excess_by_criterion(r: Run, best: dict[str, float]) -> dict[str, float]:
    """Per criterion, how much worse the run's package is than the best known (positive = worse)."""
    values = _values(r)
    return {c: (best[c] - v if c in MAXIMISED else v - best[c]) for c, v in values.items() if c in best and c in values}


def versus_cell(r: RunEntry | None, best: dict[str, float] | None, criteria: Sequence[str]) -> str:
    if r is None:
        return "—"
    if "error" in r:
        return "error"
    if not _has_package(r):
        return "no package"
    if best is None:
        return "—"
    diff = versus(r, best, criteria)
    if diff is None:
        return "= best"
    c, excess, relative = diff
    digits = 0 if float(excess).is_integer() else 2
    sign = "+" if excess >= 0 else "−"
    return f"{c} {sign}{num(abs(excess), digits)} ({sign}{abs(relative) * 100:.1f} %)"


def proven_s(r: RunEntry | None) -> float | None:
    """Seconds to the proven optimum (the whole solve), None when it was not proven."""
    if not _ok(r) or r is None or r["status"] != "optimal":
        return None
    value = r.get("optimal_s")
    return float(value) if value is not None else None


def speedup(cp_sat: RunEntry | None, highs: RunEntry | None) -> float | None:
    """HiGHS's time to the proven optimum over CP-SAT's: `inf` when only CP-SAT proved it, 0 when only
    HiGHS did, None when neither did (or a run is missing)."""
    if not _ok(cp_sat) or not _ok(highs):
        return None
    a, b = proven_s(cp_sat), proven_s(highs)
    if a is not None and b is not None:
        return b / a if a > 0 else math.inf
    if a is not None:
        return math.inf
    if b is not None:
        return 0.0
    return None


def ratio_cell(cp_sat: RunEntry | None, highs: RunEntry | None) -> str:
    """CP-SAT : HiGHS, the times to the proven optimum; in words when one of them did not prove it."""
    if not _ok(cp_sat) or not _ok(highs) or cp_sat is None or highs is None:
        return "—"
    a, b = proven_s(cp_sat), proven_s(highs)
    if a is not None and b is not None:
        return f"1 : {num(b / a) if a > 0 else 'inf'}"
    limit = num(highs.get("time_limit_s"), 0)
    if a is not None:
        return f"HiGHS not proven in {limit} s"
    if b is not None:
        return f"CP-SAT not proven in {limit} s"
    return "neither proven"


def median_speedup(values: Sequence[float | None]) -> float | None:
    """The median speed-up over the instances where at least one solver proved the optimum; with an even
    count, the lower of the two middle values (the less favourable to CP-SAT, and always a measured one)."""
    defined = [v for v in values if v is not None]
    return statistics.median_low(defined) if defined else None


def speedup_text(value: float | None) -> str:
    if value is None:
        return "neither proven"
    if math.isinf(value):
        return "HiGHS not proven"
    if value == 0:
        return "CP-SAT not proven"
    return f"{num(value)}x"


def rules_broken(r: RunEntry) -> Counter[str]:
    """The rules the checker found broken, by name (`[rule] message`)."""
    out: Counter[str] = Counter()
    for v in r.get("violations", []):
        out[v[1 : v.index("]")] if v.startswith("[") and "]" in v else "other"] += 1
    return out


def greedy_against_best(
    instances: Sequence[dict[str, RunEntry]], criteria: Sequence[str]
) -> list[tuple[Run, dict[str, float]]]:
    """The greedy's packages with the best known objective of their instance, where both exist."""
    out = []
    for runs in instances:
        greedy, best = runs.get("greedy"), best_known(runs, criteria)
        if greedy is not None and _has_package(greedy) and best is not None:
            out.append((greedy, best[0]))
    return out


def discrepancies(results: Results) -> list[str]:
    """Instances where CP-SAT and HiGHS both proved an optimum and the two differ: one of them is wrong."""
    out = []
    for (n, seed), runs in by_instance(results).items():
        a, b = runs.get("cp-sat"), runs.get("highs")
        if not _ok(a) or not _ok(b) or proven_s(a) is None or proven_s(b) is None or a["violations"] or b["violations"]:
            continue
        criteria = criteria_of([a])
        if compare(_values(a), _values(b), criteria) != 0:
            values = join([f"{c} {num(_values(a).get(c), 2)} against {num(_values(b).get(c), 2)}" for c in criteria])
            out.append(f"- {n} nations, seed {seed}: CP-SAT and HiGHS both proved optimal but disagree ({values})")
    return out


# -- the document ----------------------------------------------------------------------------------


def _model_cell(r: Run) -> str:
    model = r.get("model")
    if not model:
        return "—"
    if "solver" in r and r["solver"] == "highs":
        return f"{model['variables']:,} cols, {model['constraints']:,} rows, {_nonzeros(model):,} nnz"
    return f"{model['variables']:,} vars, {model['constraints']:,} cons"


def _nonzeros(model: ModelSize | MipSize) -> int:
    """A model's nonzeros; 0 where they were not counted (CP-SAT's)."""
    return (model["nonzeros"] or 0) if "nonzeros" in model else 0


def _checker(r: Run) -> str:
    if "solver" in r and r["solver"] == "greedy":
        broken = rules_broken(r)
        if not broken:
            return "ok"
        return f"{sum(broken.values())} rule break(s), expected: " + ", ".join(
            f"{k} {v}" for k, v in sorted(broken.items())
        )
    breaches = (r.get("hold_breaches") or []) if "solver" in r else []
    cell = checker_cell(r)
    return cell + (f", **{len(breaches)} hold breach(es)**" if breaches else "")


def _run_row(
    n: int, seed: int, solver: str, r: RunEntry, best: dict[str, float] | None, criteria: list[str]
) -> list[str]:
    head = [str(n), str(seed), NAMES[solver]]
    if "error" in r:
        return [*head, f"**error: {r['error']}**"] + [""] * 9
    exact = solver in EXACT
    return [
        *head,
        _model_cell(r),
        num(r.get("build_s")) if exact else "—",
        num(r["first_package_s"]),
        num(r["optimal_s"]) if exact else "—",
        r["status"],
        num(r["gap"], 4) if exact and _has_package(r) else "—",
        versus_cell(r, best, criteria),
        num(r.get("cpu_share")),
        num(r["peak_mib"], 0),
        _checker(r),
    ]


def _size_rows(instances: dict[tuple[int, int], dict[str, RunEntry]], criteria: list[str]) -> list[list[str]]:
    rows = []
    for n in sorted({n for n, _ in instances}):
        for solver in ("cp-sat", *PEERS):
            runs = [(k, by[solver]) for k, by in instances.items() if k[0] == n and solver in by]
            ok = [(k, r) for k, r in runs if _ok(r)]
            if not ok:
                continue
            exact = solver in EXACT
            at_best = 0
            for k, r in ok:
                best = best_known(instances[k], criteria)
                if best is not None and _has_package(r) and versus(r, best[0], criteria) is None:
                    at_best += 1
            models = [m for _, r in ok if (m := r.get("model"))]
            rows.append(
                [
                    str(n),
                    NAMES[solver],
                    str(len(ok)),
                    num(median(m["variables"] for m in models), 0) if models else "—",
                    num(median(m["constraints"] for m in models), 0) if models else "—",
                    num(median(_nonzeros(m) for m in models), 0) if models and solver == "highs" else "—",
                    num(median(r.get("build_s") for _, r in ok)) if exact else "—",
                    num(median(r["first_package_s"] for _, r in ok)),
                    f"{sum(1 for _, r in ok if r['status'] == 'optimal')}/{len(ok)}" if exact else "—",
                    num(median(r["optimal_s"] for _, r in ok)) if exact else "—",
                    num(median(r["gap"] for _, r in ok if _has_package(r)), 4)
                    if exact and any(_has_package(r) for _, r in ok)
                    else "—",
                    f"{at_best}/{len(ok)}",
                    num(median(r["peak_mib"] for _, r in ok), 0),
                    num(max(r["peak_mib"] for _, r in ok), 0),
                ]
            )
    return rows


def _instance_rows(instances: dict[tuple[int, int], dict[str, RunEntry]], criteria: list[str]) -> list[list[str]]:
    rows = []
    for (n, seed), runs in instances.items():
        cp, hi, gr = runs.get("cp-sat"), runs.get("highs"), runs.get("greedy")
        best = best_known(runs, criteria)
        values = best[0] if best else None
        if values is not None:
            best_text = " / ".join(
                num(values.get(c), 0 if float(values.get(c, 0)).is_integer() else 2) for c in criteria
            )
            found = " and ".join(NAMES[s] for s in best[1]) if best else "—"
        else:
            best_text, found = "none", "—"
        greedy_excess = excess_by_criterion(gr, values) if values is not None and _has_package(gr) and gr else {}
        rows.append(
            [
                str(n),
                str(seed),
                best_text,
                found,
                num(proven_s(cp)) if _ok(cp) else "—",
                num(proven_s(hi)) if _ok(hi) else "—",
                ratio_cell(cp, hi),
                *(
                    _excess_text(c, greedy_excess[c], values[c]) if values is not None and c in greedy_excess else "—"
                    for c in criteria
                ),
                str(sum(rules_broken(gr).values())) if _ok(gr) and gr else "—",
            ]
        )
    return rows


def _excess_text(criterion: str, excess: float, best: float) -> str:
    digits = 0 if float(excess).is_integer() else 2
    sign = "+" if excess >= 0 else "−"
    return f"{sign}{num(abs(excess), digits)} ({sign}{abs(excess) / max(1.0, abs(best)) * 100:.1f} %)"


def _summary_rows(instances: dict[tuple[int, int], dict[str, RunEntry]], criteria: list[str]) -> list[list[str]]:
    rows = []
    for n in sorted({n for n, _ in instances}):
        here = [(k, by) for k, by in instances.items() if k[0] == n]
        speedups = [speedup(by.get("cp-sat"), by.get("highs")) for _, by in here if "highs" in by]
        cp_proven = sum(1 for _, by in here if proven_s(by.get("cp-sat")) is not None)
        hi_proven = sum(1 for _, by in here if proven_s(by.get("highs")) is not None)
        greedy = greedy_against_best([by for _, by in here], criteria)
        first = criteria[0]
        excesses = [excess_by_criterion(g, b).get(first) for g, b in greedy]
        relative = [e / max(1.0, abs(b[first])) for e, (_, b) in zip(excesses, greedy, strict=True) if e is not None]
        breaks = [sum(rules_broken(g).values()) for g, _ in greedy]
        rows.append(
            [
                str(n),
                f"{cp_proven}/{len(here)}",
                f"{hi_proven}/{sum(1 for _, by in here if 'highs' in by)}",
                speedup_text(median_speedup(speedups)) if speedups else "—",
                f"{sum(1 for s in speedups if s is not None and s >= TARGET_SPEEDUP)}/{len(speedups)}"
                if speedups
                else "—",
                num(median(e for e in excesses if e is not None), 2) if excesses else "—",
                f"{statistics.median(relative) * 100:.1f} %" if relative else "—",
                f"{sum(1 for b in breaks if b)}/{len(breaks)}" if breaks else "—",
                num(median(breaks), 0) if breaks else "—",
            ]
        )
    return rows


def _build_rows(instances: dict[tuple[int, int], dict[str, RunEntry]]) -> list[list[str]]:
    rows = []
    for n in sorted({n for n, _ in instances}):
        for solver in EXACT:
            runs = [r for r in (by.get(solver) for k, by in instances.items() if k[0] == n) if _ok(r)]
            ok = [r for r in runs if r.get("build_s") is not None and r["wall_s"]]
            if not ok:
                continue
            shares = [r["build_s"] / r["wall_s"] for r in ok]
            rows.append(
                [
                    str(n),
                    NAMES[solver],
                    num(median(r["build_s"] for r in ok)),
                    num(median(r["wall_s"] for r in ok)),
                    f"{statistics.median(shares) * 100:.1f} %",
                    f"{max(shares) * 100:.1f} %",
                ]
            )
    return rows


def build_shares(results: Results, solver: str = "cp-sat") -> dict[int, float]:
    """Median share of the solve's wall time spent building the model, per size."""
    out: dict[int, float] = {}
    instances = by_instance(results)
    for n in sorted({n for n, _ in instances}):
        ok = [r for r in (by.get(solver) for k, by in instances.items() if k[0] == n) if _ok(r)]
        shares = [r["build_s"] / r["wall_s"] for r in ok if r.get("build_s") is not None and r["wall_s"]]
        if shares:
            out[n] = float(statistics.median(shares))
    return out


def render(results: Results, meta: FamilyMeta | None) -> list[str]:
    """The section comparing CP-SAT with HiGHS and the greedy fill, from the solve family's records (and
    metadata, when the results hold it)."""
    peers = results.get("peers", [])
    if not peers:
        return []
    instances = by_instance(results)
    criteria = criteria_of([r for by in instances.values() for r in by.values()])
    cfg = meta.get("config") if meta is not None else None
    limit = num(cfg.get("time_limit_s") if cfg is not None else None, 0)
    versions = sorted({str(r["solver_version"]) for r in peers if _ok(r) and r["solver"] == "highs"})
    run_rows = []
    for (n, seed), runs in instances.items():
        best = best_known(runs, criteria)
        for solver in ("cp-sat", *PEERS):
            if solver in runs:
                run_rows.append(_run_row(n, seed, solver, runs[solver], best[0] if best else None, criteria))
    lines = [
        "## CP-SAT against HiGHS and a greedy fill",
        "",
        "The same generated scenarios as above, solved after CP-SAT by two peers, each in a fresh process",
        f"(`python -m bench.peers.run`) with the same {limit} s limit, one instance after the other in the",
        f"interleaved order: **HiGHS** ({', '.join(versions) or '?'} through highspy; `bench/peers/highs.py`),",
        "the product's rules and lexicographic stages written as a mixed-integer program, one thread; and a",
        "**greedy** fill",
        "(`bench/peers/greedy.py`), the planner's spreadsheet: essential lines first, the cheapest eligible",
        "unit first, placing only what the rules checkable one placement at a time allow. Every answer goes",
        "through the independent checker. For CP-SAT and HiGHS a violation is a bug; the greedy's *rule",
        "breaks* are expected (it cannot see `min_contingent`, `max_nation_share`, `min_nations`, group",
        "minimums or an essential line left short) and are listed as such, not as failures.",
        "",
        "*Best known*: the lexicographically best objective (" + ", ".join(f"`{c}`" for c in criteria) + ") of",
        "a package CP-SAT or HiGHS found that the checker accepts. *vs best known*: `= best`, or the first",
        "criterion where the run's package is worse (+) or better (−, only for a package that breaks rules),",
        "by how much and relative to the best. *Model*: CP-SAT's variables and constraints",
        "(`solver.build`), HiGHS's columns, rows and nonzeros; *optimum*: the whole solve's wall time when",
        "every stage was proven optimal (the greedy proves nothing). *CP-SAT : HiGHS*: the two times to the",
        "proven optimum, CP-SAT's as 1 (`1 : 2.50` means HiGHS took 2.5 times as long); when one of them",
        "did not prove the optimum within the limit, the cell says so instead of a ratio.",
        "",
        "### Per run",
        "",
        *table(
            [
                "nations",
                "seed",
                "solver",
                "model",
                "build s",
                "first package s",
                "optimum s",
                "status",
                "gap",
                "vs best known",
                "CPU share",
                "peak MiB",
                "checker",
            ],
            run_rows,
            [True, True, False, True, True, True, True, False, True, False, True, True, False],
        ),
        "",
        "### Per instance",
        "",
        "*Greedy excess*: per criterion, the greedy package's value minus the best known (positive = worse;",
        "fewer nations is worse), and relative to the best.",
        "",
        *table(
            [
                "nations",
                "seed",
                "best known (" + " / ".join(criteria) + ")",
                "found by",
                "CP-SAT optimum s",
                "HiGHS optimum s",
                "CP-SAT : HiGHS",
                *(f"greedy excess {c}" for c in criteria),
                "greedy rule breaks",
            ],
            _instance_rows(instances, criteria),
            [True, True, True, False, True, True, True, *([True] * len(criteria)), True],
        ),
        "",
        "### Per size (medians)",
        "",
        "Medians over the seeds; *optimum* counts a run not proven optimal as slower than any that was",
        "(*not reached* when most were not); *at best known*: runs whose package equals the best known.",
        "",
        *table(
            [
                "nations",
                "solver",
                "runs",
                "variables / cols",
                "constraints / rows",
                "nonzeros",
                "build s",
                "first package s",
                "proven optimal",
                "optimum s",
                "gap",
                "at best known",
                "peak MiB",
                "max peak MiB",
            ],
            _size_rows(instances, criteria),
            [True, False] + [True] * 12,
        ),
        "",
        "*Speed-up*: HiGHS's time to the proven optimum over CP-SAT's, the median over the instances where",
        "at least one of them proved it (an instance only CP-SAT proved counts as an infinite speed-up, one",
        "only HiGHS proved as zero; with an even count, the lower middle value); *≥ 2x*: instances where",
        f"CP-SAT was at least {num(TARGET_SPEEDUP, 0)} times as fast. *Greedy*: its excess on the first criterion",
        f"(`{criteria[0]}`) over the best known, and how many of its packages break rules.",
        "",
        *table(
            [
                "nations",
                "CP-SAT proven",
                "HiGHS proven",
                "speed-up (median)",
                "≥ 2x",
                f"greedy excess {criteria[0]} (median)",
                "relative",
                "greedy with rule breaks",
                "rule breaks (median)",
            ],
            _summary_rows(instances, criteria),
            [True] * 9,
        ),
        "",
        "### Building the model against solving it",
        "",
        "The seconds to build the model (CP-SAT: `solver.build`; HiGHS: the rows and columns passed to",
        "highspy) against the whole solve's wall time, and the share of the wall time building takes.",
        "",
        *table(
            ["nations", "solver", "build s", "wall s", "build share (median)", "build share (max)"],
            _build_rows(instances),
            [True, False, True, True, True, True],
        ),
        "",
        "### Reading the numbers",
        "",
        *_reading(instances, criteria, cfg),
        "",
    ]
    return lines


def _reading(
    instances: dict[tuple[int, int], dict[str, RunEntry]], criteria: list[str], cfg: RunConfig | None
) -> list[str]:
    out = []
    limit = num(cfg.get("time_limit_s") if cfg is not None else None, 0)
    for n in sorted({n for n, _ in instances}):
        here = [by for k, by in instances.items() if k[0] == n]
        both = [by for by in here if _ok(by.get("cp-sat")) and _ok(by.get("highs"))]
        parts = []
        if both:
            cp = sum(1 for by in both if proven_s(by["cp-sat"]) is not None)
            hi = sum(1 for by in both if proven_s(by["highs"]) is not None)
            parts.append(f"CP-SAT proved the optimum in {cp} of {len(both)} runs, HiGHS in {hi} (limit {limit} s)")
            med = median_speedup([speedup(by["cp-sat"], by["highs"]) for by in both])
            if med is not None and not math.isinf(med) and med > 0:
                faster = "CP-SAT" if med >= 1 else "HiGHS"
                times = med if med >= 1 else 1 / med
                parts.append(f"to the proven optimum {faster} was {num(times)} times as fast on median")
            elif med is not None:
                parts.append(f"on median {speedup_text(med)}")
            firsts: list[tuple[float | None, float | None]] = []
            for by in both:
                cp_run, hi_run = by.get("cp-sat"), by.get("highs")
                if _ok(cp_run) and _ok(hi_run):
                    first_pair = (cp_run["first_package_s"], hi_run["first_package_s"])
                    if first_pair != (None, None):
                        firsts.append(first_pair)
            if firsts:
                parts.append(
                    f"first package: CP-SAT {num(median(a for a, _ in firsts))} s, HiGHS "
                    f"{num(median(b for _, b in firsts))} s (medians)"
                )
            better = [
                by
                for by in both
                if (b := best_known(by, criteria)) is not None and b[1] == ["highs"] and _has_package(by["cp-sat"])
            ]
            if better:
                parts.append(f"HiGHS's package was better than CP-SAT's in {len(better)} of {len(both)}")
        greedy = greedy_against_best(here, criteria)
        if greedy:
            broken = Counter[str]()
            for g, _ in greedy:
                broken.update(rules_broken(g))
            worse = [versus(g, b, criteria) for g, b in greedy]
            first = criteria[0]
            ex = [e for g, b in greedy if (e := excess_by_criterion(g, b).get(first)) is not None]
            text = (
                f"the greedy's `{first}` was {num(median(ex), 2)} above the best known on median "
                f"(worse in {sum(1 for w in worse if w is not None and w[1] > 0)} of {len(greedy)})"
            )
            if broken:
                text += ", and its packages broke " + ", ".join(f"`{k}` {v} times" for k, v in broken.most_common())
            parts.append(text)
        if parts:
            out.append(f"- **{n} nations**: " + "; ".join(parts) + ".")
    return out
