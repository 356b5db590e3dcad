"""Why not: for a nation, an offered unit or a pledge left out of the best package, the best package
that includes it and what that costs against the optimum, or the conflict that keeps it out; for a
requirement line left short, what it needs, what is offered for it in all and by whom, what keeps
the rest out, and what filling it would cost.

A nation is answered on each side apart: its units (does any deploy?) and its money (is any drawn?),
since a nation whose money is drawn may still have every unit vetoed, and that is what a planner
asking about it wants to hear.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

from forcepack.models import phases
from forcepack.models.analysis import CriterionDelta, LineSupply, WhyNot, WhyNotPart
from forcepack.models.common import Measure
from forcepack.models.errors import ForcepackError
from forcepack.models.scenario import KEY_SEPARATOR, Scenario, offer_key
from forcepack.models.solution import Plan, Solution
from forcepack.models.wording import plural, suggestion
from forcepack.solver.answer import solve
from forcepack.solver.builder import inclusion_words
from forcepack.solver.criteria import criterion
from forcepack.solver.document import Package, exact_values
from forcepack.solver.eligibility import Candidate, candidates
from forcepack.solver.explain import NUMBER_WORDS, explain
from forcepack.solver.params import SolveParams
from forcepack.solver.phased import keeping_out
from forcepack.solver.rules import family
from forcepack.solver.search import ProgressCallback

Kind = Literal["nation", "unit", "pledge", "requirement"]


class UnknownSubjectError(ForcepackError):
    """A why-not question naming none of the scenario's nations, offered units, pledges or lines."""


def subject_type(scenario: Scenario, subject: str) -> Kind:
    """What `subject` names; UnknownSubjectError (with the closest match) when nothing, or when it
    names several things (units or pledges of several nations, or a unit and a line)."""
    return resolve_subject(scenario, subject)[0]


def resolve_subject(scenario: Scenario, subject: str) -> tuple[Kind, str]:
    """(kind, name) for a subject: ("nation", code), ("unit", `NATION/id`), ("pledge", `NATION/id`)
    or ("requirement", id). A unit or pledge may be named by its key, or by its id when only one
    nation uses it; a requirement line by its id, or `line:ID` when an offer's id is the same."""
    if subject in scenario.nation_by_code:
        return "nation", subject
    lines = {r.id for r in scenario.requirements}
    if subject.startswith("line:") and subject.removeprefix("line:") in lines:
        return "requirement", subject.removeprefix("line:")
    if subject in lines:
        # The coordinator's names first (as nations' codes are): an offer's id never makes a
        # line's question ambiguous; that unit is asked about by its key, `NATION/id`.
        return "requirement", subject
    pledges = scenario.pledge_by_key
    found: list[tuple[Kind, str]] = [("unit", key) for key in scenario.unit_keys_named(subject)]
    if subject in pledges:
        found.append(("pledge", subject))
    else:
        found += [("pledge", offer_key(o.nation, p.id)) for o in scenario.offers for p in o.funding if p.id == subject]
    if len(found) == 1:
        return found[0]
    if found:
        named = ", ".join(f"`{name}` ({kind})" for kind, name in found)
        raise UnknownSubjectError(f"`{subject}` names several things: name one of {named}")
    offered = {u.id for o in scenario.offers for u in o.units} | {p.id for o in scenario.offers for p in o.funding}
    keys = {offer_key(o.nation, u.id) for o in scenario.offers for u in o.units}
    keys |= {offer_key(o.nation, p.id) for o in scenario.offers for p in o.funding}
    forms = {f"line:{line}" for line in lines} if subject.startswith("line:") else set()
    known = sorted(scenario.nation_by_code) + sorted(offered | lines) + sorted(keys | forms)
    raise UnknownSubjectError(
        f"`{subject}` is none of the nations, offered units, pledges or requirement lines of `{scenario.id}`"
        + suggestion(subject, known)
    )


@dataclass(frozen=True)
class _Forced:
    """The best package that includes something, against the optimum."""

    summary: str
    with_subject: Solution | None
    deltas: list[CriterionDelta]


def _forced(
    scenario: Scenario,
    label: str,
    include: str,
    optimum: Solution,
    params: SolveParams,
    on_package: ProgressCallback | None,
    cancel: threading.Event | None,
) -> _Forced:
    """Solve with `include` required; the price against the optimum, or what keeps it out."""
    closed = _closed_throughout(scenario, include)
    if closed is not None:
        return _Forced(f"{label} cannot be had: {closed}", None, [])
    # The optimum as the search's start: a package with the subject is often a small change of it.
    hint = Package.from_solution(optimum)
    forced = solve(scenario, params, hint=hint, include=[include], on_package=on_package, cancel=cancel)
    if forced.status == "unknown":
        return _Forced(f"Whether {label} can be had was not decided within the time limit.", forced, [])
    if not forced.has_package:
        reason = forced.explanation.summary if forced.explanation else f"no package found ({forced.status})"
        said = f"{inclusion_words(include)} cannot be had: "  # said once, not again per cause ("(2) ...")
        reason = _continuing(reason.removeprefix(said).replace(f") {said}", ") "))
        return _Forced(f"{label} cannot be had: {reason}", forced, [])
    deltas = [
        CriterionDelta(criterion=a.criterion, optimum=a.value, with_subject=b.value, delta=b.value - a.value)
        for a, b in zip(optimum.objective, forced.objective, strict=True)
    ]
    worse = [d for d in deltas if criterion(d.criterion).worse(d.delta)]
    if not worse:
        return _Forced(f"{label} can be had at no loss: another package is just as good.", forced, deltas)
    first = worse[0]
    shown = criterion(first.criterion).shown(first.delta)
    held = criterion(first.criterion)
    summary = (
        f"{label} can be had at a price: {first.criterion} {shown} "
        f"({held.written(first.optimum)} -> {held.written(first.with_subject)})" + _unproven(forced, optimum) + "."
    )
    names = [d.criterion for d in deltas[: deltas.index(first) + 1]]
    found = _price_cause(scenario, include, optimum, names, params)
    if found is not None:
        cause, several = found
        at = f"with {first.criterion} held at the best package's {held.written(first.optimum)}"
        if several:
            summary += (
                f" What makes it cost: {at}, {label} cannot hold beside any of these causes, each enough alone "
                f"(ease one element of each): {cause}"
            )
        else:
            summary += f" What makes it cost: {at}, {label} and these cannot all hold: {cause}"
    return _Forced(summary, forced, deltas)


def _continuing(sentence: str) -> str:
    """An explanation's sentence continuing one after a colon: its first word in lower case when it
    is one of an explanation's openings (`These cannot all hold`, `The essential line`, `Two causes`)."""
    word, _, rest = sentence.partition(" ")
    return f"{word.lower()} {rest}" if word in _OPENINGS else sentence


_OPENINGS = frozenset({"The", "These", "No", *NUMBER_WORDS.values()})
"""The words an explanation's summary opens with (`solver.explain`)."""


def _kept_out(scenario: Scenario, c: Candidate) -> tuple[list[str], bool]:
    """What keeps a unit line off a line, each block in words, and whether it is kept off whenever
    the line is needed. In a phased scenario a block counts only in the buckets it binds in while the
    line is needed (a suspension that ends before a sector opens keeps nothing out), one binding in
    some of them only is said with those buckets, and the unit's own time counts too (its ready day,
    its window, its relief: `solver.phased.keeping_out`)."""
    if scenario.phasing is None:
        said = [" and ".join(family(e.type).describe(scenario, e) for e in block) for block in c.blocks]
        return list(dict.fromkeys(said)), bool(said)
    needed, keeping = keeping_out(scenario, c)
    # Each cause said once, with every bucket it keeps the unit out in: a block of elements each said
    # alone elsewhere (a unit ready late whose relief also falls in the line's first weeks, kept out
    # by both there) adds its buckets to each of them rather than being said a third time.
    alone = {block[0] for block, _ in keeping if len(block) == 1}
    at_of: dict[str, set[int]] = {}
    covered: frozenset[int] = frozenset()
    for block, at in keeping:
        covered |= at
        parts = [(e,) for e in block] if len(block) > 1 and set(block) <= alone else [block]
        for part in parts:
            text = " and ".join(family(e.type).describe(scenario, e) for e in part) or "its transit"
            at_of.setdefault(text, set()).update(at)
    words = [text if at == needed else f"{text} (in {_buckets(scenario, sorted(at))})" for text, at in at_of.items()]
    return words, bool(needed) and covered == needed


def _unproven(forced: Solution, optimum: Solution) -> str:
    """What a price read from packages not proven optimal is worth: at most the difference when
    only the package with the subject stopped at the time limit; nothing sure when the best one did
    too (more time may shrink or grow it). Empty when both are proven."""
    if forced.status == "optimal" and optimum.status == "optimal":
        return ""
    if optimum.status == "optimal":
        return (
            ", at most: the search with it stopped at the time limit before proving its best; more time may "
            "lower the price"
        )
    return (
        ", not proven: the best package itself stopped at the time limit before it was proven best, so the "
        "difference may be the time limit's rather than the subject's; more time may change it either way"
    )


def _closed_throughout(scenario: Scenario, include: str) -> str | None:
    """In a phased scenario, when every unit line a subject's units could fill is closed in every
    bucket by eligibility alone (a veto, the nation's own red lines), the sentence naming what closes
    them; else None. The proof needs no search: the explanation of the forced solve would find the
    same elements, but on a relaxable model of every week it may not finish within the time limit,
    and then names every element it could not rule out."""
    if scenario.phasing is None:
        return None
    kind, _, subject = include.partition(":")
    if kind == "units":
        pairs = [c for c in candidates(scenario) if c.nation == subject]
        whom = f"{subject}'s units"
    elif not subject and KEY_SEPARATOR in kind:
        pairs = [c for c in candidates(scenario) if c.key == kind]
        whom = f"unit `{kind}`"
    else:
        return None
    if not pairs:
        return None
    reasons: dict[str, None] = {}
    for c in pairs:
        words, throughout = _kept_out(scenario, c)
        if not throughout:
            return None
        reasons.update(dict.fromkeys(words))
    return (
        f"no line is open to {whom} in any {scenario.phasing.bucket} of the horizon, whatever else the plan "
        f"holds: kept out by {'; '.join(reasons)}."
    )


PRICE_TIME_S = 5.0
"""Most seconds spent finding what makes including a subject cost a price."""

PRICE_CAUSES = 3
"""Most causes of a price sought: one alone may not be all that keeps it (a unit's tour and its
ready day, say, each making the price on its own)."""


def _price_cause(
    scenario: Scenario, include: str, optimum: Solution, names: list[str], params: SolveParams
) -> tuple[str, bool] | None:
    """What keeps a package that includes the subject from the optimum's value on the criteria
    up to the first it loses on: the conflict of including it with those criteria held at the
    optimum's values (each a rule there, never given up), in words, and whether several causes were
    found (each listed, `(1) ...; (2) ...`). None when none was isolated in time."""
    values = exact_values(scenario, Package.from_solution(optimum), names)
    budget = SolveParams(time_limit_s=min(PRICE_TIME_S, params.time_limit_s), workers=1, seed=params.seed)
    explanation = explain(
        scenario,
        budget,
        include=[include],
        hold=list(zip(names, values, strict=True)),
        relaxations=0,
        conflicts=PRICE_CAUSES,
    )
    causes = [c for c in explanation.conflicts if c.elements] if explanation is not None else []
    if explanation is None or not causes:
        return None
    cut = "" if explanation.minimal else " (not all of these may be needed: the check was cut short)"
    if len(causes) == 1:
        return "; ".join(e.text for e in causes[0].elements) + cut + ".", False
    # Each cause alone keeps the price: easing one element of one of them is not enough.
    listed = "; ".join(f"({i}) " + " and ".join(e.text for e in c.elements) for i, c in enumerate(causes, 1))
    return f"{listed}{cut}.", True


def why_not(
    scenario: Scenario,
    subject: str,
    params: SolveParams | None = None,
    *,
    optimum: Solution | None = None,
    on_package: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> WhyNot:
    """Answer "why is this nation (unit, pledge) not in the package?" or "why is this line short?".

    Parameters
    ----------
    scenario
        The scenario.
    subject
        A nation code, an offered unit's or a pledge's key (`IDN/idn-eng`) or its id when one
        nation only uses it, or a requirement line's id.
    params
        Parameters of each solve.
    optimum
        The best package, when already known (else it is solved first).
    on_package
        Called on every improving package of the solves that include the subject (progress).
    cancel
        Set from another thread to stop the solves soon (their best so far is answered).

    Raises
    ------
    UnknownSubjectError
        When `subject` names nothing of the scenario, or several things.
    """
    params = params or SolveParams()
    kind, name = resolve_subject(scenario, subject)
    if optimum is None:
        optimum = solve(scenario, params, cancel=cancel)
    if not optimum.has_package:
        return WhyNot(
            subject=subject,
            subject_type=kind,
            in_package=False,
            summary=f"No package exists for `{scenario.id}` at all ({optimum.status}); see its explanation.",
            optimum=optimum,
        )
    if kind == "nation":
        return _nation(scenario, subject, name, optimum, params, on_package, cancel)
    if kind == "requirement":
        return _line(scenario, subject, name, optimum, params, on_package, cancel)
    if kind == "unit":
        present = any(offer_key(a.nation, a.unit) == name for a in optimum.assignments)
        include = name
    else:
        present = any(offer_key(f.nation, f.pledge) == name for f in optimum.funding.flows)
        include = f"pledge:{name}"
    if present:
        return WhyNot(
            subject=subject,
            subject_type=kind,
            in_package=True,
            summary=f"{subject} is already in the best package.",
            optimum=optimum,
        )
    forced = _forced(scenario, subject, include, optimum, params, on_package, cancel)
    return WhyNot(
        subject=subject,
        subject_type=kind,
        in_package=False,
        summary=forced.summary,
        optimum=optimum,
        with_subject=forced.with_subject,
        deltas=forced.deltas,
    )


def _nation(
    scenario: Scenario,
    subject: str,
    code: str,
    optimum: Solution,
    params: SolveParams,
    on_package: ProgressCallback | None,
    cancel: threading.Event | None,
) -> WhyNot:
    """A nation, its units and its money answered apart."""
    offer = scenario.offer_by_nation.get(code)
    figures = next((n for n in optimum.nations if n.nation == code), None)
    parts: list[WhyNotPart] = []
    sides: list[tuple[Literal["units", "money"], bool, bool, str]] = [
        ("units", offer is not None and bool(offer.units), figures is not None and figures.units > 0, "its units"),
        (
            "money",
            offer is not None and bool(offer.funding),
            figures is not None and figures.funding_used_usd > 0,
            "its money",
        ),
    ]
    for aspect, offered, present, words in sides:
        if not offered:
            parts.append(WhyNotPart(aspect=aspect, in_package=False, summary=f"{code} offers no {aspect.rstrip('s')}."))
        elif present:
            verb = "take" if aspect == "units" else "takes"
            parts.append(WhyNotPart(aspect=aspect, in_package=True, summary=f"{words.capitalize()} {verb} part."))
        else:
            forced = _forced(scenario, f"{code}'s {aspect}", f"{aspect}:{code}", optimum, params, on_package, cancel)
            summary = forced.summary
            parts.append(
                WhyNotPart(
                    aspect=aspect,
                    in_package=False,
                    summary=summary,
                    with_subject=forced.with_subject,
                    deltas=forced.deltas,
                )
            )
    asked = next((p for p in parts if p.with_subject is not None), None)
    units, money = parts
    in_package = figures is not None
    lead = f"{code} takes part in the best package." if in_package else f"{code} is not in the best package."
    return WhyNot(
        subject=subject,
        subject_type="nation",
        in_package=in_package,
        summary=f"{lead} Units: {units.summary} Money: {money.summary}",
        optimum=optimum,
        with_subject=asked.with_subject if asked is not None else None,
        deltas=asked.deltas if asked is not None else [],
        parts=parts,
    )


def _line(
    scenario: Scenario,
    subject: str,
    rid: str,
    optimum: Solution,
    params: SolveParams,
    on_package: ProgressCallback | None,
    cancel: threading.Event | None,
) -> WhyNot:
    """A requirement line: what it needs, what is offered for it and by whom, what keeps the rest out."""
    requirement = next(r for r in scenario.requirements if r.id == rid)
    measure = requirement.measure.value
    coverage = next(c for c in optimum.coverage if c.requirement == rid)
    placed: dict[str, int] = {}
    for a in optimum.assignments:
        if a.requirement == rid:
            amount = a.personnel if requirement.measure == Measure.PERSONNEL else a.units
            placed[offer_key(a.nation, a.unit)] = placed.get(offer_key(a.nation, a.unit), 0) + amount
    supply = []
    closed: set[str] = set()  # unit lines kept off the line whenever it is needed
    for c in candidates(scenario):
        if c.requirement.id != rid:
            continue
        per_unit = c.unit.personnel if requirement.measure == Measure.PERSONNEL else 1
        kept, throughout = _kept_out(scenario, c)
        if throughout:
            closed.add(c.key)
        supply.append(
            LineSupply(
                nation=c.nation,
                unit=c.unit.id,
                offered=c.unit.count * per_unit,
                placed=placed.get(c.key, 0),
                kept_out_by=kept,
            )
        )
    offered = sum(s.offered for s in supply)
    out = sum(s.offered for s in supply if offer_key(s.nation, s.unit) in closed)
    by_nation: dict[str, int] = {}
    for s in supply:
        by_nation[s.nation] = by_nation.get(s.nation, 0) + s.offered
    who = ", ".join(f"{n} {v:,}" for n, v in by_nation.items()) or "nobody"
    what = f"`{rid}` ({requirement.priority.value}, {requirement.capability} in `{requirement.sector}`)"
    if optimum.plan is not None:
        words, met = plan_line_words(optimum.plan, rid, measure)
        head = f"{what} {words}"
    else:
        head = f"{what} needs {_amount(coverage.required, measure)}; the best package provides {coverage.provided:,}"
        met = coverage.shortfall == 0
    head += f". Offered for it in all: {offered:,} ({who})"
    if out:
        reasons = sorted({r for s in supply if offer_key(s.nation, s.unit) in closed for r in s.kept_out_by})
        head += f", of which {out:,} kept out: " + "; ".join(reasons)
    partly = sorted({r for s in supply if offer_key(s.nation, s.unit) not in closed for r in s.kept_out_by})
    if partly:
        head += "; kept out for part of the time: " + "; ".join(partly)
    head += "."
    if met:
        return WhyNot(
            subject=subject,
            subject_type="requirement",
            in_package=True,
            summary=f"{head} It is met in full.",
            optimum=optimum,
            supply=supply,
        )
    forced = _forced(scenario, f"`{rid}` in full", f"line:{rid}", optimum, params, on_package, cancel)
    return WhyNot(
        subject=subject,
        subject_type="requirement",
        in_package=False,
        summary=f"{head} {forced.summary}",
        optimum=optimum,
        with_subject=forced.with_subject,
        deltas=forced.deltas,
        supply=supply,
    )


def _amount(count: int, measure: str) -> str:
    """`1 unit`, `3 units`, `1,200 personnel`."""
    return plural(count, "unit") if measure == "units" else f"{count:,} {measure}"


def plan_line_words(plan: Plan, rid: str, measure: str) -> tuple[str, bool]:
    """A line of a phased plan bucket by bucket, as its coverage has it: `is needed in 6 months
    (month 7 .. month 12, ...), up to 1 unit; the best plan leaves it short in 3 months (...), 3 units
    short over them in all`, and whether it is met in full."""
    rows = [c for c in plan.coverage if c.requirement == rid]
    short = [c for c in rows if c.shortfall]
    words = f"is needed in {bucket_span(plan, [c.bucket for c in rows])}"
    if rows:
        words += f", up to {_amount(max(c.required for c in rows), measure)}"
    words += "; the best plan " + (
        f"leaves it short in {bucket_span(plan, [c.bucket for c in short])}, "
        f"{_amount(sum(c.shortfall for c in short), measure)} short over them in all"
        if short
        else "fills it in every one"
    )
    return words, not short


def bucket_span(plan: Plan, indices: list[int]) -> str:
    """Buckets as a planner names them: `3 months (month 7 .. month 9, 2026-07-01 .. 2026-09-30)`, or
    each run when they are not consecutive (`models.phases.span_words`)."""
    return phases.span_words(plan.bucket, [(b.start, b.end) for b in plan.buckets], indices)


def _buckets(scenario: Scenario, indices: list[int]) -> str:
    """`bucket_span` of the scenario's buckets."""
    return phases.buckets_words(scenario, indices)
