"""The HiGHS peer in a process of its own, for callers that have loaded OR-Tools (tests, comparisons).

OR-Tools and highspy 1.15 cannot share a process (`bench.peers.isolation`). `HighsWorker` starts
`python -m bench.peers.worker` once and sends it scenarios, one JSON line each way: the request
holds the scenario and the solve parameters, the answer the solution document and the run's report
(`bench.peers.highs.HighsReport` as a dict). One process serves any number of solves.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from forcepack.models import Scenario, Solution

__all__ = ["HighsWorker", "main"]

ROOT = Path(__file__).resolve().parents[2]


class HighsWorker:
    """A HiGHS peer process; use as a context manager, call `solve` as often as needed."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> HighsWorker:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.peers.worker"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """End the worker process (it stops when its input closes)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def solve(
        self, scenario: Scenario, *, time_limit_s: float = 30.0, seed: int = 0, workers: int = 1
    ) -> tuple[Solution, dict[str, Any]]:
        """Solve one scenario with HiGHS: (solution document, report as a dict)."""
        process = self._process
        if process is None or process.stdin is None or process.stdout is None:
            raise RuntimeError("Expected a running worker: use HighsWorker as a context manager.")
        request = {
            "scenario": scenario.model_dump(mode="json", by_alias=True),
            "time_limit_s": time_limit_s,
            "seed": seed,
            "workers": workers,
        }
        process.stdin.write(json.dumps(request) + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the HiGHS worker ended without an answer (exit status {process.poll()})")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"the HiGHS worker failed: {answer['error']}")
        return Solution.model_validate(answer["solution"]), answer["report"]


def _serve(requests: IO[str], answers: IO[str]) -> None:
    from bench.peers.highs import HighsReport, solve_highs
    from forcepack.models import parse_scenario
    from forcepack.solver.params import SolveParams

    for line in requests:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            scenario = parse_scenario(request["scenario"], source="worker request")
            params = SolveParams(time_limit_s=request["time_limit_s"], seed=request["seed"], workers=request["workers"])
            report = HighsReport()
            solution = solve_highs(scenario, params, report=report)
            answer: dict[str, Any] = {
                "solution": solution.model_dump(mode="json", by_alias=True),
                "report": asdict(report),
            }
        except Exception as error:  # the client raises it, with the message
            answer = {"error": f"{type(error).__name__}: {error}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def main() -> int:
    """Serve solve requests from standard input until it closes."""
    from bench.peers.isolation import keep_ortools_out

    keep_ortools_out()
    _serve(sys.stdin, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
