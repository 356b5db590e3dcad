// The what-if's changes beyond withdrawals and control statuses: mandate conditions, and every other
// operation of a patch (forcepack.patch/1, models/patch.py) as a card of fields. Each control names
// its field by the path the service gives in a problem (`ops[3].quantity`), set when the patch is made.

import { h } from "./dom.js";
import { OfferEditor } from "./offer.js";

const PRIORITY = ["essential", "desirable"];
const MEASURE = ["units", "personnel"];
const CRITERIA = ["shortfall", "cost", "nations", "max_share", "readiness"];
const TARGETS = ["max_personnel", "min_nations", "group_minimums", "max_nation_share", "funding_coverage"];
const listOf = (text) => text.split(",").map((x) => x.trim()).filter(Boolean);

let uid = 0;
const newId = () => `patch-field-${++uid}`;

/** A select of the mandate's conditions: unchanged, holds, does not hold. */
export function renderMandate(container, scenario) {
  const current = new Map([...container.querySelectorAll("select")].map((s) => [s.dataset.condition, s.value]));
  container.replaceChildren(
    ...Object.entries(scenario.mandate || {}).map(([name, value]) => {
      const id = `mandate-${name}`;
      return h("div", { class: "field" },
        h("label", { htmlFor: id }, name),
        h("select", { id, dataset: { condition: name }, value: current.get(name) || "" },
          h("option", { value: "" }, `unchanged (${value ? "holds" : "does not hold"})`),
          h("option", { value: "true" }, "holds"),
          h("option", { value: "false" }, "does not hold")));
    }),
  );
  if (!container.children.length) container.append(h("p", { class: "help" }, "The scenario names no mandate condition."));
}

/** The set_mandate operation of the chosen conditions, or null. */
export function mandateOp(container) {
  const conditions = {};
  for (const select of container.querySelectorAll("select")) {
    if (select.value) conditions[select.dataset.condition] = select.value === "true";
  }
  return Object.keys(conditions).length ? { op: "set_mandate", conditions } : null;
}

/** What each operation asks, its label and fields; `read(values)` makes the operation. */
function kinds(scenario) {
  const lines = (scenario.requirements || []).map((r) => [r.id, `${r.id} (${r.capability}, ${r.quantity} ${r.measure || "units"})`]);
  const sectors = (scenario.sectors || []).map((s) => [s.id, s.name || s.id]);
  const nations = (scenario.nations || []).map((n) => [n.code, `${n.name || n.code} (${n.code})`]);
  const vetoes = (scenario.vetoes || []).map((v) => [v.id, `${v.id}: ${v.by} against ${(v.against || []).join(", ")}`]);
  const units = (scenario.offers || []).flatMap((o) => (o.units || []).map((u) => [`${o.nation}/${u.id}`, `${o.nation}/${u.id} (${u.capability})`]));
  const redLines = (scenario.offers || []).flatMap((o) => (o.red_lines || []).map((r) => [`${o.nation}/${r.id}`, `${o.nation}/${r.id} (${r.kind})`]));
  const offerOf = (nation) => {
    const offer = (scenario.offers || []).find((o) => o.nation === nation) || { nation, units: [], funding: [], red_lines: [] };
    return JSON.stringify(offer, null, 1);
  };
  const nodes = (scenario.phasing?.nodes || []).map((n) => [n.id, n.name || n.id]);
  const pick = (options) => ({ type: "select", options });
  const whole = (text) => Number.parseInt(text, 10);
  const nodeKinds = nodes.length ? {
    set_node_capacity: {
      label: "A node of entry's throughput",
      fields: {
        node: ["Node of entry", pick(nodes)],
        personnel_per_day: ["Personnel a day (empty: as it is)", { type: "number" }],
        tons_per_day: ["Tons a day (empty: as it is)", { type: "number" }],
        unlimited: ["No daily limit", pick([["no", "no"], ["yes", "yes: it carries whatever arrives"]])],
      },
      read: (v) => (v.unlimited === "yes" ? { node: v.node, unlimited: true } : {
        node: v.node,
        ...(v.personnel_per_day.trim() !== "" ? { personnel_per_day: whole(v.personnel_per_day) } : {}),
        ...(v.tons_per_day.trim() !== "" ? { tons_per_day: whole(v.tons_per_day) } : {}),
      }),
      words: (o) => (o.unlimited ? `${o.node} carries whatever arrives` : `${o.node} carries ${[
        o.personnel_per_day !== undefined ? `${o.personnel_per_day} personnel` : null,
        o.tons_per_day !== undefined ? `${o.tons_per_day} t` : null,
      ].filter(Boolean).join(" and ") || "as it did"} a day`),
    },
  } : {};
  return {
    set_quantity: {
      label: "A requirement line's quantity",
      fields: { requirement: ["Line", pick(lines)], quantity: ["New quantity", { type: "number" }] },
      read: (v) => ({ requirement: v.requirement, quantity: Number.parseInt(v.quantity, 10) }),
      words: (o) => `${o.requirement} asks ${o.quantity}`,
    },
    set_priority: {
      label: "A requirement line's priority",
      fields: { requirement: ["Line", pick(lines)], priority: ["New priority", pick(PRIORITY.map((p) => [p, p]))] },
      read: (v) => ({ requirement: v.requirement, priority: v.priority }),
      words: (o) => `${o.requirement} ${o.priority}`,
    },
    add_requirement: {
      label: "A new requirement line",
      fields: {
        "requirement.id": ["Id", { type: "text" }],
        "requirement.sector": ["Sector", pick(sectors)],
        "requirement.capability": ["Capability", { type: "text" }],
        "requirement.quantity": ["Quantity", { type: "number" }],
        "requirement.measure": ["Measure", pick(MEASURE.map((m) => [m, m]))],
        "requirement.priority": ["Priority", pick(PRIORITY.map((p) => [p, p]))],
      },
      read: (v) => ({
        requirement: {
          id: v["requirement.id"], sector: v["requirement.sector"], capability: v["requirement.capability"],
          quantity: Number.parseInt(v["requirement.quantity"], 10), measure: v["requirement.measure"], priority: v["requirement.priority"],
        },
      }),
      words: (o) => `a line ${o.requirement.id} is added`,
    },
    drop_requirement: {
      label: "Drop a requirement line",
      fields: { requirement: ["Line", pick(lines)] },
      read: (v) => ({ requirement: v.requirement }),
      words: (o) => `${o.requirement} dropped`,
    },
    add_veto: {
      label: "A new veto",
      fields: { "veto.id": ["Id", { type: "text" }], "veto.by": ["By (a party)", { type: "text" }], "veto.against": ["Against (nation codes)", { type: "text" }],
        "veto.scope": ["Scope", pick([["units", "units"], ["all", "all participation"]])] },
      read: (v) => ({ veto: { id: v["veto.id"], by: v["veto.by"], against: listOf(v["veto.against"]), scope: v["veto.scope"] } }),
      words: (o) => `${o.veto.by} vetoes ${o.veto.against.join(", ")}`,
    },
    drop_veto: {
      label: "Drop a veto",
      fields: { id: ["Veto", pick(vetoes)] },
      read: (v) => ({ id: v.id }),
      words: (o) => `veto ${o.id} dropped`,
    },
    lift_veto: {
      label: "Lift a veto for some nations",
      fields: { id: ["Veto", pick(vetoes)], nations: ["Nations (codes)", { type: "text" }] },
      read: (v) => ({ id: v.id, nations: listOf(v.nations) }),
      words: (o) => `veto ${o.id} lifted for ${o.nations.join(", ")}`,
    },
    drop_red_line: {
      label: "A nation drops a red line",
      fields: { id: ["Red line", pick(redLines)] },
      read: (v) => {
        const [nation, ...rest] = v.id.split("/");
        return { nation, id: rest.join("/") };
      },
      words: (o) => `${o.nation} drops ${o.id}`,
    },
    remove_unit: {
      label: "Take an offered unit off the table",
      fields: { unit: ["Unit", pick(units)] },
      read: (v) => {
        const [nation, ...rest] = v.unit.split("/");
        return { nation, unit: rest.join("/") };
      },
      words: (o) => `${o.nation}/${o.unit} removed`,
    },
    replace_offer: {
      label: "Replace a nation's offer",
      fields: {
        "offer.nation": ["Nation", pick(nations)],
        offer: ["Its new offer: units, money and red lines, starting from its offer as it stands", { type: "offer", fill: (values) => offerOf(values["offer.nation"]) }],
      },
      read: (v) => {
        let offer;
        try {
          offer = JSON.parse(v.offer);
        } catch {
          offer = v.offer; // the service names it: not an offer
        }
        return { offer: typeof offer === "object" && offer ? { ...offer, nation: v["offer.nation"] } : offer };
      },
      words: (o) => `${o.offer?.nation || "a nation"}'s offer replaced`,
    },
    set_targets: {
      label: "A force-level target",
      fields: { target: ["Target", pick(TARGETS.map((t) => [t, t]))], value: ["New value (empty: no such target)", { type: "text" }] },
      read: (v) => {
        let value = v.value.trim() === "" ? null : v.value.trim();
        if (value !== null) {
          try {
            value = JSON.parse(value);
          } catch {
            // left as text: the service names the target and what it expects
          }
        }
        return { targets: { [v.target]: value } };
      },
      path: (field, values) => (field === "value" ? `targets.${values.target}` : field === "target" ? "targets" : field),
      words: (o) => Object.entries(o.targets).map(([k, v]) => `${k} ${v === null ? "removed" : v}`).join(", "),
    },
    set_objective: {
      label: "The objective's criteria",
      fields: { objective: ["Criteria in order (comma-separated)", { type: "text", value: CRITERIA.slice(0, 3).join(", ") }] },
      read: (v) => ({ objective: listOf(v.objective) }),
      words: (o) => `objective ${o.objective.join(", ")}`,
    },
    ...nodeKinds,
  };
}

/**
 * The list of further changes: a chooser of operations and one card per change. `ops(start)` gives
 * the operations, naming each card's controls by their path (`ops[start + i].field`).
 */
export class ChangeList {
  constructor(container) {
    this.container = container;
    this.cards = [];
  }

  render(scenario) {
    this.scenario = scenario;
    this.kinds = kinds(scenario);
    const chooser = h("select", { id: "what-if-op-kind" }, Object.entries(this.kinds).map(([op, k]) => h("option", { value: op }, k.label)));
    this.list = h("div", { class: "cards", dataset: { testid: "what-if-changes" } });
    this.cards = [];
    this.container.replaceChildren(
      h("div", { class: "row wrap" }, h("label", { htmlFor: chooser.id }, "Change"), chooser,
        h("button", { type: "button", class: "secondary", onclick: () => this.add(chooser.value) }, "Add this change")),
      this.list,
    );
  }

  add(op) {
    const kind = this.kinds[op];
    const controls = {};
    const values = () => Object.fromEntries(Object.entries(controls).map(([k, c]) => [k, c.value]));
    const card = h("fieldset", { class: "card", dataset: { op } });
    const number = this.cards.length + 1;
    for (const [name, [label, spec]] of Object.entries(kind.fields)) {
      const id = newId();
      let control;
      if (spec.type === "offer") {
        // A nation's offer as the delegate's form edits it (offer.js), its value the offer as JSON.
        control = h("div", { id, class: "offer-in-patch" });
        const editor = new OfferEditor(control, { scenarioId: this.scenario.id, nation: "", scenario: this.scenario, draft: {} });
        Object.defineProperty(control, "value", {
          get: () => JSON.stringify(editor.body()),
          set: (text) => {
            const offer = JSON.parse(text);
            editor.nation = offer.nation;
            editor.adopt({ offer, version: null }, null);
            editor.render();
          },
        });
        control.stampPaths = (prefix) => editor.stampPaths(prefix);
        controls[name] = control;
        control.dataset.field = name;
        card.append(h("div", { class: "field wide" }, h("p", { class: "label", id: `${id}-label` }, label), control));
        control.setAttribute("role", "group");
        control.setAttribute("aria-labelledby", `${id}-label`);
        continue;
      }
      if (spec.type === "select") {
        control = h("select", { id }, spec.options.map(([v, text]) => h("option", { value: v }, text)));
      } else if (spec.type === "textarea") {
        control = h("textarea", { id, rows: 6, spellcheck: false });
      } else {
        control = h("input", { id, type: spec.type === "number" ? "number" : "text", step: spec.type === "number" ? 1 : undefined, value: spec.value || "", spellcheck: false });
      }
      control.dataset.field = name;
      controls[name] = control;
      card.append(h("div", { class: "field" }, h("label", { htmlFor: id }, label), control));
    }
    // A field filled from another (a nation's offer from the nation chosen) follows it.
    for (const [name, [, spec]] of Object.entries(kind.fields)) {
      if (!spec.fill) continue;
      const refill = () => { controls[name].value = spec.fill(values()); };
      for (const other of Object.values(controls)) if (other !== controls[name]) other.addEventListener("change", refill);
      refill();
    }
    const entry = { op, kind, card, controls, values };
    card.prepend(h("legend", {}, `Change ${number}: ${kind.label}`));
    card.append(h("button", { type: "button", class: "secondary remove", onclick: () => this.remove(entry) }, `Remove change ${number}`));
    this.cards.push(entry);
    this.list.append(card);
    Object.values(controls)[0]?.focus();
  }

  remove(entry) {
    this.cards = this.cards.filter((c) => c !== entry);
    entry.card.remove();
  }

  clear() {
    for (const entry of this.cards) entry.card.remove();
    this.cards = [];
  }

  /** The operations, in order, the first one at `ops[start]`; each card's controls named by their path. */
  ops(start) {
    return this.cards.map((entry, i) => {
      const where = `ops[${start + i}]`;
      const values = entry.values();
      entry.card.dataset.path = where;
      for (const [name, control] of Object.entries(entry.controls)) {
        const inside = entry.kind.path ? entry.kind.path(name, values) : name;
        control.dataset.path = `${where}.${inside}`;
        control.stampPaths?.(`${where}.${inside}.`);
      }
      return { op: entry.op, ...entry.kind.read(values) };
    });
  }

  /** The operations in words, for the what-if's description. */
  words(ops) {
    return ops.map((o) => {
      // A card left incomplete reads by its kind ("set a line's quantity"), never "asks NaN".
      const kind = this.kinds[o.op];
      const filled = Object.values(o).every((v) => v !== "" && v !== null && v !== undefined && !Number.isNaN(v) && !(Array.isArray(v) && !v.length));
      return kind && (filled ? kind.words(o) : `${kind.label || o.op} (incomplete)`);
    }).filter(Boolean);
  }
}
