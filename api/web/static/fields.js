// A server's problems (RFC 9457, `problems`: one line per problem, each starting with the path of
// the field, `requirements[3].sector: sector `rafa` is not a sector of this scenario`) shown next to
// the control of that field: every control of a form is named by its path in the document it edits.

import { h } from "./dom.js";

// `path: message`, the path as the service writes it (`a.b[2].c`), perhaps followed by the ids of the
// elements on it and a line (`a[2].c (id: rafah-eng), line 12: ...`); a workbook's `sheet `units`,
// row 2` and any other line is not a path, and stays in the form's message.
const PROBLEM = /^([A-Za-z_][\w-]*(?:\[[^\]\s]+\]|\.[^\s:.[\]]+)*)((?: \([^()]*\))?(?:, line \d+)?): (.*)$/s;

/** The path of a problem line, the ids after it, and its message; null when the line names no field. */
export function problemPath(line) {
  const match = PROBLEM.exec(line);
  return match ? { path: match[1], where: match[1] + match[2], message: match[3] } : null;
}

/** The path one step up: `a[2].b` → `a[2]` → `a`; "" at the top. */
export function parentPath(path) {
  const match = /^(.*)(?:\.[^.[\]]+|\[[^\]]+\])$/.exec(path);
  return match ? match[1] : "";
}

/** Remove the problems shown in `root` (a new attempt starts clean). */
export function clearProblems(root) {
  for (const node of root.querySelectorAll(".field-error, tr.error-row")) node.remove();
  for (const control of root.querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
    const described = (control.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.startsWith("problem-"));
    if (described.length) control.setAttribute("aria-describedby", described.join(" "));
    else control.removeAttribute("aria-describedby");
  }
}

let count = 0;

/**
 * Show each problem line next to the control (or row) its path names, in `root`, the nearest one
 * up the path when the field itself has no control (`vetoes[1].against[0]` at `vetoes[1].against`).
 * `prefix` is the path of the document inside the request (`ops[2]` holds `requirement`...): lines
 * are matched as the server wrote them. Returns the lines placed nowhere, for the form's message.
 */
export function showProblems(root, lines) {
  clearProblems(root);
  const unplaced = [];
  let first = null;
  for (const line of lines) {
    const found = problemPath(line);
    let target = null;
    for (let path = found?.path || ""; path && !target; path = parentPath(path)) {
      target = root.querySelector(`[data-path="${CSS.escape(path)}"]`);
    }
    if (!target) {
      unplaced.push(line);
      continue;
    }
    const id = `problem-${++count}`;
    const message = `${found.where}: ${found.message}`;
    if (target.tagName === "TR") {
      const cells = target.children.length || 1;
      target.after(h("tr", { class: "error-row" }, h("td", { colSpan: cells }, h("p", { class: "field-error", id, role: "alert" }, message))));
      target.setAttribute("aria-invalid", "true");
    } else if (["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName)) {
      target.setAttribute("aria-invalid", "true");
      target.setAttribute("aria-describedby", [target.getAttribute("aria-describedby"), id].filter(Boolean).join(" "));
      (target.closest("label") || target).after(h("span", { class: "field-error", id }, message));
    } else {
      target.append(h("p", { class: "field-error", id }, message));
    }
    first ||= target;
  }
  first?.scrollIntoView?.({ block: "center" });
  if (first && typeof first.focus === "function" && first.tagName !== "TR") first.focus({ preventScroll: true });
  return unplaced;
}
