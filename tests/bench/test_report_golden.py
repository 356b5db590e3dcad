"""The report rendered from stored results files is exactly the committed golden Markdown: a refactoring
of `bench.harness.render` (or of any section it calls) must not change one character of the document.

The goldens were written by the renderer as it stood before the report was split per family;
`results-small-run.json` is a real run (`python -m bench --quick --sizes 25 ...`, every family, the
committed long-run sweeps merged in), `results-synthetic.json` the synthetic run of
`tests/test_bench_harness.py` (greedy rule breaks, a 500-nation instance with no package).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import report

DATA = Path(__file__).resolve().parents[1] / "data" / "bench"


@pytest.mark.parametrize("name", ["small-run", "synthetic"])
def test_render_matches_the_golden_report(name: str) -> None:
    """Rendering a stored results file gives the committed Markdown, line for line."""
    results = json.loads((DATA / f"results-{name}.json").read_text(encoding="utf-8"))
    expected = (DATA / f"benchmarks-{name}.md").read_text(encoding="utf-8")
    rendered = report.render(results, plot_name="benchmarks-time.png")
    assert rendered.splitlines() == expected.splitlines()
    assert rendered == expected
