// The planner's page: sign in with a token, pick a scenario, and see what the token's role may see.
// Coordinators solve, run what-ifs, criticality and why-nots (and try an explanation's ways out as
// what-ifs); delegates edit their nation's offer; everyone reads packages and analyses' answers. Everything comes from the public API (/v1/...), which already redacts by role.

import { alternativesView, criticalityView, resilienceView, whatIfView, whyNotView } from "./analyses.js";
import { ApiError, followJob, get, request, setToken, submitJob, token } from "./api.js";
import { createForm, historyPanel, jobsPanel, ScenarioEditor, sheetsPanel } from "./authoring.js";
import { Comparison, jobPackage } from "./compare.js";
import { clear, facts, h, num } from "./dom.js";
import { clearProblems, showProblems } from "./fields.js";
import { OfferEditor } from "./offer.js";
import { namesOf, packageView } from "./package.js";
import { ChangeList, mandateOp, renderMandate } from "./patches.js";

const $ = (id) => document.getElementById(id);
const CONTROL = ["secure", "contested", "hostile"];

const state = {
  role: null, // "coordinator" | "delegate" | "observer"
  nation: null, // a delegate's nation
  scenarios: [],
  scenarioId: null,
  view: null, // the ScenarioView
  solution: null, // the package shown
  busy: false,
  abort: null,
  jobId: null,
  tab: "package", // the section shown on a narrow screen
  generation: 0, // counts scenario openings: an answer for an earlier one is dropped
};

const comparison = new Comparison($("compare-body"), {
  fetchJob: async (id) => (await get(`/v1/jobs/${encodeURIComponent(id)}`)).body,
});
const changes = new ChangeList($("what-if-ops"));

// -- messages -----------------------------------------------------------------------------------

function notify(lines, kind = "bad") {
  const notice = $("notice");
  const [first, ...rest] = Array.isArray(lines) ? lines : [lines];
  clear(notice, h("p", {}, first), rest.length ? h("ul", {}, rest.map((l) => h("li", {}, l))) : null);
  notice.className = `notice ${kind}`;
  notice.hidden = false;
}

function hush() {
  $("notice").hidden = true;
}

const linesOf = (error) => (error instanceof ApiError ? error.lines : [String(error.message || error)]);

// -- sections as tabs ---------------------------------------------------------------------------
// On a narrow screen (style.css) one tab's sections show at a time; on a wide one every section
// shows and a tab jumps to its own. A tab whose sections are all hidden (by role) is not offered.

function tabSections(tab) {
  return [...document.querySelectorAll(`#workspace section[data-tab="${tab}"]`)];
}

function renderTabs() {
  const active = state.tab;
  for (const button of document.querySelectorAll("#sections button.tab")) {
    const tab = button.dataset.tab;
    button.closest("li").hidden = tabSections(tab).every((section) => section.hidden);
    if (tab === active) {
      button.setAttribute("aria-current", "true");
      // On a narrow screen the row scrolls sideways: keep the chosen tab in it (the row alone
      // scrolls, never the page).
      const row = button.closest("ul");
      if (row && row.scrollWidth > row.clientWidth) {
        const edge = row.getBoundingClientRect();
        const box = button.getBoundingClientRect();
        if (box.left < edge.left) row.scrollLeft -= edge.left - box.left + 8;
        else if (box.right > edge.right) row.scrollLeft += box.right - edge.right + 8;
      }
    } else button.removeAttribute("aria-current");
  }
  for (const section of document.querySelectorAll("#workspace section[data-tab]")) {
    section.classList.toggle("tab-hidden", section.dataset.tab !== active);
  }
}

/** Show a tab (an answer just arrived in it, or the user chose it); `jump` brings it into view. */
function showTab(tab, { jump = false } = {}) {
  state.tab = tab;
  renderTabs();
  if (jump) tabSections(tab).find((section) => !section.hidden)?.scrollIntoView({ block: "start" });
}

// -- the address: #scenario=ID&job=JOB ------------------------------------------------------------

function hashParams() {
  return new URLSearchParams(location.hash.slice(1));
}

function setHash(values) {
  const params = hashParams();
  for (const [key, value] of Object.entries(values)) {
    if (value) params.set(key, value);
    else params.delete(key);
  }
  history.replaceState(null, "", `#${params.toString()}`);
}

// -- signing in ---------------------------------------------------------------------------------

async function signIn(secret) {
  setToken(secret);
  try {
    const answer = await get("/v1/scenarios?limit=100");
    state.scenarios = answer.body.items || [];
  } catch (error) {
    setToken(null);
    showSignIn();
    notify(error instanceof ApiError && error.status === 401
      ? "This token is not valid, or it was revoked. Ask for a new one (forcepack token create)."
      : linesOf(error));
    return;
  }
  hush();
  $("sign-in").hidden = true;
  $("workspace").hidden = false;
  $("session").hidden = false;
  listScenarios();
  if (!state.scenarios.length) {
    clear($("scenario-summary"), h("p", {}, "This token may see no scenario."));
    $("whoami").textContent = "Signed in";
    if (!state.role) Object.assign(state, await whoAmI());
    if (state.role === "coordinator") {
      renderCreate();
      showTab("author");
    }
    return;
  }
  const wanted = hashParams().get("scenario");
  const first = state.scenarios.some((x) => x.id === wanted) ? wanted : state.scenarios[0].id;
  $("scenario-select").value = first;
  await openScenario(first, hashParams().get("job"));
}

function listScenarios() {
  const select = $("scenario-select");
  clear(select, state.scenarios.map((x) => h("option", { value: x.id }, x.name ? `${x.name} (${x.id})` : x.id)));
  if (state.scenarioId) select.value = state.scenarioId;
}

// -- the coordinator's workbench (authoring.js) -----------------------------------------------------

function renderCreate() {
  $("author-create").hidden = false;
  createForm($("author-create-body"), {
    scenarios: state.scenarios,
    current: state.scenarioId,
    onCreated: async (view) => {
      state.scenarios = (await get("/v1/scenarios?limit=100")).body.items || [];
      state.scenarioId = view.id;
      listScenarios();
      await openScenario(view.id);
      showTab("author");
      $("author-edit").scrollIntoView({ block: "start" });
    },
  });
}

/** The scenario changed (saved in the editor, offers imported): every view of it follows. */
async function scenarioChanged(view) {
  state.view = view || (await get(`/v1/scenarios/${encodeURIComponent(state.scenarioId)}`)).body;
  const scenario = state.view.scenario;
  comparison.scenario = scenario;
  renderSummary(scenario);
  renderWhatIfForm(scenario);
  changes.render(scenario);
  renderWhyNotSubjects(scenario);
  const entry = state.scenarios.find((x) => x.id === state.view.id);
  if (entry && entry.name !== scenario.name) {
    entry.name = scenario.name;
    listScenarios();
  }
  historyPanel($("author-history-body"), { scenarioId: state.scenarioId });
}

function renderWorkbench(view) {
  const editor = new ScenarioEditor($("author-edit-body"), { view, onSaved: (saved) => scenarioChanged(saved) });
  editor.render();
  sheetsPanel($("author-sheets"), {
    view,
    onImported: async () => {
      await scenarioChanged(null);
      editor.adopt(state.view);
      editor.render();
    },
  });
}

function renderJobs() {
  return jobsPanel($("author-jobs-body"), { scenarioId: state.scenarioId, openJob: (id) => openJob(id), compareJob });
}

/**
 * A saved job's package(s) kept for comparison: a solve's package, a what-if's baseline and patched
 * one, alternatives' packages, the resilient package.
 */
async function compareJob(id) {
  try {
    const job = (await get(`/v1/jobs/${encodeURIComponent(id)}`)).body;
    const short = id.slice(0, 8);
    const parts = {
      solve: [["package", `Package ${short}`]],
      "what-if": [["baseline", `Baseline ${short}`], ["patched", `What if: ${job.result?.patch?.description || short}`]],
      alternatives: (job.result?.packages || []).map((_, i) => [`alternative-${i}`, i ? `Alternative ${i} (${short})` : `Best (${short})`]),
      resilience: [["resilient", `Resilient package ${short}`]],
    }[job.kind] || [];
    const entries = parts.map(([part, label]) => ({ key: `${id}:${part}`, label, solution: jobPackage(job, part) })).filter((e) => e.solution);
    if (entries.length) keepAll(entries);
    else notify(job.withheld || "This job holds no package to compare.", "help");
  } catch (error) {
    notify(linesOf(error));
  }
}

function showSignIn() {
  $("sign-in").hidden = false;
  $("workspace").hidden = true;
  $("session").hidden = true;
  $("token").value = "";
  $("token").focus();
}

function signOut() {
  state.abort?.abort();
  setToken(null);
  Object.assign(state, { role: null, nation: null, scenarios: [], scenarioId: null, view: null, solution: null });
  history.replaceState(null, "", location.pathname);
  hush();
  showSignIn();
}

/** The token's role and, for a delegate, its nation (`GET /v1/me`). */
async function whoAmI() {
  const me = (await get("/v1/me")).body;
  return { role: me.role, nation: me.nation };
}

// -- a scenario ----------------------------------------------------------------------------------

async function openScenario(id, jobId = null) {
  state.abort?.abort();
  const generation = ++state.generation;
  state.scenarioId = id;
  state.solution = null;
  setHash({ scenario: id, job: jobId });
  for (const section of ["package", "what-if", "criticality", "why-not", "alternatives", "resilience", "offer", "open-package",
    "coordinator-tools", "job-panel", "author-create", "author-edit", "author-history", "author-jobs", "compare"]) {
    $(section).hidden = true;
  }
  clear($("what-if-result"));
  clear($("criticality-result"));
  clear($("why-not-result"));
  clear($("alternatives-result"));
  clear($("resilience-result"));
  let view;
  try {
    view = (await get(`/v1/scenarios/${encodeURIComponent(id)}`)).body;
  } catch (error) {
    if (generation === state.generation) notify(linesOf(error));
    return;
  }
  if (generation !== state.generation) return;
  state.view = view;
  if (!state.role) Object.assign(state, await whoAmI());
  if (generation !== state.generation) return;
  const scenario = state.view.scenario;
  const names = namesOf(scenario);
  $("whoami").textContent =
    state.role === "delegate"
      ? `Signed in as the delegate of ${names.nation(state.nation)} (${state.nation})`
      : `Signed in as ${state.role === "coordinator" ? "a coordinator" : "an observer"}`;
  document.body.dataset.role = state.role;
  renderSummary(scenario);
  comparison.reset(scenario, id);
  $("compare").hidden = false;
  $("author-history").hidden = false;
  $("author-jobs").hidden = false;
  historyPanel($("author-history-body"), { scenarioId: id });
  renderJobs();

  // Analyses' sections also show answers opened by a link; their forms are for coordinators only.
  for (const form of ["what-if-form", "criticality-form", "why-not-form", "alternatives-form", "resilience-form"]) {
    $(form).hidden = state.role !== "coordinator";
  }
  if (state.role === "coordinator") {
    $("coordinator-tools").hidden = false;
    renderCreate();
    $("author-edit").hidden = false;
    renderWorkbench(view);
    renderWhatIfForm(scenario);
    changes.render(scenario);
    renderWhyNotSubjects(scenario);
    $("what-if").hidden = false;
    $("criticality").hidden = false;
    $("alternatives").hidden = false;
    $("why-not").hidden = false;
    $("resilience").hidden = false;
  } else {
    $("open-package").hidden = false;
    $("job-id").value = jobId || "";
  }
  if (state.role === "delegate") {
    $("offer").hidden = false;
    $("offer-title").textContent = `${names.nation(state.nation)}'s offer`;
    const editor = new OfferEditor($("offer-body"), { scenarioId: id, nation: state.nation, scenario });
    await editor.load();
  }
  showTab(state.role === "delegate" ? "offer" : "package");
  $("scenario-summary").dataset.scenario = id; // loaded
  if (jobId) await openJob(jobId, { generation });
  else await showLatestPackage(id, generation);
}

function renderSummary(scenario) {
  const requirements = scenario.requirements || [];
  const essential = requirements.filter((r) => r.priority === "essential").length;
  clear(
    $("scenario-summary"),
    h("h3", {}, scenario.name || scenario.id),
    scenario.illustrative ? h("p", { class: "illustrative" }, "Illustrative: the quantities are invented, not real pledges.") : null,
    scenario.description ? h("p", {}, scenario.description) : null,
    facts([
      scenario.horizon && ["Horizon", `${scenario.horizon.start} to ${scenario.horizon.end}`],
      ["Sectors", num((scenario.sectors || []).length)],
      ["Requirement lines", `${num(requirements.length)} (${num(essential)} essential)`],
      ["Nations", num((scenario.nations || []).length)],
      ["Version", num(state.view.version)],
    ]),
  );
}

/** The scenario's latest finished solve, if any: its package is shown on opening the scenario. */
async function showLatestPackage(id, generation) {
  let latest;
  try {
    const path = `/v1/scenarios/${encodeURIComponent(id)}/jobs?kind=solve&status=done&limit=1`;
    latest = (await get(path)).body.items[0];
  } catch {
    return; // the page then waits for a solve, or a job id
  }
  if (!latest || generation !== state.generation) return;
  await openJob(latest.id, { quiet: true, generation });
}

// -- jobs --------------------------------------------------------------------------------------------

function progressWords(p) {
  if (p.status === "queued") return "Queued: waiting for a free solver.";
  if (p.status === "running") {
    const parts = ["Running"];
    if (p.step) parts.push(`step ${p.step}${p.total ? `: ${p.done ?? 0} of ${p.total}` : ""}`);
    if (p.criterion !== undefined && p.criterion !== null) {
      parts.push(`best ${p.criterion} so far ${Number(p.value).toLocaleString("en-US")}${p.seconds !== undefined ? ` after ${Number(p.seconds).toFixed(1)} s` : ""}`);
    }
    return `${parts.join("; ")}.`;
  }
  return `${p.status}.`;
}

function showProgress(label, p) {
  $("job-title").textContent = `Job: ${label}`;
  $("job-status").textContent = progressWords(p);
  const bar = $("job-progress");
  if (p.total) {
    bar.max = p.total;
    bar.value = p.done || 0;
  } else {
    bar.removeAttribute("value"); // indeterminate
  }
}

function setBusy(busy) {
  state.busy = busy;
  for (const id of ["solve-button", "what-if-button", "criticality-button", "why-not-button", "alternatives-button", "resilience-button"]) {
    $(id).disabled = busy;
  }
  for (const button of document.querySelectorAll("button.why-not-link")) button.disabled = busy;
  for (const button of document.querySelectorAll("button.try-way-out")) button.disabled = busy;
}

/**
 * Submit a job and follow it to the end; `done(job)` renders its answer. A refused request's problems
 * are shown next to their fields in `form` (when given), the rest in the notice.
 */
async function runJob(label, submit, done, { form = null } = {}) {
  if (state.busy) return;
  hush();
  setBusy(true);
  const abort = new AbortController();
  state.abort = abort;
  $("job-panel").hidden = false;
  showProgress(label, { status: "queued" });
  $("job-status").textContent = "Submitting...";
  const cancel = $("job-cancel");
  if (form) clearProblems(form);
  try {
    const id = await submitJob(...submit());
    state.jobId = id;
    cancel.hidden = state.role !== "coordinator";
    cancel.onclick = () => request("DELETE", `/v1/jobs/${encodeURIComponent(id)}`).catch((e) => notify(linesOf(e)));
    const job = await followJob(id, (p) => showProgress(label, p), abort.signal);
    finishJob(label, job);
    if (job.status === "done" && job.result) await done(job);
  } catch (error) {
    if (error.name !== "AbortError") {
      $("job-status").textContent = `${label}: not run.`;
      const [first, ...rest] = linesOf(error);
      notify(error instanceof ApiError && error.status === 429
        ? [`Every solver is busy; try again in ${error.headers.get("Retry-After") || "a few"} seconds.`]
        : [first, ...(form ? showProblems(form, rest) : rest)]);
    }
  } finally {
    cancel.hidden = true;
    if (state.abort === abort) state.abort = null;
    setBusy(false);
  }
}

function finishJob(label, job) {
  const bar = $("job-progress");
  bar.max = 1;
  bar.value = 1;
  const words = {
    done: "Done.",
    failed: `Failed: ${job.error || "the job did not finish"}.`,
    cancelled: "Cancelled.",
  };
  $("job-title").textContent = `Job: ${label}`;
  $("job-status").textContent = `${words[job.status] || job.status} (job ${job.id})`;
  $("job-status").dataset.final = job.status;
}

/** Open a job by id (a shared link, or the id typed in): its answer, whatever its kind. */
async function openJob(id, { quiet = false, generation = state.generation } = {}) {
  let job;
  try {
    job = (await get(`/v1/jobs/${encodeURIComponent(id)}`)).body;
  } catch (error) {
    if (!quiet) notify(error instanceof ApiError && error.status === 404 ? `There is no job ${id} that this token may see.` : linesOf(error));
    return;
  }
  if (generation !== state.generation) return; // another scenario was opened meanwhile
  if (job.scenario && job.scenario !== state.scenarioId) {
    $("scenario-select").value = job.scenario;
    await openScenario(job.scenario, id);
    return;
  }
  if (!["done", "failed", "cancelled"].includes(job.status)) {
    $("job-panel").hidden = false;
    const label = `Job ${job.id}`;
    job = await followJob(id, (p) => showProgress(label, p));
    finishJob(label, job);
  }
  if (job.status !== "done" || !(job.result || job.withheld) || generation !== state.generation) return;
  if (quiet && state.solution) return; // a package solved meanwhile is newer than the latest listed
  showAnswer(job, { quiet });
}

/** Show a job's answer in its section; `quiet` (the latest package, opened by itself) keeps the tab chosen. */
function showAnswer(job, { quiet = false } = {}) {
  const options = { switchTab: !quiet };
  if (job.kind === "solve") showPackage(job.result, job.id, options);
  else if (job.kind === "what-if") showWhatIf(job, options);
  else if (job.kind === "criticality") showCriticality(job, options);
  else if (job.kind === "why-not") showWhyNot(job, options);
  else if (job.kind === "alternatives") showAlternatives(job, options);
  else if (job.kind === "resilience") showResilience(job, options);
  else if (job.kind === "explanation" && job.result.explanation) {
    showPackage({ status: "infeasible", explanation: job.result.explanation }, job.id, { ...options, brief: false });
  }
}

/** The brief of a done solve or what-if (a PDF, fetched with the token), handed to the browser as a download. */
function briefButton(jobId) {
  const download = async () => {
    try {
      const response = await fetch(`/v1/jobs/${encodeURIComponent(jobId)}/brief.pdf`, {
        headers: { Authorization: `Bearer ${token()}` },
      });
      if (!response.ok) {
        const problem = await response.json().catch(() => null);
        throw new ApiError(response.status, problem, response.headers);
      }
      const url = URL.createObjectURL(await response.blob());
      const link = h("a", { href: url, download: `${state.scenarioId}-${jobId.slice(0, 8)}-brief.pdf`, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      notify(linesOf(error));
    }
  };
  return h("p", {}, h("button", { type: "button", class: "secondary", dataset: { testid: "brief-button" }, onclick: download },
    "Brief for the meeting (PDF)"));
}

function showPackage(solution, jobId, { switchTab = true, brief = true } = {}) {
  state.solution = solution;
  setHash({ job: jobId });
  $("package").hidden = false;
  if (switchTab) showTab("package");
  else renderTabs();
  const link = `${location.origin}${location.pathname}#scenario=${encodeURIComponent(state.scenarioId)}&job=${encodeURIComponent(jobId)}`;
  clear(
    $("package-body"),
    h("p", { class: "help" }, "Link to this package (for delegates and observers): ", h("a", { href: link, dataset: { testid: "package-link" } }, jobId)),
    brief ? briefButton(jobId) : null,
    h("p", {}, h("button", { type: "button", class: "secondary", dataset: { testid: "keep-package" },
      onclick: () => keepForComparison({ key: `${jobId}:package`, label: `Package ${jobId.slice(0, 8)}`, solution }) }, "Keep for comparison")),
    packageView(solution, state.view?.scenario, null, {
      tryWayOut: wayOutTrier(),
      askWhyNot: state.role === "coordinator" ? askWhyNot : null,
    }),
  );
  if (state.role === "coordinator") renderWhatIfForm(state.view.scenario);
}

function showWhatIf(job, { switchTab = true } = {}) {
  $("what-if").hidden = false;
  if (switchTab) showTab("what-if");
  else renderTabs();
  const tryWayOut = state.role === "coordinator" ? tryPatch : null;
  const answer = job.result;
  const compare = () => {
    keepForComparison({ key: `${job.id}:baseline`, label: "Baseline", solution: answer.baseline });
    keepForComparison({ key: `${job.id}:patched`, label: `What if: ${answer.patch?.description || job.id.slice(0, 8)}`, solution: answer.patched });
  };
  clear($("what-if-result"), briefButton(job.id),
    answer.baseline && answer.patched
      ? h("p", {}, h("button", { type: "button", class: "secondary", dataset: { testid: "compare-what-if" }, onclick: compare }, "Compare with the baseline"))
      : null,
    whatIfView(answer, state.view?.scenario, { tryWayOut }));
}

/** Keep a package in the comparison, and show it there. */
function keepForComparison(entry) {
  if (!entry.solution) return;
  comparison.keep(entry);
  showTab("compare", { jump: true });
}

function showCriticality(job, { switchTab = true } = {}) {
  $("criticality").hidden = false;
  if (switchTab) showTab("criticality");
  else renderTabs();
  clear($("criticality-result"), criticalityView(job.result, state.view?.scenario, { tryWayOut: wayOutTrier() }));
}

function showWhyNot(job, { switchTab = true } = {}) {
  $("why-not").hidden = false;
  if (switchTab) showTab("why-not");
  else renderTabs();
  clear($("why-not-result"), whyNotView(job.result, state.view?.scenario));
}

/** Keep several packages in the comparison at once (alternatives side by side, a fallback and its package). */
function keepAll(entries) {
  for (const entry of entries) comparison.keep(entry);
  showTab("compare", { jump: true });
}

function showAlternatives(job, { switchTab = true } = {}) {
  $("alternatives").hidden = false;
  if (switchTab) showTab("options");
  else renderTabs();
  clear($("alternatives-result"), alternativesView(job, state.view?.scenario, { onKeep: keepAll }));
}

function showResilience(job, { switchTab = true } = {}) {
  $("resilience").hidden = false;
  if (switchTab) showTab("options");
  else renderTabs();
  clear($("resilience-result"), resilienceView(job, state.view?.scenario, { onKeep: keepAll }));
  if (switchTab) $("resilience").scrollIntoView({ block: "start" });
}

/** Ask why-not of what was clicked in a package (a nation, `NATION/unit` or a requirement line). */
function askWhyNot(subject) {
  $("why-not-subject").value = subject;
  showTab("why-not", { jump: true });
  $("why-not-form").requestSubmit();
}

// -- ways out as what-ifs --------------------------------------------------------------------------

/** For a coordinator, what a way out's button does: run its patch as a what-if (else no button). */
function wayOutTrier() {
  return state.role === "coordinator" ? (relaxation) => tryPatch(relaxation.patch) : null;
}

/** Run a patch (forcepack.patch/1, a way out's) as a what-if, and show its answer in the what-if section. */
function tryPatch(patch) {
  if (!patch?.ops?.length) return;
  const body = {
    ...patch,
    mode: "resolve",
    time_limit_s: Number($("what-if-seconds").value) || undefined,
  };
  clear($("what-if-result"));
  runJob(`What if: ${patch.description || "a way out"}`, () => [`/v1/scenarios/${encodeURIComponent(state.scenarioId)}/what-ifs`, body],
    async (job) => {
      showWhatIf(job);
      const heading = $("what-if-result").querySelector("h3");
      $("what-if").scrollIntoView({ block: "start" });
      heading?.setAttribute("tabindex", "-1");
      heading?.focus({ preventScroll: true });
    });
}

// -- coordinator's forms ------------------------------------------------------------------------------

function renderWhatIfForm(scenario) {
  const names = namesOf(scenario);
  renderMandate($("what-if-mandate"), scenario);
  const inPackage = new Set((state.solution?.nations || []).filter((n) => n.units > 0 || n.funding_used_usd > 0).map((n) => n.nation));
  const chosen = new Set([...document.querySelectorAll("#what-if-nations input:checked")].map((i) => i.value));
  clear(
    $("what-if-nations"),
    (scenario.nations || []).map((n) =>
      h("label", { class: "toggle" },
        h("input", { type: "checkbox", value: n.code, name: "withdraw", checked: chosen.has(n.code) }),
        h("span", {}, ` ${names.nation(n.code)} (${n.code})`),
        inPackage.has(n.code) ? h("span", { class: "in-package" }, " in the package") : null),
    ),
  );
  // A phased scenario's withdrawal may start on a day (the `withdraw` operation's `starting`).
  $("what-if-starting").hidden = !scenario.phasing;
  Object.assign($("what-if-date"), { min: scenario.horizon?.start || "", max: scenario.horizon?.end || "" });
  const current = new Map([...document.querySelectorAll("#what-if-sectors select")].map((s) => [s.dataset.sector, s.value]));
  clear(
    $("what-if-sectors"),
    (scenario.sectors || []).map((sector) => {
      const id = `control-${sector.id}`;
      return h("div", { class: "field" },
        h("label", { htmlFor: id }, sector.name || sector.id),
        h("select", { id, dataset: { sector: sector.id, original: sector.control }, value: current.get(sector.id) || sector.control },
          CONTROL.map((c) => h("option", { value: c }, c === sector.control ? `${c} (now)` : c))));
    }),
  );
}

/** Suggestions for the why-not field: nations, requirement lines, and the units and pledges offered. */
function renderWhyNotSubjects(scenario) {
  const names = namesOf(scenario);
  const options = [
    ...(scenario.nations || []).map((n) => [n.code, `nation: ${names.nation(n.code)}`]),
    ...(scenario.requirements || []).map((r) => [r.id, `requirement line: ${r.capability} in ${names.sector(r.sector)}`]),
    ...(scenario.offers || []).flatMap((offer) => [
      ...(offer.units || []).map((u) => [`${offer.nation}/${u.id}`, `unit: ${u.capability} of ${names.nation(offer.nation)}`]),
      ...(offer.funding || []).map((f) => [`${offer.nation}/${f.id}`, `pledge of ${names.nation(offer.nation)}`]),
    ]),
  ];
  clear($("why-not-subjects"), options.map(([value, label]) => h("option", { value, label })));
}

function whatIfBody() {
  const withdraw = [...document.querySelectorAll("#what-if-nations input:checked")].map((i) => i.value);
  const starting = $("what-if-starting").hidden ? "" : $("what-if-date").value;
  const ops = [];
  if (withdraw.length) ops.push({ op: "withdraw", nations: withdraw, ...(starting ? { starting } : {}) });
  for (const select of document.querySelectorAll("#what-if-sectors select")) {
    if (select.value !== select.dataset.original) ops.push({ op: "set_control", sector: select.dataset.sector, control: select.value });
  }
  const mandate = mandateOp($("what-if-mandate"));
  if (mandate) ops.push(mandate);
  const more = changes.ops(ops.length);
  ops.push(...more);
  const words = [
    withdraw.length ? `${withdraw.join(", ")} withdraw${starting ? ` from ${starting}` : ""}` : null,
    ...ops.filter((o) => o.op === "set_control").map((o) => `${o.sector} becomes ${o.control}`),
    ...Object.entries(mandate?.conditions || {}).map(([name, value]) => `${name} ${value ? "holds" : "does not hold"}`),
    ...changes.words(more),
  ].filter(Boolean);
  return {
    ops,
    description: words.join("; "),
    mode: $("what-if-mode").value,
    time_limit_s: Number($("what-if-seconds").value) || undefined,
  };
}

function wire() {
  $("sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const secret = $("token").value.trim();
    if (secret) signIn(secret);
  });
  $("sign-out").addEventListener("click", signOut);
  $("author-jobs-refresh").addEventListener("click", () => renderJobs());
  for (const button of document.querySelectorAll("#sections button.tab")) {
    button.addEventListener("click", () => showTab(button.dataset.tab, { jump: true }));
  }
  $("scenario-select").addEventListener("change", (event) => openScenario(event.target.value));
  $("open-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = $("job-id").value.trim();
    if (id) openJob(id);
  });
  $("solve-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const seconds = Number($("solve-seconds").value) || undefined;
    runJob("Solve", () => [`/v1/scenarios/${encodeURIComponent(state.scenarioId)}/solves`, { time_limit_s: seconds }],
      async (job) => { showPackage(job.result, job.id); renderJobs(); });
  });
  $("what-if-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = whatIfBody();
    if (!body.ops.length) {
      notify("Choose a change first: a nation to withdraw, a sector's control status, a mandate condition, or another change.", "help");
      return;
    }
    clear($("what-if-result"));
    runJob(`What if: ${body.description}`, () => [`/v1/scenarios/${encodeURIComponent(state.scenarioId)}/what-ifs`, body],
      async (job) => { showWhatIf(job); renderJobs(); }, { form: $("what-if-form") });
  });
  $("criticality-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const seconds = Number($("criticality-seconds").value) || undefined;
    clear($("criticality-result"));
    runJob("Criticality", () => [`/v1/scenarios/${encodeURIComponent(state.scenarioId)}/criticality`, { time_limit_s: seconds }],
      async (job) => showCriticality(job));
  });
  $("why-not-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const subject = $("why-not-subject").value.trim();
    if (!subject) {
      notify("Name a nation, an offered unit or pledge, or a requirement line first.", "help");
      $("why-not-subject").focus();
      return;
    }
    const seconds = Number($("why-not-seconds").value) || undefined;
    clear($("why-not-result"));
    runJob(`Why not ${subject}`, () => [`/v1/scenarios/${encodeURIComponent(state.scenarioId)}/why-nots`, { subject, time_limit_s: seconds }],
      async (job) => showWhyNot(job));
  });
  $("alternatives-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = {
      k: Number($("alternatives-k").value) || undefined,
      tolerance: $("alternatives-tolerance").value === "" ? undefined : Number($("alternatives-tolerance").value) / 100,
      min_difference: Number($("alternatives-difference").value) || undefined,
      time_limit_s: Number($("alternatives-seconds").value) || undefined,
    };
    clear($("alternatives-result"));
    runJob("Alternatives", () => [`/v1/scenarios/${encodeURIComponent(state.scenarioId)}/alternatives`, body],
      async (job) => { showAlternatives(job); renderJobs(); }, { form: $("alternatives-form") });
  });
  $("resilience-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { time_limit_s: Number($("resilience-seconds").value) || undefined };
    clear($("resilience-result"));
    runJob("The resilient package", () => [`/v1/scenarios/${encodeURIComponent(state.scenarioId)}/resilience`, body],
      async (job) => { showResilience(job); renderJobs(); }, { form: $("resilience-form") });
  });
}

wire();
if (token()) signIn(token());
else showSignIn();
