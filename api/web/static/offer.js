// A nation's offer as a form: units, funding pledges, red lines; saved with PUT and If-Match.
// On 412 (another version was written since this one was read) the form keeps the user's edits,
// says so, and shows the newer version, with the choice of taking it or saving over it.

import { ApiError, XLSX_TYPE, download, get, request } from "./api.js";
import { clear, h, num, usd } from "./dom.js";
import { showProblems } from "./fields.js";

const READINESS = ["pledged", "verified", "mou", "rapid"];
const CONTROL = ["secure", "contested", "hostile"];
const ENGAGEMENT = ["0 support", "1 presence", "2 control", "3 enforcement"];
const KINDS = {
  max_engagement: "Highest engagement level",
  allowed_control: "Only sectors of these control statuses",
  sectors: "Only, or not, these sectors",
  not_alongside: "Not alongside these nations",
  requires_partner: "Only with partners",
  requires_mandate: "Only under these mandate conditions",
  max_personnel: "Personnel ceiling",
  min_contingent: "Smallest contingent, or nobody",
  max_sectors: "Units kept in at most this many sectors",
};
const DEFAULTS = {
  max_engagement: { level: 1 },
  allowed_control: { statuses: ["secure"] },
  sectors: { only: [] },
  not_alongside: { nations: [], scope: "force" },
  requires_partner: { nations: [], min: 1 },
  requires_mandate: { conditions: [] },
  max_personnel: { limit: 1000 },
  min_contingent: { personnel: 100 },
  max_sectors: { count: 1 },
};

const copy = (value) => JSON.parse(JSON.stringify(value));
const list = (text) => text.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
const intOrNull = (text) => (text === "" ? null : Number.parseInt(text, 10));

let uid = 0;
const fieldId = (name) => `offer-${name}-${++uid}`;

/** A labelled control. */
function field(label, control, help, wide = false) {
  control.id ||= fieldId("f");
  const helpId = help ? `${control.id}-help` : null;
  if (helpId) control.setAttribute("aria-describedby", helpId);
  return h("div", { class: wide ? "field wide" : "field" }, h("label", { htmlFor: control.id }, label), control, help ? h("small", { id: helpId, class: "help" }, help) : null);
}

function checks(legend, options, chosen, onChange) {
  return h(
    "fieldset",
    { class: "checks" },
    h("legend", {}, legend),
    options.map(([value, label]) =>
      h("label", {}, h("input", {
        type: "checkbox", value, checked: chosen.includes(value),
        onchange: (event) => onChange(value, event.target.checked),
      }), ` ${label}`)),
  );
}

/**
 * The editor of `nation`'s offer in `scenarioId`. `scenario` gives capabilities, sectors and
 * nations for the choices.
 */
export class OfferEditor {
  /**
   * With `draft` (an offer document) the editor edits that offer in place, inside another form (a
   * what-if's `replace_offer`): no version, no sheets, no saving; `body()` is the offer, and
   * `stampPaths(prefix)` names each control by its path in the request (`ops[2].offer.units[0].id`),
   * so a refused patch's problems show next to them.
   */
  constructor(container, { scenarioId, nation, scenario, draft = null }) {
    this.container = container;
    this.scenarioId = scenarioId;
    this.nation = nation;
    this.scenario = scenario || {};
    this.path = `/v1/scenarios/${encodeURIComponent(scenarioId)}/offers/${encodeURIComponent(nation)}`;
    this.inPlace = draft !== null;
    this.prefix = null;
    if (this.inPlace) this.adopt({ offer: draft, version: null }, null);
  }

  stampPaths(prefix) {
    this.prefix = prefix;
    for (const control of this.container.querySelectorAll("[name]")) control.dataset.path = `${prefix}${control.name}`;
  }

  async load() {
    clear(this.container, h("p", { role: "status" }, "Loading the offer..."));
    try {
      const answer = await get(this.path);
      this.adopt(answer.body, answer.headers.get("ETag"));
      this.render();
    } catch (error) {
      clear(this.container, h("p", { class: "bad", role: "alert" }, `The offer cannot be read: ${error.message}`));
    }
  }

  /** Make `view` (an OfferView) the version the form edits from. */
  adopt(view, etag) {
    this.view = view;
    this.etag = etag || view.etag;
    this.draft = copy(view.offer || { units: [], funding: [], red_lines: [] });
    this.draft.units ||= [];
    this.draft.funding ||= [];
    this.draft.red_lines ||= [];
  }

  capabilities() {
    const found = new Set();
    (this.scenario.capabilities || []).forEach((c) => found.add(c.id || c));
    (this.scenario.requirements || []).forEach((r) => found.add(r.capability));
    this.draft.units.forEach((u) => u.capability && found.add(u.capability));
    return [...found].sort();
  }

  render() {
    const capabilities = this.capabilities();
    const datalistId = "offer-capabilities";
    this.message = h("div", { class: "offer-message", role: "status", "aria-live": "polite", dataset: { testid: "offer-message" } });
    this.conflictPanel = h("div", { class: "offer-conflict", dataset: { testid: "offer-conflict" } });
    const form = h(
      "form",
      // noValidate: the service checks the offer and names every problem at once, where the
      // browser would stop at the first field and show one tooltip.
      { class: "offer-form", noValidate: true, dataset: { testid: "offer-form" }, onsubmit: (event) => { event.preventDefault(); this.save(); } },
      h("p", { class: "version", dataset: { testid: "offer-version" } },
        `${this.nation}: version ${this.view.version}`,
        this.view.written_at ? `, written ${new Date(this.view.written_at).toLocaleString("en-GB")}` : " (nothing submitted yet)"),
      h("datalist", { id: datalistId }, capabilities.map((c) => h("option", { value: c }))),
      h("h3", {}, "Units"),
      h("div", { class: "cards" }, this.draft.units.map((unit, i) => this.unitCard(unit, i, datalistId))),
      h("button", { type: "button", class: "secondary", onclick: () => { this.draft.units.push({ id: "", capability: "", count: 1, personnel: 100, readiness: "pledged", self_funded: false }); this.rerender("units"); } }, "Add a unit"),
      h("h3", {}, "Money"),
      h("div", { class: "cards" }, this.draft.funding.map((pledge, i) => this.pledgeCard(pledge, i))),
      h("button", { type: "button", class: "secondary", onclick: () => { this.draft.funding.push({ id: "", amount_usd: 0 }); this.rerender("funding"); } }, "Add a pledge"),
      h("h3", {}, "Red lines"),
      h("p", { class: "help" }, "Your conditions. Other nations' delegates never see them."),
      h("div", { class: "cards" }, this.draft.red_lines.map((line, i) => this.redLineCard(line, i))),
      h("button", { type: "button", class: "secondary", onclick: () => { this.draft.red_lines.push({ id: "", kind: "max_engagement", ...DEFAULTS.max_engagement }); this.rerender("red_lines"); } }, "Add a red line"),
      h("div", { class: "actions" },
        h("button", { type: "submit", dataset: { testid: "offer-save" } }, "Save the offer"),
        h("button", { type: "button", class: "secondary", onclick: () => this.load() }, "Discard my changes")),
    );
    if (this.inPlace) {
      // Inside the what-if's form: the same sections, without a form of their own or a save.
      clear(this.container, h("div", { class: "offer-form in-place", dataset: { testid: "offer-draft" } },
        [...form.childNodes].filter((node) => !node.classList?.contains("version") && !node.classList?.contains("actions"))));
      if (this.prefix) this.stampPaths(this.prefix);
      return;
    }
    clear(this.container, this.message, this.conflictPanel, this.sheets(), form);
  }

  /** The offer as a sheet: downloaded to fill in, uploaded back as a new version (with If-Match). */
  sheets() {
    const file = h("input", { type: "file", id: fieldId("sheet"), accept: ".xlsx" });
    const upload = async (event) => {
      event.preventDefault();
      const chosen = file.files[0];
      if (!chosen) {
        this.say("bad", "Choose the offer's workbook first.");
        return;
      }
      this.say("help", "Uploading...");
      try {
        const answer = await request("PUT", this.path, { raw: await chosen.arrayBuffer(), contentType: XLSX_TYPE, headers: { "If-Match": this.etag } });
        this.adopt(answer.body, answer.headers.get("ETag"));
        this.rerender("units");
        this.say("good", `Uploaded: version ${answer.body.version} of ${this.nation}'s offer, from the sheet.`);
      } catch (error) {
        // A 412 for the page's own version is the form's conflict; one for the sheet (written from an
        // older version than the page's) is told as the service words it: download it again.
        const sheetIsOld = error instanceof ApiError && error.status === 412 && /the sheet was written from version/.test(error.message);
        if (error instanceof ApiError && error.status === 412 && !sheetIsOld) return this.conflict();
        const lines = error instanceof ApiError ? error.lines : [error.message];
        this.say("bad", "Not uploaded. ", lines[0], lines.length > 1 ? h("ul", {}, lines.slice(1).map((l) => h("li", {}, l))) : null);
      }
    };
    return h("div", { class: "offer-sheets", dataset: { testid: "offer-sheets" } },
      h("button", { type: "button", class: "secondary", onclick: () => download(`${this.path}/workbook`, `${this.scenarioId}-${this.nation}-offer.xlsx`).catch((e) => this.say("bad", `Not downloaded: ${e.message}`)) },
        "Download the offer as a sheet (XLSX)"),
      h("form", { class: "row wrap", onsubmit: upload },
        h("label", { htmlFor: file.id }, "Filled-in sheet"), file,
        h("button", { type: "submit", class: "secondary" }, "Upload the sheet")));
  }

  rerender(focusSection) {
    const message = this.message;
    const conflict = this.conflictPanel;
    this.render();
    if (message) {
      this.message.replaceWith(message);
      this.message = message;
    }
    if (conflict?.childNodes.length) {
      this.conflictPanel.replaceWith(conflict);
      this.conflictPanel = conflict;
    }
    // Keep keyboard users where they were: the last card of the section they changed.
    const cards = this.container.querySelectorAll(`[data-section="${focusSection}"]`);
    const last = cards[cards.length - 1];
    last?.querySelector("input, select")?.focus();
  }

  unitCard(unit, i, datalistId) {
    const set = (key, value) => { unit[key] = value; };
    const input = (key, attrs) => h("input", { value: unit[key] ?? "", oninput: (e) => set(key, attrs.parse ? attrs.parse(e.target.value) : e.target.value), ...attrs, parse: undefined });
    return h(
      "fieldset",
      { class: "card", dataset: { section: "units", testid: `unit-${i}` } },
      h("legend", {}, `Unit ${i + 1}${unit.id ? `: ${unit.id}` : ""}`),
      h("div", { class: "grid" },
        field("Id", input("id", { required: true, spellcheck: false, name: `units[${i}].id` })),
        field("Capability", input("capability", { required: true, list: datalistId, name: `units[${i}].capability` })),
        field("Count", input("count", { type: "number", min: 1, step: 1, required: true, name: `units[${i}].count`, parse: intOrNull })),
        field("Personnel per unit", input("personnel", { type: "number", min: 1, step: 1, required: true, name: `units[${i}].personnel`, parse: intOrNull })),
        field("Monthly cost per unit (USD)", input("monthly_cost_usd", { type: "number", min: 0, step: 1, name: `units[${i}].monthly_cost_usd`, parse: intOrNull }), "Empty: personnel × the scenario's rate."),
        field("Available from", input("available_from", { type: "date", name: `units[${i}].available_from`, parse: (v) => v || null })),
        field("Available until", input("available_until", { type: "date", name: `units[${i}].available_until`, parse: (v) => v || null })),
        field("Readiness", h("select", { name: `units[${i}].readiness`, value: unit.readiness || "pledged", onchange: (e) => set("readiness", e.target.value) },
          READINESS.map((r) => h("option", { value: r }, r)))),
        h("div", { class: "field checkbox" }, h("label", {}, h("input", { type: "checkbox", checked: !!unit.self_funded, name: `units[${i}].self_funded`, onchange: (e) => set("self_funded", e.target.checked) }), " Self-funded (the nation pays)")),
      ),
      h("button", { type: "button", class: "secondary remove", onclick: () => { this.draft.units.splice(i, 1); this.rerender("units"); } }, `Remove unit ${i + 1}`),
    );
  }

  pledgeCard(pledge, i) {
    return h(
      "fieldset",
      { class: "card", dataset: { section: "funding", testid: `pledge-${i}` } },
      h("legend", {}, `Pledge ${i + 1}${pledge.id ? `: ${pledge.id}` : ""}`),
      h("div", { class: "grid" },
        field("Id", h("input", { value: pledge.id || "", required: true, name: `funding[${i}].id`, oninput: (e) => { pledge.id = e.target.value; } })),
        field("Amount over the horizon (USD)", h("input", { type: "number", min: 0, step: 1, required: true, value: pledge.amount_usd ?? 0, name: `funding[${i}].amount_usd`, oninput: (e) => { pledge.amount_usd = intOrNull(e.target.value); } })),
        field("Earmark: capabilities it may pay for", h("input", { value: (pledge.earmark || []).join(", "), name: `funding[${i}].earmark`, oninput: (e) => { const v = list(e.target.value); pledge.earmark = v.length ? v : null; } }), "Comma-separated; empty: any capability."),
      ),
      h("button", { type: "button", class: "secondary remove", onclick: () => { this.draft.funding.splice(i, 1); this.rerender("funding"); } }, `Remove pledge ${i + 1}`),
    );
  }

  redLineCard(line, i) {
    const params = h("div", { class: "grid" }, this.redLineParams(line, i));
    return h(
      "fieldset",
      { class: "card", dataset: { section: "red_lines", testid: `red-line-${i}` } },
      h("legend", {}, `Red line ${i + 1}${line.id ? `: ${line.id}` : ""}`),
      h("div", { class: "grid" },
        field("Id", h("input", { value: line.id || "", required: true, name: `red_lines[${i}].id`, oninput: (e) => { line.id = e.target.value; } })),
        field("Kind", h("select", {
          name: `red_lines[${i}].kind`, value: line.kind,
          onchange: (e) => {
            const keep = { id: line.id, note: line.note, relax_cost: line.relax_cost };
            for (const key of Object.keys(line)) delete line[key];
            Object.assign(line, keep, { kind: e.target.value }, copy(DEFAULTS[e.target.value]));
            params.replaceChildren(...this.redLineParams(line, i));
          },
        }, Object.entries(KINDS).map(([k, label]) => h("option", { value: k }, label))), null, true),
        field("Note (your own wording)", h("input", { value: line.note || "", name: `red_lines[${i}].note`, oninput: (e) => { line.note = e.target.value || null; } }), null, true),
      ),
      params,
      h("button", { type: "button", class: "secondary remove", onclick: () => { this.draft.red_lines.splice(i, 1); this.rerender("red_lines"); } }, `Remove red line ${i + 1}`),
    );
  }

  redLineParams(line, i) {
    const name = (key) => `red_lines[${i}].${key}`;
    const number = (key, label, min) =>
      field(label, h("input", { type: "number", min, step: 1, required: true, value: line[key] ?? "", name: name(key), oninput: (e) => { line[key] = intOrNull(e.target.value); } }));
    const codes = (key, label, help) =>
      field(label, h("input", { value: (line[key] || []).join(", "), name: name(key), oninput: (e) => { line[key] = list(e.target.value); } }), help);
    const toggle = (key) => (value, on) => {
      const chosen = new Set(line[key] || []);
      if (on) chosen.add(value);
      else chosen.delete(value);
      line[key] = [...chosen];
    };
    const nationHelp = `Nation codes, comma-separated${this.scenario.nations ? ` (${this.scenario.nations.map((n) => n.code).join(", ")})` : ""}.`;
    switch (line.kind) {
      case "max_engagement":
        return [field("Highest level", h("select", { name: name("level"), value: String(line.level ?? 0), onchange: (e) => { line.level = Number(e.target.value); } },
          ENGAGEMENT.map((label, level) => h("option", { value: String(level) }, label))))];
      case "allowed_control":
        return [checks("Control statuses allowed", CONTROL.map((c) => [c, c]), line.statuses || [], toggle("statuses"))];
      case "sectors": {
        const which = line.exclude ? "exclude" : "only";
        const sectors = (this.scenario.sectors || []).map((x) => [x.id, x.name || x.id]);
        return [
          field("Which", h("select", {
            name: name("which"), value: which,
            onchange: (e) => {
              const chosen = line[which] || [];
              delete line.only; delete line.exclude;
              line[e.target.value] = chosen;
            },
          }, h("option", { value: "only" }, "only these sectors"), h("option", { value: "exclude" }, "anywhere but these sectors"))),
          checks("Sectors", sectors, line.only || line.exclude || [], (value, on) => {
            const key = line.exclude ? "exclude" : "only";
            const chosen = new Set(line[key] || []);
            if (on) chosen.add(value);
            else chosen.delete(value);
            line[key] = [...chosen];
          }),
        ];
      }
      case "not_alongside":
        return [
          codes("nations", "Nations", nationHelp),
          field("Scope", h("select", { name: name("scope"), value: line.scope || "force", onchange: (e) => { line.scope = e.target.value; } },
            h("option", { value: "force" }, "force: never both take part"), h("option", { value: "sector" }, "sector: never in the same sector"))),
        ];
      case "requires_partner":
        return [
          line.group !== undefined && line.group !== null
            ? field("Group", h("input", { value: line.group, name: name("group"), oninput: (e) => { line.group = e.target.value; } }))
            : codes("nations", "Partner nations", nationHelp),
          number("min", "How many must send units", 1),
        ];
      case "requires_mandate":
        return [codes("conditions", "Mandate conditions", `Comma-separated${this.scenario.mandate ? ` (${Object.keys(this.scenario.mandate).join(", ")})` : ""}.`)];
      case "max_personnel":
        return [number("limit", "Most personnel", 0)];
      case "min_contingent":
        return [number("personnel", "Fewest personnel sent", 1)];
      case "max_sectors":
        return [number("count", "Most sectors", 1)];
      default:
        return [h("p", { class: "help" }, `Parameters of ${line.kind} are kept as they are.`)];
    }
  }

  /** The offer document to send: empty optional fields left out, the fields the form does not show (`entry`) kept. */
  body() {
    const prune = (item) => Object.fromEntries(Object.entries(item).filter(([, v]) => v !== null && v !== undefined && v !== ""));
    return {
      ...prune(this.draft),
      nation: this.nation,
      units: this.draft.units.map(prune),
      funding: this.draft.funding.map(prune),
      red_lines: this.draft.red_lines.map(prune),
    };
  }

  say(kind, ...content) {
    clear(this.message, h("p", { class: kind }, content));
  }

  async save() {
    this.say("help", "Saving...");
    try {
      const answer = await request("PUT", this.path, { body: this.body(), headers: { "If-Match": this.etag } });
      const view = answer.body;
      this.adopt(view, answer.headers.get("ETag"));
      this.render();
      this.say("good", `Saved: version ${view.version} of ${this.nation}'s offer.`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) return this.conflict();
      const lines = error instanceof ApiError ? error.lines : [error.message];
      // Each problem next to the field its path names (`units[0].count (id: idn-inf): ...`); the
      // rest in the message.
      this.stampPaths(this.prefix || "");
      const problems = error instanceof ApiError && Array.isArray(error.problem?.problems) ? error.problem.problems : [];
      const unplaced = problems.length ? showProblems(this.container, problems) : lines;
      const said = unplaced.length ? unplaced : [`${problems.length === 1 ? "1 problem" : `${problems.length} problems`}, shown next to the fields.`];
      this.say("bad", "Not saved. ", said[0], said.length > 1 ? h("ul", {}, said.slice(1).map((l) => h("li", {}, l))) : null);
    }
  }

  /** 412: someone wrote a newer version. Keep the edits; show the newer version and the choices. */
  async conflict() {
    let newer;
    try {
      newer = await get(this.path);
    } catch (error) {
      this.say("bad", `The offer changed meanwhile, and the newer version cannot be read: ${error.message}`);
      return;
    }
    const view = newer.body;
    const etag = newer.headers.get("ETag") || view.etag;
    this.say(
      "bad",
      `The offer changed meanwhile: version ${view.version} was written`,
      view.written_at ? ` at ${new Date(view.written_at).toLocaleString("en-GB")}` : "",
      " after the one you edited. Your changes are not saved yet; compare them with the newer version below.",
    );
    clear(
      this.conflictPanel,
      h("section", { class: "newer", "aria-labelledby": "newer-title" },
        h("h3", { id: "newer-title" }, `The newer version (${view.version})`),
        offerSummary(view.offer),
        h("div", { class: "actions" },
          h("button", { type: "button", onclick: () => { clear(this.conflictPanel); this.adopt(view, etag); this.render(); this.say("help", `Now editing version ${view.version}.`); } },
            "Take the newer version (drop my changes)"),
          h("button", { type: "button", class: "secondary", onclick: () => { this.etag = etag; clear(this.conflictPanel); this.save(); } },
            "Save my changes over it"))),
    );
    this.conflictPanel.querySelector("h3").setAttribute("tabindex", "-1");
    this.conflictPanel.querySelector("h3").focus();
  }
}

/** An offer in words (read-only). */
export function offerSummary(offer) {
  const units = offer?.units || [];
  const funding = offer?.funding || [];
  const lines = offer?.red_lines || [];
  return h(
    "div",
    { class: "offer-summary", dataset: { testid: "offer-summary" } },
    h("ul", {},
      units.map((u) => h("li", {}, `${u.id}: ${num(u.count)} × ${u.capability}, ${num(u.personnel)} personnel each, ${u.readiness || "pledged"}${u.self_funded ? ", self-funded" : ""}`)),
      funding.map((f) => h("li", {}, `${f.id}: ${usd(f.amount_usd)}${f.earmark?.length ? ` for ${f.earmark.join(", ")}` : ""}`)),
      lines.map((l) => h("li", {}, `${l.id} (${KINDS[l.kind] || l.kind})${l.note ? `: ${l.note}` : ""}`)),
      !units.length && !funding.length && !lines.length ? h("li", {}, "An empty offer (the nation takes no part).") : null),
  );
}
