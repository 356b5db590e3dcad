"""Hypothesis profiles (`quick` for every run and CI, `nightly` for long searches), and fixtures
that take the machine's speed out of a test's verdict.

Pick one with HYPOTHESIS_PROFILE=nightly; tests that set their own `max_examples` scale with it.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "quick",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "nightly",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


@pytest.fixture
def searches_get_no_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every CP-SAT search of `solver.solve` (stages, neighbourhood rounds, drawing the money) gets
    a millisecond, whatever the time limit: "the search had no time" made exact, so a test of what a
    short solve returns does not depend on how fast the machine is. The construction of a first
    package (its own budget, CONSTRUCT_TIME_LIMIT_S) and the linear relaxation are left their time,
    made generous."""
    # `solver.solve` the attribute is the function; the module is looked up by name.
    module = importlib.import_module("forcepack.solver.search")
    configure = module.configure

    def no_time(cp_solver: Any, params: Any, time_left: float, workers: int, pairs: int) -> None:
        configure(cp_solver, params, time_left, workers, pairs)
        cp_solver.parameters.max_time_in_seconds = 0.001
        cp_solver.parameters.max_deterministic_time = 0.001

    monkeypatch.setattr(module, "configure", no_time)
    monkeypatch.setattr(module, "CONSTRUCT_TIME_LIMIT_S", 120.0)
