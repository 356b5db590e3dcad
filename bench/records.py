"""What a benchmark run is and keeps: its configuration (`Config`), the families it runs, the records it
measures and the results file that holds them (`load`, `save`, `with_long_runs`).

Every other module of `bench` reads its configuration and records from here, and this module imports
none of them: the harness runs the families, the families fill the records, the renderers read them,
and none of that needs to know who else does.

A record is one measured instance as the process that measured it wrote it, JSON as is (the kinds and
their fields are those of `bench.instance`, `bench.peers.run`, `bench.sweeps`, `bench.profiling` and
`bench.load`); one that failed holds `error` and no measurements. Results files of every earlier
version must still render, so the records stay plain JSON objects rather than classes that would
refuse an old field or a missing one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forcepack.solver.answer import EXPLAIN_TIME_LIMIT_S

__all__ = [
    "DEFAULT_FAMILIES",
    "FAMILIES",
    "LONG_RUNS",
    "PEERS",
    "QUICK_RESULTS",
    "RECORD_KINDS",
    "RESULTS",
    "SWEEP_FAMILIES",
    "Config",
    "Echo",
    "Record",
    "Results",
    "Save",
    "load",
    "normalise",
    "record_key",
    "save",
    "start_records",
    "total_s",
    "with_long_runs",
]

Record = dict[str, Any]
"""One measured instance (or what went wrong with it, under `error`), as its process wrote it."""
Results = dict[str, Any]
"""A results file: the records of each kind by kind (`solve`, `peers`, ...), the machine, and under
`families` each family's metadata (its machine, configuration, command, source and minutes)."""
Echo = Callable[[str], None]
"""Where a family reports its progress (a line of text for the terminal)."""
Save = Callable[[], None]
"""Writes the results measured so far, after each instance, so that an interrupted run keeps them."""

FAMILIES = ("solve", "explain", "workers", "sweep", "load", "profile", "tail", "sweep-full")
"""The benchmark families, in the order they run."""
DEFAULT_FAMILIES = FAMILIES[:-1]
"""What `make bench` runs: every family but the long `sweep-full`."""
SWEEP_FAMILIES = ("sweep", "sweep-full")
"""The families that run criticality sweeps (the default run's sampled ones, and the long run's)."""
RECORD_KINDS = ("solve", "peers", "explain", "cli", "workers", "sweep", "profile", "tail", "sweep-full", "load")
"""The lists of records a results file may hold, by kind."""
PEERS = ("highs", "greedy")
"""The peer solvers `python -m bench.peers.run` offers, in the order they run after CP-SAT."""

DEFAULT_N1_SAMPLE = "25:0,70:12,6"
DEFAULT_PAIR_SAMPLE = "25:0,70:24,12"
"""The default sweep's samples per size: every variant at 25 nations, samples at 70 and above."""
FULL_N1_SAMPLE = 0
FULL_PAIR_SAMPLE = 200
"""The long run's samples: every N-1 withdrawal, 200 N-2 pairs."""

RESULTS = Path("bench/out/results.json")
QUICK_RESULTS = Path("bench/out/results-quick.json")
"""Where a run writes its results file, relative to the repository (`--quick`: apart, so that a smoke run
never replaces the measured one)."""

LONG_RUNS = Path(__file__).resolve().parent / "long-runs.json"
"""The records of the families too long for the default run (`sweep-full`: every withdrawal at 200
nations, 1.5 h), committed so that a fresh clone's `make bench` reports them beside its own."""


@dataclass(frozen=True)
class Config:
    """What to run: the families; sizes (nations), seeds, the time limit per solve, sizes to explain,
    workers; the workers comparison; the command-line timings; the sweeps."""

    sizes: tuple[int, ...]
    seeds: tuple[int, ...]
    time_limit_s: float
    explain_sizes: tuple[int, ...]
    workers: int | None
    command: str
    results: str
    families: tuple[str, ...] = DEFAULT_FAMILIES
    seeds_at: tuple[tuple[int, tuple[int, ...]], ...] = ((500, (1, 2)),)
    peers: tuple[str, ...] = PEERS
    workers_sizes: tuple[int, ...] = (25, 70, 500)
    workers_seeds: tuple[int, ...] = (1, 2, 3)
    workers_compare: tuple[int, ...] = (1, 2)
    workers_time_limit_s: float = 20.0
    cli_repeats: int = 3
    sweep_sizes: tuple[int, ...] = (25, 70, 200)
    sweep_seeds: tuple[int, ...] = (1,)
    sweep_time_limit_s: float = 10.0
    baseline_time_limit_s: float = 60.0
    n1_sample: int | str = DEFAULT_N1_SAMPLE
    pair_sample: int | str = DEFAULT_PAIR_SAMPLE
    full_sweep_sizes: tuple[int, ...] = (25, 70, 200)
    full_n1_sample: int | str = FULL_N1_SAMPLE
    full_pair_sample: int | str = FULL_PAIR_SAMPLE
    gaza: bool = True
    load_delegates: int = 50
    load_rounds: int = 40
    load_max_seconds: float = 300.0
    profile_sizes: tuple[int, ...] = (25, 200, 500)
    profile_time_limit_s: float = 30.0
    tail_families: tuple[str, ...] = (
        "standard", "many-lines", "heavy-caveats", "tight-funding", "partial-personnel", "tight-targets",
    )  # fmt: skip
    tail_sizes: tuple[int, ...] = (12, 22, 35, 50, 70)
    tail_seeds: tuple[int, ...] = (1, 2)
    tail_search_seeds: tuple[int, ...] = (0, 1, 2)
    tail_time_limit_s: float = 20.0
    resume: bool = False

    def seeds_for(self, nations: int) -> tuple[int, ...]:
        """The generator seeds at a size: `seeds`, unless `seeds_at` names others for it."""
        return next((seeds for n, seeds in self.seeds_at if n == nations), self.seeds)

    def plan(self, sizes: Sequence[int]) -> list[tuple[int, int]]:
        """(nations, seed) in the interleaved order: for each seed, every size that has it."""
        seeds = sorted({s for n in sizes for s in self.seeds_for(n)})
        return [(n, s) for s in seeds for n in sizes if s in self.seeds_for(n)]

    def sweep_plan(self, family: str) -> tuple[tuple[int, ...], int | str, int | str]:
        """Sizes, N-1 sample and N-2 pair sample of a sweep family (`sweep` or `sweep-full`)."""
        if family == "sweep-full":
            return self.full_sweep_sizes, self.full_n1_sample, self.full_pair_sample
        return self.sweep_sizes, self.n1_sample, self.pair_sample

    def to_dict(self, family: str = "sweep") -> dict[str, Any]:
        """The configuration as JSON-ready data; the sweep fields are those of `family` when it is a sweep."""
        sweep_sizes, n1_sample, pair_sample = self.sweep_plan(family)
        return {
            "sizes": list(self.sizes),
            "seeds": list(self.seeds),
            "time_limit_s": self.time_limit_s,
            "explain_sizes": list(self.explain_sizes),
            "workers": self.workers,
            "explain_time_limit_s": EXPLAIN_TIME_LIMIT_S,
            "command": self.command,
            "results": self.results,
            "families": list(self.families),
            "seeds_at": {str(n): list(seeds) for n, seeds in self.seeds_at},
            "peers": list(self.peers),
            "workers_sizes": list(self.workers_sizes),
            "workers_seeds": list(self.workers_seeds),
            "workers_compare": list(self.workers_compare),
            "workers_time_limit_s": self.workers_time_limit_s,
            "cli_repeats": self.cli_repeats,
            "sweep_sizes": list(sweep_sizes),
            "sweep_seeds": list(self.sweep_seeds),
            "sweep_time_limit_s": self.sweep_time_limit_s,
            "baseline_time_limit_s": self.baseline_time_limit_s,
            "n1_sample": n1_sample,
            "pair_sample": pair_sample,
            "gaza": self.gaza,
            "load_delegates": self.load_delegates,
            "load_rounds": self.load_rounds,
            "load_max_seconds": self.load_max_seconds,
            "profile_sizes": list(self.profile_sizes),
            "profile_time_limit_s": self.profile_time_limit_s,
            "tail_families": list(self.tail_families),
            "tail_sizes": list(self.tail_sizes),
            "tail_seeds": list(self.tail_seeds),
            "tail_search_seeds": list(self.tail_search_seeds),
            "tail_time_limit_s": self.tail_time_limit_s,
        }


# -- the records of a family -----------------------------------------------------------------------


def record_key(family: str, r: Record) -> tuple[Any, ...]:
    """What identifies a record within its family, to resume an interrupted run."""
    if family == "workers":
        return (r["nations"], r["seed"], r["workers"])
    if family == "cli":
        return (r.get("file"),)
    if family == "peers":
        return (r["solver"], r["nations"], r["seed"])
    if family == "tail":
        return (r["family"], r["nations"], r["seed"], r["solver"], r.get("search_seed", 0))
    if family in ("load", "profile"):
        return (r.get("nations"), r.get("seed"))
    if family in SWEEP_FAMILIES:
        if r["kind"] == "baseline":
            return ("baseline", r["nations"], r["seed"])
        if r["kind"] == "gaza":
            return ("gaza", r["executor"])
        return ("sweep", r["nations"], r["seed"], r["mode"], r["hinted"], r["executor"])
    return (r["nations"], r["seed"])


def start_records(family: str, results: Results, resume: bool) -> tuple[list[Record], set[tuple[Any, ...]]]:
    """The family's record list to fill: empty, or, when resuming, the records already measured
    without error (failed ones run again), with their keys."""
    kept = [r for r in results.get(family, []) if "error" not in r] if resume else []
    results[family] = kept
    return kept, {record_key(family, r) for r in kept}


# -- the results file ------------------------------------------------------------------------------


def normalise(results: Results) -> Results:
    """A results file of any version, with per-family metadata (`families`)."""
    results = dict(results)
    results.setdefault("solve", [])
    results.setdefault("explain", [])
    if "families" not in results:
        # Written before the families: solve and explain ran together, with one configuration.
        legacy = {
            "machine": results.get("machine", {}),
            "config": results.get("config", {}),
            "command": results.get("config", {}).get("command", ""),
            "total_s": results.get("total_s", 0.0),
            "legacy": True,
        }
        results["families"] = {kind: legacy for kind in ("solve", "explain") if results[kind]}
    return results


def total_s(results: Results) -> float:
    """Seconds of every family measured, counting a shared legacy run once."""
    seen: set[int] = set()
    total = 0.0
    for m in results.get("families", {}).values():
        if id(m) in seen:
            continue
        seen.add(id(m))
        total += m.get("total_s", 0.0)
    return total


def load(path: Path) -> Results:
    """A results file as written by `save` (any earlier version too), normalised."""
    return normalise(json.loads(path.read_text(encoding="utf-8")))


def save(path: Path, results: Results) -> None:
    """Write a results file (its folder made if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def with_long_runs(previous: Results | None) -> Results | None:
    """`previous`, with the committed long-run records of each family it does not hold itself."""
    if not LONG_RUNS.exists():
        return previous
    long_runs = json.loads(LONG_RUNS.read_text(encoding="utf-8"))
    merged: Results = dict(previous) if previous is not None else {"solve": [], "explain": []}
    families_meta = merged.setdefault("families", {})
    for family, meta in long_runs.get("families", {}).items():
        if not merged.get(family):
            merged[family] = long_runs.get(family, [])
            families_meta[family] = meta
    return merged
