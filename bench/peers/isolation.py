"""Keep OR-Tools out of a process that runs HiGHS through highspy.

OR-Tools 9.15 ships HiGHS 1.12 as `ortools/.libs/libhighs.so.1`; highspy 1.15 ships HiGHS 1.15
under the same soname. The dynamic loader keeps one library per soname, so whichever of the two
is imported second fails with an undefined symbol: the two cannot share a process. (highspy
1.12.0 links HiGHS statically and does share one with OR-Tools; measured.)

The HiGHS peer only needs the solver's preprocessing and document modules, none of which imports
OR-Tools; only `solver/__init__.py` does, to re-export the CP-SAT solve. `keep_ortools_out()`
registers `forcepack.solver` as a bare package (its modules importable, its `__init__` not run) and loads
highspy first, so `solver.eligibility`, `solver.document` and `solver.check` import without
OR-Tools. Call it before anything imports `forcepack.solver`.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

SOLVER_DIR = Path(__file__).resolve().parents[2] / "solver"


def ortools_loaded() -> bool:
    """True when this process has imported OR-Tools."""
    return any(name == "ortools" or name.startswith("ortools.") for name in sys.modules)


def keep_ortools_out() -> None:
    """Make this process one where highspy works: highspy loaded, `forcepack.solver` importable without OR-Tools.

    Raises
    ------
    RuntimeError
        When OR-Tools is already loaded (then highspy can only run in another process).
    """
    if ortools_loaded():
        raise RuntimeError(
            "Expected a process without OR-Tools: its bundled libhighs.so.1 clashes with highspy's; "
            "run the HiGHS peer in a process of its own (bench.peers.worker)."
        )
    import highspy  # noqa: F401  (first: its libhighs.so.1 is the one the process keeps)

    if "forcepack.solver" not in sys.modules:
        import forcepack  # (its `__init__` imports nothing of the solver)

        package = types.ModuleType("forcepack.solver", "forcepack solver modules, without the CP-SAT re-exports")
        package.__path__ = [str(SOLVER_DIR)]
        package.__package__ = "forcepack.solver"
        sys.modules["forcepack.solver"] = package
        forcepack.solver = package  # type: ignore[attr-defined]
