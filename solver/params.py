"""Solve parameters, validated on construction."""

from __future__ import annotations

from dataclasses import dataclass


def default_workers() -> int:
    """Search workers by default: one.

    Measured on two cores (docs/benchmarks.md): one worker with a strong linear relaxation proves
    the generated 25- and 70-nation scenarios optimal in 0.2 s and 3.4 s, where two workers with
    CP-SAT's default portfolio took 30 s and did not close the gap in 60 s.
    """
    return 1


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
        if not self.time_limit_s > 0:
            raise ValueError(f"Expected time_limit_s > 0, got {self.time_limit_s}.")
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"Expected workers >= 1, got {self.workers}.")
        if self.seed < 0:
            raise ValueError(f"Expected seed >= 0, got {self.seed}.")

    @property
    def effective_workers(self) -> int:
        """Workers actually used: one in deterministic mode, else as set, else the default."""
        if self.deterministic:
            return 1
        return self.workers if self.workers is not None else default_workers()
