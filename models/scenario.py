"""The scenario: one planning problem, exactly the vocabulary of the domain reference."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from fractions import Fraction
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from forcepack.models import limits
from forcepack.models.buckets import within_period
from forcepack.models.common import (
    BUILTIN_CAPABILITIES,
    DEFAULT_PERSONNEL_RATE_USD,
    ControlStatus,
    Day,
    Engagement,
    ExactFloat,
    Frozen,
    Identifier,
    Measure,
    NationCode,
    Priority,
    Readiness,
    RelaxCost,
    Text,
    Usd,
    VetoScope,
    months_between,
)
from forcepack.models.red_lines import (
    NotAlongside,
    RedLine,
    RequiresMandate,
    RequiresPartner,
    Sectors,
)
from forcepack.models.wording import plural, suggestion

SCENARIO_SCHEMA = "forcepack.scenario/1"
KEY_SEPARATOR = "/"
"""Between a nation's code and the id of one of its unit lines or pledges, in a key (`IDN/idn-eng`):
no id or code holds it, so a key names one thing of one nation."""


def offer_key(nation: str, ident: str) -> str:
    """The key of a nation's unit line or pledge: ids are unique within an offer, not across them
    (a delegate names its own units without knowing another nation's)."""
    return f"{nation}{KEY_SEPARATOR}{ident}"


def key_parts(key: str) -> tuple[str, str]:
    """(nation, id) of a unit line's or pledge's key."""
    nation, _, ident = key.partition(KEY_SEPARATOR)
    return nation, ident


Criterion = Literal["shortfall", "foc", "cost", "nations", "max_share", "readiness"]
CRITERIA: tuple[str, ...] = ("shortfall", "foc", "cost", "nations", "max_share", "readiness")
MAXIMISED: frozenset[str] = frozenset({"nations", "readiness"})


class Horizon(Frozen):
    """The mandate period being planned; every window lies inside it."""

    start: Day = Field(description="First day of the planning horizon.")
    end: Day = Field(description="Last day of the planning horizon (included).")

    @model_validator(mode="after")
    def _ends_after_start(self) -> Horizon:
        if self.end < self.start:
            raise ValueError(f"the horizon ends ({self.end}) before it starts ({self.start})")
        days = (self.end - self.start).days + 1
        if days > limits.MAX_HORIZON_DAYS:
            raise ValueError(
                f"the horizon spans {plural(days, 'day')}; at most {limits.MAX_HORIZON_DAYS:,} (100 years)"
            )
        return self


class CostSettings(Frozen):
    """How unit costs are priced when an offer does not state its own."""

    personnel_rate_usd: int = Field(
        default=DEFAULT_PERSONNEL_RATE_USD,
        ge=0,
        le=limits.MAX_RATE_USD,
        description="US dollars per person per month (UN rate since 2018: 1,428).",
    )


class Sector(Frozen):
    """An area of operations and who controls it."""

    id: Identifier = Field(description="Sector id, referenced by requirements and red lines.")
    name: Text | None = Field(default=None, description="Display name.")
    control: ControlStatus = Field(description="`secure`, `contested` or `hostile`.")
    opens: Day | None = Field(
        default=None,
        description="Phased scenarios: the day the sector opens; its lines are needed from then on (default: the "
        "horizon's start).",
    )


class CapabilityDef(Frozen):
    """A capability the scenario adds to the built-in list."""

    id: Identifier = Field(description="Capability id.")
    name: Text | None = Field(default=None, description="Display name.")


class RampStep(Frozen):
    """From a day on, a phased requirement line asks for another quantity (a ramp: 2 units from March,
    4 from June is `quantity: 2` from March and a step `{starting: June 1, quantity: 4}`)."""

    starting: Day = Field(description="First day the step's quantity is required.")
    quantity: int = Field(ge=0, le=limits.MAX_QUANTITY, description="Quantity required from that day, in `measure`.")


class Requirement(Frozen):
    """One line of the statement of requirements (a CJSOR line)."""

    id: Identifier = Field(description="Requirement line id.")
    name: Text | None = Field(default=None, description="Display name.")
    sector: Identifier = Field(description="Sector where the capability is needed.")
    capability: Identifier = Field(description="Capability required.")
    quantity: int = Field(ge=1, le=limits.MAX_QUANTITY, description="How much is required, in `measure`.")
    measure: Measure = Field(
        default=Measure.UNITS,
        description="`units`: each unit counts 1; `personnel`: each unit counts its personnel.",
    )
    priority: Priority = Field(
        default=Priority.ESSENTIAL,
        description="`essential` must be met; `desirable` may fall short at a weighted penalty.",
    )
    weight: ExactFloat = Field(
        default=1.0,
        gt=0,
        le=limits.MAX_WEIGHT,
        description="Penalty weight of a desirable line's uncovered fraction.",
    )
    engagement: Engagement = Field(
        default=Engagement.SUPPORT,
        description="Engagement level of the task: 0 support, 1 presence, 2 control, 3 enforcement.",
    )
    needed_from: Day | None = Field(default=None, description="Start of need (default: horizon start).")
    needed_until: Day | None = Field(default=None, description="End of need (default: horizon end).")
    min_readiness: Readiness | None = Field(
        default=None, description="Lowest readiness accepted for units filling this line."
    )
    relax_cost: RelaxCost | None = Field(
        default=None, description="How hard this line is to give up (relaxations prefer low costs)."
    )
    ramp: list[RampStep] | None = Field(
        default=None,
        min_length=1,
        max_length=limits.MAX_BUCKETS,
        description="Phased scenarios: later quantities, each from its day on, in date order (`quantity` until the "
        "first).",
    )


class UnitOffer(Frozen):
    """`count` identical units of one capability offered by a nation."""

    id: Identifier = Field(
        description="Offered unit id, unique in the nation's offer (each nation names its own; `NATION/id` names it "
        "in the scenario)."
    )
    name: Text | None = Field(default=None, description="Display name.")
    capability: Identifier = Field(description="What each unit does.")
    count: int = Field(ge=1, le=limits.MAX_UNIT_COUNT, description="How many identical units are offered.")
    personnel: int = Field(ge=1, le=limits.MAX_UNIT_PERSONNEL, description="Personnel per unit.")
    monthly_cost_usd: int | None = Field(
        default=None,
        ge=0,
        le=limits.MAX_MONTHLY_COST_USD,
        description="Cost per unit per month, whole US dollars (default: personnel x scenario rate).",
    )
    self_funded: bool = Field(default=False, description="The nation pays this unit's costs itself.")
    available_from: Day | None = Field(default=None, description="First day available (default: horizon start).")
    available_until: Day | None = Field(default=None, description="Last day available (default: horizon end).")
    readiness: Readiness = Field(default=Readiness.PLEDGED, description="Readiness of the offered units.")
    transit_days: int | None = Field(
        default=None,
        ge=0,
        le=limits.MAX_TRANSIT_DAYS,
        description="Phased scenarios: days from ready at home to arrival in theatre (default 0).",
    )
    tour_months: int | None = Field(
        default=None,
        ge=1,
        le=limits.MAX_TOUR_MONTHS,
        description="Phased scenarios: months a contingent stays before it is relieved (default: as long as its "
        "line needs it and it is available).",
    )
    rotations: int | None = Field(
        default=None,
        ge=1,
        le=limits.MAX_COUNT_FIGURE,
        description="Phased scenarios: tours each offered unit provides over the plan (default: as many as fit).",
    )
    relief_days: int | None = Field(
        default=None,
        ge=0,
        le=limits.MAX_TRANSIT_DAYS,
        description="Phased scenarios: days at the start of each tour spent taking over (relief in place), present "
        "and paid but not yet filling its line (default 0).",
    )
    lift_tons: int | None = Field(
        default=None,
        ge=0,
        le=limits.MAX_LIFT_TONS,
        description="Phased scenarios: tons of cargo each unit moves through its node of entry (default 0).",
    )


class FundingPledge(Frozen):
    """Money offered over the horizon, optionally earmarked for some capabilities."""

    id: Identifier = Field(description="Pledge id, unique in the nation's offer (each nation names its own).")
    amount_usd: Usd = Field(description="Amount pledged over the horizon, whole US dollars.")
    earmark: list[Identifier] | None = Field(
        default=None,
        min_length=1,
        max_length=limits.MAX_NAMES,
        description="Capabilities the pledge may pay for (default: any).",
    )


class Offer(Frozen):
    """One nation's answer: its units, its money, its red lines."""

    nation: NationCode = Field(description="Code of the offering nation.")
    units: list[UnitOffer] = Field(
        default_factory=list, max_length=limits.MAX_OFFER_ITEMS, description="Units offered."
    )
    funding: list[FundingPledge] = Field(
        default_factory=list, max_length=limits.MAX_OFFER_ITEMS, description="Funding pledges."
    )
    red_lines: list[RedLine] = Field(
        default_factory=list, max_length=limits.MAX_OFFER_ITEMS, description="National caveats."
    )
    entry: list[Identifier] | None = Field(
        default=None,
        min_length=1,
        max_length=limits.MAX_NAMES,
        description="Phased scenarios: the nodes of entry its units may arrive through (default: every node).",
    )


class Nation(Frozen):
    """A nation that may take part, with the groups it belongs to."""

    code: NationCode = Field(description="Nation code, usually ISO 3166 alpha-3.")
    name: Text | None = Field(default=None, description="Display name.")
    groups: list[Identifier] = Field(
        default_factory=list,
        max_length=limits.MAX_NAMES,
        description="Groups it belongs to (e.g. `oic`, `arab_league`).",
    )


class Veto(Frozen):
    """A party's objection to some nations' participation."""

    id: Identifier = Field(description="Veto id, unique in the scenario.")
    by: Text = Field(description="The objecting party (need not contribute).")
    against: list[NationCode] = Field(min_length=1, max_length=limits.MAX_NAMES, description="Nations objected to.")
    scope: VetoScope = Field(
        default=VetoScope.UNITS, description="`units`: no units deployed; `all`: no participation at all."
    )
    note: Text | None = Field(default=None, description="Context, for the record.")
    relax_cost: RelaxCost | None = Field(default=None, description="How hard this veto is to lift.")
    active_from: Day | None = Field(
        default=None, description="Phased scenarios: first day the veto is in force (default: the horizon's start)."
    )
    active_until: Day | None = Field(
        default=None, description="Phased scenarios: last day the veto is in force (default: the horizon's end)."
    )


class Targets(Frozen):
    """Force-level targets; an absent target imposes nothing."""

    max_personnel: int | None = Field(
        default=None, ge=0, le=limits.MAX_PERSONNEL_FIGURE, description="Ceiling on total personnel."
    )
    min_nations: int | None = Field(
        default=None, ge=0, le=limits.MAX_COUNT_FIGURE, description="Fewest nations contributing units."
    )
    group_minimums: dict[Identifier, Annotated[int, Field(le=limits.MAX_COUNT_FIGURE)]] = Field(
        default_factory=dict,
        max_length=limits.MAX_NAMES,
        description="Per group, the fewest member nations contributing units.",
    )
    max_nation_share: ExactFloat | None = Field(
        default=None, gt=0, le=1, description="Largest share of total personnel one nation may hold."
    )
    funding_coverage: ExactFloat | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Fraction of the pooled (not self-funded) cost that pledges must cover; 1.0 = fully funded.",
    )

    @field_validator("group_minimums")
    @classmethod
    def _minimums_not_negative(cls, value: dict[str, int]) -> dict[str, int]:
        bad = [group for group, count in value.items() if count < 0]
        if bad:
            raise ValueError(f"group minimums must be >= 0; negative for {', '.join(bad)}")
        return value

    @field_validator("max_nation_share")
    @classmethod
    def _share_exact(cls, value: float | None) -> float | None:
        return _exact_decimal(value, limits.SHARE_MAX_DENOMINATOR, "e.g. 0.6 or 0.333333333")

    @field_validator("funding_coverage")
    @classmethod
    def _coverage_exact(cls, value: float | None) -> float | None:
        return _exact_decimal(value, limits.COVERAGE_MAX_DENOMINATOR, "e.g. 0.8 or 0.99995")


def _exact_decimal(value: float | None, denominator: int, example: str) -> float | None:
    """A fraction the solver takes exactly as written: a decimal of at most log10(denominator) places
    (it multiplies personnel or dollars in the model, so its denominator is bounded)."""
    if value is None:
        return None
    if denominator % Fraction(str(value)).denominator:
        places = len(str(denominator)) - 1
        raise ValueError(f"write it with at most {places} decimals ({example})")
    return value


class ObjectiveTerm(Frozen):
    """One criterion of the lexicographic objective, with its tolerance."""

    criterion: Criterion = Field(description="What this stage optimises.")
    tolerance: ExactFloat = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Later stages may lose this fraction of this stage's optimum (0 = keep it exactly).",
    )


class Expect(Frozen):
    """What `forcepack validate` checks for this file."""

    status: Literal["optimal", "feasible", "infeasible", "unknown"] = Field(
        description="Expected solve status (`feasible`: a package, proven optimal or not)."
    )
    objective: dict[Criterion, float] | None = Field(
        default=None, description="Expected objective values, per criterion."
    )
    conflict: list[Identifier] | None = Field(
        default=None, description="Ids expected among the conflicts (every cause) of an infeasible scenario."
    )


class EntryNode(Frozen):
    """A node of entry (an airhead, a port, a land crossing) and what it carries a day."""

    id: Identifier = Field(description="Node id, named by offers' `entry`.")
    name: Text | None = Field(default=None, description="Display name.")
    personnel_per_day: int | None = Field(
        default=None,
        ge=0,
        le=limits.MAX_THROUGHPUT,
        description="Arriving personnel it carries a day (default: no limit).",
    )
    tons_per_day: int | None = Field(
        default=None,
        ge=0,
        le=limits.MAX_THROUGHPUT,
        description="Arriving cargo, in tons, it carries a day (default: no limit).",
    )


class ConditionPeriod(Frozen):
    """The days a mandate condition holds, when it does not hold over the whole horizon."""

    condition: Identifier = Field(description="A mandate condition declared under `mandate` (and true there).")
    holds_from: Day | None = Field(default=None, description="First day it holds (default: the horizon's start).")
    holds_until: Day | None = Field(default=None, description="Last day it holds (default: the horizon's end).")

    def span(self, horizon: Horizon) -> tuple[dt.date, dt.date]:
        """Its first and last days, a day left out the horizon's."""
        return self.holds_from or horizon.start, self.holds_until or horizon.end


class Phasing(Frozen):
    """How a phased scenario divides its horizon into time buckets, and what time asks of arrivals.

    A scenario with `phasing` is planned bucket by bucket: units arrive, serve tours and are relieved;
    every rule holds in every bucket (docs/domain.md, "Time phases")."""

    bucket: Literal["week", "month"] = Field(
        description="Length of a bucket: `week` (7 days from the horizon's start) or `month` (calendar months)."
    )
    requested: Day | None = Field(
        default=None,
        description="The day the force is requested: a unit is ready no sooner than its readiness allows after it "
        "(`rapid` 60 days, `mou` 90, `verified` 120, `pledged` 180). Default: units are ready when available.",
    )
    nodes: list[EntryNode] = Field(
        default_factory=list,
        max_length=limits.MAX_NAMES,
        description="Nodes of entry every arrival passes through (none: arrivals are not limited).",
    )
    conditions: list[ConditionPeriod] = Field(
        default_factory=list,
        max_length=limits.MAX_MANDATE_CONDITIONS,
        description="Mandate conditions that hold only for part of the horizon.",
    )
    front_loaded: bool = Field(
        default=True,
        description="Earlier buckets weigh more in the shortfall (the first bucket T times the last, of T); false: "
        "every bucket alike.",
    )


class Scenario(Frozen):
    """One planning problem: mandate, horizon, sectors, requirements, offers, vetoes, targets, objective."""

    schema_: Literal["forcepack.scenario/1"] = Field(
        alias="schema", description="Format version, `forcepack.scenario/1`."
    )
    id: Identifier = Field(description="Scenario id.")
    name: Text = Field(description="Display name.")
    description: Text | None = Field(default=None, description="What the scenario is about.")
    illustrative: bool = Field(default=False, description="Quantities are invented, not real pledges.")
    horizon: Horizon = Field(description="The mandate period planned.")
    cost: CostSettings = Field(default_factory=CostSettings, description="Cost settings.")
    mandate: dict[Identifier, bool] = Field(
        default_factory=dict,
        max_length=limits.MAX_MANDATE_CONDITIONS,
        description="Named mandate conditions and whether each holds.",
    )
    capabilities: list[CapabilityDef] = Field(
        default_factory=list,
        max_length=limits.MAX_CAPABILITIES,
        description="Capabilities added to the built-in list.",
    )
    sectors: list[Sector] = Field(min_length=1, max_length=limits.MAX_SECTORS, description="Areas of operations.")
    requirements: list[Requirement] = Field(
        min_length=1, max_length=limits.MAX_REQUIREMENTS, description="Required capabilities per sector."
    )
    nations: list[Nation] = Field(
        default_factory=list, max_length=limits.MAX_NATIONS, description="Nations that may take part."
    )
    offers: list[Offer] = Field(
        default_factory=list, max_length=limits.MAX_NATIONS, description="Nations' offers, one per nation."
    )
    vetoes: list[Veto] = Field(
        default_factory=list, max_length=limits.MAX_VETOES, description="Parties' objections to nations."
    )
    targets: Targets = Field(default_factory=Targets, description="Force-level targets.")
    objective: list[ObjectiveTerm] = Field(
        default_factory=lambda: [
            ObjectiveTerm(criterion="shortfall"),
            ObjectiveTerm(criterion="cost"),
            ObjectiveTerm(criterion="nations"),
        ],
        min_length=1,
        description="Criteria optimised lexicographically, first first (default: shortfall, cost, nations).",
    )
    expect: Expect | None = Field(default=None, description="What `forcepack validate` checks.")
    phasing: Phasing | None = Field(
        default=None, description="Time buckets, arrivals, tours and nodes of entry (default: a static package)."
    )

    model_config = Frozen.model_config | {"populate_by_name": True}

    @field_validator("objective", mode="before")
    @classmethod
    def _objective_names_are_terms(cls, value: Any) -> Any:
        # `objective: [shortfall, cost]` is shorthand for terms with zero tolerance.
        if isinstance(value, list):
            return [{"criterion": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("objective")
    @classmethod
    def _objective_criteria_unique(cls, value: list[ObjectiveTerm]) -> list[ObjectiveTerm]:
        repeated = [c for c, n in Counter(t.criterion for t in value).items() if n > 1]
        if repeated:
            raise ValueError(f"criterion listed twice in the objective: {', '.join(repeated)}")
        return value

    @model_validator(mode="after")
    def _cross_references(self) -> Scenario:
        issues: list[str] = []
        for rule in _CROSS_REFERENCE_RULES:
            issues.extend(rule(self))
        if issues:
            raise ScenarioReferenceError(issues)
        return self

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Scenario:
        """A variant of this scenario; lookups are rebuilt for it, never carried over."""
        copy = super().model_copy(update=update, deep=deep)
        for name in [k for k in copy.__dict__ if k not in type(self).model_fields]:
            del copy.__dict__[name]
        return copy

    # -- lookups (computed once per instance) ------------------------------------------

    @cached_property
    def sector_by_id(self) -> dict[str, Sector]:
        return {s.id: s for s in self.sectors}

    @cached_property
    def requirement_by_id(self) -> dict[str, Requirement]:
        return {r.id: r for r in self.requirements}

    @cached_property
    def nation_by_code(self) -> dict[str, Nation]:
        return {n.code: n for n in self.nations}

    @cached_property
    def offer_by_nation(self) -> dict[str, Offer]:
        return {o.nation: o for o in self.offers}

    @cached_property
    def unit_by_key(self) -> dict[str, UnitOffer]:
        """Every offered unit line by its key, `NATION/id` (ids are the offering nation's own)."""
        return {offer_key(o.nation, u.id): u for o in self.offers for u in o.units}

    @cached_property
    def pledge_by_key(self) -> dict[str, FundingPledge]:
        """Every pledge by its key, `NATION/id`."""
        return {offer_key(o.nation, p.id): p for o in self.offers for p in o.funding}

    def unit_keys_named(self, name: str) -> list[str]:
        """The keys of the unit lines a person may mean by `name`: `NATION/id` itself, or an id that
        one or more nations use (each nation names its own units)."""
        if name in self.unit_by_key:
            return [name]
        return [offer_key(o.nation, u.id) for o in self.offers for u in o.units if u.id == name]

    @cached_property
    def group_members(self) -> dict[str, list[str]]:
        members: dict[str, list[str]] = {}
        for nation in self.nations:
            for group in nation.groups:
                members.setdefault(group, []).append(nation.code)
        return members

    @cached_property
    def capability_ids(self) -> frozenset[str]:
        return frozenset(BUILTIN_CAPABILITIES) | {c.id for c in self.capabilities}

    def red_lines_of(self, nation: str) -> list[RedLine]:
        offer = self.offer_by_nation.get(nation)
        return list(offer.red_lines) if offer else []

    # -- resolved defaults -------------------------------------------------------------

    def window_of(self, requirement: Requirement) -> tuple[dt.date, dt.date]:
        """The requirement line's window, defaults resolved to the horizon."""
        return (
            requirement.needed_from or self.horizon.start,
            requirement.needed_until or self.horizon.end,
        )

    def availability_of(self, unit: UnitOffer) -> tuple[dt.date, dt.date]:
        """The offered unit's availability, defaults resolved to the horizon."""
        return (unit.available_from or self.horizon.start, unit.available_until or self.horizon.end)

    def months_of(self, requirement: Requirement) -> int:
        """Months of a requirement line's window, as costs count them."""
        return months_between(*self.window_of(requirement))

    def monthly_cost_of(self, unit: UnitOffer) -> int:
        """Monthly cost of one unit: its own figure, or personnel x the scenario rate."""
        if unit.monthly_cost_usd is not None:
            return unit.monthly_cost_usd
        return unit.personnel * self.cost.personnel_rate_usd

    # -- identity ----------------------------------------------------------------------

    def canonical_json(self) -> str:
        """The scenario with every default written out, keys sorted, no `expect`: its identity."""
        data = self.model_dump(mode="json", by_alias=True, exclude={"expect"})
        _drop_unset_time_fields(data)
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def sha256(self) -> str:
        """sha256 of the canonical JSON form."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


TIME_FIELDS: dict[str, tuple[str, ...]] = {
    "": ("phasing",),
    "sectors": ("opens",),
    "requirements": ("ramp",),
    "offers": ("entry",),
    "units": ("transit_days", "tour_months", "rotations", "relief_days", "lift_tons"),
    "red_lines": ("active_from", "active_until"),
    "vetoes": ("active_from", "active_until"),
}
"""The fields of a phased scenario, by the list whose items hold them ("" for the scenario's own)."""


def _drop_unset_time_fields(data: dict[str, Any]) -> None:
    """Leave out of a scenario's JSON the time fields it does not set, so that a static scenario's
    identity (its canonical JSON and sha256) is what it was before phases existed."""

    def drop(item: dict[str, Any], part: str) -> None:
        for name in TIME_FIELDS[part]:
            if item.get(name, 0) is None:
                del item[name]

    drop(data, "")
    for part in ("sectors", "requirements", "offers", "vetoes"):
        for item in data.get(part, []):
            drop(item, part)
    for offer in data.get("offers", []):
        for part in ("units", "red_lines"):
            for item in offer.get(part, []):
                drop(item, part)


def phased_fields_set(scenario: Scenario) -> Iterator[str]:
    s = scenario
    """The path of every time field the scenario sets (each needs `phasing`)."""
    for i, sector in enumerate(s.sectors):
        if sector.opens is not None:
            yield f"sectors[{i}].opens"
    for i, r in enumerate(s.requirements):
        if r.ramp is not None:
            yield f"requirements[{i}].ramp"
    for i, o in enumerate(s.offers):
        if o.entry is not None:
            yield f"offers[{i}].entry"
        for j, u in enumerate(o.units):
            for name in TIME_FIELDS["units"]:
                if getattr(u, name) is not None:
                    yield f"offers[{i}].units[{j}].{name}"
        for j, line in enumerate(o.red_lines):
            for name in TIME_FIELDS["red_lines"]:
                if getattr(line, name) is not None:
                    yield f"offers[{i}].red_lines[{j}].{name}"
    for i, v in enumerate(s.vetoes):
        for name in TIME_FIELDS["vetoes"]:
            if getattr(v, name) is not None:
                yield f"vetoes[{i}].{name}"


class ScenarioReferenceError(ValueError):
    """Every cross-reference problem of a scenario, found in one pass."""

    def __init__(self, issues: list[str]) -> None:
        self.issues = issues
        super().__init__("; ".join(issues))


# -- cross-reference rules, one function each ------------------------------------------


def _dangling(path: str, what: str, name: str, known: Iterable[str]) -> str:
    known = list(known)
    return f"{path}: {what} `{name}` is not a {what} of this scenario{suggestion(name, known)}"


def _holds_in_no_bucket(path: str, period: ConditionPeriod, horizon: Horizon, kind: str) -> Iterator[str]:
    """A condition's period that contains no whole bucket: it holds in none, the same as `false`
    under `mandate`, which is not what a planner who dated it meant."""
    lo, hi = period.span(horizon)
    if within_period(kind, horizon.start, horizon.end, lo, hi):
        return
    yield (
        f"{path}: mandate condition `{period.condition}` holds {lo} .. {hi}, which contains no whole {kind} of the "
        f"horizon; a condition holds in a {kind} only when it holds every day of it, so this one would hold in none "
        f"(the same as `{period.condition}: false` under `mandate`): lengthen its period"
        + (", use weekly buckets," if kind == "month" else "")
        + " or set it false"
    )


def _duplicates(path: str, what: str, ids: list[tuple[str, str]]) -> Iterator[str]:
    seen: dict[str, str] = {}
    for where, ident in ids:
        if ident in seen:
            yield f"{where}: {what} `{ident}` is defined twice (first at {seen[ident]})"
        else:
            seen[ident] = where


def check_unique_ids(s: Scenario) -> Iterator[str]:
    """Sectors, requirements, nations, offers, capabilities, vetoes: each id once in the scenario.
    Units, pledges and red lines: each id once in its nation's offer (nations name their own, and
    never learn another nation's ids from a clash)."""
    yield from _duplicates("", "sector", [(f"sectors[{i}].id", x.id) for i, x in enumerate(s.sectors)])
    yield from _duplicates("", "requirement", [(f"requirements[{i}].id", x.id) for i, x in enumerate(s.requirements)])
    yield from _duplicates("", "nation", [(f"nations[{i}].code", x.code) for i, x in enumerate(s.nations)])
    yield from _duplicates("", "offer for nation", [(f"offers[{i}].nation", x.nation) for i, x in enumerate(s.offers)])
    yield from _duplicates("", "capability", [(f"capabilities[{i}].id", x.id) for i, x in enumerate(s.capabilities)])
    for i, o in enumerate(s.offers):
        yield from _duplicates("", "unit", [(f"offers[{i}].units[{j}].id", u.id) for j, u in enumerate(o.units)])
        yield from _duplicates("", "pledge", [(f"offers[{i}].funding[{j}].id", p.id) for j, p in enumerate(o.funding)])
        lines = [(f"offers[{i}].red_lines[{j}].id", r.id) for j, r in enumerate(o.red_lines)]
        yield from _duplicates("", "red line", lines)
    yield from _duplicates("", "veto", [(f"vetoes[{i}].id", v.id) for i, v in enumerate(s.vetoes)])


def check_no_repeated_names(s: Scenario) -> Iterator[str]:
    """A list of nations, groups, sectors, statuses or conditions names each once (a repeat would
    count twice in a partner rule or a group minimum)."""

    def repeats(path: str, names: Iterable[object]) -> Iterator[str]:
        for name, n in Counter(names).items():
            if n > 1:
                yield f"{path}: `{name}` is listed {plural(n, 'time')}"

    for i, nation in enumerate(s.nations):
        yield from repeats(f"nations[{i}].groups", nation.groups)
    for i, v in enumerate(s.vetoes):
        yield from repeats(f"vetoes[{i}].against", v.against)
    for i, o in enumerate(s.offers):
        for j, line in enumerate(o.red_lines):
            for field in ("nations", "conditions", "statuses", "only", "exclude"):
                values = getattr(line, field, None)
                if values:
                    yield from repeats(f"offers[{i}].red_lines[{j}].{field}", values)
        for j, p in enumerate(o.funding):
            yield from repeats(f"offers[{i}].funding[{j}].earmark", p.earmark or [])


def check_capabilities_known(s: Scenario) -> Iterator[str]:
    """Every capability named by a requirement, unit or earmark is built in or declared."""
    known = s.capability_ids
    for i, r in enumerate(s.requirements):
        if r.capability not in known:
            yield _dangling(f"requirements[{i}].capability", "capability", r.capability, known)
    for i, o in enumerate(s.offers):
        for j, u in enumerate(o.units):
            if u.capability not in known:
                yield _dangling(f"offers[{i}].units[{j}].capability", "capability", u.capability, known)
        for j, p in enumerate(o.funding):
            for k, cap in enumerate(p.earmark or []):
                if cap not in known:
                    yield _dangling(f"offers[{i}].funding[{j}].earmark[{k}]", "capability", cap, known)


def check_sectors_known(s: Scenario) -> Iterator[str]:
    """Every sector named by a requirement or a `sectors` red line exists."""
    known = s.sector_by_id
    for i, r in enumerate(s.requirements):
        if r.sector not in known:
            yield _dangling(f"requirements[{i}].sector", "sector", r.sector, known)
    for i, o in enumerate(s.offers):
        for j, line in enumerate(o.red_lines):
            if isinstance(line, Sectors):
                field = "only" if line.only is not None else "exclude"
                for k, sector in enumerate(line.only or line.exclude or []):
                    if sector not in known:
                        yield _dangling(f"offers[{i}].red_lines[{j}].{field}[{k}]", "sector", sector, known)


def check_nations_known(s: Scenario) -> Iterator[str]:
    """Every nation named by an offer, red line or veto is listed under `nations`."""
    known = s.nation_by_code
    for i, o in enumerate(s.offers):
        if o.nation not in known:
            yield _dangling(f"offers[{i}].nation", "nation", o.nation, known)
        for j, line in enumerate(o.red_lines):
            if isinstance(line, NotAlongside | RequiresPartner):
                for k, code in enumerate(line.nations or []):
                    if code not in known:
                        yield _dangling(f"offers[{i}].red_lines[{j}].nations[{k}]", "nation", code, known)
                    elif code == o.nation:
                        yield f"offers[{i}].red_lines[{j}].nations[{k}]: a nation cannot name itself (`{code}`)"
    for i, v in enumerate(s.vetoes):
        for k, code in enumerate(v.against):
            if code not in known:
                yield _dangling(f"vetoes[{i}].against[{k}]", "nation", code, known)


def check_groups_known(s: Scenario) -> Iterator[str]:
    """Every group named by a target or a `requires_partner` red line has a member."""
    known = s.group_members
    for group in s.targets.group_minimums:
        if group not in known:
            yield _dangling(f"targets.group_minimums.{group}", "group", group, known)
    for i, o in enumerate(s.offers):
        for j, line in enumerate(o.red_lines):
            if isinstance(line, RequiresPartner) and line.group is not None and line.group not in known:
                yield _dangling(f"offers[{i}].red_lines[{j}].group", "group", line.group, known)


def check_mandate_conditions_known(s: Scenario) -> Iterator[str]:
    """Every condition a `requires_mandate` red line names is declared under `mandate`."""
    for i, o in enumerate(s.offers):
        for j, line in enumerate(o.red_lines):
            if isinstance(line, RequiresMandate):
                for k, cond in enumerate(line.conditions):
                    if cond not in s.mandate:
                        yield (
                            f"offers[{i}].red_lines[{j}].conditions[{k}]: mandate condition `{cond}` "
                            f"is not declared under `mandate`{suggestion(cond, s.mandate)}"
                        )


def check_windows_inside_horizon(s: Scenario) -> Iterator[str]:
    """Requirement windows and unit availability start before they end and lie inside the horizon."""
    h = s.horizon

    def window(path: str, start: dt.date | None, end: dt.date | None, names: tuple[str, str]) -> Iterator[str]:
        # (a day left out is the horizon's end: one written outside the horizon is said so below, never
        # compared with a default the user did not write)
        if start is not None and end is not None and end < start:
            yield f"{path}: {names[1]} ({end}) is before {names[0]} ({start})"
        for name, day in ((names[0], start), (names[1], end)):
            if day is not None and not h.start <= day <= h.end:
                yield f"{path}.{name}: {day} is outside the horizon {h.start} .. {h.end}"

    for i, r in enumerate(s.requirements):
        yield from window(f"requirements[{i}]", r.needed_from, r.needed_until, ("needed_from", "needed_until"))
    for i, o in enumerate(s.offers):
        for j, u in enumerate(o.units):
            yield from window(
                f"offers[{i}].units[{j}]", u.available_from, u.available_until, ("available_from", "available_until")
            )


def check_offer_magnitudes(s: Scenario) -> Iterator[str]:
    """Each offer's personnel, unit costs over the horizon and pledges stay within what the solver
    counts exactly (`models.limits`): a figure past them would overflow its 64-bit integers."""
    months = months_between(s.horizon.start, s.horizon.end)
    for i, o in enumerate(s.offers):
        if o.units:
            people = [u.count * u.personnel for u in o.units]
            if sum(people) > limits.MAX_OFFER_PERSONNEL:
                j = max(range(len(people)), key=people.__getitem__)
                u = o.units[j]
                yield (
                    f"offers[{i}].units: the offer holds {sum(people):,} personnel in all (count x personnel over "
                    f"its unit lines); an offer may hold at most {limits.MAX_OFFER_PERSONNEL:,} "
                    f"(the largest line, units[{j}] `{u.id}`: {u.count:,} x {u.personnel:,})"
                )
            costs = [u.count * s.monthly_cost_of(u) * months for u in o.units]
            if sum(costs) > limits.MAX_OFFER_COST_USD:
                j = max(range(len(costs)), key=costs.__getitem__)
                u = o.units[j]
                yield (
                    f"offers[{i}].units: the offer's units would cost USD {sum(costs):,} if each served the "
                    f"whole horizon ({plural(months, 'month')}); an offer may cost at most USD "
                    f"{limits.MAX_OFFER_COST_USD:,} (the largest line, units[{j}] `{u.id}`: {plural(u.count, 'unit')} "
                    f"x USD {s.monthly_cost_of(u):,} a month)"
                )
        pledged = sum(p.amount_usd for p in o.funding)
        if pledged > limits.MAX_OFFER_PLEDGES_USD:
            yield (
                f"offers[{i}].funding: the offer pledges USD {pledged:,} in all; an offer may pledge at most "
                f"USD {limits.MAX_OFFER_PLEDGES_USD:,}"
            )


TIME_FIELD_NEEDS_PHASING = "a time field needs `phasing` (the scenario's time buckets)"
"""The problem of a time field in a scenario without `phasing`."""


def check_phasing(s: Scenario) -> Iterator[str]:
    """Time fields only in a phased scenario; its buckets at most `limits.MAX_BUCKETS`; nodes named once
    and known to the offers naming them; dated periods inside the horizon and in order; conditions with
    a period declared (and true: a false one holds on no day anyway); ramps in date order inside their
    line's window; a relief shorter than its tour."""
    h = s.horizon
    if s.phasing is None:
        for path in phased_fields_set(scenario=s):
            yield f"{path}: {TIME_FIELD_NEEDS_PHASING}"
        for i, term in enumerate(s.objective):
            if term.criterion == "foc":
                # (worded as a time field's, so that a `phasing` present but invalid says its own problem only)
                yield (
                    f"objective[{i}]: `foc` (the buckets each sector waits for full operational capability) is a "
                    f"time criterion: {TIME_FIELD_NEEDS_PHASING}"
                )
        return
    p = s.phasing
    for i, term in enumerate(s.objective):
        if term.criterion == "max_share":
            yield (
                f"objective[{i}]: `max_share` is not yet optimised in a phased scenario (the `max_nation_share` "
                "target holds in every bucket)"
            )
    days = (h.end - h.start).days + 1
    count = -(-days // 7) if p.bucket == "week" else (h.end.year - h.start.year) * 12 + h.end.month - h.start.month + 1
    if count > limits.MAX_BUCKETS:
        yield (
            f"phasing.bucket: the horizon holds {count:,} {p.bucket}s; a phased scenario may hold at most "
            f"{limits.MAX_BUCKETS:,} buckets (use months, or a shorter horizon)"
        )

    def period(path: str, start: dt.date | None, end: dt.date | None, names: tuple[str, str]) -> Iterator[str]:
        for name, day in zip(names, (start, end), strict=True):
            if day is not None and not h.start <= day <= h.end:
                yield f"{path}.{name}: {day} is outside the horizon {h.start} .. {h.end}"
        if start is not None and end is not None and end < start:
            yield f"{path}: {names[1]} ({end}) is before {names[0]} ({start})"

    if p.requested is not None and not h.start - dt.timedelta(days=366) <= p.requested <= h.end:
        yield f"phasing.requested: {p.requested} is outside the horizon {h.start} .. {h.end} (or the year before it)"
    yield from _duplicates("", "node", [(f"phasing.nodes[{i}].id", n.id) for i, n in enumerate(p.nodes)])
    nodes = {n.id for n in p.nodes}
    yield from _duplicates(
        "",
        "condition period",
        [(f"phasing.conditions[{i}].condition", c.condition) for i, c in enumerate(p.conditions)],
    )
    for i, c in enumerate(p.conditions):
        if c.condition not in s.mandate:
            yield (
                f"phasing.conditions[{i}].condition: mandate condition `{c.condition}` is not declared under "
                f"`mandate`{suggestion(c.condition, s.mandate)}"
            )
        dates = list(period(f"phasing.conditions[{i}]", c.holds_from, c.holds_until, ("holds_from", "holds_until")))
        yield from dates
        if not dates and s.mandate.get(c.condition, False):
            yield from _holds_in_no_bucket(f"phasing.conditions[{i}]", c, h, p.bucket)
    for i, sector in enumerate(s.sectors):
        if sector.opens is not None:
            yield from period(f"sectors[{i}]", sector.opens, None, ("opens", ""))
    for i, r in enumerate(s.requirements):
        start, end = s.window_of(r)
        previous: dt.date | None = None
        for k, step in enumerate(r.ramp or []):
            if not start < step.starting <= end:
                yield (
                    f"requirements[{i}].ramp[{k}].starting: {step.starting} is not inside the line's window after its "
                    f"first day ({start} .. {end})"
                )
            if previous is not None and step.starting <= previous:
                yield (
                    f"requirements[{i}].ramp[{k}].starting: {step.starting} is not after the step before it "
                    f"({previous})"
                )
            previous = step.starting
    for i, o in enumerate(s.offers):
        for k, node in enumerate(o.entry or []):
            if node not in nodes:
                yield _dangling(f"offers[{i}].entry[{k}]", "node", node, nodes)
            elif node in (o.entry or [])[:k]:
                yield f"offers[{i}].entry[{k}]: node `{node}` is listed twice"
        for j, u in enumerate(o.units):
            if u.relief_days and u.tour_months is not None and u.relief_days >= u.tour_months * 30:
                yield (
                    f"offers[{i}].units[{j}].relief_days: {plural(u.relief_days, 'day')} of relief leave no time in a "
                    "tour of "
                    f"{plural(u.tour_months, 'month')}"
                )
        for j, line in enumerate(o.red_lines):
            yield from period(
                f"offers[{i}].red_lines[{j}]", line.active_from, line.active_until, ("active_from", "active_until")
            )
    for i, v in enumerate(s.vetoes):
        yield from period(f"vetoes[{i}]", v.active_from, v.active_until, ("active_from", "active_until"))


_CROSS_REFERENCE_RULES: tuple[Callable[[Scenario], Iterable[str]], ...] = (
    check_unique_ids,
    check_no_repeated_names,
    check_capabilities_known,
    check_sectors_known,
    check_nations_known,
    check_groups_known,
    check_mandate_conditions_known,
    check_windows_inside_horizon,
    check_offer_magnitudes,
    check_phasing,
)
