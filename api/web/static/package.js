// A package (the solution document, forcepack.solution/1) as a planner reads it: status, the
// coverage matrix, contributions per nation, the funding balance, the assignments, and when no
// package exists the explanation. Every field may be absent (the API redacts by role): the
// views show what is there.
//
// The views take `options`: `prefix` goes before every test id (a package shown inside another
// view, e.g. the best effort inside an explanation, keeps ids apart), `bestEffort` labels a package
// as the best that can be had rather than an answer, `tryWayOut(relaxation)` (coordinators only)
// runs a way out's patch as a what-if, `askWhyNot(subject)` (coordinators only) asks why-not of a
// nation, an offered unit (`NATION/id`) or a requirement line clicked in the package, and `marks`
// ([{date, label}]) are dates drawn across a phased package's timeline (timeline.js).

import { dec, facts, h, num, pct, s, signed, sortableTable, sr, table, usd } from "./dom.js";
import { timelineView } from "./timeline.js";

const CONFLICT_WORDS = {
  requirement: "requirement",
  red_line: "red line",
  veto: "veto",
  target: "target",
  mandate: "mandate condition",
  funding: "funding",
  availability: "availability",
  node: "node of entry",
  tour: "tour",
};

const STATUS_WORDS = {
  optimal: "Optimal: the best package, proven",
  feasible: "Feasible: a package, not proven the best within the time limit",
  infeasible: "Infeasible: no package meets every requirement and condition",
  unknown: "Unknown: no answer within the time limit",
};

/**
 * Names of nations, sectors and capabilities from the scenario (codes where it says nothing): a
 * capability is named as the scenario declares it (`capabilities: [{id, name}]`), else by its id
 * as written (`hq_staff`), never re-cased.
 */
export function namesOf(scenario) {
  const nations = new Map((scenario?.nations || []).map((n) => [n.code, n.name || n.code]));
  const sectors = new Map((scenario?.sectors || []).map((x) => [x.id, x]));
  const capabilities = new Map((scenario?.capabilities || []).filter((c) => c.name).map((c) => [c.id, c.name]));
  return {
    nation: (code) => nations.get(code) || code,
    sector: (id) => sectors.get(id)?.name || id,
    control: (id) => sectors.get(id)?.control,
    capability: (id) => capabilities.get(id) || String(id),
  };
}

/** The scenario's capabilities in a stable order: its requirement lines' order, then those it declares. */
function scenarioCapabilities(scenario) {
  const order = [];
  const add = (c) => c && !order.includes(c) && order.push(c);
  (scenario?.requirements || []).forEach((r) => add(r.capability));
  (scenario?.capabilities || []).forEach((c) => add(c.id));
  return order;
}

/** Capabilities in a stable order: the scenario's, then any other a package names. */
function capabilityOrder(scenario, solution) {
  const order = scenarioCapabilities(scenario);
  const add = (c) => c && !order.includes(c) && order.push(c);
  (solution?.coverage || []).forEach((c) => add(c.capability));
  (solution?.assignments || []).forEach((a) => add(a.capability));
  return order;
}

/** An OKLCH colour as sRGB hex, its chroma lowered until it fits in sRGB. */
function oklchHex(lightness, chroma, hue) {
  const angle = (hue * Math.PI) / 180;
  for (let c = chroma; ; c -= 0.005) {
    const a = Math.max(c, 0) * Math.cos(angle);
    const b = Math.max(c, 0) * Math.sin(angle);
    const l = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3;
    const m = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3;
    const s = (lightness - 0.0894841775 * a - 1.291485548 * b) ** 3;
    const linear = [
      4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
      -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
      -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s,
    ];
    if (c <= 0 || linear.every((v) => v >= 0 && v <= 1)) {
      const channel = (v) => {
        const x = Math.min(1, Math.max(0, v));
        const gamma = x <= 0.0031308 ? 12.92 * x : 1.055 * x ** (1 / 2.4) - 0.055;
        return Math.round(gamma * 255).toString(16).padStart(2, "0");
      };
      return `#${linear.map(channel).join("")}`;
    }
  }
}

const gcd = (a, b) => (b ? gcd(b, a % b) : a);

/**
 * A colour for each capability, none repeated: hues evenly spaced around the OKLCH circle, one per
 * capability, alternately darker and lighter. Neighbours in the list are placed about 0.38 of a turn
 * apart, so capabilities listed together never look alike. The same list gives the same colours
 * (a scenario's list is its own: `scenarioCapabilities`).
 */
export function capabilityColours(capabilities) {
  const n = capabilities.length;
  let step = Math.max(1, Math.round(n * 0.382));
  while (n > 1 && gcd(step, n) !== 1) step += 1;
  const colours = new Map();
  const used = new Set();
  capabilities.forEach((capability, i) => {
    const slot = (i * step) % Math.max(n, 1);
    let hue = 250 + (360 * slot) / Math.max(n, 1);
    let colour = oklchHex(i % 2 ? 0.74 : 0.55, 0.15, hue % 360);
    // Two hues a rounding apart could give one hex colour when there are hundreds: turn a little more.
    while (used.has(colour)) colour = oklchHex(i % 2 ? 0.74 : 0.55, 0.15, (hue += 0.5) % 360);
    used.add(colour);
    colours.set(capability, colour);
  });
  return colours;
}

function hasPackage(solution) {
  return solution && (solution.status === "optimal" || solution.status === "feasible");
}

/** A test id with the view's prefix. */
const tid = (options, name) => `${options?.prefix || ""}${name}`;

let counter = 0;
/** A page-unique element id (for aria-labelledby), since a view may be shown more than once. */
const uid = (name) => `${name}-${++counter}`;

/** "a, b and c". */
export function listWords(items) {
  const all = (items || []).map(String);
  return all.length < 2 ? all.join("") : `${all.slice(0, -1).join(", ")} and ${all[all.length - 1]}`;
}

/**
 * The whole package view. `compare` = {baseline, diff} highlights what changed against a baseline.
 * With no package and a best effort in the explanation, the best effort is shown (labelled as
 * such) in place of a coverage matrix with nothing in it.
 */
export function packageView(solution, scenario, compare = null, options = {}) {
  const parts = [statusView(solution, options)];
  const explanation = solution.explanation;
  if (explanation) parts.push(explanationView(explanation, options));
  if (!hasPackage(solution) && explanation?.best_effort) {
    // (its package is null where withheld from the caller: the lines it gives up are still told)
    parts.push(bestEffortView(explanation.best_effort, scenario, options));
    return h("div", { class: "package-view" }, parts);
  }
  parts.push(coverageMatrix(solution, scenario, compare, options));
  if (hasPackage(solution) && solution.plan) {
    const colours = capabilityColours(capabilityOrder(scenario, solution));
    parts.push(timelineView(solution, { names: namesOf(scenario), colours, scenario, prefix: options.prefix, marks: options.marks }));
  }
  if (hasPackage(solution)) {
    parts.push(contributionsView(solution, scenario, options));
    if (typeof options.askWhyNot === "function") parts.push(leftOutView(solution, scenario, options));
    parts.push(fundingView(solution.funding, options));
    parts.push(assignmentsTable(solution, scenario, compare, options));
  }
  return h("div", { class: "package-view" }, parts);
}

/**
 * With `options.askWhyNot`: `label` as a button that asks why-not of `subject` (the question's
 * words in its title), else `label` as text.
 */
function whyNotLink(label, subject, options, what) {
  if (typeof options.askWhyNot !== "function") return label;
  return h("button", {
    type: "button",
    class: "link why-not-link",
    title: `Why not? ${what}`,
    "aria-label": `${label}: why not? ${what}`,
    dataset: { testid: tid(options, `why-not-link-${subject}`), subject },
    onclick: () => options.askWhyNot(subject),
  }, label);
}

/**
 * What the package leaves out, each a why-not question a click away: the nations taking no part,
 * and the offered units it places none of (the offers the caller may read).
 */
export function leftOutView(solution, scenario, options = {}) {
  const names = namesOf(scenario);
  const taking = new Set((solution.nations || []).filter((n) => n.units > 0 || n.funding_used_usd > 0).map((n) => n.nation));
  const placed = new Set((solution.assignments || []).map((a) => `${a.nation}/${a.unit}`));
  const nations = (scenario?.nations || []).filter((n) => !taking.has(n.code));
  const units = (scenario?.offers || []).flatMap((offer) =>
    (offer.units || []).filter((u) => !placed.has(`${offer.nation}/${u.id}`)).map((u) => ({ nation: offer.nation, unit: u })));
  const why = "Ask what including it would cost, or what keeps it out.";
  return h(
    "div",
    { class: "left-out", dataset: { testid: tid(options, "left-out") } },
    h("h3", {}, "Left out of the package"),
    h("p", { class: "help" }, "Click a nation, a unit or a line (in the matrix and the placements too) to ask why not."),
    h("p", {}, h("strong", {}, "Nations taking no part: "),
      nations.length
        ? nations.map((n, i) => [i ? ", " : "", whyNotLink(`${names.nation(n.code)} (${n.code})`, n.code, options, why)])
        : "none: every nation takes part."),
    h("p", {}, h("strong", {}, "Offered units not placed: "),
      units.length
        ? units.map(({ nation, unit }, i) => [i ? ", " : "",
            whyNotLink(`${nation}/${unit.id} (${names.capability(unit.capability)})`, `${nation}/${unit.id}`, options, why)])
        : "none: every offered unit is placed."),
  );
}

/**
 * The best that can be had when no package meets every essential line: labelled with what it gives
 * up, never as the answer. `bestEffort` = {package, lines_short, least}.
 */
export function bestEffortView(bestEffort, scenario, options = {}) {
  const short = bestEffort.lines_short || [];
  const title = uid("best-effort-title");
  const least = bestEffort.least;
  return h(
    "section",
    { class: "best-effort", dataset: { testid: tid(options, "best-effort") }, "aria-labelledby": title },
    h("h3", { id: title }, short.length
      ? `The best that can be had: gives up ${listWords(short)}`
      : "The best that can be had"),
    h(
      "p",
      { class: "best-effort-note" },
      h("strong", {}, "Not an answer: "),
      "no package meets every essential line. This package holds every other rule (red lines, vetoes, targets, ",
      "funding, availability) and leaves ",
      short.length ? `${short.length} essential line${short.length === 1 ? "" : "s"} short` : "essential lines short",
      least === null || least === undefined
        ? " (fewer not ruled out within the time limit)."
        : least === short.length ? " (the fewest possible, proven)." : ` (at least ${least} must be).`,
    ),
    bestEffort.package
      ? packageView(bestEffort.package, scenario, null, {
          prefix: `${options.prefix || ""}best-effort-`,
          bestEffort,
        })
      : h(
          "p",
          { class: "withheld", dataset: { testid: tid(options, "best-effort-withheld") } },
          "Its package is not shown to you: it would show what other nations offer beyond the current package.",
        ),
  );
}

/** The gap as the status reads it: "proven" only when the status says optimal, so a package cut
 * short by the time limit never reads as proven, however close its bound. */
export function gapWords(status, gap) {
  if (status === "optimal") return "0% (proven)";
  if (gap === null || status !== "feasible") return "–"; // (no package, no gap)
  if (gap < 0.0005) return "under 0.1% (not proven)";
  return `${(gap * 100).toFixed(1)}% (not proven)`;
}

export function statusView(solution, options = {}) {
  const status = solution.status || "unknown";
  const bestEffort = options.bestEffort;
  const gap = typeof solution.gap === "number" ? solution.gap : null;
  const totals = solution.totals || {};
  const objective = (solution.objective || []).map((o) =>
    h("li", {}, h("strong", {}, o.criterion), ` ${dec(o.value)}`, o.bound !== o.value ? ` (bound ${dec(o.bound)})` : ""),
  );
  return h(
    "div",
    { class: "status-block" },
    bestEffort
      ? h(
          "p",
          { class: "status status-best-effort", dataset: { testid: tid(options, "package-status") } },
          h("span", { class: "badge" }, "BEST EFFORT"),
          " ",
          (bestEffort.lines_short || []).length
            ? `Not a package that meets every essential line: it gives up ${listWords(bestEffort.lines_short)}`
            : "Not a package that meets every essential line",
        )
      : h(
          "p",
          { class: `status status-${status}`, dataset: { testid: tid(options, "package-status") } },
          h("span", { class: "badge" }, status.toUpperCase()),
          " ",
          STATUS_WORDS[status] || status,
        ),
    facts(
      [
        ["Gap", gapWords(status, gap)],
        totals.personnel !== undefined && ["Personnel", num(totals.personnel)],
        totals.units !== undefined && ["Units", num(totals.units)],
        totals.nations_contributing !== undefined && ["Nations sending units", num(totals.nations_contributing)],
        totals.nations_participating !== undefined && ["Nations taking part", num(totals.nations_participating)],
        solution.funding && ["Total cost", usd(solution.funding.total_cost_usd)],
        solution.run && ["Solved in", `${dec(solution.run.wall_s)} s`],
      ],
      tid(options, "package-facts"),
    ),
    objective.length ? h("div", {}, h("h3", {}, "Objective, in the order optimised"), h("ol", { class: "objective" }, objective)) : null,
  );
}

// -- coverage matrix -------------------------------------------------------------------------

function fillClass(fraction) {
  if (fraction === null) return "fill-unknown";
  if (fraction >= 1) return "fill-full";
  if (fraction >= 0.5) return "fill-high";
  if (fraction > 0) return "fill-low";
  return "fill-none";
}

function fillWords(fraction) {
  if (fraction === null) return "not solved";
  if (fraction >= 1) return "filled";
  if (fraction > 0) return "partly filled";
  return "empty";
}

/** Sectors × capabilities; each cell lists its requirement lines, coloured by the least-filled one. */
export function coverageMatrix(solution, scenario, compare = null, options = {}) {
  const names = namesOf(scenario);
  const coverage = new Map((solution?.coverage || []).map((c) => [c.requirement, c]));
  const before = compare ? new Map((compare.baseline?.coverage || []).map((c) => [c.requirement, c])) : null;
  const lines =
    scenario?.requirements?.length
      ? scenario.requirements
      : (solution?.coverage || []).map((c) => ({
          id: c.requirement, sector: c.sector, capability: c.capability, priority: c.priority,
          measure: c.measure, quantity: c.required,
        }));
  const sectors = scenario?.sectors?.length
    ? scenario.sectors.map((x) => x.id)
    : [...new Set(lines.map((l) => l.sector))];
  const capabilities = capabilityOrder(scenario, solution).filter((c) => lines.some((l) => l.capability === c));

  // Capabilities in rows, sectors in columns: a scenario has fewer sectors than capabilities, so
  // the matrix stays about as wide as a screen.
  const head = h(
    "tr",
    {},
    h("th", { scope: "col" }, "Capability"),
    sectors.map((sector) => {
      const control = names.control(sector);
      return h("th", { scope: "col" }, names.sector(sector),
        control ? h("span", { class: `control control-${control}` }, ` (${control})`) : null);
    }),
  );
  const rows = capabilities.map((capability) =>
    h(
      "tr",
      {},
      h("th", { scope: "row", class: "capability" }, names.capability(capability)),
      sectors.map((sector) => {
        const here = lines.filter((l) => l.sector === sector && l.capability === capability);
        if (!here.length) return h("td", { class: "cell-none" }, h("span", { "aria-hidden": "true" }, "·"), sr("no requirement"));
        let least = null;
        let changed = false;
        const items = here.map((line) => {
          const c = coverage.get(line.id);
          const required = c ? c.required : line.quantity;
          const provided = c ? c.provided : null;
          const fraction = provided === null ? null : required > 0 ? Math.min(1, provided / required) : 1;
          if (fraction !== null) least = least === null ? fraction : Math.min(least, fraction);
          const essential = (c?.priority || line.priority) === "essential";
          const measure = (c?.measure || line.measure) === "personnel" ? "pers." : required === 1 ? "unit" : "units";
          const was = before?.get(line.id);
          const moved = was && provided !== null && was.provided !== provided;
          if (moved) changed = true;
          return h(
            "li",
            { class: moved ? "line moved" : "line", dataset: { requirement: line.id } },
            essential ? h("span", { class: "essential", title: "essential line" }, "★", sr(" essential")) : null,
            h("span", { class: "line-id" },
              whyNotLink(line.id, line.id, options, "Ask what this line gets and what keeps more units off it.")),
            " ",
            h("span", { class: "figures" }, provided === null ? `${num(required)} ${measure}` : `${num(provided)}/${num(required)} ${measure}`),
            " ",
            h("strong", { class: "percent" }, fraction === null ? "–" : pct(fraction)),
            sr(`, ${fillWords(fraction)}`),
            moved
              ? h("span", { class: "was" }, ` ${provided > was.provided ? "▲" : "▼"} was ${num(was.provided)}`)
              : null,
          );
        });
        return h(
          "td",
          { class: `cell ${fillClass(least)}${changed ? " changed" : ""}`, dataset: { sector, capability } },
          h("ul", {}, items),
        );
      }),
    ),
  );
  return h(
    "div",
    { class: "matrix-block" },
    h("h3", {}, "Coverage: capabilities by sector"),
    h(
      "p",
      { class: "legend" },
      legendChip("fill-full", "100% filled"), legendChip("fill-high", "50-99%"), legendChip("fill-low", "1-49%"),
      legendChip("fill-none", "empty"), " ", h("span", { class: "essential" }, "★"), " essential line",
      compare ? [" ", h("span", { class: "legend-changed" }, "outlined"), ": changed against the current package"] : null,
    ),
    h(
      "div",
      { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Coverage matrix" },
      h("table", { class: "matrix", dataset: { testid: tid(options, compare ? "matrix-what-if" : "matrix") } },
        h("caption", { class: "visually-hidden" }, "Coverage: capabilities in rows, sectors in columns; each cell lists its requirement lines, provided of required."),
        h("thead", {}, head), h("tbody", {}, rows)),
    ),
  );
}

function legendChip(cls, label) {
  return h("span", { class: "chip" }, h("span", { class: `swatch ${cls}`, "aria-hidden": "true" }), label);
}

// -- contributions -----------------------------------------------------------------------------

/** Personnel and money per nation, stacked by capability (SVG bars, with the figures as a table). */
export function contributionsView(solution, scenario, options = {}) {
  const names = namesOf(scenario);
  const capabilities = capabilityOrder(scenario, solution);
  const colours = capabilityColours(capabilities);
  const personnel = new Map();
  const money = new Map();
  const add = (map, nation, capability, value) => {
    if (!value) return;
    if (!map.has(nation)) map.set(nation, new Map());
    const row = map.get(nation);
    row.set(capability, (row.get(capability) || 0) + value);
  };
  for (const a of solution.assignments || []) {
    add(personnel, a.nation, a.capability, a.personnel);
    if (a.self_funded) add(money, a.nation, a.capability, a.cost_usd);
  }
  for (const flow of solution.funding?.flows || []) add(money, flow.nation, flow.capability, flow.amount_usd);
  const used = capabilities.filter((c) => [...personnel.values(), ...money.values()].some((m) => m.has(c)));
  return h(
    "div",
    { class: "contributions" },
    h("h3", {}, "Contributions per nation"),
    h(
      "p",
      { class: "legend", dataset: { testid: tid(options, "capability-legend") } },
      used.map((c) =>
        h("span", { class: "chip", dataset: { capability: c, colour: colours.get(c) } }, swatch(colours.get(c)), names.capability(c))),
    ),
    h(
      "div",
      { class: "charts" },
      barChart("Personnel deployed", personnel, capabilities, colours, names, num, tid(options, "chart-personnel")),
      barChart("Money: pledges drawn and self-funded units", money, capabilities, colours, names, usd, tid(options, "chart-money")),
    ),
  );
}

function swatch(colour) {
  return s("svg", { class: "swatch-svg", width: 14, height: 14, viewBox: "0 0 14 14", "aria-hidden": "true" },
    s("rect", { width: 14, height: 14, fill: colour }));
}

function barChart(title, data, capabilities, colours, names, format, testid) {
  const rows = [...data.entries()]
    .map(([nation, parts]) => ({ nation, parts, total: [...parts.values()].reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total);
  const max = Math.max(1, ...rows.map((r) => r.total));
  const label = 56;
  const width = 520;
  const right = 110;
  const bar = 20;
  const gap = 8;
  const height = Math.max(1, rows.length) * (bar + gap);
  const svg = s(
    "svg",
    {
      class: "bars",
      viewBox: `0 0 ${label + width + right} ${height}`,
      role: "img",
      "aria-label": `${title}: ${rows.map((r) => `${names.nation(r.nation)} ${format(r.total)}`).join("; ") || "none"}`,
    },
    rows.map((row, i) => {
      const y = i * (bar + gap);
      let x = label;
      const segments = capabilities
        .filter((c) => row.parts.has(c))
        .map((c) => {
          const w = (row.parts.get(c) / max) * width;
          const rect = s("rect", { x, y, width: Math.max(w, 0.5), height: bar, fill: colours.get(c) },
            s("title", {}, `${names.nation(row.nation)}, ${names.capability(c)}: ${format(row.parts.get(c))}`));
          x += w;
          return rect;
        });
      return s(
        "g",
        { class: "bar-row" },
        s("text", { x: label - 6, y: y + bar - 4, "text-anchor": "end", class: "bar-label" }, row.nation),
        segments,
        s("text", { x: x + 6, y: y + bar - 4, class: "bar-value" }, format(row.total)),
      );
    }),
  );
  const figures = table({
    caption: `${title}, by capability`,
    head: ["Nation", "Capability", "Amount"],
    rows: rows.flatMap((row) =>
      [...row.parts.entries()].map(([c, v]) =>
        h("tr", {}, h("td", {}, names.nation(row.nation)), h("td", {}, names.capability(c)), h("td", { class: "num" }, format(v)))),
    ),
  });
  return h(
    "figure",
    { class: "chart", dataset: { testid } },
    h("figcaption", {}, title),
    rows.length ? svg : h("p", { class: "help" }, "None."),
    h("details", {}, h("summary", {}, "The figures as a table"), figures),
  );
}

// -- funding ------------------------------------------------------------------------------------

export function fundingView(funding, options = {}) {
  if (!funding) return null;
  const pooled = funding.pooled_cost_usd || 0;
  const used = Math.min(funding.used_usd || 0, pooled);
  const gapShare = pooled ? (funding.gap_usd || 0) / pooled : 0;
  const usedShare = pooled ? used / pooled : 1;
  const meter = h(
    "div",
    { class: "funding-meter", role: "img", "aria-label": `Pooled cost ${usd(pooled)}: ${usd(used)} paid from pledges, gap ${usd(funding.gap_usd)}` },
    h("span", { class: "funding-paid", style: { width: `${usedShare * 100}%` } }, usedShare > 0.15 ? `paid ${pct(usedShare)}` : ""),
    gapShare > 0 ? h("span", { class: "funding-gap", style: { width: `${gapShare * 100}%` } }, `gap ${pct(gapShare)}`) : null,
  );
  return h(
    "div",
    { class: "funding", dataset: { testid: tid(options, "funding") } },
    h("h3", {}, "Funding balance"),
    facts([
      ["Total cost", usd(funding.total_cost_usd)],
      ["Self-funded by nations", usd(funding.self_funded_usd)],
      ["Pooled cost (to be paid from pledges)", usd(funding.pooled_cost_usd)],
      ["Pledged (usable)", usd(funding.pledged_usd)],
      ["Drawn from pledges", usd(funding.used_usd)],
      ["Gap", h("span", { class: funding.gap_usd > 0 ? "bad" : "good" }, usd(funding.gap_usd), funding.gap_usd > 0 ? " (not covered)" : " (fully funded)")],
    ]),
    meter,
  );
}

// -- assignments --------------------------------------------------------------------------------

// Unit ids are each nation's own: a placement is (nation, unit, line).
const changeKey = (a) => `${a.nation}|${a.unit}|${a.requirement}`;

/** The package as a sortable table; with `compare`, each row says how it changed. */
export function assignmentsTable(solution, scenario, compare = null, options = {}) {
  const names = namesOf(scenario);
  const changes = new Map();
  for (const c of [...(compare?.diff?.added || []), ...(compare?.diff?.removed || [])]) {
    changes.set(changeKey(c), c);
  }
  const rows = (solution.assignments || []).map((a) => ({ ...a, change: changes.get(changeKey(a)) }));
  if (compare) {
    // Placements gone altogether are listed too, so the table shows the whole difference.
    const here = new Set(rows.map((r) => changeKey(r)));
    for (const a of compare.baseline?.assignments || []) {
      const key = changeKey(a);
      if (!here.has(key) && changes.has(key)) rows.push({ ...a, units: 0, personnel: 0, cost_usd: 0, change: changes.get(key), gone: true });
    }
    // What changed first (removed, then fewer, then more), then the rest as the solver listed it.
    const weight = (r) => (r.gone ? 0 : r.change ? (r.change.after < r.change.before ? 1 : 2) : 3);
    rows.sort((a, b) => weight(a) - weight(b));
  }
  const columns = [
    {
      key: "nation", label: "Nation", header: true, value: (r) => names.nation(r.nation),
      cell: (r) => whyNotLink(names.nation(r.nation), r.nation, options, "Ask what more of this nation would cost."),
    },
    { key: "unit", label: "Unit", cell: (r) => whyNotLink(r.unit, `${r.nation}/${r.unit}`, options, "Ask what more of this unit would cost.") },
    { key: "capability", label: "Capability", cell: (r) => names.capability(r.capability), value: (r) => names.capability(r.capability) },
    { key: "requirement", label: "Line" },
    { key: "sector", label: "Sector", cell: (r) => names.sector(r.sector), value: (r) => names.sector(r.sector) },
    { key: "units", label: "Units", numeric: true, cell: (r) => num(r.units) },
    { key: "personnel", label: "Personnel", numeric: true, cell: (r) => num(r.personnel) },
    { key: "cost_usd", label: "Cost", numeric: true, cell: (r) => usd(r.cost_usd) },
    { key: "self_funded", label: "Self-funded", cell: (r) => (r.self_funded ? "yes" : "no"), value: (r) => (r.self_funded ? 1 : 0) },
  ];
  if (compare) {
    columns.push({
      key: "change",
      label: "Change",
      value: (r) => (r.change ? r.change.after - r.change.before : 0),
      cell: (r) => (r.change ? changeWords(r.change) : "unchanged"),
    });
  }
  return h(
    "div",
    { class: "assignments" },
    h("h3", {}, compare ? "The what-if package, placement by placement" : "The package, placement by placement"),
    sortableTable({
      caption: `${rows.length} placement(s); sort by any column`,
      columns,
      rows,
      testid: tid(options, compare ? "assignments-what-if" : "assignments"),
      rowClass: (r) => (r.gone ? "row-removed" : r.change ? (r.change.after > r.change.before ? "row-added" : "row-reduced") : undefined),
      empty: "No unit is placed.",
    }),
  );
}

function changeWords(change) {
  if (change.before === 0) return `new: ${change.after} unit(s)`;
  if (change.after === 0) return `removed (was ${change.before})`;
  return `${change.after > change.before ? "more" : "fewer"}: ${change.before} → ${change.after}`;
}


// -- explanation ----------------------------------------------------------------------------------

function elementWords(element) {
  const kind = CONFLICT_WORDS[element.type] || element.type;
  const named = element.id && element.id !== element.text ? h("code", {}, element.id) : null;
  return [h("span", { class: "conflict-type" }, kind), named ? [" ", named] : null, element.text ? `: ${element.text}` : null];
}

const byWords = (by) =>
  (by || []).map((b) => [CONFLICT_WORDS[b.type] || b.type, b.id, b.nation ? `(${b.nation})` : null].filter(Boolean).join(" ")).join("; ");

/** An essential line's supply in numbers (`element.supply`): per nation, offered and kept out, and by what;
 * in a phased plan, what is kept out part of the time apart, with when. */
function supplyTable(supply) {
  const measure = supply.measure || "units";
  const part = (supply.kept_out_part || 0) > 0;
  return h(
    "details",
    { class: "supply" },
    h("summary", {}, "The supply in numbers"),
    facts([
      ["Needed", `${num(supply.needed)} ${measure}`],
      ["Offered in all", `${num(supply.offered)} ${measure}`],
      ["Kept out", `${num(supply.kept_out)} ${measure}`],
      ...(part ? [["Kept out part of the time", `${num(supply.kept_out_part)} ${measure}`]] : []),
      ...(supply.open_least != null
        ? [[`Could fill it, a ${supply.bucket}`,
            supply.open_least === supply.open_most
              ? `${num(supply.open_least)} ${measure}`
              : `${num(supply.open_least)} to ${num(supply.open_most)} ${measure}`]]
        : []),
      ...(supply.short_when ? [["Short whatever the plan", `in ${supply.short_when}, by up to ${num(supply.short_most)}`]] : []),
    ]),
    table({
      caption: `Offered per nation, in ${measure}`,
      head: ["Nation", "Offered", "Kept out", ...(part ? ["Part of the time", "When"] : []), "By"],
      rows: (supply.nations || []).map((n) =>
        h("tr", {},
          h("th", { scope: "row" }, n.nation || "other nations"),
          h("td", { class: "num" }, num(n.offered)),
          h("td", { class: "num" }, num(n.kept_out)),
          part ? h("td", { class: "num" }, num(n.kept_out_part || 0)) : null,
          part ? h("td", {}, n.part_when || "–") : null,
          h("td", {}, byWords(n.by) || "–"))),
    }),
  );
}

/** One element of a cause: what it is, the numbers behind it. */
function elementItem(element) {
  return h(
    "li",
    {},
    elementWords(element),
    element.figures ? h("p", { class: "figures-sentence" }, h("span", { class: "figures-label" }, "In figures: "), element.figures) : null,
    element.supply ? supplyTable(element.supply) : null,
  );
}

/** The causes: `conflicts`, or the single `conflict` of an older or shorter answer. */
function causesOf(explanation) {
  if (Array.isArray(explanation.conflicts) && explanation.conflicts.length) return explanation.conflicts;
  const conflict = explanation.conflict || [];
  return conflict.length ? [{ elements: conflict, minimal: explanation.minimal, summary: null }] : [];
}

function causesWords(removes, total) {
  if (!Array.isArray(removes) || !removes.length) return null;
  if (total > 1 && removes.length === total) return total === 2 ? "both causes" : `all ${total} causes`;
  return `cause${removes.length === 1 ? "" : "s"} ${listWords(removes.map((i) => i + 1))}`;
}

/** A way out: the changes, its relax cost, the causes it removes, its effect, and how to try it. */
function wayOutItem(relaxation, index, total, options) {
  const objective = (relaxation.objective || []).map((o) => `${o.criterion} ${dec(o.value)}`).join(", ");
  const removes = causesWords(relaxation.removes, total);
  const unpatchable = relaxation.unpatchable || [];
  const tryable = typeof options.tryWayOut === "function" && relaxation.patch && !unpatchable.length;
  return h(
    "li",
    { class: "way-out", dataset: { testid: tid(options, `way-out-${index}`) } },
    h("p", { class: "way-out-changes" },
      "Relax ",
      (relaxation.changes || []).map((c, i) => [i ? " and " : "", h("span", { class: "change" }, elementWords(c))])),
    facts([
      relaxation.cost !== undefined && relaxation.cost !== null && ["Relax cost", num(relaxation.cost)],
      removes && ["Removes", removes],
      relaxation.personnel !== undefined && relaxation.personnel !== null && ["Personnel after", num(relaxation.personnel)],
      objective && ["Objective after", objective],
    ]),
    relaxation.effect ? h("p", { class: "effect" }, `Then: ${relaxation.effect}`) : null,
    unpatchable.length
      ? h("p", { class: "unpatchable", dataset: { testid: tid(options, "unpatchable") } },
          "This way out cannot be applied in one step: ", unpatchable.join("; "), ".")
      : null,
    tryable
      ? h("p", {},
          h("button", {
            type: "button",
            class: "secondary try-way-out",
            "aria-label": `Try this as a what-if (way out ${index + 1})`,
            onclick: () => options.tryWayOut(relaxation),
          }, "Try this as a what-if"))
      : null,
  );
}

/**
 * Why no package exists: the summary, every cause with its figures, and the ways out (each with its
 * cost, what it removes and its effect; with `options.tryWayOut`, a button to run it as a what-if).
 */
export function explanationView(explanation, options = {}) {
  const causes = causesOf(explanation);
  const relaxations = explanation.relaxations || [];
  const title = uid("explanation-title");
  return h(
    "div",
    { class: "explanation", dataset: { testid: tid(options, "explanation") }, role: "group", "aria-labelledby": title },
    h("h3", { id: title }, "Why no package exists"),
    explanation.summary ? h("p", { class: "summary" }, explanation.summary) : null,
    explanation.complete === false
      ? h("p", { class: "help" }, "The time limit cut the search short: these are the causes and ways out found in time.")
      : null,
    causes.length
      ? [
          h("h4", {}, causes.length === 1 ? "The cause" : `${causes.length} causes`),
          h(
            "ol",
            { class: "causes", dataset: { testid: tid(options, "causes") } },
            causes.map((cause, i) =>
              h(
                "li",
                { class: "cause", dataset: { testid: tid(options, `cause-${i}`) } },
                h("p", { class: "cause-title" },
                  h("strong", {}, `Cause ${i + 1}`),
                  cause.minimal ? " (minimal: dropping any one element resolves it)" : null),
                cause.summary ? h("p", { class: "cause-summary" }, cause.summary) : null,
                h("ul", { class: "conflict" }, (cause.elements || []).map(elementItem)),
              ),
            ),
          ),
        ]
      : null,
    relaxations.length
      ? [
          h("h4", {}, "Ways out"),
          h(
            "ol",
            { class: "relaxations", dataset: { testid: tid(options, "relaxations") } },
            relaxations.map((r, i) => wayOutItem(r, i, causes.length, options)),
          ),
        ]
      : explanation.complete === false
        ? h("p", { class: "help" }, "No way out was found in time (which does not mean none exists).")
        : null,
  );
}

export { signed };
