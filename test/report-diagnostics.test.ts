/**
 * The planner diagnostics report on a synthetic series: self-contained HTML, every chart exports to
 * SVG/PNG, and in headless Chromium a brush on one chart narrows every other chart's x-domain
 * (reset restores it) with no console errors.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { diagnosticsCharts, renderDiagnosticsReport, replicaTransitions, clock, type DiagnosticsReportInput } from "../sdk/planner/diagnostics-report.js";
import { toPng, pngSize } from "../sdk/report/index.js";
import type { ActuationRecord, PlannerSnapshot } from "../sdk/planner/controller.js";
import { tempDir } from "./helpers/temp-dir.js";

function synth(n = 120, disagg = true): DiagnosticsReportInput {
  const snapshots: PlannerSnapshot[] = [];
  for (let i = 0; i < n; i++) {
    const thpt = i % 12 === 11;
    const wave = 1 + Math.round(2 + 2 * Math.sin(i / 10));
    snapshots.push({
      t: 5 * (i + 1), runLoad: !thpt, runThroughput: thpt, readyPrefill: disagg ? wave : null, readyDecode: wave + 1,
      throughputLowerBoundPrefill: disagg ? 2 : null, throughputLowerBoundDecode: 3,
      observedNumReq: 100 + i, observedRps: 2 + Math.sin(i / 7), observedIsl: 3000 + 10 * i, observedOsl: 200, observedTtftMs: 300 + 50 * Math.sin(i / 5), observedItlMs: 20 + 5 * Math.cos(i / 6), observedKvHitRate: 0.3,
      predictedNumReq: thpt ? 110 : null, predictedRps: thpt ? 2.1 : null, predictedIsl: thpt ? 3100 : null, predictedOsl: thpt ? 210 : null, predictedKvHitRate: thpt ? 0.28 : null, kvHitRateUsed: 0.28,
      estimatedTtftMs: 320 + 40 * Math.sin(i / 4), estimatedItlMs: 22, engineRpsPrefill: thpt ? 3.5 : null, engineRpsDecode: thpt ? 4.2 : null,
      loadReason: i % 3 === 0 ? "scale_up" : "no_change", loadReasonPrefill: disagg ? "no_change" : null, loadReasonDecode: i % 2 ? "scale_up" : "scale_down_capped_by_throughput",
      throughputReason: thpt ? "set_lower_bound" : null, throughputReasonPrefill: thpt && disagg ? "set_lower_bound" : null, throughputReasonDecode: thpt ? "set_lower_bound" : null,
      prefillEngineLoad: [{ workerId: "p0", value: 1000 * (i % 5) }, { workerId: "p1", value: 500 * (i % 3) }],
      decodeEngineLoad: [{ workerId: "d0", value: 200_000 + 1000 * i }],
      scaleToPrefill: null, scaleToDecode: null,
      activePrefill: disagg ? wave : null, activeDecode: wave + 1, provisionedPrefill: disagg ? wave : null, provisionedDecode: wave + 1, gpuHours: i * 0.01,
    });
  }
  const actuations: ActuationRecord[] = [
    { t: 60, pool: disagg ? "prefill" : "agg", workerId: "w9", path: "warm", delayMs: 60_000, readyAt: 120, cancelled: false, launcher: 0 },
    { t: 200, pool: disagg ? "decode" : "agg", workerId: "w10", path: "hot", delayMs: 5_000, readyAt: 205, cancelled: false, launcher: 0 },
    { t: 300, pool: disagg ? "decode" : "agg", workerId: "w11", path: "cold_launcher", delayMs: 90_000, readyAt: 390, cancelled: false, launcher: 1 },
  ];
  return { mode: disagg ? "disagg" : "agg", ttftSlaMs: 500, itlSlaMs: 50, snapshots, actuations, kvCapacityTokens: 262_144, summary: { "SLA attainment": 0.93 } };
}

test("report: self-contained HTML with the title block and every chart", () => {
  const input = synth();
  const html = renderDiagnosticsReport(input);
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /Planner Diagnostics Report/);
  assert.match(html, /Replica transitions<\/td><td>\d+/);
  assert.match(html, /GPU hours<\/td><td>1\.19/);
  assert.match(html, /TTFT=500ms, ITL=50ms/);
  // No network: no external scripts, stylesheets, images or fetches; only the SVG namespace URI.
  assert.doesNotMatch(html, /<script[^>]+src=|<link |<img |fetch\(|XMLHttpRequest/);
  const urls = html.match(/https?:\/\/[^\s"'<>)]+/g) ?? [];
  assert.deepEqual([...new Set(urls)], ["http://www.w3.org/2000/svg"]);
  const ids = [...html.matchAll(/<section class="lx-chart" id="chart-([\w-]+)"/g)].map((m) => m[1]);
  assert.deepEqual(ids, ["replicas", "rps", "seqlen", "kvhit", "ttft", "itl", "prefill-load", "decode-load", "engine-rps", "load-decisions", "throughput-decisions", "actuations"]);
  // Reason and path legends use the catalogue colours.
  assert.match(html, /scale_down_capped_by_throughput/);
  assert.match(html, /cold_launcher/);
  assert.equal(clock(3725), "01:02:05");
});

test("report: replica transitions count actual count changes, not decision ticks", () => {
  const s = synth(3).snapshots.map((x) => ({ ...x }));
  s[0]!.activeDecode = 2; s[1]!.activeDecode = 2; s[2]!.activeDecode = 3;
  s[0]!.activePrefill = 1; s[1]!.activePrefill = 2; s[2]!.activePrefill = 2;
  assert.equal(replicaTransitions(s), 2);
});

test("report: each chart exports to standalone SVG and PNG (agg layout has one decision track)", () => {
  const charts = diagnosticsCharts(synth(60, false));
  assert.equal(charts.length, 12);
  for (const c of charts) assert.match(c.svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const png = toPng(charts[0]!.svg);
  assert.equal(pngSize(png).width, 960);
  const decisions = charts.find((c) => c.id === "load-decisions")!.svg;
  assert.match(decisions, />agg</);
  assert.doesNotMatch(decisions, />prefill</);
});

const CHROMIUM = "/usr/bin/chromium";

test("report in headless Chromium: a brush on one chart narrows every chart's x-domain; reset restores it", { skip: existsSync(CHROMIUM) ? false : "no /usr/bin/chromium", timeout: 90_000 }, async () => {
  const { chromium } = await import("playwright-core");
  const dir = tempDir("report-");
  const file = join(dir, "report.html");
  writeFileSync(file, renderDiagnosticsReport(synth()));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => { if (!r.url().startsWith("file:")) requests.push(r.url()); });
    await page.goto(pathToFileURL(file).href);
    const domains = () => page.$$eval(".lx-chart", (els) => els.map((e) => (e as unknown as { dataset: Record<string, string> }).dataset.domain!));
    const full = await domains();
    assert.equal(new Set(full).size, 1);
    const cx = () => page.$$eval("#chart-engine-rps .lx-plot circle", (els) => els.map((e) => e.getAttribute("cx")));
    const cxBefore = await cx();
    // Brush on the first chart only.
    const box = (await page.locator("#chart-replicas .lx-overlay").boundingBox())!;
    await page.mouse.move(box.x + 200, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 450, box.y + box.height / 2, { steps: 6 });
    await page.mouse.up();
    const zoomed = await domains();
    assert.equal(new Set(zoomed).size, 1, "every chart shows the same domain");
    assert.notEqual(zoomed[0], full[0], "the domain changed");
    const [a, b] = zoomed[0]!.split(",").map(Number);
    const [f0, f1] = full[0]!.split(",").map(Number);
    assert.ok(a! > f0! && b! < f1! && b! > a!, `narrowed: ${zoomed[0]} inside ${full[0]}`);
    // Marks of another chart moved, and the custom axis shows clock labels of the new range.
    assert.notDeepEqual(await cx(), cxBefore);
    const ticks = await page.$$eval("#chart-itl .lx-axis text", (els) => els.map((e) => e.textContent));
    assert.ok(ticks.length > 0 && ticks.every((t) => /^\d\d:\d\d:\d\d$/.test(t ?? "")), JSON.stringify(ticks));
    // Wheel zoom on a different chart also propagates.
    await page.locator("#chart-ttft").scrollIntoViewIfNeeded();
    const box2 = (await page.locator("#chart-ttft .lx-overlay").boundingBox())!;
    await page.mouse.move(box2.x + box2.width / 2, box2.y + box2.height / 2);
    await page.mouse.wheel(0, -200);
    const wheeled = await domains();
    assert.equal(new Set(wheeled).size, 1);
    assert.notEqual(wheeled[0], zoomed[0]);
    await page.click("#lx-reset");
    assert.deepEqual(await domains(), full);
    assert.deepEqual(await cx(), cxBefore);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
  } finally {
    await browser.close();
  }
});
