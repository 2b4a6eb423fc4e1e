/**
 * The planner diagnostics report (dynamo.md §4, extended): one self-contained HTML file of
 * Observable Plot charts rendered server-side, sharing one time axis that a small inline script
 * links (brush, wheel zoom, reset). Each chart carries its title and legend in its own SVG, so it
 * stands alone as SVG (and PNG via `toPng`) for notebooks and papers; targets (SLA, KV capacity)
 * are drawn black dash-dot, estimates and predictions dashed in their series' colour. Every chart
 * shares one left margin, widened together when a tick label would be clipped, so the time axes
 * stay aligned. Pure: data in, strings out. It reads the planner's records, so it lives with the
 * planner and draws with report/'s plot helpers (the floors point down: report/ knows no planner).
 */
import { Plot } from "../report/render-plot.js";
import type { PlotOptions } from "../report/render-plot.js";
import { ESTIMATE_DASH, renderChart, TARGET_STYLE, type LegendItem } from "../report/chart-header.js";
import { overflow, svgTextBoxes } from "../report/text-boxes.js";
import { LINKED_AXES_SCRIPT } from "../report/linked-axes-script.js";
import { LOAD_REASON_COLORS, THROUGHPUT_REASON_COLORS } from "./reasons.js";
import type { ActuationRecord, PlannerSnapshot, ScalingEvent } from "./controller.js";

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

/**
 * Seconds → HH:MM:SS (simulated time since the start).
 *
 * @example
 * ```ts
 * clock(3725); // "01:02:05"
 * ```
 */
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

/** The horizontal margins every chart shares (the linked axes need one mapping). */
interface Margins { left: number; right: number }

type ChartSpec = { id: string; title: string; spec: Partial<PlotOptions>; ylabel: string; legend: LegendItem[]; note?: string; height?: number };

function chart(c: ChartSpec, domain: [number, number], m: Margins): DiagnosticsChart {
  const g = REPORT_GEOMETRY;
  const { svg } = renderChart({
    width: g.width,
    height: c.height ?? g.height,
    marginBottom: g.marginBottom,
    marginTop: g.marginTop,
    style: { fontSize: "10px", background: "white" },
    ...c.spec,
    marginLeft: m.left,
    marginRight: m.right,
    x: { domain, label: null, tickFormat: (v: number) => clock(v), ticks: 8, ...(c.spec.x ?? {}) },
    y: { label: c.ylabel, grid: true, ...(c.spec.y ?? {}) },
  } as PlotOptions, { title: c.title, legend: c.legend, note: c.note }, { fit: false });
  return { id: c.id, title: c.title, svg };
}

const LINE_COLORS = ["#1f3a93", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

function lines(rows: Row[], names: string[], dashed: Set<string> = new Set()) {
  return names.map((n, i) =>
    Plot.line(rows.filter((r) => r.series === n), { x: "t", y: "v", stroke: LINE_COLORS[i % LINE_COLORS.length], strokeWidth: 1.5, strokeDasharray: dashed.has(n) ? ESTIMATE_DASH : undefined, curve: n.startsWith("Replicas") || n.includes("bound") ? "step-after" : "linear" }),
  );
}

function legend(names: string[], dashed: Set<string> = new Set()): LegendItem[] {
  return names.map((n, i) => ({ label: n, color: LINE_COLORS[i % LINE_COLORS.length]!, mark: dashed.has(n) ? "dash" : "line" }));
}

function swatches(colors: Readonly<Record<string, string>>, used: Set<string>): LegendItem[] {
  return Object.entries(colors).filter(([k]) => used.has(k)).map(([k, c]) => ({ label: k, color: c, mark: "square" }));
}

function targetRule(value: number) {
  return Plot.ruleY([value], { ...TARGET_STYLE });
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function specs(input: DiagnosticsReportInput): ChartSpec[] {
  const s = input.snapshots;
  const disagg = input.mode === "disagg";
  const out: ChartSpec[] = [];

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
    out.push({ id: "replicas", title: "Replica counts", spec: { marks: [...lines(rows, names, dashed)], y: { domain: [0, Math.max(2, ...rows.map((r) => r.v as number)) + 1] } }, ylabel: "replicas", legend: legend(names, dashed) });
  }
  // 2. Request rate observed vs predicted.
  {
    const rows = [...series(s, (x) => x.observedRps, "Observed RPS"), ...series(s, (x) => x.predictedRps, "Predicted RPS")];
    const names = ["Observed RPS", "Predicted RPS"];
    out.push({ id: "rps", title: "Request rate (observed vs predicted)", spec: { marks: lines(rows, names, new Set(["Predicted RPS"])) }, ylabel: "req/s", legend: legend(names, new Set(["Predicted RPS"])) });
  }
  // 3. Sequence lengths.
  {
    const names = ["Observed ISL", "Predicted ISL", "Observed OSL", "Predicted OSL"];
    const rows = [...series(s, (x) => x.observedIsl, names[0]!), ...series(s, (x) => x.predictedIsl, names[1]!), ...series(s, (x) => x.observedOsl, names[2]!), ...series(s, (x) => x.predictedOsl, names[3]!)];
    const dashed = new Set([names[1]!, names[3]!]);
    out.push({ id: "seqlen", title: "Sequence lengths (observed vs predicted)", spec: { marks: lines(rows, names, dashed) }, ylabel: "tokens", legend: legend(names, dashed) });
  }
  // 4. KV hit rate.
  {
    const names = ["Observed KV hit rate", "Predicted KV hit rate", "Hit rate used by load scaling"];
    const rows = [...series(s, (x) => x.observedKvHitRate, names[0]!), ...series(s, (x) => x.predictedKvHitRate, names[1]!), ...series(s, (x) => x.kvHitRateUsed, names[2]!)];
    const dashed = new Set([names[1]!]);
    out.push({ id: "kvhit", title: "KV hit rate (observed vs predicted)", spec: { marks: lines(rows, names, dashed), y: { domain: [0, 1] } }, ylabel: "hit rate", legend: legend(names, dashed) });
  }
  // 5–6. TTFT and ITL, observed and estimated, against the SLA (a target: black dash-dot).
  for (const [id, title, obs, est, sla] of [
    ["ttft", "TTFT: observed and estimated vs SLA", (x: PlannerSnapshot) => x.observedTtftMs, (x: PlannerSnapshot) => x.estimatedTtftMs, input.ttftSlaMs],
    ["itl", "ITL: observed and estimated vs SLA", (x: PlannerSnapshot) => x.observedItlMs, (x: PlannerSnapshot) => x.estimatedItlMs, input.itlSlaMs],
  ] as const) {
    const names = ["Observed", "Estimated (max over engines)"];
    const rows = [...series(s, obs, names[0]!), ...series(s, est, names[1]!)];
    const marks = [...lines(rows, names, new Set([names[1]!])), targetRule(sla)];
    out.push({ id, title, spec: { marks }, ylabel: "ms", legend: [...legend(names, new Set([names[1]!])), { label: `SLA target (${sla} ms)`, color: TARGET_STYLE.stroke, mark: "target" }] });
  }
  // 7–8. Per-engine load.
  {
    const rows: Row[] = [];
    for (const x of s) for (const e of x.prefillEngineLoad) rows.push({ t: x.t, v: e.value, series: e.workerId });
    const marks = [Plot.line(rows, { x: "t", y: "v", z: "series", stroke: "#1f3a93", strokeOpacity: 0.6, strokeWidth: 1 })];
    out.push({ id: "prefill-load", title: disagg ? "Prefill engine load (queued prefill tokens)" : "Engine load (queued prefill tokens)", spec: { marks }, ylabel: "tokens", legend: [{ label: "one line per engine", color: "#1f3a93", mark: "line" }] });
  }
  {
    const rows: Row[] = [];
    for (const x of s) for (const e of x.decodeEngineLoad) rows.push({ t: x.t, v: e.value, series: e.workerId });
    const marks: PlotOptions["marks"] = [Plot.line(rows, { x: "t", y: "v", z: "series", stroke: "#2ca02c", strokeOpacity: 0.6, strokeWidth: 1 })];
    const items: LegendItem[] = [{ label: "one line per engine", color: "#2ca02c", mark: "line" }];
    if (input.kvCapacityTokens) {
      marks.push(targetRule(input.kvCapacityTokens));
      items.push({ label: `KV capacity (${input.kvCapacityTokens} tokens)`, color: TARGET_STYLE.stroke, mark: "target" });
    }
    out.push({ id: "decode-load", title: disagg ? "Decode engine load (scheduled + queued KV tokens)" : "Engine load (scheduled + queued KV tokens)", spec: { marks }, ylabel: "KV tokens", legend: items });
  }
  // 9. Engine capacity (only on throughput ticks).
  {
    const names = disagg ? ["Prefill engine RPS", "Decode engine RPS"] : ["Engine RPS"];
    const rows = disagg ? [...series(s, (x) => x.engineRpsPrefill, names[0]!), ...series(s, (x) => x.engineRpsDecode, names[1]!)] : series(s, (x) => x.engineRpsDecode, names[0]!);
    out.push({ id: "engine-rps", title: "Engine capacity (req/s per engine)", spec: { marks: [...lines(rows, names), Plot.dot(rows, { x: "t", y: "v", r: 2, fill: "series" })], color: { range: LINE_COLORS } }, ylabel: "req/s", legend: legend(names) });
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
    out.push({ id: `${kind}-decisions`, title: kind === "load" ? "Load scaling decisions" : "Throughput scaling decisions", spec: { marks, y: { domain: disagg ? ["prefill", "decode"] : ["agg"], label: null, grid: false } }, ylabel: "", legend: swatches(colors, used), height: disagg ? 120 : 90 });
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
    out.push({ id: "actuations", title: "Actuations (scale-up request → ready, by FMA path)", spec: { marks, y: { domain: pools, label: null, grid: false } }, ylabel: "", legend: swatches(PATH_COLORS, used), height: disagg ? 120 : 90 });
  }
  return out;
}

const FIT_PAD_PX = 2;

/** Every chart at one pair of horizontal margins: the report's, widened until no chart clips a label. */
function build(input: DiagnosticsReportInput): { charts: DiagnosticsChart[]; margins: Margins } {
  const all = specs(input);
  const dom = xDomain(input);
  let margins: Margins = { left: REPORT_GEOMETRY.marginLeft, right: REPORT_GEOMETRY.marginRight };
  let charts = all.map((c) => chart(c, dom, margins));
  for (let pass = 0; pass < 3; pass++) {
    let left = 0;
    let right = 0;
    for (const c of charts) {
      const { width, boxes } = svgTextBoxes(c.svg);
      const o = overflow(boxes, width, Number.POSITIVE_INFINITY);
      left = Math.max(left, o.left);
      right = Math.max(right, o.right);
    }
    if (left <= 0.5 && right <= 0.5) break;
    margins = { left: Math.ceil(margins.left + (left > 0.5 ? left + FIT_PAD_PX : 0)), right: Math.ceil(margins.right + (right > 0.5 ? right + FIT_PAD_PX : 0)) };
    charts = all.map((c) => chart(c, dom, margins));
  }
  return { charts, margins };
}

/**
 * The report's charts as standalone SVGs (same order as in the HTML).
 *
 * @example
 * ```ts
 * for (const c of diagnosticsCharts(runPlannerReplay(requests, config).report)) writeFileSync(`${c.id}.svg`, c.svg);
 * ```
 */
export function diagnosticsCharts(input: DiagnosticsReportInput): DiagnosticsChart[] {
  return build(input).charts;
}

/**
 * Replica transitions: actual count changes between consecutive snapshots (not decision ticks).
 *
 * @example
 * ```ts
 * const n = replicaTransitions(result.controller.snapshots);
 * ```
 */
export function replicaTransitions(snaps: readonly PlannerSnapshot[]): number {
  let n = 0;
  for (let i = 1; i < snaps.length; i++) {
    if (snaps[i]!.activeDecode !== snaps[i - 1]!.activeDecode) n++;
    if ((snaps[i]!.activePrefill ?? 0) !== (snaps[i - 1]!.activePrefill ?? 0)) n++;
  }
  return n;
}

/**
 * The whole report as one self-contained HTML document (no network).
 *
 * @example
 * ```ts
 * writeFileSync("report.html", renderDiagnosticsReport(runPlannerReplay(requests, config).report));
 * ```
 */
export function renderDiagnosticsReport(input: DiagnosticsReportInput): string {
  const { charts, margins } = build(input);
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
    .map((c) => `<section class="lx-chart" id="chart-${c.id}" data-x0="${x0}" data-x1="${x1}" data-ml="${margins.left}" data-mr="${margins.right}" data-mb="${g.marginBottom}" data-width="${g.width}" data-domain="${x0},${x1}"><div class="lx-plot">${c.svg}</div></section>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title ?? "Planner Diagnostics Report")}</title>
<style>
body{font-family:system-ui,sans-serif;margin:16px auto;max-width:${g.width + 40}px;color:#222}
h1{font-size:20px;margin:0 0 6px} .lx-chart{margin-top:14px}
table.lx-facts{border-collapse:collapse;font-size:12px;margin:6px 0} table.lx-facts td{padding:1px 10px 1px 0}
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
