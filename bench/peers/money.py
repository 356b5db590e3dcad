"""Funding for a fixed set of units, in whole dollars: the most pledged money the rules let flow.

Both peers draw money the way the product's last stage does (`solver.solve._draw_funding`): with the
units decided, as much pledged money as possible flows from the pledges allowed to pay into the
capabilities' pooled (not self-funded) cost, each pledge paying at most its amount and only for its
earmark, no capability receiving more than its pooled cost. With the pledges chosen that is a
maximum flow; integer capacities give an integer flow, so the amounts are exact dollars whatever
scale a solver computed them at.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping

from forcepack.models.scenario import FundingPledge, Scenario

Pair = tuple[str, str]
Node = tuple[str, str]

_SOURCE: Node = ("source", "")
_SINK: Node = ("sink", "")


def pooled_cost_by_capability(scenario: Scenario, assignment: Mapping[Pair, int]) -> dict[str, int]:
    """Per capability, the cost in USD of its assigned units that are not self-funded."""
    pooled: dict[str, int] = defaultdict(int)
    for (unit_key, requirement_id), count in assignment.items():
        unit = scenario.unit_by_key[unit_key]
        if count > 0 and not unit.self_funded:
            requirement = scenario.requirement_by_id[requirement_id]
            pooled[unit.capability] += count * scenario.monthly_cost_of(unit) * scenario.months_of(requirement)
    return dict(pooled)


def may_pay(pledge: FundingPledge, capability: str) -> bool:
    """A pledge pays for any capability, or only for its earmark when it has one."""
    return pledge.earmark is None or capability in pledge.earmark


class FundingNetwork:
    """Pledges -> capabilities -> pooled cost, as a flow network that grows and re-augments.

    Capacities only ever grow (a pledge added, a capability's pooled cost raised), so the maximum
    flow is kept up to date by augmenting from the current flow; try a change on a `copy`.
    """

    def __init__(self) -> None:
        self._capacity: dict[tuple[Node, Node], int] = defaultdict(int)
        self._flow: dict[tuple[Node, Node], int] = defaultdict(int)
        self._neighbours: dict[Node, set[Node]] = defaultdict(set)
        self._pledges: dict[str, FundingPledge] = {}
        self._pooled: dict[str, int] = {}

    @property
    def pledges(self) -> Mapping[str, FundingPledge]:
        """The pledges that may pay, by key (`NATION/id`)."""
        return self._pledges

    @property
    def pooled(self) -> Mapping[str, int]:
        """Pooled cost per capability, USD."""
        return self._pooled

    def _edge(self, tail: Node, head: Node, capacity: int) -> None:
        self._capacity[(tail, head)] = capacity
        self._neighbours[tail].add(head)
        self._neighbours[head].add(tail)

    def add_pledge(self, key: str, pledge: FundingPledge) -> None:
        """Let a pledge pay (for the capabilities of its earmark); `key` is its `NATION/id`."""
        if key in self._pledges:
            return
        self._pledges[key] = pledge
        node: Node = ("pledge", key)
        self._edge(_SOURCE, node, pledge.amount_usd)
        for capability in self._pooled:
            if may_pay(pledge, capability):
                self._edge(node, ("capability", capability), pledge.amount_usd)

    def set_pooled(self, capability: str, amount: int) -> None:
        """Raise a capability's pooled cost (never lowered: the network only grows)."""
        if amount < self._pooled.get(capability, 0):
            raise ValueError(f"Expected a pooled cost >= {self._pooled[capability]} for {capability}, got {amount}.")
        node: Node = ("capability", capability)
        if capability not in self._pooled:
            for key, pledge in self._pledges.items():
                if may_pay(pledge, capability):
                    self._edge(("pledge", key), node, pledge.amount_usd)
        self._pooled[capability] = amount
        self._edge(node, _SINK, amount)

    def _residual(self, tail: Node, head: Node) -> int:
        return self._capacity[(tail, head)] - self._flow[(tail, head)] + self._flow[(head, tail)]

    def _push(self, tail: Node, head: Node, amount: int) -> None:
        # Cancel flow running the other way first, so flows stay on real edges and never negative.
        back = min(amount, self._flow[(head, tail)])
        self._flow[(head, tail)] -= back
        self._flow[(tail, head)] += amount - back

    def augment(self) -> int:
        """Push flow along shortest augmenting paths until none is left; the total flow after."""
        while True:
            parent: dict[Node, Node] = {_SOURCE: _SOURCE}
            queue = deque([_SOURCE])
            while queue and _SINK not in parent:
                node = queue.popleft()
                for head in sorted(self._neighbours[node]):
                    if head not in parent and self._residual(node, head) > 0:
                        parent[head] = node
                        queue.append(head)
            if _SINK not in parent:
                return self.total()
            path: list[tuple[Node, Node]] = []
            node = _SINK
            while node != _SOURCE:
                path.append((parent[node], node))
                node = parent[node]
            amount = min(self._residual(tail, head) for tail, head in path)
            for tail, head in path:
                self._push(tail, head, amount)

    def total(self) -> int:
        """USD flowing from all pledges."""
        return sum(self._flow[(_SOURCE, ("pledge", p))] for p in self._pledges)

    def flows(self) -> dict[Pair, int]:
        """USD per (pledge key, capability), positive amounts only."""
        out: dict[Pair, int] = {}
        for pledge_id in self._pledges:
            for capability in self._pooled:
                amount = self._flow.get((("pledge", pledge_id), ("capability", capability)), 0)
                if amount > 0:
                    out[(pledge_id, capability)] = amount
        return out

    def drawn(self, pledge_id: str) -> int:
        """USD drawn from one pledge (by its key)."""
        return self._flow.get((_SOURCE, ("pledge", pledge_id)), 0)

    def copy(self) -> FundingNetwork:
        """An independent copy, to try a change on and keep or drop."""
        other = FundingNetwork()
        other._capacity = defaultdict(int, self._capacity)
        other._flow = defaultdict(int, self._flow)
        other._neighbours = defaultdict(set, {node: set(heads) for node, heads in self._neighbours.items()})
        other._pledges = dict(self._pledges)
        other._pooled = dict(self._pooled)
        return other


def max_draw(scenario: Scenario, assignment: Mapping[Pair, int], pledge_keys: Iterable[str]) -> dict[Pair, int]:
    """The most money the given pledges (by key) can pay for the package's pooled cost, per (pledge key,
    capability)."""
    network = FundingNetwork()
    for capability, amount in sorted(pooled_cost_by_capability(scenario, assignment).items()):
        if amount > 0:
            network.set_pooled(capability, amount)
    for key in sorted(pledge_keys):
        pledge = scenario.pledge_by_key[key]
        if pledge.amount_usd > 0:
            network.add_pledge(key, pledge)
    network.augment()
    return network.flows()
