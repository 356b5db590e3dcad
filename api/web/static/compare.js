// Packages kept side by side: the baseline, what-ifs and options in columns, one row per figure,
// requirement line and nation; a cell that differs from the first column (the baseline) is marked,
// in colour and in words, with its change.

import { clear, dec, h, num, signed, usd } from "./dom.js";
import { namesOf } from "./package.js";

const hasPackage = (solution) => solution && (solution.status === "optimal" || solution.status === "feasible");

/**
 * A package of a job, by the part of the job that holds it (the key's part after the job id):
 * `package` (a solve), `baseline`/`patched` (a what-if), `alternative-2`, `resilient`,
 * `fallback-IDN`. Undefined when the job holds no such package.
 */
export function jobPackage(job, part) {
  const result = job?.result;
  if (!result) return undefined;
  if (part === "package") return job.kind === "solve" ? result : undefined;
  if (part === "baseline" || part === "patched") return result[part] || undefined;
  if (part === "resilient") return result.package || undefined;
  const alternative = /^alternative-(\d+)$/.exec(part);
  if (alternative) return result.packages?.[Number(alternative[1])];
  const fallback = /^fallback-(.+)$/.exec(part);
  if (fallback) return result.fallbacks?.find((f) => f.nation === fallback[1])?.package;
  return undefined;
}

const STORE = "forcepack.compare.";

/**
 * The packages kept for comparison, for the scenario open. `keep` adds one (a package kept twice,
 * by its job and part, is kept once); each column can be dropped. Every package is a job's answer,
 * kept by the service: what is remembered (in this browser, per scenario) is only which job and
 * part each column shows, and its label, so the comparison survives a reload and is read again
 * from the service, as the caller may read it now.
 */
export class Comparison {
  constructor(container, { onChange, fetchJob } = {}) {
    this.container = container;
    this.onChange = onChange || (() => {});
    this.fetchJob = fetchJob || null;
    this.kept = [];
    this.scenario = null;
    this.scenarioId = null;
  }

  /** Open a scenario's comparison: the columns kept for it before, read again from their jobs. */
  async reset(scenario, scenarioId = scenario?.id) {
    this.kept = [];
    this.scenario = scenario;
    this.scenarioId = scenarioId;
    this.render();
    const remembered = this.remembered();
    if (!remembered.length || !this.fetchJob) return;
    const jobs = new Map();
    const kept = [];
    for (const { key, label } of remembered) {
      const [jobId, part] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
      if (!jobs.has(jobId)) jobs.set(jobId, await this.fetchJob(jobId).catch(() => null));
      const solution = jobPackage(jobs.get(jobId), part);
      if (solution) kept.push({ key, label, solution });
    }
    if (this.scenarioId !== scenarioId) return; // another scenario was opened meanwhile
    this.kept = kept;
    this.remember();
    this.render();
    this.onChange(this.kept.length);
  }

  remembered() {
    try {
      const stored = JSON.parse(localStorage.getItem(STORE + this.scenarioId) || "[]");
      return Array.isArray(stored) ? stored.filter((e) => typeof e?.key === "string" && e.key.includes(":")) : [];
    } catch {
      return [];
    }
  }

  remember() {
    if (!this.scenarioId) return;
    try {
      if (this.kept.length) localStorage.setItem(STORE + this.scenarioId, JSON.stringify(this.kept.map(({ key, label }) => ({ key, label }))));
      else localStorage.removeItem(STORE + this.scenarioId);
    } catch {
      // (storage full or refused: the comparison still works for this visit)
    }
  }

  /** Keep a package: {key: "JOB:part", label, solution}. */
  keep(entry) {
    if (!entry.solution) return;
    this.kept = this.kept.filter((k) => k.key !== entry.key);
    this.kept.push(entry);
    this.remember();
    this.render();
    this.onChange(this.kept.length);
  }

  drop(key) {
    this.kept = this.kept.filter((k) => k.key !== key);
    this.remember();
    this.render();
    this.onChange(this.kept.length);
  }

  render() {
    if (!this.kept.length) {
      clear(this.container, h("p", { class: "help", dataset: { testid: "compare-empty" } },
        "No package kept yet. Keep one with “Keep for comparison” under a package, or “Compare with the baseline” under a what-if."));
      return;
    }
    clear(this.container, comparisonTable(this.kept, this.scenario, (key) => this.drop(key)));
  }
}

/** A package's figures by row key, for the table: [key, label, value, format, group]. */
function figures(solution, names) {
  const rows = [["status", "Status", solution.status ? solution.status.toUpperCase() : "–", String, "Package"]];
  if (!hasPackage(solution)) return rows;
  for (const term of solution.objective || []) {
    rows.push([`objective:${term.criterion}`, `Objective: ${term.criterion}`, term.value, term.criterion === "cost" ? usd : dec, "Package"]);
  }
  const totals = solution.totals || {};
  const funding = solution.funding || {};
  rows.push(
    ["personnel", "Personnel", totals.personnel, num, "Package"],
    ["units", "Units", totals.units, num, "Package"],
    ["nations", "Nations sending units", totals.nations_contributing, num, "Package"],
    ["participating", "Nations taking part", totals.nations_participating, num, "Package"],
    ["cost", "Total cost", funding.total_cost_usd, usd, "Package"],
    ["gap", "Funding gap", funding.gap_usd, usd, "Package"],
  );
  for (const line of solution.coverage || []) {
    rows.push([`line:${line.requirement}`, `${line.requirement} (${names.sector(line.sector)}, ${line.priority})`, line.provided, (v) => `${num(v)} of ${num(line.required)}`, "Coverage: provided of required"]);
  }
  for (const nation of solution.nations || []) {
    if (!nation.personnel && !nation.funding_used_usd) continue;
    rows.push([`nation:${nation.nation}`, names.nation(nation.nation), nation.personnel, num, "Personnel by nation"]);
  }
  // Where each nation's units are: alternatives differ here first (nation-sector placements).
  const placed = new Map();
  for (const a of solution.assignments || []) {
    const key = `place:${a.nation}:${a.sector}`;
    placed.set(key, { nation: a.nation, sector: a.sector, units: (placed.get(key)?.units || 0) + a.units });
  }
  for (const [key, p] of placed) {
    rows.push([key, `${names.nation(p.nation)} in ${names.sector(p.sector)}`, p.units, num, "Units by nation and sector"]);
  }
  return rows;
}

/**
 * The kept packages in columns; the first is the one the others are compared with. `drop(key)`
 * (when given) is each column's Drop button; `prefix` goes before the test ids.
 */
export function comparisonTable(kept, scenario, drop, { prefix = "" } = {}) {
  const names = namesOf(scenario);
  const columns = kept.map((k) => ({ ...k, rows: new Map(figures(k.solution, names).map((r) => [r[0], r])) }));
  // Rows in the order they first appear, grouped.
  const order = [];
  const seen = new Set();
  for (const column of columns) {
    for (const [key, row] of column.rows) {
      if (!seen.has(key)) {
        seen.add(key);
        order.push(row);
      }
    }
  }
  const groups = [...new Set(order.map((r) => r[4]))];
  const base = columns[0];
  let differing = 0;
  const cell = (column, key, index) => {
    const row = column.rows.get(key);
    const template = order.find((r) => r[0] === key);
    if (!row) {
      if (index === 0 || !base.rows.has(key)) return h("td", { class: "num cell-none" }, "–");
      differing += 1;
      return h("td", { class: "num differs", dataset: { testid: `${prefix}differs` } }, h("mark", {}, "none"),
        h("span", { class: "visually-hidden" }, " differs from the first column"));
    }
    const [, , value, format] = row;
    const text = value === undefined || value === null ? "–" : format(value);
    if (index === 0) return h("td", { class: "num" }, text);
    const before = base.rows.get(key)?.[2];
    if (before === value) return h("td", { class: "num" }, text);
    differing += 1;
    const delta = typeof value === "number" && typeof before === "number"
      ? ` (${signed(value - before, template[3] === usd ? usd : key.startsWith("objective:") ? dec : num)})`
      : "";
    return h("td", { class: "num differs", dataset: { testid: `${prefix}differs` } }, h("mark", {}, `${text}${delta}`), h("span", { class: "visually-hidden" }, " differs from the first column"));
  };
  const body = groups.flatMap((group) => [
    h("tr", { class: "group" }, h("th", { scope: "colgroup", colSpan: columns.length + 1 }, group)),
    ...order.filter((r) => r[4] === group).map((row) =>
      h("tr", {}, h("th", { scope: "row" }, row[1]), columns.map((column, index) => cell(column, row[0], index)))),
  ]);
  const table = h("table", { class: "data comparison", dataset: { testid: `${prefix}comparison` } },
    h("caption", {}, `${columns.length} package(s) side by side; marked: what differs from ${base.label}`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Figure"),
      columns.map((column, index) => h("th", { scope: "col" },
        h("span", { class: "column-label" }, column.label),
        index === 0 ? h("span", { class: "help" }, " (compared with)") : null,
        drop
          ? h("button", { type: "button", class: "secondary small", "aria-label": `Drop ${column.label} from the comparison`, onclick: () => drop(column.key) }, "Drop")
          : null)))),
    h("tbody", {}, body));
  return h("div", {},
    h("p", { class: "summary", dataset: { testid: `${prefix}comparison-summary` } },
      columns.length > 1 ? `${differing} figure(s) differ from ${base.label}.` : "Keep another package to compare it with this one."),
    h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Packages compared" }, table));
}
