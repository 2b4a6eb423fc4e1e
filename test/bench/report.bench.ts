// Plots fit for a paper, at what cost: fitting margins to the text (extra Plot renders), headers, and the diagnostics report's shared margin.
import { Plot, renderPlot, renderChart, toPng } from "../../sdk/report/index.js";
import { diagnosticsCharts } from "../../sdk/planner/diagnostics-report.js";
import { interactionPlotMatrix, mainEffectsPlot } from "../../sdk/doe/effect-plots.js";
import type { PlannerSnapshot } from "../../sdk/planner/controller.js";
import { figure, timeIt } from "./measure.js";

const REPS = 11;
/** Median ms of `fn` over REPS runs (after one warm-up). */
function median(fn: () => unknown): number {
  fn();
  const ms = Array.from({ length: REPS }, () => timeIt(fn).ms).sort((a, b) => a - b);
  return ms[Math.floor(REPS / 2)]!;
}

console.log(`report: plot fitting and headers (median of ${REPS}; goal: fitting costs ≤ 3× an unfitted render, and a chart that needs nothing costs ≤ 1.3×)`);
const fits = Array.from({ length: 500 }, (_, i) => ({ x: i, y: -20_000 + i * 2e6 }));
const needs = { marks: [Plot.dot(fits, { x: "x", y: "y" })] };
const plain = { marks: [Plot.dot(fits.map((d) => ({ x: d.x, y: d.x })), { x: "x", y: "y" })] };
const raw = median(() => renderPlot(needs, { fit: false }));
const fitted = median(() => renderPlot(needs));
figure("renderPlot, ticks −20,000…1e9, unfitted", raw, "ms");
figure("renderPlot, same, margins fitted", fitted, "ms");
figure("  ratio (goal ≤ 3)", fitted / raw, "×", 2);
const rawPlain = median(() => renderPlot(plain, { fit: false }));
const fitPlain = median(() => renderPlot(plain));
figure("renderPlot, nothing to fit: ratio (goal ≤ 1.3)", fitPlain / rawPlain, "×", 2);
figure("renderChart with title + 3-item legend", median(() => renderChart(needs, { title: "A title", legend: [{ label: "a", color: "red" }, { label: "b", color: "blue", mark: "dash" }, { label: "SLA", color: "black", mark: "target" }] })), "ms");

const rows: Record<string, string | number>[] = [];
for (const a of ["low", "high"]) for (const b of [1, 2, 4]) for (const c of ["x", "y"]) for (const rep of [1, 2]) rows.push({ a, b, c, rep, y: (a === "low" ? 1 : 3) * b + (c === "x" ? 0 : 0.5) + rep * 0.1 });
figure("mainEffectsPlot (3 factors, replicated: CIs)", median(() => mainEffectsPlot(rows, "y", ["a", "b", "c"])), "ms");
figure("interactionPlotMatrix (3 factors)", median(() => interactionPlotMatrix(rows, "y", ["a", "b", "c"])), "ms");

const snapshots: PlannerSnapshot[] = Array.from({ length: 720 }, (_, i) => ({
  t: 5 * (i + 1), runLoad: true, runThroughput: i % 12 === 0, readyPrefill: null, readyDecode: 2 + (i % 5),
  throughputLowerBoundPrefill: null, throughputLowerBoundDecode: 2, observedNumReq: 100, observedRps: 2 + Math.sin(i / 20), observedIsl: 3000, observedOsl: 200,
  observedTtftMs: 400 + 300 * Math.sin(i / 30), observedItlMs: 20, observedKvHitRate: 0.3, predictedNumReq: 100, predictedRps: 2, predictedIsl: 3000, predictedOsl: 200,
  predictedKvHitRate: 0.3, kvHitRateUsed: 0.3, estimatedTtftMs: 450, estimatedItlMs: 22, engineRpsPrefill: null, engineRpsDecode: 4,
  loadReason: "no_change", loadReasonPrefill: null, loadReasonDecode: null, throughputReason: i % 12 === 0 ? "set_lower_bound" : null, throughputReasonPrefill: null, throughputReasonDecode: null,
  prefillEngineLoad: [{ workerId: "w0", value: 1000 * (i % 7) }], decodeEngineLoad: [{ workerId: "w0", value: 1e9 * (i % 3) }],
  scaleToPrefill: null, scaleToDecode: null, activePrefill: null, activeDecode: 2 + (i % 5), provisionedPrefill: null, provisionedDecode: 2 + (i % 5), gpuHours: i / 100,
}));
const charts = timeIt(() => diagnosticsCharts({ mode: "agg", ttftSlaMs: 500, itlSlaMs: 50, snapshots, kvCapacityTokens: 1e9 }));
figure("diagnosticsCharts, 12 charts, 1 h of ticks, 1e9 KV ticks", charts.ms, "ms");
figure("toPng of the 12 charts", timeIt(() => charts.value.forEach((c) => toPng(c.svg))).ms, "ms");
