"""A scenario's documents compared element by element: matched by kind and id, never by position."""

from __future__ import annotations

import copy
import random
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from forcepack.models.loading import load_scenario
from forcepack.models.scenario_diff import ELEMENT_KINDS, diff_documents, elements
from tests.api.conftest import EXAMPLES


def _document(name: str = "tutorial") -> dict[str, Any]:
    document: dict[str, Any] = load_scenario(EXAMPLES / f"{name}.yaml").model_dump(
        mode="json", by_alias=True, exclude_none=True, exclude={"offers"}
    )
    return document


def test_scenario_diff_same_document_is_no_change() -> None:
    """A document against itself: nothing added, removed or changed."""
    diff = diff_documents(_document(), _document())
    assert (diff.added, diff.removed, diff.changed) == ([], [], [])
    assert diff.summary == "no change"


@given(st.randoms(use_true_random=False))
def test_scenario_diff_matches_lists_by_id_not_position(shuffle: random.Random) -> None:
    """Reordering the sectors, lines, nations and vetoes changes no element."""
    old = _document("gaza-isf")
    new = copy.deepcopy(old)
    for part in ("sectors", "requirements", "nations", "vetoes"):
        shuffle.shuffle(new[part])
    assert diff_documents(old, new).summary == "no change"


def test_scenario_diff_names_each_change_by_kind_and_id() -> None:
    """A line's quantity, a sector added, a veto dropped, a mandate condition, a group minimum, the
    horizon and the objective: each appears once, named by kind and id, with old and new values."""
    old = _document()
    new = copy.deepcopy(old)
    line = next(r for r in new["requirements"] if r["id"] == "rafah-eng")
    line["quantity"] += 1
    new["sectors"].append({"id": "gaza-city", "control": "hostile"})
    new["vetoes"] = []
    new["mandate"]["ceasefire_holding"] = False
    new["targets"]["group_minimums"] = {"oic": 3}
    new["horizon"]["start"] = "2026-04-01"
    new["objective"] = list(reversed(new["objective"]))
    diff = diff_documents(old, new)
    assert [(e.kind, e.id, e.value) for e in diff.added] == [("sector", "gaza-city", {"control": "hostile"})]
    assert [(e.kind, e.id) for e in diff.removed] == [("veto", "isr-tur")]
    assert diff.removed[0].value["against"] == ["TUR"]
    changed = {(e.kind, e.id): {f.field: (f.old, f.new) for f in e.fields} for e in diff.changed}
    assert changed == {
        ("scenario", "tutorial"): {"horizon.start": ("2026-03-01", "2026-04-01")},
        ("mandate", "ceasefire_holding"): {"holds": (True, False)},
        ("requirement", "rafah-eng"): {"quantity": (line["quantity"] - 1, line["quantity"])},
        ("target", "group_minimums.oic"): {"value": (2, 3)},
        ("objective", "objective"): {"criteria": (old["objective"], new["objective"])},
    }
    assert [e.kind for e in diff.changed] == sorted((e.kind for e in diff.changed), key=ELEMENT_KINDS.index)
    assert diff.summary == "1 added, 1 removed, 5 changed"


def test_scenario_diff_field_absent_on_one_side_reads_null() -> None:
    """A field only one version holds (a line's window given, a target dropped) reads null on the other."""
    old = _document()
    new = copy.deepcopy(old)
    new["requirements"][0]["needed_from"] = "2026-06-01"
    del new["targets"]["max_personnel"]
    diff = diff_documents(old, new)
    fields = [(e.kind, e.id, f.field, f.old, f.new) for e in diff.changed for f in e.fields]
    assert fields == [("requirement", new["requirements"][0]["id"], "needed_from", None, "2026-06-01")]
    assert [(e.kind, e.id, e.value) for e in diff.removed] == [("target", "max_personnel", {"value": 20000})]


def test_scenario_diff_is_its_own_reverse() -> None:
    """From new to old, what was added is removed and each field's old and new swap."""
    old = _document()
    new = copy.deepcopy(old)
    new["nations"].append({"code": "EGY", "name": "Egypt", "groups": ["arab_league"]})
    new["requirements"][0]["priority"] = "desirable"
    forth, back = diff_documents(old, new), diff_documents(new, old)
    assert back.removed == forth.added and back.added == forth.removed
    assert [(f.old, f.new) for e in back.changed for f in e.fields] == [
        (f.new, f.old) for e in forth.changed for f in e.fields
    ]


def test_scenario_diff_every_element_has_a_kind_of_the_list() -> None:
    """Every element of every example is of a listed kind, and each requirement line is one element."""
    for path in sorted(EXAMPLES.glob("*.yaml")):
        found = elements(_document(path.stem))
        assert {kind for kind, _ in found} <= set(ELEMENT_KINDS)
        document = _document(path.stem)
        assert len([k for k in found if k[0] == "requirement"]) == len(document["requirements"])
