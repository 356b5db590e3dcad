// A phased package's plan (the solution's `plan`) drawn in time: per sector, who is where and when
// (a bar per tour, from its arrival to its departure, its relief drawn lighter) under each line's
// coverage bucket by bucket, with the date the sector reaches full operational capability marked;
// then each node of entry's load bucket by bucket against what it can carry. Every bar and every
// bucket has its text (an SVG <title>), and every drawing its figures as a table.
//
// The caller (package.js) lends the names and the capability colours it uses everywhere, so a
// capability keeps its colour here. `marks` are dates to draw across every sector (a what-if's dated
// withdrawal: `patchMarks`).

import { h, num, pct, s, table, usd } from "./dom.js";

const LABEL = 168; // the rows' labels, left of the buckets
const ROW = 16; // a lane of tours
const STRIP = 12; // a line's coverage strip
const AXIS = 30; // month ticks and the marks' labels
const NODE = 44; // a node's load chart

const BUCKET_WIDTH = { week: 9, month: 44 };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

let counter = 0;
const uid = (name) => `${name}-${++counter}`;

/** A bucket in words: "week of 2026-07-06" or "month of 2026-07-01" (its first day). */
export function bucketWords(plan, index) {
  const bucket = plan.buckets[index];
  return bucket ? `${plan.bucket} of ${bucket.start}` : `${plan.bucket} ${index + 1}`;
}

/** A bucket's place: "week 9 of 96". */
const bucketPlace = (plan, index) => `${plan.bucket} ${index + 1} of ${plan.buckets.length}`;

/** What a fill fraction looks like, as the coverage matrix colours it. */
function fillClass(fraction) {
  if (fraction >= 1) return "fill-full";
  if (fraction >= 0.5) return "fill-high";
  if (fraction > 0) return "fill-low";
  return "fill-none";
}

/**
 * Tours side by side in lanes: a tour goes to the first lane whose last tour has left before it
 * arrives, so a relief in place (the newcomer present while the old tour is still there) shows as
 * two bars one above the other. Returns [{tour, lane}] and the number of lanes.
 */
export function lanes(tours) {
  const ends = [];
  const placed = [...tours]
    .sort((a, b) => a.arrival - b.arrival || a.last - b.last)
    .map((tour) => {
      let lane = ends.findIndex((end) => end < tour.arrival);
      if (lane < 0) lane = ends.push(tour.last) - 1;
      else ends[lane] = tour.last;
      return { tour, lane };
    });
  return { placed, count: Math.max(1, ends.length) };
}

/** A line's coverage in runs of equal buckets: [{first, last, required, provided}]. */
export function coverageRuns(rows) {
  const runs = [];
  for (const row of [...rows].sort((a, b) => a.bucket - b.bucket)) {
    const run = runs[runs.length - 1];
    if (run && run.last === row.bucket - 1 && run.required === row.required && run.provided === row.provided) run.last = row.bucket;
    else runs.push({ first: row.bucket, last: row.bucket, required: row.required, provided: row.provided });
  }
  return runs;
}

/** The dates a what-if's patch draws across the timeline: its dated withdrawals. */
export function patchMarks(patch) {
  return (patch?.ops || [])
    .filter((op) => op.op === "withdraw" && op.starting)
    .map((op) => ({ date: op.starting, label: `${(op.nations || []).join(", ")} withdraw${op.nations?.length === 1 ? "s" : ""} from ${op.starting}` }));
}

/** The bucket holding a day (ISO date strings compare as dates). */
function bucketOf(plan, date) {
  return plan.buckets.findIndex((b) => b.start <= date && date <= b.end);
}

/**
 * The plan as a timeline, or null when the package has none (a static scenario).
 * context: {names, colours (capability → colour), scenario, prefix, marks: [{date, label}]}.
 */
export function timelineView(solution, context) {
  const plan = solution?.plan;
  if (!plan || !(plan.buckets || []).length) return null;
  const { names, scenario } = context;
  const prefix = context.prefix || "";
  const width = BUCKET_WIDTH[plan.bucket] || 9;
  const geometry = { plan, width, total: LABEL + plan.buckets.length * width + 8 };
  const lines = new Map((scenario?.requirements || []).map((r) => [r.id, r]));
  const packageLines = new Map((solution.coverage || []).map((c) => [c.requirement, c]));
  const capabilityOf = (requirement) => lines.get(requirement)?.capability || packageLines.get(requirement)?.capability;
  const measureOf = (requirement) => lines.get(requirement)?.measure || packageLines.get(requirement)?.measure || "units";
  const coverage = new Map();
  for (const row of plan.coverage || []) {
    if (!coverage.has(row.requirement)) coverage.set(row.requirement, []);
    coverage.get(row.requirement).push(row);
  }
  const full = new Map((plan.sectors || []).map((x) => [x.sector, x.full_from]));
  const marks = (context.marks || [])
    .map((mark) => ({ ...mark, bucket: bucketOf(plan, mark.date) }))
    .filter((mark) => mark.bucket >= 0);

  // Sectors in the scenario's order, then any other the plan names; a sector shows when it has a
  // line needed in the horizon or a tour.
  const sectorIds = [...(scenario?.sectors || []).map((x) => x.id)];
  const addSector = (id) => id && !sectorIds.includes(id) && sectorIds.push(id);
  (plan.sectors || []).forEach((x) => addSector(x.sector));
  (plan.tours || []).forEach((t) => addSector(t.sector));
  const lineOrder = [...lines.keys(), ...[...coverage.keys()].filter((id) => !lines.has(id))];
  const sectorOf = (requirement) => lines.get(requirement)?.sector || packageLines.get(requirement)?.sector
    || (plan.tours || []).find((t) => t.requirement === requirement)?.sector;

  const focWords = (sector) => {
    const from = full.get(sector);
    if (from === null || from === undefined) return "not reached within the horizon";
    return `from ${plan.buckets[from].start} (${bucketPlace(plan, from)})`;
  };

  const sectorFigures = sectorIds.map((sector) => {
    const here = lineOrder.filter((id) => sectorOf(id) === sector && (coverage.has(id) || (plan.tours || []).some((t) => t.requirement === id)));
    if (!here.length) return null;
    return sectorFigure(sector, here, {
      ...context, prefix, geometry, coverage, marks, capabilityOf, measureOf,
      tours: (plan.tours || []).filter((t) => t.sector === sector),
      full: full.get(sector), focWords: focWords(sector),
    });
  }).filter(Boolean);

  const title = uid("timeline-title");
  return h(
    "section",
    { class: "timeline", dataset: { testid: `${prefix}timeline` }, "aria-labelledby": title },
    h("h3", { id: title }, `Timeline: the plan ${plan.bucket} by ${plan.bucket}`),
    h("p", { class: "help" },
      `${num(plan.buckets.length)} ${plan.bucket}s from ${plan.buckets[0].start} to ${plan.buckets[plan.buckets.length - 1].end}. `,
      "Per sector, each line's coverage in every bucket it is needed, then a bar per tour from its arrival to its ",
      "departure (lighter while it takes over from the tour it relieves); the dashed line marks full operational ",
      "capability (FOC), from which every line of the sector is filled in full."),
    timelineLegend(),
    h("h4", {}, "Full operational capability per sector"),
    h("ul", { class: "foc-list", dataset: { testid: `${prefix}foc-list` } },
      sectorIds.filter((sector) => full.has(sector)).map((sector) =>
        h("li", { dataset: { sector } }, h("strong", {}, names.sector(sector)), `: ${focWords(sector)}`))),
    sectorFigures,
    nodesView(plan, { ...context, prefix, geometry, marks }),
  );
}

function timelineLegend() {
  const chip = (cls, label) => h("span", { class: "chip" }, h("span", { class: `swatch ${cls}`, "aria-hidden": "true" }), label);
  return h("p", { class: "legend" },
    chip("fill-full", "line filled"), chip("fill-high", "50-99%"), chip("fill-low", "1-49%"), chip("fill-none", "empty"),
    h("span", { class: "chip" }, h("span", { class: "swatch swatch-relief", "aria-hidden": "true" }), "tour taking over (relief)"),
    h("span", { class: "chip" }, h("span", { class: "swatch swatch-foc", "aria-hidden": "true" }), "full operational capability"));
}

/** The month ticks along the top, and the marks' lines and labels. */
function axis(geometry, height, marks) {
  const { plan, width } = geometry;
  const ticks = [];
  let month = null;
  plan.buckets.forEach((bucket, i) => {
    const [year, m] = bucket.start.split("-").map(Number);
    const key = year * 12 + m;
    if (key === month) return;
    month = key;
    const x = LABEL + i * width;
    // Quarters are labelled (every month with monthly buckets), and the first month when the
    // next quarter is not its neighbour.
    const wide = plan.bucket === "month" || m % 3 === 1 || (i === 0 && m % 3 === 2);
    ticks.push(s("line", { x1: x, x2: x, y1: AXIS - 8, y2: height, class: wide ? "tick tick-quarter" : "tick" }));
    // (with monthly buckets the year goes with January and the first month only: the rest is too narrow)
    const yearToo = plan.bucket !== "month" || m === 1 || i === 0;
    if (wide) ticks.push(s("text", { x: x + 2, y: AXIS - 12, class: "tick-label" }, yearToo ? `${MONTHS[m - 1]} ${String(year).slice(2)}` : MONTHS[m - 1]));
  });
  const drawn = marks.map((mark) => {
    const x = LABEL + mark.bucket * width;
    // (a label that would run past the right edge goes left of its line)
    const left = x + 3 + mark.label.length * 6.5 > geometry.total;
    return s("g", { class: "mark" },
      s("title", {}, mark.label),
      s("line", { x1: x, x2: x, y1: 4, y2: height }),
      s("text", { x: left ? x - 3 : x + 3, y: 10, "text-anchor": left ? "end" : "start", class: "mark-label" }, mark.label));
  });
  return [ticks, drawn];
}

function sectorFigure(sector, lineIds, context) {
  const { names, colours, geometry, coverage, capabilityOf, measureOf, prefix } = context;
  const { plan, width, total } = geometry;
  const control = names.control(sector);
  const rows = [];
  const bars = [];
  const tableRows = [];
  let y = AXIS + (context.marks.length ? 6 : 0);
  for (const line of lineIds) {
    const capability = capabilityOf(line);
    const colour = colours.get(capability) || "#6b7a90";
    const measure = measureOf(line) === "personnel" ? "personnel" : "units";
    // The line's coverage strip.
    rows.push(s("text", { x: LABEL - 6, y: y + STRIP - 2, "text-anchor": "end", class: "row-label line-label" }, line));
    for (const run of coverageRuns(coverage.get(line) || [])) {
      for (let b = run.first; b <= run.last; b += 1) {
        const fraction = run.required > 0 ? Math.min(1, run.provided / run.required) : 1;
        const words = `${line}, ${bucketWords(plan, b)}: ${num(run.provided)} of ${num(run.required)} ${measure} (${pct(fraction)})`;
        rows.push(s("rect", { x: LABEL + b * width, y, width, height: STRIP, class: `bucket ${fillClass(fraction)}` },
          s("title", {}, words)));
      }
    }
    y += STRIP + 3;
    // Its tours, a row per nation's unit line, lanes for tours present together.
    const units = new Map();
    for (const tour of context.tours.filter((t) => t.requirement === line)) {
      const key = `${tour.nation}|${tour.unit}`;
      if (!units.has(key)) units.set(key, []);
      units.get(key).push(tour);
    }
    const ordered = [...units.values()].sort((a, b) => Math.min(...a.map((t) => t.arrival)) - Math.min(...b.map((t) => t.arrival)));
    for (const tours of ordered) {
      const { nation, unit } = tours[0];
      const { placed, count } = lanes(tours);
      rows.push(s("text", { x: LABEL - 6, y: y + ROW - 5, "text-anchor": "end", class: "row-label" },
        s("title", {}, `${names.nation(nation)}, ${unit}`), `${nation} ${unit}`));
      for (const { tour, lane } of placed) {
        const top = y + lane * ROW + 2;
        const arrive = plan.buckets[tour.arrival];
        const leave = plan.buckets[tour.last];
        const fills = plan.buckets[tour.fills_from];
        const words =
          `${names.nation(tour.nation)}, ${tour.unit}: ${num(tour.units)} unit${tour.units === 1 ? "" : "s"}, ` +
          `${num(tour.personnel)} personnel on ${tour.requirement}; arrives ${arrive?.start}` +
          (tour.fills_from > tour.arrival ? `, takes over until ${plan.buckets[tour.fills_from - 1]?.end}, fills from ${fills?.start}` : "") +
          `, leaves ${leave?.end} (${num(tour.months)} month${tour.months === 1 ? "" : "s"}, ${usd(tour.cost_usd)})`;
        const relief = tour.fills_from - tour.arrival;
        bars.push(
          s("g", { class: "tour", role: "img", "aria-label": words, dataset: { testid: `${prefix}tour-bar`, nation: tour.nation, unit: tour.unit } },
            s("title", {}, words),
            relief > 0
              ? s("rect", { x: LABEL + tour.arrival * width, y: top, width: relief * width, height: ROW - 4, fill: colour, class: "relief" })
              : null,
            s("rect", {
              x: LABEL + tour.fills_from * width, y: top, width: (tour.last - tour.fills_from + 1) * width, height: ROW - 4,
              fill: colour, class: "filling",
            })),
        );
        tableRows.push(
          h("tr", {},
            h("th", { scope: "row" }, names.nation(tour.nation)),
            h("td", {}, tour.unit),
            h("td", {}, tour.requirement),
            h("td", { class: "num" }, num(tour.units)),
            h("td", { class: "num" }, num(tour.personnel)),
            h("td", {}, arrive?.start),
            h("td", {}, fills?.start),
            h("td", {}, leave?.end),
            h("td", { class: "num" }, usd(tour.cost_usd))),
        );
      }
      y += count * ROW;
    }
    y += 6;
  }
  const height = y;
  const focX = LABEL + (context.full ?? 0) * width;
  // (near the right edge its label goes left of the line)
  const late = focX > total - 90;
  const foc = context.full === null || context.full === undefined
    ? null
    : s("g", { class: "foc", dataset: { testid: `${prefix}foc-mark` } },
        s("title", {}, `${names.sector(sector)}: full operational capability ${context.focWords}`),
        s("line", { x1: focX, x2: focX, y1: AXIS - 10, y2: height }),
        s("text", { x: late ? focX - 3 : focX + 3, y: AXIS - 1, "text-anchor": late ? "end" : "start", class: "foc-label" },
          `FOC ${plan.buckets[context.full].start}`));
  const caption = uid("timeline-sector");
  const svg = s(
    "svg",
    {
      class: "timeline-chart",
      width: total,
      height,
      viewBox: `0 0 ${total} ${height}`,
      role: "group",
      "aria-labelledby": caption,
    },
    s("rect", { x: LABEL, y: AXIS - 8, width: plan.buckets.length * width, height: height - AXIS + 8, class: "chart-ground" }),
    axis(geometry, height, context.marks),
    rows,
    bars,
    foc,
  );
  return h(
    "figure",
    { class: "timeline-sector", dataset: { testid: `${prefix}timeline-sector`, sector } },
    h("figcaption", { id: caption },
      h("strong", {}, names.sector(sector)),
      control ? h("span", { class: `control control-${control}` }, ` (${control})`) : null,
      `: full operational capability ${context.focWords}.`),
    h("div", { class: "timeline-scroll", tabindex: "0", role: "region", "aria-label": `${names.sector(sector)}: timeline` }, svg),
    h("details", {},
      h("summary", {}, `${names.sector(sector)}: the tours as a table`),
      table({
        caption: `Tours in ${names.sector(sector)}, by line`,
        head: ["Nation", "Unit", "Line", "Units", "Personnel", "Arrives", "Fills from", "Leaves", "Cost"],
        rows: tableRows.length ? tableRows : [h("tr", {}, h("td", { colSpan: 9, class: "empty" }, "No tour."))],
        testid: `${prefix}tours-table`,
      }),
      coverageTable(lineIds, context)),
  );
}

/** A sector's lines' coverage over time as runs of equal buckets, the strips' figures. */
function coverageTable(lineIds, context) {
  const { geometry, coverage, measureOf } = context;
  const { plan } = geometry;
  return table({
    caption: "Coverage over time, in runs of equal buckets",
    head: ["Line", "From", "To", "Provided", "Required"],
    rows: lineIds.flatMap((line) =>
      coverageRuns(coverage.get(line) || []).map((run) =>
        h("tr", {},
          h("th", { scope: "row" }, line),
          h("td", {}, plan.buckets[run.first]?.start),
          h("td", {}, plan.buckets[run.last]?.end),
          h("td", { class: "num" }, num(run.provided)),
          h("td", { class: "num" }, `${num(run.required)} ${measureOf(line) === "personnel" ? "pers." : "units"}`)))),
  });
}

// -- nodes of entry -------------------------------------------------------------------------------

/** Each node of entry's load in every bucket, against what it carries in the bucket. */
function nodesView(plan, context) {
  const loads = new Map();
  for (const load of plan.nodes || []) {
    if (!loads.has(load.node)) loads.set(load.node, []);
    loads.get(load.node).push(load);
  }
  if (!loads.size) return null;
  const declared = new Map((context.scenario?.phasing?.nodes || []).map((n) => [n.id, n]));
  return h(
    "div",
    { class: "node-loads", dataset: { testid: `${context.prefix}node-loads` } },
    h("h4", {}, "Nodes of entry: load against capacity"),
    [...loads.entries()].map(([node, rows]) => nodeFigure(node, rows, declared.get(node), context)),
  );
}

function nodeFigure(node, rows, declared, context) {
  const { plan, width, total } = context.geometry;
  const name = declared?.name || node;
  const series = [
    ["personnel", "personnel_capacity", "personnel"],
    ["tons", "tons_capacity", "tons"],
  ].filter(([value, capacity]) => rows.some((r) => r[capacity] !== null && r[capacity] !== undefined) || rows.some((r) => r[value] > 0));
  const height = AXIS + series.length * (NODE + 8);
  const drawn = [];
  let y = AXIS;
  const peaks = [];
  for (const [value, capacity, unit] of series) {
    drawn.push(s("text", { x: LABEL - 6, y: y + NODE / 2 + 4, "text-anchor": "end", class: "row-label" }, unit));
    drawn.push(s("line", { x1: LABEL, x2: LABEL + plan.buckets.length * width, y1: y, y2: y, class: "capacity" }));
    const top = Math.max(1, ...rows.map((r) => r[capacity] ?? r[value]));
    let peak = null;
    for (const row of rows) {
      if (!row[value]) continue;
      const limit = row[capacity];
      const fraction = limit ? row[value] / limit : row[value] / top;
      if (!peak || fraction > peak.fraction) peak = { row, fraction };
      const tall = Math.max(1, Math.min(1, fraction) * NODE);
      const words = `${name}, ${bucketWords(plan, row.bucket)}: ${num(row[value])} ${unit}` +
        (limit ? ` of ${num(limit)} (${pct(fraction)})` : " (no limit)");
      drawn.push(s("rect", { x: LABEL + row.bucket * width + 1, y: y + NODE - tall, width: Math.max(1, width - 2), height: tall, class: `load ${fraction >= 1 ? "load-full" : ""}` },
        s("title", {}, words)));
    }
    if (peak) peaks.push(`${unit}: busiest ${bucketWords(plan, peak.row.bucket)}, ${num(peak.row[value])}${peak.row[capacity] ? ` of ${num(peak.row[capacity])} (${pct(peak.fraction)})` : ""}`);
    y += NODE + 8;
  }
  const caption = uid("node");
  const used = rows.filter((r) => r.personnel || r.tons);
  return h(
    "figure",
    { class: "node-load", dataset: { testid: `${context.prefix}node-load`, node } },
    h("figcaption", { id: caption },
      h("strong", {}, name),
      declared ? ` (${[declared.personnel_per_day && `${num(declared.personnel_per_day)} personnel`, declared.tons_per_day && `${num(declared.tons_per_day)} tons`].filter(Boolean).join(" and ") || "no limit"} a day)` : "",
      peaks.length ? `: ${peaks.join("; ")}.` : ": no arrival passes through it."),
    h("div", { class: "timeline-scroll", tabindex: "0", role: "region", "aria-label": `${name}: load per ${plan.bucket}` },
      s("svg", { class: "timeline-chart", width: total, height, viewBox: `0 0 ${total} ${height}`, role: "group", "aria-labelledby": caption },
        s("rect", { x: LABEL, y: AXIS - 8, width: plan.buckets.length * width, height: height - AXIS, class: "chart-ground" }),
        axis(context.geometry, height, context.marks || []),
        drawn)),
    h("details", {},
      h("summary", {}, `${name}: the load as a table`),
      table({
        caption: `${name}: every ${plan.bucket} something arrives through it`,
        head: ["From", "To", "Personnel", "Capacity", "Tons", "Capacity"],
        rows: used.length
          ? used.map((r) => h("tr", {},
              h("td", {}, plan.buckets[r.bucket]?.start),
              h("td", {}, plan.buckets[r.bucket]?.end),
              h("td", { class: "num" }, num(r.personnel)),
              h("td", { class: "num" }, r.personnel_capacity === null ? "no limit" : num(r.personnel_capacity)),
              h("td", { class: "num" }, num(r.tons)),
              h("td", { class: "num" }, r.tons_capacity === null ? "no limit" : num(r.tons_capacity))))
          : [h("tr", {}, h("td", { colSpan: 6, class: "empty" }, "Nothing arrives through it."))],
      })),
  );
}
