"""forcepack: coalition force generation, nations' offers and red lines to force packages.

One installed package: `forcepack.models` (the planner's vocabulary), `forcepack.solver` (building
and solving the CP-SAT model, the independent checker), `forcepack.api` (the HTTP service) and
`forcepack.cli` (the `forcepack` command). In the repository they are the top-level folders
`models/`, `solver/`, `api/` and `cli/`, mapped into this package by `pyproject.toml`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("forcepack")
except PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
