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

// The server's clock less ours, from the last stats read: times the server gave are compared
// with its own now, so a browser whose clock is off still shows the right waits.
let skew = 0;
const serverNow = () => Date.now() + skew;
function learnClock(s) {
  const t = Date.parse(s.at);
  if (!isNaN(t)) skew = t - Date.now();
}

// "in 4m 10s" or "12s ago", from the server's now.
function rel(iso) {
  const t = Date.parse(iso);
  if (isNaN(t)) return "";
  const d = t - serverNow();
  return d > 0 ? `in ${age(d)}` : `${age(-d)} ago`;
}

const plural = (n, word) => `${int(n)} ${word}${n === 1 ? "" : "s"}`;

const priorityName = (p) => ({ 1: "high", 2: "medium", 3: "low" })[p] || "?";

function payloadText(v) {
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

// A listed task's payload: whole when small, else the preview the list carries and its size
// (the drawer fetches the rest).
function listedPayload(t) {
  if (t.payload_preview === undefined) return payloadText(t.payload);
  return `${t.payload_preview}… (${size(t.payload_bytes)})`;
}

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
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
        // Each count with its swatch in one piece that wraps as a whole: a narrow tile shows
        // every count on two lines rather than cut one.
        sub.classList.add("parts");
        sub.replaceChildren(...s.sub.map(([cls, text]) => el("span", { class: "pair" },
          el("span", { class: `swatch ${cls}`, title: cls }),
          el("span", { class: "visually-hidden", text: `${cls} ` }),
          el("span", { class: "part", text }))));
      }
    } else {
      // Text now: the counts drawn before are gone, so the next ones are drawn again.
      delete sub.dataset.key;
      sub.classList.remove("parts");
      setText(sub, s.sub || "\u00a0");
    }
    t.classList.toggle("warn", !!s.warn);
  });
}

function statTiles(s) {
  const w = s;
  const lm = s.last_minute;
  const by = s.oldest_waiting_by_priority_ms || {};
  return [
    { key: "waiting", label: "Waiting", value: int(w.waiting), sub: [["high", int(w.high)], ["medium", int(w.medium)], ["low", int(w.low)]] },
    { key: "scheduled", label: "Scheduled", swatch: "scheduled", value: int(s.scheduled), sub: "pushed for later" },
    { key: "in_flight", label: "In flight", swatch: "inflight", value: int(s.in_flight), sub: plural(s.consumers.length, "consumer") },
    { key: "retrying", label: "Retrying", value: int(s.retrying), sub: `${int(s.recovered)} recovered` },
    { key: "dead", label: "Dead", value: int(s.dead), warn: s.dead > 0, sub: plural(s.failed, "failure") },
    { key: "done", label: "Done/min", swatch: "done", value: int(lm.done), sub: `${int(s.done)} in all` },
    { key: "failed", label: "Failed/min", swatch: "failed", value: int(lm.failed), warn: lm.failed > 0, sub: `of ${int(s.pushed)} pushed` },
    { key: "oldest", label: "Oldest waiting", value: age(s.oldest_waiting_ms),
      sub: w.waiting ? PRIORITIES.map(([name]) => [name, age(by[name])]) : "nothing waits" },
  ];
}

function sum(list) {
  const z = { queue: "all", waiting: 0, high: 0, medium: 0, low: 0, in_flight: 0, retrying: 0, dead: 0,
    scheduled: 0, blocked: 0, pushed: 0, done: 0, failed: 0, recovered: 0, last_minute: { done: 0, failed: 0 },
    oldest_waiting_ms: null, oldest_waiting_by_priority_ms: { high: null, medium: null, low: null }, consumers: [] };
  const names = new Set();
  const older = (a, b) => (b === null || b === undefined ? a : Math.max(a || 0, b));
  for (const s of list) {
    for (const k of ["waiting", "high", "medium", "low", "in_flight", "retrying", "dead", "scheduled", "blocked", "pushed", "done", "failed", "recovered"]) z[k] += s[k] ?? 0;
    z.last_minute.done += s.last_minute.done;
    z.last_minute.failed += s.last_minute.failed;
    z.oldest_waiting_ms = older(z.oldest_waiting_ms, s.oldest_waiting_ms);
    for (const [p] of PRIORITIES) {
      const by = z.oldest_waiting_by_priority_ms;
      by[p] = older(by[p], (s.oldest_waiting_by_priority_ms || {})[p]);
    }
    for (const c of s.consumers) names.add(c.name);
  }
  z.consumers = [...names];
  return z;
}

// --- charts -------------------------------------------------------------------------------

// The last hour as rows of numbers, named by the server's columns (t, high, medium, low, one a
// state, done, failed): read by name, so a column added or moved does not misdraw a chart.
class History {
  constructor(queue) {
    this.queue = queue;
    this.rows = [];
    this.columns = [];
    this.every = HISTORY_MS;
  }
  async load() {
    const last = this.rows.length ? this.rows[this.rows.length - 1][0] : 0;
    const q = this.queue ? `queue=${enc(this.queue)}&` : "";
    const h = await api(`/api/history?${q}since=${last}`);
    this.every = h.every_ms;
    this.columns = h.columns;
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
  const at = Object.fromEntries(h.columns.map((name, i) => [name, i]));
  const backlog = rows.map((r) => ({ t: r[at.t], values: { high: r[at.high], medium: r[at.medium], low: r[at.low] } }));
  const rate = [];
  for (let i = 1; i < rows.length; i++) {
    const dt = (rows[i][at.t] - rows[i - 1][at.t]) / 60000;
    const per = (k) => (dt > 0 ? Math.max(0, rows[i][at[k]] - rows[i - 1][at[k]]) / dt : 0);
    rate.push({ t: rows[i][at.t], values: { done: per("done"), failed: per("failed"), in_flight: rows[i][at.in_flight] } });
  }
  const gap = h.every * 2.5;
  c.backlog.set(backlog, gap);
  c.rate.set(rate, gap);
}

// --- the overview -------------------------------------------------------------------------

// The priority cells show how many wait and, below, how long the first in line has waited.
const QUEUE_COLUMNS = [
  ["Scheduled", (s) => s.scheduled],
  ["In flight", (s) => s.in_flight], ["Retrying", (s) => s.retrying], ["Dead", (s) => s.dead, true],
  ["Done/min", (s) => s.last_minute.done], ["Failed/min", (s) => s.last_minute.failed, true],
  // Issue 24: waiting for their parents; last, so the columns before keep their places.
  ["Blocked", (s) => s.blocked ?? 0],
];

// Left out of a queue's one dense row on a phone (its own page has them).
const PHONE_HIDDEN = new Set(["Scheduled", "Blocked", "Retrying", "Done/min"]);

function queueRow(s) {
  const tr = el("tr", { "data-queue": s.queue });
  tr.append(el("td", { class: "name", "data-label": "Queue" },
    el("a", { href: `/queues/${enc(s.queue)}`, text: s.queue, title: s.queue }),
    el("span", { class: "paused-badge", hidden: true })));
  tr.append(el("td", { class: "bar", "data-label": "Waiting" },
    el("div", { class: "barcell" }, el("span", { class: "total" }),
      el("div", { class: "minibar", "aria-hidden": "true" },
        el("span", { class: "high" }), el("span", { class: "medium" }), el("span", { class: "low" })))));
  for (const [name] of PRIORITIES) {
    const label = name[0].toUpperCase() + name.slice(1);
    tr.append(el("td", { class: `n prio-${name}`, "data-label": label },
      el("span", { class: "oldest", title: `the first ${name} task in line has waited this long` }), el("span", { class: "count" })));
  }
  for (const [label] of QUEUE_COLUMNS) {
    const cls = ["n", PHONE_HIDDEN.has(label) ? "opt" : "", label === "Blocked" ? "blocked" : ""].filter(Boolean).join(" ");
    tr.append(el("td", { class: cls, "data-label": label }));
  }
  tr.append(el("td", { class: "n consumers", "data-label": "Consumers" }));
  return tr;
}

function updateQueueRow(tr, s, widest) {
  const cells = tr.children;
  // "paused" (every priority) or "paused: low", with until when in its title.
  const paused = s.paused || [];
  const pb = cells[0].querySelector(".paused-badge");
  pb.hidden = paused.length === 0;
  setText(pb, paused.length === 0 ? "" : paused.length === 3 ? "paused" : `paused: ${paused.map((p) => priorityName(p.priority)).join(", ")}`);
  pb.title = paused.length ? pausedText(paused) : "";
  setText(cells[1].querySelector(".total"), int(s.waiting));
  const bar = cells[1].querySelectorAll(".minibar span");
  PRIORITIES.forEach(([name], i) => {
    const pct = widest ? (100 * s[name]) / widest : 0;
    bar[i].style.width = `${pct}%`;
  });
  const by = s.oldest_waiting_by_priority_ms || {};
  PRIORITIES.forEach(([name], i) => {
    const td = cells[2 + i];
    const n = s[name];
    setText(td.querySelector(".count"), int(n));
    setText(td.querySelector(".oldest"), n ? age(by[name]) : "");
    td.classList.toggle("zero", n === 0);
  });
  const first = 2 + PRIORITIES.length;
  QUEUE_COLUMNS.forEach(([, get, alert], i) => {
    const v = get(s);
    const td = cells[first + i];
    setText(td, int(v));
    td.classList.toggle("zero", v === 0);
    td.classList.toggle("alert", !!alert && v > 0);
  });
  setText(cells[first + QUEUE_COLUMNS.length], int(s.consumers.length));
}

// Sort keys of the overview's columns (the header's data-sort), each a number to compare, and
// the direction a first click sorts in: names A to Z, numbers largest first.
const SORTS = {
  name: (s) => s.queue,
  waiting: (s) => s.waiting,
  high: (s) => s.high, medium: (s) => s.medium, low: (s) => s.low,
  oldest: (s) => s.oldest_waiting_ms ?? -1,
  scheduled: (s) => s.scheduled, blocked: (s) => s.blocked ?? 0, in_flight: (s) => s.in_flight, retrying: (s) => s.retrying,
  dead: (s) => s.dead, done: (s) => s.last_minute.done, failed: (s) => s.last_minute.failed,
  consumers: (s) => s.consumers.length,
};

// A queue with nothing in it and nothing done or failed in the last minute.
const idle = (s) => s.waiting + s.scheduled + (s.blocked ?? 0) + s.in_flight + s.retrying + s.dead + s.last_minute.done + s.last_minute.failed === 0;

// The overview's view in its URL (#sort=KEY&dir=asc|desc&q=TEXT&idle=1&find=TEXT): a link or a
// reload shows the same, and Back goes through the changes.
function overviewView() {
  const p = new URLSearchParams(location.hash.slice(1));
  const sort = SORTS[p.get("sort")] ? p.get("sort") : "name";
  const dir = p.get("dir") === "asc" || p.get("dir") === "desc" ? p.get("dir") : sort === "name" ? "asc" : "desc";
  return { sort, dir, q: p.get("q") || "", idle: p.get("idle") === "1", find: p.get("find") || "" };
}

function setOverviewView(v) {
  const p = new URLSearchParams();
  if (v.sort !== "name") p.set("sort", v.sort);
  if (v.dir !== (v.sort === "name" ? "asc" : "desc")) p.set("dir", v.dir);
  if (v.q) p.set("q", v.q);
  if (v.idle) p.set("idle", "1");
  if (v.find) p.set("find", v.find);
  const hash = p.toString();
  if (location.hash.slice(1) !== hash) history.replaceState(null, "", hash ? `#${hash}` : location.pathname);
}

function sortQueues(queues, v) {
  const key = SORTS[v.sort];
  const sign = v.dir === "asc" ? 1 : -1;
  return [...queues].sort((a, b) => {
    const x = key(a), y = key(b);
    const c = typeof x === "string" ? x.localeCompare(y) : x - y;
    return c !== 0 ? sign * c : a.queue.localeCompare(b.queue);
  });
}

// Search across queues (issue 28): an id, or "type:NAME"; each hit links to its task's drawer.
async function findEverywhere(text) {
  const out = $("found");
  const t = text.trim();
  if (!t) { out.hidden = true; out.replaceChildren(); return; }
  const m = t.match(/^type:(.+)$/);
  const r = await api(m ? `/api/search?type=${enc(m[1].trim())}` : `/api/search?id=${enc(t)}`);
  const rows = r.found.map((h) => el("li", {},
    el("a", { href: `/queues/${enc(h.queue)}#task=${enc(h.task.id)}`, text: h.task.id }),
    el("span", { class: "muted", text: ` in ${h.queue} · ${h.task.type} · ${STATES[h.task.state]?.label || h.task.state}` })));
  out.replaceChildren(
    el("h2", { text: r.found.length ? `Found ${plural(r.found.length, "task")}${r.more ? " (more match: narrow it)" : ""}` : `Nothing found for ${t}` }),
    el("ul", { class: "found-list" }, ...rows));
  out.hidden = false;
}

async function overview() {
  $("overview").hidden = false;
  $("crumbs").replaceChildren(el("span", { class: "here", text: "All queues" }));
  const c = charts("");
  const h = new History(null);
  const rows = new Map();
  let view = overviewView();
  let last = [];
  $("queue-filter").value = view.q;
  // The lookup finds a task in any queue here.
  $("lookup").hidden = !info.features.show;
  $("lookup-id").placeholder = "Find a task: id, or type:NAME";
  setText(document.querySelector("label[for=lookup-id]"), "Find a task in any queue by id, or by type as type:NAME");
  $("lookup-id").value = view.find;
  $("lookup").addEventListener("submit", (e) => {
    e.preventDefault();
    view.find = $("lookup-id").value.trim();
    setOverviewView(view);
    findEverywhere(view.find).catch(failed);
  });
  if (view.find) findEverywhere(view.find).catch(failed);
  $("queue-filter").addEventListener("input", () => { view.q = $("queue-filter").value.trim(); setOverviewView(view); draw(); });
  $("queues").tHead.addEventListener("click", (e) => {
    const th = e.target.closest("th[data-sort]");
    if (!th) return;
    const key = th.dataset.sort;
    view.dir = view.sort === key ? (view.dir === "asc" ? "desc" : "asc") : key === "name" ? "asc" : "desc";
    view.sort = key;
    setOverviewView(view);
    draw();
  });
  $("queue-sort").addEventListener("change", () => {
    view.sort = $("queue-sort").value;
    view.dir = view.sort === "name" ? "asc" : "desc";
    setOverviewView(view);
    draw();
  });
  $("fold").addEventListener("click", () => { view.idle = !view.idle; setOverviewView(view); draw(); });
  window.addEventListener("hashchange", () => { view = overviewView(); $("queue-filter").value = view.q; draw(); });
  function draw() {
    const queues = last;
    for (const th of $("queues").tHead.querySelectorAll("th[data-sort]")) {
      const on = th.dataset.sort === view.sort;
      th.setAttribute("aria-sort", on ? (view.dir === "asc" ? "ascending" : "descending") : "none");
    }
    if ([...$("queue-sort").options].some((o) => o.value === view.sort)) $("queue-sort").value = view.sort;
    const body = $("queue-rows");
    const widest = Math.max(1, ...queues.map((s) => s.waiting));
    const f = view.q.toLowerCase();
    const matching = sortQueues(queues.filter((s) => !f || s.queue.toLowerCase().includes(f)), view);
    // Idle queues are folded below the live ones unless asked for (or the filter names them).
    const folded = matching.filter(idle);
    const shown = view.idle || f ? matching : matching.filter((s) => !idle(s));
    const seen = new Set();
    shown.forEach((s, i) => {
      let tr = rows.get(s.queue);
      if (!tr) { tr = queueRow(s); rows.set(s.queue, tr); }
      if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] || null);
      updateQueueRow(tr, s, widest);
      tr.classList.toggle("idle", idle(s));
      seen.add(s.queue);
    });
    for (const [name, tr] of rows) if (!seen.has(name)) { tr.remove(); rows.delete(name); }
    const fold = $("fold");
    fold.hidden = folded.length === 0 || !!f;
    setText(fold, view.idle ? `Fold ${plural(folded.length, "idle queue")}` : `Show ${plural(folded.length, "idle queue")}`);
    fold.setAttribute("aria-expanded", String(view.idle));
    // The Blocked column only while some queue has a blocked task (flows, issue 24): the
    // others need its room for the queues' names.
    $("queues").classList.toggle("with-blocked", queues.some((s) => (s.blocked ?? 0) > 0));
    $("no-queues").hidden = queues.length > 0;
    $("queues").parentElement.hidden = queues.length === 0;
    $("queue-tools").hidden = queues.length === 0;
    setText($("queue-count"), f ? `${int(matching.length)} of ${int(queues.length)}` : plural(queues.length, "queue"));
  }
  async function refresh() {
    const { queues } = await api("/api/queues");
    online(true);
    if (queues.length) learnClock(queues[0]);
    tiles($("totals"), statTiles(sum(queues)));
    last = queues;
    draw();
  }
  poll(refresh, POLL_MS);
  poll(async () => { await h.load(); drawHistory(c, h); }, HISTORY_MS);
}

// --- one queue ----------------------------------------------------------------------------

const STATES = {
  waiting: { label: "Waiting", count: (s) => s.waiting },
  scheduled: { label: "Scheduled", count: (s) => s.scheduled },
  "in-flight": { label: "In flight", count: (s) => s.in_flight },
  retrying: { label: "Retrying", count: (s) => s.retrying },
  dead: { label: "Dead", count: (s) => s.dead },
  // Issue 24: waiting for their parents (--after).
  blocked: { label: "Blocked", count: (s) => s.blocked },
  // Finished tasks whose result (or error) is kept: counted by their own page, not the stats.
  completed: { label: "Completed", count: () => undefined },
  // Who works on it (issue 28): each consumer's host, pid, -j, handler and what it holds.
  consumers: { label: "Workers", count: (s) => s.consumers.length },
  // The queue by task type: waiting, in flight, done and failed a minute.
  types: { label: "Types", count: () => undefined },
  // Issue 23: the groups with waiting tasks, the largest first (counted by their own page).
  groups: { label: "Groups", count: () => undefined },
};

// "10:29:15 AM" with "in 4m" or "3s ago" under it.
function timeCell(iso) {
  if (!iso) return "–";
  return el("span", { class: "when", title: iso }, clock(iso), el("small", { text: rel(iso) }));
}

// What can be done to a task in each state, in the order the buttons show. `confirm`: a second
// click within 4 s does it (cancel and purge cannot be undone).
const ACTIONS = {
  now: { label: "Run now", title: "make it due now" },
  retry: { label: "Retry", title: "queue it again, attempts reset" },
  cancel: { label: "Cancel", confirm: true, danger: true, title: "remove it; in flight, its consumer stops it" },
  purge: { label: "Purge", confirm: true, danger: true, title: "delete it for good" },
  // Of a schedule, not a task.
  fire: { label: "Fire now", title: "queue its task now, as NAME@now-<ms>; the next slot fires as planned" },
  unschedule: { label: "Remove", confirm: true, danger: true, title: "remove the schedule (tasks it queued stay)" },
};

function actionsFor(t) {
  switch (t.state) {
    case "waiting": case "in-flight": case "blocked": return ["cancel"];
    case "scheduled": case "retrying": return ["now", "cancel"];
    case "dead": return ["retry", "purge"];
    default: return [];
  }
}

// The one button waiting for its second click ({action, id, until}): rows and the detail are
// redrawn as the numbers change, and a redrawn button must stay armed.
let armedAt = null;

function isArmed(what, id) {
  return !!armedAt && armedAt.action === what && armedAt.id === id && Date.now() < armedAt.until;
}

function actionButton(what, id) {
  const a = ACTIONS[what];
  const on = isArmed(what, id);
  const cls = ["small", a.danger ? "danger" : "", on ? "armed" : ""].join(" ").trim();
  return el("button", { type: "button", class: cls, "data-action": what, "data-id": id, title: a.title,
    "data-confirm": a.confirm ? "1" : null, "data-label": a.label, text: on ? "Sure?" : a.label });
}

function taskColumns(state) {
  const cols = [
    { label: "ID", cls: "id", cell: (t) => el("button", { class: "link", type: "button", "data-open": t.id, title: `${t.id}: details`, text: t.id }) },
    { label: "Type", cls: "type", cell: (t) => el("span", { text: t.type, title: t.type }) },
    // Issue 23: the group, when the task has one.
    { label: "Group", cls: "group", cell: (t) => el("span", { text: t.group ?? "", title: t.group ?? "the default group" }) },
    { label: "Priority", cls: "prio", cell: (t) => badge(t.priority) },
  ];
  const payload = { label: "Payload", cls: "payload", cell: (t) => el("span", { text: listedPayload(t), title: listedPayload(t) }) };
  const error = { label: "Error", cls: "error", cell: (t) => el("span", { text: t.error || "", title: t.error || "" }) };
  const attempt = { label: "Attempt", cls: "short n", cell: (t) => int(t.attempt) };
  const more = {
    scheduled: [
      { label: "Due", cls: "time", cell: (t) => timeCell(t.due_at) },
      { label: "Expires", cls: "time", cell: (t) => timeCell(t.expires_at) },
      payload,
    ],
    "in-flight": [
      { label: "Consumer", cls: "who", cell: (t) => el("span", { text: t.consumer || "–", title: t.consumer || "" }) },
      { label: "Claimed", cls: "time", cell: (t) => timeCell(t.claimed_at) },
      { label: "Lease until", cls: "time", cell: (t) => timeCell(t.lease_until) },
      { label: "Attempt", cls: "short n", cell: (t) => (t.max_attempts ? `${int(t.attempt)} of ${int(t.max_attempts)}` : int(t.attempt)) },
      payload,
    ],
    retrying: [
      { label: "Retry", cls: "time", cell: (t) => timeCell(t.retry_at) },
      attempt, error, payload,
    ],
    dead: [
      { label: "Died", cls: "time", cell: (t) => timeCell(t.died_at) },
      attempt, error, payload,
    ],
    blocked: [
      { label: "Created", cls: "time", cell: (t) => clock(t.created_at) },
      { label: "After", cls: "type", cell: (t) => el("span", { text: (t.parents || []).map(refText).join(", "), title: `runs once these are done: ${(t.parents || []).map(refText).join(", ")}` }) },
      payload,
    ],
  }[state] || [
    { label: "Created", cls: "time", cell: (t) => clock(t.created_at) },
    { label: "Waited", cls: "short n", cell: (t) => age(serverNow() - Date.parse(t.due_at || t.created_at)) },
    attempt, payload,
  ];
  cols.push(...more);
  cols.push({ label: "", cls: "actions", cell: (t) => el("span", { class: "row-actions" },
    ...actionsFor(t).map((a) => actionButton(a, t.id))) });
  return cols;
}

// A finished task's result as one line: a JSON string's text, other JSON as compact text.
function resultText(k) {
  if (k.error !== undefined) return k.error;
  if (k.result === undefined) return "";
  return typeof k.result === "string" ? k.result : JSON.stringify(k.result);
}

const COMPLETED_COLUMNS = [
  { label: "ID", cls: "id", cell: (k) => el("button", { class: "link", type: "button", "data-open": k.id, title: `${k.id}: details`, text: k.id }) },
  { label: "Outcome", cls: "short", cell: (k) => el("span", { class: `state-badge ${k.state}`, text: k.state }) },
  { label: "Finished", cls: "time", cell: (k) => timeCell(k.finished_at) },
  { label: "Result or error", cls: "payload", cell: (k) => el("span", { class: k.error !== undefined ? "error" : null, text: resultText(k), title: resultText(k) }) },
];

// One row per consumer heard from in the last hour; one gone for 30 s is greyed out.
const CONSUMER_COLUMNS = [
  { label: "Consumer", cls: "who", cell: (c) => el("span", { text: c.name, title: c.live ? c.name : `${c.name}: not heard from since ${c.last_seen}` }) },
  { label: "Host", cls: "type", cell: (c) => el("span", { text: c.host ?? "–", title: c.host ?? "announced nothing (an HTTP worker?)" }) },
  { label: "PID", cls: "short n", cell: (c) => (c.pid === null ? "–" : String(c.pid)) },
  { label: "-j", cls: "short n", cell: (c) => int(c.concurrency) },
  { label: "Handler", cls: "payload", cell: (c) => el("span", { text: c.handler ? (c.command ? `${c.handler}: ${c.command}` : c.handler) : "–", title: c.command || "" }) },
  { label: "Started", cls: "time", cell: (c) => timeCell(c.started_at) },
  { label: "Last seen", cls: "time", cell: (c) => timeCell(c.last_seen) },
  { label: "Holding", cls: "holding", cell: (c) => c.holding.length === 0 ? "–" : el("span", {},
    ...c.holding.slice(0, 5).map((h) => el("small", { title: `${h.id} (${h.type}) since ${h.claimed_at}`, text: `${h.id} · ${h.type} · ${age(h.held_ms)}` })),
    c.holding.length > 5 ? el("small", { text: `and ${int(c.holding.length - 5)} more` }) : null) },
  { label: "Done", cls: "short n", cell: (c) => int(c.done) },
  { label: "Failed", cls: "short n", cell: (c) => int(c.failed) },
];

const TYPE_COLUMNS = [
  { label: "Type", cls: "who", cell: (t) => el("button", { class: "link", type: "button", "data-type": t.type, title: `list the waiting tasks of type ${t.type}`, text: t.type }) },
  { label: "Waiting", cls: "short n", cell: (t) => int(t.waiting) },
  { label: "In flight", cls: "short n", cell: (t) => int(t.in_flight) },
  { label: "Done/min", cls: "short n", cell: (t) => t.done_per_min.toFixed(t.done_per_min < 10 ? 1 : 0) },
  { label: "Failed/min", cls: "short n", cell: (t) => t.failed_per_min.toFixed(t.failed_per_min < 10 ? 1 : 0) },
  { label: "Done", cls: "short n", cell: (t) => int(t.done) },
  { label: "Failed", cls: "short n", cell: (t) => int(t.failed) },
];

// The groups with waiting tasks (issue 23), as `rpq groups` lists them; a group's name lists
// its waiting tasks. A column whose field no group has (in flight, limits, paused: the listing
// of a build may lack them) is left out.
const GROUP_COLUMNS = [
  { label: "Group", cls: "who", cell: (g) => (g.group === undefined || g.group === null
    ? el("em", { text: "(none)", title: "tasks pushed without --group" })
    : el("button", { class: "link", type: "button", "data-group": g.group, title: `list the waiting tasks of group ${g.group}`, text: g.group })) },
  { label: "Waiting", cls: "short n", cell: (g) => int(g.waiting) },
  { label: "In flight", cls: "short n", needs: (g) => g.in_flight !== undefined, cell: (g) => int(g.in_flight) },
  { label: "Weight", cls: "short n", cell: (g) => int(g.weight) },
  { label: "Limits", cls: "type", needs: (g) => g.group_paused === true || ["max_in_flight", "rate"].some((k) => g[k] !== undefined), cell: (g) => {
    const parts = [];
    if (g.max_in_flight !== undefined && g.max_in_flight !== null) parts.push(`at most ${int(g.max_in_flight)} in flight`);
    if (g.rate !== undefined && g.rate !== null) parts.push(`${int(g.rate)} per ${period(g.per_ms || 1000)}`);
    if (g.group_paused) parts.push(g.group_paused_until ? `paused until ${clock(g.group_paused_until)}` : "paused");
    const text = parts.length ? parts.join(", ") : "–";
    return el("span", { text, title: text });
  } },
];

// What a bulk action can do to the tasks of each state (issue 28), as the API names it.
const BULK = {
  waiting: ["cancel", "move"],
  scheduled: ["run_now", "cancel", "move"],
  retrying: ["run_now", "cancel", "move"],
  "in-flight": ["cancel"],
  dead: ["retry", "purge"],
  blocked: ["cancel"],
};
const BULK_LABELS = { cancel: "Cancel", retry: "Retry", purge: "Purge", run_now: "Run now" };

// The filter box: "type:NAME", "priority:P" and "group:KEY" go to the server (every page of
// the state), the rest filters the page shown. A value with spaces is quoted: group:"acme corp".
function parseFilter(text) {
  const out = { type: "", priority: "", group: "", rest: [] };
  for (const m of text.matchAll(/(?:^|\s)(type|priority|group):(?:"([^"]*)"|(\S+))|(\S+)/gi)) {
    if (m[1]) out[m[1].toLowerCase()] = m[2] ?? m[3];
    else out.rest.push(m[4].toLowerCase());
  }
  out.rest = out.rest.join(" ");
  return out;
}

// The server-side filter as the query of a list (`&type=..&priority=..&group=..`).
function serverQuery(f) {
  return ["type", "priority", "group"].filter((k) => f[k]).map((k) => `&${k}=${enc(f[k])}`).join("");
}

// What the server-side filter names, as words: "type a, group acme".
function serverWords(f) {
  return ["type", "priority", "group"].filter((k) => f[k]).map((k) => `${k} ${f[k]}`).join(", ");
}

// Pause (the whole queue or one priority, until resumed or for a while) and resume, as `rpq
// pause [--priority P] [--for DUR]` and `rpq resume`. Without `features.pause` the buttons are
// shown disabled, saying what they wait for.
const PAUSE_FOR = [["", "until resumed"], ["5m", "for 5 minutes"], ["15m", "for 15 minutes"], ["1h", "for an hour"], ["1d", "for a day"]];

function pauseControls(base, enabled, done) {
  const why = enabled ? null : "needs rpq pause, which this build does not have";
  const form = el("form", { class: "popover", id: "pause-form", hidden: true, "aria-label": "Pause this queue" },
    el("label", {}, "Priority ", el("select", { id: "pause-priority" },
      el("option", { value: "", text: "every priority" }),
      ...PRIORITIES.map(([name, p]) => el("option", { value: String(p), text: name })))),
    el("label", {}, "For ", el("select", { id: "pause-for" },
      ...PAUSE_FOR.map(([v, text]) => el("option", { value: v, text })))),
    el("button", { type: "submit", class: "small primary", text: "Pause" }));
  const toggle = el("button", { type: "button", class: "ghost", id: "pause", disabled: !enabled, title: why || "stop consumers claiming",
    "aria-expanded": "false", "aria-controls": "pause-form", text: "Pause…" });
  const resume = el("button", { type: "button", class: "ghost", id: "resume", disabled: true, title: why || "nothing is paused", text: "Resume" });
  toggle.addEventListener("click", () => {
    form.hidden = !form.hidden;
    toggle.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) $("pause-priority").focus();
  });
  async function send(what, body) {
    try {
      const r = await api(`${base}/${what}`, { method: "POST", body });
      toast(r.paused.length ? `Paused: ${pausedText(r.paused)}` : "Resumed: nothing is paused");
    } catch (e) {
      failed(e);
    }
    done();
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const body = {};
    if ($("pause-priority").value) body.priority = Number($("pause-priority").value);
    if ($("pause-for").value) body.for = $("pause-for").value;
    form.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    send("pause", body);
  });
  resume.addEventListener("click", () => send("resume", {}));
  $("q-actions").replaceChildren(el("div", { class: "pause-wrap" }, toggle, form), resume);
  // Resume is for a queue with something paused.
  return (paused) => {
    if (!enabled) return;
    resume.disabled = paused.length === 0;
    resume.title = paused.length ? "let consumers claim every priority again" : "nothing is paused";
  };
}

// "every priority until resumed", "low until 10:29:15 AM (in 4m 10s), high until resumed".
function pausedText(paused) {
  const until = (p) => (p.until ? `until ${clock(p.until)} (${rel(p.until)})` : "until resumed");
  if (paused.length === 3 && paused.every((p) => p.until === paused[0].until)) return `every priority ${until(paused[0])}`;
  return paused.map((p) => `${priorityName(p.priority)} ${until(p)}`).join(", ");
}

// A rate's period as `rpq limit --rate N/DUR` takes it: 1s, 10m, 1h, 250ms.
function period(ms) {
  for (const [unit, n] of [["h", 3600000], ["m", 60000], ["s", 1000]]) if (ms % n === 0) return `${ms / n}${unit}`;
  return `${ms}ms`;
}

// How a schedule fires, as `rpq schedule list` says it.
function scheduleWhen(sc) {
  return sc.every_ms ? `every ${period(sc.every_ms)}` : `cron '${sc.cron}' ${sc.tz || "UTC"}`;
}

// The queue's schedules (name, when, next and last fire, what it pushes, fire now and remove)
// and its aging step; every value is text.
function renderSchedules(got) {
  const list = got.schedules || [];
  $("q-time").hidden = list.length === 0 && !got.aging_ms;
  const line = $("q-aging");
  line.hidden = !got.aging_ms;
  if (got.aging_ms) {
    line.replaceChildren(el("strong", { text: "Aging" }), " ",
      el("span", { class: "what", text: `one priority up for every ${period(got.aging_ms)} a task waits` }),
      el("span", { class: "hint", text: " · rpq aging" }));
  }
  $("q-schedules-wrap").hidden = list.length === 0;
  const body = $("q-schedules").tBodies[0];
  const key = JSON.stringify([list, armedAt, Math.floor(serverNow() / 1000)]);
  if (body.dataset.key === key) return;
  body.dataset.key = key;
  body.replaceChildren(...list.map((sc) => {
    const pushes = `${sc.type} · ${priorityName(sc.priority)}${sc.payload === null ? "" : ` · ${payloadText(sc.payload)}`}`;
    return el("tr", { "data-schedule": sc.name },
      el("td", { class: "subject", "data-label": "Name" }, el("span", { text: sc.name, title: sc.name })),
      el("td", { class: "rate", "data-label": "When" }, scheduleWhen(sc)),
      el("td", { class: "time next", "data-label": "Next" }, timeCell(sc.next_at)),
      el("td", { class: "time last", "data-label": "Last fired" }, timeCell(sc.last_fired_at)),
      el("td", { class: "payload", "data-label": "Pushes" }, el("span", { text: pushes, title: pushes })),
      el("td", { class: "actions" }, el("span", { class: "row-actions" }, actionButton("fire", sc.name), actionButton("unschedule", sc.name))));
  }));
}

// What `stats` says of the queue's controls: the priorities paused (and until when) and the
// limits in force, each limit a row; type names are text like every other value.
function renderControls(s) {
  const paused = s.paused || [];
  const limits = s.limits || [];
  $("q-controls").hidden = paused.length === 0 && limits.length === 0;
  const line = $("q-paused");
  line.hidden = paused.length === 0;
  line.dataset.priorities = paused.map((p) => p.priority).join(",");
  const key = JSON.stringify([paused, Math.floor(serverNow() / 1000)]);
  if (line.dataset.key !== key) {
    line.dataset.key = key;
    line.replaceChildren(el("strong", { text: "Paused" }), " ",
      el("span", { class: "what", text: pausedText(paused) }),
      el("span", { class: "hint", text: " · consumers claim nothing of it; leases and retries go on" }));
  }
  $("q-limits-wrap").hidden = limits.length === 0;
  const body = $("q-limits").tBodies[0];
  const lkey = JSON.stringify(limits);
  if (body.dataset.key === lkey) return;
  body.dataset.key = lkey;
  body.replaceChildren(...limits.map((l) => {
    const rate = l.rate ? `${int(l.rate)} per ${period(l.per_ms)}, burst ${int(l.burst ?? l.rate)}` : "–";
    const cap = l.max_in_flight ? `${int(l.in_flight ?? 0)} of ${int(l.max_in_flight)}` : "–";
    const subject = l.type === null || l.type === undefined ? el("em", { text: "every task" }) : el("span", { text: l.type, title: l.type });
    return el("tr", {},
      el("td", { class: "subject", "data-label": "Applies to" }, subject),
      el("td", { class: "rate", "data-label": "Rate" }, rate),
      el("td", { class: "cap", "data-label": "In flight" }, cap));
  }));
}

// How often an open detail reads its flow's progress again, and the Groups tab its page.
const FLOW_MS = 10000;
const GROUPS_MS = 10000;

// Whether a task is part of a flow (issue 24): it has parents, or tasks wait for it.
const inFlow = (t) => (t.parents || []).length > 0 || (t.dependents || []).length > 0;

// A parent or dependent as text: its id, or QUEUE=ID for a task of another queue ({queue, id}).
function refText(r) {
  return typeof r === "object" && r !== null ? `${r.queue}=${r.id}` : r;
}

// A list of task ids as links that open each one's detail (their text is the id, as text). A
// task of another queue (issue 24) is {queue, id}: a link to its detail on its queue's page,
// shown QUEUE=ID as in text.
function taskLinks(ids) {
  return el("span", { class: "task-links" }, ...ids.flatMap((id, i) => [i ? ", " : null,
    typeof id === "object" && id !== null
      ? el("a", { href: `/queues/${enc(id.queue)}#task=${enc(id.id)}`, "data-queue": id.queue,
          title: `${id.id} in ${id.queue}: details`, text: `${id.queue}=${id.id}` })
      : el("button", { class: "link", type: "button", "data-open": id, title: `${id}: details`, text: id })]));
}

// Order and words of a flow's counts, as the flow route names its states.
const FLOW_STATES = [["done", "done"], ["in-flight", "running"], ["waiting", "waiting"], ["scheduled", "scheduled"],
  ["retrying", "retrying"], ["blocked", "blocked"], ["dead", "dead"], ["gone", "gone"]];

// How many queues a walked flow spans (each task walked carries its queue).
const spanned = (flow) => new Set((flow.walked || []).map((t) => t.queue)).size;

// The detail's flow: parents, what it still waits for and its dependents, each a link; and the
// progress of the whole flow as far as it can be walked from here.
function flowSection(t, flow) {
  if (!inFlow(t)) return [];
  const rows = [];
  const add = (label, field, ids) => {
    if (ids && ids.length) rows.push(el("dt", { text: label }), el("dd", { "data-field": field }, taskLinks(ids)));
  };
  add("Parents", "parents", t.parents);
  add("Waits for", "waits_for", t.waits_for);
  add("Dependents", "dependents", t.dependents);
  const out = [el("h3", { text: "Flow" }), el("dl", { class: "fields" }, ...rows)];
  if (flow) {
    const c = flow.counts || {};
    const parts = FLOW_STATES.filter(([k]) => c[k]).map(([k, word]) => `${int(c[k])} ${word}`);
    // Each state's share of the bar (set through the DOM: the CSP allows no inline style).
    const bar = el("div", { class: "flow-bar", "aria-hidden": "true" },
      ...FLOW_STATES.filter(([k]) => c[k]).map(([k]) => {
        const seg = el("span", { class: `fs-${k}`, title: `${c[k]} ${k}` });
        seg.style.flexGrow = String(c[k]);
        return seg;
      }));
    out.push(el("p", { class: "flow-progress", "data-field": "flow" },
      el("strong", { text: `${plural(flow.nodes, "task")}: ` }), parts.join(" · "),
      spanned(flow) > 1 ? el("span", { class: "hint", text: ` · in ${int(spanned(flow))} queues` }) : null,
      flow.cut ? el("span", { class: "hint", text: ` · cut at ${int(flow.max)} tasks: the flow has more` }) : null), bar);
  }
  return out;
}

// The fields of `rpq show`, in the order the detail lists them; times get their distance too.
const DETAIL_FIELDS = [
  ["state", "State"], ["type", "Type"], ["group", "Group"], ["priority", "Priority"], ["attempt", "Attempt"],
  ["max_attempts", "Max attempts"], ["consumer", "Held by"], ["created_at", "Created", true],
  ["due_at", "Due", true], ["expires_at", "Expires", true], ["claimed_at", "Claimed", true],
  ["lease_until", "Lease until", true], ["retry_at", "Retry at", true], ["died_at", "Died", true],
  ["finished_at", "Finished", true], ["error", "Error"],
];

async function queuePage(name) {
  $("queue").hidden = false;
  document.title = `${name} · rpq`;
  $("crumbs").replaceChildren(el("a", { href: "/", text: "All queues" }), el("span", { class: "sep", text: "/" }),
    el("span", { class: "here", text: name }));
  setText($("q-title"), name);
  const base = `/api/queues/${enc(name)}`;
  const features = info.features;
  const states = [...features.states.filter((s) => STATES[s]), "completed", "consumers", "types", "groups"];
  setText($("missing"), features.pause ? "" : "Not in this build: pause and resume (rpq pause).");
  const pausedNow = pauseControls(base, features.pause, () => refresh().catch(failed));
  // cursors[i] is the `after` of page i; the last one shown is cursors[cursors.length - 1].
  const view = { state: "waiting", cursors: [""], last: "", stats: null, tasks: null, detail: null,
    workers: null, types: null, groups: null, flow: null, selected: new Set(), server: { type: "", priority: "", group: "" } };

  const tabs = $("tabs");
  tabs.replaceChildren(...states.map((s) =>
    el("button", { type: "button", role: "tab", id: `tab-${s}`, "data-state": s, "aria-selected": String(s === view.state),
      "aria-controls": "tasks", tabindex: s === view.state ? "0" : "-1" }, STATES[s].label, el("span", { class: "count", text: "–" }))));
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
  // The list's view as its URL: its tab (none for waiting) and what the filter box holds, so a
  // link or a reload shows the same tasks (`#state=dead&filter=type%3Amail`).
  function listUrl() {
    const p = new URLSearchParams();
    if (view.state !== "waiting") p.set("state", view.state);
    const f = $("filter").value.trim();
    if (f) p.set("filter", f);
    const hash = p.toString();
    return hash ? `#${hash}` : location.pathname;
  }
  function choose(s) {
    view.state = s;
    // Every view has a URL: the tab is in the hash (replaced, so Back leaves the page as before).
    if (!view.detail) history.replaceState(null, "", listUrl());
    view.cursors = [""];
    for (const b of tabs.children) {
      const on = b.dataset.state === s;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
    }
    view.last = "";
    view.tasks = null;
    view.selected.clear();
    loadTasks().catch(failed);
  }

  $("prev").addEventListener("click", () => { if (view.cursors.length > 1) view.cursors.pop(); view.last = ""; loadTasks().catch(failed); });
  $("next").addEventListener("click", () => {
    if (view.tasks && view.tasks.next) view.cursors.push(view.tasks.next);
    view.last = "";
    loadTasks().catch(failed);
  });
  $("filter").addEventListener("input", () => {
    if (!view.detail) history.replaceState(null, "", listUrl());
    const f = parseFilter($("filter").value);
    if (f.type !== view.server.type || f.priority !== view.server.priority || f.group !== view.server.group) {
      // Another server-side filter: from the first page, nothing selected.
      view.server = { type: f.type, priority: f.priority, group: f.group };
      view.cursors = [""];
      view.selected.clear();
      view.last = "";
      loadTasks().catch(failed);
      return;
    }
    renderTasks();
  });
  // Selecting tasks for a bulk action: a box per row, and one for the whole page.
  $("tasks").addEventListener("change", (e) => {
    const box = e.target.closest("input[type=checkbox]");
    if (!box) return;
    const ids = box.dataset.all ? (view.tasks?.tasks || []).map((t) => t.id) : [box.dataset.select];
    for (const id of ids) { if (box.checked) view.selected.add(id); else view.selected.delete(id); }
    renderTasks();
  });
  $("bulk").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-bulk]");
    if (b && confirmed(b)) bulk(b.dataset.bulk, b.dataset.priority);
  });
  // One request for the selection, or for every task the server-side filter matches in this
  // state: done a batch at a time, each batch atomic (POST .../bulk).
  async function bulk(action, priority) {
    const body = { action };
    if (action === "move") body.priority = Number(priority);
    if (view.selected.size > 0) body.ids = [...view.selected];
    else body.filter = { state: view.state, type: view.server.type || undefined, priority: view.server.priority || undefined, group: view.server.group || undefined };
    try {
      const r = await api(`${base}/bulk`, { method: "POST", body });
      toast(`${BULK_LABELS[action] || "Moved"}: ${plural(r.changed, "task")}${r.skipped ? `, ${int(r.skipped)} left as they were` : ""}${r.more ? " (more match: again for the rest)" : ""}`);
      view.selected.clear();
    } catch (e) {
      failed(e);
    }
    view.last = "";
    await refresh().catch(failed);
  }
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && !["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName)) { e.preventDefault(); $("filter").focus(); }
    if (e.key === "Escape" && !$("drawer").hidden) closeDetail();
  });

  // A confirming button arms on the first click, and acts on a second within 4 s.
  function confirmed(b) {
    const key = { action: b.dataset.action || b.dataset.label, id: b.dataset.id || "" };
    if (!b.dataset.confirm || isArmed(key.action, key.id)) {
      armedAt = null;
      b.classList.remove("armed");
      if (b.dataset.label) b.textContent = b.dataset.label;
      return true;
    }
    armedAt = { ...key, until: Date.now() + 4000 };
    b.dataset.label = b.dataset.label || b.textContent;
    b.classList.add("armed");
    b.textContent = "Sure?";
    setTimeout(() => {
      for (const o of document.querySelectorAll("button.armed")) {
        if (!isArmed(o.dataset.action || o.dataset.label, o.dataset.id || "")) { o.classList.remove("armed"); o.textContent = o.dataset.label; }
      }
    }, 4100);
    return false;
  }

  function onAction(e) {
    const b = e.target.closest("button[data-action]");
    if (!b) return false;
    if (confirmed(b)) act(b.dataset.action, b.dataset.id, b.dataset.priority);
    return true;
  }
  $("tasks").addEventListener("click", (e) => {
    if (onAction(e)) return;
    const open = e.target.closest("button[data-open]");
    if (open) openDetail(open.dataset.open);
    // A group: its waiting tasks, filtered by the server.
    const group = e.target.closest("button[data-group]");
    if (group) {
      const g = group.dataset.group;
      // Quoted when it has a space (a key with both a space and a quote cannot be typed back).
      $("filter").value = /\s/.test(g) ? `group:"${g}"` : `group:${g}`;
      view.server = { type: "", priority: "", group: g };
      choose("waiting");
    }
    // A type of the breakdown: its waiting tasks, filtered by the server.
    const type = e.target.closest("button[data-type]");
    if (type) {
      $("filter").value = /\s/.test(type.dataset.type) ? `type:"${type.dataset.type}"` : `type:${type.dataset.type}`;
      view.server = { type: type.dataset.type, priority: "", group: "" };
      choose("waiting");
    }
  });
  $("q-schedules").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-action]");
    if (b && confirmed(b)) schedule(b.dataset.action, b.dataset.id);
  });
  async function schedule(what, sname) {
    const path = `${base}/schedules/${enc(sname)}`;
    try {
      if (what === "fire") {
        const r = await api(`${path}/fire`, { method: "POST", body: {} });
        toast(`Queued ${r.id}`);
      } else {
        await api(path, { method: "DELETE" });
        toast(`Removed schedule ${sname}`);
      }
    } catch (e) {
      failed(e);
    }
    view.last = "";
    await refresh().catch(failed);
  }
  async function loadSchedules() {
    renderSchedules(await api(`${base}/schedules`));
  }
  // Issue 26: each webhook and how its delivery goes (rpq serve's counts), every value as text.
  async function loadWebhooks() {
    const w = await api(`${base}/webhooks`);
    $("q-hooks").hidden = w.webhooks.length === 0;
    setText($("q-hooks-events"), w.events ? "" : "events off: nothing is sent");
    const list = $("q-hooks-list");
    list.replaceChildren(...w.webhooks.map((h) => {
      const d = h.delivery || {};
      const counts = `delivered ${int(d.delivered ?? 0)}, failed tries ${int(d.failures ?? 0)}, given up ${int(d.given_up ?? 0)}, pending ${int(d.pending ?? 0)}${d.lag === null || d.lag === undefined ? "" : `, not read ${int(d.lag)}`}`;
      const last = d.last_status ? `last ${d.last_status}` : "";
      return el("li", { class: "hook", "data-webhook": h.id },
        el("strong", { text: h.url }),
        ` on ${h.on.length ? h.on.join(",") : "every event"}${h.signed ? ", signed" : ""}`,
        el("br"),
        el("span", { class: "counts", text: counts }),
        last ? ` · ${last}` : "",
        d.last_error ? el("span", { class: "err", text: ` · ${d.last_error}` }) : null);
    }));
  }
  $("drawer").addEventListener("click", (e) => {
    if (onAction(e)) return;
    if (e.target.closest("#d-close")) closeDetail();
    // A parent or a dependent (issue 24): its own detail, in place of this one.
    const open = e.target.closest("button[data-open]");
    if (open) openDetail(open.dataset.open);
  });

  // One task: cancel, make due now, a new priority, retry or purge (dead).
  async function act(what, id, priority) {
    const task = `${base}/tasks/${enc(id)}`;
    try {
      if (what === "cancel") {
        const r = await api(task, { method: "DELETE" });
        toast(r.state === "in-flight" ? `Cancelled ${id}: ${r.consumer} stops it within a second` : `Cancelled ${id}`);
      } else if (what === "now" || what === "move") {
        const r = await api(`${task}/move`, { method: "POST", body: what === "now" ? { now: true } : { priority: Number(priority) } });
        toast(what === "now" ? `${id} is due now: ${r.state}` : `${id} is ${priorityName(r.priority)} now`);
      } else {
        const r = await api(`${base}/dead/${what}`, { method: "POST", body: { ids: [id] } });
        toast(`${what === "retry" ? "Queued again" : "Purged"}: ${plural(r.retried ?? r.purged ?? 0, "task")}`);
      }
    } catch (e) {
      failed(e);
    }
    view.last = "";
    await refresh().catch(failed);
  }

  async function actAll(what) {
    try {
      const r = await api(`${base}/dead/${what}`, { method: "POST", body: { all: true } });
      toast(`${what === "retry" ? "Queued again" : "Purged"}: ${plural(r.retried ?? r.purged ?? 0, "task")}`);
    } catch (e) {
      failed(e);
    }
    view.last = "";
    await refresh().catch(failed);
  }

  // "Retry all" and "Purge all" ask twice, as the row buttons that cannot be undone do.
  function armed(label, what) {
    const b = el("button", { type: "button", class: what === "purge" ? "small danger" : "small", "data-confirm": "1", text: label });
    b.addEventListener("click", () => { if (confirmed(b)) actAll(what); });
    return b;
  }
  const bulkDead = [armed("Retry all", "retry"), armed("Purge all", "purge")];

  // --- lookup and the detail panel ---
  $("lookup").hidden = !features.show;
  $("lookup").addEventListener("submit", (e) => {
    e.preventDefault();
    const id = $("lookup-id").value.trim();
    if (id) openDetail(id);
  });
  let opener = null;
  // Below the top bar, whose height depends on the width (it wraps on a phone).
  function placeDrawer() {
    document.documentElement.style.setProperty("--top-h", `${document.querySelector(".top").offsetHeight}px`);
  }
  window.addEventListener("resize", placeDrawer);
  // The drawer follows the hash: opening one adds a history entry (#task=ID), so Back closes it,
  // and a hash changed by hand or by a link opens the task it names. One entry at most: a task
  // opened over another replaces it, so Close never lands on an earlier task. `pushed`: the
  // open detail has an entry of its own to go back from.
  let pushed = false;
  function openDetail(id) {
    const hash = `#task=${enc(id)}`;
    if (view.detail) {
      if (location.hash !== hash) history.replaceState(null, "", hash);
      showDetail(id);
    } else if (location.hash !== hash) {
      location.hash = hash;
    } else {
      showDetail(id);
    }
  }
  function fromHash(e) {
    const m = location.hash.match(/^#task=(.+)$/);
    if (!m) {
      // A list's URL: its filter first (server-side parts from the first page), then its tab.
      const p = new URLSearchParams(location.hash.slice(1));
      const f = p.get("filter") || "";
      const s = p.get("state") || "waiting";
      if (f !== $("filter").value.trim()) {
        $("filter").value = f;
        const pf = parseFilter(f);
        view.server = { type: pf.type, priority: pf.priority, group: pf.group };
        if (states.includes(s) && s === view.state) choose(s);
      }
      if (states.includes(s) && view.state !== s) choose(s);
    }
    if (m) {
      if (e && !view.detail) pushed = true;
      showDetail(decodeURIComponent(m[1]));
    } else if (view.detail) {
      hideDetail();
    }
  }
  window.addEventListener("hashchange", fromHash);
  function showDetail(id) {
    if (view.detail && view.detail.id === id) return;
    if (!view.detail) opener = document.activeElement;
    view.detail = { id, task: null, missing: false, flow: null, flowAt: 0 };
    placeDrawer();
    $("drawer").hidden = false;
    document.body.classList.add("drawer-open");
    renderDetail();
    $("d-close").focus();
    loadDetail().catch(failed);
  }
  function closeDetail() {
    // Going back is closing (and Forward opens it again).
    if (pushed) { history.back(); return; }
    history.replaceState(null, "", listUrl());
    hideDetail();
  }
  function hideDetail() {
    pushed = false;
    view.detail = null;
    $("drawer").hidden = true;
    document.body.classList.remove("drawer-open");
    if (opener && document.contains(opener)) opener.focus();
  }
  async function loadDetail() {
    const d = view.detail;
    if (!d) return;
    try {
      d.task = await api(`${base}/tasks/${enc(d.id)}`);
      d.missing = false;
    } catch (e) {
      if (e.status !== 404) throw e;
      d.task = null;
      d.missing = true;
    }
    // Issue 24: the progress of its flow, read again every FLOW_MS at most (a walk of up to
    // 10,000 tasks is not for every poll).
    if (d.task && inFlow(d.task) && Date.now() - d.flowAt >= FLOW_MS) {
      d.flowAt = Date.now();
      try {
        d.flow = await api(`${base}/tasks/${enc(d.id)}/flow`);
      } catch (e) {
        if (e.status !== 404) throw e;
      }
    }
    if (view.detail === d) renderDetail();
  }
  function renderDetail() {
    const d = view.detail;
    if (!d) return;
    const t = d.task;
    setText($("d-title"), d.id);
    const body = $("d-body");
    const key = JSON.stringify([t, d.missing, d.flow, Math.floor(serverNow() / 1000)]);
    if (body.dataset.key === key) return;
    body.dataset.key = key;
    if (!t) {
      body.replaceChildren(el("p", { class: d.missing ? "empty" : "note",
        text: d.missing ? `No task ${d.id} in queue ${name}: never pushed, or cancelled or purged since, or finished with no result kept.` : "Loading…" }));
      return;
    }
    const rows = [];
    for (const [k, label, isTime] of DETAIL_FIELDS) {
      if (t[k] === undefined || t[k] === null) continue;
      let value = t[k];
      if (k === "priority") value = badge(t.priority);
      else if (k === "state") value = el("span", { class: `state-badge ${t.state}`, text: STATES[t.state]?.label || t.state });
      else if (isTime) value = el("span", { title: t[k] }, clock(t[k]), el("small", { text: ` · ${rel(t[k])}` }));
      else value = String(value);
      rows.push(el("dt", { text: label }), el("dd", { "data-field": k, class: k === "error" ? "error" : null }, value));
    }
    // A finished task (its result or error kept): what it gave, and nothing to do to it.
    if (t.finished_at) {
      body.replaceChildren(
        el("dl", { class: "fields" }, ...rows),
        ...(t.error !== undefined ? [] : [el("h3", { text: "Result" }),
          el("pre", { class: "payload-json", id: "d-result", text: t.result === undefined ? "(none)" : JSON.stringify(t.result, null, 2) })]),
        el("details", {}, el("summary", { text: "As JSON (rpq show --json)" }), el("pre", { text: JSON.stringify(t, null, 2) })),
      );
      return;
    }
    const acts = el("div", { class: "d-actions" }, ...actionsFor(t).map((a) => actionButton(a, t.id)));
    const movable = ["waiting", "scheduled", "retrying"].includes(t.state) && features.move;
    const move = movable ? el("div", { class: "d-move", role: "group", "aria-label": "Move to priority" },
      el("span", { class: "label", text: "Move to" }),
      ...PRIORITIES.map(([pname, p]) => el("button", { type: "button", class: `small seg${t.priority === p ? " on" : ""}`,
        "data-action": "move", "data-id": t.id, "data-priority": p, "aria-pressed": String(t.priority === p),
        disabled: t.priority === p, title: `move it to ${pname}` }, el("span", { class: `swatch ${pname}` }), ` ${pname}`))) : null;
    // Issue 25: what its handler says through `rpq ctl`: a progress bar, and its log.
    const p = t.progress;
    const talk = [
      ...(p ? [el("div", { class: "d-progress", "data-field": "progress" },
        el("progress", { max: "100", value: String(p.percent), "aria-label": "Progress" }),
        el("span", { text: ` ${p.percent}%${p.message ? ` · ${p.message}` : ""}` }))] : []),
      ...(t.log && t.log.length ? [el("h3", { text: "Log" }),
        el("pre", { class: "payload-json", id: "d-log", text: t.log.map((l) => l.text).join("\n") })] : []),
    ];
    body.replaceChildren(
      ...(move ? [move] : []), acts,
      ...talk,
      el("dl", { class: "fields" }, ...rows),
      ...flowSection(t, d.flow),
      el("h3", { text: "Payload" }),
      el("pre", { class: "payload-json", text: JSON.stringify(t.payload, null, 2) }),
      el("details", {}, el("summary", { text: "As JSON (rpq show --json)" }), el("pre", { text: JSON.stringify(t, null, 2) })),
    );
  }

  function renderTasks() {
    const state = view.state;
    const table = $("tasks");
    const list = state === "consumers" ? (view.workers ? view.workers.workers : [])
      : state === "types" ? (view.types ? view.types.types : []) : view.tasks ? view.tasks.tasks : [];
    const cols = state === "consumers" ? CONSUMER_COLUMNS : state === "types" ? TYPE_COLUMNS
      : state === "groups" ? GROUP_COLUMNS.filter((c) => !c.needs || list.some(c.needs)) : state === "completed" ? COMPLETED_COLUMNS : taskColumns(state).filter((c) => c.cls !== "group" || list.some((t) => t.group));
    const selectable = !!BULK[state] && !document.body.classList.contains("read-only");
    if (selectable) {
      const page = list.map((t) => t.id);
      const all = page.length > 0 && page.every((id) => view.selected.has(id));
      cols.unshift({ label: "", cls: "sel", head: el("input", { type: "checkbox", "data-all": "1", "aria-label": "Select every task of this page", checked: all }),
        cell: (t) => el("input", { type: "checkbox", "data-select": t.id, "aria-label": `Select ${t.id}`, checked: view.selected.has(t.id) }) });
    }
    const f = parseFilter($("filter").value).rest;
    const shown = f ? list.filter((t) => JSON.stringify(t).toLowerCase().includes(f)) : list;
    table.className = `grid tasks state-${state}`;
    table.tHead.replaceChildren(el("tr", {}, ...cols.map((c) => el("th", { scope: "col", class: c.cls, text: c.head ? null : c.label }, c.head || null))));
    const rows = shown.map((t) => el("tr", { "data-id": t.id ?? t.name ?? t.type ?? t.group ?? "", class: t.live === false ? "gone" : null },
      ...cols.map((c) => el("td", { class: c.cls, "data-label": c.label }, c.cell(t)))));
    // Keep the keyboard where it was across a redraw.
    const active = document.activeElement;
    const keep = table.contains(active) ? { id: active.closest("tr")?.dataset.id, action: active.dataset.action } : null;
    table.tBodies[0].replaceChildren(...rows);
    if (keep && keep.id) {
      const row = [...table.tBodies[0].rows].find((r) => r.dataset.id === keep.id);
      const target = row && (keep.action ? row.querySelector(`[data-action="${keep.action}"]`) : row.querySelector("button.link"));
      if (target) target.focus();
    }
    const empty = $("tasks-empty");
    empty.hidden = shown.length > 0;
    empty.textContent = f ? "Nothing on this page matches the filter." : state === "completed"
      ? "No finished task with a kept result (push with keep_result to keep one)." : `No ${STATES[state].label.toLowerCase()} tasks.`;
    if (state === "consumers") empty.textContent = "No consumer heard from in the last hour.";
    if (state === "types") empty.textContent = "No task and no report of one yet.";
    if (state === "groups") empty.textContent = "No group has waiting tasks (produce --group KEY puts a task in one).";
    const flat = state === "consumers" || state === "types";
    const total = flat ? list.length : view.tasks ? view.tasks.total : 0;
    const from = (view.cursors.length - 1) * PAGE;
    const capped = flat && (state === "consumers" ? view.workers : view.types)?.complete === false ? " (of the first 1000 tasks of each state)" : "";
    const of = serverWords(view.server) ? "matching on this page" : `of ${int(total)}`;
    setText($("page-info"), list.length ? `${int(from + 1)}–${int(from + list.length)} ${flat ? "" : of}${capped}`.trim() : `0 ${of}`);
    $("prev").disabled = view.cursors.length <= 1;
    $("next").disabled = flat || !(view.tasks && view.tasks.next);
    $("bulk").replaceChildren(...bulkBar(state, total));
  }

  // The bulk actions of a state: on the selection, else on every task the server-side filter
  // matches, else (dead) Retry all and Purge all. Each asks twice, as a row's Cancel does.
  function bulkBar(state, total) {
    const acts = BULK[state];
    if (!acts) return [];
    const filtered = !!serverWords(view.server);
    if (view.selected.size === 0 && !filtered) return state === "dead" && total > 0 ? bulkDead : [];
    if (view.selected.size === 0 && (view.tasks?.tasks || []).length === 0) return [];
    const what = view.selected.size > 0 ? `${plural(view.selected.size, "selected task")}:` : `Every ${STATES[state].label.toLowerCase()} task matching ${serverWords(view.server)}:`;
    // Redrawn with every poll: a button waiting for its second click stays armed.
    const button = (a, label, cls, p) => {
      const key = p ? `bulk-move-${p}` : `bulk-${a}`;
      const on = isArmed(key, "");
      return el("button", { type: "button", class: `${cls}${on ? " armed" : ""}`, "data-bulk": a, "data-priority": p, "data-confirm": "1",
        "data-action": key, "data-label": label, text: on ? "Sure?" : label });
    };
    const buttons = acts.flatMap((a) => a === "move"
      ? PRIORITIES.map(([pname, p]) => button("move", `To ${pname}`, "small", p))
      : [button(a, BULK_LABELS[a], ["cancel", "purge"].includes(a) ? "small danger" : "small")]);
    return [el("span", { class: "bulkbar", role: "group", "aria-label": "Bulk actions" }, el("span", { class: "what", text: what }), ...buttons)];
  }

  async function loadTasks() {
    if (view.state === "consumers") {
      const w = await api(`${base}/workers`);
      if (view.state === "consumers") view.workers = w;
    } else if (view.state === "types") {
      const t = await api(`${base}/types`);
      if (view.state === "types") view.types = t;
    } else {
      const state = view.state;
      const after = view.cursors[view.cursors.length - 1];
      let page;
      try {
        const from = after ? `&after=${enc(after)}` : "";
        if (state === "completed") {
          const c = await api(`${base}/completed?limit=${PAGE}${from}`);
          // As the drawer shows them (rpq show --json): the outcome is the state.
          page = { ...c, tasks: c.tasks.map(({ outcome, ...k }) => ({ ...k, state: outcome })) };
          setText($("tab-completed").querySelector(".count"), int(c.total));
        } else if (state === "groups") {
          // Paged by offset: the order follows the counts. Each read counts every group of the
          // queue, so a page shown is read again every GROUPS_MS, not on every poll.
          const same = view.tasks && view.tasks.groups && view.tasks.cursor === after;
          if (same && Date.now() - view.tasks.readAt < GROUPS_MS) return;
          const g = await api(`${base}/groups?limit=${PAGE}${after ? `&offset=${enc(after)}` : ""}`);
          g.readAt = Date.now();
          g.cursor = after;
          page = { ...g, tasks: g.groups, next: g.more ? String(g.offset + g.groups.length) : null };
          setText($("tab-groups").querySelector(".count"), int(g.total));
        } else {
          const server = serverQuery(view.server);
          page = await api(`${base}/tasks?state=${state}&limit=${PAGE}${from}${server}`);
        }
      } catch (e) {
        // The task this page went on from has left the state: start the state again.
        if ((e.status === 409 || e.status === 410) && view.cursors.length > 1) { view.cursors = [""]; return loadTasks(); }
        throw e;
      }
      if (state !== view.state || after !== view.cursors[view.cursors.length - 1]) return;
      view.tasks = page;
      if (page.tasks.length === 0 && view.cursors.length > 1) { view.cursors.pop(); return loadTasks(); }
    }
    // Times relative to now change each second, so the key has the second in it.
    const key = JSON.stringify([view.state, view.cursors, view.state === "consumers" ? view.workers : view.state === "types" ? view.types : view.tasks,
      [...view.selected], Math.floor(serverNow() / 1000)]);
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
    learnClock(s);
    view.stats = s;
    tiles($("q-tiles"), statTiles(s));
    renderControls(s);
    pausedNow(s.paused || []);
    for (const b of tabs.children) {
      const n = STATES[b.dataset.state].count(s);
      if (n === undefined) continue;
      setText(b.querySelector(".count"), n === null || n === undefined ? "–" : int(n));
    }
    await Promise.all([loadTasks(), loadDetail(), loadSchedules(), loadWebhooks()]);
  }

  const c = charts("q-");
  const h = new History(name);
  poll(refresh, POLL_MS);
  poll(async () => { await h.load(); drawHistory(c, h); }, HISTORY_MS);
  liveEvents(base);
  fromHash();
}

// --- the loop -----------------------------------------------------------------------------

// Runs `f` now and again `every` ms after each run ends (slower while the tab is hidden);
// a failure shows and the loop goes on.
// Issue 26: the queue's lifecycle events as they happen (server-sent events; the browser
// resumes after the last one with Last-Event-ID). The panel shows once one comes; the newest
// 50 are kept, each written as text.
function liveEvents(base) {
  if (!window.EventSource) return;
  const list = $("q-events-list");
  const src = new EventSource(`${base}/events`);
  src.onmessage = (m) => {
    let e;
    try { e = JSON.parse(m.data); } catch { return; }
    $("q-events").hidden = false;
    const about = [e.type, e.attempt ? `attempt ${e.attempt}` : "", e.consumer ? `by ${e.consumer}` : ""].filter(Boolean).join(", ");
    const text = `${clock(e.at)}  ${e.event}  ${e.id || ""}${about ? ` (${about})` : ""}${e.error ? `: ${e.error}` : ""}`;
    list.prepend(el("li", { class: `ev ev-${e.event}`, "data-event-id": e.event_id, text }));
    while (list.children.length > 50) list.lastChild.remove();
  };
}

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
  // The read-only token: every button that changes something would be refused, so none shows.
  if (info.access === "read") {
    document.body.classList.add("read-only");
    setText($("access"), "read-only");
    $("access").hidden = false;
  }
  const m = location.pathname.match(/^\/queues\/(.+)$/);
  if (m) queuePage(decodeURIComponent(m[1]));
  else if (info.queue) location.replace(`/queues/${enc(info.queue)}`);
  else overview();
}

start();
