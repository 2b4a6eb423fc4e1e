// Plots fit for a paper (issue 16): every chart kind, fed extreme values and long labels, keeps all its ink inside the SVG (measured by resvg with the PNG font), prints no text over other text, and says what it shows in its own title and legend.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Resvg } from "@resvg/resvg-js";
import { Plot, renderPlot, renderChart, svgTextBoxes, overlappingPairs, textWidth, toPng, pngSize, TARGET_STYLE } from "../sdk/report/index.js";
import { diagnosticsCharts, renderDiagnosticsReport, type DiagnosticsReportInput } from "../sdk/planner/diagnostics-report.js";
import { mainEffectsPlot, interactionPlotMatrix, paretoPlot, halfNormalPlot, residualsPlot, pureError } from "../sdk/doe/effect-plots.js";
import { lenth } from "../sdk/doe/effects.js";
import type { PlannerSnapshot } from "../sdk/planner/controller.js";

const FONT = { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" };
const LONG = "a-level-label-long-enough-to-run-into-its-neighbours";

/** Everything resvg draws (text as glyph outlines), checked against the SVG's own viewBox. */
function assertInsideFrame(name: string, svg: string): void {
  const vb = (/viewBox="([^"]+)"/.exec(svg)?.[1] ?? "").split(/\s+/).map(Number);
  assert.equal(vb.length, 4, `${name}: has a viewBox`);
  const [x0, y0, w, h] = vb as [number, number, number, number];
  const b = new Resvg(svg, { font: FONT }).getBBox();
  assert.ok(b, `${name}: draws something`);
  const slack = 0.5;
  assert.ok(b.x >= x0 - slack && b.y >= y0 - slack && b.x + b.width <= x0 + w + slack && b.y + b.height <= y0 + h + slack,
    `${name}: ink [${b.x.toFixed(1)}, ${b.y.toFixed(1)}, ${(b.x + b.width).toFixed(1)}, ${(b.y + b.height).toFixed(1)}] leaves the frame [${x0}, ${y0}, ${x0 + w}, ${y0 + h}]`);
}

function assertNoOverprint(name: string, svg: string): void {
  const pairs = overlappingPairs(svgTextBoxes(svg).boxes, 1);
  assert.deepEqual(pairs.map(([a, b]) => `${a.text} × ${b.text}`), [], `${name}: overprinted text`);
}

/** A 2×2×3 design with 2 replicates, responses from −20,000 to 1e9, one factor with long level names. */
function extremeRows(): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  let i = 0;
  for (const a of ["low", LONG]) for (const b of [1, 1e9]) for (const c of ["x", "y", "z"]) for (const rep of [0, 1]) {
    rows.push({ alpha_factor_with_a_long_name: a, beta: b, gamma: c, replicate: rep + 1, status: "ok", resp: a === "low" ? -20_000 - 500 * rep : 1e9 * (b > 1 ? 1 : 0.3) + 1e7 * rep + (i++ % 3) * 1e6 });
  }
  return rows;
}

function extremeSnapshots(n = 80): DiagnosticsReportInput {
  const snapshots: PlannerSnapshot[] = [];
  for (let i = 0; i < n; i++) {
    const big = i % 2 ? 1e9 : -20_000;
    snapshots.push({
      t: 3600 * 30 * (i + 1), runLoad: true, runThroughput: i % 5 === 0, readyPrefill: 3, readyDecode: 400,
      throughputLowerBoundPrefill: 2, throughputLowerBoundDecode: 300,
      observedNumReq: 1e9, observedRps: big, observedIsl: 1e9, observedOsl: 200, observedTtftMs: 1e9 * (i / n), observedItlMs: 20, observedKvHitRate: 0.3,
      predictedNumReq: 1e9, predictedRps: 1e9, predictedIsl: 1e9, predictedOsl: 210, predictedKvHitRate: 0.28, kvHitRateUsed: 0.28,
      estimatedTtftMs: -20_000 + i, estimatedItlMs: 1e9, engineRpsPrefill: 1e9, engineRpsDecode: -20_000,
      loadReason: "scale_up", loadReasonPrefill: "no_change", loadReasonDecode: "scale_down_capped_by_throughput",
      throughputReason: "set_lower_bound", throughputReasonPrefill: "set_lower_bound", throughputReasonDecode: "set_lower_bound",
      prefillEngineLoad: [{ workerId: "p0", value: 1e9 }], decodeEngineLoad: [{ workerId: "d0", value: -20_000 }],
      scaleToPrefill: null, scaleToDecode: null, activePrefill: 3, activeDecode: 400, provisionedPrefill: 3, provisionedDecode: 400, gpuHours: i,
    });
  }
  return { mode: "disagg", ttftSlaMs: 1e9, itlSlaMs: 50, snapshots, kvCapacityTokens: 1e9, actuations: [{ t: 60, pool: "decode", workerId: "w", path: "cold_launcher", delayMs: 9e7, readyAt: 90_060, cancelled: false, launcher: 0 }] };
}

test("text widths: the DejaVu table agrees with resvg's layout of the same strings (within 1 px + 2%)", () => {
  for (const [text, size] of [["−20,000", 10], ["1,000,000,000", 10], [LONG, 9], ["Interactions on resp: columns give the x factor", 13], ["µs ≤ 0.5 × ITL", 11]] as const) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="40"><text x="10" y="30" font-size="${size}" font-family="DejaVu Sans" xml:space="preserve">|${text}|</text></svg>`;
    const bars = `<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="40"><text x="10" y="30" font-size="${size}" font-family="DejaVu Sans">||</text></svg>`;
    const measured = new Resvg(svg, { font: FONT }).getBBox()!.width - new Resvg(bars, { font: FONT }).getBBox()!.width;
    const est = textWidth(text, size);
    assert.ok(Math.abs(est - measured) <= 1 + 0.02 * measured, `${text}: estimated ${est.toFixed(1)} px, resvg ${measured.toFixed(1)} px`);
  }
});

test("a bare Plot chart with tick labels −20,000 and 1e9 grows its margins instead of clipping them (was '20,000')", () => {
  const data = [{ x: -20_000, y: -20_000 }, { x: 1e9, y: 1e9 }];
  const fitted = renderPlot({ marks: [Plot.dot(data, { x: "x", y: "y" })] });
  assertInsideFrame("fitted", fitted);
  const raw = renderPlot({ marks: [Plot.dot([{ x: 1, y: -20_000 }, { x: 2, y: -15_000 }], { x: "x", y: "y" })] }, { fit: false });
  assert.throws(() => assertInsideFrame("unfitted", raw), /leaves the frame/, "the check catches Plot's clipped default");
});

test("every DOE chart kind with extreme values and long labels: inside the frame, no overprinted text, titled, with a legend", () => {
  const rows = extremeRows();
  const factors = ["alpha_factor_with_a_long_name", "beta", "gamma"];
  const effects = ["A", "B", "C", "AB", "AC", "BC", "ABC", LONG].map((label, i) => ({ term: label, label, effect: i === 0 ? 1e9 : i === 7 ? -20_000 : (i - 3) * 1000 }));
  const charts: [string, string, RegExp][] = [
    ["main effects", mainEffectsPlot(rows, "resp", factors), /Main effects on resp/],
    ["interactions", interactionPlotMatrix(rows, "resp", factors), /Interactions on resp/],
    ["pareto", paretoPlot(effects.map((e) => ({ label: e.label, standardized: e.effect / 1000 })), { value: 2.3, label: "t(0.975, 8) = 2.306" }), /Pareto chart/],
    ["half-normal", halfNormalPlot(lenth(effects)), /Half-normal plot/],
    ["residuals vs fitted", residualsPlot({ response: "resp", fitted: rows.map((_, i) => (i % 2 ? 1e9 : -20_000)), residuals: rows.map((_, i) => (i % 3 ? -20_000 : 1e9)), runOrder: rows.map((_, i) => i + 1) }), /Residuals vs fitted values/],
    ["residuals vs order", residualsPlot({ response: "resp", fitted: rows.map(() => 0), residuals: rows.map((_, i) => (i % 3 ? -20_000 : 1e9)), runOrder: rows.map((_, i) => i + 1) }, "order"), /Residuals vs run order/],
  ];
  for (const [name, svg, title] of charts) {
    assertInsideFrame(name, svg);
    assertNoOverprint(name, svg);
    const header = /<g aria-label="chart-header"[^>]*>([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? "";
    assert.match(header, title, `${name}: title in its own SVG`);
    assert.ok((header.match(/<text/g) ?? []).length >= 2, `${name}: a legend beside the title`);
    // The standalone PNG is the whole SVG, header included.
    const { height } = pngSize(toPng(svg));
    assert.equal(height, Number(/height="([\d.]+)"/.exec(svg)![1]), `${name}: PNG height`);
  }
  // The interaction matrix names every line in its legend and writes no label next to a point.
  const matrix = charts[1]![1];
  for (const label of ["alpha_factor_with_a_long_name=low", "beta=1", "beta=1000000000", "gamma=z"]) assert.ok(matrix.includes(`>${label}<`), label);
  assert.match(matrix, /lines: gamma/);
});

test("replicated designs carry 95% confidence intervals from the pooled replicate error; unreplicated ones do not", () => {
  const rows: Record<string, string | number>[] = extremeRows().map((r) => ({ ...r, resp: Number(r.gamma === "x" ? 10 : 20) + Number(r.replicate) }));
  const err = pureError(rows, "resp", ["alpha_factor_with_a_long_name", "beta", "gamma"]);
  // Each treatment has runs base+1 and base+2: s² = Σ 0.5 / 12 = 0.5, df = 12.
  assert.deepEqual(err && { s: err.s.toFixed(6), df: err.df }, { s: Math.sqrt(0.5).toFixed(6), df: 12 });
  const me = mainEffectsPlot(rows, "resp", ["gamma", "beta", "alpha_factor_with_a_long_name"]);
  const bars = [...me.matchAll(/<g transform="[^"]*" stroke-width="1\.5" stroke="steelblue">([\s\S]*?)<\/g>/g)].map((m) => m[1]!).join("");
  assert.equal((bars.match(/<line/g) ?? []).length, 7, "one bar per level mean (3 gamma + 2 beta + 2 alpha)");
  assert.match(me, />95% CI</);
  assert.match(me, /pooled s = 0\.707, df 12/);
  const single = rows.filter((r) => r.replicate === 1);
  assert.equal(pureError(single, "resp", ["alpha_factor_with_a_long_name", "beta", "gamma"]), null);
  assert.doesNotMatch(mainEffectsPlot(single, "resp", ["gamma", "beta", "alpha_factor_with_a_long_name"]), /95% CI/);
});

test("diagnostics charts with extreme values: inside the frame, one shared left margin, titled, the SLA target styled apart from the estimate", () => {
  const input = extremeSnapshots();
  const charts = diagnosticsCharts(input);
  assert.equal(charts.length, 12);
  const lefts = new Set<string>();
  for (const c of charts) {
    assertInsideFrame(c.id, c.svg);
    assert.ok(c.svg.includes(`>${c.title}<`), `${c.id}: title in the SVG`);
    lefts.add(/aria-label="y-axis tick"[^>]*>\s*<path[^>]*translate\(([\d.]+),/.exec(c.svg)?.[1] ?? "none");
  }
  lefts.delete("none");
  assert.equal(lefts.size, 1, `one left margin for the linked axes: ${[...lefts].join(", ")}`);
  const ml = Number([...lefts][0]);
  assert.ok(ml > 72, "widened for 1,000,000,000");
  assert.match(renderDiagnosticsReport(input), new RegExp(`data-ml="${ml}"`));
  const ttft = charts.find((c) => c.id === "ttft")!.svg;
  const estimate = /stroke="#d62728"[^>]*stroke-dasharray="([^"]+)"/.exec(ttft)?.[1];
  const target = new RegExp(`stroke="${TARGET_STYLE.stroke}"[^>]*stroke-dasharray="([^"]+)"`).exec(ttft)?.[1];
  assert.ok(estimate && target, "both drawn dashed");
  assert.notEqual(target, estimate, "the target and the estimate have different dashes");
  assert.match(ttft, />SLA target \(1000000000 ms\)</);
});

test("renderChart puts the header above Plot's layout (viewBox starts above 0) so nothing moves and nothing overlaps", () => {
  const spec = { width: 300, height: 200, marks: [Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" })] };
  const plain = renderPlot(spec);
  const { svg } = renderChart(spec, { title: "A title", legend: [{ label: "series", color: "red" }], note: "a note" });
  assert.match(svg, /viewBox="0 -\d+ 300 \d+"/);
  // Plot's own marks are byte-identical below the header.
  const body = (s: string) => s.slice(s.indexOf(">") + 1).replace(/<g aria-label="chart-header"[\s\S]*$/, "");
  assert.equal(body(svg), body(plain).replace(/<\/svg>$/, ""));
  assertNoOverprint("header", svg);
  assertInsideFrame("header", svg);
});
