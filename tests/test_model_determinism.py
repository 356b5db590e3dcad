"""The model built from a scenario does not depend on Python's string hashing: the same scenario gives
the same CP-SAT model, variable for variable and row for row, in every process, so a seeded or
deterministic solve gives the same plan on any run (`SolveParams.deterministic`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FINGERPRINT = """
import hashlib
from bench.phased import phased
from forcepack.models.loading import load_scenario
from forcepack.solver.phased import model_builder

for scenario in (phased(18, 3), load_scenario("examples/gaza-phased.yaml"), load_scenario("examples/gaza-isf.yaml")):
    built = model_builder(scenario).build()
    print(scenario.id, hashlib.sha256(str(built.model.proto).encode()).hexdigest())
"""


def _fingerprints(hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", FINGERPRINT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_model_is_the_same_whatever_the_string_hashing() -> None:
    # Generated scenario phased-18-3 has nations sharing several sectors under a sector-scoped
    # `not_alongside`; its sectors were once walked in a set's order, which the hash seed changes.
    first = _fingerprints("1")
    assert len(first.splitlines()) == 3
    for seed in ("2", "3"):
        assert _fingerprints(seed) == first
