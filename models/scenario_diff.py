"""What changed between two versions of a scenario's document, element by element.

Every element a scenario holds has an id (a sector, a requirement line, a nation's code, a veto, a
declared capability, a mandate condition's name, a target's key), so two versions are compared
element by element: the elements only the newer one holds are `added`, those only the older one
holds are `removed`, and for those both hold each field that differs is listed with its old and new
value. Lists are matched by id, never by position: moving a line, or adding one before it, changes
nothing of the others.

Elements, by kind (`ELEMENT_KINDS`, the order the changes are listed in):

- `scenario`: the settings of the scenario as a whole (name, description, illustrative, horizon,
  cost), under the scenario's id;
- `mandate`: a condition, by name (field `holds`);
- `capability`, `sector`, `requirement`, `veto`: by id; `nation`: by code;
- `target`: a force-level target, by key (`max_personnel`, `group_minimums.arab_league`, ...; field
  `value`);
- `objective`: the criteria in the order optimised (field `criteria`, the list whole: its order is
  its meaning);
- `expect`: what `forcepack validate` checks (for coordinators: it may name any nation's red lines).

Fields of nested parts read as paths (`horizon.start`, `cost.personnel_rate_usd`); a list held by
an element (a nation's groups, a veto's nations) is one field, compared whole. A field absent from
one side reads `null` there. Offers are not coordinator parts and have their own history.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import Field, JsonValue

from forcepack.models.common import Frozen

ElementKind = Literal[
    "scenario", "mandate", "capability", "sector", "requirement", "nation", "veto", "target", "objective", "expect"
]
ELEMENT_KINDS: tuple[ElementKind, ...] = (
    "scenario",
    "mandate",
    "capability",
    "sector",
    "requirement",
    "nation",
    "veto",
    "target",
    "objective",
    "expect",
)
"""Every kind of element, in the order a diff lists them."""

SETTINGS = ("name", "description", "illustrative", "horizon", "cost")
"""The scenario-wide settings, read as the fields of the `scenario` element."""

KEYED_PARTS: dict[str, tuple[ElementKind, str]] = {
    "capabilities": ("capability", "id"),
    "sectors": ("sector", "id"),
    "requirements": ("requirement", "id"),
    "nations": ("nation", "code"),
    "vetoes": ("veto", "id"),
}
"""Each list of the document whose items are elements: their kind, and the field that names them."""

Fields = dict[str, Any]


class FieldChange(Frozen):
    """One field of an element that differs between the two versions."""

    field: str = Field(description="The field, as a path inside the element (`horizon.start`, `quantity`).")
    old: JsonValue = Field(description="Its value in the older version (null: absent).")
    new: JsonValue = Field(description="Its value in the newer version (null: absent).")


class ElementState(Frozen):
    """An element only one of the two versions holds, as that version holds it."""

    kind: ElementKind = Field(description="What the element is.")
    id: str = Field(description="Its id (a nation's code, a mandate condition's name, a target's key).")
    value: dict[str, JsonValue] = Field(description="Its fields (paths, as in `FieldChange.field`).")


class ElementChange(Frozen):
    """An element both versions hold, and the fields in which they differ."""

    kind: ElementKind = Field(description="What the element is.")
    id: str = Field(description="Its id (a nation's code, a mandate condition's name, a target's key).")
    fields: list[FieldChange] = Field(description="Each field that differs, old and new.")


class ElementDiff(Frozen):
    """What changed between two documents of one scenario, element by element."""

    added: list[ElementState] = Field(description="Elements only the newer version holds.")
    removed: list[ElementState] = Field(description="Elements only the older version holds.")
    changed: list[ElementChange] = Field(description="Elements both hold that differ, with the fields that do.")

    @property
    def summary(self) -> str:
        """The diff in a few words: "1 added, 2 changed", or "no change"."""
        counts = [(len(self.added), "added"), (len(self.removed), "removed"), (len(self.changed), "changed")]
        words = [f"{count} {what}" for count, what in counts if count]
        return ", ".join(words) if words else "no change"


def _flatten(value: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, item in value.items():
        path = f"{prefix}{key}"
        if isinstance(item, Mapping) and item:
            yield from _flatten(item, f"{path}.")
        else:
            yield path, item


def elements(document: Mapping[str, Any]) -> dict[tuple[ElementKind, str], Fields]:
    """Every element of a scenario's document (its coordinator parts, or a whole scenario file),
    keyed by kind and id, in the document's order, each with its fields as paths."""
    out: dict[tuple[ElementKind, str], Fields] = {}
    settings = {key: document[key] for key in SETTINGS if key in document}
    out[("scenario", str(document.get("id", "")))] = dict(_flatten(settings))
    for name, holds in (document.get("mandate") or {}).items():
        out[("mandate", str(name))] = {"holds": holds}
    for part, (kind, key) in KEYED_PARTS.items():
        for item in document.get(part) or []:
            if isinstance(item, Mapping) and key in item:
                out[(kind, str(item[key]))] = dict(_flatten({k: v for k, v in item.items() if k != key}))
    for key, value in (document.get("targets") or {}).items():
        if key == "group_minimums" and isinstance(value, Mapping):
            for group, count in value.items():
                out[("target", f"group_minimums.{group}")] = {"value": count}
        elif value is not None:
            out[("target", str(key))] = {"value": value}
    if "objective" in document:
        out[("objective", "objective")] = {"criteria": document["objective"]}
    if document.get("expect") is not None:
        out[("expect", "expect")] = dict(_flatten(document["expect"]))
    return out


def diff_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> ElementDiff:
    """What changed from the `old` document of a scenario to the `new` one, element by element:
    listed by kind (`ELEMENT_KINDS`), then in the order of the document that holds them (the newer
    one for elements both hold)."""
    before, after = elements(old), elements(new)
    rank = {kind: i for i, kind in enumerate(ELEMENT_KINDS)}

    def ordered(keys: list[tuple[ElementKind, str]]) -> list[tuple[ElementKind, str]]:
        return sorted(keys, key=lambda key: rank[key[0]])  # stable: the document's order within a kind

    added = [ElementState(kind=k, id=i, value=after[(k, i)]) for k, i in ordered([x for x in after if x not in before])]
    removed = [
        ElementState(kind=k, id=i, value=before[(k, i)]) for k, i in ordered([x for x in before if x not in after])
    ]
    changed = []
    for kind, element_id in ordered([x for x in after if x in before]):
        was, now = before[(kind, element_id)], after[(kind, element_id)]
        names = list(now) + [name for name in was if name not in now]
        fields = [
            FieldChange(field=name, old=was.get(name), new=now.get(name))
            for name in names
            if was.get(name) != now.get(name)
        ]
        if fields:
            changed.append(ElementChange(kind=kind, id=element_id, fields=fields))
    return ElementDiff(added=added, removed=removed, changed=changed)
