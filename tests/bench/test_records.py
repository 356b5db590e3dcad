"""The benchmark's records fit their types (`bench.records`): every record of the results files
committed (`bench/long-runs.json`, the golden results of the report, the time-phases run), and a record of each kind as
its writer measures it now. The types are closed, so a writer that adds a field its type does not
declare, or drops one the type requires, fails here.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from bench import records
from bench.common import run_json
from bench.families import run_cli
from bench.instance import run_explain, run_solve
from bench.peers.run import run_peer
from bench.phased import measure, phased
from bench.profiling import profile_solve
from bench.records import (
    BaselineRecord,
    CliEntry,
    Config,
    ExplainEntry,
    ExplainRecord,
    GazaRecord,
    LoadEntry,
    PeerEntry,
    PeerRecord,
    PhasedEntry,
    PhasedFailure,
    PhasedRecord,
    ProfileEntry,
    ProfileRecord,
    Results,
    SolveEntry,
    SolveFailure,
    SolveRecord,
    SweepEntry,
    SweepRecord,
    TailEntry,
)
from bench.sweeps import run_baseline, run_gaza, run_sweep
from bench.tail import run_tail

ROOT = Path(__file__).resolve().parents[2]
STORED = {
    "long-runs": records.LONG_RUNS,
    "small-run": ROOT / "tests" / "data" / "bench" / "results-small-run.json",
    "synthetic": ROOT / "tests" / "data" / "bench" / "results-synthetic.json",
    "phased": ROOT / "tests" / "data" / "bench" / "results-phased.json",
}
"""The results files committed: the long runs every report merges in, the report's goldens, and the
time-phases family's run behind docs/benchmarks.md's section "Time phases"."""

ENTRIES: dict[str, object] = {
    "solve": SolveEntry,
    "workers": SolveEntry,
    "peers": PeerEntry,
    "explain": ExplainEntry,
    "cli": CliEntry,
    "sweep": SweepEntry,
    "sweep-full": SweepEntry,
    "profile": ProfileEntry,
    "tail": TailEntry,
    "phased": PhasedEntry,
    "load": LoadEntry,
}
"""What each list of a results file holds: its kind's records, measured or failed."""
assert set(ENTRIES) == set(records.RECORD_KINDS)

NATIONS = 12
LIMIT_S = 2.0
"""The fresh records: a 12-nation generated scenario, 2 s per solve."""


def _validate(kind: object, record: Mapping[str, object]) -> None:
    """Validate a record against a type (not strict: JSON has no tuples, and ints stand for floats)."""
    TypeAdapter(kind).validate_python(record, strict=False)


def _stored() -> list[tuple[str, str, int, dict[str, Any]]]:
    """(file, kind, position, record) of every record of the committed results files."""
    out = []
    for name, path in STORED.items():
        data = json.loads(path.read_text(encoding="utf-8"))
        for kind in records.RECORD_KINDS:
            out += [(name, kind, i, r) for i, r in enumerate(data.get(kind, []))]
    return out


STORED_RECORDS = _stored()


# -- the results files committed -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(STORED))
def test_records_committed_results_files_fit_their_type(name: str) -> None:
    """Each committed results file, its families' metadata and machine included, is a `Results`."""
    _validate(Results, json.loads(STORED[name].read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("name", "kind", "position", "record"), STORED_RECORDS, ids=[f"{n}-{k}-{i}" for n, k, i, _ in STORED_RECORDS]
)
def test_records_each_committed_record_fits_its_kind(
    name: str, kind: str, position: int, record: dict[str, Any]
) -> None:
    """Every record of a committed results file is a record of its list's kind."""
    _validate(ENTRIES[kind], record)


def test_records_committed_files_hold_every_kind_the_report_renders() -> None:
    """The committed records cover the kinds the goldens render, so the tests above check each type."""
    kinds = {(kind, r["kind"]) for _, kind, _, r in STORED_RECORDS}
    assert {
        ("solve", "solve"),
        ("peers", "solve"),
        ("explain", "explain"),
        ("cli", "cli"),
        ("workers", "solve"),
    } <= kinds
    assert {("sweep", "baseline"), ("sweep", "sweep"), ("sweep", "gaza"), ("sweep-full", "sweep")} <= kinds
    assert {("profile", "profile"), ("load", "load"), ("phased", "phased")} <= kinds


def test_records_types_are_closed() -> None:
    """A field the type does not declare, or a required field missing, is refused, in a record and in
    the parts of one (a stage) alike."""
    solve = next(r for _, kind, _, r in STORED_RECORDS if kind == "solve")
    _validate(SolveRecord, solve)
    with pytest.raises(ValidationError, match="undeclared"):
        _validate(SolveRecord, {**solve, "undeclared": 1})
    with pytest.raises(ValidationError, match="wall_s"):
        _validate(SolveRecord, {k: v for k, v in solve.items() if k != "wall_s"})
    staged = copy.deepcopy(solve)
    staged["stages"][0]["undeclared"] = 1
    with pytest.raises(ValidationError, match="undeclared"):
        _validate(SolveRecord, staged)
    failed = {"kind": "solve", "nations": 25, "seed": 1, "error": "killed", "violations": []}
    _validate(SolveEntry, failed)
    with pytest.raises(ValidationError):
        _validate(SolveEntry, {k: v for k, v in failed.items() if k != "error"})


# -- records measured now --------------------------------------------------------------------------


def test_records_fresh_solve_and_explain_fit_their_types() -> None:
    """`bench.instance` writes solve and explain records of their types."""
    _validate(SolveRecord, run_solve(NATIONS, 1, LIMIT_S))
    _validate(ExplainRecord, run_explain(NATIONS, 1, LIMIT_S))


def test_records_fresh_peer_records_fit_their_type() -> None:
    """The greedy's record (with CP-SAT's as reference, in a child process) and HiGHS's (in a process
    of its own: it cannot share one with OR-Tools) are peer records."""
    greedy = run_peer("greedy", NATIONS, 1, LIMIT_S, reference=True)
    assert greedy["reference"] is not None
    _validate(PeerRecord, greedy)
    cmd = [sys.executable, "-m", "bench.peers.run", "--solver", "highs", "--nations", str(NATIONS), "--seed", "1"]
    proc = subprocess.run([*cmd, "--time-limit", str(LIMIT_S)], cwd=ROOT, capture_output=True, text=True, check=True)
    highs = json.loads(proc.stdout.strip().splitlines()[-1])
    assert highs["model"] is not None and "hold_breaches" in highs
    _validate(PeerRecord, highs)


def test_records_fresh_profile_fits_its_type() -> None:
    """`bench.profiling` writes a profile record."""
    _validate(ProfileRecord, profile_solve(NATIONS, 1, LIMIT_S))


def test_records_fresh_sweep_records_fit_their_types(tmp_path: Path) -> None:
    """A baseline (with the anatomy of a withdrawal), a sampled N-1 sweep against it, and the Gaza
    example's criticality, each without an executor."""
    path = tmp_path / "baseline.json"
    baseline = run_baseline(NATIONS, 1, LIMIT_S, path, 1.0)
    _validate(BaselineRecord, baseline)
    _validate(SweepRecord, run_sweep(NATIONS, 1, "n1", True, "none", path, 1.0, 2))
    _validate(GazaRecord, run_gaza("none"))


def test_records_fresh_tail_and_cli_records_fit_their_types() -> None:
    """The tail family (CP-SAT and HiGHS, each in a process of its own) and the command-line timings
    write records of their kinds into the results."""
    config = Config(
        sizes=(NATIONS,),
        seeds=(1,),
        time_limit_s=LIMIT_S,
        explain_sizes=(),
        workers=None,
        command="test",
        results="-",
        cli_repeats=1,
        tail_families=("standard",),
        tail_sizes=(NATIONS,),
        tail_seeds=(1,),
        tail_search_seeds=(0,),
        tail_time_limit_s=LIMIT_S,
    )
    results: Results = {}
    run_tail(config, results, lambda _line: None, lambda: None)
    run_cli(config, results, lambda _line: None, lambda: None)
    assert [r["solver"] for r in results["tail"]] == ["cp-sat", "highs"]
    assert len(results["cli"]) == 4
    _validate(Results, results)


def test_records_fresh_phased_record_fits_its_type() -> None:
    """`bench.phased.measure` writes a phased record, closed like the others; a failed one is a
    `PhasedFailure`."""
    record = measure(phased(NATIONS, 1), LIMIT_S, nations=NATIONS, seed=1)
    _validate(PhasedRecord, record)
    with pytest.raises(ValidationError, match="undeclared"):
        _validate(PhasedRecord, {**record, "undeclared": 1})
    with pytest.raises(ValidationError, match="nonzeros"):
        _validate(PhasedRecord, {**record, "model": {k: v for k, v in record["model"].items() if k != "nonzeros"}})
    failed = {"kind": "phased", "scenario": "phased-70-1", "file": None, "nations": 70, "seed": 1}
    _validate(PhasedFailure, {**failed, "error": "killed", "violations": []})
    _validate(Results, {"phased": [record, {**failed, "error": "killed", "violations": []}]})


def test_records_a_failed_instance_is_a_failure_record() -> None:
    """An instance whose process fails leaves the failure record of its kind, with the reason."""
    cmd = [sys.executable, "-c", "import sys; sys.exit('no scenario')"]
    failed = SolveFailure(kind="solve", nations=NATIONS, seed=1, error="", violations=[])
    record = run_json(cmd, 60, SolveRecord, failed)
    assert "error" in record and "no scenario" in record["error"]
    _validate(SolveFailure, record)
