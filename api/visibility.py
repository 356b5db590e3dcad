"""What of a package, or of an analysis, each caller may read.

A package (its assignments, coverage, nations' figures, funding) is for every role. An
explanation names red lines: a delegate reads its own nation's red lines and, for every other
nation's, "another nation's condition" (no id, no nation, no text), as well as "another nation's
offer" for another nation's unit availability; an observer reads "a nation's condition" for
every red line; a coordinator reads everything.

Analyses hold packages and explanations (redacted as above) and some text of their own: a
what-if's patch may carry a nation's whole offer, and its summary (like a criticality row's
reason) may quote an explanation. A patch operation on another nation's offer reads "another
nation's offer" ("a nation's offer" for an observer); a text that names what the caller may not
read (a red-line id or note, another nation's unit id) is replaced by a sentence that does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from forcepack.api.auth import Principal, Role
from forcepack.api.documents import ANOTHER_NATIONS_OFFER
from forcepack.api.schemas import ExplanationAnswer
from forcepack.models.analysis import Criticality, WhatIf, WhyNot
from forcepack.models.solution import ConflictElement, Explanation, Relaxation, Solution

ANOTHER_NATIONS_CONDITION = "another nation's condition"
A_NATIONS_CONDITION = "a nation's condition"
"""What an observer reads in place of any red line."""
A_NATIONS_OFFER = "a nation's offer"
"""What an observer reads in place of any offer in a patch."""
_SUMMARY_WITHHELD = (
    "No package meets every requirement and condition together; the conflict below names what the caller may see."
)


def _placeholder(element: ConflictElement, viewer: Principal) -> str | None:
    """What replaces this element for this viewer, or None when the viewer may read it."""
    if viewer.role is Role.COORDINATOR:
        return None
    if element.type == "red_line":
        if viewer.role is Role.OBSERVER:
            return A_NATIONS_CONDITION
        visible = element.nation is not None and viewer.sees_nation(element.nation)
        return None if visible else ANOTHER_NATIONS_CONDITION
    if element.type == "availability" and viewer.role is Role.DELEGATE:
        visible = element.nation is not None and viewer.sees_nation(element.nation)
        return None if visible else ANOTHER_NATIONS_OFFER
    return None


def _mask(element: ConflictElement, viewer: Principal) -> ConflictElement:
    text = _placeholder(element, viewer)
    if text is None:
        return element
    return element.model_copy(update={"id": text, "nation": None, "text": text})


def redact_explanation(explanation: Explanation, viewer: Principal) -> Explanation:
    """The explanation with every element the viewer may not read replaced by its placeholder."""
    elements = list(explanation.conflict) + [c for r in explanation.relaxations for c in r.changes]
    hidden = [(e, text) for e in elements if (text := _placeholder(e, viewer)) is not None]
    if not hidden:
        return explanation
    summary = explanation.summary
    # Longest first, so a text that contains another is replaced whole.
    for element, text in sorted(hidden, key=lambda pair: len(pair[0].text), reverse=True):
        summary = summary.replace(element.text, text)
    withheld = {e.id for e, _ in hidden} | {e.text for e, _ in hidden}
    if any(secret in summary for secret in withheld):
        summary = _SUMMARY_WITHHELD
    relaxations = [
        Relaxation(
            changes=[_mask(c, viewer) for c in r.changes],
            effect=r.effect if not any(secret in r.effect for secret in withheld) else "a package exists",
        )
        for r in explanation.relaxations
    ]
    return explanation.model_copy(
        update={
            "conflict": [_mask(e, viewer) for e in explanation.conflict],
            "summary": summary,
            "relaxations": relaxations,
        }
    )


def redact_solution(solution: Solution, viewer: Principal) -> Solution:
    """The solution document as `viewer` may read it."""
    if solution.explanation is None or viewer.role is Role.COORDINATOR:
        return solution
    return solution.model_copy(update={"explanation": redact_explanation(solution.explanation, viewer)})


# -- analyses -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferSecrets:
    """What each nation's offers hold that an answer's text may name: red-line ids and notes, unit ids.

    Made from the offers a job used (and any a what-if's patch brought in).
    """

    red_lines: dict[str, set[str]] = field(default_factory=dict)
    notes: dict[str, set[str]] = field(default_factory=dict)
    units: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, offers: Iterable[tuple[str, Mapping[str, Any]]]) -> OfferSecrets:
        """From (nation, offer document) pairs; a nation may come more than once."""
        secrets = cls()
        for nation, offer in offers:
            for line in offer.get("red_lines", []) or []:
                secrets.red_lines.setdefault(nation, set()).add(str(line.get("id", "")))
                if line.get("note"):
                    secrets.notes.setdefault(nation, set()).add(str(line["note"]))
            for unit in offer.get("units", []) or []:
                secrets.units.setdefault(nation, set()).add(str(unit.get("id", "")))
        return secrets

    def owner_of_unit(self, unit: str, nation: str | None = None) -> str | None:
        """The nation offering the unit `unit` (ids are each nation's own: with `nation` given, that
        nation if it offers one; else the one nation that does, None when none or several do)."""
        owners = [n for n, units in self.units.items() if unit in units and nation in (None, n)]
        return owners[0] if len(owners) == 1 else None

    def leaks(self, text: str, viewer: Principal) -> bool:
        """Does `text` name something of an offer the viewer may not read?"""
        if viewer.role is Role.COORDINATOR:
            return False
        names: set[str] = set()
        notes: set[str] = set()
        for nation in self.red_lines.keys() | self.notes.keys() | self.units.keys():
            if viewer.sees_nation(nation):
                continue
            names |= self.red_lines.get(nation, set())
            notes |= self.notes.get(nation, set())
            if viewer.role is Role.DELEGATE:  # an observer reads unit availability, as in explanations
                names |= self.units.get(nation, set())
        return any(_names(text, name) for name in names if name) or any(note in text for note in notes)


def _names(text: str, name: str) -> bool:
    """`name` appears in `text` as a whole id (not inside a longer one)."""
    return re.search(rf"(?<![A-Za-z0-9_.:-]){re.escape(name)}(?![A-Za-z0-9_:-])", text) is not None


def _offer_placeholder(viewer: Principal) -> str:
    return A_NATIONS_OFFER if viewer.role is Role.OBSERVER else ANOTHER_NATIONS_OFFER


def _condition_placeholder(viewer: Principal) -> str:
    return A_NATIONS_CONDITION if viewer.role is Role.OBSERVER else ANOTHER_NATIONS_CONDITION


def redact_patch(patch: Mapping[str, Any], viewer: Principal, secrets: OfferSecrets) -> dict[str, Any]:
    """A patch document as `viewer` may read it: operations on offers it may not read are masked."""
    if viewer.role is Role.COORDINATOR:
        return dict(patch)
    ops: list[Any] = []
    for op in patch.get("ops", []):
        kind = op.get("op") if isinstance(op, Mapping) else None
        if kind == "replace_offer":
            nation = str((op.get("offer") or {}).get("nation", ""))
            if viewer.role is Role.OBSERVER or not viewer.sees_nation(nation):
                op = {"op": kind, "nation": nation, "offer": _offer_placeholder(viewer)}
        elif kind == "remove_unit":
            owner = secrets.owner_of_unit(str(op.get("unit", "")), op.get("nation"))
            if viewer.role is Role.OBSERVER or owner is None or not viewer.sees_nation(owner):
                op = {"op": kind, "unit": _offer_placeholder(viewer)}
        ops.append(op)
    return {**patch, "ops": ops}


def patch_offers(patch: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The offers a patch document brings in (`replace_offer`), as (nation, offer) pairs."""
    out: list[tuple[str, Mapping[str, Any]]] = []
    for op in patch.get("ops", []):
        if isinstance(op, Mapping) and op.get("op") == "replace_offer" and isinstance(op.get("offer"), Mapping):
            out.append((str(op["offer"].get("nation", "")), op["offer"]))
    return out


def redact_what_if(answer: WhatIf, viewer: Principal, secrets: OfferSecrets) -> WhatIf:
    """A what-if as `viewer` may read it: both packages redacted, the patch masked, the summary withheld if it leaks."""
    if viewer.role is Role.COORDINATOR:
        return answer
    patched = redact_solution(answer.patched, viewer)
    summary = answer.summary
    if answer.patched.explanation is not None and patched.explanation is not None:
        summary = summary.replace(answer.patched.explanation.summary, patched.explanation.summary)
    if secrets.leaks(summary, viewer):
        summary = f"No package remains; what keeps one out involves {_condition_placeholder(viewer)}."
    redacted = answer.model_copy(
        update={
            "patch": redact_patch(answer.patch, viewer, secrets),
            "summary": summary,
            "baseline": redact_solution(answer.baseline, viewer),
            "patched": patched,
        }
    )
    return scrub(redacted, masked_in_patch(answer.patch, viewer, secrets), _offer_placeholder(viewer))


def redact_criticality(answer: Criticality, viewer: Principal, secrets: OfferSecrets) -> Criticality:
    """A criticality sweep as `viewer` may read it: the baseline redacted, reasons withheld if they leak."""
    if viewer.role is Role.COORDINATOR:
        return answer
    withheld = f"no package remains without these nations; what keeps one out involves {_condition_placeholder(viewer)}"
    rows = [
        w.model_copy(update={"reason": withheld}) if w.reason and secrets.leaks(w.reason, viewer) else w
        for w in answer.withdrawals
    ]
    return answer.model_copy(update={"baseline": redact_solution(answer.baseline, viewer), "withdrawals": rows})


def redact_explanation_answer(answer: ExplanationAnswer, viewer: Principal) -> ExplanationAnswer:
    """An explanation job's answer as `viewer` may read it."""
    if answer.explanation is None or viewer.role is Role.COORDINATOR:
        return answer
    return answer.model_copy(update={"explanation": redact_explanation(answer.explanation, viewer)})


def redact_why_not(answer: WhyNot, viewer: Principal, secrets: OfferSecrets) -> WhyNot:
    """A why-not answer as `viewer` may read it: both packages redacted, and the subject masked
    wherever it is named (another nation's unit) or the text withheld where it names a secret."""
    if viewer.role is Role.COORDINATOR:
        return answer
    subject = redact_subject(answer.subject, viewer, secrets)

    def words(text: str, withheld: str) -> str:
        if subject != answer.subject:
            text = re.sub(rf"(?<![A-Za-z0-9_.:-]){re.escape(answer.subject)}(?![A-Za-z0-9_:-])", subject, text)
        return withheld if secrets.leaks(text, viewer) else text

    with_subject = redact_solution(answer.with_subject, viewer) if answer.with_subject is not None else None
    summary = answer.summary
    if with_subject is not None and with_subject.explanation is not None:
        before = answer.with_subject.explanation if answer.with_subject is not None else None
        if before is not None:
            summary = summary.replace(before.summary, with_subject.explanation.summary)
        explanation = with_subject.explanation
        explanation = explanation.model_copy(
            update={
                "summary": words(explanation.summary, _SUMMARY_WITHHELD),
                "relaxations": [
                    r.model_copy(update={"effect": words(r.effect, "a package exists")})
                    for r in explanation.relaxations
                ],
            }
        )
        with_subject = with_subject.model_copy(update={"explanation": explanation})
    summary = words(summary, f"What keeps it out involves {_condition_placeholder(viewer)}.")
    redacted = answer.model_copy(
        update={
            "subject": subject,
            "summary": summary,
            "optimum": redact_solution(answer.optimum, viewer),
            "with_subject": with_subject,
        }
    )
    # A unit asked about by its key (`MAR/mar-inf`) appears in the packages by its id.
    masked = {answer.subject, answer.subject.rpartition("/")[2]} if subject != answer.subject else set()
    return scrub(redacted, masked, subject)


def masked_in_patch(patch: Mapping[str, Any], viewer: Principal, secrets: OfferSecrets) -> set[str]:
    """The names a patch operation holds that `redact_patch` masks for this viewer: a removed unit
    of another nation, and the units and pledges of an offer the viewer may not read."""
    if viewer.role is Role.COORDINATOR:
        return set()
    names: set[str] = set()
    for op in patch.get("ops", []):
        kind = op.get("op") if isinstance(op, Mapping) else None
        if kind == "remove_unit":
            unit = str(op.get("unit", ""))
            owner = secrets.owner_of_unit(unit, op.get("nation"))
            if viewer.role is Role.OBSERVER or owner is None or not viewer.sees_nation(owner):
                names.add(unit)
        elif kind == "replace_offer":
            offer = op.get("offer") or {}
            if viewer.role is Role.OBSERVER or not viewer.sees_nation(str(offer.get("nation", ""))):
                for part in ("units", "funding"):
                    names.update(str(item.get("id", "")) for item in offer.get(part, []) or [])
    names.discard("")
    return names


M = TypeVar("M", bound=BaseModel)


def scrub(answer: M, names: set[str], placeholder: str) -> M:
    """The answer with every mention of a masked name replaced by the placeholder: a name masked
    in one place of an answer appears in none (a package's placements, a diff, a sentence)."""
    if not names:
        return answer
    pattern = re.compile(
        r"(?<![A-Za-z0-9_.:-])("
        + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        + r")(?![A-Za-z0-9_:-])"
    )

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return placeholder if value in names else pattern.sub(placeholder, value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return type(answer).model_validate(walk(answer.model_dump(mode="json", by_alias=True)))


def redact_subject(subject: str, viewer: Principal, secrets: OfferSecrets) -> str:
    """A why-not question's subject as `viewer` may read it: another nation's unit is "another nation's offer"."""
    return _offer_placeholder(viewer) if secrets.leaks(subject, viewer) else subject
