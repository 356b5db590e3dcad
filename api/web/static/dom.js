// Small helpers: building elements, formatting figures, sortable tables.

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * An element: h("td", {class: "x", dataset: {k: "v"}, onclick: f}, "text", child, [more]).
 * Attributes never take inline styles (the page's Content-Security-Policy forbids them); `style`
 * takes an object and is set through the CSSOM.
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  return fill(element, attrs, children);
}

/** An SVG element, as `h`. */
export function s(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

function fill(element, attrs, children) {
  append(element, children); // first, so that a select's `value` finds its options
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "style") Object.assign(element.style, value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name in element && typeof element[name] !== "object" && !(element instanceof SVGElement)) {
      element[name] = value;
    } else element.setAttribute(name === "className" ? "class" : name, value === true ? "" : String(value));
  }
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

export function clear(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

export const num = (value) => (value === undefined || value === null ? "–" : integer.format(value));
export const dec = (value) => (value === undefined || value === null ? "–" : decimal.format(value));

/** USD, in millions past a million: "USD 33.2M". */
export function usd(value) {
  if (value === undefined || value === null) return "–";
  const sign = value < 0 ? "-" : "";
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${sign}USD ${(abs / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${sign}USD ${Math.round(abs / 1e3)}K`;
  return `${sign}USD ${integer.format(abs)}`;
}

/** A change with its sign: "+400", "-7.1M USD". */
export function signed(value, format = num) {
  if (value === undefined || value === null) return "–";
  if (value > 0) return `+${format(value)}`;
  return value < 0 ? `-${format(-value)}` : format(0);
}

export const pct = (fraction) => `${Math.round(fraction * 100)}%`;

/** A visually hidden text (for screen readers only). */
export const sr = (text) => h("span", { class: "visually-hidden" }, text);

/**
 * A table whose columns sort by a click (or Enter/Space) on their header; aria-sort says how.
 * columns: [{key, label, value(row) -> sortable, cell(row) -> node|text, numeric}]
 * rowClass(row) gives a row's class (e.g. a change against the baseline).
 */
export function sortableTable({ caption, columns, rows, rowClass, testid, empty = "Nothing to show." }) {
  const table = h("table", { class: "data sortable", dataset: testid ? { testid } : {} });
  if (caption) table.append(h("caption", {}, caption));
  const head = h("tr");
  const body = h("tbody");
  let sortKey = null;
  let ascending = true;

  const render = () => {
    const sorted = [...rows];
    if (sortKey) {
      const column = columns.find((c) => c.key === sortKey);
      const value = column.value || ((row) => row[column.key]);
      sorted.sort((a, b) => compare(value(a), value(b)) * (ascending ? 1 : -1));
    }
    body.replaceChildren(
      ...(sorted.length
        ? sorted.map((row) =>
            h(
              "tr",
              { class: rowClass ? rowClass(row) : undefined },
              columns.map((c) =>
                h(c.header ? "th" : "td", { class: c.numeric ? "num" : undefined, scope: c.header ? "row" : undefined },
                  c.cell ? c.cell(row) : row[c.key]),
              ),
            ),
          )
        : [h("tr", {}, h("td", { colSpan: columns.length, class: "empty" }, empty))]),
    );
    for (const th of head.children) {
      const key = th.dataset.key;
      th.setAttribute("aria-sort", key === sortKey ? (ascending ? "ascending" : "descending") : "none");
      th.querySelector(".sort-mark").textContent = key === sortKey ? (ascending ? " ▲" : " ▼") : "";
    }
  };

  for (const column of columns) {
    const button = h(
      "button",
      {
        type: "button",
        class: "sort",
        onclick: () => {
          ascending = sortKey === column.key ? !ascending : true;
          sortKey = column.key;
          render();
        },
      },
      column.label,
      h("span", { class: "sort-mark", "aria-hidden": "true" }),
    );
    head.append(h("th", { scope: "col", class: column.numeric ? "num" : undefined, dataset: { key: column.key } }, button));
  }
  table.append(h("thead", {}, head), body);
  render();
  return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption || "table" }, table);
}

function compare(a, b) {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), "en", { numeric: true });
}

/** A simple (not sortable) table. */
export function table({ caption, head, rows, testid, className = "data" }) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: className, dataset: testid ? { testid } : {} },
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, head.map((label) => h("th", { scope: "col" }, label)))),
      h("tbody", {}, rows),
    ),
  );
}

/** Definition list of label → value pairs. */
export function facts(pairs, testid) {
  return h(
    "dl",
    { class: "facts", dataset: testid ? { testid } : {} },
    pairs.filter(Boolean).map(([label, value]) => h("div", {}, h("dt", {}, label), h("dd", {}, value))),
  );
}
