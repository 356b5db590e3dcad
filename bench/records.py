"""What a benchmark run is and keeps: its configuration (`Config`), the families it runs, the records it
measures and the results file that holds them (`read`, `load`, `save`, `with_long_runs`).

Every other module of `bench` reads its configuration and records from here, and this module imports
none of them: the harness runs the families, the families fill the records, the renderers read them,
and none of that needs to know who else does.

A record is one measured instance as the process that measured it wrote it, JSON as is: a `TypedDict`
per kind says its fields (`SolveRecord` of `bench.instance solve`, `PeerRecord` of `bench.peers.run`,
`ExplainRecord`, `CliRecord`, the sweeps' `BaselineRecord`, `SweepRecord` and `GazaRecord`,
`ProfileRecord`, `TailRecord`, `PhasedRecord`, `LoadRecord`), and one that failed is a record of its own kind
(`SolveFailure`, ...): what was run, and `error` instead of measurements. A family's list holds
either (`SolveEntry`, ...); `"error" in r` tells them apart. A field that results files of an earlier
version lack, or that a writer adds only sometimes, is `NotRequired`. Results files of every earlier
version must still render, so the records stay plain JSON objects at run time (a TypedDict is one): the
types are checked by mypy on the code that writes and reads them, and, closed to fields they do not
declare, by the tests on the results files committed (`tests/bench/test_records.py`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NotRequired, cast, final, overload

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from forcepack.models.solution import Status
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
    "Anatomy",
    "AnyEntry",
    "BaselineFailure",
    "BaselineRecord",
    "CliEntry",
    "CliFailure",
    "CliFloor",
    "CliRecord",
    "Config",
    "CpSatStage",
    "Echo",
    "ExplainEntry",
    "ExplainFailure",
    "ExplainRecord",
    "Failure",
    "Family",
    "FamilyMeta",
    "GazaFailure",
    "GazaRecord",
    "Hot",
    "Key",
    "Latency",
    "LoadEntry",
    "LoadFailure",
    "LoadRecord",
    "Machine",
    "MipSize",
    "ModelSize",
    "Objective",
    "PeerEntry",
    "PeerFailure",
    "PeerRecord",
    "PeerStage",
    "Phase",
    "PhasedEntry",
    "PhasedFailure",
    "PhasedModelSize",
    "PhasedRecord",
    "ProfileEntry",
    "ProfileFailure",
    "ProfileRecord",
    "ProfileStage",
    "RecordKind",
    "Reference",
    "Results",
    "Resumed",
    "Run",
    "RunConfig",
    "RunEntry",
    "Save",
    "SolveEntry",
    "SolveFailure",
    "SolveRecord",
    "Source",
    "Statuses",
    "Summary",
    "SweepEntry",
    "SweepFailure",
    "SweepFamily",
    "SweepRecord",
    "TailEntry",
    "TailFailure",
    "TailPeerRecord",
    "TailRecord",
    "family_config",
    "load",
    "normalise",
    "read",
    "record_key",
    "save",
    "start_records",
    "total_s",
    "with_long_runs",
]

Echo = Callable[[str], None]
"""Where a family reports its progress (a line of text for the terminal)."""
Save = Callable[[], None]
"""Writes the results measured so far, after each instance, so that an interrupted run keeps them."""

Family = Literal["solve", "explain", "workers", "sweep", "load", "profile", "tail", "phased", "sweep-full"]
SweepFamily = Literal["sweep", "sweep-full"]
RecordKind = Literal[
    "solve", "peers", "explain", "cli", "workers", "sweep", "profile", "tail", "phased", "sweep-full", "load"
]

CLOSED = ConfigDict(extra="forbid")
"""The records' pydantic configuration: a field a type does not declare is refused (when a test
validates a record; nothing validates them at run time)."""


# -- the parts of a record -------------------------------------------------------------------------


@final
@with_config(CLOSED)
class Summary(TypedDict):
    """The sizes of a generated scenario (`bench.generator.summary`)."""

    sectors: int
    requirement_lines: int
    essential_lines: int
    unit_lines: int
    pledges: int
    nations: NotRequired[int]
    offered_units: NotRequired[int]
    offered_personnel: NotRequired[int]
    pledged_usd: NotRequired[int]
    red_lines: NotRequired[int]
    vetoes: NotRequired[int]


@final
@with_config(CLOSED)
class Objective(TypedDict):
    """One criterion's value in the package found, and the bound proven on it."""

    criterion: str
    value: float
    bound: float


@final
@with_config(CLOSED)
class ModelSize(TypedDict):
    """The CP-SAT model (`solver.build`): its size, the seconds to build it once, and the factor of each
    criterion's integer scale."""

    variables: int
    constraints: int
    build_s: float
    factors: NotRequired[dict[str, int]]


@final
@with_config(CLOSED)
class PhasedModelSize(TypedDict):
    """The CP-SAT model of a phased scenario (`solver.phased.PhasedBuilder`), built once apart from the
    solve: its variables, of which tour variables (units arriving per option and bucket), its
    constraints and their nonzeros (the variables of each linear constraint, counted over all), and
    the seconds to build it."""

    variables: int
    tour_variables: int
    constraints: int
    nonzeros: int
    build_s: float


@final
@with_config(CLOSED)
class MipSize(TypedDict):
    """The HiGHS model: columns (`variables`), rows (`constraints`), nonzeros, and the seconds to build it."""

    variables: int
    constraints: int
    nonzeros: int
    build_s: float
    integer_variables: NotRequired[int]


@final
@with_config(CLOSED)
class CpSatStage(TypedDict):
    """One lexicographic stage of a CP-SAT solve (`solver.search.StageResult`), CP-SAT's status names."""

    criterion: str
    status: str
    value: NotRequired[int | None]
    bound: NotRequired[float | None]
    wall_s: NotRequired[float]
    merged: NotRequired[bool]
    relaxation_bound: NotRequired[float | None]
    """The linear relaxation's proven bound, in the criterion's domain units (large models)."""
    relaxation_s: NotRequired[float]
    neighbourhood_s: NotRequired[float]


@final
@with_config(CLOSED)
class PeerStage(TypedDict):
    """One lexicographic stage of HiGHS (`bench.peers.highs.PeerStage`)."""

    criterion: str
    status: str
    value: NotRequired[float | None]
    bound: NotRequired[float | None]
    wall_s: NotRequired[float]
    solves: NotRequired[int]


@final
@with_config(CLOSED)
class Reference(TypedDict):
    """CP-SAT's answer on a peer's instance (`bench.peers.run --reference`)."""

    status: Status
    objective: list[Objective]
    wall_s: float
    gap: float
    first_package_s: float | None


@final
@with_config(CLOSED)
class Statuses(TypedDict):
    """Re-solves of a sweep by status."""

    optimal: int
    feasible: int
    unknown: int
    infeasible: int


@final
@with_config(CLOSED)
class Anatomy(TypedDict):
    """One withdrawal re-solved with CP-SAT's log on (`bench.sweeps.anatomy`): where its time went."""

    withdrawn: list[str]
    hinted: bool
    status: Status
    wall_s: float
    build_s: float
    presolve_s: float | None
    first_solution_s: float | None
    first_solution_by: str | None
    first_package_s: float | None
    hint_note: str | None


@final
@with_config(CLOSED)
class Phase(TypedDict):
    """A phase of a profiled solve: seconds, and share of the profiled wall time."""

    phase: str
    seconds: float
    share: float


@final
@with_config(CLOSED)
class Hot(TypedDict):
    """A function with much wall time of its own in a profiled solve."""

    function: str
    where: str
    self_s: float
    share: float


@final
@with_config(CLOSED)
class ProfileStage(TypedDict):
    """A stage of a profiled solve, with the seconds until its search started."""

    criterion: str
    status: str
    wall_s: float
    presolve_s: float | None


@final
@with_config(CLOSED)
class Latency(TypedDict):
    """Client-side latency of one kind of request (`bench.load.Latency`), in milliseconds."""

    count: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float


# -- what failed -----------------------------------------------------------------------------------


class Failure(TypedDict):
    """What an instance's process left instead of a record: why (`error`), after how long, and no
    violation (there is no answer to check)."""

    error: str
    violations: list[str]
    process_s: NotRequired[float]
    load_before: NotRequired[float]


@final
@with_config(CLOSED)
class SolveFailure(Failure):
    """A solve instance (`bench.instance solve`) that failed; `workers` in the workers family."""

    kind: Literal["solve"]
    nations: int
    seed: int
    workers: NotRequired[int]


@final
@with_config(CLOSED)
class PeerFailure(Failure):
    """A peer's instance (`bench.peers.run`) that failed."""

    kind: Literal["solve"]
    solver: str
    nations: int
    seed: int


@final
@with_config(CLOSED)
class ExplainFailure(Failure):
    """An explain instance (`bench.instance explain`) that failed."""

    kind: Literal["explain"]
    nations: int
    seed: int


@final
@with_config(CLOSED)
class BaselineFailure(Failure):
    """A sweep's baseline solve (`bench.sweeps baseline`) that failed."""

    kind: Literal["baseline"]
    nations: int
    seed: int


@final
@with_config(CLOSED)
class SweepFailure(Failure):
    """A sweep (`bench.sweeps sweep`) that failed."""

    kind: Literal["sweep"]
    nations: int
    seed: int
    mode: str
    hinted: bool
    executor: str


@final
@with_config(CLOSED)
class GazaFailure(Failure):
    """The Gaza example's criticality (`bench.sweeps gaza`) that failed."""

    kind: Literal["gaza"]
    executor: str


@final
@with_config(CLOSED)
class ProfileFailure(Failure):
    """A profiled solve (`bench.profiling`) that failed."""

    kind: Literal["profile"]
    nations: int
    seed: int


@final
@with_config(CLOSED)
class TailFailure(Failure):
    """A run of the tail family that failed."""

    kind: Literal["tail"]
    family: str
    nations: int
    seed: int
    solver: str
    search_seed: int


@final
@with_config(CLOSED)
class PhasedFailure(Failure):
    """A phased scenario (`bench.phased`) whose measurement failed: the example file, or the generated
    scenario's nations and seed."""

    kind: Literal["phased"]
    scenario: str
    file: str | None
    nations: int | None
    seed: int | None


@final
@with_config(CLOSED)
class LoadFailure(Failure):
    """The load test (`bench.load`) when it failed."""

    kind: Literal["load"]
    command: str


@final
@with_config(CLOSED)
class CliFailure(Failure):
    """`forcepack solve FILE` whose `--json` answer could not be read."""

    kind: Literal["cli"]
    file: str
    command: str
    expected: str
    walls_s: list[float]
    exit_codes: list[int]
    json_wall_s: float
    json_exit_code: int


# -- the records -----------------------------------------------------------------------------------


class _Solved(TypedDict):
    """What every solve of a generated scenario measures, by CP-SAT or a peer."""

    nations: int
    seed: int
    time_limit_s: float
    summary: Summary
    build_s: float
    first_package_s: float | None
    wall_s: float
    optimal_s: float | None
    """The whole solve's wall time when every stage was proven optimal."""
    status: Status
    gap: float
    objective: list[Objective]
    violations: list[str]
    """The checker's verdict on the answer, a sentence per rule broken (none: every rule honoured)."""
    cpu_share: float | None
    """CPU seconds per wall second: about the workers used on an idle machine, less when others compete."""
    peak_before_solve_mib: float
    peak_mib: float
    scenario: NotRequired[str]
    workers: NotRequired[int]
    generate_s: NotRequired[float]
    check_s: NotRequired[float]
    process_s: NotRequired[float]
    """The instance process's wall time, measured by the harness."""
    load_before: NotRequired[float]
    """The 1-minute load average before the instance ran, measured by the harness."""


class _CpSat(_Solved):
    """A CP-SAT solve (`bench.instance.run_solve`)."""

    model: ModelSize
    stages: list[CpSatStage]


class _Peer(_Solved):
    """A peer's solve (`bench.peers.run.run_peer`): the solve's fields, the peer's name and version, and
    its model (HiGHS; None for the greedy)."""

    solver_version: str
    model: MipSize | None
    stages: list[PeerStage]
    rows: NotRequired[int | None]
    cols: NotRequired[int | None]
    nonzeros: NotRequired[int | None]
    hold_breaches: NotRequired[list[str]]
    """Earlier stages' holds a later HiGHS package broke beyond rounding (normally none)."""
    reference: NotRequired[Reference | None]
    excess: NotRequired[dict[str, float]]


@final
@with_config(CLOSED)
class SolveRecord(_CpSat):
    """A generated scenario solved by CP-SAT (the solve and workers families)."""

    kind: Literal["solve"]
    family: NotRequired[str]
    search_seed: NotRequired[int]


@final
@with_config(CLOSED)
class PeerRecord(_Peer):
    """A generated scenario solved by a peer (`highs` or `greedy`), after CP-SAT (the peers' list)."""

    kind: Literal["solve"]
    solver: str
    family: NotRequired[str]


@final
@with_config(CLOSED)
class TailRecord(_CpSat):
    """A CP-SAT run of the tail family: a solve record of a scenario family and search seed."""

    kind: Literal["tail"]
    solver: Literal["cp-sat"]
    family: str
    search_seed: int


@final
@with_config(CLOSED)
class TailPeerRecord(_Peer):
    """A HiGHS run of the tail family: a peer's record of a scenario family."""

    kind: Literal["tail"]
    solver: str
    family: str
    search_seed: int


@final
@with_config(CLOSED)
class ExplainRecord(TypedDict):
    """An infeasible generated scenario solved and explained (`bench.instance.run_explain`)."""

    kind: Literal["explain"]
    nations: int
    seed: int
    scenario: str
    time_limit_s: float
    workers: int
    summary: Summary
    status: Status
    detect_s: float
    """The solve's own time to prove infeasibility."""
    total_s: float
    """The whole call, explanation included."""
    explained: bool
    conflict: list[str]
    conflict_size: int
    minimal: bool | None
    relaxations: int
    expected_conflict: list[str]
    expected_found: bool
    check_s: float
    violations: list[str]
    cpu_share: float | None
    peak_mib: float
    relaxation_sizes: NotRequired[list[int]]
    process_s: NotRequired[float]
    load_before: NotRequired[float]


@final
@with_config(CLOSED)
class CliFloor(TypedDict):
    """`forcepack --help` timed: the floor of every command (no file, no answer)."""

    kind: Literal["cli"]
    file: None
    command: str
    walls_s: list[float]
    violations: list[str]


@final
@with_config(CLOSED)
class CliRecord(TypedDict):
    """`forcepack solve FILE` timed from outside, and its `--json` answer checked."""

    kind: Literal["cli"]
    file: str
    command: str
    expected: str
    """`feasible` or `infeasible`: what the example is."""
    walls_s: list[float]
    exit_codes: list[int]
    status: Status
    conflict_size: int | None
    minimal: bool | None
    relaxations: int | None
    violations: list[str]
    json_wall_s: NotRequired[float]
    json_exit_code: NotRequired[int]
    solve_s: NotRequired[float]
    """The solver's own wall time, inside the command's."""


@final
@with_config(CLOSED)
class BaselineRecord(TypedDict):
    """A sweep's baseline: the generated scenario solved once, and one withdrawal timed (`anatomy`)."""

    kind: Literal["baseline"]
    nations: int
    seed: int
    scenario: str
    summary: Summary
    time_limit_s: float
    status: Status
    wall_s: float
    first_package_s: float | None
    gap: float
    participants: int
    path: str
    violations: list[str]
    anatomy: list[Anatomy]
    peak_mib: float
    process_s: NotRequired[float]
    load_before: NotRequired[float]


@final
@with_config(CLOSED)
class SweepRecord(TypedDict):
    """One N-1 or N-2 sweep against a baseline (`bench.sweeps.run_sweep`), sampled or whole."""

    kind: Literal["sweep"]
    nations: int
    seed: int
    mode: str
    """`n1` or `n2`."""
    hinted: bool
    executor: str
    """`pool`, `dask` or `none`."""
    processes: int
    time_limit_s: float
    participants: int
    resolves_total: int
    resolves_run: int
    sampled: bool
    sample_label: str | None
    setup_s: float
    build_s: float
    variant_kib: float | None
    wall_s: float
    teardown_s: float
    per_resolve_s: list[float]
    median_s: float | None
    max_s: float | None
    statuses: Statuses
    feasible_rows: int
    cpu_s: float
    cpu_share: float | None
    load_before: float
    load_after: float
    violations: list[str]
    check_s: float
    peak_mib: float
    process_s: NotRequired[float]


@final
@with_config(CLOSED)
class GazaRecord(TypedDict):
    """N-1 criticality of the Gaza example (`bench.sweeps.run_gaza`), baseline solve included."""

    kind: Literal["gaza"]
    executor: str
    processes: int
    participants: int
    resolves_run: int
    wall_s: float
    baseline_s: float | None
    median_s: float | None
    max_s: float | None
    statuses: Statuses
    violations: list[str]
    scenario: NotRequired[str]
    time_limit_s: NotRequired[float]
    workers: NotRequired[int]
    baseline_status: NotRequired[Status]
    setup_s: NotRequired[float]
    criticality_wall_s: NotRequired[float]
    per_resolve_s: NotRequired[list[float]]
    feasible_rows: NotRequired[int]
    load_before: NotRequired[float]
    peak_mib: NotRequired[float]
    process_s: NotRequired[float]


@final
@with_config(CLOSED)
class ProfileRecord(TypedDict):
    """One solve under pyinstrument (`bench.profiling.profile_solve`): its phases, hot functions and
    the top of the call tree."""

    kind: Literal["profile"]
    nations: int
    seed: int
    time_limit_s: float
    status: Status
    gap: float
    generate_s: float
    first_package_s: float | None
    wall_s: float
    check_s: float
    profiled_s: float
    phases: list[Phase]
    hot: list[Hot]
    tree: list[str]
    tree_lines: int
    violations: list[str]
    peak_mib: float
    workers: NotRequired[int]
    build_s: NotRequired[float]
    sampled_s: NotRequired[float]
    stages: NotRequired[list[ProfileStage]]
    process_s: NotRequired[float]
    load_before: NotRequired[float]


@final
@with_config(CLOSED)
class PhasedRecord(TypedDict):
    """A phased scenario planned week by week and solved once (`bench.phased.measure`): an example
    file, or a generated coalition (`bench.phased.phased`); its size, its model's, the time to the
    first plan, the status and gap at the end, the objective, and the checker's verdict."""

    kind: Literal["phased"]
    scenario: str
    file: str | None
    """The example file measured, relative to the repository; None for a generated scenario."""
    nations: int | None
    """The generated scenario's nations (the example's: None)."""
    seed: int | None
    sectors: int
    buckets: int
    lines: int
    unit_lines: int
    time_limit_s: float
    workers: int
    model: PhasedModelSize
    tours: int
    """Tours in the plan found (none without one)."""
    status: Status
    gap: float
    first_package_s: float | None
    """Seconds from the call of `solve` to the first plan (its own build included)."""
    wall_s: float
    objective: list[Objective]
    violations: list[str]
    check_s: float
    peak_mib: float
    process_s: NotRequired[float]
    load_before: NotRequired[float]


@final
@with_config(CLOSED)
class LoadRecord(TypedDict):
    """The HTTP load test (`bench.load.Report`), with the command that ran it."""

    kind: Literal["load"]
    delegates: int
    rounds: int
    wall_s: float
    requests: int
    statuses: dict[str, int]
    """Answers by HTTP status."""
    server_errors: int
    transport_errors: dict[str, int]
    writes_acknowledged: int
    writes_lost: int
    stale_reads: int
    reads: Latency
    writes: Latency
    throughput_rps: float
    command: str
    load_before: float
    violations: list[str]
    machine: NotRequired[dict[str, str]]
    server_log_tail: NotRequired[list[str]]
    """The server's last log lines, kept only when the test found a problem."""
    exit_code: NotRequired[int]
    process_s: NotRequired[float]


SolveEntry = SolveRecord | SolveFailure
"""A record of the solve or the workers family."""
PeerEntry = PeerRecord | PeerFailure
Run = SolveRecord | PeerRecord
"""A solve of a generated scenario by CP-SAT or a peer, as the comparison puts them side by side."""
RunEntry = SolveRecord | SolveFailure | PeerRecord | PeerFailure
ExplainEntry = ExplainRecord | ExplainFailure
CliEntry = CliFloor | CliRecord | CliFailure
SweepEntry = BaselineRecord | BaselineFailure | SweepRecord | SweepFailure | GazaRecord | GazaFailure
"""A record of a sweep family: a baseline, a sweep or the Gaza example's, each measured or failed."""
ProfileEntry = ProfileRecord | ProfileFailure
TailEntry = TailRecord | TailPeerRecord | TailFailure
PhasedEntry = PhasedRecord | PhasedFailure
LoadEntry = LoadRecord | LoadFailure
AnyEntry = (
    SolveRecord
    | SolveFailure
    | PeerRecord
    | PeerFailure
    | ExplainRecord
    | ExplainFailure
    | CliFloor
    | CliRecord
    | CliFailure
    | BaselineRecord
    | BaselineFailure
    | SweepRecord
    | SweepFailure
    | GazaRecord
    | GazaFailure
    | ProfileRecord
    | ProfileFailure
    | TailRecord
    | TailPeerRecord
    | TailFailure
    | PhasedRecord
    | PhasedFailure
    | LoadRecord
    | LoadFailure
)
"""A record of any family. (The unions are spelled out, not made of one another: mypy narrows a union
of unions by `"error" in r` no further.)"""


# -- the results file ------------------------------------------------------------------------------


@final
@with_config(CLOSED)
class RunConfig(TypedDict):
    """A family's configuration as it ran (`Config.to_dict`); results files of earlier versions hold
    fewer fields."""

    sizes: list[int]
    seeds: list[int]
    time_limit_s: float
    explain_sizes: list[int]
    workers: int | None
    results: str
    sweep_sizes: list[int]
    sweep_seeds: list[int]
    sweep_time_limit_s: float
    baseline_time_limit_s: float
    n1_sample: int | str
    pair_sample: int | str
    explain_time_limit_s: NotRequired[float]
    command: NotRequired[str]
    families: NotRequired[list[str]]
    seeds_at: NotRequired[dict[str, list[int]]]
    peers: NotRequired[list[str]]
    workers_sizes: NotRequired[list[int]]
    workers_seeds: NotRequired[list[int]]
    workers_compare: NotRequired[list[int]]
    workers_time_limit_s: NotRequired[float]
    cli_repeats: NotRequired[int]
    gaza: NotRequired[bool]
    load_delegates: NotRequired[int]
    load_rounds: NotRequired[int]
    load_max_seconds: NotRequired[float]
    profile_sizes: NotRequired[list[int]]
    profile_time_limit_s: NotRequired[float]
    tail_families: NotRequired[list[str]]
    tail_sizes: NotRequired[list[int]]
    tail_seeds: NotRequired[list[int]]
    tail_search_seeds: NotRequired[list[int]]
    tail_time_limit_s: NotRequired[float]
    phased_files: NotRequired[list[str]]
    phased_sizes: NotRequired[list[int]]
    phased_seeds: NotRequired[list[int]]
    phased_sectors: NotRequired[int]
    phased_workers: NotRequired[int | None]
    phased_time_limit_s: NotRequired[float]


@final
@with_config(CLOSED)
class Machine(TypedDict):
    """The machine and software a run measured on (`bench.harness.machine`); a family's metadata may
    hold only its date."""

    date: str
    cpu: NotRequired[str]
    cores: NotRequired[int | None]
    memory_gib: NotRequired[float | None]
    os: NotRequired[str]
    python: NotRequired[str]
    ortools: NotRequired[str]


@final
@with_config(CLOSED)
class Source(TypedDict):
    """The commit measured, and how many tracked files differed from it."""

    commit: str | None
    modified_files: int


@final
@with_config(CLOSED)
class Resumed(TypedDict):
    """When an interrupted family was resumed, and by which command."""

    command: str
    date: str


@final
@with_config(CLOSED)
class FamilyMeta(TypedDict):
    """How one family was measured: its machine, configuration, command, source and seconds; `legacy`
    for a results file written before the families (solve and explain together), `resumed` and
    `notes` when it says so."""

    command: str
    total_s: float
    config: NotRequired[RunConfig]
    """Absent only from the metadata `normalise` makes for a file written before the families without one."""
    machine: NotRequired[Machine]
    source: NotRequired[Source]
    legacy: NotRequired[bool]
    resumed: NotRequired[list[Resumed]]
    notes: NotRequired[list[str]]


_SweepFull = TypedDict("_SweepFull", {"sweep-full": NotRequired[list[SweepEntry]]})


@final
@with_config(CLOSED)
class Results(_SweepFull):
    """A results file: the records of each kind by kind (`solve`, `peers`, ...), the machine, and under
    `families` each family's metadata. A file written before the families holds `config` and
    `total_s` at its top instead (`normalise` reads it)."""

    solve: NotRequired[list[SolveEntry]]
    peers: NotRequired[list[PeerEntry]]
    explain: NotRequired[list[ExplainEntry]]
    cli: NotRequired[list[CliEntry]]
    workers: NotRequired[list[SolveEntry]]
    sweep: NotRequired[list[SweepEntry]]
    profile: NotRequired[list[ProfileEntry]]
    tail: NotRequired[list[TailEntry]]
    phased: NotRequired[list[PhasedEntry]]
    load: NotRequired[list[LoadEntry]]
    machine: NotRequired[Machine]
    families: NotRequired[dict[str, FamilyMeta]]
    total_s: NotRequired[float]
    config: NotRequired[RunConfig]


FAMILIES: tuple[Family, ...] = (
    "solve", "explain", "workers", "sweep", "load", "profile", "tail", "phased", "sweep-full",
)  # fmt: skip
"""The benchmark families, in the order they run."""
DEFAULT_FAMILIES = FAMILIES[:-1]
"""What `make bench` runs: every family but the long `sweep-full`."""
SWEEP_FAMILIES: tuple[SweepFamily, ...] = ("sweep", "sweep-full")
"""The families that run criticality sweeps (the default run's sampled ones, and the long run's)."""
RECORD_KINDS: tuple[RecordKind, ...] = (
    "solve", "peers", "explain", "cli", "workers", "sweep", "profile", "tail", "phased", "sweep-full", "load",
)  # fmt: skip
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
    workers; the workers comparison; the command-line timings; the sweeps; the tail; the time phases
    (example files, then generated sizes and seeds)."""

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
    phased_files: tuple[str, ...] = ("examples/gaza-phased.yaml",)
    phased_sizes: tuple[int, ...] = (25, 70)
    phased_seeds: tuple[int, ...] = (1, 2, 3)
    phased_sectors: int = 5
    phased_workers: int | None = None
    phased_time_limit_s: float = 60.0
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

    def to_dict(self, family: str = "sweep") -> RunConfig:
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
            "phased_files": list(self.phased_files),
            "phased_sizes": list(self.phased_sizes),
            "phased_seeds": list(self.phased_seeds),
            "phased_sectors": self.phased_sectors,
            "phased_workers": self.phased_workers,
            "phased_time_limit_s": self.phased_time_limit_s,
        }


# -- the records of a family -----------------------------------------------------------------------

Key = tuple[object, ...]
"""What identifies a record within its family (`record_key`)."""


def record_key(family: str, r: Mapping[str, object]) -> Key:
    """What identifies a record within its family, to resume an interrupted run."""
    if family == "workers":
        return (r["nations"], r["seed"], r["workers"])
    if family == "cli":
        return (r.get("file"),)
    if family == "peers":
        return (r["solver"], r["nations"], r["seed"])
    if family == "tail":
        return (r["family"], r["nations"], r["seed"], r["solver"], r.get("search_seed", 0))
    if family == "phased":
        return (r["file"], r["nations"], r["seed"])
    if family in ("load", "profile"):
        return (r.get("nations"), r.get("seed"))
    if family in SWEEP_FAMILIES:
        if r["kind"] == "baseline":
            return ("baseline", r["nations"], r["seed"])
        if r["kind"] == "gaza":
            return ("gaza", r["executor"])
        return ("sweep", r["nations"], r["seed"], r["mode"], r["hinted"], r["executor"])
    return (r["nations"], r["seed"])


def _measured(r: Mapping[str, object]) -> bool:
    return "error" not in r


def _none(r: Mapping[str, object]) -> bool:
    return False


def _all(r: Mapping[str, object]) -> bool:
    return True


def _copy(into: Results, source: Results, kind: RecordKind, keep: Callable[[Mapping[str, object]], bool]) -> None:
    """`into[kind]`: a new list of the records of `source[kind]` that `keep` keeps (a kind at a time, so
    that each list keeps its type)."""
    match kind:
        case "solve":
            into["solve"] = [r for r in source.get("solve", []) if keep(r)]
        case "peers":
            into["peers"] = [r for r in source.get("peers", []) if keep(r)]
        case "explain":
            into["explain"] = [r for r in source.get("explain", []) if keep(r)]
        case "cli":
            into["cli"] = [r for r in source.get("cli", []) if keep(r)]
        case "workers":
            into["workers"] = [r for r in source.get("workers", []) if keep(r)]
        case "sweep":
            into["sweep"] = [r for r in source.get("sweep", []) if keep(r)]
        case "sweep-full":
            into["sweep-full"] = [r for r in source.get("sweep-full", []) if keep(r)]
        case "profile":
            into["profile"] = [r for r in source.get("profile", []) if keep(r)]
        case "tail":
            into["tail"] = [r for r in source.get("tail", []) if keep(r)]
        case "phased":
            into["phased"] = [r for r in source.get("phased", []) if keep(r)]
        case "load":
            into["load"] = [r for r in source.get("load", []) if keep(r)]


@overload
def start_records(
    family: Literal["solve", "workers"], results: Results, resume: bool
) -> tuple[list[SolveEntry], set[Key]]: ...
@overload
def start_records(family: Literal["peers"], results: Results, resume: bool) -> tuple[list[PeerEntry], set[Key]]: ...
@overload
def start_records(
    family: Literal["explain"], results: Results, resume: bool
) -> tuple[list[ExplainEntry], set[Key]]: ...
@overload
def start_records(family: Literal["cli"], results: Results, resume: bool) -> tuple[list[CliEntry], set[Key]]: ...
@overload
def start_records(family: SweepFamily, results: Results, resume: bool) -> tuple[list[SweepEntry], set[Key]]: ...
@overload
def start_records(
    family: Literal["profile"], results: Results, resume: bool
) -> tuple[list[ProfileEntry], set[Key]]: ...
@overload
def start_records(family: Literal["tail"], results: Results, resume: bool) -> tuple[list[TailEntry], set[Key]]: ...
@overload
def start_records(family: Literal["phased"], results: Results, resume: bool) -> tuple[list[PhasedEntry], set[Key]]: ...
@overload
def start_records(family: Literal["load"], results: Results, resume: bool) -> tuple[list[LoadEntry], set[Key]]: ...
def start_records(family: RecordKind, results: Results, resume: bool) -> tuple[Sequence[AnyEntry], set[Key]]:
    """The family's record list to fill: empty, or, when resuming, the records already measured
    without error (failed ones run again), with their keys."""
    _copy(results, results, family, _measured if resume else _none)
    kept = results[family]
    return kept, {record_key(family, r) for r in kept}


# -- the results file ------------------------------------------------------------------------------


def normalise(results: Results) -> Results:
    """A results file of any version, with per-family metadata (`families`)."""
    results = results.copy()
    results.setdefault("solve", [])
    results.setdefault("explain", [])
    if "families" not in results:
        # Written before the families: solve and explain ran together, with one configuration.
        legacy: FamilyMeta = {
            "command": results["config"].get("command", "") if "config" in results else "",
            "total_s": results.get("total_s", 0.0),
            "legacy": True,
        }
        if "config" in results:
            legacy["config"] = results["config"]
        if "machine" in results:
            legacy["machine"] = results["machine"]
        results["families"] = {kind: legacy for kind in ("solve", "explain") if results[kind]}
    return results


def family_config(results: Results, family: Family) -> RunConfig | None:
    """The configuration a family ran with, when the results hold it."""
    meta = results.get("families", {}).get(family)
    return meta.get("config") if meta is not None else None


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


def read(path: Path) -> Results:
    """A results file as JSON, as it was written (not normalised), taken for what it says it is: its
    records are not validated, so that a file of any earlier version still renders."""
    return cast(Results, json.loads(path.read_text(encoding="utf-8")))


def load(path: Path) -> Results:
    """A results file as written by `save` (any earlier version too), normalised."""
    return normalise(read(path))


def save(path: Path, results: Results) -> None:
    """Write a results file (its folder made if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def with_long_runs(previous: Results | None) -> Results | None:
    """`previous`, with the committed long-run records of each family it does not hold itself."""
    if not LONG_RUNS.exists():
        return previous
    long_runs = read(LONG_RUNS)
    merged: Results = previous.copy() if previous is not None else {"solve": [], "explain": []}
    families_meta = merged.setdefault("families", {})
    for family, meta in long_runs.get("families", {}).items():
        if family in RECORD_KINDS and not merged.get(family):
            _copy(merged, long_runs, family, _all)
            families_meta[family] = meta
    return merged
