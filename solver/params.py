"""Solve parameters, validated on construction."""

from __future__ import annotations

from dataclasses import dataclass


def default_workers() -> int:
    """Search workers by default: two, the strong relaxation's search beside CP-SAT's default one
    (`solver.search.configure`).

    Measured in deterministic time on every scenario family at 12-70 nations, seeds 1-2 and search
    seeds 0-2 (`python -m bench.robust --configs default,lp+default`), the pair proved 160 of 175
    runs against 156 for one worker, and no family fewer; in wall time on two cores it was as fast
    or faster at 25 and 70 nations, and proved a 70-nation scenario in 8.5 s that one worker left at
    a 1.25 % gap after 14 s (docs/decisions.md, "Solver configuration"; docs/benchmarks.md). On a
    phased scenario one worker ended the Gaza example's minute at a gap of 7.2 %, the pair at 5.0 %.
    A deterministic solve uses one worker (`SolveParams.effective_workers`).
    """
    return 2


MAX_SEED = 2**31 - 1
"""Largest seed CP-SAT takes (a 32-bit integer)."""
MAX_WORKERS = 64
"""Most search workers a solve may ask for (CP-SAT's own portfolio tops out near there)."""
MAX_TIME_LIMIT_S = 7 * 24 * 3600.0
"""Longest time limit (a week): longer is a mistake, not a plan."""


@dataclass(frozen=True)
class SolveParams:
    """How to search for a package.

    Parameters
    ----------
    time_limit_s
        Wall-clock budget for the whole lexicographic solve, every stage included.
    workers
        CP-SAT search workers; None for the default (`default_workers`).
    seed
        Random seed of the search.
    deterministic
        Same answer for the same scenario, seed and parameters on any machine load: one
        worker, and stages limited by deterministic time instead of only wall time. Holds for
        models below `solver.construct.MIN_PAIRS` unit-line pairs (about 150 nations); on larger
        ones the construction, the linear relaxation and the rounds around it are budgeted in
        wall time, so how far they get still depends on the load.
    log
        Pass CP-SAT's search log to the `forcepack.solver` logger.
    presolve
        CP-SAT's presolve (on). Off only to cross-check the optima it certifies against a search
        without it (`tests/test_presolve.py`): google/or-tools#5293 was such a wrong optimum.
    """

    time_limit_s: float = 30.0
    workers: int | None = None
    seed: int = 0
    deterministic: bool = False
    log: bool = False
    presolve: bool = True

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0 or self.time_limit_s > MAX_TIME_LIMIT_S:
            raise ValueError(f"Expected 0 < time_limit_s <= {MAX_TIME_LIMIT_S:,.0f}, got {self.time_limit_s}.")
        if self.workers is not None and not 1 <= self.workers <= MAX_WORKERS:
            raise ValueError(f"Expected 1 <= workers <= {MAX_WORKERS}, got {self.workers}.")
        if not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"Expected 0 <= seed <= {MAX_SEED:,}, got {self.seed}.")

    @property
    def effective_workers(self) -> int:
        """Workers actually used: one in deterministic mode, else as set, else the default."""
        if self.deterministic:
            return 1
        return self.workers if self.workers is not None else default_workers()
