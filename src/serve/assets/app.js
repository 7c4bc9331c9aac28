// rpq serve's page: the overview of every queue (/) and one queue (/queues/NAME), kept live by
// polling the JSON API. Every value from the server is written with textContent or
// setAttribute, never as HTML; the Content-Security-Policy allows this file and nothing inline.
"use strict";

const POLL_MS = 2000;
const HIDDEN_POLL_MS = 10000;
const HISTORY_MS = 5000;
const HOUR_MS = 3600 * 1000;
const PAGE = 50;
const PRIORITIES = [["high", 1], ["medium", 2], ["low", 3]];

const $ = (id) => document.getElementById(id);
const nf = new Intl.NumberFormat();

// --- building DOM nodes -------------------------------------------------------------------

// el("td", {class: "n", text: 12}, child...): attributes by setAttribute, text by textContent,
// "on*" keys as listeners. Nothing here ever parses HTML.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  for (const c of children) {
    if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  setAttrs(node, attrs);
  return node;
}

function setAttrs(node, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = String(v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
}

function setText(node, text) {
  const s = String(text);
  if (node.textContent !== s) node.textContent = s;
}

// --- formatting ---------------------------------------------------------------------------

const int = (n) => (n === null || n === undefined ? "–" : nf.format(n));

function age(ms) {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

function clock(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return "–";
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

const plural = (n, word) => `${int(n)} ${word}${n === 1 ? "" : "s"}`;

const priorityName = (p) => ({ 1: "high", 2: "medium", 3: "low" })[p] || "?";

function payloadText(v) {
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

function badge(p) {
  const name = priorityName(p);
  return el("span", { class: "prio-badge" }, el("span", { class: `swatch ${name}` }), name);
}

// --- talking to the server ----------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(path, opts = {}) {
  const res = await fetch(path, {
    credentials: "same-origin",
    headers: opts.body ? { "Content-Type": "application/json" } : {},
    ...opts,
    body: opts.body ? JSON.stringify(opts.body) : undefined,
  });
  if (res.status === 401) {
    location.assign("/login");
    throw new ApiError(401, { error: "signed out" });
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

const enc = encodeURIComponent;

// --- status, banner, toast ----------------------------------------------------------------

function online(ok, message) {
  const st = $("status");
  st.classList.toggle("live", ok);
  st.classList.toggle("down", !ok);
  setText($("status-text"), ok ? `live · ${new Date().toLocaleTimeString()}` : "Redis unreachable");
  $("main").classList.toggle("stale", !ok);
  const banner = $("banner");
  banner.hidden = ok;
  if (!ok) {
    banner.replaceChildren(
      el("strong", { text: "Redis is unreachable" }),
      ` (${(message || "no answer").replace(/^redis is unreachable: /, "")}). The numbers below are the last ones read; trying again every ${POLL_MS / 1000} s.`
    );
  }
}

let toastTimer = 0;
function toast(text) {
  const t = $("toast");
  t.textContent = text;
  t.classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.remove("show"), 3000);
}

// A failure the user should see: Redis away goes to the banner, anything else to the toast.
function failed(e) {
  if (e.status === 503) online(false, e.message);
  else if (e.status !== 401) toast(e.message);
}

// --- tiles --------------------------------------------------------------------------------

// Tiles are made once and then only their text changes.
function tiles(container, specs) {
  if (container.children.length !== specs.length) {
    container.replaceChildren(
      ...specs.map((s) =>
        el("div", { class: "tile", "data-key": s.key },
          el("div", { class: "label" }, s.swatch ? el("span", { class: `swatch ${s.swatch}` }) : null, s.label),
          el("div", { class: "value" }),
          el("div", { class: "sub" }))
      )
    );
  }
  specs.forEach((s, i) => {
    const t = container.children[i];
    setText(t.children[1], s.value);
    const sub = t.children[2];
    if (Array.isArray(s.sub)) {
      // [[swatch, text], ...]: redrawn only when the text changes.
      const key = JSON.stringify(s.sub);
      if (sub.dataset.key !== key) {
        sub.dataset.key = key;
        sub.replaceChildren(...s.sub.flatMap(([cls, text]) => [
          el("span", { class: `swatch ${cls}`, title: cls }),
          el("span", { class: "visually-hidden", text: `${cls} ` }),
          el("span", { class: "part", text }),
        ]));
      }
    } else {
      setText(sub, s.sub || "\u00a0");
    }
    t.classList.toggle("warn", !!s.warn);
  });
}

function statTiles(s) {
  const w = s.waiting;
  const lm = s.last_minute;
  return [
    { key: "waiting", label: "Waiting", value: int(w.total), sub: [["high", int(w.high)], ["medium", int(w.medium)], ["low", int(w.low)]] },
    { key: "in_flight", label: "In flight", swatch: "inflight", value: int(s.in_flight), sub: plural(s.consumers.length, "consumer") + " seen" },
    { key: "retrying", label: "Retrying", value: int(s.retrying), sub: `${int(s.recovered)} recovered in all` },
    { key: "dead", label: "Dead", value: int(s.dead), warn: s.dead > 0, sub: `${plural(s.failed, "failure")} in all` },
    { key: "done", label: "Done / min", swatch: "done", value: int(lm.done), sub: `${int(s.done)} in all` },
    { key: "failed", label: "Failed / min", swatch: "failed", value: int(lm.failed), warn: lm.failed > 0, sub: `${int(s.pushed)} pushed in all` },
    { key: "oldest", label: "Oldest waiting", value: age(s.oldest_waiting_ms), sub: w.total ? "the longest wait now" : "nothing waits" },
  ];
}

function sum(list) {
  const z = { queue: "all", waiting: { total: 0, high: 0, medium: 0, low: 0 }, in_flight: 0, retrying: 0, dead: 0,
    pushed: 0, done: 0, failed: 0, recovered: 0, last_minute: { done: 0, failed: 0 }, oldest_waiting_ms: null, consumers: [] };
  const names = new Set();
  for (const s of list) {
    for (const k of ["total", "high", "medium", "low"]) z.waiting[k] += s.waiting[k];
    for (const k of ["in_flight", "retrying", "dead", "pushed", "done", "failed", "recovered"]) z[k] += s[k];
    z.last_minute.done += s.last_minute.done;
    z.last_minute.failed += s.last_minute.failed;
    if (s.oldest_waiting_ms !== null) z.oldest_waiting_ms = Math.max(z.oldest_waiting_ms || 0, s.oldest_waiting_ms);
    for (const c of s.consumers) names.add(c.name);
  }
  z.consumers = [...names];
  return z;
}

// --- charts -------------------------------------------------------------------------------

// The last hour as rows of [t, high, medium, low, in_flight, retrying, dead, done, failed].
class History {
  constructor(queue) {
    this.queue = queue;
    this.rows = [];
    this.every = HISTORY_MS;
  }
  async load() {
    const last = this.rows.length ? this.rows[this.rows.length - 1][0] : 0;
    const q = this.queue ? `queue=${enc(this.queue)}&` : "";
    const h = await api(`/api/history?${q}since=${last}`);
    this.every = h.every_ms;
    this.rows.push(...h.rows);
    const end = this.rows.length ? this.rows[this.rows.length - 1][0] : 0;
    while (this.rows.length && this.rows[0][0] < end - HOUR_MS) this.rows.shift();
  }
}

// A chart: an SVG drawn from series of [t, value] points, stacked or as lines, with a legend
// that shows the latest values, or those under the pointer.
class Chart {
  constructor(figure, series, stacked) {
    this.series = series; // [{key, label, cls}]
    this.stacked = stacked;
    this.caption = figure.querySelector("figcaption span");
    this.svg = svg("svg", { role: "img", "aria-label": figure.querySelector("figcaption").textContent });
    this.legend = el("div", { class: "legend" });
    figure.append(this.svg, this.legend);
    this.points = [];
    this.hover = null;
    this.svg.addEventListener("pointermove", (e) => this.pointer(e));
    this.svg.addEventListener("pointerleave", () => { this.hover = null; this.drawLegend(); this.draw(); });
    new ResizeObserver(() => this.draw()).observe(this.svg);
  }

  // points: [{t, values: {key: n}}], oldest first; gap: the time beyond which a line breaks.
  set(points, gap) {
    this.points = points;
    this.gap = gap;
    this.draw();
    this.drawLegend();
  }

  // The window shown: what there is, in steps of 10 minutes, up to the hour kept.
  span() {
    const step = 10 * 60 * 1000;
    const have = this.points.length ? this.points[this.points.length - 1].t - this.points[0].t : 0;
    return Math.min(HOUR_MS, Math.max(step, Math.ceil(have / step) * step));
  }

  scales() {
    const w = this.svg.clientWidth || 600;
    const h = this.svg.clientHeight || 170;
    const pad = { l: 44, r: 8, t: 8, b: 20 };
    const end = this.points.length ? this.points[this.points.length - 1].t : Date.now();
    const start = end - this.span();
    let max = 0;
    for (const p of this.points) {
      const vals = this.series.map((s) => p.values[s.key] || 0);
      max = Math.max(max, this.stacked ? vals.reduce((a, b) => a + b, 0) : Math.max(...vals));
    }
    max = niceMax(max);
    return {
      w, h, pad, start, end, max,
      x: (t) => pad.l + ((t - start) / (end - start)) * (w - pad.l - pad.r),
      y: (v) => h - pad.b - (v / max) * (h - pad.t - pad.b),
    };
  }

  draw() {
    const sc = this.scales();
    const nodes = [];
    for (const f of [0, 0.5, 1]) {
      const v = sc.max * f;
      const y = sc.y(v);
      nodes.push(svg("line", { class: "gridline", x1: sc.pad.l, x2: sc.w - sc.pad.r, y1: y, y2: y }));
      nodes.push(svg("text", { class: "axis", x: sc.pad.l - 6, y: y + 3.5, "text-anchor": "end", text: short(v) }));
    }
    const minutes = this.span() / 60000;
    setText(this.caption, minutes === 60 ? "last hour" : `last ${minutes} minutes`);
    for (const [f, label] of [[0, `−${minutes}m`], [0.5, `−${minutes / 2}m`], [1, "now"]]) {
      const x = sc.pad.l + f * (sc.w - sc.pad.l - sc.pad.r);
      const anchor = f === 0 ? "start" : f === 1 ? "end" : "middle";
      nodes.push(svg("text", { class: "axis", x, y: sc.h - 5, "text-anchor": anchor, text: label }));
    }
    if (this.points.length < 2) {
      nodes.push(svg("text", { class: "waiting-note", x: sc.w / 2, y: sc.h / 2, "text-anchor": "middle",
        text: `collecting: a sample every ${HISTORY_MS / 1000} s` }));
    } else if (this.stacked) {
      let base = this.points.map(() => 0);
      for (const s of this.series) {
        const top = this.points.map((p, i) => base[i] + (p.values[s.key] || 0));
        nodes.push(svg("path", { class: s.cls, d: this.area(sc, base, top) }));
        base = top;
      }
    } else {
      for (const s of this.series) {
        nodes.push(svg("path", { class: s.cls, d: this.line(sc, this.points.map((p) => p.values[s.key])) }));
      }
    }
    if (this.hover !== null && this.points[this.hover]) {
      const x = sc.x(this.points[this.hover].t);
      nodes.push(svg("line", { class: "cursor", x1: x, x2: x, y1: sc.pad.t, y2: sc.h - sc.pad.b }));
    }
    this.svg.setAttribute("viewBox", `0 0 ${sc.w} ${sc.h}`);
    this.svg.replaceChildren(...nodes);
  }

  // Runs of points without a gap: the chart breaks where the sampler could not read Redis.
  runs() {
    const runs = [];
    let run = [];
    this.points.forEach((p, i) => {
      if (i > 0 && p.t - this.points[i - 1].t > this.gap) { runs.push(run); run = []; }
      run.push(i);
    });
    runs.push(run);
    return runs.filter((r) => r.length > 0);
  }

  line(sc, values) {
    let d = "";
    for (const run of this.runs()) {
      run.forEach((i, k) => {
        if (values[i] === null || values[i] === undefined) return;
        d += `${k === 0 ? "M" : "L"}${sc.x(this.points[i].t).toFixed(1)},${sc.y(values[i]).toFixed(1)}`;
      });
    }
    return d;
  }

  area(sc, base, top) {
    let d = "";
    for (const run of this.runs()) {
      const fwd = run.map((i) => `${sc.x(this.points[i].t).toFixed(1)},${sc.y(top[i]).toFixed(1)}`);
      const back = run.slice().reverse().map((i) => `${sc.x(this.points[i].t).toFixed(1)},${sc.y(base[i]).toFixed(1)}`);
      d += `M${fwd.join("L")}L${back.join("L")}Z`;
    }
    return d;
  }

  pointer(e) {
    if (this.points.length < 2) return;
    const r = this.svg.getBoundingClientRect();
    const sc = this.scales();
    const t = sc.start + ((e.clientX - r.left - sc.pad.l) / (sc.w - sc.pad.l - sc.pad.r)) * (sc.end - sc.start);
    let best = 0;
    this.points.forEach((p, i) => { if (Math.abs(p.t - t) < Math.abs(this.points[best].t - t)) best = i; });
    if (best !== this.hover) { this.hover = best; this.draw(); this.drawLegend(); }
  }

  drawLegend() {
    const p = this.points[this.hover ?? this.points.length - 1];
    const items = this.series.map((s) =>
      el("span", { class: "item" }, el("span", { class: `swatch ${s.swatch}` }), s.label,
        el("b", { text: p ? short(p.values[s.key] || 0) : "–" })));
    const when = p ? (this.hover === null ? "now" : new Date(p.t).toLocaleTimeString()) : "";
    this.legend.replaceChildren(...items, el("span", { class: "when", text: when }));
  }
}

function niceMax(v) {
  if (v <= 0) return 4;
  const mag = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * mag) return m * mag;
  return 10 * mag;
}

function short(v) {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return nf.format(Math.round(v * 10) / 10);
}

function charts(prefix) {
  return {
    backlog: new Chart($(`${prefix}chart-backlog`), [
      { key: "high", label: "high", cls: "area-high", swatch: "high" },
      { key: "medium", label: "medium", cls: "area-medium", swatch: "medium" },
      { key: "low", label: "low", cls: "area-low", swatch: "low" },
    ], true),
    rate: new Chart($(`${prefix}chart-rate`), [
      { key: "done", label: "done", cls: "line-done", swatch: "done" },
      { key: "failed", label: "failed", cls: "line-failed", swatch: "failed" },
      { key: "in_flight", label: "in flight", cls: "line-inflight", swatch: "inflight" },
    ], false),
  };
}

// Backlog from each row; done and failed a minute from the difference of the totals.
function drawHistory(c, h) {
  const rows = h.rows;
  const backlog = rows.map((r) => ({ t: r[0], values: { high: r[1], medium: r[2], low: r[3] } }));
  const rate = [];
  for (let i = 1; i < rows.length; i++) {
    const dt = (rows[i][0] - rows[i - 1][0]) / 60000;
    const per = (k) => (dt > 0 ? Math.max(0, rows[i][k] - rows[i - 1][k]) / dt : 0);
    rate.push({ t: rows[i][0], values: { done: per(7), failed: per(8), in_flight: rows[i][4] } });
  }
  const gap = h.every * 2.5;
  c.backlog.set(backlog, gap);
  c.rate.set(rate, gap);
}

// --- the overview -------------------------------------------------------------------------

const QUEUE_COLUMNS = [
  ["High", (s) => s.waiting.high], ["Medium", (s) => s.waiting.medium], ["Low", (s) => s.waiting.low],
  ["In flight", (s) => s.in_flight], ["Retrying", (s) => s.retrying], ["Dead", (s) => s.dead, true],
  ["Done/min", (s) => s.last_minute.done], ["Failed/min", (s) => s.last_minute.failed, true],
];

function queueRow(s) {
  const tr = el("tr", { "data-queue": s.queue });
  tr.append(el("td", { class: "name", "data-label": "Queue" },
    el("a", { href: `/queues/${enc(s.queue)}`, text: s.queue, title: s.queue })));
  tr.append(el("td", { class: "bar", "data-label": "Waiting" },
    el("div", { class: "barcell" }, el("span", { class: "total" }),
      el("div", { class: "minibar", "aria-hidden": "true" },
        el("span", { class: "high" }), el("span", { class: "medium" }), el("span", { class: "low" })))));
  for (const [label] of QUEUE_COLUMNS) tr.append(el("td", { class: "n", "data-label": label }));
  tr.append(el("td", { class: "n", "data-label": "Oldest" }));
  tr.append(el("td", { class: "n", "data-label": "Consumers" }));
  return tr;
}

function updateQueueRow(tr, s, widest) {
  const cells = tr.children;
  setText(cells[1].querySelector(".total"), int(s.waiting.total));
  const bar = cells[1].querySelectorAll(".minibar span");
  PRIORITIES.forEach(([name], i) => {
    const pct = widest ? (100 * s.waiting[name]) / widest : 0;
    bar[i].style.width = `${pct}%`;
  });
  QUEUE_COLUMNS.forEach(([, get, alert], i) => {
    const v = get(s);
    const td = cells[2 + i];
    setText(td, int(v));
    td.classList.toggle("zero", v === 0);
    td.classList.toggle("alert", !!alert && v > 0);
  });
  setText(cells[2 + QUEUE_COLUMNS.length], age(s.oldest_waiting_ms));
  setText(cells[3 + QUEUE_COLUMNS.length], int(s.consumers.length));
}

async function overview() {
  $("overview").hidden = false;
  $("crumbs").replaceChildren(el("span", { class: "here", text: "All queues" }));
  const c = charts("");
  const h = new History(null);
  const rows = new Map();
  async function refresh() {
    const { queues } = await api("/api/queues");
    online(true);
    tiles($("totals"), statTiles(sum(queues)));
    const body = $("queue-rows");
    const widest = Math.max(1, ...queues.map((s) => s.waiting.total));
    const seen = new Set();
    queues.forEach((s, i) => {
      let tr = rows.get(s.queue);
      if (!tr) { tr = queueRow(s); rows.set(s.queue, tr); }
      if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] || null);
      updateQueueRow(tr, s, widest);
      seen.add(s.queue);
    });
    for (const [name, tr] of rows) if (!seen.has(name)) { tr.remove(); rows.delete(name); }
    $("no-queues").hidden = queues.length > 0;
    $("queues").parentElement.hidden = queues.length === 0;
  }
  poll(refresh, POLL_MS);
  poll(async () => { await h.load(); drawHistory(c, h); }, HISTORY_MS);
}

// --- one queue ----------------------------------------------------------------------------

const STATES = {
  waiting: { label: "Waiting", count: (s) => s.waiting.total },
  "in-flight": { label: "In flight", count: (s) => s.in_flight },
  scheduled: { label: "Scheduled", count: () => null },
  retrying: { label: "Retrying", count: (s) => s.retrying },
  dead: { label: "Dead", count: (s) => s.dead },
  consumers: { label: "Consumers", count: (s) => s.consumers.length },
};

function taskColumns(state) {
  const waited = (t) => age(Date.now() - new Date(t.created_at));
  const cols = [
    { label: "ID", cls: "id", cell: (t, open) => el("button", { class: "link", type: "button", "aria-expanded": String(open), title: t.id, text: t.id }) },
    { label: "Type", cls: "type", cell: (t) => el("span", { text: t.type, title: t.type }) },
    { label: "Priority", cls: "prio", cell: (t) => badge(t.priority) },
  ];
  if (state === "dead") {
    cols.push(
      { label: "Died", cls: "time", cell: (t) => clock(t.died_at) },
      { label: "Attempts", cls: "short n", cell: (t) => int(t.attempts) },
      { label: "Error", cls: "error", cell: (t) => el("span", { text: t.error, title: t.error }) },
      { label: "Payload", cls: "payload", cell: (t) => payloadText(t.payload) },
      { label: "", cls: "actions", cell: (t) => el("span", {},
        el("button", { class: "small", type: "button", "data-action": "retry", "data-id": t.id, text: "Retry" }), " ",
        el("button", { class: "small danger", type: "button", "data-action": "purge", "data-id": t.id, text: "Purge" })) },
    );
  } else {
    cols.push(
      { label: "Created", cls: "time", cell: (t) => clock(t.created_at) },
      { label: "Waited", cls: "short n", cell: waited },
      { label: "Attempt", cls: "short n", cell: (t) => int(t.attempt) },
      { label: "Payload", cls: "payload", cell: (t) => payloadText(t.payload) },
    );
  }
  return cols;
}

const CONSUMER_COLUMNS = [
  { label: "Consumer", cls: "id", cell: (c) => el("span", { text: c.name, title: c.name }) },
  { label: "Last seen", cls: "time", cell: (c) => clock(c.last_seen) },
  { label: "Ago", cls: "short n", cell: (c) => age(Date.now() - new Date(c.last_seen)) },
  { label: "Done", cls: "short n", cell: (c) => int(c.done) },
];

async function queuePage(name) {
  $("queue").hidden = false;
  document.title = `${name} · rpq`;
  $("crumbs").replaceChildren(el("a", { href: "/", text: "All queues" }), el("span", { class: "sep", text: "/" }),
    el("span", { class: "here", text: name }));
  setText($("q-title"), name);
  const base = `/api/queues/${enc(name)}`;
  const states = [...info.features.states, "consumers"];
  const missing = Object.keys(STATES).filter((s) => s !== "consumers" && !states.includes(s));
  setText($("missing"), missing.length ? `Not in this build yet: the ${missing.join(", ")} lists, task lookup by id, cancel, move and pause.` : "");
  const view = { state: "waiting", offset: 0, open: new Set(), last: "", stats: null, tasks: null };

  const tabs = $("tabs");
  tabs.replaceChildren(...states.map((s) =>
    el("button", { type: "button", role: "tab", id: `tab-${s}`, "data-state": s, "aria-selected": String(s === view.state),
      tabindex: s === view.state ? "0" : "-1" }, STATES[s].label, el("span", { class: "count", text: "–" }))));
  tabs.addEventListener("click", (e) => {
    const b = e.target.closest("button[data-state]");
    if (b) choose(b.dataset.state);
  });
  tabs.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    const i = states.indexOf(view.state) + (e.key === "ArrowRight" ? 1 : -1);
    const s = states[(i + states.length) % states.length];
    choose(s);
    $(`tab-${s}`).focus();
  });
  function choose(s) {
    view.state = s;
    view.offset = 0;
    view.open.clear();
    for (const b of tabs.children) {
      const on = b.dataset.state === s;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
    }
    view.last = "";
    loadTasks().catch(failed);
  }

  $("prev").addEventListener("click", () => { view.offset = Math.max(0, view.offset - PAGE); view.last = ""; loadTasks().catch(failed); });
  $("next").addEventListener("click", () => { view.offset += PAGE; view.last = ""; loadTasks().catch(failed); });
  $("filter").addEventListener("input", () => renderTasks());
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && document.activeElement.tagName !== "INPUT") { e.preventDefault(); $("filter").focus(); }
  });
  $("tasks").addEventListener("click", (e) => {
    const action = e.target.closest("button[data-action]");
    if (action) { act(action.dataset.action, [action.dataset.id]); return; }
    const toggle = e.target.closest("button.link");
    if (toggle) {
      const id = toggle.closest("tr").dataset.id;
      if (view.open.has(id)) view.open.delete(id); else view.open.add(id);
      renderTasks(id);
    }
  });

  async function act(what, ids) {
    const body = ids ? { ids } : { all: true };
    try {
      const r = await api(`${base}/dead/${what}`, { method: "POST", body });
      const n = r.retried ?? r.purged ?? 0;
      toast(`${what === "retry" ? "Queued again" : "Purged"}: ${int(n)} task${n === 1 ? "" : "s"}`);
    } catch (e) {
      failed(e);
    }
    view.last = "";
    await refresh().catch(failed);
  }

  // "Retry all" and "Purge all" ask twice: the first click arms the button for 4 s.
  function armed(label, what) {
    let timer = 0;
    const b = el("button", { type: "button", class: what === "purge" ? "small danger" : "small", text: label });
    b.addEventListener("click", () => {
      if (!b.classList.contains("armed")) {
        b.classList.add("armed");
        b.textContent = `${label}: sure?`;
        timer = setTimeout(() => { b.classList.remove("armed"); b.textContent = label; }, 4000);
        return;
      }
      clearTimeout(timer);
      b.classList.remove("armed");
      b.textContent = label;
      act(what, null);
    });
    return b;
  }
  const bulkDead = [armed("Retry all", "retry"), armed("Purge all", "purge")];

  function renderTasks(focusId) {
    const state = view.state;
    const table = $("tasks");
    const list = state === "consumers" ? (view.stats ? view.stats.consumers : []) : view.tasks ? view.tasks.tasks : [];
    const cols = state === "consumers" ? CONSUMER_COLUMNS : taskColumns(state);
    const f = $("filter").value.trim().toLowerCase();
    const shown = f ? list.filter((t) => JSON.stringify(t).toLowerCase().includes(f)) : list;
    table.tHead.replaceChildren(el("tr", {}, ...cols.map((c) => el("th", { scope: "col", class: c.cls, text: c.label }))));
    const rows = [];
    for (const t of shown) {
      const key = t.id ?? t.name;
      const open = view.open.has(key);
      rows.push(el("tr", { "data-id": key }, ...cols.map((c) => el("td", { class: c.cls, "data-label": c.label }, c.cell(t, open)))));
      if (open) {
        rows.push(el("tr", { class: "detail" }, el("td", { colspan: cols.length }, el("pre", { text: JSON.stringify(t, null, 2) }))));
      }
    }
    // Keep the keyboard where it was across a redraw.
    const active = document.activeElement;
    const keep = table.contains(active) ? { id: focusId || active.closest("tr")?.dataset.id, action: active.dataset.action } : null;
    table.tBodies[0].replaceChildren(...rows);
    if (keep && keep.id) {
      const row = [...table.tBodies[0].rows].find((r) => r.dataset.id === keep.id);
      const target = row && (keep.action ? row.querySelector(`[data-action="${keep.action}"]`) : row.querySelector("button.link"));
      if (target) target.focus();
    }
    const empty = $("tasks-empty");
    empty.hidden = shown.length > 0;
    empty.textContent = f ? "Nothing on this page matches the filter." : `No ${STATES[state].label.toLowerCase()} tasks.`;
    if (state === "consumers") empty.textContent = "No consumer seen in the last minute.";
    const total = state === "consumers" ? list.length : view.tasks ? view.tasks.total : 0;
    const from = list.length ? view.offset + 1 : 0;
    setText($("page-info"), `${int(from)}–${int(view.offset + list.length)} of ${int(total)}`);
    $("prev").disabled = view.offset === 0;
    $("next").disabled = state === "consumers" || view.offset + list.length >= total;
    $("bulk").replaceChildren(...(state === "dead" && total > 0 ? bulkDead : []));
  }

  async function loadTasks() {
    if (view.state !== "consumers") {
      const state = view.state;
      const page = await api(`${base}/tasks?state=${state}&offset=${view.offset}&limit=${PAGE}`);
      if (state !== view.state) return;
      view.tasks = page;
      if (page.tasks.length === 0 && view.offset > 0) { view.offset = Math.max(0, view.offset - PAGE); return loadTasks(); }
    }
    const key = JSON.stringify([view.state, view.offset, view.state === "consumers" ? view.stats?.consumers : view.tasks]);
    if (key !== view.last) { view.last = key; renderTasks(); }
  }

  async function refresh() {
    let s;
    try {
      s = await api(base);
    } catch (e) {
      if (e.status === 404) {
        setText($("missing"), "");
        $("q-tiles").replaceChildren(el("p", { class: "empty", text: `There is no queue named ${name} on this server.` }));
        return;
      }
      throw e;
    }
    online(true);
    view.stats = s;
    tiles($("q-tiles"), statTiles(s));
    for (const b of tabs.children) {
      const n = STATES[b.dataset.state].count(s);
      setText(b.querySelector(".count"), n === null ? "–" : int(n));
    }
    await loadTasks();
  }

  const c = charts("q-");
  const h = new History(name);
  poll(refresh, POLL_MS);
  poll(async () => { await h.load(); drawHistory(c, h); }, HISTORY_MS);
}

// --- the loop -----------------------------------------------------------------------------

// Runs `f` now and again `every` ms after each run ends (slower while the tab is hidden);
// a failure shows and the loop goes on.
function poll(f, every) {
  let timer = 0;
  const run = async () => {
    clearTimeout(timer);
    try { await f(); } catch (e) { failed(e); }
    timer = setTimeout(run, document.hidden ? Math.max(every, HIDDEN_POLL_MS) : every);
  };
  document.addEventListener("visibilitychange", () => { if (!document.hidden) run(); });
  run();
}

let info = null;

async function start() {
  try {
    info = await api("/api/info");
  } catch (e) {
    failed(e);
    setTimeout(start, POLL_MS);
    return;
  }
  setText($("server"), info.redis);
  $("logout").hidden = !info.auth;
  const m = location.pathname.match(/^\/queues\/(.+)$/);
  if (m) queuePage(decodeURIComponent(m[1]));
  else if (info.queue) location.replace(`/queues/${enc(info.queue)}`);
  else overview();
}

start();
