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

A scenario's history is its coordinator parts, which every role that sees the scenario reads, but
`expect` (the coordinator's test of the file, which may name any nation's red lines): a diff of
versions shows it to coordinators only, and who wrote a version (a token's id) too.
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
from forcepack.models.analysis import Criticality, LineSupply, WhatIf, WhyNot
from forcepack.models.patch import Patch
from forcepack.models.scenario_diff import ElementDiff
from forcepack.models.solution import (
    ConflictElement,
    ElementRef,
    Explanation,
    NationSupply,
    Relaxation,
    Solution,
    Supply,
)
from forcepack.solver.rules.requirements import supply_sentence
from forcepack.solver.whatif import summarise
from forcepack.solver.why_not import plan_line_words

ANOTHER_NATIONS_CONDITION = "another nation's condition"
A_NATIONS_CONDITION = "a nation's condition"
"""What an observer reads in place of any red line."""
A_NATIONS_OFFER = "a nation's offer"
"""What an observer reads in place of any offer in a patch."""
OFFER_TYPES = frozenset({"availability", "tour"})
"""Conflict types naming a nation's offered unit (its window and readiness, its tours): a delegate
reads another nation's as "another nation's offer"."""
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
    if element.type in OFFER_TYPES and viewer.role is Role.DELEGATE:
        visible = element.nation is not None and viewer.sees_nation(element.nation)
        return None if visible else ANOTHER_NATIONS_OFFER
    return None  # a node of entry is the scenario's, like a target: every role reads it


def _mask(element: ConflictElement, viewer: Principal) -> ConflictElement:
    text = _placeholder(element, viewer)
    if text is None:
        supply = _redact_supply(element.supply, viewer) if element.supply is not None else None
        if supply is None or supply == element.supply:
            return element
        return element.model_copy(update={"supply": supply, "figures": supply_sentence(supply)})
    return element.model_copy(update={"id": text, "nation": None, "text": text, "figures": None, "supply": None})


def _ref_placeholder(ref: ElementRef, viewer: Principal) -> str | None:
    return _placeholder(ConflictElement(type=ref.type, id=ref.id, nation=ref.nation, text=""), viewer)


def _redact_supply(supply: Supply, viewer: Principal) -> Supply:
    """A line's supply as `viewer` may read it: a delegate reads its own nation's row and the other
    nations' together ("other nations", what keeps them out unnamed); an element the viewer may not
    read (another nation's red line, for an observer any red line) is named by its placeholder. An
    observer reads a nation kept out by a red line among the other nations too: its row, with the
    buckets it is kept out in, would tie a condition it may not read to the nation and its dates."""
    if viewer.role is Role.COORDINATOR:
        return supply
    rows: list[NationSupply] = []
    others = NationSupply(nation=None, offered=0, kept_out=0)
    for row in supply.nations:
        unseen = viewer.role is Role.DELEGATE and (row.nation is None or not viewer.sees_nation(row.nation))
        conditioned = viewer.role is Role.OBSERVER and any(ref.type == "red_line" for ref in row.by)
        if unseen or conditioned:
            others = NationSupply(
                nation=None,
                offered=others.offered + row.offered,
                kept_out=others.kept_out + row.kept_out,
                kept_out_part=others.kept_out_part + row.kept_out_part,
            )
            continue
        by = []
        for ref in row.by:
            hidden = _ref_placeholder(ref, viewer)
            masked = ref if hidden is None else ElementRef(type=ref.type, id=hidden, nation=None)
            if masked not in by:
                by.append(masked)
        rows.append(row.model_copy(update={"by": by}))
    if others.offered:
        rows.append(others)
    return supply.model_copy(update={"nations": rows})


def _hidden_refs(explanation: Explanation, viewer: Principal) -> set[Item]:
    """(nation, id) of the elements a supply names that the viewer may not read."""
    elements = list(explanation.conflict) + [e for c in explanation.conflicts for e in c.elements]
    return {
        (ref.nation or "", ref.id)
        for e in elements
        if e.supply is not None
        for row in e.supply.nations
        for ref in row.by
        if _ref_placeholder(ref, viewer) is not None
    }


@dataclass(frozen=True)
class _Withheld:
    """What a text may not name for a viewer: hidden elements' texts, and their ids beside their
    nation (every sentence names an offer's element so): never a bare id, which the viewer's own
    elements may share."""

    texts: frozenset[str]
    found: Mentions | None

    def __call__(self, text: str) -> bool:
        return any(t in text for t in self.texts) or (self.found is not None and self.found.search(text))


def _redact_relaxation(r: Relaxation, viewer: Principal, leaks: _Withheld) -> Relaxation:
    changes = [_mask(c, viewer) for c in r.changes]
    hidden = changes != list(r.changes)
    unpatchable = [text for text in r.unpatchable if not leaks(text)]
    if len(unpatchable) < len(r.unpatchable):
        unpatchable.append("a change the caller may not read")
    return r.model_copy(
        update={
            "changes": changes,
            "effect": "a package exists" if leaks(r.effect) else r.effect,
            # A patch names every change it makes: withheld whole when one is not the caller's to read.
            "patch": None if hidden else r.patch,
            "unpatchable": (["a change the caller may not read"] if hidden and r.patch is not None else [])
            + unpatchable,
        }
    )


def redact_explanation(explanation: Explanation, viewer: Principal) -> Explanation:
    """The explanation with every element the viewer may not read replaced by its placeholder,
    in the first conflict, every cause, the ways out (their patches withheld when they change such
    an element) and the sentences quoting them (figures included); a sentence still naming one is
    withheld whole."""
    if viewer.role is Role.COORDINATOR:
        return explanation
    elements = (
        list(explanation.conflict)
        + [e for c in explanation.conflicts for e in c.elements]
        + [c for r in explanation.relaxations for c in r.changes]
    )
    changed = [(e, m) for e in elements if (m := _mask(e, viewer)) != e]
    if not changed:
        return explanation
    items = {(e.nation, e.id) for e, m in changed if m.id != e.id and e.nation is not None}
    leaks = _Withheld(
        frozenset(e.text for e, m in changed if m.text != e.text),
        mentions(items | _hidden_refs(explanation, viewer)),
    )
    # Longest first, so a text that contains another is replaced whole.
    pairs: list[tuple[str, str]] = []
    for e, m in changed:
        if m.text != e.text:
            pairs.append((e.text, m.text))
        if e.figures and m.figures != e.figures:
            pairs.append((e.figures, m.figures or ""))
    pairs.sort(key=lambda pair: len(pair[0]), reverse=True)

    def words(text: str, fallback: str) -> str:
        for old, new in pairs:
            text = text.replace(old, new)
        return fallback if leaks(text) else text

    conflicts = [
        c.model_copy(
            update={
                "elements": [_mask(e, viewer) for e in c.elements],
                "summary": words(c.summary, _SUMMARY_WITHHELD),
            }
        )
        for c in explanation.conflicts
    ]
    return explanation.model_copy(
        update={
            "conflict": [_mask(e, viewer) for e in explanation.conflict],
            "conflicts": conflicts,
            "summary": words(explanation.summary, _SUMMARY_WITHHELD),
            "relaxations": [_redact_relaxation(r, viewer, leaks) for r in explanation.relaxations],
        }
    )


def redact_solution(solution: Solution, viewer: Principal, public: set[Item] | None = None) -> Solution:
    """The solution document as `viewer` may read it. An infeasible answer's best-effort package is
    a hypothetical one: withheld from a delegate when it places another nation's units that the
    current package (`public`: its units; none when there is no current package) does not use;
    the essential lines it gives up are still told."""
    if solution.explanation is None or viewer.role is Role.COORDINATOR:
        return solution
    explanation = _withhold_effort(redact_explanation(solution.explanation, viewer), viewer, public or set())
    return solution.model_copy(update={"explanation": explanation})


def _withhold_effort(explanation: Explanation, viewer: Principal, public: set[Item]) -> Explanation:
    """The explanation with its best-effort package withheld where `reveals_unused` says so."""
    effort = explanation.best_effort
    if effort is None or not reveals_unused(effort.package, viewer, public):
        return explanation
    return explanation.model_copy(update={"best_effort": effort.model_copy(update={"package": None})})


# -- analyses -------------------------------------------------------------------------------


Item = tuple[str, str]
"""An offer's unit, pledge or red line, named by its nation and id (ids are each nation's own)."""


@dataclass(frozen=True)
class OfferSecrets:
    """What each nation's offers hold that an answer's text may name: red-line ids and notes, unit
    and pledge ids. Made from the offers a job used (and any a what-if's patch brought in).

    Every sentence forcepack writes names an offer's item beside its nation (`red line `x`: MAR
    ...`, `unit `x` (MAR)`, `MAR/x`), so a text is tested for those bound forms: a viewer whose own
    offer uses the same id as another nation's red line sees its own sentences untouched, and
    learns nothing of the other nation's names from what is withheld.
    """

    red_lines: dict[str, set[str]] = field(default_factory=dict)
    notes: dict[str, set[str]] = field(default_factory=dict)
    units: dict[str, set[str]] = field(default_factory=dict)
    pledges: dict[str, set[str]] = field(default_factory=dict)
    offering: set[str] = field(default_factory=set)
    """Every nation with an offer, empty ones included."""

    @classmethod
    def of(cls, offers: Iterable[tuple[str, Mapping[str, Any]]]) -> OfferSecrets:
        """From (nation, offer document) pairs; a nation may come more than once."""
        secrets = cls()
        for nation, offer in offers:
            secrets.offering.add(nation)
            for line in _items(offer, "red_lines"):
                secrets.red_lines.setdefault(nation, set()).add(str(line.get("id", "")))
                if line.get("note"):
                    secrets.notes.setdefault(nation, set()).add(str(line["note"]))
            for unit in _items(offer, "units"):
                secrets.units.setdefault(nation, set()).add(str(unit.get("id", "")))
            for pledge in _items(offer, "funding"):
                secrets.pledges.setdefault(nation, set()).add(str(pledge.get("id", "")))
        return secrets

    def nations(self) -> set[str]:
        """The nations whose offers these are."""
        return set(self.units) | set(self.red_lines) | set(self.pledges) | set(self.notes) | self.offering

    def owners_of_unit(self, unit: str, nation: str | None = None) -> list[str]:
        """The nations offering a unit of id `unit` (with `nation` given, that nation if it does)."""
        return sorted(n for n, units in self.units.items() if unit in units and nation in (None, n))

    def owner_of_unit(self, unit: str, nation: str | None = None) -> str | None:
        """The one nation offering the unit `unit` (None when none or several do)."""
        owners = self.owners_of_unit(unit, nation)
        return owners[0] if len(owners) == 1 else None

    def hidden_items(self, viewer: Principal) -> set[Item]:
        """The (nation, id) of every red line, and for a delegate every unit, the viewer may not read
        (an observer reads unit availability, as in explanations)."""
        if viewer.role is Role.COORDINATOR:
            return set()
        items: set[Item] = set()
        for nation, ids in self.red_lines.items():
            if not viewer.sees_nation(nation):
                items |= {(nation, i) for i in ids if i}
        if viewer.role is Role.DELEGATE:
            for nation, ids in self.units.items():
                if not viewer.sees_nation(nation):
                    items |= {(nation, i) for i in ids if i}
        return items

    def mask_red_lines(self, text: str, viewer: Principal, placeholder: str) -> str:
        """The text with each sentence of a red line the viewer may not read (`red line `x`: MAR
        ...`, up to its clause's end) replaced by the placeholder."""
        for nation, ids in self.red_lines.items():
            if viewer.role is not Role.OBSERVER and viewer.sees_nation(nation):
                continue
            for line in ids:
                sentence = rf"red line `{re.escape(line)}`: {re.escape(nation)}\b.*?(?=; |\.(?:\s|$)|$)"
                text = re.sub(sentence, placeholder, text)
        return text

    def leaks(self, text: str, viewer: Principal) -> bool:
        """Does `text` name something of an offer the viewer may not read?"""
        if viewer.role is Role.COORDINATOR:
            return False
        pattern = mentions(self.hidden_items(viewer))
        if pattern is not None and pattern.search(text):
            return True
        return any(
            note in text for nation, notes in self.notes.items() if not viewer.sees_nation(nation) for note in notes
        )


def _items(offer: Mapping[str, Any], part: str) -> list[Mapping[str, Any]]:
    value = offer.get(part) or []
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


_BACKTICKED = re.compile(r"`(?P<id>[A-Za-z0-9][A-Za-z0-9_.:-]*)`(?::| \()\s*(?P<nation>[A-Za-z0-9][A-Za-z0-9_-]*)")
"""`` `id`: NATION`` (a red line's sentence) and `` `id` (NATION`` (a unit's, a pledge's, an element's)."""
_KEYED = re.compile(r"(?<![A-Za-z0-9_.:/-])(?P<nation>[A-Za-z0-9][A-Za-z0-9_-]*)/(?P<id>[A-Za-z0-9][A-Za-z0-9_.:-]*)")
"""`NATION/id`, an item's key."""


@dataclass(frozen=True)
class Mentions:
    """The bound mentions of some offer items in texts: found by their form, then looked up, so a
    text is read once whatever the number of items."""

    items: frozenset[Item]

    def _named(self, match: re.Match[str]) -> str | None:
        """The id the mention names, when it is one of the items (a key at a sentence's end may
        carry the full stop)."""
        nation, name = match["nation"], match["id"]
        for candidate in (name, name.rstrip(".:")):
            if (nation, candidate) in self.items:
                return candidate
        return None

    def search(self, text: str) -> bool:
        return any(self._named(m) is not None for form in (_BACKTICKED, _KEYED) for m in form.finditer(text))

    def sub(self, text: str, placeholder: str) -> str:
        """The text with every mentioned item's id replaced by the placeholder (its nation kept)."""

        def replace(match: re.Match[str]) -> str:
            named = self._named(match)
            if named is None:
                return match[0]
            at = match.start("id") - match.start()
            return match[0][:at] + placeholder + match[0][at + len(named) :]

        for form in (_BACKTICKED, _KEYED):
            text = form.sub(replace, text)
        return text


def mentions(items: Iterable[Item]) -> Mentions | None:
    """The mentions of these items, or None when there are none to look for."""
    found = frozenset(items)
    return Mentions(found) if found else None


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
        elif kind == "drop_red_line" and (
            # A red line is its nation's to read: the operation names the nation, not the line.
            viewer.role is Role.OBSERVER or not viewer.sees_nation(str(op.get("nation", "")))
        ):
            op = {"op": kind, "nation": op.get("nation"), "id": _condition_placeholder(viewer)}
        ops.append(op)
    redacted = {**patch, "ops": ops}
    description = patch.get("description")
    if isinstance(description, str) and secrets.leaks(description, viewer):
        redacted["description"] = "a change that involves " + _condition_placeholder(viewer)
    return redacted


def patch_offers(patch: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The offers a patch document brings in (`replace_offer`), as (nation, offer) pairs."""
    out: list[tuple[str, Mapping[str, Any]]] = []
    for op in patch.get("ops", []):
        if isinstance(op, Mapping) and op.get("op") == "replace_offer" and isinstance(op.get("offer"), Mapping):
            out.append((str(op["offer"].get("nation", "")), op["offer"]))
    return out


UNUSED_WITHHELD = (
    "A package that places another nation's units the current package does not use is withheld from a "
    "delegate (it would show what that nation offers); its figures are in the summary and the deltas."
)


def public_units(current: Solution) -> set[Item]:
    """The units the current package places: what every role reads of the coalition's plan."""
    return {(a.nation, a.unit) for a in current.assignments}


def reveals_unused(package: Solution | None, viewer: Principal, public: set[Item]) -> bool:
    """Would a hypothetical package (another package than the current one: a what-if's, a
    withdrawal's, one that includes a subject) show a delegate another nation's unit that the
    current package does not use? Then it is withheld: offers are each nation's own."""
    if package is None or viewer.role is not Role.DELEGATE:
        return False
    return any(not viewer.sees_nation(a.nation) and (a.nation, a.unit) not in public for a in package.assignments)


def redact_what_if(answer: WhatIf, viewer: Principal, secrets: OfferSecrets) -> WhatIf:
    """A what-if as `viewer` may read it: both packages redacted, the patch masked, the units and
    pledges it masks masked wherever the answer names them, the summary withheld if it leaks; for a
    delegate, a patched package that places other nations' unused units withheld (`reveals_unused`),
    and the diff's rows of those units with it."""
    if viewer.role is Role.COORDINATOR or answer.patched is None:
        return answer
    public = public_units(answer.baseline)
    patched: Solution | None = redact_solution(answer.patched, viewer, public)
    summary = answer.summary
    if answer.patched.explanation is not None and patched is not None and patched.explanation is not None:
        summary = summary.replace(answer.patched.explanation.summary, patched.explanation.summary)
    diff, withheld = answer.diff, answer.withheld
    if reveals_unused(answer.patched, viewer, public):
        patched, withheld = None, UNUSED_WITHHELD
        if diff is not None:
            kept = [c for c in diff.added if viewer.sees_nation(c.nation) or (c.nation, c.unit) in public]
            diff = diff.model_copy(update={"added": kept})
            # The summary told of the rows now withheld: told again from the diff as shown, so its
            # counts are the diff's (and the brief's).
            summary = summarise(Patch.model_validate(answer.patch), answer.baseline, answer.patched, diff)
    if secrets.leaks(summary, viewer):
        condition = _condition_placeholder(viewer)
        summary = (
            f"With the change a package exists ({answer.patched.status}); the change involves {condition}."
            if answer.patched.has_package
            else f"No package remains; what keeps one out involves {condition}."
        )
    redacted = answer.model_copy(
        update={
            "patch": redact_patch(answer.patch, viewer, secrets),
            "summary": summary,
            "baseline": redact_solution(answer.baseline, viewer),
            "patched": patched,
            "diff": diff,
            "withheld": withheld,
        }
    )
    return scrub(redacted, masked_in_patch(answer.patch, viewer, secrets), _offer_placeholder(viewer))


def redact_criticality(answer: Criticality, viewer: Principal, secrets: OfferSecrets) -> Criticality:
    """A criticality sweep as `viewer` may read it: the baseline redacted, reasons withheld if they leak."""
    if viewer.role is Role.COORDINATOR:
        return answer
    withheld = f"no package remains without these nations; what keeps one out involves {_condition_placeholder(viewer)}"
    public = public_units(answer.baseline)
    hidden = [reveals_unused(w.package, viewer, public) for w in answer.withdrawals]
    rows = [
        w.model_copy(
            update={
                "reason": withheld if w.reason and secrets.leaks(w.reason, viewer) else w.reason,
                "package": None if hide or w.package is None else redact_solution(w.package, viewer),
            }
        )
        for w, hide in zip(answer.withdrawals, hidden, strict=True)
    ]
    note = UNUSED_WITHHELD if any(hidden) else answer.withheld
    return answer.model_copy(
        update={"baseline": redact_solution(answer.baseline, viewer), "withdrawals": rows, "withheld": note}
    )


def redact_explanation_answer(answer: ExplanationAnswer, viewer: Principal) -> ExplanationAnswer:
    """An explanation job's answer as `viewer` may read it (its best effort as `redact_solution`'s)."""
    if answer.explanation is None or viewer.role is Role.COORDINATOR:
        return answer
    explanation = _withhold_effort(redact_explanation(answer.explanation, viewer), viewer, set())
    return answer.model_copy(update={"explanation": explanation})


def redact_why_not(answer: WhyNot, viewer: Principal, secrets: OfferSecrets) -> WhyNot:
    """A why-not answer as `viewer` may read it: the optimum redacted; when the subject is another
    nation's unit or pledge, the subject masked wherever it is named; for a delegate, every package
    that places another nation's unit the optimum does not use withheld (`reveals_unused`: the
    package that includes another nation's unit, a nation's units or money forced in), and a
    line's supply rows of such units left out, the sentence then told from what the delegate may
    read; the prices (`deltas`) stay."""
    if viewer.role is Role.COORDINATOR:
        return answer
    hidden = hidden_subject(answer.subject, viewer, secrets, answer.subject_type)
    placeholder = _offer_placeholder(viewer)
    public = public_units(answer.optimum)
    condition = f"What keeps it out involves {_condition_placeholder(viewer)}."

    def words(text: str, withheld: str) -> str:
        if hidden:
            for form in {answer.subject, answer.subject.rpartition("/")[2]}:
                text = re.sub(rf"(?<![A-Za-z0-9_.:/-]){re.escape(form)}(?![A-Za-z0-9_:-])", placeholder, text)
        text = secrets.mask_red_lines(text, viewer, _condition_placeholder(viewer))
        return withheld if secrets.leaks(text, viewer) else text

    def package(solution: Solution | None) -> Solution | None:
        """A hypothetical package as the viewer may read it (None: withheld)."""
        if solution is None or reveals_unused(solution, viewer, public):
            return None
        redacted = redact_solution(solution, viewer)
        if redacted.explanation is None:
            return redacted
        explanation = redacted.explanation.model_copy(
            update={
                "summary": words(redacted.explanation.summary, _SUMMARY_WITHHELD),
                "relaxations": [
                    r.model_copy(update={"effect": words(r.effect, "a package exists")})
                    for r in redacted.explanation.relaxations
                ],
            }
        )
        return redacted.model_copy(update={"explanation": explanation})

    with_subject = None if hidden else package(answer.with_subject)
    summary = answer.summary
    before, after = answer.with_subject, with_subject
    if before is not None and after is not None and before.explanation and after.explanation:
        summary = summary.replace(before.explanation.summary, after.explanation.summary)
    shown = [
        row
        for row in answer.supply
        if viewer.role is not Role.DELEGATE or viewer.sees_nation(row.nation) or (row.nation, row.unit) in public
    ]

    def block_words(text: str) -> str:
        """What keeps units out as the viewer may read it: a block it may not read by the placeholder,
        with the buckets it binds in when it binds only in some (`... (in 4 months (...))`)."""
        if not secrets.leaks(text, viewer):
            return text
        _, cut, when = text.rpartition(" (in ")
        return _condition_placeholder(viewer) + (cut + when if cut and not secrets.leaks(when, viewer) else "")

    supply = [row.model_copy(update={"kept_out_by": [block_words(text) for text in row.kept_out_by]}) for row in shown]
    if len(shown) < len(answer.supply):
        summary = _line_summary_as_read(answer, supply)
    else:
        for text in {text for row in answer.supply for text in row.kept_out_by}:
            summary = summary.replace(text, block_words(text))  # a line's supply names what keeps each unit out
    summary = words(summary, condition)
    parts = [
        part.model_copy(update={"summary": words(part.summary, condition), "with_subject": package(part.with_subject)})
        for part in answer.parts
    ]
    withheld_any = (answer.with_subject is not None and with_subject is None) or len(shown) < len(answer.supply)
    withheld_any = withheld_any or any(
        p.with_subject is not None and q.with_subject is None for p, q in zip(answer.parts, parts, strict=True)
    )
    redacted = answer.model_copy(
        update={
            "subject": placeholder if hidden else answer.subject,
            "summary": summary,
            "optimum": redact_solution(answer.optimum, viewer),
            "with_subject": with_subject,
            "supply": supply,
            "parts": parts,
            "withheld": UNUSED_WITHHELD if withheld_any else answer.withheld,
        }
    )
    return scrub(redacted, subject_items(answer.subject, secrets) if hidden else set(), placeholder)


def _line_summary_as_read(answer: WhyNot, shown: list[LineSupply]) -> str:
    """A requirement line's why-not told from the supply rows the viewer may read (its own
    nation's, and those the best package uses): what the line needs, what the package gives."""
    coverage = next((c for c in answer.optimum.coverage if c.requirement == answer.subject.removeprefix("line:")), None)
    if coverage is None:
        return "What keeps this line short involves other nations' offers."
    measure = coverage.measure
    total = sum(s.offered for s in shown)
    plan = answer.optimum.plan
    if plan is not None:  # phased: the line bucket by bucket, as the plan the viewer reads has it
        words, met = plan_line_words(plan, coverage.requirement, measure)
        head = f"`{coverage.requirement}` {words}."
    else:
        met = coverage.shortfall == 0
        head = (
            f"`{coverage.requirement}` needs {coverage.required:,} {measure}; the best package provides "
            f"{coverage.provided:,}."
        )
    text = (
        f"{head} Of what is offered for it, you may read {total:,} {measure} (your nation's "
        "and what the package uses); other nations' offers for it are not shown."
    )
    return text + (" It is met in full." if met else "")


def subject_items(subject: str, secrets: OfferSecrets) -> set[Item]:
    """The units and pledges a why-not subject names: `NATION/id`, or an id (every nation offering
    one); a nation's code or a requirement line names none."""
    nation, slash, name = subject.rpartition("/")
    owners = secrets.owners_of_unit(name, nation if slash else None)
    owners += [n for n, ids in secrets.pledges.items() if name in ids and (not slash or n == nation)]
    return {(owner, name) for owner in owners}


def hidden_subject(subject: str, viewer: Principal, secrets: OfferSecrets, kind: str | None = None) -> bool:
    """Is a why-not subject a unit or pledge the viewer may not read (a delegate's view of another
    nation's)? Only a subject that is one (`kind`, the answer's `subject_type`; before the answer,
    as the question resolves: a nation's code or a requirement line first) is: a nation's code or a
    line is no secret, whatever ids other nations' offers use. An observer reads unit
    availability, as in explanations."""
    if viewer.role is not Role.DELEGATE:
        return False
    if kind is not None and kind not in ("unit", "pledge"):
        return False
    if kind is None and (subject.startswith("line:") or subject in secrets.nations()):
        return False
    return any(not viewer.sees_nation(owner) for owner, _ in subject_items(subject, secrets))


def masked_in_patch(patch: Mapping[str, Any], viewer: Principal, secrets: OfferSecrets) -> set[Item]:
    """The units and pledges a patch operation holds that `redact_patch` masks for this viewer: a
    removed unit of another nation, and the units and pledges of an offer the viewer may not read."""
    if viewer.role is Role.COORDINATOR:
        return set()
    items: set[Item] = set()
    for op in patch.get("ops", []):
        kind = op.get("op") if isinstance(op, Mapping) else None
        if kind == "remove_unit":
            unit, nation = str(op.get("unit", "")), op.get("nation")
            owners = secrets.owners_of_unit(unit, nation) or ([str(nation)] if nation else [])
            items |= {(o, unit) for o in owners if viewer.role is Role.OBSERVER or not viewer.sees_nation(o)}
        elif kind == "replace_offer":
            offer = op.get("offer") or {}
            nation = str(offer.get("nation", ""))
            if viewer.role is Role.OBSERVER or not viewer.sees_nation(nation):
                for part in ("units", "funding"):
                    items |= {(nation, str(item.get("id", ""))) for item in _items(offer, part)}
    return {(n, i) for n, i in items if i}


M = TypeVar("M", bound=BaseModel)


def scrub(answer: M, items: set[Item], placeholder: str) -> M:
    """The answer with every mention of the items replaced by the placeholder, so that an item
    masked in one place of an answer appears in none: the `unit` or `pledge` of a row whose
    `nation` offers it (an assignment, a diff's change, a funding flow), an availability element's
    id, and the bound mentions in sentences. Nothing else is touched: a status, a nation's code or
    a requirement that happens to be spelled like a masked id stays as it is."""
    found = mentions(items)
    if found is None:
        return answer

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return found.sub(value, placeholder)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if not isinstance(value, dict):
            return value
        out = {k: walk(v) for k, v in value.items()}
        nation = value.get("nation")
        for key in ("unit", "pledge"):
            if isinstance(value.get(key), str) and (nation, value[key]) in items:
                out[key] = placeholder
        if value.get("type") in OFFER_TYPES and (nation, value.get("id")) in items:
            out["id"] = placeholder
        return out

    return type(answer).model_validate(walk(answer.model_dump(mode="json", by_alias=True)))


def redact_subject(subject: str, viewer: Principal, secrets: OfferSecrets, kind: str | None = None) -> str:
    """A why-not question's subject as `viewer` may read it: another nation's unit is "another nation's offer"."""
    return _offer_placeholder(viewer) if hidden_subject(subject, viewer, secrets, kind) else subject


# -- a scenario's history -------------------------------------------------------------------------

COORDINATOR_ONLY_KINDS = frozenset({"expect"})
"""Kinds of scenario elements only coordinators read (as `GET /v1/scenarios/{id}` leaves `expect` out)."""


def redact_scenario_diff(diff: ElementDiff, viewer: Principal) -> ElementDiff:
    """A diff of two versions of a scenario as `viewer` may read it: the elements of a kind only
    coordinators read are left out (its summary then counts what remains)."""
    if viewer.role is Role.COORDINATOR:
        return diff
    return ElementDiff(
        added=[e for e in diff.added if e.kind not in COORDINATOR_ONLY_KINDS],
        removed=[e for e in diff.removed if e.kind not in COORDINATOR_ONLY_KINDS],
        changed=[e for e in diff.changed if e.kind not in COORDINATOR_ONLY_KINDS],
    )


def version_author(written_by: str, viewer: Principal) -> str | None:
    """Who wrote a version of a scenario's parts, as `viewer` may read it: a token's id, for coordinators."""
    return written_by if viewer.role is Role.COORDINATOR else None
