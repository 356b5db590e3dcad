"""Builds and solves the CP-SAT model of a scenario, and checks answers without it.

The names below are loaded on first use: importing `forcepack.solver.check` (the independent
checker) or the rule homes (`forcepack.solver.rules`) must not load OR-Tools, which only the
model's modules need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from forcepack.solver.answer import solve
    from forcepack.solver.builder import BuiltModel, PackageVariables, build
    from forcepack.solver.document import Package, solution_document
    from forcepack.solver.params import SolveParams
    from forcepack.solver.search import SolveReport

_HOMES = {
    "BuiltModel": "builder",
    "PackageVariables": "builder",
    "build": "builder",
    "Package": "document",
    "solution_document": "document",
    "SolveParams": "params",
    "SolveReport": "search",
    "solve": "answer",
}

__all__ = [
    "BuiltModel",
    "Package",
    "PackageVariables",
    "SolveParams",
    "SolveReport",
    "build",
    "solution_document",
    "solve",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
