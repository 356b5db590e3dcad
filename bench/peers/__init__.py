"""Peer solvers the benchmark compares CP-SAT with, on the same instances and the same contract.

- `bench.peers.highs`: the same semantics as a mixed-integer program, solved by HiGHS;
- `bench.peers.greedy`: a planner's spreadsheet fill, cheapest eligible unit first;
- `bench.peers.run`: one instance, one peer, one JSON record (like `bench.instance` for CP-SAT).

Not part of the product: nothing in `models/`, `solver/`, `api/` or `cli/` imports them.
"""
