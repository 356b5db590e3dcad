"""What the benchmark modules share: numbers to text, Markdown tables, running one instance."""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar, cast

from bench.records import AnyEntry, Failure

ROOT = Path(__file__).resolve().parents[1]


def num(value: float | None, digits: int = 2) -> str:
    """A number for a table; an em dash when there is none, `not reached` when it is infinite."""
    if value is None:
        return "—"
    if math.isinf(value):
        return "not reached"
    return f"{value:,.{digits}f}"


def median(values: Iterable[float | None]) -> float | None:
    """Median of the values; None (not reached) counts as infinite, so it is a fair median of times."""
    numbers = [math.inf if v is None else v for v in values]
    return statistics.median(numbers) if numbers else None


def table(header: Sequence[str], rows: Iterable[Sequence[str]], right: Sequence[bool]) -> list[str]:
    """A Markdown table; `right` says which columns are right-aligned."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def join(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


M = TypeVar("M")
F = TypeVar("F", bound=Failure)


def checker_cell(record: AnyEntry) -> str:
    """The checker's verdict on a record, loud when it found anything."""
    return "ok" if not record.get("violations") else f"**{len(record['violations'])} VIOLATION(S)**"


def run_json(cmd: Sequence[str], timeout: float, measured: type[M], failed: F) -> M | F:
    """Run one instance process whose last line of output is a JSON record of the type `measured`.

    `failed` is the record of the instance should its process fail (no answer, an exit status, output
    that is not JSON): what was run, its `error` set here to the reason. Either record gets
    `process_s`, the process's wall time."""
    start = time.perf_counter()
    reason: str
    try:
        proc = subprocess.run(list(cmd), cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        reason = f"no answer after {timeout:.0f} s (process killed)"
    else:
        lines = proc.stdout.strip().splitlines()
        if proc.returncode == 0 and lines:
            try:
                record: dict[str, object] = json.loads(lines[-1])
            except json.JSONDecodeError:
                reason = f"unreadable output: {lines[-1][:200]!r}"
            else:
                record["process_s"] = time.perf_counter() - start
                # The record as the process wrote it, not validated (as a results file is read: `records.load`).
                return cast(M, record)
        else:
            tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
            reason = f"exit status {proc.returncode}: {tail}"
    failed["error"] = reason
    failed["process_s"] = time.perf_counter() - start
    return failed


def parse_per_size(text: str) -> str | int:
    """A per-size setting from the command line: `16` (every size), or `25:0,70:12,6` (`size:value`
    pairs, and a bare number for the sizes not listed; 0 where none is given). Raises ValueError."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise ValueError(f"expected a number or size:number pairs, got {text!r}")
    for part in parts:
        size, _, value = part.rpartition(":")
        if (size and not size.isdigit()) or not value.isdigit():
            raise ValueError(f"expected a whole number or size:number pairs (e.g. 25:0,70:12,6), got {text!r}")
    return int(parts[0]) if len(parts) == 1 and ":" not in parts[0] else ",".join(parts)


def per_size(spec: int | str | None, nations: int) -> int:
    """The value of a per-size setting (`parse_per_size`) at `nations`: an int holds for every size."""
    if spec is None:
        return 0
    if isinstance(spec, int):
        return spec
    other = 0
    for part in spec.split(","):
        size, _, value = part.strip().rpartition(":")
        if not size:
            other = int(value)
        elif int(size) == nations:
            return int(value)
    return other
