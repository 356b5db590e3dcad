// The public HTTP API (/v1/...), called with the signed-in token. Nothing else is fetched.

const TOKEN_KEY = "forcepack.token";
const FINISHED = new Set(["done", "failed", "cancelled"]);

/** An answer that is not 2xx: its status, its problem document (RFC 9457) and headers. */
export class ApiError extends Error {
  constructor(status, problem, headers) {
    const detail = problem && (problem.detail || problem.title);
    super(detail || `the server answered ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.headers = headers;
  }

  /** Every line of the problem document, for showing to a person. */
  get lines() {
    const problems = Array.isArray(this.problem.problems) ? this.problem.problems : [];
    return [this.message, ...problems];
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * A request; resolves to {status, body, headers}; rejects with ApiError for 4xx/5xx. `body` is sent
 * as JSON; `raw` (a file's bytes, a Blob) as it is, with its `contentType`.
 */
export async function request(method, path, { body, raw, contentType, headers = {}, signal } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, signal };
  const bearer = token();
  if (bearer) init.headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  } else if (raw !== undefined) {
    init.headers["Content-Type"] = contentType;
    init.body = raw;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, { detail: "the service cannot be reached" }, new Headers());
  }
  const type = response.headers.get("Content-Type") || "";
  const parsed = type.includes("json") ? await response.json().catch(() => null) : null;
  if (!response.ok) throw new ApiError(response.status, parsed, response.headers);
  return { status: response.status, body: parsed, headers: response.headers };
}

export const get = (path, options) => request("GET", path, options);

export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** The media type of a file the user chose, by its name: a workbook, JSON or YAML. */
export function fileType(name) {
  const lower = name.toLowerCase();
  if (lower.endsWith(".xlsx")) return XLSX_TYPE;
  if (lower.endsWith(".json")) return "application/json";
  return "application/yaml";
}

/** Fetch a file with the token (a workbook, a PDF) and hand it to the browser as a download named `filename`. */
export async function download(path, filename) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token()}` } });
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    throw new ApiError(response.status, problem, response.headers);
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The job's id from a 202's body (or its Location). */
function jobId(answer) {
  if (answer.body && answer.body.id) return answer.body.id;
  const location = answer.headers.get("Location") || "";
  return location.split("/").pop();
}

/** POST a job; resolves to its id. */
export async function submitJob(path, body) {
  return jobId(await request("POST", path, { body }));
}

/**
 * Follow a job until its final status: by its event stream (Server-Sent Events, read with fetch
 * so the bearer token can be sent), falling back to polling GET /v1/jobs/{id}. `onProgress` gets
 * {status, criterion, value, seconds, step, done, total} as they change. Resolves to the job.
 */
export async function followJob(id, onProgress, signal) {
  const path = `/v1/jobs/${encodeURIComponent(id)}`;
  try {
    await streamEvents(`${path}/events`, onProgress, signal);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    if (error instanceof ApiError && error.status === 404) throw error;
    // The stream broke (a proxy, a restart): polling tells the same.
  }
  for (;;) {
    const job = (await get(path, { signal })).body;
    if (FINISHED.has(job.status)) return job;
    onProgress(progressOf(job));
    await sleep(400, signal);
  }
}

function progressOf(job) {
  const progress = job.progress || {};
  return {
    status: job.status,
    criterion: progress.criterion,
    value: progress.objective,
    seconds: progress.elapsed_s,
    step: progress.step,
    done: progress.done,
    total: progress.total,
  };
}

async function streamEvents(path, onProgress, signal) {
  const headers = { Accept: "text/event-stream", Authorization: `Bearer ${token()}` };
  const response = await fetch(path, { headers, signal });
  if (!response.ok || !response.body) {
    const problem = await response.json().catch(() => null);
    throw new ApiError(response.status, problem, response.headers);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const state = { status: "queued" };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer = (buffer + value).replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parseEvent(block);
      if (!event) continue;
      if (event.event === "status") state.status = event.data.status;
      else if (event.event === "package") Object.assign(state, event.data);
      else if (event.event === "step") Object.assign(state, event.data);
      onProgress({ ...state });
      if (event.event === "status" && FINISHED.has(event.data.status)) {
        reader.cancel().catch(() => {});
        return;
      }
    }
  }
}

function parseEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (name === "event") event = value;
    else if (name === "data") data.push(value);
  }
  if (!data.length) return null;
  try {
    return { event, data: JSON.parse(data.join("\n")) };
  } catch {
    return null;
  }
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new DOMException("aborted", "AbortError"));
    });
  });
}
