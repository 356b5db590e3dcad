"""The benchmark harness: solve, explain and sweep generated scenarios of growing size, write docs/benchmarks.md.

`python -m bench` (or `make bench`) runs eight families, about fifty minutes in all on two cores:

- **solve**: generated scenarios for every size and seed (`bench.instance solve`), each also
  solved by the peers, HiGHS and a greedy fill (`bench.peers.run`, `bench.comparison`);
- **explain**: their infeasible variants (`bench.instance explain`), and `forcepack solve` on the
  example files timed from the command line (`bench.families.run_cli`);
- **workers**: the solve benchmark with one and with two CP-SAT workers (`bench.families`);
- **sweep**: N-1 and N-2 criticality on a process pool and a dask cluster, cold and hinted, and
  on the Gaza example (`bench.sweeps`, `bench.families`), sampled at the larger sizes;
- **load**: the HTTP load test (`bench.load`);
- **profile**: one solve per size under pyinstrument (`bench.profiling`);
- **tail**: every scenario family of `bench.generator.FAMILIES` at 12-70 nations, three CP-SAT
  seeds and HiGHS per instance, the p90 and largest time to the optimum (`bench.tail`);
- **phased**: time phases, the phased Gaza example and generated phased coalitions of 25 and 70
  nations, the model's size, the time to the first plan, the gap at the limit, the issue's targets
  for time phases judged (`bench.phased`).

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

The Markdown is written by `bench.report`, a function per section; every figure in it comes from
the records, and `--from-json` renders it again from a results file without solving. The order is
interleaved (for each seed, every size) so that drift of the machine during the run affects all
sizes alike. Every answer goes through the independent checker (`solver.check`); a violation is a
bug, printed loudly, listed in the document, and makes the exit status 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, overload

import ortools

from bench import comparison, families, phased, plot, profiling, report, tail
from bench.common import ROOT, num, parse_per_size, run_json
from bench.records import (
    DEFAULT_FAMILIES,
    DEFAULT_N1_SAMPLE,
    DEFAULT_PAIR_SAMPLE,
    FAMILIES,
    FULL_N1_SAMPLE,
    FULL_PAIR_SAMPLE,
    PEERS,
    QUICK_RESULTS,
    RESULTS,
    SWEEP_FAMILIES,
    Config,
    Echo,
    ExplainEntry,
    ExplainFailure,
    ExplainRecord,
    FamilyMeta,
    Machine,
    Results,
    Save,
    SolveEntry,
    SolveFailure,
    SolveRecord,
    Source,
    normalise,
    start_records,
    total_s,
    with_long_runs,
)
from bench.records import load as load_results
from bench.records import read as read_results
from bench.records import save as save_results
from forcepack.solver.answer import EXPLAIN_TIME_LIMIT_S

__all__ = ["main", "run"]

DEFAULT_OUT = Path("docs/benchmarks.md")
QUICK_OUT = Path("bench/out/benchmarks-quick.md")


# -- the machine -------------------------------------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""


def machine() -> Machine:
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


def source_state() -> Source:
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


@overload
def run_instance(kind: Literal["solve"], nations: int, seed: int, config: Config) -> SolveEntry: ...
@overload
def run_instance(kind: Literal["explain"], nations: int, seed: int, config: Config) -> ExplainEntry: ...
def run_instance(
    kind: Literal["solve", "explain"], nations: int, seed: int, config: Config
) -> SolveEntry | ExplainEntry:
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
    if kind == "solve":
        return run_json(
            cmd,
            timeout,
            SolveRecord,
            SolveFailure(kind="solve", nations=nations, seed=seed, error="", violations=[]),
        )
    return run_json(
        cmd,
        timeout,
        ExplainRecord,
        ExplainFailure(kind="explain", nations=nations, seed=seed, error="", violations=[]),
    )


def _progress(record: SolveRecord | SolveFailure | ExplainRecord | ExplainFailure) -> str:
    """One line of progress for the terminal."""
    head = f"{record['kind']:7s} n={record['nations']:<4d} seed={record['seed']:<3d}"
    if "error" in record:
        return f"{head} ERROR {record['error']}"
    if record["kind"] == "solve":
        fp = record["first_package_s"]
        body = (
            f"{record['status']:10s} first package {num(fp)} s, wall {record['wall_s']:.1f} s, "
            f"gap {record['gap']:.4f}, peak {record['peak_mib']:.0f} MiB"
        )
    else:
        body = (
            f"{record['status']:10s} total {record['total_s']:.1f} s, conflict {record['conflict_size']}, "
            f"minimal {record['minimal']}, expected found {record['expected_found']}"
        )
    checker = "checker ok" if not record["violations"] else f"CHECKER: {len(record['violations'])} VIOLATION(S)"
    return f"{head} {body}, {checker}"


def _run_instances(kind: Literal["solve", "explain"], config: Config, results: Results, save: Save, echo: Echo) -> None:
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
            if record["kind"] == "solve":
                results["solve"].append(record)
            else:
                results["explain"].append(record)
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
    previous: Results | None = None,
) -> Results:
    """Run every family of `config`, one instance at a time, saving the results after each one.

    The records of families not run are kept from `previous` (a results file read before).
    """
    results: Results = normalise(previous) if previous is not None else {"solve": [], "explain": []}
    results["machine"] = machine()
    meta: dict[str, FamilyMeta] = results.setdefault("families", {})

    # The family running: its metadata, its seconds before this run (when resuming), when it started.
    current: list[tuple[FamilyMeta, float, float]] = []

    def save() -> None:
        # The family's time so far, so that an interrupted run still says how long it ran.
        for running, prior, start in current:
            running["total_s"] = prior + time.perf_counter() - start
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
        current[:] = [(meta[family], prior, start)]
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
        elif family == "tail":
            tail.run_tail(config, results, echo, save)
        elif family == "phased":
            phased.run_phased(config, results, echo, save)
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
        epilog="Defaults run every family but sweep-full in about 45 minutes on two cores.",
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
        # The tail family's quick run: the smallest size, one seed of each, every scenario family.
        tail_sizes=(12,) if quick else Config.tail_sizes,
        tail_seeds=(1,) if quick else Config.tail_seeds,
        tail_search_seeds=(0,) if quick else Config.tail_search_seeds,
        tail_time_limit_s=5.0 if quick else Config.tail_time_limit_s,
        # The time-phases family's quick run: the example and the smallest generated scenario, 10 s.
        phased_sizes=(25,) if quick else Config.phased_sizes,
        phased_seeds=(1,) if quick else Config.phased_seeds,
        phased_time_limit_s=10.0 if quick else Config.phased_time_limit_s,
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
        previous = with_long_runs(read_results(results_path) if results_path.exists() else None)
        results = run(config, results_path, previous=previous)
        print(f"results: {results_path}")

    out.parent.mkdir(parents=True, exist_ok=True)
    image = plot.write_plot(results, plot_path(out))
    out.write_text(report.render(results, plot_name=image.name if image else None), encoding="utf-8")
    print(f"wrote {out}" + (f" and {image}" if image else "") + f" ({total_s(results) / 60:.1f} min of benchmarks)")
    violations = report.violations(results)
    for line in violations:
        print(f"!!! CHECKER VIOLATION {line[2:]}")
    if violations:
        print(f"!!! {len(violations)} CHECKER VIOLATION(S): each one is a bug")
    failures = report.failures(results)
    for line in failures:
        print(f"!!! FAILED {line[2:]}")
    return 1 if violations or failures else 0
