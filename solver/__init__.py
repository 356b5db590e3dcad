"""Builds and solves the CP-SAT model of a scenario, and checks answers without it."""

from solver.build import BuiltModel, PackageVariables, build
from solver.document import Package, solution_document
from solver.params import SolveParams
from solver.solve import SolveReport, solve

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
