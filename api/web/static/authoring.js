// The coordinator's workbench: create a scenario (blank, from another as a template, or from a file),
// edit its parts (sectors, requirement lines, nations and groups, vetoes, targets, mandate conditions,
// objective) and save them with PATCH and If-Match, import offers from a workbook, read the scenario's
// version history with the changes between two versions, and its jobs. Every problem the service
// answers is shown next to its field (fields.js), in the service's words.

import { ApiError, download, fileType, get, request } from "./api.js";
import { clear, h, num } from "./dom.js";
import { clearProblems, showProblems } from "./fields.js";

const CONTROL = ["secure", "contested", "hostile"];
const MEASURE = ["units", "personnel"];
const PRIORITY = ["essential", "desirable"];
const READINESS = ["pledged", "verified", "mou", "rapid"];
const ENGAGEMENT = ["0 support", "1 presence", "2 control", "3 enforcement"];
const CRITERIA = ["shortfall", "cost", "nations", "max_share", "readiness"];
const SCOPES = ["units", "all"];
/** The coordinator's parts the editor writes (PATCH replaces each one named whole). */
const PARTS = ["name", "description", "illustrative", "horizon", "cost", "mandate", "sectors", "requirements", "nations", "vetoes", "targets", "objective"];

const copy = (value) => JSON.parse(JSON.stringify(value ?? null));
const listOf = (text) => text.split(",").map((x) => x.trim()).filter(Boolean);
const path = (id) => `/v1/scenarios/${encodeURIComponent(id)}`;
const linesOf = (error) => (error instanceof ApiError ? error.lines : [String(error.message || error)]);

let uid = 0;
const newId = (name) => `author-${name}-${++uid}`;

/** A message box's content: its first line, and the rest as a list. */
function say(box, kind, first, rest = []) {
  clear(box, h("p", { class: kind }, first), rest.length ? h("ul", {}, rest.map((line) => h("li", {}, line))) : null);
}

/** A labelled control; `data-path` names its field for the service's problems. */
function field(label, control, help) {
  control.id ||= newId("field");
  if (help) control.setAttribute("aria-describedby", `${control.id}-help`);
  return h("div", { class: "field" }, h("label", { htmlFor: control.id }, label), control,
    help ? h("small", { id: `${control.id}-help`, class: "help" }, help) : null);
}

/** Set or remove (empty: the default applies) a key of an item. */
function put(item, key, value) {
  if (value === "" || value === null || value === undefined || (typeof value === "number" && Number.isNaN(value))) delete item[key];
  else item[key] = value;
}

const asInt = (text) => (text.trim() === "" ? null : Number.parseInt(text, 10));
const asNumber = (text) => (text.trim() === "" ? null : Number(text));

// -- a list of items as an editable table ----------------------------------------------------------

/**
 * A list of the document (`items`, at `base`, e.g. `requirements`) as a table of inputs: each row
 * an item, each cell a field, named by its path (`requirements[3].quantity`) whatever order the rows
 * are shown in. Rows can be added, copied, deleted, sorted by a column (`sortable`) and moved
 * (`movable`, for an order that matters).
 * columns: [{key, label, type: text|number|decimal|date|select|list|checkbox, options, list, width}]
 */
class ListTable {
  constructor({ base, items, columns, noun, make, sortable = false, movable = false, idKey = "id", testid }) {
    Object.assign(this, { base, items, columns, noun, make, sortable, movable, idKey, testid });
    this.sortKey = null;
    this.ascending = true;
    this.root = h("div", { class: "list-table", dataset: { path: base, testid: testid || `author-${base}` } });
    this.render();
  }

  order() {
    const rows = this.items.map((item, index) => ({ item, index }));
    if (this.sortKey) {
      const key = this.sortKey;
      rows.sort((a, b) => {
        const x = a.item[key];
        const y = b.item[key];
        const c = typeof x === "number" && typeof y === "number" ? x - y : String(x ?? "").localeCompare(String(y ?? ""), "en", { numeric: true });
        return this.ascending ? c : -c;
      });
    }
    return rows;
  }

  cell(item, index, column) {
    const name = `${this.base}[${index}].${column.key}`;
    const label = `${column.label}, ${this.noun} ${index + 1}`;
    const attrs = { "aria-label": label, dataset: { path: name }, name };
    const value = item[column.key];
    if (column.type === "select") {
      const options = typeof column.options === "function" ? column.options() : column.options;
      return h("select", { ...attrs, value: value === undefined || value === null ? "" : String(value),
        onchange: (e) => put(item, column.key, column.parse ? column.parse(e.target.value) : e.target.value) },
        options.map(([v, text]) => h("option", { value: v }, text)));
    }
    if (column.type === "checkbox") {
      return h("input", { ...attrs, type: "checkbox", checked: !!value, onchange: (e) => { item[column.key] = e.target.checked; } });
    }
    const types = { number: "number", decimal: "number", date: "date" };
    const shown = column.type === "list" ? (value || []).join(", ") : value ?? "";
    const parse = { number: asInt, decimal: asNumber, list: (t) => listOf(t), date: (t) => t || null }[column.type] || ((t) => t);
    return h("input", {
      ...attrs,
      type: types[column.type] || "text",
      step: column.type === "decimal" ? "any" : column.type === "number" ? "1" : undefined,
      list: column.list,
      spellcheck: false,
      class: column.width ? `w-${column.width}` : undefined,
      value: shown,
      oninput: (e) => {
        const parsed = parse(e.target.value);
        if (column.type === "list") item[column.key] = parsed;
        else put(item, column.key, parsed);
      },
    });
  }

  render() {
    const head = h("tr", {},
      this.columns.map((column) => {
        const sorted = this.sortKey === column.key;
        const th = h("th", { scope: "col", "aria-sort": this.sortable ? (sorted ? (this.ascending ? "ascending" : "descending") : "none") : undefined },
          this.sortable
            ? h("button", { type: "button", class: "sort", onclick: () => this.sortBy(column.key) }, column.label,
                h("span", { class: "sort-mark", "aria-hidden": "true" }, sorted ? (this.ascending ? " ▲" : " ▼") : ""))
            : column.label);
        return th;
      }),
      h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")));
    const body = h("tbody", {},
      this.items.length
        ? this.order().map(({ item, index }) =>
            h("tr", { dataset: { path: `${this.base}[${index}]` } },
              this.columns.map((column) => h("td", {}, this.cell(item, index, column))),
              h("td", { class: "row-actions" }, this.actions(item, index))))
        : h("tr", {}, h("td", { colSpan: this.columns.length + 1, class: "empty" }, `No ${this.noun} yet.`)));
    clear(this.root,
      h("div", { class: "table-wrap" }, h("table", { class: "data editable" }, h("thead", {}, head), body)),
      h("button", { type: "button", class: "secondary", onclick: () => this.add() }, `Add ${article(this.noun)}`));
  }

  actions(item, index) {
    const which = `${this.noun} ${index + 1}`; // (its id may change as it is typed)
    return [
      this.movable && index > 0
        ? h("button", { type: "button", class: "secondary small", "aria-label": `Move ${which} up`, onclick: () => this.move(index, -1) }, "↑")
        : null,
      this.movable && index < this.items.length - 1
        ? h("button", { type: "button", class: "secondary small", "aria-label": `Move ${which} down`, onclick: () => this.move(index, 1) }, "↓")
        : null,
      this.make ? h("button", { type: "button", class: "secondary small", "aria-label": `Copy ${which}`, onclick: () => this.copyRow(index) }, "Copy") : null,
      h("button", { type: "button", class: "secondary small", "aria-label": `Delete ${which}`, onclick: () => this.remove(index) }, "Delete"),
    ];
  }

  sortBy(key) {
    this.ascending = this.sortKey === key ? !this.ascending : true;
    this.sortKey = key;
    this.render();
  }

  focusRow(index) {
    this.root.querySelector(`[data-path="${CSS.escape(`${this.base}[${index}]`)}"] input, [data-path="${CSS.escape(`${this.base}[${index}]`)}"] select`)?.focus();
  }

  add() {
    this.items.push(this.make ? this.make() : {});
    this.sortKey = null; // a new row shows last, where it was added
    this.render();
    this.focusRow(this.items.length - 1);
  }

  copyRow(index) {
    const twin = copy(this.items[index]);
    if (twin[this.idKey]) twin[this.idKey] = uniqueId(`${twin[this.idKey]}-copy`, this.items.map((x) => x[this.idKey]));
    this.items.splice(index + 1, 0, twin);
    this.render();
    this.focusRow(index + 1);
  }

  remove(index) {
    this.items.splice(index, 1);
    this.render();
    this.root.querySelector("button")?.focus();
  }

  move(index, by) {
    const [item] = this.items.splice(index, 1);
    this.items.splice(index + by, 0, item);
    this.render();
    this.focusRow(index + by);
  }
}

function article(noun) {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function uniqueId(wanted, taken) {
  const used = new Set(taken);
  let id = wanted;
  for (let i = 2; used.has(id); i++) id = `${wanted}-${i}`;
  return id;
}

// -- creating a scenario ---------------------------------------------------------------------------

/**
 * The form that creates a scenario: blank (a horizon, a first sector and a first line: a scenario
 * holds at least one of each), from another scenario as a template (with or without its offers),
 * or from a file (YAML, JSON, or a workbook as `forcepack export` writes it).
 * `onCreated(view)` opens the new scenario.
 */
let created = null; // { id, words }: the last scenario created here, said again once it is opened

export function createForm(container, { scenarios, current, onCreated }) {
  const message = h("div", { class: "form-message", role: "status", "aria-live": "polite", dataset: { testid: "create-message" } });
  // Opening the new scenario draws this form again: its creation stays said while it is the one open.
  if (created && created.id === current) say(message, "good", created.words);
  const source = (value, label) =>
    h("label", { class: "choice" }, h("input", { type: "radio", name: "create-source", value, checked: value === "template", onchange: () => show() }), ` ${label}`);
  const template = h("select", { id: newId("template"), dataset: { path: "template" } },
    scenarios.map((x) => h("option", { value: x.id }, x.name ? `${x.name} (${x.id})` : x.id)));
  if (current) template.value = current;
  const keepOffers = h("input", { type: "checkbox", id: newId("keep"), checked: true });
  const file = h("input", { type: "file", id: newId("file"), accept: ".yaml,.yml,.json,.xlsx", dataset: { path: "file" } });
  const id = h("input", { id: newId("id"), spellcheck: false, autocomplete: "off", dataset: { path: "id" }, placeholder: "rafah-first" });
  const name = h("input", { id: newId("name"), autocomplete: "off", dataset: { path: "name" } });
  const today = new Date().toISOString().slice(0, 10);
  const start = h("input", { type: "date", id: newId("start"), value: today, dataset: { path: "horizon.start" } });
  const end = h("input", { type: "date", id: newId("end"), value: `${Number(today.slice(0, 4)) + 1}-12-31`, dataset: { path: "horizon.end" } });
  const sector = h("input", { id: newId("sector"), value: "sector-1", spellcheck: false, dataset: { path: "sectors[0].id" } });
  const capability = h("input", { id: newId("capability"), value: "infantry", spellcheck: false, dataset: { path: "requirements[0].capability" } });
  const quantity = h("input", { type: "number", min: 1, step: 1, id: newId("quantity"), value: 1, dataset: { path: "requirements[0].quantity" } });

  const parts = {
    template: h("div", { class: "grid" }, field("Template", template), h("div", { class: "field checkbox" }, h("label", {}, keepOffers, " Keep its offers"))),
    file: h("div", { class: "grid" }, field("Scenario file (YAML, JSON or workbook)", file, "The file names the scenario's id.")),
    blank: h("div", { class: "grid" },
      field("Horizon starts", start), field("Horizon ends", end), field("First sector's id", sector),
      field("First requirement line: capability", capability), field("Its quantity (units)", quantity)),
    named: h("div", { class: "grid" }, field("Id of the new scenario", id, "Letters, digits and dashes; it cannot change later."), field("Name", name)),
  };
  const chosen = () => form.querySelector("input[name=create-source]:checked").value;
  const show = () => {
    const which = chosen();
    parts.template.hidden = which !== "template";
    parts.file.hidden = which !== "file";
    parts.blank.hidden = which !== "blank";
    parts.named.hidden = which === "file";
  };

  const submit = async (event) => {
    event.preventDefault();
    clearProblems(form);
    created = null;
    say(message, "help", "Creating...");
    try {
      let answer;
      const which = chosen();
      if (which === "file") {
        const chosenFile = file.files[0];
        if (!chosenFile) throw new ApiError(422, { detail: "choose a file first", problems: ["file: no file chosen"] });
        answer = await request("POST", "/v1/scenarios", { raw: await chosenFile.arrayBuffer(), contentType: fileType(chosenFile.name) });
      } else {
        let document;
        if (which === "template") {
          document = copy((await get(path(template.value))).body.scenario);
          delete document.expect; // it was about the template
          if (!keepOffers.checked) document.offers = [];
        } else {
          document = {
            schema: "forcepack.scenario/1",
            horizon: { start: start.value, end: end.value },
            sectors: [{ id: sector.value.trim(), control: "secure" }],
            requirements: [{ id: `${sector.value.trim()}-${capability.value.trim()}`, sector: sector.value.trim(), capability: capability.value.trim(), quantity: asInt(quantity.value) }],
          };
        }
        document.id = id.value.trim();
        if (name.value.trim()) document.name = name.value.trim();
        else if (which === "template") document.name = `${document.name || template.value} (copy)`;
        answer = await request("POST", "/v1/scenarios", { body: document });
      }
      created = { id: answer.body.id, words: `Created scenario ${answer.body.id} (version ${answer.body.version}).` };
      say(message, "good", created.words);
      await onCreated(answer.body);
    } catch (error) {
      const lines = linesOf(error);
      const [first, ...rest] = lines;
      say(message, "bad", `Not created. ${first}`, showProblems(form, rest));
    }
  };

  const form = h("form", { class: "create-form", dataset: { testid: "create-form" }, onsubmit: submit },
    h("fieldset", { class: "checks" }, h("legend", {}, "Start from"),
      source("template", "another scenario, as a template"), source("blank", "a blank scenario"), source("file", "a file")),
    parts.template, parts.file, parts.blank, parts.named,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create the scenario")));
  clear(container, message, form);
  show();
}

// -- editing a scenario -----------------------------------------------------------------------------

/**
 * The editor of a scenario's coordinator parts. Saving sends the parts changed (PATCH, each part
 * whole) with `If-Match`; on 412 the edits are kept and the newer version offered. `onSaved(view)`
 * tells the page the scenario changed.
 */
export class ScenarioEditor {
  constructor(container, { view, onSaved }) {
    this.container = container;
    this.onSaved = onSaved;
    this.adopt(view);
  }

  adopt(view, etag) {
    this.view = view;
    this.etag = etag || view.etag;
    const scenario = view.scenario;
    this.original = Object.fromEntries(PARTS.map((part) => [part, copy(scenario[part])]));
    this.draft = copy(this.original);
    this.draft.sectors ||= [];
    this.draft.requirements ||= [];
    this.draft.nations ||= [];
    this.draft.vetoes ||= [];
    this.draft.targets ||= {};
    this.draft.horizon ||= {};
    this.draft.cost ||= {};
    this.draft.objective = (this.draft.objective || []).map((t) => (typeof t === "string" ? { criterion: t } : t));
    this.mandate = Object.entries(scenario.mandate || {}).map(([name, value]) => ({ name, value }));
  }

  capabilities() {
    const found = new Set();
    (this.view.scenario.capabilities || []).forEach((c) => found.add(c.id || c));
    this.draft.requirements.forEach((r) => r.capability && found.add(r.capability));
    (this.view.scenario.offers || []).forEach((o) => (o.units || []).forEach((u) => found.add(u.capability)));
    return [...found].sort();
  }

  render() {
    const d = this.draft;
    const capabilitiesList = newId("capabilities");
    this.message = h("div", { class: "form-message", role: "status", "aria-live": "polite", dataset: { testid: "editor-message" } });
    this.conflictPanel = h("div", { dataset: { testid: "editor-conflict" } });
    const general = h("div", { class: "grid" },
      field("Name", h("input", { value: d.name || "", dataset: { path: "name" }, oninput: (e) => put(d, "name", e.target.value) })),
      field("Horizon starts", h("input", { type: "date", value: d.horizon.start || "", dataset: { path: "horizon.start" }, oninput: (e) => { d.horizon.start = e.target.value; } })),
      field("Horizon ends", h("input", { type: "date", value: d.horizon.end || "", dataset: { path: "horizon.end" }, oninput: (e) => { d.horizon.end = e.target.value; } })),
      field("Personnel rate (USD per person per month)", h("input", { type: "number", min: 0, step: 1, value: d.cost.personnel_rate_usd ?? "", dataset: { path: "cost.personnel_rate_usd" },
        oninput: (e) => put(d.cost, "personnel_rate_usd", asInt(e.target.value)) })),
      h("div", { class: "field checkbox" }, h("label", {}, h("input", { type: "checkbox", checked: !!d.illustrative, dataset: { path: "illustrative" },
        onchange: (e) => { d.illustrative = e.target.checked; } }), " Illustrative (quantities invented)")),
    );
    const description = field("Description", h("textarea", { rows: 2, value: d.description || "", dataset: { path: "description" }, oninput: (e) => put(d, "description", e.target.value) }));

    const sectorIds = () => [["", "(choose)"], ...d.sectors.map((s) => [s.id, s.id])];
    this.tables = {
      mandate: new ListTable({
        base: "mandate", items: this.mandate, noun: "condition", idKey: "name", make: () => ({ name: "", value: true }),
        columns: [{ key: "name", label: "Condition" }, { key: "value", label: "Holds", type: "checkbox" }],
      }),
      sectors: new ListTable({
        base: "sectors", items: d.sectors, noun: "sector", sortable: true, make: () => ({ id: "", control: "secure" }),
        columns: [
          { key: "id", label: "Id" }, { key: "name", label: "Name" },
          { key: "control", label: "Control", type: "select", options: CONTROL.map((c) => [c, c]) },
        ],
      }),
      requirements: new ListTable({
        base: "requirements", items: d.requirements, noun: "line", sortable: true,
        make: () => ({ id: "", sector: d.sectors[0]?.id || "", capability: "", quantity: 1, measure: "units", priority: "essential", weight: 1, engagement: 0 }),
        columns: [
          { key: "id", label: "Id" },
          { key: "sector", label: "Sector", type: "select", options: sectorIds },
          { key: "capability", label: "Capability", list: capabilitiesList },
          { key: "quantity", label: "Quantity", type: "number", width: "narrow" },
          { key: "measure", label: "Measure", type: "select", options: MEASURE.map((m) => [m, m]) },
          { key: "priority", label: "Priority", type: "select", options: PRIORITY.map((p) => [p, p]) },
          { key: "weight", label: "Weight", type: "decimal", width: "narrow" },
          { key: "engagement", label: "Engagement", type: "select", options: ENGAGEMENT.map((label, level) => [String(level), label]), parse: Number },
          { key: "needed_from", label: "Needed from", type: "date" },
          { key: "needed_until", label: "Needed until", type: "date" },
          { key: "min_readiness", label: "Lowest readiness", type: "select", options: [["", "any"], ...READINESS.map((r) => [r, r])] },
        ],
      }),
      nations: new ListTable({
        base: "nations", items: d.nations, noun: "nation", idKey: "code", sortable: true, make: () => ({ code: "", name: "", groups: [] }),
        columns: [{ key: "code", label: "Code", width: "narrow" }, { key: "name", label: "Name" }, { key: "groups", label: "Groups (comma-separated)", type: "list" }],
      }),
      vetoes: new ListTable({
        base: "vetoes", items: d.vetoes, noun: "veto", sortable: true, make: () => ({ id: "", by: "", against: [], scope: "units" }),
        columns: [
          { key: "id", label: "Id" }, { key: "by", label: "By (a party)" },
          { key: "against", label: "Against (nation codes)", type: "list" },
          { key: "scope", label: "Scope", type: "select", options: SCOPES.map((s) => [s, s === "units" ? "units (money welcome)" : "all participation"]) },
          { key: "note", label: "Note" },
        ],
      }),
      objective: new ListTable({
        base: "objective", items: d.objective, noun: "criterion", idKey: "criterion", movable: true,
        make: () => ({ criterion: CRITERIA.find((c) => !d.objective.some((t) => t.criterion === c)) || "cost", tolerance: 0 }),
        columns: [
          { key: "criterion", label: "Criterion", type: "select", options: CRITERIA.map((c) => [c, c]) },
          { key: "tolerance", label: "Tolerance (0 to 1)", type: "decimal", width: "narrow" },
        ],
      }),
    };
    const t = d.targets;
    const groups = Object.entries(t.group_minimums || {}).map(([g, n]) => `${g}: ${n}`).join(", ");
    const targets = h("div", { class: "grid", dataset: { path: "targets" } },
      field("Most personnel", h("input", { type: "number", min: 0, step: 1, value: t.max_personnel ?? "", dataset: { path: "targets.max_personnel" }, oninput: (e) => put(t, "max_personnel", asInt(e.target.value)) })),
      field("Fewest nations sending units", h("input", { type: "number", min: 0, step: 1, value: t.min_nations ?? "", dataset: { path: "targets.min_nations" }, oninput: (e) => put(t, "min_nations", asInt(e.target.value)) })),
      field("Largest share of one nation (0 to 1)", h("input", { type: "number", min: 0, max: 1, step: "any", value: t.max_nation_share ?? "", dataset: { path: "targets.max_nation_share" }, oninput: (e) => put(t, "max_nation_share", asNumber(e.target.value)) })),
      field("Funding coverage (0 to 1)", h("input", { type: "number", min: 0, max: 1, step: "any", value: t.funding_coverage ?? "", dataset: { path: "targets.funding_coverage" }, oninput: (e) => put(t, "funding_coverage", asNumber(e.target.value)) })),
      field("Group minimums", h("input", { value: groups, dataset: { path: "targets.group_minimums" }, placeholder: "arab_league: 2, oic: 4",
        oninput: (e) => {
          const pairs = listOf(e.target.value).map((pair) => pair.split(":").map((x) => x.trim()));
          const value = Object.fromEntries(pairs.map(([g, n]) => [g, n === undefined || n === "" ? n : Number(n)]));
          put(t, "group_minimums", pairs.length ? value : null);
        } }), "group: nations, comma-separated; empty fields: no such target."),
    );
    const section = (title, ...content) => h("section", { class: "author-part", "aria-label": title }, h("h3", {}, title), content);
    this.form = h("form", { class: "editor-form", noValidate: true, dataset: { testid: "editor-form" }, onsubmit: (event) => { event.preventDefault(); this.save(); } },
      h("p", { class: "version", dataset: { testid: "editor-version" } }, `Scenario ${this.view.id}: version ${this.view.version}`),
      h("datalist", { id: capabilitiesList }, this.capabilities().map((c) => h("option", { value: c }))),
      section("General", general, description),
      section("Mandate conditions", this.tables.mandate.root),
      section("Sectors", this.tables.sectors.root),
      section("Requirement lines", h("p", { class: "help" }, "Sort by a column's header; sorting changes only how the lines are shown."), this.tables.requirements.root),
      section("Nations and groups", this.tables.nations.root),
      section("Vetoes", this.tables.vetoes.root),
      section("Targets", targets),
      section("Objective", h("p", { class: "help" }, "Optimised in this order, each later criterion among the best (within its tolerance) of the earlier ones."), this.tables.objective.root),
      h("div", { class: "actions sticky-actions" },
        h("button", { type: "submit", dataset: { testid: "editor-save" } }, "Save the scenario"),
        h("button", { type: "button", class: "secondary", onclick: () => this.reload() }, "Discard my changes")),
    );
    clear(this.container, this.message, this.conflictPanel, this.form);
  }

  /** The parts changed since the version edited, as PATCH takes them. */
  changes() {
    const d = copy(this.draft);
    d.mandate = Object.fromEntries(this.mandate.map(({ name, value }) => [name, !!value]));
    for (const line of d.requirements) if (line.engagement !== undefined) line.engagement = Number(line.engagement);
    if (!Object.keys(d.cost).length) d.cost = this.original.cost;
    const changed = {};
    for (const part of PARTS) {
      const now = d[part] === undefined ? null : d[part];
      if (JSON.stringify(now) !== JSON.stringify(this.original[part] ?? (part === "targets" ? {} : null))) changed[part] = now;
    }
    return changed;
  }

  async reload() {
    const answer = await get(path(this.view.id));
    this.adopt(answer.body, answer.headers.get("ETag"));
    this.render();
  }

  async save() {
    const changes = this.changes();
    if (!Object.keys(changes).length) {
      say(this.message, "help", "Nothing to save: no part changed.");
      return;
    }
    clearProblems(this.form);
    say(this.message, "help", "Saving...");
    try {
      const answer = await request("PATCH", path(this.view.id), { body: changes, headers: { "If-Match": this.etag } });
      this.adopt(answer.body, answer.headers.get("ETag"));
      this.render();
      say(this.message, "good", `Saved: version ${answer.body.version} (${Object.keys(changes).join(", ")}).`);
      await this.onSaved(answer.body);
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) return this.conflict();
      const [first, ...rest] = linesOf(error);
      // The mandate's conditions are edited as rows: a problem of `mandate.NAME` is shown on its row.
      const lines = rest.map((line) => line.replace(/^mandate\.([^:]+):/, (m, name) => {
        const row = this.mandate.findIndex((c) => c.name === name);
        return row >= 0 ? `mandate[${row}].name: ${name}:` : m;
      }));
      const unplaced = showProblems(this.form, lines);
      say(this.message, "bad", `Not saved. ${first}`, unplaced);
    }
  }

  /** 412: the scenario changed since it was read. Keep the edits; offer the newer version or saving over it. */
  async conflict() {
    const answer = await get(path(this.view.id));
    const newer = answer.body;
    const etag = answer.headers.get("ETag") || newer.etag;
    say(this.message, "bad", `The scenario changed meanwhile: version ${newer.version} was written after the one you edited (${this.view.version}). Your changes are not saved yet.`);
    clear(this.conflictPanel, h("div", { class: "actions" },
      h("button", { type: "button", onclick: () => { clear(this.conflictPanel); this.adopt(newer, etag); this.render(); } }, "Take the newer version (drop my changes)"),
      h("button", { type: "button", class: "secondary", onclick: () => { clear(this.conflictPanel); this.etag = etag; this.save(); } }, "Save my changes over it")));
  }
}

// -- spreadsheets -------------------------------------------------------------------------------------

/**
 * The scenario's workbook (download) and the import of offers from a workbook (every nation it
 * names gets a new version, all or none, with `If-Match` listing the ETags of the offers replaced).
 */
export function sheetsPanel(container, { view, onImported }) {
  const message = h("div", { class: "form-message", role: "status", "aria-live": "polite", dataset: { testid: "sheets-message" } });
  const file = h("input", { type: "file", id: newId("offers-file"), accept: ".xlsx,.json,.yaml,.yml" });
  const importOffers = async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) {
      say(message, "bad", "Choose a workbook of offers first.");
      return;
    }
    say(message, "help", "Importing...");
    try {
      const current = (await get(path(view.id))).body;
      const etags = (current.offers || []).map((o) => o.etag).join(", ") || "*";
      const answer = await request("POST", `${path(view.id)}/offers`, {
        raw: await chosen.arrayBuffer(), contentType: fileType(chosen.name), headers: { "If-Match": etags },
      });
      const items = answer.body.items || [];
      say(message, "good", `Imported the offers of ${items.length} nation(s): ${items.map((o) => `${o.nation} (version ${o.version})`).join(", ")}.`);
      file.value = "";
      await onImported();
    } catch (error) {
      const [first, ...rest] = linesOf(error);
      say(message, "bad", `Not imported. ${first}`, rest);
    }
  };
  clear(container,
    h("p", {}, h("button", { type: "button", class: "secondary", onclick: () => download(`${path(view.id)}/workbook`, `${view.id}.xlsx`).catch((e) => say(message, "bad", linesOf(e)[0], linesOf(e).slice(1))) },
      "Download the scenario as a workbook (XLSX)")),
    h("form", { class: "row wrap", dataset: { testid: "import-offers" }, onsubmit: importOffers },
      h("label", { htmlFor: file.id }, "Workbook of offers"), file,
      h("button", { type: "submit" }, "Import the offers")),
    h("p", { class: "help" }, "Sheets units, pledges and red_lines, a nation column in each (a scenario's own workbook will do): every nation it names gets a new version of its offer."),
    message);
}

// -- history ----------------------------------------------------------------------------------------

const show = (value) => (value === null || value === undefined ? "–" : typeof value === "object" ? JSON.stringify(value) : String(value));

/** The scenario's versions, and the changes between two of them in words and a table. */
export async function historyPanel(container, { scenarioId }) {
  let versions;
  try {
    const first = (await get(`${path(scenarioId)}/versions?limit=100`)).body;
    versions = first.items;
    if (first.total > versions.length) {
      versions = (await get(`${path(scenarioId)}/versions?limit=100&offset=${first.total - 100}`)).body.items;
    }
  } catch (error) {
    clear(container, h("p", { class: "bad" }, `The history cannot be read: ${linesOf(error)[0]}`));
    return;
  }
  const latest = versions[versions.length - 1]?.version || 1;
  const choose = (label, value) => {
    const select = h("select", { id: newId("version") }, versions.map((v) => h("option", { value: String(v.version) }, `version ${v.version}`)));
    select.value = String(value);
    return [h("label", { htmlFor: select.id }, label), select];
  };
  const [fromLabel, from] = choose("From", Math.max(1, latest - 1));
  const [toLabel, to] = choose("To", latest);
  const result = h("div", { "aria-live": "polite", dataset: { testid: "version-diff" } });
  const compare = async (event) => {
    event.preventDefault();
    try {
      const diff = (await get(`${path(scenarioId)}/diff?from=${from.value}&to=${to.value}`)).body;
      clear(result, diffView(diff));
    } catch (error) {
      clear(result, h("p", { class: "bad" }, linesOf(error).join(" ")));
    }
  };
  clear(container,
    h("div", { class: "table-wrap" }, h("table", { class: "data", dataset: { testid: "versions" } },
      h("caption", {}, `${versions.length} version(s), oldest first`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Version"), h("th", { scope: "col" }, "Written"), h("th", { scope: "col" }, "By"))),
      h("tbody", {}, versions.map((v) => h("tr", {}, h("th", { scope: "row" }, num(v.version)),
        h("td", {}, new Date(v.written_at).toLocaleString("en-GB")), h("td", {}, v.written_by || "–")))))),
    versions.length > 1
      ? h("form", { class: "row wrap", onsubmit: compare }, fromLabel, from, toLabel, to, h("button", { type: "submit" }, "Show the changes"))
      : h("p", { class: "help" }, "One version so far: nothing to compare."),
    result);
}

/** A scenario diff (forcepack.scenario-diff/1) in words: what was added, removed, and changed field by field. */
export function diffView(diff) {
  const element = (e) => `${e.kind} ${e.id}`;
  const fields = (value) => Object.entries(value || {}).map(([k, v]) => `${k} ${show(v)}`).join(", ");
  return h("div", { class: "scenario-diff" },
    h("p", { class: "summary" }, `From version ${diff.from_version} to ${diff.to_version}: ${diff.summary}.`),
    diff.added.length ? [h("h4", {}, "Added"), h("ul", {}, diff.added.map((e) => h("li", { class: "row-added" }, h("strong", {}, element(e)), `: ${fields(e.value)}`)))] : null,
    diff.removed.length ? [h("h4", {}, "Removed"), h("ul", {}, diff.removed.map((e) => h("li", { class: "row-removed" }, h("strong", {}, element(e)), `: ${fields(e.value)}`)))] : null,
    diff.changed.length
      ? [h("h4", {}, "Changed"), h("div", { class: "table-wrap" }, h("table", { class: "data" },
          h("thead", {}, h("tr", {}, ["Element", "Field", "Before", "After"].map((x) => h("th", { scope: "col" }, x)))),
          h("tbody", {}, diff.changed.flatMap((e) => e.fields.map((f) =>
            h("tr", { class: "row-reduced" }, h("th", { scope: "row" }, element(e)), h("td", {}, f.field), h("td", {}, show(f.old)), h("td", {}, show(f.new))))))))]
      : null);
}

// -- jobs ---------------------------------------------------------------------------------------------

/**
 * The scenario's jobs, newest first, each one a button that opens its answer; a done solve or
 * what-if also one that keeps its package(s) for comparison (`compareJob(id)`).
 */
export async function jobsPanel(container, { scenarioId, openJob, compareJob }) {
  let jobs;
  try {
    jobs = (await get(`${path(scenarioId)}/jobs?limit=50`)).body.items;
  } catch (error) {
    clear(container, h("p", { class: "bad" }, `The jobs cannot be read: ${linesOf(error)[0]}`));
    return;
  }
  clear(container, h("div", { class: "table-wrap" }, h("table", { class: "data", dataset: { testid: "jobs" } },
    h("caption", {}, `${jobs.length} job(s), newest first`),
    h("thead", {}, h("tr", {}, ["Job", "Kind", "Status", "Scenario version", "Submitted", ""].map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, jobs.length
      ? jobs.map((job) => h("tr", {},
          h("th", { scope: "row" }, h("code", {}, job.id.slice(0, 12))),
          h("td", {}, job.kind), h("td", {}, job.status), h("td", { class: "num" }, num(job.scenario_version)),
          h("td", {}, new Date(job.created_at).toLocaleString("en-GB")),
          h("td", { class: "row-actions" }, job.status === "done"
            ? [
                h("button", { type: "button", class: "secondary small", "aria-label": `Open the ${job.kind} job ${job.id.slice(0, 12)}`, onclick: () => openJob(job.id) }, "Open"),
                compareJob && ["solve", "what-if", "alternatives", "resilience"].includes(job.kind)
                  ? h("button", { type: "button", class: "secondary small", "aria-label": `Compare the ${job.kind} job ${job.id.slice(0, 12)}`, onclick: () => compareJob(job.id) }, "Compare")
                  : null,
              ]
            : job.error || "")))
      : h("tr", {}, h("td", { colSpan: 6, class: "empty" }, "No job yet."))))));
}
