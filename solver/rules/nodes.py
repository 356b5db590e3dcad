"""Nodes of entry as elements: a node's daily capacity in a phased scenario (docs/domain.md, "Nodes of
entry"). The home of every face of the node capacity rule.

Every arrival of a phased plan passes through a node its nation may use; in each bucket a node carries
at most its `personnel_per_day` (and `tons_per_day`) times the bucket's days. The builder routes the
arrivals over the nodes (its flows); this rule bounds what each node carries, bucket by bucket, read
through `ModelView.arrivals`. A node is scenario-wide (the coordinator's, like a target): its element
is named by the node's id, and giving it up lifts its daily limits.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from forcepack.models import phases
from forcepack.models.patch import Operation, SetNodeCapacity
from forcepack.models.scenario import EntryNode, Scenario
from forcepack.models.wording import plural
from forcepack.solver.checked_plan import CheckedPlan
from forcepack.solver.checking import CheckedDocument, Violation
from forcepack.solver.elements import Element
from forcepack.solver.rules.base import PLAN, Clash, Family, ModelView, Rule

MOST_BUCKETS_NAMED = 3
"""Buckets over capacity a node's figures name at most (the earliest)."""


def element_of(node: EntryNode) -> Element:
    """The scenario element a node's capacity is."""
    return Element("node", node.id)


def node_of(scenario: Scenario, node_id: str) -> EntryNode | None:
    """The scenario's node of entry of that id."""
    phasing = scenario.phasing
    return next((n for n in phasing.nodes if n.id == node_id), None) if phasing is not None else None


def limited(node: EntryNode) -> bool:
    """The node limits what arrives through it (a daily figure of personnel or tons)."""
    return node.personnel_per_day is not None or node.tons_per_day is not None


class NodeCapacityRule(Rule):
    """A node of entry carries in each bucket at most its daily personnel and tons times the bucket's days."""

    name = "node_capacity"
    family = "node"

    def constrain(self, view: ModelView) -> None:
        """In every bucket, the personnel (and tons) arriving through each node at most its daily figure
        times the bucket's days, behind the node's element. (Written from the plan's view, which reads
        every bucket's arrivals, node by node.)"""
        phasing = view.scenario.phasing
        if phasing is None or view.timing != PLAN:
            return
        for node in phasing.nodes:
            if not limited(node):
                continue
            for load in view.arrivals(node.id):
                if node.personnel_per_day is not None:
                    view.add(load.personnel <= node.personnel_per_day * load.days, element_of(node))
                if node.tons_per_day is not None:
                    view.add(load.tons <= node.tons_per_day * load.days, element_of(node))

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """A static package has no arrivals: a node of entry binds only a phased plan."""
        yield from ()

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """In every bucket, a node of entry carries at most its personnel (and tons) a day times the bucket's days."""
        for (node, bucket), (personnel, tons) in plan.node_loads().items():
            most_personnel, most_tons = plan.node_capacity(node, bucket)
            for what, load, most in (("personnel", personnel, most_personnel), ("tons", tons, most_tons)):
                if most is not None and load > most:
                    yield Violation(
                        "node.capacity",
                        f"{plan.words(bucket)}: `{node}` carries {load:,} {what}; at most {most:,} in the bucket",
                        node,
                    )


def describe(scenario: Scenario, node: EntryNode) -> str:
    """The node and what it carries, a day and (weekly buckets) a week: "Kerem Shalom (`kerem-shalom`)
    carries 400 personnel and 300 t a day (2,800 personnel and 2,100 t a week)"."""
    name = f"{node.name} (`{node.id}`)" if node.name else f"node of entry `{node.id}`"

    def load(days: int) -> str:
        parts = []
        if node.personnel_per_day is not None:
            parts.append(plural(node.personnel_per_day * days, "personnel"))
        if node.tons_per_day is not None:
            parts.append(f"{node.tons_per_day * days:,} t")
        return " and ".join(parts)

    if not limited(node):
        return f"{name} carries what arrives through it (no daily limit)"
    weekly = scenario.phasing is not None and scenario.phasing.bucket == "week"
    return f"{name} carries {load(1)} a day" + (f" ({load(7)} a week)" if weekly else "")


class NodeFamily(Family):
    """A node of entry's capacity as an element: its daily limits lifted when relaxed."""

    type = "node"
    default_relax_cost = 25

    def describe(self, scenario: Scenario, element: Element) -> str:
        node = node_of(scenario, element.id)
        return describe(scenario, node) if node is not None else f"node of entry `{element.id}`"

    def relax(self, document: dict[str, Any], element: Element) -> None:
        """The node carries what arrives: its daily personnel and tons are dropped (the way out's
        figures say how much more it must carry, and when)."""
        for node in (document.get("phasing") or {}).get("nodes", []):
            if node["id"] == element.id:
                node.pop("personnel_per_day", None)
                node.pop("tons_per_day", None)

    def patch(self, scenario: Scenario, element: Element) -> list[Operation] | None:
        """The node's daily limits lifted, as the relaxation lifts them (`set_node_capacity`)."""
        return [SetNodeCapacity(op="set_node_capacity", node=element.id, unlimited=True)]

    def clash(self, view: ModelView, element: Element) -> Clash | None:
        """What the rest of the conflict needs through the node beyond what it carries: the least
        overload (personnel and tons over capacity, summed over the buckets), and the buckets over
        capacity in the closest plan."""
        node = node_of(view.scenario, element.id)
        if node is None or not limited(node):
            return None
        overloads: list[Any] = []
        reads: dict[str, Any] = {}
        caps: dict[str, tuple[int, int]] = {}
        for load in view.arrivals(node.id):
            for what, carried, most, per_day in (
                ("personnel", load.personnel, load.most_personnel, node.personnel_per_day),
                ("t", load.tons, load.most_tons, node.tons_per_day),
            ):
                if per_day is None or most <= per_day * load.days:
                    continue
                cap = per_day * load.days
                over = view.new_int(0, most - cap, f"overload[{node.id},{what},{load.bucket}]")
                view.add(over >= carried - cap, None)
                overloads.append(over)
                key = f"{what}@{load.bucket}"
                reads[key] = over
                caps[key] = (load.bucket, cap)
        if not overloads:
            return None
        kinds = sorted({key.partition("@")[0] for key in reads})
        scenario = view.scenario

        def words(best: int, found: Mapping[str, int]) -> str:
            if len(kinds) == 1:
                text = f"the rest of the conflict needs at least {best:,} {kinds[0]} more through it than it carries"
            else:
                # Personnel and tons are not added up: the closest plan's overload of each is said.
                by_kind = {kind: sum(v for k, v in found.items() if k.partition("@")[0] == kind) for kind in kinds}
                beyond = " and ".join(f"{by_kind[kind]:,} {kind}" for kind in kinds if by_kind[kind] > 0)
                text = "the rest of the conflict needs more through it than it carries"
                if beyond:
                    text += f" ({beyond} beyond its capacity in the closest plan, over its buckets)"
            over = sorted((caps[k][0], k) for k, value in found.items() if value > 0)
            named = [
                f"{phases.bucket_words(scenario, bucket)} brings {found[key] + caps[key][1]:,} "
                f"{key.partition('@')[0]} against {caps[key][1]:,}"
                for bucket, key in over[:MOST_BUCKETS_NAMED]
            ]
            if named:
                text += "; in the closest plan " + ", ".join(named)
                if len(over) > MOST_BUCKETS_NAMED:
                    text += f", and {plural(len(over) - MOST_BUCKETS_NAMED, 'more bucket')}"
                # (the node may stand idle before: arrivals cannot be spread over the weeks before the need)
                text += " (no unit arrives sooner than its relief before its line needs it)"
            return text

        return Clash(sum(overloads), False, words, reads)


RULE = NodeCapacityRule()
FAMILY = NodeFamily()
