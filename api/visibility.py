"""What of a package each caller may read.

A package (its assignments, coverage, nations' figures, funding) is for every role. An
explanation names red lines: a delegate reads its own nation's red lines and, for every other
nation's, "another nation's condition" (no id, no nation, no text), as well as "another nation's
offer" for another nation's unit availability; an observer reads "a nation's condition" for
every red line; a coordinator reads everything.
"""

from __future__ import annotations

from api.auth import Principal, Role
from api.documents import ANOTHER_NATIONS_OFFER
from models.solution import ConflictElement, Explanation, Relaxation, Solution

ANOTHER_NATIONS_CONDITION = "another nation's condition"
A_NATIONS_CONDITION = "a nation's condition"
"""What an observer reads in place of any red line."""
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
