"""The largest figures a scenario may hold, and why: the solver counts personnel and dollars in
64-bit integers, so every sum and product it forms must stay below 2^63 (about 9.2e18).

Each limit is far beyond any real force (the largest coalition offers are tens of thousands of
personnel and billions of dollars), yet together they prove the point: with at most
`MAX_NATIONS` offers, each within `MAX_OFFER_PERSONNEL`, `MAX_OFFER_COST_USD` and
`MAX_OFFER_PLEDGES_USD`, the whole scenario offers at most 1e9 personnel, 1e15 dollars of unit
costs and 1e16 dollars of pledges, and the largest sum the model forms stays below 3e18. `tests/test_limits.py`
builds scenarios at these limits and asserts that CP-SAT accepts every model and that solving
answers.

A figure past its limit is refused when the scenario (file, request or patch) is validated, with
the field's path; docs/service.md lists them.
"""

from __future__ import annotations

MAX_NATIONS = 1_000
"""Nations a scenario lists (and so offers it holds)."""
MAX_SECTORS = 1_000
MAX_REQUIREMENTS = 10_000
MAX_CAPABILITIES = 1_000
"""Capabilities a scenario declares beyond the built-in ones."""
MAX_OFFER_ITEMS = 1_000
"""Unit lines, pledges and red lines of one offer (each)."""
MAX_VETOES = 1_000
MAX_MANDATE_CONDITIONS = 1_000
MAX_NAMES = 1_000
"""Names in one list of a scenario part: a nation's groups, a veto's nations, a red line's nations,
sectors, statuses or conditions, a pledge's earmark."""

MAX_UNIT_COUNT = 10_000
"""Identical units on one offered unit line."""
MAX_UNIT_PERSONNEL = 100_000
"""Personnel of one unit."""
MAX_MONTHLY_COST_USD = 10**10
"""Monthly cost of one unit."""
MAX_PLEDGE_USD = 10**13
"""One pledge."""
MAX_QUANTITY = 10**7
"""Quantity of one requirement line (units or personnel)."""
MAX_PERSONNEL_FIGURE = 10**9
"""A personnel figure of a red line or target (a ceiling, a minimum contingent)."""
MAX_COUNT_FIGURE = MAX_NATIONS
"""A count of nations in a red line or target (partners, nations, group members)."""
MAX_SECTOR_COUNT = MAX_SECTORS
"""The `count` of a `max_sectors` red line."""
MAX_RELAX_COST = 10**6
"""How hard an element is to relax (relaxations add these up)."""
MAX_WEIGHT = 10**4
"""Weight of a desirable line."""
MAX_RATE_USD = 10**6
"""Personnel rate per person per month."""
MAX_HORIZON_DAYS = 36_525
"""A horizon of at most 100 years (1,200 months): a mandate is planned a year or two at a time."""
MAX_BUCKETS = 520
"""Time buckets of a phased scenario: ten years of weeks."""
MAX_TRANSIT_DAYS = 3_650
"""A unit's transit to theatre, in days."""
MAX_TOUR_MONTHS = 1_200
"""A unit's tour, in months."""
MAX_THROUGHPUT = 10**9
"""Personnel or tons a node of entry carries a day."""
MAX_LIFT_TONS = 10**6
"""Tons of cargo one unit moves with."""

MAX_OFFER_PERSONNEL = 10**6
"""Personnel one offer holds in all: the sum over its unit lines of count x personnel."""
MAX_OFFER_COST_USD = 10**12
"""What one offer's units would cost if every one served the whole horizon: the sum over its unit
lines of count x monthly cost x months of the horizon."""
MAX_OFFER_PLEDGES_USD = 10**13
"""One offer's pledges together."""

SHARE_MAX_DENOMINATOR = 10**9
"""`max_nation_share` is written with at most nine decimals, and taken exactly as written."""
COVERAGE_MAX_DENOMINATOR = 10**6
"""`funding_coverage` is written with at most six decimals (0.99995), and taken exactly as written."""
