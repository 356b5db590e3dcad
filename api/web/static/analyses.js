// Answers of analyses: a what-if (both packages and their diff), criticality (N-1, ranked),
// why-not (a nation, unit, pledge or requirement line), alternatives (side by side) and the
// resilient package (its fallbacks and fatal withdrawals). Every field may be absent or null (the API
// masks names and withholds packages by role): the views show what is there, and say why a package
// is withheld when the answer says so.

import { comparisonTable } from "./compare.js";
import { clear, dec, facts, h, num, signed, sortableTable, table, usd } from "./dom.js";
import { explanationView, listWords, namesOf, packageView } from "./package.js";
import { bucketWords, patchMarks } from "./timeline.js";

const hasPackage = (solution) => solution && (solution.status === "optimal" || solution.status === "feasible");

/**
 * A what-if answer (forcepack.what-if/1): the summary, what changed, and the patched package
 * highlighted. `options.tryWayOut(patch)` runs a way out of the patched scenario's explanation as a
 * what-if: its operations after this what-if's own (a way out is a change of the patched scenario).
 */
export function whatIfView(answer, scenario, options = {}) {
  const names = namesOf(scenario);
  const diff = answer.diff;
  const patched = answer.patched;
  const own = answer.patch;
  const tryWayOut =
    typeof options.tryWayOut === "function" && Array.isArray(own?.ops)
      ? (relaxation) =>
          options.tryWayOut({
            schema: "forcepack.patch/1",
            description: [own.description, relaxation.patch.description].filter(Boolean).join("; then "),
            ops: [...own.ops, ...relaxation.patch.ops],
          })
      : null;
  const parts = [
    h("h3", {}, "What changes"),
    answer.summary ? h("p", { class: "summary", dataset: { testid: "what-if-summary" } }, answer.summary) : null,
  ];
  if (diff) {
    parts.push(
      facts(
        [
          ["Nations leaving", diff.nations_out?.length ? diff.nations_out.map(names.nation).join(", ") : "none"],
          ["Nations joining", diff.nations_in?.length ? diff.nations_in.map(names.nation).join(", ") : "none"],
          ["Cost", signed(diff.cost_delta_usd, (v) => usd(v))],
          ["Personnel", signed(diff.personnel_delta)],
          ["Shortfall", signed(diff.shortfall_delta, dec)],
          ["Units moved, added or removed", num(diff.churn)],
          (diff.participating_in || []).length && ["Now taking part", diff.participating_in.map(names.nation).join(", ")],
          (diff.participating_out || []).length && ["No longer taking part", diff.participating_out.map(names.nation).join(", ")],
        ],
        "what-if-diff",
      ),
      tourChanges(diff, patched?.plan || answer.baseline?.plan, names),
      coverageChanges(diff.coverage || [], names),
      fundingChanges(diff.funding || [], names),
    );
  } else if (patched && !hasPackage(patched)) {
    parts.push(
      h("p", { class: "bad", dataset: { testid: "what-if-infeasible" } },
        hasPackage(answer.baseline)
          ? "With these changes no package remains."
          : "The scenario as it stands has no package either; there is nothing to compare."),
    );
  }
  parts.push(h("h3", {}, "The package after the change"));
  if (patched) {
    parts.push(packageView(patched, scenario, diff ? { baseline: answer.baseline, diff } : null, { tryWayOut, marks: patchMarks(own) }));
  } else {
    parts.push(withheldNote(answer.withheld, "what-if-withheld"));
  }
  return h("div", { class: "what-if-answer", dataset: { testid: "what-if-answer" } }, parts);
}

const LINE_WORDS = { kept: "", added: " (new line)", dropped: " (line dropped)" };

function lineChangeWords(c) {
  if (c.line === "dropped") return "— no longer required";
  if (c.line === "added") {
    if (!c.provided_after) return "▼ new line, left unfilled";
    return c.shortfall_after ? "▼ new line, filled in part" : "▲ new line, filled in full";
  }
  const over = c.short_over_before != null && c.short_over_after != null && c.short_over_before !== c.short_over_after;
  if (over) return c.short_over_after > c.short_over_before ? "▼ coverage lost over the plan" : "▲ coverage gained over the plan";
  return c.provided_after < c.provided_before ? "▼ coverage lost" : "▲ coverage gained";
}

/** A phased plan's tours with fewer units after the change, then those with more (a tour cut short
 * is one fewer and a shorter one more). */
function tourChanges(diff, plan, names) {
  const removed = diff.tours_removed || [];
  const added = diff.tours_added || [];
  if (!removed.length && !added.length) return null;
  const bucket = (i) => {
    const b = plan?.buckets?.[i];
    return `${plan?.bucket || "bucket"} ${i + 1}` + (b ? ` (${b.start} .. ${b.end})` : "");
  };
  const row = (t, cls) =>
    h("tr", { class: cls },
      h("th", { scope: "row" }, names.nation(t.nation)),
      h("td", {}, t.unit),
      h("td", {}, t.requirement),
      h("td", {}, bucket(t.arrival)),
      h("td", {}, bucket(t.last)),
      h("td", { class: "num" }, `${num(t.before)} → ${num(t.after)}`));
  return table({
    caption: "Tours that change",
    head: ["Nation", "Unit", "Line", "Arrives", "Leaves after", "Units"],
    testid: "tour-changes",
    rows: [...removed.map((t) => row(t, "row-reduced")), ...added.map((t) => row(t, "row-added"))],
  });
}

function coverageChanges(changes, names) {
  if (!changes.length) return h("p", { class: "help" }, "No requirement line's coverage changes.");
  const figure = (v) => (v === null || v === undefined ? "–" : num(v));
  return table({
    caption: "Requirement lines whose coverage changes",
    head: ["Line", "Sector", "Priority", "Provided before", "Provided after", "Shortfall before → after", "In words"],
    testid: "coverage-changes",
    rows: changes.map((c) => {
      const words = lineChangeWords(c);
      return h(
        "tr",
        { class: words.startsWith("▼") ? "row-reduced" : words.startsWith("▲") ? "row-added" : "row-removed" },
        h("th", { scope: "row" }, c.requirement + (LINE_WORDS[c.line] || "")),
        h("td", {}, names.sector(c.sector)),
        h("td", {}, c.priority),
        h("td", { class: "num" }, figure(c.provided_before)),
        h("td", { class: "num" }, figure(c.provided_after)),
        h("td", { class: "num" }, `${figure(c.shortfall_before)} → ${figure(c.shortfall_after)}`),
        h("td", {}, words),
      );
    }),
  });
}

function fundingChanges(changes, names) {
  if (!changes.length) return null;
  return table({
    caption: "Pledged money drawn, by nation",
    head: ["Nation", "Drawn before", "Drawn after"],
    testid: "funding-changes",
    rows: changes.map((f) =>
      h(
        "tr",
        { class: f.used_after_usd < f.used_before_usd ? "row-reduced" : "row-added" },
        h("th", { scope: "row" }, names.nation(f.nation)),
        h("td", { class: "num" }, usd(f.used_before_usd)),
        h("td", { class: "num" }, usd(f.used_after_usd)),
      ),
    ),
  });
}

/** Why a package is not shown (the answer's `withheld`), or that none is given. */
function withheldNote(withheld, testid) {
  return h("p", { class: "withheld", dataset: { testid } },
    withheld ? `The package is withheld: ${withheld}` : "No package is given.");
}

function linesLostWords(w) {
  const lost = w.essential_lines_lost || [];
  const least = w.least_lines_lost;
  if (lost.length) {
    if (least === null || least === undefined) return `${lost.join(", ")} (fewer not ruled out)`;
    return least === lost.length ? `${lost.join(", ")} (the fewest possible)` : `${lost.join(", ")} (at least ${least} must be)`;
  }
  if (least === 0 || w.feasible === true) return "none";
  return "–";
}

/**
 * A criticality answer (forcepack.criticality/1): every withdrawal, most critical first; each row's
 * package (re-solved, or the best that can be had without the nation) opens below the table.
 */
export function criticalityView(answer, scenario, options = {}) {
  const names = namesOf(scenario);
  const rows = (answer.withdrawals || []).map((w, i) => ({ ...w, rank: i + 1 }));
  const feasibleWords = (w) => (w.feasible === true ? "yes" : w.feasible === false ? "no package" : "undecided");
  const nationsOf = (w) => (w.nations || []).map(names.nation).join(" and ");
  const shown = h("div", { class: "criticality-package", dataset: { testid: "criticality-package" }, "aria-live": "polite" });

  const open = (w) => {
    const title = h("h3", { tabindex: "-1" },
      w.feasible === false
        ? `Without ${nationsOf(w)}: the best that can be had${w.essential_lines_lost?.length ? `, giving up ${listWords(w.essential_lines_lost)}` : ""}`
        : `Without ${nationsOf(w)}: the package re-solved`);
    const bestEffort = w.feasible === false ? { lines_short: w.essential_lines_lost || [], least: w.least_lines_lost } : null;
    clear(
      shown,
      title,
      bestEffort
        ? h("p", { class: "best-effort-note" }, h("strong", {}, "Not an answer: "),
            "no package meets every essential line without them; this one holds every other rule and gives up the lines named.")
        : null,
      packageView(w.package, scenario, null, { prefix: "criticality-", bestEffort }),
    );
    title.focus();
  };

  const packageCell = (w) => {
    if (w.package) {
      return h("button", {
        type: "button",
        class: "secondary small",
        "aria-label": `Open the package without ${nationsOf(w)}`,
        onclick: () => open(w),
      }, "Open");
    }
    return answer.withheld ? "withheld" : "none";
  };

  return h(
    "div",
    { class: "criticality-answer" },
    answer.baseline && !hasPackage(answer.baseline) && answer.baseline.explanation
      ? explanationView(answer.baseline.explanation, options)
      : null,
    answer.withheld
      ? h("p", { class: "withheld", dataset: { testid: "criticality-withheld" } },
          `Some packages are withheld: ${answer.withheld}`)
      : null,
    sortableTable({
      caption: `${rows.length} withdrawal(s) re-solved${answer.wall_s ? ` in ${dec(answer.wall_s)} s` : ""}; most critical first`,
      testid: "criticality-table",
      rows,
      rowClass: (w) => (w.feasible === false ? "row-no-package" : w.essential_lines_lost?.length ? "row-reduced" : undefined),
      columns: [
        { key: "rank", label: "Rank", numeric: true },
        { key: "nations", label: "Withdrawn", header: true, cell: nationsOf, value: nationsOf },
        { key: "feasible", label: "Package remains", cell: feasibleWords, value: (w) => (w.feasible === true ? 1 : w.feasible === false ? -1 : 0) },
        {
          key: "essential_lines_lost",
          label: "Essential lines lost",
          cell: linesLostWords,
          value: (w) => w.essential_lines_lost?.length || 0,
        },
        { key: "shortfall_delta", label: "Shortfall", numeric: true, cell: (w) => signed(w.shortfall_delta, dec) },
        { key: "cost_delta_usd", label: "Cost", numeric: true, cell: (w) => signed(w.cost_delta_usd, (v) => usd(v)) },
        { key: "personnel_delta", label: "Personnel", numeric: true, cell: (w) => signed(w.personnel_delta) },
        {
          key: "fillers",
          label: "Who fills the gap",
          cell: (w) => (w.fillers?.length ? w.fillers.map(names.nation).join(", ") : "–"),
          value: (w) => (w.fillers || []).join(","),
        },
        { key: "package", label: "Package", cell: packageCell, value: (w) => (w.package ? 1 : 0) },
        { key: "reason", label: "Why", cell: (w) => w.reason || "" },
      ],
    }),
    shown,
  );
}

// -- why not ----------------------------------------------------------------------------------------

const SUBJECT_WORDS = { nation: "nation", unit: "offered unit", pledge: "pledge", requirement: "requirement line" };
const ASPECT_WORDS = { units: "Its units", money: "Its money" };

function deltasTable(deltas, testid, caption, against = "With the subject") {
  if (!deltas?.length) return null;
  return table({
    caption,
    testid,
    head: ["Criterion", "Best package", against, "Change"],
    rows: deltas.map((d) =>
      h("tr", {},
        h("th", { scope: "row" }, d.criterion),
        h("td", { class: "num" }, criterionValue(d.criterion, d.optimum)),
        h("td", { class: "num" }, criterionValue(d.criterion, d.with_subject)),
        h("td", { class: "num" }, signed(d.delta, d.criterion === "cost" ? usd : dec)))),
  });
}

const criterionValue = (criterion, value) => (criterion === "cost" ? usd(value) : dec(value));

function supplyTable(supply, line) {
  const measure = line?.measure === "personnel" ? "personnel" : "units";
  return table({
    caption: `Every unit line offered for this line's capability, in ${measure}`,
    testid: "why-not-supply",
    head: ["Nation", "Unit", "Could provide", "Provides", "Kept out by"],
    rows: supply.map((row) =>
      h("tr", { class: row.placed > 0 ? "row-added" : undefined },
        h("th", { scope: "row" }, row.nation || "other nations"),
        h("td", {}, row.unit || "–"),
        h("td", { class: "num" }, num(row.offered)),
        h("td", { class: "num" }, num(row.placed)),
        h("td", {}, row.kept_out_by?.length
          ? h("ul", { class: "plain" }, row.kept_out_by.map((k) => h("li", {}, k)))
          : row.placed > 0 ? "– (in the package)" : "nothing: the package does not need it"))),
  });
}

/**
 * A package an answer may hold (`label` names it), or why it does not: withheld from the caller, or
 * none exists (then its explanation says why; no way out is offered, since the question forces the
 * subject in and no patch can say that).
 */
function subjectPackage(solution, withheld, label, none, scenario, prefix) {
  if (solution && hasPackage(solution)) return [h("h4", {}, label), packageView(solution, scenario, null, { prefix })];
  if (solution) {
    return [
      h("h4", {}, none),
      solution.explanation ? explanationView(solution.explanation, { prefix }) : h("p", { class: "help" }, `Status: ${solution.status}.`),
    ];
  }
  if (withheld) return withheldNote(withheld, `${prefix}withheld`);
  return null;
}

/**
 * A why-not answer (forcepack.why-not/1): the summary; for a nation its units and its money apart;
 * for a requirement line its supply; the cost per criterion of including the subject; the package
 * that includes it, when there is one and the caller may read it.
 */
export function whyNotView(answer, scenario) {
  const subject = answer.subject || "the subject";
  const type = answer.subject_type;
  const line = type === "requirement" ? (scenario?.requirements || []).find((r) => r.id === subject) : null;
  const parts = [
    h("h3", {}, `Why not ${subject}?`, type ? h("span", { class: "subject-type" }, ` (${SUBJECT_WORDS[type] || type})`) : null),
    answer.summary ? h("p", { class: "summary", dataset: { testid: "why-not-summary" } }, answer.summary) : null,
  ];
  if (answer.parts?.length) {
    parts.push(
      h("div", { class: "why-not-parts", dataset: { testid: "why-not-parts" } },
        answer.parts.map((part) =>
          h("section", { class: "why-not-part", dataset: { testid: `why-not-part-${part.aspect}` } },
            h("h4", {}, `${ASPECT_WORDS[part.aspect] || part.aspect}: ${part.in_package ? "in the package" : "not in the package"}`),
            part.summary ? h("p", {}, part.summary) : null,
            deltasTable(part.deltas, `why-not-deltas-${part.aspect}`, `What including ${part.aspect === "money" ? "its money" : "its units"} would cost, per criterion`),
            part.with_subject || (answer.withheld && !part.in_package)
              ? h("details", {},
                  h("summary", {}, hasPackage(part.with_subject)
                    ? `The best package with ${subject}'s ${part.aspect}`
                    : `Why ${subject}'s ${part.aspect} cannot be had`),
                  subjectPackage(part.with_subject, answer.withheld,
                    `The best package with ${subject}'s ${part.aspect}`,
                    `No package takes ${subject}'s ${part.aspect}`,
                    scenario, `why-not-${part.aspect}-`))
              : null))),
    );
  }
  if (answer.supply?.length) {
    parts.push(h("h4", {}, `What is offered for ${subject}`), supplyTable(answer.supply, line));
  } else if (type === "requirement") {
    parts.push(h("p", { class: "help" }, "No unit line is offered for this line's capability that you may read."));
  }
  const deltas = deltasTable(answer.deltas, "why-not-deltas", "The price of including it, per criterion");
  if (deltas) parts.push(h("h4", {}, "What it would cost"), deltas);
  if (!answer.parts?.length) {
    const fills = type === "requirement";
    parts.push(subjectPackage(
      answer.with_subject,
      answer.withheld,
      fills ? `The best package that fills ${subject} in full` : `The best package that includes ${subject}`,
      fills ? `No package fills ${subject} in full` : `No package includes ${subject}`,
      scenario,
      "why-not-",
    ));
  }
  return h("div", { class: "why-not-answer", dataset: { testid: "why-not-answer" } }, parts);
}

// -- alternatives and the resilient package ---------------------------------------------------------

/** What a delegate or observer reads in place of an answer only coordinators read. */
function coordinatorsOnly(job, testid) {
  return job.withheld ? h("p", { class: "withheld", dataset: { testid } }, job.withheld) : null;
}

/**
 * Alternatives (forcepack.alternatives/1): the summary, each package in a planner's words, and the
 * packages side by side, what differs from the best marked. `options.onKeep(entries)` keeps them in
 * the comparison ({key, label, solution} each).
 */
export function alternativesView(job, scenario, options = {}) {
  const answer = job.result;
  if (!answer) return coordinatorsOnly(job, "alternatives-withheld");
  const label = (i) => (i === 0 ? "Best" : `Alternative ${i}`);
  const kept = (answer.packages || []).map((solution, i) => ({ key: `${job.id}:alternative-${i}`, label: label(i), solution }));
  const shown = kept.filter((k) => hasPackage(k.solution));
  return h("div", { class: "alternatives-answer", dataset: { testid: "alternatives-answer" } },
    h("p", { class: "summary", dataset: { testid: "alternatives-summary" } }, answer.summary),
    answer.descriptions?.length
      ? h("ol", { class: "descriptions", dataset: { testid: "alternatives-descriptions" } },
          answer.descriptions.map((d, i) => h("li", {}, h("strong", {}, `${label(i)}: `), d)))
      : null,
    shown.length > 1 && typeof options.onKeep === "function"
      ? h("p", {}, h("button", { type: "button", class: "secondary", dataset: { testid: "keep-alternatives" },
          onclick: () => options.onKeep(shown) }, "Keep them all for comparison"))
      : null,
    shown.length ? comparisonTable(shown, scenario, null, { prefix: "alternatives-" }) : null,
    shown.length
      ? h("details", { class: "packages-in-full" }, h("summary", {}, "Each package in full"),
          shown.map((k, i) => [h("h4", {}, k.label), packageView(k.solution, scenario, null, { prefix: `alternative-${i}-` })]))
      : null,
  );
}

/** The placements a fallback adds to the package: "IDN idn-inf 2 to rafah-inf", ... */
function fallbackChanges(resilientPackage, fallback, names) {
  if (fallback.plan && resilientPackage.plan) return fallbackTours(resilientPackage.plan, fallback.plan, names);
  const before = new Map((resilientPackage.assignments || []).map((a) => [`${a.nation}/${a.unit}/${a.requirement}`, a.units]));
  const changes = [];
  for (const a of fallback.assignments || []) {
    const was = before.get(`${a.nation}/${a.unit}/${a.requirement}`) || 0;
    if (a.units > was) changes.push(`${names.nation(a.nation)}: ${a.unit} +${num(a.units - was)} on ${a.requirement}`);
  }
  return changes;
}

/** A phased fallback's tours added to the resilient plan's (each kept tour stays as it was), with their weeks or months. */
function fallbackTours(plan, fallbackPlan, names) {
  const key = (t) => `${t.nation}/${t.unit}/${t.requirement}/${t.arrival}/${t.last}`;
  const before = new Map((plan.tours || []).map((t) => [key(t), t.units]));
  const changes = [];
  for (const t of fallbackPlan.tours || []) {
    const was = before.get(key(t)) || 0;
    if (t.units > was) {
      changes.push(`${names.nation(t.nation)}: ${t.unit} +${num(t.units - was)} on ${t.requirement}, ` +
        `from the ${bucketWords(fallbackPlan, t.arrival)} to the ${bucketWords(fallbackPlan, t.last)}`);
    }
  }
  return changes;
}

/**
 * The resilient package (forcepack.resilient/1): the summary, what resilience costs against the
 * best package, then per participating nation what happens if it withdraws: its fallback (what is
 * added; every other unit stays where it is) or why the withdrawal is fatal. `options.onKeep(entries)`
 * keeps the resilient package (and a fallback) in the comparison.
 */
export function resilienceView(job, scenario, options = {}) {
  const answer = job.result;
  if (!answer) return coordinatorsOnly(job, "resilience-withheld");
  const names = namesOf(scenario);
  const pkg = answer.package;
  const keep = typeof options.onKeep === "function" ? options.onKeep : null;
  const keepButton = (entries, text, testid) =>
    keep ? h("button", { type: "button", class: "secondary small", dataset: { testid }, onclick: () => keep(entries) }, text) : null;
  const resilientEntry = { key: `${job.id}:resilient`, label: "Resilient package", solution: pkg };
  const fallbacks = new Map((answer.fallbacks || []).map((f) => [f.nation, f.package]));
  const fatal = new Map((answer.fatal || []).map((f) => [f.nation, f.reason]));
  const undecided = new Map((answer.undecided || []).map((f) => [f.nation, f.reason]));
  const nations = [...new Set([...(answer.fatal || []), ...(answer.undecided || []), ...(answer.fallbacks || [])].map((f) => f.nation))];
  const rows = nations.map((nation) => {
    const fallback = fallbacks.get(nation);
    const changes = fallback ? fallbackChanges(pkg, fallback, names) : [];
    return h("tr", { class: fatal.has(nation) ? "row-fatal" : undefined, dataset: { nation } },
      h("th", { scope: "row" }, names.nation(nation)),
      h("td", {}, fatal.has(nation) ? h("strong", { class: "bad" }, "Fatal") : undecided.has(nation) ? "Not decided" : "Survived"),
      h("td", {}, fatal.has(nation)
        ? fatal.get(nation)
        : undecided.has(nation)
          ? undecided.get(nation)
          : changes.length ? h("ul", { class: "plain" }, changes.map((c) => h("li", {}, c))) : "nothing to add: the others cover it"),
      h("td", {}, fallback ? keepButton([resilientEntry, { key: `${job.id}:fallback-${nation}`, label: `If ${nation} withdraws`, solution: fallback }],
        "Compare", `keep-fallback-${nation}`) : null));
  });
  return h("div", { class: "resilience-answer", dataset: { testid: "resilience-answer" } },
    h("p", { class: "summary", dataset: { testid: "resilience-summary" } }, answer.summary),
    answer.searched === false
      ? h("p", { class: "help" }, "A package surviving more withdrawals was not searched for (the summary says why): " +
          "each withdrawal of the best package was tried.")
      : answer.most_proven === false
        ? h("p", { class: "help" }, "The time limit cut the search short: a package may survive more withdrawals.")
        : null,
    deltasTable(answer.cost_of_resilience, "resilience-cost", "What resilience costs, per criterion", "Resilient package"),
    hasPackage(pkg) ? h("p", {}, keepButton([resilientEntry], "Keep the resilient package for comparison", "keep-resilient")) : null,
    nations.length
      ? table({
          caption: pkg.plan
            ? "If a nation withdraws (it does not come): the fallback adds tours from the remaining offers, every other tour staying as planned"
            : "If a nation withdraws: the fallback adds units from the remaining offers, every other unit staying where it is",
          testid: "resilience-withdrawals",
          head: ["Nation withdrawing", "Outcome", "Fallback: units added, or why it is fatal", ""],
          rows,
        })
      : null,
    hasPackage(pkg)
      ? h("details", { class: "packages-in-full" }, h("summary", {}, "The resilient package in full"),
          packageView(pkg, scenario, null, { prefix: "resilient-" }))
      : null,
  );
}
