/**
 * The planner diagnostics report (dynamo.md §4, extended): one self-contained HTML file of
 * Observable Plot charts rendered server-side, sharing one time axis that a small inline script
 * links (brush, wheel zoom, reset). Each chart is also available as a standalone SVG (and PNG via
 * `toPng`) for notebooks. Pure: data in, strings out.
 */
import { Plot, renderPlot } from "./render-plot.js";
import type { PlotOptions } from "./render-plot.js";
import { LINKED_AXES_SCRIPT } from "./linked-axes-script.js";
import { LOAD_REASON_COLORS, THROUGHPUT_REASON_COLORS } from "../planner/reasons.js";
import type { ActuationRecord, PlannerSnapshot, ScalingEvent } from "../planner/controller.js";

export interface DiagnosticsReportInput {
  title?: string;
  mode: "agg" | "disagg";
  ttftSlaMs: number;
  itlSlaMs: number;
  snapshots: readonly PlannerSnapshot[];
  actuations?: readonly ActuationRecord[];
  events?: readonly ScalingEvent[];
  /** KV capacity per decode (agg) engine, tokens: the dashed capacity line. */
  kvCapacityTokens?: number | null;
  /** Key figures shown under the title (label → value). */
  summary?: Readonly<Record<string, string | number | null>>;
}

export interface DiagnosticsChart {
  id: string;
  title: string;
  /** Standalone SVG (with its own x axis), for notebooks and PNG export. */
  svg: string;
}

/** Shared geometry: every chart has the same width, horizontal margins and x-domain. */
export const REPORT_GEOMETRY = { width: 960, height: 230, marginLeft: 72, marginRight: 24, marginBottom: 30, marginTop: 16 } as const;

export const PATH_COLORS: Readonly<Record<string, string>> = { hot: "#d62728", warm: "#ff7f0e", cold_launcher: "#1f77b4", cold: "#555555", fixed: "#9467bd" };

/** Seconds → HH:MM:SS (simulated time since the start). */
export function clock(s: number): string {
  const v = Math.max(0, Math.round(s));
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(Math.floor(v / 3600))}:${p(Math.floor((v % 3600) / 60))}:${p(v % 60)}`;
}

type Row = Record<string, unknown>;

function series(snaps: readonly PlannerSnapshot[], pick: (s: PlannerSnapshot) => number | null | undefined, name: string): Row[] {
  const out: Row[] = [];
  for (const s of snaps) {
    const v = pick(s);
    // Dropping missing points makes the line connect across them (Plotly's connectgaps).
    if (v !== null && v !== undefined && Number.isFinite(v)) out.push({ t: s.t, v, series: name });
  }
  return out;
}

function xDomain(input: DiagnosticsReportInput): [number, number] {
  const ts = input.snapshots.map((s) => s.t);
  for (const a of input.actuations ?? []) ts.push(a.t, a.readyAt);
  const lo = 0;
  const hi = Math.max(1, ...ts);
  return [lo, hi];
}

function chart(id: string, title: string, domain: [number, number], spec: Partial<PlotOptions>, ylabel: string, extra: { height?: number } = {}): DiagnosticsChart {
  const g = REPORT_GEOMETRY;
  const svg = renderPlot({
    width: g.width,
    height: extra.height ?? g.height,
    marginLeft: g.marginLeft,
    marginRight: g.marginRight,
    marginBottom: g.marginBottom,
    marginTop: g.marginTop,
    style: { fontSize: "10px", background: "white" },
    ...spec,
    x: { domain, label: null, tickFormat: (v: number) => clock(v), ticks: 8, ...(spec.x ?? {}) },
    y: { label: ylabel, grid: true, ...(spec.y ?? {}) },
  } as PlotOptions);
  return { id, title, svg };
}

const LINE_COLORS = ["#1f3a93", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

function lines(rows: Row[], names: string[], dashed: Set<string> = new Set()) {
  return names.map((n, i) =>
    Plot.line(rows.filter((r) => r.series === n), { x: "t", y: "v", stroke: LINE_COLORS[i % LINE_COLORS.length], strokeWidth: 1.5, strokeDasharray: dashed.has(n) ? "5,4" : undefined, curve: n.startsWith("Replicas") || n.includes("bound") ? "step-after" : "linear" }),
  );
}

function legend(names: string[], dashed: Set<string> = new Set()): string {
  return `<div class="lx-legend">${names.map((n, i) => `<span><svg width="22" height="8"><line x1="0" x2="22" y1="4" y2="4" stroke="${LINE_COLORS[i % LINE_COLORS.length]}" stroke-width="2"${dashed.has(n) ? ' stroke-dasharray="5,3"' : ""}/></svg>${esc(n)}</span>`).join("")}</div>`;
}

function swatches(colors: Readonly<Record<string, string>>, used: Set<string>): string {
  return `<div class="lx-legend">${Object.entries(colors).filter(([k]) => used.has(k)).map(([k, c]) => `<span><svg width="10" height="10"><rect width="10" height="10" fill="${c}"/></svg>${esc(k)}</span>`).join("")}</div>`;
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

interface BuiltChart extends DiagnosticsChart {
  legendHtml: string;
}

function build(input: DiagnosticsReportInput): BuiltChart[] {
  const s = input.snapshots;
  const dom = xDomain(input);
  const disagg = input.mode === "disagg";
  const out: BuiltChart[] = [];
  const add = (c: DiagnosticsChart, legendHtml: string) => out.push({ ...c, legendHtml });

  // 1. Replica counts with the dashed throughput lower bounds.
  {
    const names: string[] = [];
    const rows: Row[] = [];
    const dashed = new Set<string>();
    const push = (name: string, pick: (x: PlannerSnapshot) => number | null | undefined, dash = false, onlyIfAbove1 = false) => {
      const r = series(s, pick, name);
      if (onlyIfAbove1 && !r.some((x) => (x.v as number) > 1)) return;
      names.push(name);
      rows.push(...r);
      if (dash) dashed.add(name);
    };
    if (disagg) push("Replicas prefill", (x) => x.activePrefill);
    push(disagg ? "Replicas decode" : "Replicas", (x) => x.activeDecode);
    if (disagg) push("Prefill TP lower bound", (x) => x.throughputLowerBoundPrefill, true, true);
    push(disagg ? "Decode TP lower bound" : "TP lower bound", (x) => x.throughputLowerBoundDecode, true, true);
    push("Provisioned (incl. starting)", (x) => (x.provisionedPrefill ?? 0) + x.provisionedDecode, true);
    add(chart("replicas", "Replica counts", dom, { marks: [...lines(rows, names, dashed)], y: { domain: [0, Math.max(2, ...rows.map((r) => r.v as number)) + 1] } }, "replicas"), legend(names, dashed));
  }
  // 2. Request rate observed vs predicted.
  {
    const rows = [...series(s, (x) => x.observedRps, "Observed RPS"), ...series(s, (x) => x.predictedRps, "Predicted RPS")];
    const names = ["Observed RPS", "Predicted RPS"];
    add(chart("rps", "Request rate (observed vs predicted)", dom, { marks: lines(rows, names, new Set(["Predicted RPS"])) }, "req/s"), legend(names, new Set(["Predicted RPS"])));
  }
  // 3. Sequence lengths.
  {
    const names = ["Observed ISL", "Predicted ISL", "Observed OSL", "Predicted OSL"];
    const rows = [...series(s, (x) => x.observedIsl, names[0]!), ...series(s, (x) => x.predictedIsl, names[1]!), ...series(s, (x) => x.observedOsl, names[2]!), ...series(s, (x) => x.predictedOsl, names[3]!)];
    const dashed = new Set([names[1]!, names[3]!]);
    add(chart("seqlen", "Sequence lengths (observed vs predicted)", dom, { marks: lines(rows, names, dashed) }, "tokens"), legend(names, dashed));
  }
  // 4. KV hit rate.
  {
    const names = ["Observed KV hit rate", "Predicted KV hit rate", "Hit rate used by load scaling"];
    const rows = [...series(s, (x) => x.observedKvHitRate, names[0]!), ...series(s, (x) => x.predictedKvHitRate, names[1]!), ...series(s, (x) => x.kvHitRateUsed, names[2]!)];
    const dashed = new Set([names[1]!]);
    add(chart("kvhit", "KV hit rate (observed vs predicted)", dom, { marks: lines(rows, names, dashed), y: { domain: [0, 1] } }, "hit rate"), legend(names, dashed));
  }
  // 5–6. TTFT and ITL, observed and estimated, against the SLA.
  for (const [id, title, obs, est, sla] of [
    ["ttft", "TTFT: observed and estimated vs SLA", (x: PlannerSnapshot) => x.observedTtftMs, (x: PlannerSnapshot) => x.estimatedTtftMs, input.ttftSlaMs],
    ["itl", "ITL: observed and estimated vs SLA", (x: PlannerSnapshot) => x.observedItlMs, (x: PlannerSnapshot) => x.estimatedItlMs, input.itlSlaMs],
  ] as const) {
    const names = ["Observed", "Estimated (max over engines)"];
    const rows = [...series(s, obs, names[0]!), ...series(s, est, names[1]!)];
    const marks = [...lines(rows, names, new Set([names[1]!])), Plot.ruleY([sla], { stroke: "red", strokeDasharray: "6,4" })];
    add(chart(id, title, dom, { marks }, "ms"), legend(names, new Set([names[1]!])) + `<div class="lx-legend"><span><svg width="22" height="8"><line x1="0" x2="22" y1="4" y2="4" stroke="red" stroke-dasharray="5,3" stroke-width="2"/></svg>SLA (${sla} ms)</span></div>`);
  }
  // 7–8. Per-engine load.
  {
    const rows: Row[] = [];
    for (const x of s) for (const e of x.prefillEngineLoad) rows.push({ t: x.t, v: e.value, series: e.workerId });
    const marks = [Plot.line(rows, { x: "t", y: "v", z: "series", stroke: "#1f3a93", strokeOpacity: 0.6, strokeWidth: 1 })];
    add(chart("prefill-load", disagg ? "Prefill engine load (queued prefill tokens)" : "Engine load (queued prefill tokens)", dom, { marks }, "tokens"), `<div class="lx-legend"><span>one line per engine</span></div>`);
  }
  {
    const rows: Row[] = [];
    for (const x of s) for (const e of x.decodeEngineLoad) rows.push({ t: x.t, v: e.value, series: e.workerId });
    const marks: PlotOptions["marks"] = [Plot.line(rows, { x: "t", y: "v", z: "series", stroke: "#2ca02c", strokeOpacity: 0.6, strokeWidth: 1 })];
    if (input.kvCapacityTokens) marks.push(Plot.ruleY([input.kvCapacityTokens], { stroke: "red", strokeDasharray: "6,4" }));
    add(chart("decode-load", disagg ? "Decode engine load (scheduled + queued KV tokens)" : "Engine load (scheduled + queued KV tokens)", dom, { marks }, "KV tokens"), `<div class="lx-legend"><span>one line per engine</span>${input.kvCapacityTokens ? `<span><svg width="22" height="8"><line x1="0" x2="22" y1="4" y2="4" stroke="red" stroke-dasharray="5,3" stroke-width="2"/></svg>KV capacity (${input.kvCapacityTokens} tokens)</span>` : ""}</div>`);
  }
  // 9. Engine capacity (only on throughput ticks).
  {
    const names = disagg ? ["Prefill engine RPS", "Decode engine RPS"] : ["Engine RPS"];
    const rows = disagg ? [...series(s, (x) => x.engineRpsPrefill, names[0]!), ...series(s, (x) => x.engineRpsDecode, names[1]!)] : series(s, (x) => x.engineRpsDecode, names[0]!);
    add(chart("engine-rps", "Engine capacity (req/s per engine)", dom, { marks: [...lines(rows, names), Plot.dot(rows, { x: "t", y: "v", r: 2, fill: "series" })] , color: { range: LINE_COLORS } }, "req/s"), legend(names));
  }
  // 10–11. Decision timelines (two tracks in disagg).
  for (const kind of ["load", "throughput"] as const) {
    const colors: Readonly<Record<string, string>> = kind === "load" ? LOAD_REASON_COLORS : THROUGHPUT_REASON_COLORS;
    const rows: Row[] = [];
    for (const x of s) {
      const tracks: [string, string | null][] = disagg
        ? [["prefill", kind === "load" ? x.loadReasonPrefill : x.throughputReasonPrefill], ["decode", kind === "load" ? x.loadReasonDecode : x.throughputReasonDecode]]
        : [["agg", kind === "load" ? x.loadReason : x.throughputReason]];
      for (const [track, reason] of tracks) if (reason) rows.push({ t: x.t, track, reason, color: colors[reason] ?? "black" });
    }
    const used = new Set(rows.map((r) => r.reason as string));
    const marks = [Plot.dot(rows, { x: "t", y: "track", symbol: kind === "load" ? "square" : "diamond", fill: "color", r: 4, title: "reason" })];
    add(chart(`${kind}-decisions`, kind === "load" ? "Load scaling decisions" : "Throughput scaling decisions", dom, { marks, y: { domain: disagg ? ["prefill", "decode"] : ["agg"], label: null, grid: false }, marginLeft: REPORT_GEOMETRY.marginLeft }, "", { height: disagg ? 120 : 90 }), swatches(colors, used));
  }
  // 12. Actuations: a segment from request to ready, coloured by FMA path.
  {
    const rows = (input.actuations ?? []).map((a) => ({ t: a.t, ready: a.readyAt, pool: a.pool, path: a.path ?? "fixed", color: PATH_COLORS[a.path ?? "fixed"] ?? "black", cancelled: a.cancelled }));
    const pools = disagg ? ["prefill", "decode"] : ["agg"];
    const marks = [
      Plot.ruleY(rows, { x1: "t", x2: "ready", y: "pool", stroke: "color", strokeWidth: 3, strokeOpacity: 0.7 }),
      Plot.dot(rows, { x: "t", y: "pool", fill: "color", r: 3, title: "path" }),
    ];
    const used = new Set(rows.map((r) => r.path));
    add(chart("actuations", "Actuations (scale-up request → ready, by FMA path)", dom, { marks, y: { domain: pools, label: null, grid: false } }, "", { height: disagg ? 120 : 90 }), swatches(PATH_COLORS, used));
  }
  return out;
}

/** The report's charts as standalone SVGs (same order as in the HTML). */
export function diagnosticsCharts(input: DiagnosticsReportInput): DiagnosticsChart[] {
  return build(input).map(({ id, title, svg }) => ({ id, title, svg }));
}

/** Replica transitions: actual count changes between consecutive snapshots (not decision ticks). */
export function replicaTransitions(snaps: readonly PlannerSnapshot[]): number {
  let n = 0;
  for (let i = 1; i < snaps.length; i++) {
    if (snaps[i]!.activeDecode !== snaps[i - 1]!.activeDecode) n++;
    if ((snaps[i]!.activePrefill ?? 0) !== (snaps[i - 1]!.activePrefill ?? 0)) n++;
  }
  return n;
}

/** The whole report as one self-contained HTML document (no network). */
export function renderDiagnosticsReport(input: DiagnosticsReportInput): string {
  const charts = build(input);
  const s = input.snapshots;
  const [x0, x1] = xDomain(input);
  const g = REPORT_GEOMETRY;
  const last = s[s.length - 1];
  const facts: [string, string][] = [
    ["Time range", `${clock(x0)} – ${clock(x1)} (simulated)`],
    ["Planner ticks", String(s.length)],
    ["Replica transitions", String(replicaTransitions(s))],
    ["GPU hours", (last?.gpuHours ?? 0).toFixed(2)],
    ["SLA targets", `TTFT=${input.ttftSlaMs}ms, ITL=${input.itlSlaMs}ms`],
    ...Object.entries(input.summary ?? {}).map(([k, v]): [string, string] => [k, v === null ? "—" : typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : v]),
  ];
  const body = charts
    .map((c) => `<section class="lx-chart" id="chart-${c.id}" data-x0="${x0}" data-x1="${x1}" data-ml="${g.marginLeft}" data-mr="${g.marginRight}" data-mb="${g.marginBottom}" data-width="${g.width}" data-domain="${x0},${x1}"><h2>${esc(c.title)}</h2>${c.legendHtml}<div class="lx-plot">${c.svg}</div></section>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title ?? "Planner Diagnostics Report")}</title>
<style>
body{font-family:system-ui,sans-serif;margin:16px auto;max-width:${g.width + 40}px;color:#222}
h1{font-size:20px;margin:0 0 6px} h2{font-size:13px;margin:14px 0 2px}
table.lx-facts{border-collapse:collapse;font-size:12px;margin:6px 0} table.lx-facts td{padding:1px 10px 1px 0}
.lx-legend{font-size:11px;display:flex;flex-wrap:wrap;gap:12px;margin:2px 0} .lx-legend span{display:inline-flex;align-items:center;gap:4px}
.lx-bar{position:sticky;top:0;background:#fff;padding:6px 0;border-bottom:1px solid #ddd;font-size:12px;z-index:2}
.lx-chart svg{display:block;user-select:none}
</style></head><body>
<h1>${esc(input.title ?? "Planner Diagnostics Report")}</h1>
<table class="lx-facts">${facts.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join("")}</table>
<div class="lx-bar">Shared time axis: drag on any chart to zoom all charts to a range, wheel to zoom, double-click or <button id="lx-reset" type="button">Reset</button>. Showing <span id="lx-range">${clock(x0)} – ${clock(x1)}</span></div>
${body}
<script>${LINKED_AXES_SCRIPT}</script>
</body></html>
`;
}
