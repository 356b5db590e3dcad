"""Scenario patches: typed, validated changes to a scenario ("what if nation X withdraws").

A patch is a list of operations applied in order. Applying one re-validates the result as a
scenario, so a patch can never produce a scenario a file could not hold; a patch naming an
unknown nation, sector, veto or unit is refused with the path of the operation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, Field, TypeAdapter, ValidationError, model_validator

from forcepack.models import limits, phases
from forcepack.models.common import ControlStatus, Day, Frozen, Identifier, NationCode, Priority
from forcepack.models.errors import ForcepackError, ScenarioInputError
from forcepack.models.loading import describe_error, format_location, parse_scenario, read_document
from forcepack.models.partial import names_in
from forcepack.models.scenario import Offer, Requirement, Scenario, Targets, Veto
from forcepack.models.wording import suggestion


class Withdraw(Frozen):
    """These nations withdraw: their units and money leave; they stay listed for others' red lines."""

    op: Literal["withdraw"]
    nations: list[NationCode] = Field(min_length=1, description="Nations withdrawing.")
    starting: Day | None = Field(
        default=None,
        description="Phased scenarios: the day they withdraw their units (a tour present then ends the bucket "
        "before); what was deployed before stays, and their money stays pledged. A day in the first bucket leaves "
        "nothing deployed before it: a withdrawal from the start. Default: from the start, units and money.",
    )


class SetControl(Frozen):
    """A sector's control status changes."""

    op: Literal["set_control"]
    sector: Identifier = Field(description="Sector id.")
    control: ControlStatus = Field(description="New control status.")


class SetMandate(Frozen):
    """Mandate conditions are set (or declared). A condition set holds, or does not, over the whole
    horizon: a period it had under `phasing.conditions` is dropped."""

    op: Literal["set_mandate"]
    conditions: dict[Identifier, bool] = Field(min_length=1, description="Conditions and their new values.")
    declare: bool = Field(
        default=False, description="Allow conditions the scenario does not declare yet (else a typo is an error)."
    )


class AddVeto(Frozen):
    """A party objects to some nations."""

    op: Literal["add_veto"]
    veto: Veto = Field(description="The new veto.")


class DropVeto(Frozen):
    """A veto is lifted."""

    op: Literal["drop_veto"]
    id: Identifier = Field(description="Id of the veto lifted.")


class ReplaceOffer(Frozen):
    """A nation's whole offer is replaced (or a new nation's offer added)."""

    op: Literal["replace_offer"]
    offer: Offer = Field(description="The nation's new offer.")


class RemoveUnit(Frozen):
    """One offered unit line is taken off the table."""

    op: Literal["remove_unit"]
    unit: Identifier = Field(description="Id of the offered unit line (unit ids are each nation's own).")
    nation: NationCode | None = Field(
        default=None, description="The nation offering it; needed only when several nations use that id."
    )


class SetTargets(Frozen):
    """Force-level targets change; a key set to null removes that target."""

    op: Literal["set_targets"]
    targets: dict[str, Any] = Field(min_length=1, description="Target keys and their new values.")


class DropRedLine(Frozen):
    """A nation withdraws one of its red lines (a renegotiated caveat)."""

    op: Literal["drop_red_line"]
    nation: NationCode = Field(description="The nation whose red line it is (red-line ids are each nation's own).")
    id: Identifier = Field(description="Id of the red line withdrawn.")


class SetPriority(Frozen):
    """A requirement line's priority changes (an essential line made desirable accepts a shortfall)."""

    op: Literal["set_priority"]
    requirement: Identifier = Field(description="Requirement line id.")
    priority: Priority = Field(description="Its new priority.")


class SetQuantity(Frozen):
    """A requirement line asks for more or less (in its own `measure`: units or personnel)."""

    op: Literal["set_quantity"]
    requirement: Identifier = Field(description="Requirement line id.")
    quantity: int = Field(
        ge=1, le=limits.MAX_QUANTITY, description="Its new quantity, in the line's measure (drop the line for none)."
    )


class AddRequirement(Frozen):
    """A new requirement line joins the statement of requirements."""

    op: Literal["add_requirement"]
    requirement: Requirement = Field(description="The new line (its id not yet a line of the scenario).")


class DropRequirement(Frozen):
    """A requirement line is taken off the statement of requirements."""

    op: Literal["drop_requirement"]
    requirement: Identifier = Field(description="Id of the requirement line dropped.")


class LiftVeto(Frozen):
    """A veto is lifted for some of the nations it names (dropped once it names none)."""

    op: Literal["lift_veto"]
    id: Identifier = Field(description="Id of the veto.")
    nations: list[NationCode] = Field(min_length=1, description="Nations it no longer objects to.")


class SetObjective(Frozen):
    """The objective's criteria change."""

    op: Literal["set_objective"]
    objective: list[Any] = Field(min_length=1, description="The new ordered criteria.")


class SetNodeCapacity(Frozen):
    """A node of entry's daily throughput changes (phased scenarios): its personnel or tons a day, or
    no daily limit at all (`unlimited`). A figure left out stays as it is."""

    op: Literal["set_node_capacity"]
    node: Identifier = Field(description="Id of the node of entry (`phasing.nodes`).")
    personnel_per_day: int | None = Field(
        default=None, ge=0, le=limits.MAX_THROUGHPUT, description="Personnel it carries a day from now on."
    )
    tons_per_day: int | None = Field(
        default=None, ge=0, le=limits.MAX_THROUGHPUT, description="Tons it carries a day from now on."
    )
    unlimited: bool = Field(default=False, description="It carries whatever arrives: both daily limits lifted.")

    @model_validator(mode="after")
    def _changes_something(self) -> SetNodeCapacity:
        figures = self.personnel_per_day is not None or self.tons_per_day is not None
        if self.unlimited and figures:
            raise ValueError("give `unlimited: true` or the figures a day, not both")
        if not self.unlimited and not figures:
            raise ValueError("give `personnel_per_day`, `tons_per_day` or `unlimited: true`")
        return self


Operation = Annotated[
    Withdraw
    | SetControl
    | SetMandate
    | AddVeto
    | DropVeto
    | LiftVeto
    | ReplaceOffer
    | RemoveUnit
    | DropRedLine
    | SetPriority
    | SetQuantity
    | AddRequirement
    | DropRequirement
    | SetTargets
    | SetObjective
    | SetNodeCapacity,
    Field(discriminator="op"),
]


class PatchError(ForcepackError):
    """A patch that does not apply to its scenario; `ops` is the document's list of operations when
    some of them did not parse (so that the references of the rest can be checked once the scenario
    is known: `with_references`)."""

    def __init__(self, source: str, problems: list[str], ops: Any = None) -> None:
        self.source = source
        self.problems = problems
        self.ops = ops
        super().__init__(f"{source}: the patch does not apply\n" + "\n".join(f"  - {p}" for p in problems))


class Patch(Frozen):
    """An ordered list of changes to a scenario."""

    schema_: Literal["forcepack.patch/1"] = Field(default="forcepack.patch/1", alias="schema")
    description: str | None = Field(default=None, description="What the patch asks, in words.")
    ops: list[Operation] = Field(default_factory=list, description="Changes, applied in order.")

    model_config = Frozen.model_config | {"populate_by_name": True}

    def then(self, other: Patch) -> Patch:
        """This patch followed by another."""
        words = " then ".join(d for d in (self.description, other.description) if d) or None
        return Patch(description=words, ops=[*self.ops, *other.ops])

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, exclude_none=True, indent=2)

    def is_empty(self) -> bool:
        return not self.ops

    @classmethod
    def withdraw(cls, *nations: str, starting: dt.date | None = None) -> Patch:
        """The patch of nations withdrawing (from a day, in a phased scenario)."""
        said = f"{', '.join(nations)} withdraw" + (f" from {starting.isoformat()}" if starting is not None else "")
        return cls(description=said, ops=[Withdraw(op="withdraw", nations=list(nations), starting=starting)])


def load_patch(text: str, source: str = "patch", scenario: Scenario | None = None) -> Patch:
    """A patch from YAML or JSON text; with its `scenario`, what the patch names is checked too, so
    that one run gives every problem under the file's name (an operation that does not parse does
    not hide the references of those that do)."""
    try:
        data = read_document(text, source, as_json=text.lstrip().startswith("{"))
    except ScenarioInputError as exc:  # (not a readable document: a patch's problem, not a scenario's)
        raise PatchError(source, exc.problems) from None
    try:
        patch = Patch.model_validate(data)
    except ValidationError as exc:
        problems = [patch_problem(e, Patch) for e in exc.errors(include_url=False)]
        error = PatchError(source, problems, data.get("ops") if isinstance(data, dict) else None)
        raise (error if scenario is None else with_references(error, scenario)) from None
    if scenario is not None:
        apply_patch(scenario, patch, source)
    return patch


_OP_MODELS: dict[str, type[BaseModel]] = {
    get_args(op.model_fields["op"].annotation)[0]: op for op in get_args(get_args(Operation)[0])
}
"""Each patch operation's model by its tag (`withdraw`, `set_control`, ...)."""
_OPS = frozenset(_OP_MODELS)
"""The tags of the patch operations."""


def patch_problem(error: Mapping[str, Any], model: type[BaseModel]) -> str:
    """A field problem of a patch (or of a request holding one, `model`), led by its path in the
    document: `ops[0].nations`, not pydantic's `ops[0].withdraw.nations` (the operation's tag is
    pydantic's, not a field of the document)."""
    loc = tuple(error.get("loc", ()))
    kept = tuple(
        part
        for i, part in enumerate(loc)
        if not (part in _OPS and i >= 2 and loc[i - 2] == "ops" and isinstance(loc[i - 1], int))
    )
    return describe_error(error, format_location(kept), model)


def with_references(error: PatchError, scenario: Scenario) -> PatchError:
    """The error with the reference problems of every operation (each at its place in the document):
    those that parsed, and those that did not, read as written (a `set_quantity` whose quantity is 0
    still has its line checked; its problems at a field already named are not repeated). Where an
    operation cannot be read (its `op` unknown, a field not of its type), problems naming something
    it might define (a line it might add) are left out, as they may not be problems at all."""
    if not isinstance(error.ops, list):
        return error
    adapter: TypeAdapter[Operation] = TypeAdapter(Operation)
    data: dict[str, Any] = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    named = {p.split(": ", 1)[0] for p in error.problems}
    found: list[str] = []
    unknown: list[Any] = []
    for i, raw in enumerate(error.ops):
        where = f"ops[{i}]"
        valid = True
        try:
            op: Any = adapter.validate_python(raw)
        except ValidationError:
            valid = False
            tag = raw.get("op") if isinstance(raw, dict) else None
            model = _OP_MODELS.get(tag) if isinstance(tag, str) else None
            if model is None:
                unknown.append(raw)
                continue
            op = model.model_construct(**{k: v for k, v in raw.items() if isinstance(k, str)})
        except RecursionError:
            return error
        scratch: list[str] = []
        try:
            _APPLY[op.op](data, op, scenario, where, scratch)
        except Exception:  # (an operation that failed its fields may hold anything)
            unknown.append(raw)  # what it would define is not known: names it holds are not called unknown
            continue
        found.extend(
            p for p in scratch if valid or not any(_within_path(p.split(": ", 1)[0], other) for other in named)
        )
    defined = names_in(unknown, keys=False)
    kept = [p for p in found if not defined & set(_NAMED.findall(p.split(": ", 1)[-1].split(" (did you mean")[0]))]
    return PatchError(error.source, sorted([*error.problems, *kept], key=_op_index))


def _within_path(path: str, other: str) -> bool:
    """One field's path is the other's or inside it (`ops[0].quantity` and `ops[0].quantity`)."""
    return path == other or path.startswith((other + ".", other + "[")) or other.startswith((path + ".", path + "["))


_NAMED = re.compile(r"`([^`]+)`")
_OP_INDEX = re.compile(r"^ops\[(\d+)\]")


def _op_index(problem: str) -> int:
    """The position of the operation a problem is about (problems in the order of the document)."""
    found = _OP_INDEX.match(problem)
    return int(found.group(1)) if found else -1


# -- applying, one function per operation ------------------------------------------------------


def _need(known: Any, name: str, what: str, where: str, problems: list[str]) -> bool:
    if name in known:
        return True
    problems.append(f"{where}: {what} `{name}` is not a {what} of this scenario{suggestion(name, known)}")
    return False


def _withdraw(data: dict[str, Any], op: Withdraw, s: Scenario, where: str, problems: list[str]) -> None:
    for i, code in enumerate(op.nations):
        _need(s.nation_by_code, code, "nation", f"{where}.nations[{i}]", problems)
    if op.starting is None:
        data["offers"] = [o for o in data["offers"] if o["nation"] not in op.nations]
        return
    if s.phasing is None:
        problems.append(f"{where}.starting: a dated withdrawal needs a phased scenario (`phasing`)")
        return
    if not s.horizon.start <= op.starting <= s.horizon.end:
        problems.append(f"{where}.starting: {op.starting} is outside the horizon {s.horizon.start} .. {s.horizon.end}")
        return
    if op.starting <= phases.buckets(scenario=s)[0].end:
        # Nothing is deployed before a day in the first bucket: the nations leave from the start,
        # units and money (their money kept pledged would pay for a force they left).
        data["offers"] = [o for o in data["offers"] if o["nation"] not in op.nations]
        return
    taken = {v["id"] for v in data.get("vetoes", [])}
    for code in op.nations:
        ident = withdrawal_veto(code, op.starting)
        while ident in taken:
            ident += "-"
        taken.add(ident)
        data.setdefault("vetoes", []).append(
            {
                "id": ident,
                "by": code,
                "against": [code],
                "scope": "units",
                "active_from": op.starting.isoformat(),
                "note": f"{code} withdraws its units from {op.starting} (what-if)",
            }
        )


def withdrawal_veto(nation: str, starting: dt.date) -> str:
    """The id of the veto by which a dated withdrawal is planned: the nation's units barred from then on."""
    return f"withdrawal-{nation.lower()}-{starting.isoformat()}"


def _set_control(data: dict[str, Any], op: SetControl, s: Scenario, where: str, problems: list[str]) -> None:
    if _need(s.sector_by_id, op.sector, "sector", f"{where}.sector", problems):
        for sector in data["sectors"]:
            if sector["id"] == op.sector:
                sector["control"] = op.control.value


def _set_mandate(data: dict[str, Any], op: SetMandate, s: Scenario, where: str, problems: list[str]) -> None:
    for name in op.conditions:
        if not op.declare:
            _need(data["mandate"], name, "mandate condition", f"{where}.conditions.{name}", problems)
    data["mandate"].update(op.conditions)
    phasing = data.get("phasing")
    if phasing and phasing.get("conditions"):
        phasing["conditions"] = [p for p in phasing["conditions"] if p["condition"] not in op.conditions]


def _add_veto(data: dict[str, Any], op: AddVeto, s: Scenario, where: str, problems: list[str]) -> None:
    data["vetoes"].append(op.veto.model_dump(mode="json", exclude_none=True))


def _drop_veto(data: dict[str, Any], op: DropVeto, s: Scenario, where: str, problems: list[str]) -> None:
    if _need({v["id"] for v in data["vetoes"]}, op.id, "veto", f"{where}.id", problems):
        data["vetoes"] = [v for v in data["vetoes"] if v["id"] != op.id]


def _replace_offer(data: dict[str, Any], op: ReplaceOffer, s: Scenario, where: str, problems: list[str]) -> None:
    _need(s.nation_by_code, op.offer.nation, "nation", f"{where}.offer.nation", problems)
    new = op.offer.model_dump(mode="json", exclude_none=True)
    data["offers"] = [o for o in data["offers"] if o["nation"] != op.offer.nation] + [new]


def _remove_unit(data: dict[str, Any], op: RemoveUnit, s: Scenario, where: str, problems: list[str]) -> None:
    owners = [o for o in data["offers"] if any(u["id"] == op.unit for u in o["units"])]
    if op.nation is not None:
        owners = [o for o in owners if o["nation"] == op.nation]
    if not owners:
        of = f" of {op.nation}" if op.nation is not None else ""
        # (patches are a coordinator's: every nation's unit ids are theirs to read)
        ids = [u["id"] for o in data["offers"] if op.nation in (None, o["nation"]) for u in o["units"]]
        problems.append(f"{where}.unit: unit `{op.unit}`{of} is not a unit of this scenario{suggestion(op.unit, ids)}")
    elif len(owners) > 1:
        nations = ", ".join(o["nation"] for o in owners)
        problems.append(f"{where}.unit: several nations offer a unit `{op.unit}` ({nations}): name one as `nation`")
    else:
        owners[0]["units"] = [u for u in owners[0]["units"] if u["id"] != op.unit]


def _set_targets(data: dict[str, Any], op: SetTargets, s: Scenario, where: str, problems: list[str]) -> None:
    targets = data.setdefault("targets", {})
    known = {}
    for key, value in op.targets.items():
        if _need(Targets.model_fields, key, "target", f"{where}.targets.{key}", problems) and value is not None:
            known[key] = value
    try:
        Targets.model_validate(known)  # (each value as the scenario would read it, named at the operation)
    except ValidationError as exc:
        problems.extend(
            describe_error(e, f"{where}.targets." + format_location(tuple(e["loc"])), Targets)
            for e in exc.errors(include_url=False)
        )
    for key, value in op.targets.items():
        if value is None:
            targets.pop(key, None)
        else:
            targets[key] = value


def _lift_veto(data: dict[str, Any], op: LiftVeto, s: Scenario, where: str, problems: list[str]) -> None:
    vetoes = {v["id"]: v for v in data["vetoes"]}
    if not _need(vetoes, op.id, "veto", f"{where}.id", problems):
        return
    veto = vetoes[op.id]
    for i, code in enumerate(op.nations):
        if code not in veto["against"]:
            problems.append(f"{where}.nations[{i}]: veto `{op.id}` does not name {code}")
    veto["against"] = [n for n in veto["against"] if n not in op.nations]
    data["vetoes"] = [v for v in data["vetoes"] if v["against"]]


def _drop_red_line(data: dict[str, Any], op: DropRedLine, s: Scenario, where: str, problems: list[str]) -> None:
    offer = next((o for o in data["offers"] if o["nation"] == op.nation), None)
    if offer is None or not any(r["id"] == op.id for r in offer.get("red_lines", [])):
        ids = [r["id"] for r in (offer or {}).get("red_lines", [])]
        problems.append(
            f"{where}.id: red line `{op.id}` is not a red line of {op.nation} in this scenario{suggestion(op.id, ids)}"
        )
        return
    offer["red_lines"] = [r for r in offer["red_lines"] if r["id"] != op.id]


def _set_priority(data: dict[str, Any], op: SetPriority, s: Scenario, where: str, problems: list[str]) -> None:
    if _need(_line_ids(data), op.requirement, "requirement", f"{where}.requirement", problems):
        for r in data["requirements"]:
            if r["id"] == op.requirement:
                r["priority"] = op.priority.value


def _set_quantity(data: dict[str, Any], op: SetQuantity, s: Scenario, where: str, problems: list[str]) -> None:
    if _need(_line_ids(data), op.requirement, "requirement", f"{where}.requirement", problems):
        for r in data["requirements"]:
            if r["id"] == op.requirement:
                r["quantity"] = op.quantity


def _add_requirement(data: dict[str, Any], op: AddRequirement, s: Scenario, where: str, problems: list[str]) -> None:
    line = op.requirement.model_dump(mode="json", exclude_none=True)
    if line["id"] in _line_ids(data):
        problems.append(f"{where}.requirement.id: requirement `{line['id']}` is already a line of this scenario")
        return
    _need({x["id"] for x in data["sectors"]}, line["sector"], "sector", f"{where}.requirement.sector", problems)
    _need(s.capability_ids, line["capability"], "capability", f"{where}.requirement.capability", problems)
    data["requirements"].append(line)  # (added even so: the later operations naming it are not wrong)


def _drop_requirement(data: dict[str, Any], op: DropRequirement, s: Scenario, where: str, problems: list[str]) -> None:
    if _need(_line_ids(data), op.requirement, "requirement", f"{where}.requirement", problems):
        data["requirements"] = [r for r in data["requirements"] if r["id"] != op.requirement]


def _line_ids(data: dict[str, Any]) -> set[str]:
    """The requirement lines as the operations so far left them (a line added earlier may be changed)."""
    return {r["id"] for r in data["requirements"]}


def _set_objective(data: dict[str, Any], op: SetObjective, s: Scenario, where: str, problems: list[str]) -> None:
    data["objective"] = op.objective


def _set_node_capacity(data: dict[str, Any], op: SetNodeCapacity, s: Scenario, where: str, problems: list[str]) -> None:
    nodes = (data.get("phasing") or {}).get("nodes", [])
    if not nodes:
        problems.append(f"{where}.node: this scenario has no nodes of entry (`phasing.nodes`)")
        return
    if not _need({n["id"] for n in nodes}, op.node, "node of entry", f"{where}.node", problems):
        return
    for node in nodes:
        if node["id"] != op.node:
            continue
        if op.unlimited:
            node.pop("personnel_per_day", None)
            node.pop("tons_per_day", None)
        for name in ("personnel_per_day", "tons_per_day"):
            value = getattr(op, name)
            if value is not None:
                node[name] = value


_APPLY: dict[str, Callable[..., None]] = {
    "withdraw": _withdraw,
    "set_control": _set_control,
    "set_mandate": _set_mandate,
    "add_veto": _add_veto,
    "drop_veto": _drop_veto,
    "lift_veto": _lift_veto,
    "drop_red_line": _drop_red_line,
    "set_priority": _set_priority,
    "set_quantity": _set_quantity,
    "add_requirement": _add_requirement,
    "drop_requirement": _drop_requirement,
    "replace_offer": _replace_offer,
    "remove_unit": _remove_unit,
    "set_targets": _set_targets,
    "set_objective": _set_objective,
    "set_node_capacity": _set_node_capacity,
}


def _withdrawn_twice(patch: Patch) -> Iterator[str]:
    """A nation withdrawn by two operations, or named twice in one: a nation withdraws once, from the
    start or from one day (two withdrawals, one dated, would keep its tours before the day and bar
    them both)."""
    first: dict[str, str] = {}
    for i, op in enumerate(patch.ops):
        if not isinstance(op, Withdraw):
            continue
        for k, code in enumerate(op.nations):
            where = f"ops[{i}].nations[{k}]"
            if code in first:
                yield (
                    f"{where}: nation `{code}` is withdrawn already ({first[code]}); a nation withdraws once, "
                    "from the start or from one day"
                )
            else:
                first[code] = where


def _history_changed(patch: Patch, scenario: Scenario) -> Iterator[str]:
    """A nation withdrawn from a day keeps what it deployed before it: the same what-if may not replace
    its offer or remove one of its units (the tours kept would be of units the patch took away)."""
    dated = {
        code: (f"ops[{i}]", op.starting)
        for i, op in enumerate(patch.ops)
        if isinstance(op, Withdraw) and op.starting is not None
        for code in op.nations
    }
    if not dated:
        return
    for i, op in enumerate(patch.ops):
        nation: str | None
        if isinstance(op, ReplaceOffer):
            nation, what = op.offer.nation, f"replaces the offer of {op.offer.nation}"
        elif isinstance(op, RemoveUnit):
            offering = [o.nation for o in scenario.offers if any(u.id == op.unit for u in o.units)]
            nation = op.nation or (offering[0] if len(offering) == 1 else None)
            what = f"removes unit `{op.unit}` of {nation}"
        else:
            continue
        if nation in dated:
            where, day = dated[nation]
            yield (
                f"ops[{i}]: {what}, which withdraws from {day} ({where}) keeping what it deployed before that day; "
                "a what-if cannot keep its tours and change its units at once (withdraw it from the start, or "
                "change its offer in a what-if of its own)"
            )


def apply_patch(scenario: Scenario, patch: Patch, source: str = "patch") -> Scenario:
    """The scenario with the patch applied, validated like a file.

    Raises
    ------
    PatchError
        When an operation names something the scenario does not have, or the result is not a
        valid scenario (every problem, with the path of the operation or field).
    """
    data: dict[str, Any] = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("expect", None)  # the expectation was about the unpatched scenario
    problems: list[str] = [*_withdrawn_twice(patch), *_history_changed(patch, scenario)]
    current = scenario
    for i, op in enumerate(patch.ops):
        _APPLY[op.op](data, op, current, f"ops[{i}]", problems)
    if problems:
        raise PatchError(source, problems)
    try:
        return parse_scenario(data, f"{scenario.id} patched by {source}")
    except ForcepackError as exc:
        raise PatchError(source, getattr(exc, "problems", [str(exc)])) from None
