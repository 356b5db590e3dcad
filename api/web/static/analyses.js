// Answers of analyses: a what-if (both packages and their diff) and criticality (N-1, ranked).

import { dec, facts, h, num, signed, sortableTable, table, usd } from "./dom.js";
import { explanationView, namesOf, packageView } from "./package.js";

const hasPackage = (solution) => solution && (solution.status === "optimal" || solution.status === "feasible");

/** A what-if answer (forcepack.what-if/1): the summary, what changed, and the patched package highlighted. */
export function whatIfView(answer, scenario) {
  const names = namesOf(scenario);
  const diff = answer.diff;
  const patched = answer.patched || {};
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
        ],
        "what-if-diff",
      ),
      coverageChanges(diff.coverage || [], names),
    );
  } else if (!hasPackage(patched)) {
    parts.push(
      h("p", { class: "bad", dataset: { testid: "what-if-infeasible" } },
        hasPackage(answer.baseline)
          ? "With these changes no package remains."
          : "The scenario as it stands has no package either; there is nothing to compare."),
    );
  }
  parts.push(
    h("h3", {}, "The package after the change"),
    packageView(patched, scenario, diff ? { baseline: answer.baseline, diff } : null),
  );
  return h("div", { class: "what-if-answer", dataset: { testid: "what-if-answer" } }, parts);
}

function coverageChanges(changes, names) {
  if (!changes.length) return h("p", { class: "help" }, "No requirement line's coverage changes.");
  return table({
    caption: "Requirement lines whose coverage changes",
    head: ["Line", "Sector", "Priority", "Provided before", "Provided after", "Shortfall before → after", "In words"],
    testid: "coverage-changes",
    rows: changes.map((c) => {
      const lost = c.provided_after < c.provided_before;
      return h(
        "tr",
        { class: lost ? "row-reduced" : "row-added" },
        h("th", { scope: "row" }, c.requirement),
        h("td", {}, names.sector(c.sector)),
        h("td", {}, c.priority),
        h("td", { class: "num" }, num(c.provided_before)),
        h("td", { class: "num" }, num(c.provided_after)),
        h("td", { class: "num" }, `${num(c.shortfall_before)} → ${num(c.shortfall_after)}`),
        h("td", {}, lost ? "▼ coverage lost" : "▲ coverage gained"),
      );
    }),
  });
}

/** A criticality answer (forcepack.criticality/1): every withdrawal, most critical first. */
export function criticalityView(answer, scenario) {
  const names = namesOf(scenario);
  const rows = (answer.withdrawals || []).map((w, i) => ({ ...w, rank: i + 1 }));
  const feasibleWords = (w) => (w.feasible === true ? "yes" : w.feasible === false ? "no package" : "undecided");
  const nationsOf = (w) => (w.nations || []).map(names.nation).join(" and ");
  return h(
    "div",
    { class: "criticality-answer" },
    answer.baseline && !hasPackage(answer.baseline) && answer.baseline.explanation
      ? explanationView(answer.baseline.explanation)
      : null,
    sortableTable({
      caption: `${rows.length} withdrawal(s) re-solved${answer.wall_s ? ` in ${dec(answer.wall_s)} s` : ""}; most critical first`,
      testid: "criticality-table",
      rows,
      rowClass: (w) => (w.feasible === false ? "row-removed" : w.essential_lines_lost?.length ? "row-reduced" : undefined),
      columns: [
        { key: "rank", label: "Rank", numeric: true },
        { key: "nations", label: "Withdrawn", header: true, cell: nationsOf, value: nationsOf },
        { key: "feasible", label: "Package remains", cell: feasibleWords, value: (w) => (w.feasible === true ? 1 : w.feasible === false ? -1 : 0) },
        {
          key: "essential_lines_lost",
          label: "Essential lines lost",
          cell: (w) =>
            w.essential_lines_lost?.length
              ? `${w.essential_lines_lost.join(", ")}${w.least_lines_lost == null ? " (fewer not ruled out)" : " (the fewest possible)"}`
              : "none",
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
        { key: "reason", label: "Why", cell: (w) => w.reason || "" },
      ],
    }),
  );
}
