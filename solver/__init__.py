"""Builds and solves the CP-SAT model of a scenario, and checks answers without it."""

from forcepack.solver.build import BuiltModel, PackageVariables, build
from forcepack.solver.document import Package, solution_document
from forcepack.solver.params import SolveParams
from forcepack.solver.solve import SolveReport, solve

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
