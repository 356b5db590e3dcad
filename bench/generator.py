"""Seeded, deterministic generator of synthetic coalition scenarios, for benchmarks and tests.

`generate(nations, seed)` returns a validated `models.Scenario` of a coalition of `nations`
nations answering a statement of requirements; the same arguments always give the same
scenario (same `sha256()`). `python -m bench.generator --nations 70 --seed 1 > file.json`
writes one as JSON. Every scenario is marked `illustrative`: nations, names and figures are
invented; the rates below only aim to look like force generation as publicly reported.

Feasibility by construction
---------------------------
While generating, the generator keeps a *witness* package: units of "core" nations (troop
contributors with no coupling red line, no veto and every mandate condition they name true)
assigned greedily, spreading across nations, to every essential line, while respecting their
`max_personnel` and `max_sectors` caveats, windows and readiness. A line is made essential
only if (a) all nations not barred outright offer at least 1.5 times its quantity of fitting
units and (b) the witness can cover it too; otherwise it stays desirable.
Targets are then set so the witness meets them with room to spare (`max_personnel`,
`max_nation_share`), or capped at what it reaches (`min_nations`, `group_minimums`), and the
un-earmarked pledges of donors who can always take part exceed the pooled cost of covering
*every* line. So with `infeasible=False` the scenario is feasible: the witness is a package,
returned by `generate_with_witness` in the form `solver.document.Package.of` takes (to check
it, or to hint the solver); the optimiser is free to find a better one.

With `infeasible=True` the same scenario (identical random stream) gets one planted conflict:
a `counter_drone` capability (declared under `capabilities`) offered by a single nation whose
red line `allowed_control` keeps it out of the sector of a new essential `counter_drone` line,
preferably contested. `expect` names both, e.g. `conflict: [s04-counter_drone-1,
n012-allowed-control]`.

Rates, and why
--------------
Sizes. Sectors grow mildly, `round(6 + 14 log(n/25) / log 20)`: 6 at 25 nations (the ISF plan
has five brigade sectors), 11 at 70, 16 at 200, 20 at 500; 45 % secure, 20 % hostile (at least
one), the rest contested. Sector `s01` is secure and opens first ("Rafah first"); other secure
sectors open at the start (70 %) or 1-3 months in, contested ones 2-6 months in, hostile ones
6-12 months in: requirement lines there start when the sector opens.

Nations. Codes `N001`..; invented names. Regions weighted like a broad coalition (Europe 24 %,
Middle East and North Africa 14 %, Sub-Saharan Africa 20 %, South and Central Asia 12 %,
Southeast Asia 10 %, Americas 14 %, Pacific 6 %) give the groups `eu`, `nato`, `oic`,
`arab_league`, `au`, `asean`, `oas`. 12 % are money-only donors (the Gulf states funded and
sent no troops), drawn three times as often from the Middle East; at least two. Troop
contributors are small (50 %: 1-2 unit lines, mostly staff officers, police trainers,
medical, EOD), medium (35 %: 1-3) or large (15 %: 2-4 lines, mostly infantry battalions);
counts 1-4 per line, larger counts for larger nations.

Units, sized from UN practice: infantry battalion 600-850, quick reaction force company
150-250, military police company 100-160, formed police unit 140, engineer company 150-335,
EOD team 30-60, role-2 hospital 63, logistics company 150-250, utility helicopter unit 80-120
(plus USD 1.1-1.6 M a month for three aircraft), ISR unit 40-80 (plus USD 150-300 k for the
drones), signals 60-120, HQ staff cell 10-40, police training team 25-35, civil-military team
20-40. Cost defaults to personnel x USD 1,428; 15 % of other unit lines state their own cost
(5-35 % above it, for major equipment). Self-funded: 25 % of the unit lines of EU and NATO
members, 5 % of the others. Readiness: pledged 35 %, verified 30 %, MOU 25 %, rapid 10 %;
units not rapid often arrive late (pledged 40 % of lines 1-4 months late, verified 25 % 1-3,
MOU 15 % 1-2), and 6 % of unit lines are committed only to 31 Dec 2026.

Requirements. Per capability the statement asks for about 0.65 times the units offered,
except the scarce enablers (engineer, EOD, role-2 medical, utility helicopters, ISR) where it
asks 1.3 times: they are under-offered, as in practice (missions fill 85-92 %, and these are
the empty lines); a scarce enabler nobody offers still gets one (empty) line. Lines go to
sectors by status (police trainers and formed police in secure sectors, QRF, ISR and EOD where
contested or hostile); each sector gets an HQ staff line and an infantry line first. Infantry
(60 %), HQ staff (80 %) and formed police (30 %) lines count personnel, the rest units.
Engagement: support (0) for enablers; infantry presence (1) in secure sectors, control (2)
in contested ones, and 35 % enforcement (3) in hostile ones; QRF 2-3, formed and military
police 1-2: mostly 0-2, a few 3. About 20 % of lines set `min_readiness` (verified 65 %,
MOU 30 %, rapid 5 %; a third of QRF lines ask rapid). 12 % of engineering, EOD, logistics,
training and civil-military lines end on 31 Dec 2026 (a first phase). A share of 30-40 %
of the lines (drawn per scenario) is made essential, lines tried in a random order weighted
by capability (HQ staff and medical 0.5, infantry 0.45, down to civil-military 0.2) and
kept only where the feasibility rule above allows; desirable weights 1-3, 3-5 for scarce
enablers.

Red lines, drawn per troop contributor: `max_engagement` 60 % (level 1 or 2 each 45 %,
0 10 %), so a majority refuse enforcement or more; `allowed_control` 30 % (`[secure]` 65 %,
`[secure, contested]` 35 %: "no deployment where Hamas holds control"); `sectors` 10 % (only
1-3 sectors, or exclude 1-2); `not_alongside` 5 % (scope force 60 %, sector 40 %);
`requires_partner` 5 % (a group it belongs to, or 1-3 named nations); `requires_mandate` 15 %
(85 % name only conditions that hold); `max_personnel` 10 % (50-80 % of what it offers);
`min_contingent` 10 % (25-60 % of its offer, or all of it: all-or-nothing); `max_sectors`
10 % (1: a national sector, 60 %; else 2). Donors: `requires_mandate` 20 %, `not_alongside`
5 %. Vetoes: about one per 50 nations (at least one), against one troop contributor (80 %) or
two, scope `units` 65 % (a political role still welcome) or `all`.

Funding. Every donor pledges once (30 % twice), USD 150 M median; 20 % of troop contributors
pledge too, USD 15 M median; 35 % of pledges are earmarked to 1-3 capabilities (medical,
engineering, police, EOD, logistics, helicopters). All amounts are scaled together so that
the un-earmarked pledges of donors who can always take part exceed, by 5-25 %, the pooled
cost of covering every line (or of offering every unit, if less) and of the witness package;
whole millions (earmarked and conditional money comes on top: all pledges add up to about
twice the need, so funding rarely binds). Targets: `max_personnel` 85 % of the personnel the
lines ask for (about 30,000 at 70 nations: the ISF plan's 20,000 troops and 12,000 police),
`min_nations` a quarter of the troop contributors,
`group_minimums` for `oic`, `arab_league` and one of `asean`, `au`, `eu`, `nato`,
`max_nation_share` from 0.35 at 25 nations to 0.15 at 500, `funding_coverage` 1.0 (70 %) or
0.9; objective `[shortfall, cost, nations]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from forcepack.models import Scenario, months_between, parse_scenario
from forcepack.models.scenario import offer_key

if TYPE_CHECKING:
    # Only the type: the records module imports the solver, which a HiGHS process keeps out (bench.peers.isolation).
    from bench.records import Summary

__all__ = [
    "COUPLING_KINDS",
    "FAMILIES",
    "MIN_NATIONS",
    "Family",
    "Witness",
    "generate",
    "generate_with_witness",
    "main",
    "sector_count",
    "summary",
]

MIN_NATIONS = 5
"""Fewest nations `generate` accepts."""

HORIZON_START = dt.date(2026, 3, 1)
HORIZON_END = dt.date(2027, 12, 31)  # UNSCR 2803 authorises the ISF to 31 Dec 2027
FIRST_PHASE_END = dt.date(2026, 12, 31)
PERSONNEL_RATE_USD = 1428
HORIZON_MONTHS = months_between(HORIZON_START, HORIZON_END)

MANDATE: dict[str, bool] = {
    "un_security_council_resolution": True,
    "ceasefire_holding": True,
    "host_consent": True,
    "terms_of_reference_published": False,
    "palestinian_authority_consent": False,
}
_TRUE_CONDITIONS = [c for c, holds in MANDATE.items() if holds]
_FALSE_CONDITIONS = [c for c, holds in MANDATE.items() if not holds]

READINESS = ("pledged", "verified", "mou", "rapid")
CONTROLS = ("secure", "contested", "hostile")

PLANTED_CAPABILITY = "counter_drone"


@dataclass(frozen=True)
class _Profile:
    """How one capability is offered and asked for."""

    personnel: tuple[int, int]
    step: int
    nominal: int
    scarce: bool
    essential_rate: float
    personnel_measure_rate: float
    sector_weights: tuple[float, float, float]  # secure, contested, hostile
    line_units: tuple[int, ...]
    equipment_usd: tuple[int, int] = (0, 0)


PROFILES: dict[str, _Profile] = {
    "infantry": _Profile((600, 850), 10, 750, False, 0.45, 0.6, (1.0, 1.5, 1.5), (1, 1, 2)),
    "quick_reaction_force": _Profile((150, 250), 10, 200, False, 0.35, 0.0, (0.3, 1.2, 1.5), (1,)),
    "military_police": _Profile((100, 160), 10, 130, False, 0.30, 0.0, (1.0, 1.0, 0.5), (1, 1, 2)),
    "formed_police_unit": _Profile((140, 140), 1, 140, False, 0.40, 0.3, (1.5, 1.0, 0.3), (1, 2, 2, 3)),
    "engineer": _Profile((150, 335), 5, 240, True, 0.40, 0.0, (1.0, 1.0, 1.0), (1, 1, 2)),
    "eod": _Profile((30, 60), 5, 45, True, 0.35, 0.0, (0.6, 1.0, 1.5), (1, 1, 2)),
    "medical_role2": _Profile((63, 63), 1, 63, True, 0.50, 0.0, (1.0, 1.0, 1.0), (1,)),
    "logistics": _Profile((150, 250), 10, 200, False, 0.35, 0.0, (1.0, 1.0, 0.8), (1, 1, 2)),
    "utility_helicopter": _Profile((80, 120), 5, 100, True, 0.35, 0.0, (0.8, 1.0, 1.2), (1,), (1_100_000, 1_600_000)),
    "isr": _Profile((40, 80), 5, 60, True, 0.30, 0.0, (0.3, 1.0, 1.5), (1,), (150_000, 300_000)),
    "signals": _Profile((60, 120), 5, 90, False, 0.35, 0.0, (1.0, 1.0, 1.0), (1, 1, 2)),
    "hq_staff": _Profile((10, 40), 5, 20, False, 0.50, 0.8, (1.0, 1.0, 1.0), (1, 2, 2, 3)),
    "police_trainers": _Profile((25, 35), 1, 30, False, 0.25, 0.0, (1.5, 0.7, 0.2), (1, 1, 2)),
    "civil_military": _Profile((20, 40), 5, 30, False, 0.20, 0.0, (1.0, 1.0, 0.5), (1,)),
}
"""The capabilities generated, in the order lines are listed within a sector."""

DEMAND_RATIO = {True: 1.3, False: 0.65}
"""Units asked for per unit offered, for scarce enablers (True) and the rest."""

COUPLING_KINDS = ("not_alongside", "requires_partner", "max_personnel", "min_contingent", "max_sectors")
"""The red-line kinds that couple a nation's lines (or nations) to one another: what makes a scenario's
caveats heavy."""


@dataclass(frozen=True)
class Family:
    """A family of scenarios: the generator's rates where a family departs from the standard one.

    Every family keeps the generator's construction (the witness, feasibility by construction) and
    stresses one part of the model. The defaults are the standard family's rates, and the standard
    family draws exactly the random stream it always did (its scenarios keep their sha256)."""

    name: str
    description: str
    lines_per_nation: dict[str, tuple[int, int]] | None = None
    """Unit lines a troop contributor offers, by size class (default `_LINES_PER_NATION`)."""
    sizes: tuple[tuple[str, float], ...] = (("small", 0.50), ("medium", 0.35), ("large", 0.15))
    sector_factor: float = 1.0
    """Sectors, times `sector_count`."""
    demand_factor: float = 1.0
    """Units asked for, times `DEMAND_RATIO`."""
    one_unit_lines: bool = False
    """Each requirement line asks for one unit (or one unit's worth of personnel)."""
    coupling: tuple[int, ...] | None = None
    """Weights of drawing 0..5 coupling red lines (`COUPLING_KINDS`) per troop contributor, the kinds
    drawn at random; None: each kind drawn on its own at the standard rates."""
    earmark_rate: float = 0.35
    coverages: tuple[tuple[float, float], ...] = ((1.0, 0.7), (0.9, 0.3))
    """`funding_coverage` values and their weights."""
    funding_basis: str = "every_line"
    """What the reliable free money is scaled to: `every_line` (the pooled cost of covering every
    line, funding rarely binds) or `witness` (the witness package's pooled cost times the coverage,
    5-15 % above it: money binds)."""
    personnel_measure_rate: float | None = None
    """Share of lines of every capability that count personnel (default: per capability)."""
    personnel_fill: tuple[float, float] = (0.85, 1.1)
    """A personnel line asks for its units' nominal personnel times a draw from this range."""
    share_margin: float = 0.05
    """`max_nation_share` above the witness's largest share (rounded up to this step), at least the
    size's base share unless the family is tight (`tight_targets`)."""
    tight_targets: bool = False
    """`max_nation_share` just above the witness's, every group minimum and `min_nations` at what the
    witness reaches."""


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("standard", "the generator's standard rates"),
        Family(
            "many-lines",
            "few nations, many lines: every troop contributor offers 3-6 unit lines, one-unit requirement lines "
            "in 1.5 times the sectors, 1.3 times the demand",
            lines_per_nation={"small": (3, 4), "medium": (3, 5), "large": (4, 6)},
            sizes=(("small", 0.3), ("medium", 0.4), ("large", 0.3)),
            sector_factor=1.5,
            demand_factor=1.3,
            one_unit_lines=True,
        ),
        Family(
            "heavy-caveats",
            "most troop contributors hold 3-5 coupling red lines (requires_partner, not_alongside, "
            "max_personnel, min_contingent, max_sectors)",
            coupling=(5, 5, 10, 35, 30, 15),
        ),
        Family(
            "tight-funding",
            "80 % of pledges earmarked, funding_coverage 0.6-0.9, the free money 5-15 % above the coverage "
            "of the witness package",
            earmark_rate=0.8,
            coverages=((0.6, 0.2), (0.7, 0.3), (0.8, 0.3), (0.9, 0.2)),
            funding_basis="witness",
        ),
        Family(
            "partial-personnel",
            "80 % of the lines of every capability count personnel, asking 0.55-1.1 of their units' nominal "
            "personnel (partial fills)",
            personnel_measure_rate=0.8,
            personnel_fill=(0.55, 1.1),
        ),
        Family(
            "tight-targets",
            "max_nation_share 0.01 above the witness's, min_nations and every group minimum at the witness's",
            share_margin=0.01,
            tight_targets=True,
        ),
    )
}
"""The scenario families of the tail benchmark (`bench.tail`), by name."""

# Relative weights of what a nation offers, by its size class.
_OFFER_WEIGHTS: dict[str, dict[str, float]] = {
    "small": {
        "hq_staff": 25, "police_trainers": 12, "civil_military": 10, "medical_role2": 8, "eod": 8,
        "military_police": 8, "formed_police_unit": 8, "signals": 6, "engineer": 5, "logistics": 4,
        "infantry": 3, "quick_reaction_force": 2, "isr": 2, "utility_helicopter": 1,
    },
    "medium": {
        "infantry": 14, "formed_police_unit": 10, "hq_staff": 10, "engineer": 9, "military_police": 8,
        "logistics": 8, "medical_role2": 7, "signals": 6, "eod": 6, "quick_reaction_force": 6,
        "police_trainers": 5, "civil_military": 5, "isr": 3, "utility_helicopter": 3,
    },
    "large": {
        "infantry": 25, "engineer": 10, "quick_reaction_force": 8, "logistics": 8, "hq_staff": 8,
        "formed_police_unit": 6, "military_police": 6, "medical_role2": 6, "signals": 6, "isr": 5,
        "utility_helicopter": 5, "eod": 4, "civil_military": 3, "police_trainers": 2,
    },
}  # fmt: skip
_LINES_PER_NATION = {"small": (1, 2), "medium": (1, 3), "large": (2, 4)}
_COUNT_WEIGHTS = {"small": (45, 30, 15, 10), "medium": (35, 35, 20, 10), "large": (25, 35, 25, 15)}
_READINESS_WEIGHTS = (35, 30, 25, 10)
_LATE_ARRIVAL = {0: (0.40, 4), 1: (0.25, 3), 2: (0.15, 2), 3: (0.0, 0)}  # rank: (probability, most months)
_FIRST_PHASE_CAPABILITIES = ("engineer", "eod", "logistics", "police_trainers", "civil_military")
_EARMARKS = (
    "medical_role2", "engineer", "police_trainers", "formed_police_unit",
    "eod", "logistics", "civil_military", "utility_helicopter",
)  # fmt: skip

# name, weight, name endings
_REGIONS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("europe", 0.24, ("ia", "land", "ovia", "enia", "burg", "mark")),
    ("mena", 0.14, ("ar", "iya", "an", "at", "un")),
    ("africa", 0.20, ("ana", "ndi", "we", "ola", "ia", "ssa")),
    ("south_central_asia", 0.12, ("stan", "esh", "abad", "ir")),
    ("southeast_asia", 0.10, ("nesia", "sia", "am", "ao", "pura")),
    ("americas", 0.14, ("ador", "ica", "guay", "ia", "ena")),
    ("pacific", 0.06, ("tu", "ati", "oa", "iki")),
)
_NAME_STARTS = (
    "Al", "Bel", "Cor", "Dal", "Esk", "Fen", "Gal", "Har", "Ist", "Jor", "Kal", "Lor", "Mar", "Nor",
    "Ost", "Pal", "Qar", "Ros", "Sal", "Tar", "Ul", "Val", "Wes", "Yar", "Zan", "Bar", "Ker", "Lun",
    "Mor", "Nes", "Ob", "Per", "Ran", "Sev", "Tor", "Ur", "Ven", "Dor", "Gor", "Hel",
)  # fmt: skip
_NAME_MIDDLES = ("", "a", "e", "i", "o", "an", "en", "ar", "or", "un")
_VETO_PARTIES = ("Host government", "Neighbouring state", "Lead nation", "Board of Peace")


@dataclass(frozen=True)
class Witness:
    """The package the generator built alongside a feasible scenario: proof that one exists.

    Keys are those of `solver.document.Package.of`, so the witness can be checked or given to
    the solver as a hint without this module importing the solver.
    """

    assignment: dict[tuple[str, str], int]
    """Units per (offered unit line's key `NATION/id`, requirement line id): every essential line covered."""
    flows: dict[tuple[str, str], int]
    """US dollars per (pledge's key `NATION/id`, capability): the pooled cost of the assignment, fully paid."""


@dataclass(eq=False)
class _Sector:
    id: str
    index: int
    control: str
    opens: dt.date


@dataclass(eq=False)
class _Nation:
    code: str
    name: str
    region: str
    groups: list[str]
    donor_only: bool = False
    size: str = "small"
    units: list[_Unit] = field(default_factory=list)
    pledges: list[dict[str, Any]] = field(default_factory=list)
    red_lines: list[dict[str, Any]] = field(default_factory=list)
    max_engagement: int | None = None
    allowed_control: tuple[str, ...] | None = None
    sectors_only: frozenset[str] | None = None
    sectors_exclude: frozenset[str] = frozenset()
    not_alongside: bool = False
    requires_partner: bool = False
    min_contingent: bool = False
    mandate_ok: bool = True
    max_personnel: int | None = None
    max_sectors: int | None = None
    veto_units: bool = False
    veto_all: bool = False

    @property
    def slug(self) -> str:
        return self.code.lower()

    @property
    def usable(self) -> bool:
        """Its units can deploy at all: no veto, every mandate condition it names holds."""
        return not (self.veto_units or self.veto_all) and self.mandate_ok

    @property
    def core(self) -> bool:
        """May serve in the witness package: usable, and no red line that couples it to others."""
        return (
            not self.donor_only
            and self.usable
            and not (self.not_alongside or self.requires_partner or self.min_contingent)
        )

    @property
    def reliable_donor(self) -> bool:
        """Its money can always be drawn, whoever else takes part."""
        return not self.veto_all and self.mandate_ok and not (self.not_alongside or self.requires_partner)


@dataclass(eq=False)
class _Unit:
    id: str
    nation: _Nation
    capability: str
    count: int
    personnel: int
    monthly_cost: int
    stated_cost: bool
    self_funded: bool
    start: dt.date
    until: dt.date
    readiness: int
    tiebreak: float


@dataclass(eq=False)
class _Line:
    sector: _Sector
    capability: str
    quantity: int
    measure: str
    engagement: int
    weight: int
    start: dt.date
    until: dt.date
    min_readiness: int | None
    essential: bool
    id: str = ""

    @property
    def months(self) -> int:
        return months_between(self.start, self.until)


def sector_count(nations: int) -> int:
    """Sectors of a generated scenario: 6 at 25 nations, growing to 20 at 500."""
    return max(2, round(6 + 14 * math.log(nations / 25) / math.log(20)))


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.month - 1 + months
    return dt.date(day.year + total // 12, total % 12 + 1, 1)


def _round_up(value: float, step: int) -> int:
    return int(math.ceil(value / step) * step)


class _Builder:
    """Draws one scenario from one random stream; each step below is one part of the file."""

    def __init__(self, nations: int, seed: int, family: Family) -> None:
        self.n = nations
        self.seed = seed
        self.family = family
        self.coverage: float | None = None
        self.rng = random.Random(seed)
        self.nations: list[_Nation] = []
        self.sectors: list[_Sector] = []
        self.lines: list[_Line] = []
        self.vetoes: list[dict[str, Any]] = []
        self.targets: dict[str, Any] = {}
        self.capabilities: list[dict[str, str]] = []
        self.expect: dict[str, Any] | None = None
        self.units_by_capability: dict[str, list[_Unit]] = defaultdict(list)
        # the witness package
        self.left: dict[str, int] = {}
        self.w_personnel: Counter[str] = Counter()
        self.w_sectors: dict[str, Counter[str]] = defaultdict(Counter)
        self.w_units: list[tuple[_Unit, _Line]] = []

    # -- nations -----------------------------------------------------------------------

    def draw_nations(self) -> None:
        rng = self.rng
        used: set[str] = set()
        regions = [r[0] for r in _REGIONS]
        weights = [r[1] for r in _REGIONS]
        endings = {r[0]: r[2] for r in _REGIONS}
        for i in range(1, self.n + 1):
            region = rng.choices(regions, weights)[0]
            name = ""
            for _ in range(50):
                name = rng.choice(_NAME_STARTS) + rng.choice(_NAME_MIDDLES) + rng.choice(endings[region])
                if name not in used:
                    break
            else:
                name = f"{name} {i}"
            used.add(name)
            self.nations.append(_Nation(code=f"N{i:03d}", name=name, region=region, groups=self._groups(region)))

        # money-only donors: Gulf-like nations three times as likely
        k = max(2, round(0.12 * self.n))
        keyed = sorted(
            self.nations,
            key=lambda nat: rng.random() ** (1 / (3.0 if nat.region == "mena" else 1.0)),
            reverse=True,
        )
        for nation in keyed[:k]:
            nation.donor_only = True
        names = [c for c, _ in self.family.sizes]
        size_weights = [w for _, w in self.family.sizes]
        for nation in self.nations:
            if not nation.donor_only:
                nation.size = rng.choices(names, size_weights)[0]

    def _groups(self, region: str) -> list[str]:
        rng = self.rng
        groups: list[str] = []
        if region == "europe":
            eu = rng.random() < 0.6
            if eu:
                groups.append("eu")
            if rng.random() < (0.85 if eu else 0.5):
                groups.append("nato")
            if rng.random() < 0.06:
                groups.append("oic")
        elif region == "mena":
            if rng.random() < 0.85:
                groups += ["arab_league", "oic"]
            elif rng.random() < 0.7:
                groups.append("oic")
            if rng.random() < 0.3:
                groups.append("au")
        elif region == "africa":
            groups.append("au")
            if rng.random() < 0.4:
                groups.append("oic")
        elif region == "south_central_asia":
            if rng.random() < 0.65:
                groups.append("oic")
        elif region == "southeast_asia":
            if rng.random() < 0.9:
                groups.append("asean")
            if rng.random() < 0.3:
                groups.append("oic")
        elif region == "americas":
            groups.append("oas")
            if rng.random() < 0.12:
                groups.append("nato")
        return sorted(groups)

    # -- sectors -----------------------------------------------------------------------

    def draw_sectors(self) -> None:
        rng = self.rng
        count = max(2, round(sector_count(self.n) * self.family.sector_factor))
        hostile = max(1, round(0.2 * count)) if count >= 3 else 0
        secure = max(1, round(0.45 * count))
        contested = count - secure - hostile
        statuses = ["secure"] * (secure - 1) + ["contested"] * contested + ["hostile"] * hostile
        rng.shuffle(statuses)
        statuses.insert(0, "secure")  # the first sector opens first, as Rafah did
        for i, control in enumerate(statuses, start=1):
            if i == 1:
                delay = 0
            elif control == "secure":
                delay = 0 if rng.random() < 0.7 else rng.randint(1, 3)
            elif control == "contested":
                delay = rng.randint(2, 6)
            else:
                delay = rng.randint(6, 12)
            self.sectors.append(_Sector(f"s{i:02d}", i, control, _add_months(HORIZON_START, delay)))

    # -- vetoes ------------------------------------------------------------------------

    def draw_vetoes(self) -> None:
        rng = self.rng
        troops = [nat for nat in self.nations if not nat.donor_only]
        count = max(1, round(0.02 * self.n))
        targets = rng.sample(troops, min(len(troops), count * 2))
        pos = 0
        for i in range(1, count + 1):
            if pos >= len(targets):
                break
            against = targets[pos : pos + (2 if rng.random() < 0.2 else 1)]
            pos += len(against)
            scope = "units" if rng.random() < 0.65 else "all"
            for nat in against:
                nat.veto_units |= scope == "units"
                nat.veto_all |= scope == "all"
            self.vetoes.append(
                {
                    "id": f"v{i:02d}-{against[0].slug}",
                    "by": rng.choice(_VETO_PARTIES),
                    "against": [nat.code for nat in against],
                    "scope": scope,
                    "note": "objects to any military role" if scope == "units" else "objects to any role at all",
                }
            )

    # -- offers ------------------------------------------------------------------------

    def draw_offers(self) -> None:
        for nation in self.nations:
            if not nation.donor_only:
                self._units(nation)
        # the first donor attaches no condition and pledges un-earmarked money: funding never fails
        anchor = next(nat for nat in self.nations if nat.donor_only)
        for nation in self.nations:
            self._red_lines(nation, anchor=nation is anchor)
        for nation in self.nations:
            self._pledges(nation, anchor=nation is anchor)

    def _units(self, nation: _Nation) -> None:
        rng = self.rng
        weights = _OFFER_WEIGHTS[nation.size]
        caps = list(weights)
        lo, hi = (self.family.lines_per_nation or _LINES_PER_NATION)[nation.size]
        chosen: list[str] = []
        for _ in range(rng.randint(lo, hi)):
            pool = [c for c in caps if c not in chosen]
            chosen.append(rng.choices(pool, [weights[c] for c in pool])[0])
        rich = bool({"eu", "nato"} & set(nation.groups))
        for cap in sorted(chosen, key=list(PROFILES).index):
            p = PROFILES[cap]
            count = rng.choices((1, 2, 3, 4), _COUNT_WEIGHTS[nation.size])[0]
            lo_pers, hi_pers = p.personnel
            personnel = lo_pers if lo_pers == hi_pers else rng.randrange(lo_pers, hi_pers + 1, p.step)
            default_cost = personnel * PERSONNEL_RATE_USD
            stated = False
            monthly = default_cost
            if p.equipment_usd != (0, 0):
                monthly = default_cost + _round_up(rng.uniform(*p.equipment_usd), 1000)
                stated = True
            elif rng.random() < 0.15:
                monthly = _round_up(default_cost * rng.uniform(1.05, 1.35), 100)
                stated = True
            readiness = rng.choices(range(4), _READINESS_WEIGHTS)[0]
            chance, most = _LATE_ARRIVAL[readiness]
            start = HORIZON_START
            if rng.random() < chance:
                start = _add_months(HORIZON_START, rng.randint(1, most))
            until = FIRST_PHASE_END if rng.random() < 0.06 else HORIZON_END
            unit = _Unit(
                id=f"{nation.slug}-{cap}",
                nation=nation,
                capability=cap,
                count=count,
                personnel=personnel,
                monthly_cost=monthly,
                stated_cost=stated,
                self_funded=rng.random() < (0.25 if rich else 0.05),
                start=start,
                until=until,
                readiness=readiness,
                tiebreak=rng.random(),
            )
            nation.units.append(unit)
            self.units_by_capability[cap].append(unit)
            self.left[unit.id] = count

    def _red_lines(self, nation: _Nation, *, anchor: bool) -> None:
        rng = self.rng
        add = nation.red_lines.append
        slug = nation.slug
        others = [nat for nat in self.nations if nat is not nation]
        if nation.donor_only:
            if anchor:
                return
            if rng.random() < 0.20:
                self._requires_mandate(nation)
            if rng.random() < 0.05:
                self._not_alongside(nation, others)
            return
        offered = sum(u.count * u.personnel for u in nation.units)
        smallest = min(u.personnel for u in nation.units)
        chosen: set[str] | None = None
        if self.family.coupling is not None:
            k = rng.choices(range(len(self.family.coupling)), self.family.coupling)[0]
            chosen = set(rng.sample(COUPLING_KINDS, min(k, len(COUPLING_KINDS))))

        def coupled(kind: str, rate: float) -> bool:
            # The standard family draws each kind on its own (the stream it always drew).
            return rng.random() < rate if chosen is None else kind in chosen

        if rng.random() < 0.60:
            level = rng.choices((1, 2, 0), (45, 45, 10))[0]
            nation.max_engagement = level
            note = {0: "support tasks only", 1: "no direct combat with armed groups", 2: "no forcible disarmament"}
            add({"id": f"{slug}-max-engagement", "kind": "max_engagement", "level": level, "note": note[level]})
        if rng.random() < 0.30:
            statuses = ("secure",) if rng.random() < 0.65 else ("secure", "contested")
            nation.allowed_control = statuses
            add(
                {
                    "id": f"{slug}-allowed-control",
                    "kind": "allowed_control",
                    "statuses": list(statuses),
                    "note": "no deployment where an armed group holds effective control",
                }
            )
        if rng.random() < 0.10:
            ids = [s.id for s in self.sectors]
            if rng.random() < 0.6 or len(ids) < 3:
                only = sorted(rng.sample(ids, rng.randint(1, min(3, max(1, len(ids) - 1)))))
                nation.sectors_only = frozenset(only)
                add({"id": f"{slug}-sectors", "kind": "sectors", "only": only})
            else:
                exclude = sorted(rng.sample(ids, rng.randint(1, min(2, len(ids) - 1))))
                nation.sectors_exclude = frozenset(exclude)
                add({"id": f"{slug}-sectors", "kind": "sectors", "exclude": exclude})
        if coupled("not_alongside", 0.05):
            self._not_alongside(nation, others)
        if coupled("requires_partner", 0.05):
            nation.requires_partner = True
            members = self.group_members
            groups = [g for g in nation.groups if len(members[g]) > 1]
            if groups and rng.random() < 0.6:
                group = rng.choice(groups)
                least = rng.randint(1, min(3, len(members[group]) - 1))
                add({"id": f"{slug}-requires-partner", "kind": "requires_partner", "group": group, "min": least})
            else:
                # Heavy caveats name troop contributors (a donor named as a partner never contributes units).
                pool = others if chosen is None else [nat for nat in others if not nat.donor_only]
                partners = sorted(nat.code for nat in rng.sample(pool, min(len(pool), rng.randint(1, 3))))
                add({"id": f"{slug}-requires-partner", "kind": "requires_partner", "nations": partners, "min": 1})
        if rng.random() < 0.15:
            self._requires_mandate(nation)
        limit: int | None = None
        if coupled("max_personnel", 0.10):
            limit = max(smallest, _round_up(offered * rng.uniform(0.5, 0.8), 10))
            nation.max_personnel = limit
            add({"id": f"{slug}-max-personnel", "kind": "max_personnel", "limit": limit})
        if coupled("min_contingent", 0.10):
            least = offered if rng.random() < 0.2 else max(smallest, _round_up(offered * rng.uniform(0.25, 0.6), 10))
            if limit is not None:
                least = min(least, limit)
            nation.min_contingent = True
            add({"id": f"{slug}-min-contingent", "kind": "min_contingent", "personnel": least})
        if coupled("max_sectors", 0.10):
            count = 1 if rng.random() < 0.6 else 2
            nation.max_sectors = count
            add({"id": f"{slug}-max-sectors", "kind": "max_sectors", "count": count})

    def _requires_mandate(self, nation: _Nation) -> None:
        rng = self.rng
        if rng.random() < 0.85:
            conditions = sorted(rng.sample(_TRUE_CONDITIONS, rng.randint(1, 2)))
        else:
            conditions = sorted([rng.choice(_TRUE_CONDITIONS), rng.choice(_FALSE_CONDITIONS)])
            nation.mandate_ok = False
        nation.red_lines.append(
            {"id": f"{nation.slug}-requires-mandate", "kind": "requires_mandate", "conditions": conditions}
        )

    def _not_alongside(self, nation: _Nation, others: list[_Nation]) -> None:
        rng = self.rng
        nation.not_alongside = True
        named = sorted(nat.code for nat in rng.sample(others, min(len(others), rng.randint(1, 2))))
        scope = "force" if nation.donor_only or rng.random() < 0.6 else "sector"
        nation.red_lines.append(
            {"id": f"{nation.slug}-not-alongside", "kind": "not_alongside", "nations": named, "scope": scope}
        )

    def _pledges(self, nation: _Nation, *, anchor: bool) -> None:
        rng = self.rng
        if nation.donor_only:
            count, median = (2 if rng.random() < 0.3 else 1), 150e6
        elif rng.random() < 0.20:
            count, median = 1, 15e6
        else:
            return
        for k in range(1, count + 1):
            raw = median * math.exp(rng.gauss(0.0, 0.8))
            pledge: dict[str, Any] = {"id": f"{nation.slug}-fund-{k}", "amount_usd": raw}
            if rng.random() < self.family.earmark_rate and not (anchor and k == 1):
                pledge["earmark"] = sorted(rng.sample(_EARMARKS, rng.randint(1, 3)), key=list(PROFILES).index)
            nation.pledges.append(pledge)

    @property
    def group_members(self) -> dict[str, list[str]]:
        members: dict[str, list[str]] = defaultdict(list)
        for nation in self.nations:
            for group in nation.groups:
                members[group].append(nation.code)
        return members

    # -- requirements ------------------------------------------------------------------

    def draw_requirements(self) -> None:
        rng = self.rng
        for cap, p in PROFILES.items():
            supply = sum(u.count for u in self.units_by_capability[cap])
            demand = round(DEMAND_RATIO[p.scarce] * self.family.demand_factor * supply)
            if p.scarce and demand == 0:
                demand = 1  # an enabler nobody offers: the line stays empty
            sizes: list[int] = []
            while demand > 0:
                size = min(demand, 1 if self.family.one_unit_lines else rng.choice(p.line_units))
                sizes.append(size)
                demand -= size
            weights = [p.sector_weights[CONTROLS.index(s.control)] for s in self.sectors]
            for i, size in enumerate(sizes):
                if cap in ("infantry", "hq_staff") and i < len(self.sectors):
                    sector = self.sectors[i]  # every sector gets a headquarters and infantry first
                else:
                    sector = rng.choices(self.sectors, weights)[0]
                self.lines.append(self._line(cap, p, sector, size))
        # readable order and ids: by sector, then capability, numbered per (sector, capability)
        order = list(PROFILES)
        self.lines.sort(key=lambda ln: (ln.sector.index, order.index(ln.capability)))
        numbers: Counter[tuple[str, str]] = Counter()
        for line in self.lines:
            numbers[line.sector.id, line.capability] += 1
            line.id = f"{line.sector.id}-{line.capability}-{numbers[line.sector.id, line.capability]}"

    def _line(self, cap: str, p: _Profile, sector: _Sector, size: int) -> _Line:
        rng = self.rng
        rate = self.family.personnel_measure_rate
        if rate is None:
            rate = p.personnel_measure_rate
        measure = "personnel" if rng.random() < rate else "units"
        quantity = size
        if measure == "personnel":
            step = 50 if p.nominal >= 500 else 10 if p.nominal >= 100 else 5
            quantity = _round_up(size * p.nominal * rng.uniform(*self.family.personnel_fill), step)
        until = HORIZON_END
        if cap in _FIRST_PHASE_CAPABILITIES and sector.opens <= dt.date(2026, 9, 1) and rng.random() < 0.12:
            until = FIRST_PHASE_END
        min_readiness: int | None = None
        if cap == "quick_reaction_force" and rng.random() < 0.33:
            min_readiness = 3
        elif rng.random() < 0.20:
            min_readiness = rng.choices((1, 2, 3), (65, 30, 5))[0]
        return _Line(
            sector=sector,
            capability=cap,
            quantity=quantity,
            measure=measure,
            engagement=self._engagement(cap, sector.control),
            weight=rng.randint(3, 5) if p.scarce else rng.randint(1, 3),
            start=sector.opens,
            until=until,
            min_readiness=min_readiness,
            essential=False,
        )

    def _engagement(self, cap: str, control: str) -> int:
        rng = self.rng
        roll = rng.random()
        if cap == "infantry":
            if control == "secure":
                return 1
            if control == "contested":
                return 2 if roll < 0.7 else 1
            return 3 if roll < 0.35 else 2
        if cap == "quick_reaction_force":
            if control == "hostile":
                return 3 if roll < 0.6 else 2
            return 3 if control == "contested" and roll < 0.4 else 2
        if cap == "formed_police_unit":
            return 2 if roll < 0.6 else 1
        if cap == "military_police":
            return 2 if control != "secure" and roll < 0.5 else 1
        if cap == "isr":
            return 1
        if cap in ("eod", "civil_military", "utility_helicopter"):
            return 1 if roll < 0.3 else 0
        return 0

    # -- the witness package -----------------------------------------------------------

    @staticmethod
    def fits(unit: _Unit, line: _Line) -> bool:
        """Rules 1-4 of a package: capability, window, readiness, and the nation's filtering red lines."""
        nation = unit.nation
        return (
            unit.capability == line.capability
            and unit.start <= line.start
            and unit.until >= line.until
            and (line.min_readiness is None or unit.readiness >= line.min_readiness)
            and (nation.max_engagement is None or line.engagement <= nation.max_engagement)
            and (nation.allowed_control is None or line.sector.control in nation.allowed_control)
            and (nation.sectors_only is None or line.sector.id in nation.sectors_only)
            and line.sector.id not in nation.sectors_exclude
        )

    def choose_essential(self) -> None:
        """Make 30-40 % of lines essential, each only where supply has slack and the witness covers it.

        Lines are tried in a random order weighted by their capability's essential rate, so
        headquarters, infantry and medical lines are essential most often.
        """
        rng = self.rng
        target = round(len(self.lines) * rng.uniform(0.30, 0.40))
        order = sorted(
            self.lines, key=lambda ln: rng.random() ** (1 / PROFILES[ln.capability].essential_rate), reverse=True
        )
        essential = 0
        for line in order:
            if essential >= target:
                break
            fitting = [u for u in self.units_by_capability[line.capability] if u.nation.usable and self.fits(u, line)]
            capacity = sum(u.count * (u.personnel if line.measure == "personnel" else 1) for u in fitting)
            line.essential = capacity >= 1.5 * line.quantity and self._cover(line, fitting)
            essential += line.essential

    def _cover(self, line: _Line, fitting: list[_Unit]) -> bool:
        pool = [u for u in fitting if u.nation.core]
        taken: list[_Unit] = []
        need = line.quantity
        while need > 0:
            best: _Unit | None = None
            best_key: tuple[int, float] = (0, 0.0)
            for unit in pool:
                if self.left[unit.id] == 0 or not self._nation_accepts(unit, line):
                    continue
                key = (self.w_personnel[unit.nation.code], unit.tiebreak)
                if best is None or key < best_key:
                    best, best_key = unit, key
            if best is None:
                for unit in taken:
                    self._release(unit, line)
                return False
            self._take(best, line)
            taken.append(best)
            need -= best.personnel if line.measure == "personnel" else 1
        self.w_units.extend((unit, line) for unit in taken)
        return True

    def _nation_accepts(self, unit: _Unit, line: _Line) -> bool:
        nation = unit.nation
        if nation.max_personnel is not None and self.w_personnel[nation.code] + unit.personnel > nation.max_personnel:
            return False
        sectors = self.w_sectors[nation.code]
        return nation.max_sectors is None or line.sector.id in sectors or len(sectors) < nation.max_sectors

    def _take(self, unit: _Unit, line: _Line) -> None:
        self.left[unit.id] -= 1
        self.w_personnel[unit.nation.code] += unit.personnel
        self.w_sectors[unit.nation.code][line.sector.id] += 1

    def _release(self, unit: _Unit, line: _Line) -> None:
        self.left[unit.id] += 1
        self.w_personnel[unit.nation.code] -= unit.personnel
        sectors = self.w_sectors[unit.nation.code]
        sectors[line.sector.id] -= 1
        if sectors[line.sector.id] == 0:
            del sectors[line.sector.id]

    # -- funding and targets -----------------------------------------------------------

    def scale_funding(self) -> None:
        """Scale every pledge so that reliable free money exceeds the pooled cost of all lines."""
        rng = self.rng
        dearest: dict[str, int] = {}
        per_person: dict[str, float] = {}
        largest: dict[str, int] = {}
        offering_everything = 0
        for cap, units in self.units_by_capability.items():
            pooled = [u for u in units if not u.self_funded]
            if pooled:
                dearest[cap] = max(u.monthly_cost for u in pooled)
                per_person[cap] = max(u.monthly_cost / u.personnel for u in pooled)
                largest[cap] = max(u.personnel for u in pooled)
                offering_everything += sum(u.count * u.monthly_cost for u in pooled) * HORIZON_MONTHS
        every_line = 0.0
        for line in self.lines:
            if line.capability not in dearest:
                continue
            if line.measure == "units":
                every_line += line.quantity * dearest[line.capability] * line.months
            else:
                covered = line.quantity + largest[line.capability]
                every_line += covered * per_person[line.capability] * line.months
        witness = sum(u.monthly_cost * line.months for u, line in self.w_units if not u.self_funded)
        needed = max(min(every_line, offering_everything), witness, 1e6) * rng.uniform(1.05, 1.25)
        if self.family.funding_basis == "witness":
            # Money binds: the free money just covers the witness's share that the coverage asks.
            values = [c for c, _ in self.family.coverages]
            self.coverage = rng.choices(values, [w for _, w in self.family.coverages])[0]
            needed = max(witness * self.coverage, 1e6) * rng.uniform(1.05, 1.15)
        reliable = sum(
            p["amount_usd"] for nat in self.nations if nat.reliable_donor for p in nat.pledges if "earmark" not in p
        )
        factor = needed / reliable
        for nation in self.nations:
            for pledge in nation.pledges:
                pledge["amount_usd"] = max(1, math.ceil(pledge["amount_usd"] * factor / 1e6)) * 1_000_000

    def witness(self) -> Witness:
        """The witness package, paid from the un-earmarked pledges of donors who can always take part."""
        assignment: Counter[tuple[str, str]] = Counter(
            (offer_key(u.nation.code, u.id), line.id) for u, line in self.w_units
        )
        pooled: Counter[str] = Counter()
        for unit, line in self.w_units:
            if not unit.self_funded:
                pooled[unit.capability] += unit.monthly_cost * line.months
        free = [
            (offer_key(nat.code, p["id"]), p["amount_usd"])
            for nat in self.nations
            if nat.reliable_donor
            for p in nat.pledges
            if "earmark" not in p
        ]
        flows: dict[tuple[str, str], int] = {}
        for cap in (c for c in PROFILES if pooled[c] > 0):
            due = pooled[cap]
            for i, (pledge, left) in enumerate(free):
                if due == 0:
                    break
                paid = min(due, left)
                if paid:
                    flows[pledge, cap] = paid
                    free[i] = (pledge, left - paid)
                    due -= paid
        return Witness(dict(sorted(assignment.items())), dict(sorted(flows.items())))

    def set_targets(self) -> None:
        rng = self.rng
        asked = sum(
            ln.quantity if ln.measure == "personnel" else ln.quantity * PROFILES[ln.capability].nominal
            for ln in self.lines
        )
        total = sum(self.w_personnel.values())
        contributing = [code for code, pers in self.w_personnel.items() if pers > 0]
        troops = sum(1 for nat in self.nations if not nat.donor_only)
        share = max(self.w_personnel.values(), default=0) / total if total else 0.0
        base_share = min(0.5, max(0.15, 0.35 - 0.2 * math.log(self.n / 25) / math.log(20)))
        targets: dict[str, Any] = {"max_personnel": max(_round_up(0.85 * asked, 500), _round_up(1.25 * total, 500))}
        least = min(round(0.25 * troops), len(contributing))
        if least > 0:
            targets["min_nations"] = least
        by_code = {nat.code: nat for nat in self.nations}
        in_witness: Counter[str] = Counter(g for code in contributing for g in by_code[code].groups)
        third = rng.choice(("asean", "au", "eu", "nato"))
        desired = {
            "oic": max(2, round(0.06 * self.n)),
            "arab_league": max(1, round(0.03 * self.n)),
            third: max(1, round(0.02 * self.n)),
        }
        minimums = {g: min(want, in_witness[g]) for g, want in desired.items() if in_witness[g] > 0}
        if minimums:
            targets["group_minimums"] = dict(sorted(minimums.items()))
        if self.family.tight_targets:
            # Tight: the witness's own counts, and its largest share with a hair of room.
            if contributing:
                targets["min_nations"] = len(contributing)
            tight = {g: in_witness[g] for g in desired if in_witness[g] > 0}
            if tight:
                targets["group_minimums"] = dict(sorted(tight.items()))
        margin = self.family.share_margin
        floor = 0.0 if self.family.tight_targets else round(base_share / 0.05) * 0.05
        targets["max_nation_share"] = round(min(1.0, max(floor, _round_up_share(share, margin))), 2)
        coverages = self.family.coverages
        drawn = rng.choices([c for c, _ in coverages], [w for _, w in coverages])[0]
        targets["funding_coverage"] = self.coverage if self.coverage is not None else drawn
        self.targets = targets

    # -- the planted conflict ----------------------------------------------------------

    def plant_conflict(self) -> None:
        """An essential line only a nation barred from its sector (by `allowed_control`) could fill."""
        rng = random.Random(self.seed * 7919 + 104_729)  # its own stream: the rest stays identical
        troops = [nat for nat in self.nations if not nat.donor_only]
        preferred = [nat for nat in troops if nat.core and nat.allowed_control and not nat.sectors_only]
        pick: tuple[_Nation, _Sector] | None = None
        for nation in preferred:
            barred = [
                s
                for s in self.sectors
                if s.control not in (nation.allowed_control or ()) and s.id not in nation.sectors_exclude
            ]
            if barred:
                contested = [s for s in barred if s.control == "contested"]
                pick = (nation, rng.choice(contested or barred))
                break
        if pick is None:  # nobody is secure-only: make one troop contributor so
            pool = (
                [nat for nat in troops if nat.core and not nat.sectors_only]
                or [nat for nat in troops if nat.usable and not nat.sectors_only]
                or troops
            )
            nation = pool[0]
            nation.allowed_control = ("secure",)
            nation.red_lines = [r for r in nation.red_lines if r["kind"] != "allowed_control"]
            nation.red_lines.append(
                {"id": f"{nation.slug}-allowed-control", "kind": "allowed_control", "statuses": ["secure"]}
            )
            barred = [s for s in self.sectors if s.control != "secure" and s.id not in nation.sectors_exclude]
            contested = [s for s in barred if s.control == "contested"]
            pick = (nation, rng.choice(contested or barred or self.sectors))
        nation, sector = pick
        self.capabilities.append({"id": PLANTED_CAPABILITY, "name": "Counter-drone (C-UAS) team"})
        unit = _Unit(
            id=f"{nation.slug}-{PLANTED_CAPABILITY}",
            nation=nation,
            capability=PLANTED_CAPABILITY,
            count=1,
            personnel=45,
            monthly_cost=45 * PERSONNEL_RATE_USD,
            stated_cost=False,
            self_funded=False,
            start=HORIZON_START,
            until=HORIZON_END,
            readiness=1,
            tiebreak=0.0,
        )
        nation.units.append(unit)
        line = _Line(
            sector=sector,
            capability=PLANTED_CAPABILITY,
            quantity=1,
            measure="units",
            engagement=0,
            weight=1,
            start=sector.opens,
            until=HORIZON_END,
            min_readiness=None,
            essential=True,
            id=f"{sector.id}-{PLANTED_CAPABILITY}-1",
        )
        last = max((i for i, ln in enumerate(self.lines) if ln.sector is sector), default=len(self.lines) - 1)
        self.lines.insert(last + 1, line)
        red_line = next(r["id"] for r in nation.red_lines if r["kind"] == "allowed_control")
        self.expect = {"status": "infeasible", "conflict": [line.id, red_line]}

    # -- the file ----------------------------------------------------------------------

    def to_dict(self, *, infeasible: bool) -> dict[str, Any]:
        suffix = "-infeasible" if infeasible else ""
        standard = self.family.name == "standard"
        kind = "" if standard else f"{self.family.name}-"
        of = "" if standard else f" ({self.family.name})"
        data: dict[str, Any] = {
            "schema": "forcepack.scenario/1",
            "id": f"gen-{kind}n{self.n:03d}-s{self.seed}{suffix}",
            "name": (
                f"Generated coalition{of}: {self.n} nations, seed {self.seed}{' (infeasible)' if infeasible else ''}"
            ),
            "description": (
                "Synthetic scenario from bench/generator.py; nations, names and figures are invented."
                + ("" if standard else f" Family `{self.family.name}`: {self.family.description}.")
                + (" One conflict is planted: see `expect`." if infeasible else "")
            ),
            "illustrative": True,
            "horizon": {"start": HORIZON_START, "end": HORIZON_END},
            "cost": {"personnel_rate_usd": PERSONNEL_RATE_USD},
            "mandate": dict(MANDATE),
            "capabilities": self.capabilities,
            "sectors": [{"id": s.id, "name": f"Sector {s.index:02d}", "control": s.control} for s in self.sectors],
            "requirements": [self._line_dict(ln) for ln in self.lines],
            "nations": [{"code": nat.code, "name": nat.name, "groups": nat.groups} for nat in self.nations],
            "offers": [self._offer_dict(nat) for nat in self.nations],
            "vetoes": self.vetoes,
            "targets": self.targets,
            "objective": ["shortfall", "cost", "nations"],
        }
        if self.expect is not None:
            data["expect"] = self.expect
        return data

    @staticmethod
    def _line_dict(line: _Line) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": line.id,
            "sector": line.sector.id,
            "capability": line.capability,
            "quantity": line.quantity,
            "measure": line.measure,
            "priority": "essential" if line.essential else "desirable",
            "engagement": line.engagement,
        }
        if not line.essential:
            out["weight"] = line.weight
        if line.start != HORIZON_START:
            out["needed_from"] = line.start
        if line.until != HORIZON_END:
            out["needed_until"] = line.until
        if line.min_readiness is not None:
            out["min_readiness"] = READINESS[line.min_readiness]
        return out

    @staticmethod
    def _offer_dict(nation: _Nation) -> dict[str, Any]:
        units = []
        for u in nation.units:
            unit: dict[str, Any] = {
                "id": u.id,
                "capability": u.capability,
                "count": u.count,
                "personnel": u.personnel,
                "readiness": READINESS[u.readiness],
            }
            if u.stated_cost:
                unit["monthly_cost_usd"] = u.monthly_cost
            if u.self_funded:
                unit["self_funded"] = True
            if u.start != HORIZON_START:
                unit["available_from"] = u.start
            if u.until != HORIZON_END:
                unit["available_until"] = u.until
            units.append(unit)
        return {"nation": nation.code, "units": units, "funding": nation.pledges, "red_lines": nation.red_lines}


def _round_up_share(share: float, margin: float = 0.05) -> float:
    """The witness's largest share plus room, rounded up to a multiple of the margin (0.05)."""
    return math.ceil((share + margin) / margin - 1e-9) * margin


def generate(nations: int, seed: int, *, infeasible: bool = False, family: str = "standard") -> Scenario:
    """A synthetic coalition scenario of `nations` nations, the same for the same seed.

    Parameters
    ----------
    nations
        How many nations take part in the force generation (at least `MIN_NATIONS`);
        the benchmark uses 25, 70, 200 and 500.
    seed
        Seed of the random stream; the same arguments give the same scenario.
    infeasible
        Plant one recognisable conflict (an essential line only a nation barred from its
        sector could fill) in the otherwise identical scenario; `expect` names it.
    family
        A name of `FAMILIES`: the rates the scenario is drawn with (default the standard ones).

    Returns
    -------
    Scenario
        Validated; feasible by construction unless `infeasible`.
    """
    return generate_with_witness(nations, seed, infeasible=infeasible, family=family)[0]


def generate_with_witness(
    nations: int, seed: int, *, infeasible: bool = False, family: str = "standard"
) -> tuple[Scenario, Witness]:
    """`generate`, with the package that proves the scenario feasible (before any planted conflict).

    The witness covers every essential line and meets every red line, veto and target; it
    is built greedily, not optimised. In the infeasible variant it leaves the planted line
    uncovered.
    """
    if nations < MIN_NATIONS:
        raise ValueError(f"Expected nations >= {MIN_NATIONS}, got {nations}.")
    if family not in FAMILIES:
        raise ValueError(f"Expected a family of {', '.join(FAMILIES)}, got {family!r}.")
    builder = _Builder(nations, seed, FAMILIES[family])
    builder.draw_nations()
    builder.draw_sectors()
    builder.draw_vetoes()
    builder.draw_offers()
    builder.draw_requirements()
    builder.choose_essential()
    builder.scale_funding()
    builder.set_targets()
    if infeasible:
        builder.plant_conflict()
    data = builder.to_dict(infeasible=infeasible)
    scenario = parse_scenario(data, f"generated(nations={nations}, seed={seed}, family={family})")
    return scenario, builder.witness()


def summary(scenario: Scenario) -> Summary:
    """Sizes of a scenario, as the benchmark reports them."""
    units = [u for o in scenario.offers for u in o.units]
    pledges = [p for o in scenario.offers for p in o.funding]
    return {
        "nations": len(scenario.nations),
        "sectors": len(scenario.sectors),
        "requirement_lines": len(scenario.requirements),
        "essential_lines": sum(1 for r in scenario.requirements if r.priority == "essential"),
        "unit_lines": len(units),
        "offered_units": sum(u.count for u in units),
        "offered_personnel": sum(u.count * u.personnel for u in units),
        "pledges": len(pledges),
        "pledged_usd": sum(p.amount_usd for p in pledges),
        "red_lines": sum(len(o.red_lines) for o in scenario.offers),
        "vetoes": len(scenario.vetoes),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench.generator --nations 70 --seed 1 > file.json`: write one scenario as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.generator", description=__doc__.splitlines()[0])
    parser.add_argument("--nations", type=int, required=True, help=f"how many nations (at least {MIN_NATIONS})")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random stream (default 1)")
    parser.add_argument("--infeasible", action="store_true", help="plant one recognisable conflict")
    parser.add_argument("--family", choices=list(FAMILIES), default="standard", help="scenario family")
    parser.add_argument("--summary", action="store_true", help="print the sizes instead of the scenario")
    args = parser.parse_args(argv)
    if args.nations < MIN_NATIONS:
        parser.error(f"--nations: expected at least {MIN_NATIONS}, got {args.nations}")
    scenario = generate(args.nations, args.seed, infeasible=args.infeasible, family=args.family)
    if args.summary:
        sys.stdout.write("\n".join(f"{k}: {v}" for k, v in summary(scenario).items()) + "\n")
    else:
        sys.stdout.write(scenario.model_dump_json(by_alias=True, exclude_none=True, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
