"""The plot of docs/benchmarks.md: time against size, per solver, on log scales (matplotlib, Agg backend).

Two panels from the solve family's records (CP-SAT) and its peers' (HiGHS, greedy): the time to the
first package, and the time to the proven optimum. Each run is a faint point, the median over the
seeds a line; a run with no package (left) or no proof (right) within the limit is a cross drawn just
above the dashed time-limit line, and a median that is not reached is not drawn.
"""

from __future__ import annotations

import math
from pathlib import Path

from bench import comparison
from bench.common import median
from bench.records import PEERS, Results, family_config

__all__ = ["write_plot"]

STYLE = {"cp-sat": ("#1f77b4", "o"), "highs": ("#d62728", "s"), "greedy": ("#2ca02c", "^")}


def _series(results: Results) -> dict[str, list[tuple[int, float | None, float | None]]]:
    """Per solver: (nations, first package s, proven optimum s) of every run without error."""
    out: dict[str, list[tuple[int, float | None, float | None]]] = {}
    for (n, _), runs in comparison.by_instance(results).items():
        for solver, r in runs.items():
            if "error" in r:
                continue
            optimum = comparison.proven_s(r) if solver in comparison.EXACT else None
            out.setdefault(solver, []).append((n, r.get("first_package_s"), optimum))
    return out


def write_plot(results: Results, path: Path) -> Path | None:
    """Draw the plot into `path` (PNG); None, and nothing written, when there are no solve records."""
    series = _series(results)
    if not series:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    config = family_config(results, "solve")
    limit = float(config.get("time_limit_s", 60.0) if config is not None else 60.0)
    sizes = sorted({n for points in series.values() for n, _, _ in points})
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    panels = ((axes[0], 1, "time to the first package"), (axes[1], 2, "time to the proven optimum"))
    above = {solver: limit * 1.3 * 1.15**i for i, solver in enumerate(("cp-sat", *PEERS))}
    for ax, column, title in panels:
        for solver in ("cp-sat", *PEERS):
            points = series.get(solver)
            if not points or (column == 2 and solver not in comparison.EXACT):
                continue
            color, marker = STYLE[solver]
            name = comparison.NAMES[solver]
            measured = [(p[0], t) for p in points if (t := p[column]) is not None]
            ax.scatter(
                [n for n, _ in measured],
                [max(t, 1e-3) for _, t in measured],
                color=color,
                marker=marker,
                alpha=0.3,
                s=18,
                linewidths=0,
            )
            missing = [p[0] for p in points if p[column] is None]
            if missing:
                ax.scatter(missing, [above[solver]] * len(missing), color=color, marker="x", s=30)
            medians = [(n, median(v[column] for v in points if v[0] == n)) for n in sizes]
            line = [(n, m) for n, m in medians if m is not None and not math.isinf(m)]
            if line:
                ax.plot(
                    [n for n, _ in line],
                    [max(m, 1e-3) for _, m in line],
                    color=color,
                    marker=marker,
                    label=f"{name} (median)",
                )
            else:
                ax.plot([], [], color=color, marker=marker, label=f"{name} (median not reached)")
        ax.axhline(limit, color="grey", linestyle="--", linewidth=1)
        ax.text(sizes[0], limit * 0.8, f"time limit {limit:g} s", color="grey", fontsize=8, va="top")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(sizes)
        ax.set_xticklabels([str(n) for n in sizes])
        ax.minorticks_off()
        ax.set_xlabel("nations")
        ax.set_title(title)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    axes[0].set_ylabel("seconds (log scale); x: not reached within the limit")
    fig.suptitle("forcepack benchmarks: time against size, per solver (2 cores)", fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return path
