"""HiGHS peer: the product's scenario semantics as a mixed-integer program, solved by HiGHS.

For the benchmark only (issue #6): the same instances, the same rules and the same lexicographic
objective as `solver.solve`, but a MIP solver instead of CP-SAT, to see what CP-SAT buys.

What is shared with the product, on purpose: eligibility (`solver.eligibility.eligible`: capability,
windows, readiness, engagement, control status, sector caveats, vetoes, unmet mandate conditions),
the integer shortfall weights (`solver.rules.requirements.shortfall_weights`), the target ratios
(`solver.rules.targets.ratio`), the stage tolerances and the solution document
(`solver.document.solution_document`). The model itself is written anew, row by row, from the rules
(`solver/rules/*.py`):

- `units[u, r]` integers `0..count(u)`; `contributes[n]`, `in_sector[n, s]`, `participates[n]` and
  `pledge_used[p]` binaries linked exactly as in `solver.build` (a unit line's count is the only
  big-M of the unit side);
- money in millions of USD (`MONEY_SCALE`): flows are continuous, bounded by
  `min(amount, ceiling of the capability)`, a pledge's flows by `min(amount, its capabilities'
  ceilings) x pledge_used`: every coefficient stays within about 1e-3 .. 1e4;
- the stages: each criterion minimised (maximised ones negated), then held at its optimum, or within
  `floor(tolerance x value)` of it in the product's integer units, for the stages after it; each
  stage starts from the previous stage's package. `max_share` (a ratio) is minimised by Dinkelbach's
  method: minimise `T0 x max_personnel - P0 x total_personnel` for the best ratio `P0 / T0` found so
  far, until nothing beats it; then held as `personnel(n) <= (z + slack) / 1e7 x total` for every
  nation, the product's own integer hold;
- a last stage, with the units fixed, draws as much pledged money as the rules allow (as the
  product does); the dollar amounts are then computed exactly by `bench.peers.money.max_draw` from the
  pledges that stage chose, so every figure in the document is whole dollars.

Two places where the MIP is not literally the CP-SAT model, without changing the set of packages:
"drawn means at least a dollar flows" (`sum flows >= pledge_used`) is left out (a pledge marked used
with nothing drawn only makes its nation take part, which no rule rewards, and the document counts
participation from the money actually drawn); shortfall variables are continuous (at a stage's
optimum they equal the integer uncovered quantity).

Numerics: HiGHS proves optimality to `mip_rel_gap = 0` and an absolute gap of `ABS_GAP` in model
units (shortfall in the domain's units; cost in USD millions, so 1e-6 is one dollar; the count
criteria 0.5). Every stage value is recomputed in exact integer arithmetic from the rounded package,
and a package that breaks an earlier stage's hold by more than rounding is logged and counted in
`HighsReport.hold_breaches`.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy

from bench.peers.money import max_draw
from forcepack.models.common import AlongsideScope, Measure, Priority
from forcepack.models.red_lines import MaxPersonnel, MaxSectors, MinContingent, NotAlongside, RedLine, RequiresPartner
from forcepack.models.scenario import MAXIMISED, Scenario, key_parts, offer_key
from forcepack.models.solution import RunInfo, Solution, Status
from forcepack.solver.criteria import SHARE_SCALE
from forcepack.solver.document import Package, solution_document
from forcepack.solver.eligibility import Candidate, eligible, participation_blocks
from forcepack.solver.params import SolveParams
from forcepack.solver.rules.red_lines import RequiresPartnerRule
from forcepack.solver.rules.requirements import shortfall_weights
from forcepack.solver.rules.targets import ratio

__all__ = ["MONEY_SCALE", "SOLVER_NAME", "SOLVER_VERSION", "HighsReport", "PeerStage", "solve_highs"]

logger = logging.getLogger("forcepack.bench.highs")

SOLVER_NAME = "highs"
SOLVER_VERSION = f"{highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}.{highspy.HIGHS_VERSION_PATCH}"

MONEY_SCALE = 1_000_000
"""USD per model unit of money: costs and flows are in millions."""

ABS_GAP = {"shortfall": 1e-6, "cost": 1e-6, "nations": 0.5, "readiness": 0.5, "max_share": 0.5}
"""HiGHS's absolute optimality gap per stage, in the stage's model units (see the module notes)."""

INF = highspy.kHighsInf

Pair = tuple[str, str]
Lin = dict[int, float]
"""A linear expression: coefficient per column index."""

OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN = "OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN"


@dataclass
class PeerStage:
    """One lexicographic stage, as the benchmark records it (CP-SAT's status names)."""

    criterion: str
    status: str
    value: float | None
    """The stage's optimum (or best value found) in the domain's units."""
    bound: float | None
    """Best bound proven, in the domain's units."""
    wall_s: float
    solves: int = 1
    """HiGHS runs in the stage (more than one for `max_share`'s Dinkelbach iterations)."""


@dataclass
class HighsReport:
    """What the search did, for the benchmark record."""

    stages: list[PeerStage] = field(default_factory=list)
    build_s: float = 0.0
    first_package_s: float | None = None
    """Seconds from the start to the first package HiGHS reported (MIP improving-solution callback)."""
    wall_s: float = 0.0
    rows: int = 0
    cols: int = 0
    nonzeros: int = 0
    integer_cols: int = 0
    hold_breaches: list[str] = field(default_factory=list)
    """Earlier stages' holds a later package broke beyond rounding (numerical trouble; normally empty)."""


@dataclass
class _Outcome:
    code: str
    values: list[float] | None
    bound: float | None  # domain units
    solves: int = 1


class _Mip:
    """The HiGHS model of one scenario: named columns per entity, rows per rule."""

    def __init__(self, scenario: Scenario, highs: highspy.Highs) -> None:
        self.scenario = scenario
        self.h = highs
        self.units: dict[Pair, int] = {}
        self.contributes: dict[str, int] = {}
        self.participates: dict[str, int] = {}
        self.in_sector: dict[tuple[str, str], int] = {}
        self.shortfall: dict[str, int] = {}
        self.pledge_used: dict[str, int] = {}
        self.flows: dict[tuple[str, str], int] = {}
        self.total: int | None = None
        self.max_personnel_col: int | None = None
        self.integer_cols = 0
        self.pairs: list[Candidate] = []
        self.pairs_of_nation: dict[str, list[Candidate]] = defaultdict(list)
        self.pairs_of_requirement: dict[str, list[Candidate]] = defaultdict(list)
        self.sectors_of: dict[str, set[str]] = defaultdict(set)
        self.usable_pledges: list[tuple[str, str]] = []  # (nation, pledge id)
        self._row_names: set[str] = set()

    # -- columns and rows ----------------------------------------------------------------

    def column(self, lb: float, ub: float, name: str, *, integer: bool = False) -> int:
        kind = highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
        self.integer_cols += integer
        return int(self.h.addVariable(lb=lb, ub=ub, type=kind, name=name).index)

    def row(self, terms: Mapping[int, float], lb: float, ub: float, name: str) -> int:
        """Add `lb <= sum(terms) <= ub` (zero coefficients dropped; an empty row still counts)."""
        expr = highspy.highs_linear_expression()
        kept = [(col, coef) for col, coef in terms.items() if coef != 0]
        expr.idxs = [col for col, _ in kept]
        expr.vals = [coef for _, coef in kept]
        expr.bounds = (lb, ub)
        unique = name
        while unique in self._row_names:
            unique = f"{name}#{len(self._row_names)}"
        self._row_names.add(unique)
        return int(self.h.addConstr(expr, name=unique).index)

    # -- entities --------------------------------------------------------------------------

    def x(self, c: Candidate) -> int:
        return self.units[(c.key, c.requirement.id)]

    def cost_usd(self, c: Candidate) -> int:
        """USD one unit costs on its line (monthly cost x months of the line's window)."""
        return self.scenario.monthly_cost_of(c.unit) * self.scenario.months_of(c.requirement)

    def personnel(self, nation: str) -> Lin:
        out: Lin = defaultdict(float)
        for c in self.pairs_of_nation.get(nation, []):
            out[self.x(c)] += c.unit.personnel
        return out

    def participation(self, nation: str) -> int | None:
        """Column of `participates[n]` (units or money drawn); None when the nation cannot take part."""
        if nation in self.participates:
            return self.participates[nation]
        used = [self.pledge_used[offer_key(n, p)] for n, p in self.usable_pledges if n == nation]
        contributes = self.contributes.get(nation)
        if not used:
            return contributes
        flag = self.column(0, 1, f"participates[{nation}]", integer=True)
        parts = [*used, *([contributes] if contributes is not None else [])]
        for part in parts:
            self.row({flag: 1, part: -1}, 0, INF, f"participates_ge[{nation}]")
        self.row({flag: 1, **dict.fromkeys(parts, -1.0)}, -INF, 0, f"participates_le[{nation}]")
        self.participates[nation] = flag
        return flag

    def sector_flag(self, nation: str, sector: str) -> int | None:
        """Column of `in_sector[n, s]`; None when none of the nation's units could go there."""
        key = (nation, sector)
        if key in self.in_sector:
            return self.in_sector[key]
        pairs = [c for c in self.pairs_of_nation.get(nation, []) if c.requirement.sector == sector]
        if not pairs:
            return None
        flag = self.column(0, 1, f"in_sector[{nation},{sector}]", integer=True)
        self._flag_of(
            flag, pairs, lambda unit_id: f"in_sector_cap[{unit_id},{sector}]", f"in_sector_some[{nation},{sector}]"
        )
        self.in_sector[key] = flag
        return flag

    def total_personnel(self) -> int:
        """Column equal to the package's personnel (one, shared by every rule that reads it)."""
        if self.total is None:
            most = sum(c.unit.personnel * c.unit.count for c in {c.key: c for c in self.pairs}.values())
            self.total = self.column(0, most, "total_personnel")
            terms: Lin = defaultdict(float)
            for c in self.pairs:
                terms[self.x(c)] -= c.unit.personnel
            terms[self.total] = 1
            self.row(terms, 0, 0, "total_personnel")
        return self.total

    # -- the rules -------------------------------------------------------------------------

    def build(self) -> None:
        self._assignments()
        self._contributions()
        self._flows()
        self._requirements()
        for offer in self.scenario.offers:
            for line in offer.red_lines:
                self._red_line(line, offer.nation)
        self._targets()
        self._funding_coverage()

    def _assignments(self) -> None:
        for c in eligible(self.scenario):
            pair = (c.key, c.requirement.id)
            self.units[pair] = self.column(0, c.unit.count, f"units[{pair[0]},{pair[1]}]", integer=True)
            self.pairs.append(c)
            self.pairs_of_nation[c.nation].append(c)
            self.pairs_of_requirement[c.requirement.id].append(c)
            self.sectors_of[c.nation].add(c.requirement.sector)

    def _contributions(self) -> None:
        """contributes[n] <=> some unit of n is assigned; also caps each unit line at its count."""
        for nation, pairs in self.pairs_of_nation.items():
            flag = self.column(0, 1, f"contributes[{nation}]", integer=True)
            self.contributes[nation] = flag
            self._flag_of(flag, pairs, lambda unit_id: f"capacity[{unit_id}]", f"contributes_some[{nation}]")

    def _flag_of(self, flag: int, pairs: list[Candidate], cap_name: Callable[[str], str], some_name: str) -> None:
        """`flag` is 1 exactly when some of `pairs` is used: each unit line's units there are at most its
        count times the flag, and the flag is at most their sum."""
        by_unit: dict[str, list[Candidate]] = defaultdict(list)
        for c in pairs:
            by_unit[c.key].append(c)
        for unit_id, unit_pairs in by_unit.items():
            terms: Lin = {self.x(c): 1 for c in unit_pairs}
            terms[flag] = -unit_pairs[0].unit.count
            self.row(terms, -INF, 0, cap_name(unit_id))
        terms = {self.x(c): 1 for c in pairs}
        terms[flag] = -1
        self.row(terms, 0, INF, some_name)

    def _flows(self) -> None:
        """Flows (USD millions) from every usable pledge to the capabilities it may pay for."""
        ceiling: dict[str, int] = defaultdict(int)
        for c in self.pairs:
            if not c.unit.self_funded:
                ceiling[c.unit.capability] += self.cost_usd(c) * c.unit.count
        if not ceiling:
            return
        for offer in self.scenario.offers:
            if participation_blocks(self.scenario, offer.nation):
                continue  # a veto of scope `all` or an unmet mandate condition keeps its money out
            for pledge in offer.funding:
                capabilities = [cap for cap in (pledge.earmark or sorted(ceiling)) if cap in ceiling]
                if pledge.amount_usd == 0 or not capabilities:
                    continue
                key = offer_key(offer.nation, pledge.id)
                used = self.column(0, 1, f"pledge_used[{key}]", integer=True)
                self.pledge_used[key] = used
                reach = min(pledge.amount_usd, sum(ceiling[cap] for cap in capabilities))
                terms: Lin = {used: -reach / MONEY_SCALE}
                for cap in capabilities:
                    flow = self.column(0, min(pledge.amount_usd, ceiling[cap]) / MONEY_SCALE, f"flow[{key},{cap}]")
                    self.flows[(key, cap)] = flow
                    terms[flow] = 1
                self.row(terms, -INF, 0, f"pledge_amount[{key}]")
                self.usable_pledges.append((offer.nation, pledge.id))
        pooled = self._pooled_by_capability()
        inflow: dict[str, list[int]] = defaultdict(list)
        for (_, cap), flow in self.flows.items():
            inflow[cap].append(flow)
        for cap, into in inflow.items():
            terms = dict.fromkeys(into, 1.0)
            for col, coef in pooled[cap].items():
                terms[col] = -coef
            self.row(terms, -INF, 0, f"pooled_cap[{cap}]")

    def _pooled_by_capability(self) -> dict[str, Lin]:
        """Per capability, the pooled (not self-funded) cost of its units, USD millions."""
        out: dict[str, Lin] = defaultdict(lambda: defaultdict(float))
        for c in self.pairs:
            if not c.unit.self_funded:
                out[c.unit.capability][self.x(c)] += self.cost_usd(c) / MONEY_SCALE
        return out

    def _requirements(self) -> None:
        """provided >= quantity on essential lines; shortfall >= quantity - provided on desirable ones."""
        for r in self.scenario.requirements:
            provided: Lin = defaultdict(float)
            for c in self.pairs_of_requirement.get(r.id, []):
                provided[self.x(c)] += c.unit.personnel if r.measure == Measure.PERSONNEL else 1
            if r.priority == Priority.ESSENTIAL:
                self.row(provided, r.quantity, INF, f"essential[{r.id}]")
            else:
                short = self.column(0, r.quantity, f"shortfall[{r.id}]")
                self.shortfall[r.id] = short
                self.row({**provided, short: 1}, r.quantity, INF, f"desirable[{r.id}]")

    def _red_line(self, line: RedLine, nation: str) -> None:
        """The coupling red lines; engagement, control, sector and mandate caveats are eligibility."""
        if isinstance(line, NotAlongside):
            for other in line.nations:
                if line.scope == AlongsideScope.FORCE:
                    mine, theirs = self.participation(nation), self.participation(other)
                    if mine is not None and theirs is not None:
                        self.row({mine: 1, theirs: 1}, -INF, 1, f"not_alongside[{line.id},{other}]")
                    continue
                for sector in sorted(self.sectors_of.get(nation, set()) & self.sectors_of.get(other, set())):
                    mine, theirs = self.sector_flag(nation, sector), self.sector_flag(other, sector)
                    if mine is not None and theirs is not None:
                        self.row({mine: 1, theirs: 1}, -INF, 1, f"not_alongside[{line.id},{other},{sector}]")
        elif isinstance(line, RequiresPartner):
            flag = self.participation(nation)
            if flag is None:
                return
            terms: Lin = defaultdict(float)
            for code in RequiresPartnerRule.partners(line, self.scenario, nation):
                if code in self.contributes:
                    terms[self.contributes[code]] += 1
            terms[flag] -= line.min  # count >= min, only if the nation takes part
            self.row(terms, 0, INF, f"requires_partner[{line.id}]")
        elif isinstance(line, MaxPersonnel):
            self.row(self.personnel(nation), -INF, line.limit, f"max_personnel[{line.id}]")
        elif isinstance(line, MinContingent):
            contributes = self.contributes.get(nation)
            if contributes is not None:
                terms = self.personnel(nation)
                terms[contributes] = terms.get(contributes, 0) - line.personnel
                self.row(terms, 0, INF, f"min_contingent[{line.id}]")
        elif isinstance(line, MaxSectors):
            sectors = sorted(self.sectors_of.get(nation, set()))
            if len(sectors) > line.count:
                flags = [self.sector_flag(nation, s) for s in sectors]
                self.row({f: 1 for f in flags if f is not None}, -INF, line.count, f"max_sectors[{line.id}]")

    def _targets(self) -> None:
        t = self.scenario.targets
        if t.max_personnel is not None:
            self.row({self.total_personnel(): 1}, -INF, t.max_personnel, "target[max_personnel]")
        if t.min_nations:
            terms = {self.contributes[n.code]: 1.0 for n in self.scenario.nations if n.code in self.contributes}
            self.row(terms, t.min_nations, INF, "target[min_nations]")
        for group, minimum in t.group_minimums.items():
            if minimum:
                members = self.scenario.group_members.get(group, [])
                terms = {self.contributes[code]: 1.0 for code in members if code in self.contributes}
                self.row(terms, minimum, INF, f"target[group_minimums.{group}]")
        share = t.max_nation_share
        if share is not None and share < 1:
            num, den = ratio(share, round_up=False, max_denominator=10**9)
            total = self.total_personnel()
            for nation in self.scenario.nation_by_code:
                if self.pairs_of_nation.get(nation):
                    terms = self.personnel(nation)
                    terms[total] = -num / den
                    self.row(terms, -INF, 0, f"target[max_nation_share,{nation}]")

    def _funding_coverage(self) -> None:
        coverage = self.scenario.targets.funding_coverage
        if coverage is None or coverage == 0:
            return
        num, den = ratio(coverage, round_up=True, max_denominator=10**6)
        terms: Lin = defaultdict(float)
        for flow in self.flows.values():
            terms[flow] += 1
        for lin in self._pooled_by_capability().values():
            for col, coef in lin.items():
                terms[col] -= coef * num / den
        self.row(terms, 0, INF, "funding_coverage")

    # -- criteria ----------------------------------------------------------------------------

    def criterion(self, name: str) -> Lin:
        """The criterion in model units, to minimise (maximised criteria come negated)."""
        if name == "shortfall":
            weights, scale = shortfall_weights(self.scenario)
            return {col: weights[rid] / scale for rid, col in self.shortfall.items()}
        out: Lin = defaultdict(float)
        if name == "cost":
            for c in self.pairs:
                out[self.x(c)] += self.cost_usd(c) / MONEY_SCALE
        elif name == "nations":
            for col in self.contributes.values():
                out[col] -= 1
        elif name == "readiness":
            for c in self.pairs:
                out[self.x(c)] -= c.unit.readiness.rank
        else:
            raise ValueError(f"criterion {name!r} is not linear")
        return out

    def trivial_bound(self, criterion: str) -> float:
        """A bound every package meets (the product's `trivial_bound`)."""
        if criterion == "nations":
            return float(len(self.contributes))
        if criterion == "readiness":
            units = {c.key: c.unit for c in self.pairs}
            return float(sum(u.readiness.rank * u.count for u in units.values()))
        return 0.0


# -- exact values of a package, in the product's integer units -----------------------------


def _integer_value(scenario: Scenario, assignment: Mapping[Pair, int], criterion: str) -> int:
    """The product's integer expression of a criterion for a package (`solver.criteria`)."""
    provided: dict[str, int] = defaultdict(int)
    personnel: dict[str, int] = defaultdict(int)
    cost = readiness = 0
    for (unit_key, req_id), count in assignment.items():
        unit, req = scenario.unit_by_key[unit_key], scenario.requirement_by_id[req_id]
        provided[req_id] += count * (unit.personnel if req.measure == Measure.PERSONNEL else 1)
        personnel[key_parts(unit_key)[0]] += count * unit.personnel
        cost += count * scenario.monthly_cost_of(unit) * scenario.months_of(req)
        readiness += count * unit.readiness.rank
    if criterion == "shortfall":
        weights, _ = shortfall_weights(scenario)
        return sum(
            weights[r.id] * max(0, r.quantity - provided[r.id])
            for r in scenario.requirements
            if r.priority == Priority.DESIRABLE
        )
    if criterion == "cost":
        return cost
    if criterion == "nations":
        return len({key_parts(u)[0] for (u, _), count in assignment.items() if count > 0})
    if criterion == "readiness":
        return readiness
    if criterion == "max_share":
        total = sum(personnel.values())
        return 0 if total == 0 else -(-SHARE_SCALE * max(personnel.values()) // total)
    raise ValueError(f"unknown criterion {criterion!r}")


def _factor(scenario: Scenario, criterion: str) -> int:
    """From the product's integer units to the domain's."""
    if criterion == "shortfall":
        return shortfall_weights(scenario)[1]
    return SHARE_SCALE if criterion == "max_share" else 1


class _Search:
    """The lexicographic solve on one `_Mip`."""

    def __init__(self, mip: _Mip, params: SolveParams, start: float, report: HighsReport) -> None:
        self.mip, self.h, self.params, self.start, self.report = mip, mip.h, params, start, report
        self.max_personnel_rows: list[int] = []
        self.max_col: int | None = None

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def configure(self, time_left: float, abs_gap: float) -> None:
        h = self.h
        h.setOptionValue("time_limit", max(0.01, time_left))
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", abs_gap)

    def run(
        self, objective: Mapping[int, float], time_left: float, abs_gap: float, start_from: list[float] | None
    ) -> tuple[str, list[float] | None, float | None]:
        """Minimise `objective`: (status, column values, dual bound in model units)."""
        self.configure(time_left, abs_gap)
        expr = highspy.highs_linear_expression()
        expr.idxs = list(objective)
        expr.vals = [objective[c] for c in expr.idxs]
        self.h.setObjective(expr, highspy.ObjSense.kMinimize)
        if start_from is not None:
            solution = highspy.HighsSolution()
            solution.col_value = self.complete(start_from)
            solution.value_valid = True
            self.h.setSolution(solution)
        self.h.solve()
        status = self.h.getModelStatus()
        info = self.h.getInfo()
        has_solution = info.primal_solution_status == highspy.kSolutionStatusFeasible
        values = list(self.h.getSolution().col_value) if has_solution else None
        bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None
        if status == highspy.HighsModelStatus.kModelEmpty:
            # No columns (no unit can be placed, no pledge drawn): HiGHS does not read the rows, so
            # decide here whether the empty package meets them (an essential line does not).
            lp = self.h.getLp()
            empty_fits = all(lo <= 0 <= hi for lo, hi in zip(lp.row_lower_, lp.row_upper_, strict=True))
            return (OPTIMAL, [], 0.0) if empty_fits else (INFEASIBLE, None, None)
        if status == highspy.HighsModelStatus.kOptimal:
            return OPTIMAL, values, bound
        if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return INFEASIBLE, None, None
        return (FEASIBLE if values is not None else UNKNOWN), values, bound

    def complete(self, values: Sequence[float]) -> list[float]:
        """A previous package as a start for a model that has grown columns since (totals, the maximum)."""
        out = [*values, *[0.0] * (self.h.getNumCol() - len(values))]
        largest, total = self._ratio(out)
        if self.mip.total is not None:
            out[self.mip.total] = total
        if self.max_col is not None:
            out[self.max_col] = largest
        return out

    def linear_stage(self, criterion: str, time_left: float, start_from: list[float] | None) -> _Outcome:
        objective = self.mip.criterion(criterion)
        code, values, bound = self.run(objective, time_left, ABS_GAP[criterion], start_from)
        if bound is None:
            return _Outcome(code, values, None)
        sign = -1 if criterion in MAXIMISED else 1
        scale = MONEY_SCALE if criterion == "cost" else 1
        return _Outcome(code, values, sign * bound * scale)

    def max_share_stage(self, time_left: float, start_from: list[float] | None) -> _Outcome:
        """Dinkelbach: the smallest largest share, as a run of MIPs with a linear objective.

        With `m0 / t0` the best ratio found, minimise `t0 x max_personnel - m0 x total`: a package
        scoring below 0 has a smaller ratio and becomes the new best; when HiGHS proves that none
        does, `m0 / t0` is optimal. The objective is integral, so a gap below 1 is a proof.
        """
        mip, deadline = self.mip, time.perf_counter() + time_left
        nations = sorted(mip.contributes)
        total = mip.total_personnel()
        solves = 0
        if self.max_col is None:
            self.max_col = mip.column(0, INF, "max_personnel")
            for n in nations:
                terms = {self.max_col: 1.0}
                for col, coef in mip.personnel(n).items():
                    terms[col] = terms.get(col, 0) - coef
                mip.row(terms, 0, INF, f"max_personnel_ge[{n}]")
        if not nations or self._force_may_be_empty():
            # A package without personnel has share 0: the best there is, when one exists.
            row = mip.row({total: 1}, -INF, 0, "max_share_empty")
            code, values, _ = self.run({}, deadline - time.perf_counter(), 0.5, None)
            solves += 1
            self.h.changeRowBounds(row, -INF, INF)
            if code in (OPTIMAL, FEASIBLE):
                return _Outcome(OPTIMAL, values, 0.0, solves)
            if not nations:
                return _Outcome(code if code == INFEASIBLE else UNKNOWN, None, None, solves)
        best = start_from
        if best is None:
            # No package yet (max_share is the first criterion): start from the smallest largest contingent.
            code, best, _ = self.run({self.max_col: 1.0}, deadline - time.perf_counter(), 0.5, None)
            solves += 1
            if best is None:
                return _Outcome(INFEASIBLE if code == INFEASIBLE else UNKNOWN, None, None, solves)
        m0, t0 = self._ratio(best)
        if t0 == 0:
            return _Outcome(OPTIMAL, best, 0.0, solves)
        while True:
            code, values, bound = self.run(
                {self.max_col: float(t0), total: -float(m0)}, deadline - time.perf_counter(), 0.5, best
            )
            solves += 1
            improved = False
            if values is not None:
                m, t = self._ratio(values)
                improved = t > 0 and t0 * m - m0 * t < 0
            if code == OPTIMAL and not improved:
                return _Outcome(OPTIMAL, best, m0 / t0, solves)
            # Every package p, t >= 1 has t0 p - m0 t >= bound, so p / t >= (m0 + bound) / t0 (bound <= 0).
            lower = max(0.0, (m0 + min(0.0, bound)) / t0) if bound is not None and code != INFEASIBLE else 0.0
            if improved and values is not None:
                best, (m0, t0) = values, self._ratio(values)
                if code == OPTIMAL and time.perf_counter() < deadline:
                    continue
            return _Outcome(FEASIBLE, best, min(lower, m0 / t0), solves)

    def _force_may_be_empty(self) -> bool:
        """False when an essential line can only be met by units with personnel (the force is never empty)."""
        for r in self.mip.scenario.requirements:
            if r.priority == Priority.ESSENTIAL and r.quantity > 0:
                pairs = self.mip.pairs_of_requirement.get(r.id, [])
                if all(c.unit.personnel > 0 for c in pairs):
                    return False
        return True

    def _ratio(self, values: Sequence[float]) -> tuple[int, int]:
        """(largest nation's personnel, total personnel) of the package in `values`."""
        personnel: dict[str, int] = defaultdict(int)
        for c in self.mip.pairs:
            personnel[c.nation] += round(values[self.mip.x(c)]) * c.unit.personnel
        return max(personnel.values(), default=0), sum(personnel.values())

    def hold(self, criterion: str, value: int, slack: int) -> None:
        """Keep a criterion at its optimum (within slack) for the later stages."""
        mip = self.mip
        if criterion == "max_share":
            total = mip.total_personnel()
            limit = (value + slack) / SHARE_SCALE
            for n in sorted(mip.contributes):
                terms = mip.personnel(n)
                terms[total] = terms.get(total, 0) - limit
                mip.row(terms, -INF, 0, f"hold[max_share,{n}]")
            return
        lin = mip.criterion(criterion)
        factor = MONEY_SCALE if criterion == "cost" else _factor(mip.scenario, criterion)
        if criterion in MAXIMISED:  # lin is the negated sum: sum >= value - slack
            mip.row(lin, -INF, -(value - slack), f"hold[{criterion}]")
        else:
            mip.row(lin, -INF, (value + slack) / factor, f"hold[{criterion}]")


def _package_of(mip: _Mip, values: Sequence[float]) -> dict[Pair, int]:
    return {pair: round(values[col]) for pair, col in mip.units.items() if round(values[col]) > 0}


def solve_highs(
    scenario: Scenario,
    params: SolveParams | None = None,
    *,
    report: HighsReport | None = None,
    on_package: Callable[[float], None] | None = None,
) -> Solution:
    """Find the best force package of a scenario with HiGHS, stage by stage like `solver.solve`.

    Parameters
    ----------
    scenario
        A validated scenario.
    params
        Time limit (over every stage), seed; `workers` sets HiGHS's `threads`.
    report
        Filled with the run's figures when given: stages, model size, first and optimal times.
    on_package
        Called with the seconds since the start whenever HiGHS reports an improving package.

    Returns
    -------
    Solution
        The product's solution document (`solver.document.solution_document`), status
        `optimal`, `feasible`, `infeasible` or `unknown`; no explanation when infeasible.
    """
    params = params or SolveParams()
    report = report if report is not None else HighsReport()
    start = time.perf_counter()
    h = highspy.Highs()  # type: ignore[no-untyped-call]  # (highspy leaves __init__ unannotated)
    h.silent()
    h.setOptionValue("threads", params.effective_workers)
    h.setOptionValue("random_seed", params.seed)
    mip = _Mip(scenario, h)
    mip.build()
    report.build_s = time.perf_counter() - start
    report.rows, report.cols, report.nonzeros = h.getNumRow(), h.getNumCol(), h.getNumNz()
    report.integer_cols = mip.integer_cols

    def improving(_event: Any) -> None:
        elapsed = time.perf_counter() - start
        if report.first_package_s is None:
            report.first_package_s = elapsed
        if on_package is not None:
            on_package(elapsed)

    h.cbMipImprovingSolution.subscribe(improving)
    search = _Search(mip, params, start, report)

    stages: list[tuple[str, float]] = [(t.criterion, t.tolerance) for t in scenario.objective]
    bounds: dict[str, float | None] = {c: mip.trivial_bound(c) for c, _ in stages}
    proven: set[str] = set()
    held: list[tuple[str, int, int]] = []
    status: Status = "optimal"
    values: list[float] | None = None
    assignment: dict[Pair, int] | None = None
    for criterion, tolerance in stages:
        time_left = params.time_limit_s - search.elapsed()
        if time_left <= 0.01 and assignment is not None:
            status = "feasible"
            break
        stage_start = time.perf_counter()
        if criterion == "max_share":
            outcome = search.max_share_stage(time_left, values)
        else:
            outcome = search.linear_stage(criterion, time_left, values)
        stage = PeerStage(
            criterion, outcome.code, None, outcome.bound, time.perf_counter() - stage_start, outcome.solves
        )
        report.stages.append(stage)
        logger.debug("stage %s: %s in %.2fs", criterion, outcome.code, stage.wall_s)
        if outcome.code == INFEASIBLE and assignment is None:
            status = "infeasible"
            break
        if outcome.code in (UNKNOWN, INFEASIBLE) or outcome.values is None:
            status = "unknown" if assignment is None else "feasible"
            break
        values = outcome.values
        if report.first_package_s is None:
            report.first_package_s = search.elapsed()  # no callback (solved in presolve): the stage's end
        assignment = _package_of(mip, values)
        value = _integer_value(scenario, assignment, criterion)
        factor = _factor(scenario, criterion)
        stage.value = value / factor
        for earlier, kept, slack in held:
            now = _integer_value(scenario, assignment, earlier)
            if (now < kept - slack) if earlier in MAXIMISED else (now > kept + slack):
                breach = f"stage {criterion}: {earlier} is {now}, held at {kept} (slack {slack})"
                logger.warning("HiGHS package breaks a hold: %s", breach)
                report.hold_breaches.append(breach)
        if outcome.code == OPTIMAL:
            slack = math.floor(tolerance * abs(value))
            bounds[criterion] = None if slack == 0 else value / factor
            proven.add(criterion)
            if stage.bound is None:
                stage.bound = value / factor
        else:
            status = "feasible"
            bounds[criterion] = outcome.bound if outcome.bound is not None else mip.trivial_bound(criterion)
            slack = 0
        search.hold(criterion, value, slack)
        held.append((criterion, value, slack))

    flows: dict[Pair, int] = {}
    if assignment is not None and values is not None:
        flows = _draw_funding(search, assignment, values, params)
    report.wall_s = time.perf_counter() - start
    h.cbMipImprovingSolution.unsubscribe(improving)
    run = RunInfo(
        solver=SOLVER_NAME,
        solver_version=SOLVER_VERSION,
        workers=params.effective_workers,
        seed=params.seed,
        time_limit_s=params.time_limit_s,
        wall_s=round(report.wall_s, 3),
    )
    if assignment is None:
        return solution_document(scenario, None, status=status, run=run)
    document = solution_document(
        scenario, Package.of(assignment, flows), status=status, run=run, bounds=bounds, criteria=[c for c, _ in stages]
    )
    for item in document.objective:
        if item.criterion not in proven:
            gap = abs(item.value - item.bound) / max(1.0, abs(item.value))
            return document.model_copy(update={"gap": gap})
    return document


def _draw_funding(
    search: _Search, assignment: Mapping[Pair, int], values: list[float], params: SolveParams
) -> dict[Pair, int]:
    """With the units fixed, draw as much pledged money as the rules allow; exact dollars."""
    mip = search.mip
    if not mip.flows:
        return {}
    for pair, col in mip.units.items():
        count = assignment.get(pair, 0)
        search.h.changeColBounds(col, count, count)
    objective = dict.fromkeys(mip.flows.values(), -1.0)
    time_left = max(0.2, params.time_limit_s - search.elapsed())
    code, drawn, _ = search.run(objective, time_left, 1e-6, values)
    source = drawn if drawn is not None and code in (OPTIMAL, FEASIBLE) else values
    used = [p for p, col in mip.pledge_used.items() if source[col] > 0.5]
    return max_draw(mip.scenario, assignment, used)
