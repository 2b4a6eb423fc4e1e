/**
 * The planner's documented rules with hand-computed expected values (shared/docs/dynamo.md §3).
 * Each expected number is derived in the comment beside it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fitLinear } from "../sdk/planner/lstsq.js";
import { clampKvHitRate } from "../sdk/planner/kv-hit.js";
import { budgetClamp, globalBudget } from "../sdk/planner/budget.js";
import { aggregateLoadReason } from "../sdk/planner/reasons.js";
import { AggRegression, BucketedRegression, DecodeRegression, PrefillRegression, aggMaxBatch, chunks } from "../sdk/planner/regression.js";
import { ArimaPredictor, ConstantPredictor, KalmanPredictor } from "../sdk/planner/predictors.js";
import { PlannerStateMachine, scaleDecision, fpmMatchesWorkers } from "../sdk/planner/state-machine.js";
import { aggDecodeConsolidation, aggPrefillConsolidation, consolidationFactor, decodeConsolidation, prefillConsolidation } from "../sdk/planner/consolidation.js";
import { parsePlannerConfig, DEFAULT_ENGINE_CAPABILITIES, type PlannerConfig } from "../sdk/planner/config.js";
import { easyDecision } from "../sdk/planner/easy-mode.js";
import type { ScheduledTick, TickInput, WorkerFpm } from "../sdk/planner/types.js";

const close = (a: number | undefined, b: number, tol = 1e-9, msg?: string) => {
  assert.ok(a !== undefined && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${msg ?? ""} expected ${b}, got ${a}`);
};

const caps = DEFAULT_ENGINE_CAPABILITIES;
const cfg = (raw: Record<string, unknown>): PlannerConfig => parsePlannerConfig(raw, { engineCapabilities: { prefill: caps, decode: caps } });

// Linear prefill data: wall = 0.001 + 1e-5·tokens (s), tokens 1000…5000 → avg ISL 3000.
function prefillModel(): PrefillRegression {
  const m = new PrefillRegression();
  for (const t of [1000, 2000, 3000, 4000, 5000]) m.observe({ numPrefill: 1, sumPrefillTokens: t, numDecode: 0, sumDecodeKvTokens: 0, wallTimeS: 0.001 + 1e-5 * t });
  return m;
}
// Decode data on a non-collinear grid: wall = 0.002 + 1e-4·bs + 1e-7·kv.
function decodeModel(coefBs = 1e-4, coefKv = 1e-7): DecodeRegression {
  const m = new DecodeRegression();
  for (const bs of [1, 8, 32]) for (const kv of [10_000, 100_000, 400_000]) m.observe({ numPrefill: 0, sumPrefillTokens: 0, numDecode: bs, sumDecodeKvTokens: kv, wallTimeS: 0.002 + coefBs * bs + coefKv * kv });
  return m;
}

test("KV hit-rate clamp: None/NaN → 0, [0, 0.95] otherwise", () => {
  assert.equal(clampKvHitRate(null), 0);
  assert.equal(clampKvHitRate(undefined), 0);
  assert.equal(clampKvHitRate(Number.NaN), 0);
  assert.equal(clampKvHitRate(-0.2), 0);
  assert.equal(clampKvHitRate(0.5), 0.5);
  assert.equal(clampKvHitRate(0.97), 0.95);
  assert.equal(clampKvHitRate(1), 0.95);
});

test("KV discount applies to (queued + avg ISL) in the TTFT estimate, with MBT chunking", () => {
  const m = prefillModel();
  close(m.avgIsl.value, 3000);
  // no hit: (1000 + 3000) = 4000 tokens → 0.001 + 0.04 = 0.041 s
  close(m.estimateNextTtftMs(1000, 8192, null), 41, 1e-9);
  // hit 0.5: 2000 tokens → 0.021 s
  close(m.estimateNextTtftMs(1000, 8192, 0.5), 21, 1e-9);
  // hit 1.0 clamps to 0.95: 200 tokens → 0.003 s
  close(m.estimateNextTtftMs(1000, 8192, 1.0), 3, 1e-9);
  // NaN → no discount
  close(m.estimateNextTtftMs(1000, 8192, Number.NaN), 41, 1e-9);
  // MBT 1500: chunks 1500, 1500, 1000 → 3 intercepts: 0.016 + 0.016 + 0.011 = 0.043 s
  assert.deepEqual(chunks(4000, 1500), [1500, 1500, 1000]);
  close(m.estimateNextTtftMs(1000, 1500, null), 43, 1e-9);
});

test("prefill engine RPS chunks prompts longer than MBT (strict >)", () => {
  const m = prefillModel();
  // isl 10000 > 8192: 2 passes → wt(8192) + wt(1808) = 0.08292 + 0.01908 = 0.102 s
  close(m.findBestEngineRps(10_000, 8192)!.engineRps, 1 / 0.102);
  // isl == MBT is one pass: 0.08292 s
  close(m.findBestEngineRps(8192, 8192)!.ttftMs, 82.92);
});

test("decode engine RPS: binary-searched batch under the ITL SLA, Little's law", () => {
  const m = decodeModel();
  // isl 3000, osl 100 → ctx 3050; kv cap floor(1048576/3050) = 343, seq cap 256 → ≤ 256.
  // wt(bs) = 0.002 + 1e-4·bs + 3.05e-4·bs = 0.002 + 4.05e-4·bs ≤ 0.05 → bs ≤ 118.5 → 118
  const r = m.findBestEngineRps(3000, 100, 50, { maxKvTokens: 1_048_576, maxNumSeqs: 256 })!;
  assert.equal(r.batch, 118);
  close(r.engineRps, 118 / (100 * (0.002 + 4.05e-4 * 118)), 1e-9);
  // A tight KV cap binds: 30500 KV tokens → kv cap 10
  assert.equal(m.findBestEngineRps(3000, 100, 50, { maxKvTokens: 30_500, maxNumSeqs: 256 })!.batch, 10);
});

test("GPU budget: the documented allocation vectors", () => {
  assert.deepEqual(globalBudget(6, 6, 1, 1, 8, 1), [4, 4]);
  assert.deepEqual(globalBudget(2, 9, 1, 1, 8, 1), [1, 7]);
  assert.deepEqual(globalBudget(4, 8, 2, 1, 10, 1), [2, 6]);
  assert.deepEqual(globalBudget(3, 3, 1, 1, 1, 1), [0, 0]);
  assert.deepEqual(globalBudget(30, 40, 1, 1, -1, 1), [30, 40]);
  assert.equal(budgetClamp(12, 1, 8, 1), 8);
  assert.equal(budgetClamp(5, 2, 8, 1), 4);
  assert.equal(budgetClamp(3, 4, 8, 1), 2);
  assert.equal(budgetClamp(0, 1, 8, 1), 1); // raised to min_endpoint
  assert.equal(budgetClamp(3, 4, 3, 1), 0); // budget below one engine
});

test("batch-size cap on the PR #8280 workload shape is 29", () => {
  // kv cap = int(262144 / (8844 + 173/2)) = int(29.35) = 29; balance bound 173·8192/(8844+173) = 157.2
  const r = aggMaxBatch(8844, 173, { maxNumBatchedTokens: 8192, maxKvTokens: 262_144, maxNumSeqs: 256 });
  assert.equal(r.kvCap, 29);
  close(r.balanceBound, (173 * 8192) / (8844 + 173), 1e-12);
  assert.equal(r.maxBatch, 29);
  // With KV out of the way the balance bound binds: floor(157.2) = 157
  assert.equal(aggMaxBatch(8844, 173, { maxNumBatchedTokens: 8192, maxKvTokens: 1e9, maxNumSeqs: 1000 }).maxBatch, 157);
  // A KV hit rate of 0.5 halves the prefill side: 173·8192/(4422+173) = 308.4 → 308
  assert.equal(aggMaxBatch(8844, 173, { maxNumBatchedTokens: 8192, maxKvTokens: 1e9, maxNumSeqs: 1000 }, 0.5).maxBatch, 308);
});

test("least squares: minimum-norm solution on collinear agg data", () => {
  // d = 10p, wall = 0.002p + 0.001 → coef = 0.002·(1, 10)/101 = (1.980e-5, 1.980e-4), intercept 0.001
  const X = [1000, 2000, 3000, 4000, 5000].map((p) => [p, 10 * p]);
  const y = X.map(([p]) => 0.002 * p! + 0.001);
  const f = fitLinear(X, y);
  close(f.coef[0], 0.002 / 101, 1e-9);
  close(f.coef[1], 0.02 / 101, 1e-9);
  close(f.intercept, 0.001, 1e-9);
  assert.equal(f.rank, 1);
  // The agg model uses it: predictions on the data line are exact.
  const m = new AggRegression();
  X.forEach(([p, d], i) => m.observe({ numPrefill: 1, sumPrefillTokens: p!, numDecode: 1, sumDecodeKvTokens: d!, wallTimeS: y[i]! }));
  close(m.wallTime(2500, 25_000), 0.002 * 2500 + 0.001, 1e-9);
  // Full-rank data recovers the generating plane exactly.
  const g = fitLinear([[1, 2], [2, 1], [3, 5], [4, 4], [0, 1]], [[1, 2], [2, 1], [3, 5], [4, 4], [0, 1]].map(([a, b]) => 3 + 2 * a! - 0.5 * b!));
  close(g.coef[0], 2);
  close(g.coef[1], -0.5);
  close(g.intercept, 3);
});

test("regression: negative coefficients reject, except the relaxable decode batch coefficient", () => {
  // Prefill with a negative slope → rejected → not ready, no estimate.
  const p = new PrefillRegression();
  for (const t of [1000, 2000, 3000, 4000, 5000]) p.observe({ numPrefill: 1, sumPrefillTokens: t, numDecode: 0, sumDecodeKvTokens: 0, wallTimeS: 0.1 - 1e-5 * t });
  assert.equal(p.reg.fit().status, "rejected_negative_coefficient");
  assert.equal(p.estimateNextTtftMs(0, 8192), undefined);
  assert.equal(p.findBestEngineRps(3000, 8192), undefined);
  // Decode: batch coefficient −2e-4 (beyond the 1e-6 tolerance) → clamped to 0, intercept kept (0.002).
  const d = decodeModel(-2e-4, 1e-7);
  const f = d.reg.fit();
  assert.equal(f.status, "ok");
  assert.deepEqual(f.clamped, [0]);
  assert.equal(f.coef[0], 0);
  close(f.intercept, 0.002, 1e-9);
  close(d.wallTime(10, 100_000), 0.002 + 0.01, 1e-9); // no batch term
  // Within tolerance (−5e-7) the coefficient is kept as is.
  const k = decodeModel(-5e-7, 1e-7).reg.fit();
  assert.deepEqual(k.clamped, []);
  close(k.coef[0], -5e-7, 1e-6);
  // A negative KV coefficient is not relaxable → rejected.
  assert.equal(decodeModel(1e-4, -1e-9).reg.fit().status, "rejected_negative_coefficient");
  // Fewer than min_observations → not ready.
  const r = new BucketedRegression(1, { minObservations: 5, maxSamples: 64, bucketCount: 16 });
  for (let i = 1; i <= 4; i++) r.add([i], i);
  assert.equal(r.fit().status, "not_enough_samples");
});

test("regression: heartbeats are not stored; the store is bounded with bucketed retirement", () => {
  const p = new PrefillRegression({ minObservations: 2, maxSamples: 8, bucketCount: 4 });
  p.observe({ numPrefill: 0, sumPrefillTokens: 0, numDecode: 0, sumDecodeKvTokens: 0, wallTimeS: 0 });
  assert.equal(p.reg.size, 0);
  // 20 samples at the low end and 2 at the high end: the high-end ones survive retirement.
  for (let i = 0; i < 20; i++) p.observe({ numPrefill: 1, sumPrefillTokens: 100 + i, numDecode: 0, sumDecodeKvTokens: 0, wallTimeS: 0.01 });
  p.observe({ numPrefill: 1, sumPrefillTokens: 8000, numDecode: 0, sumDecodeKvTokens: 0, wallTimeS: 0.1 });
  p.observe({ numPrefill: 1, sumPrefillTokens: 7990, numDecode: 0, sumDecodeKvTokens: 0, wallTimeS: 0.1 });
  for (let i = 0; i < 10; i++) p.observe({ numPrefill: 1, sumPrefillTokens: 120 + i, numDecode: 0, sumDecodeKvTokens: 0, wallTimeS: 0.01 });
  assert.equal(p.reg.size, 8);
  assert.ok(p.wallTime(8000)! > 0.09, "high-end samples were kept");
});

test("load decision: +1 when every estimate exceeds the SLA, −1 only when the consolidation check allows it", () => {
  assert.equal(scaleDecision([600, 700], 500, 3, 1, false), 4);
  assert.equal(scaleDecision([600, 700], 500, 3, 1, true), 4); // up wins
  assert.equal(scaleDecision([600, 300], 500, 3, 1, false), 3);
  assert.equal(scaleDecision([399, 100], 500, 3, 1, true), 2);
  // Estimates no longer gate the −1 (the old rule needed all < 0.8 × SLA): the verdict does.
  assert.equal(scaleDecision([450, 100], 500, 3, 1, true), 2);
  assert.equal(scaleDecision([100, 100], 500, 3, 1, false), 3);
  assert.equal(scaleDecision([100], 500, 1, 1, true), 1); // n = 1 never scales down
  assert.equal(scaleDecision([100, 100], 500, 2, 2, true), 2); // min_endpoint
  assert.equal(scaleDecision([], 500, 3, 1, true), undefined);
});

test("consolidation check: factor n/(n−1), truncated backlogs, TTFT queue budget and ITL / KV limits", () => {
  assert.equal(consolidationFactor(1), 1);
  assert.equal(consolidationFactor(2), 2);
  assert.equal(consolidationFactor(4), 4 / 3);
  // Prefill: TTFT(q) = 10 + q/100 ms; own = 10 ms; SLA 100 at 80 % → queue budget (100 − 10) × 0.8 = 72 ms.
  const seen: number[] = [];
  const ttft = (q: number) => { seen.push(q); return 10 + q / 100; };
  // n = 3 → ×1.5: 4000 → 6000 → wait 60 < 72 (allowed); 4801 → trunc(7201.5) = 7201 → 72.01 ≥ 72 (refused).
  assert.deepEqual(prefillConsolidation([4000, 1000], 3, 100, 80, ttft), { canScaleDown: true, refused: false });
  assert.deepEqual(seen, [0, 6000, 1500]);
  assert.deepEqual(prefillConsolidation([1000, 4801], 3, 100, 80, ttft), { canScaleDown: false, refused: true });
  // Own compute alone over the SLA: no budget, refused whatever the queues.
  assert.deepEqual(prefillConsolidation([0], 2, 100, 80, () => 120), { canScaleDown: false, refused: true });
  // No estimate (model not fitted) or a single engine: no scale-down, and no refusal either.
  assert.deepEqual(prefillConsolidation([0, 0], 2, 100, 80, () => undefined), { canScaleDown: false, refused: false });
  assert.deepEqual(prefillConsolidation([0], 1, 100, 80, ttft), { canScaleDown: false, refused: false });
  // Decode: ITL(kv) = 5 + kv/10,000 ms; SLA 50 at 80 % → limit 40 ms ⇔ kv < 350,000 after ×2.
  const itl = (kv: number) => 5 + kv / 10_000;
  assert.deepEqual(decodeConsolidation([{ scheduled: 100_000, queued: 74_999 }], 2, 50, 80, 1_048_576, itl), { canScaleDown: true, refused: false });
  assert.deepEqual(decodeConsolidation([{ scheduled: 100_000, queued: 75_000 }], 2, 50, 80, 1_048_576, itl), { canScaleDown: false, refused: true });
  // KV fit: 2 × 300,000 ≥ 500,000 refuses even with a lax SLA; without max_kv_tokens only the SLA counts.
  assert.deepEqual(decodeConsolidation([{ scheduled: 300_000, queued: 0 }], 2, 10_000, 80, 500_000, itl), { canScaleDown: false, refused: true });
  assert.deepEqual(decodeConsolidation([{ scheduled: 300_000, queued: 0 }], 2, 10_000, 80, undefined, itl), { canScaleDown: true, refused: false });
  // Agg: queued prefill joins the KV on the decode side; the prefill side scales both backlogs.
  assert.deepEqual(aggDecodeConsolidation([{ queuedPrefill: 75_000, scheduledKv: 100_000, queuedKv: 0 }], 2, 50, 80, 1_048_576, itl), { canScaleDown: false, refused: true });
  const calls: [number, number][] = [];
  const aggTtft = (q: number, kv: number) => { calls.push([q, kv]); return 10 + q / 100 + kv / 100_000; };
  // n = 2: q 3000 → 6000, kv 50,000 + 10,001 → 120,002; own = 10 + 1.20002; wait 60 < (100 − 11.20002) × 0.8 = 71.04.
  assert.deepEqual(aggPrefillConsolidation([{ queuedPrefill: 3000, scheduledKv: 50_000, queuedKv: 10_001 }], 2, 100, 80, aggTtft), { canScaleDown: true, refused: false });
  assert.deepEqual(calls, [[0, 120_002], [6000, 120_002]]);
  assert.deepEqual(aggPrefillConsolidation([{ queuedPrefill: 3600, scheduledKv: 50_000, queuedKv: 10_001 }], 2, 100, 80, aggTtft), { canScaleDown: false, refused: true });
});

/** Disagg SLA planner (load only) fitted on the linear data above, and a load tick. */
function refusalCase(extra: Record<string, unknown> = {}) {
  const sm = fittedDisagg({ enable_throughput_scaling: false, ttft: 100, itl: 50, ...extra });
  const load: ScheduledTick = { at: 5, runLoad: true, runThroughput: false, needTraffic: false, trafficDurationS: 0, needWorkerFpm: true };
  return { sm, load };
}

test("load path: a scale-down the survivors could not absorb is refused (scale_down_refused_consolidation)", () => {
  // Prefill: TTFT(q) = 1 + 0.01·(q + ISL) ms per chunk of ≤ 8192 tokens. ISL is the moving average of the five
  // fitted 3000-token passes and the tick's two idle snapshots (a pass without prefill counts as ISL 0, as in
  // Dynamo): 15000 / 7 = 2142.9 → own 22.4 ms; SLA 100 at 80 % → budget 62.1 ms of queue wait.
  // Queues 2000 and 2500 on 2 engines: estimates 42.4 and 47.4 ms (all < 0.8 × 100, so the old rule went 2 → 1);
  // consolidated the second waits 0.01 × 5000 = 50 < 62.1 → allowed. At 3100 (estimate 53.4 ms) the survivor
  // would hold 6200 + 2142.9 tokens, two chunks (8192 + 150.9): 85.4 ms, a 63 ms wait ≥ 62.1 → refused.
  const a = refusalCase();
  const ok = a.sm.onTick(a.load, { now: 5, counts: counts(2, 1), fpm: { prefill: [{ ...idle("p0"), queuedPrefillTokens: 2000 }, { ...idle("p1"), queuedPrefillTokens: 2500 }], decode: ids("d", 1) } });
  assert.deepEqual(ok.scaleTo, { prefill: 1, decode: 1 });
  assert.equal(ok.diagnostics.loadReasonPrefill, "scale_down");
  const b = refusalCase();
  const no = b.sm.onTick(b.load, { now: 5, counts: counts(2, 1), fpm: { prefill: [{ ...idle("p0"), queuedPrefillTokens: 2000 }, { ...idle("p1"), queuedPrefillTokens: 3100 }], decode: ids("d", 1) } });
  close(no.diagnostics.estimatedTtftMs!, 1 + 0.01 * (3100 + 15000 / 7), 1e-9);
  assert.equal(no.scaleTo, undefined);
  assert.equal(no.diagnostics.loadReasonPrefill, "scale_down_refused_consolidation");
  assert.equal(no.diagnostics.loadReasonDecode, "no_change");
  assert.equal(no.diagnostics.loadReason, "scale_down_refused_consolidation");
  // Decode: ITL(kv) = 0.002 + 1e-4·(avg bs + 1) + 1e-7·(kv + avg ctx); idle engines pass easily, but a
  // KV cache that would overflow after consolidation refuses (max_kv_tokens 1,048,576 by default).
  const c = refusalCase({ itl: 100_000 });
  const kvFull = c.sm.onTick(c.load, { now: 5, counts: counts(1, 2), fpm: { prefill: ids("p", 1), decode: [{ ...idle("d0"), sumDecodeKvTokens: 600_000 }, idle("d1")] } });
  assert.equal(kvFull.scaleTo, undefined);
  assert.equal(kvFull.diagnostics.loadReasonDecode, "scale_down_refused_consolidation");
  const d = refusalCase({ itl: 100_000 });
  const kvFits = d.sm.onTick(d.load, { now: 5, counts: counts(1, 2), fpm: { prefill: ids("p", 1), decode: [{ ...idle("d0"), sumDecodeKvTokens: 500_000 }, idle("d1")] } });
  assert.deepEqual(kvFits.scaleTo, { prefill: 1, decode: 1 });
  // A component that scales shows its own reason; a refusal on the other side is then plain no_change.
  const e = refusalCase();
  const up = e.sm.onTick(e.load, { now: 5, counts: counts(2, 2), fpm: { prefill: [{ ...idle("p0"), queuedPrefillTokens: 2000 }, { ...idle("p1"), queuedPrefillTokens: 3100 }], decode: [{ ...idle("d0"), sumDecodeKvTokens: 600_000 }, { ...idle("d1"), sumDecodeKvTokens: 600_000 }] } });
  assert.deepEqual(up.scaleTo, { prefill: 2, decode: 3 }); // ITL over 50 ms on both: up
  assert.ok(up.diagnostics.estimatedItlMs! > 50, `ITL ${up.diagnostics.estimatedItlMs}`);
  assert.equal(up.diagnostics.loadReasonPrefill, "no_change");
  assert.equal(up.diagnostics.loadReason, "scale_up");
});

test("agg load path: a refusal on one side holds the fleet even when the other side would scale down", () => {
  // Agg data: wall = 0.002 + 1e-5·prefill tokens + 1e-7·decode KV, on a non-collinear grid.
  const sm = new PlannerStateMachine(cfg({ mode: "agg", optimization_target: "sla", enable_load_scaling: true, enable_throughput_scaling: false, ttft: 200, itl: 100_000, max_gpu_budget: -1 }));
  const pts = [0, 1000, 4000].flatMap((p) => [10_000, 100_000, 300_000].map((kv) => ({ numPrefill: p > 0 ? 1 : 0, sumPrefillTokens: p, numDecode: 8, sumDecodeKvTokens: kv, wallTimeS: 0.002 + 1e-5 * p + 1e-7 * kv })));
  sm.bootstrap({ prefill: pts, decode: [] });
  const load: ScheduledTick = { at: 5, runLoad: true, runThroughput: false, needTraffic: true, trafficDurationS: 5, needWorkerFpm: true };
  const agg = (q: number) => [{ ...idle("a0"), queuedPrefillTokens: q }, idle("a1")];
  // Light queue: both sides allow 2 → 1.
  const light = sm.onTick(load, { now: 5, counts: { decode: { ready: 2, expected: 2 } }, fpm: { prefill: [], decode: agg(1000) } });
  assert.deepEqual(light.scaleTo, { decode: 1 });
  // Queue 12,000 tokens on one engine: TTFT below the 200 ms SLA now, but 24,000 after consolidation is
  // more wait than (200 − own) × 0.8 allows → refused; the ITL side (lax SLA) alone would have gone 2 → 1.
  const heavy = sm.onTick({ ...load, at: 10 }, { now: 10, counts: { decode: { ready: 2, expected: 2 } }, fpm: { prefill: [], decode: agg(12_000) } });
  assert.ok(heavy.diagnostics.estimatedTtftMs! < 200, `TTFT ${heavy.diagnostics.estimatedTtftMs}`);
  assert.equal(heavy.scaleTo, undefined);
  assert.equal(heavy.diagnostics.loadReason, "scale_down_refused_consolidation");
});

test("reason priority: scale_up > capped > scale_down > no_change", () => {
  assert.equal(aggregateLoadReason("scale_down", "scale_up"), "scale_up");
  assert.equal(aggregateLoadReason("scale_down", "scale_down_capped_by_throughput"), "scale_down_capped_by_throughput");
  assert.equal(aggregateLoadReason("no_change", "scale_down"), "scale_down");
  assert.equal(aggregateLoadReason("no_change", "no_change"), "no_change");
  assert.equal(aggregateLoadReason(undefined, "no_change"), "no_change");
});

test("predictors: constant, Kalman (hand-computed), ARIMA-class", () => {
  const c = new ConstantPredictor({});
  assert.equal(c.predictNext(), undefined);
  for (const v of [0, 0, 5, Number.NaN, 7]) c.add(v); // leading zeros skipped; NaN → 0
  assert.equal(c.count, 3);
  assert.equal(c.predictNext(), 7);

  const k = new KalmanPredictor({ kalmanQLevel: 1, kalmanQTrend: 0.1, kalmanR: 10 });
  k.add(10);
  assert.equal(k.predictNext(), 10); // seeded [10, 0]; predict keeps level 10, P → [[2001,1000],[1000,1000.1]]
  k.add(20);
  // K = [2001/2011, 1000/2011]; innovation 10 → level 10 + 9.9502735, trend 4.9726504 → next level 24.9229238
  close(k.predictNext(), 10 + (10 * 2001) / 2011 + (10 * 1000) / 2011, 1e-12);

  const a = new ArimaPredictor({});
  for (const v of [3, 4, 5]) a.add(v);
  assert.equal(a.predictNext(), 5); // < 5 points → last
  const flat = new ArimaPredictor({});
  for (let i = 0; i < 8; i++) flat.add(4);
  assert.equal(flat.predictNext(), 4);
  const trend = new ArimaPredictor({});
  for (let i = 1; i <= 10; i++) trend.add(i);
  close(trend.predictNext(), 11, 1e-6); // random walk with drift 1
  const alt = new ArimaPredictor({});
  for (let i = 0; i < 10; i++) alt.add(i % 2 === 0 ? 10 : 20);
  close(alt.predictNext(), 10, 1e-6); // AR(1) with φ = −1 picks the oscillation
});

test("easy mode thresholds (throughput and latency targets)", () => {
  const w = (q: number, kv: number, qkv = 0): WorkerFpm => ({ workerId: "w", numPrefill: 0, sumPrefillTokens: 0, numDecode: 1, sumDecodeKvTokens: kv, wallTimeS: 0.01, queuedPrefillTokens: q, queuedDecodeKvTokens: qkv });
  const c = { max_num_batched_tokens: 8192, max_num_seqs: 256, max_kv_tokens: 1000 };
  assert.equal(easyDecision("prefill", "throughput", [w(1000, 0)], c, 2), 3); // ratio 1.0 ≥ 1.0
  assert.equal(easyDecision("prefill", "throughput", [w(99, 0)], c, 2), 1); // 0.099 < 0.1
  assert.equal(easyDecision("prefill", "latency", [w(100, 0)], c, 2), 3); // 0.1 ≥ 0.1
  assert.equal(easyDecision("prefill", "latency", [w(1, 0)], c, 2), 2); // not ≤ 0
  assert.equal(easyDecision("decode", "throughput", [w(0, 900, 200)], c, 2), 3); // 1.1 > 1.0
  assert.equal(easyDecision("decode", "throughput", [w(0, 500)], c, 2), 1); // 0.5 < 0.6
  assert.equal(easyDecision("decode", "latency", [w(0, 450)], c, 2), 3); // 0.45 > 0.4
  assert.equal(easyDecision("agg", "latency", [w(350, 100)], c, 2), 3); // (100 + 350)/1000 = 0.45
  assert.equal(easyDecision("decode", "throughput", [w(0, 500)], c, 1), 1); // down needs n > 1
});

// ── the state machine ───────────────────────────────────────────────────────────────────────────

function drive(sm: PlannerStateMachine, until: number, input: (t: ScheduledTick) => TickInput): ScheduledTick[] {
  const ticks: ScheduledTick[] = [];
  let t = sm.initialTick(0);
  while (t.at <= until) {
    ticks.push(t);
    t = sm.onTick(t, input(t)).nextTick;
  }
  return ticks;
}
const counts = (p: number, d: number): TickInput["counts"] => ({ prefill: { ready: p, expected: p }, decode: { ready: d, expected: d } });

test("cadence: load 7 s and throughput 60 s; ticks merge within 0.5 s; throughput first on a shared tick", () => {
  const sm = new PlannerStateMachine(cfg({ mode: "disagg", optimization_target: "sla", enable_load_scaling: true, load_adjustment_interval: 7, throughput_adjustment_interval: 60, max_gpu_budget: -1 }));
  const ticks = drive(sm, 71, (t) => ({ now: t.at, counts: counts(1, 1) }));
  assert.deepEqual(ticks.map((t) => t.at), [7, 14, 21, 28, 35, 42, 49, 56, 60, 63, 70]);
  const at60 = ticks.find((t) => t.at === 60)!;
  assert.equal(at60.runThroughput, true);
  assert.equal(at60.runLoad, false);
  assert.equal(at60.needTraffic, true);
  assert.equal(at60.trafficDurationS, 60);
  assert.equal(ticks.find((t) => t.at === 63)!.needTraffic, false); // mixed mode: load ticks scrape no traffic
  // Merge: load at 10, throughput at 10.4 → one tick at 10 running both.
  const sm2 = new PlannerStateMachine(cfg({ mode: "disagg", optimization_target: "sla", enable_load_scaling: true, load_adjustment_interval: 5, throughput_adjustment_interval: 10.4, max_gpu_budget: -1 }));
  const t2 = drive(sm2, 11, (t) => ({ now: t.at, counts: counts(1, 1) }));
  assert.deepEqual(t2.map((t) => [t.at, t.runLoad, t.runThroughput]), [[5, true, false], [10, true, true]]);
  // Load-only mode scrapes traffic (the hit rate) on each load tick over the load interval.
  const sm3 = new PlannerStateMachine(cfg({ mode: "agg", optimization_target: "throughput" }));
  const t3 = sm3.initialTick(0);
  assert.deepEqual([t3.at, t3.runLoad, t3.runThroughput, t3.needTraffic, t3.trafficDurationS], [5, true, false, true, 5]);
});

/** A disagg SLA planner whose regressions are fitted on the linear data above. */
function fittedDisagg(extra: Record<string, unknown> = {}): PlannerStateMachine {
  const sm = new PlannerStateMachine(cfg({ mode: "disagg", optimization_target: "sla", enable_load_scaling: true, load_adjustment_interval: 5, throughput_adjustment_interval: 60, max_gpu_budget: -1, load_predictor: "constant", ...extra }));
  const pre = [1000, 2000, 3000, 4000, 5000].map((t) => ({ numPrefill: 1, sumPrefillTokens: t, numDecode: 0, sumDecodeKvTokens: 0, wallTimeS: 0.001 + 1e-5 * t }));
  const dec = [1, 8, 32].flatMap((bs) => [10_000, 100_000, 400_000].map((kv) => ({ numPrefill: 0, sumPrefillTokens: 0, numDecode: bs, sumDecodeKvTokens: kv, wallTimeS: 0.002 + 1e-4 * bs + 1e-7 * kv })));
  sm.bootstrap({ prefill: pre, decode: dec });
  return sm;
}
const idle = (id: string): WorkerFpm => ({ workerId: id, numPrefill: 0, sumPrefillTokens: 0, numDecode: 0, sumDecodeKvTokens: 0, wallTimeS: 0, queuedPrefillTokens: 0, queuedDecodeKvTokens: 0 });
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => idle(`${prefix}${i}`));

test("floor rule: max(load decision or current, min_endpoint, throughput floor); reasons per component", () => {
  const sm = fittedDisagg();
  // Throughput tick at 60: 6000 requests in 60 s → 100 req/s at ISL 3000, OSL 100.
  // Prefill engine: 1/(0.001 + 0.03) = 32.26 req/s → ceil(3.1) = 4. Decode: 118/(100·0.04979) = 23.70 → ceil(4.22) = 5.
  const thpt: ScheduledTick = { at: 60, runLoad: false, runThroughput: true, needTraffic: true, trafficDurationS: 60, needWorkerFpm: false };
  const e1 = sm.onTick(thpt, { now: 60, counts: counts(2, 5), traffic: { durationS: 60, numReq: 6000, isl: 3000, osl: 100, ttftMs: 100, itlMs: 20, kvHitRate: null } });
  assert.equal(e1.scaleTo, undefined); // with load scaling on, throughput only sets floors
  assert.equal(e1.diagnostics.throughputReasonPrefill, "set_lower_bound");
  assert.equal(e1.diagnostics.throughputLowerBoundPrefill, 4);
  assert.equal(e1.diagnostics.throughputLowerBoundDecode, 5);
  close(e1.diagnostics.engineRpsPrefill!, 1 / 0.031, 1e-9);
  // Load tick: idle engines → estimates far below 0.8 × SLA → load wants P 2→1 and D 5→4;
  // floors lift P to 4 (> current: scale_up) and hold D at 5 (= current: capped by throughput).
  const load: ScheduledTick = { at: 65, runLoad: true, runThroughput: false, needTraffic: false, trafficDurationS: 0, needWorkerFpm: true };
  const e2 = sm.onTick(load, { now: 65, counts: counts(2, 5), fpm: { prefill: ids("p", 2), decode: ids("d", 5) } });
  assert.deepEqual(e2.scaleTo, { prefill: 4, decode: 5 });
  assert.equal(e2.diagnostics.loadReasonPrefill, "scale_up");
  assert.equal(e2.diagnostics.loadReasonDecode, "scale_down_capped_by_throughput");
  assert.equal(e2.diagnostics.loadReason, "scale_up");
  // At the floor on both sides, nothing changes: no decision; D at 6 scales down to 5.
  const e3 = sm.onTick({ ...load, at: 70 }, { now: 70, counts: counts(4, 6), fpm: { prefill: ids("p", 4), decode: ids("d", 6) } });
  assert.deepEqual(e3.scaleTo, { prefill: 4, decode: 5 });
  assert.equal(e3.diagnostics.loadReasonPrefill, "scale_down_capped_by_throughput");
  assert.equal(e3.diagnostics.loadReasonDecode, "scale_down");
  assert.equal(e3.diagnostics.loadReason, "scale_down_capped_by_throughput");
});

test("load-only: a load decision applies without floors; min_endpoint holds", () => {
  const sm = fittedDisagg({ enable_throughput_scaling: false, min_endpoint: 2 });
  const load: ScheduledTick = { at: 5, runLoad: true, runThroughput: false, needTraffic: true, trafficDurationS: 5, needWorkerFpm: true };
  const e = sm.onTick(load, { now: 5, counts: counts(3, 2), fpm: { prefill: ids("p", 3), decode: ids("d", 2) } });
  assert.deepEqual(e.scaleTo, { prefill: 2, decode: 2 });
  assert.equal(e.diagnostics.loadReasonPrefill, "scale_down");
  assert.equal(e.diagnostics.loadReasonDecode, "no_change");
  assert.equal(e.diagnostics.throughputReason, "disabled");
});

test("model_not_ready / partner_not_ready, no_fpm_data, worker_count_mismatch", () => {
  const sm = new PlannerStateMachine(cfg({ mode: "disagg", optimization_target: "sla", enable_load_scaling: true, max_gpu_budget: -1, load_predictor: "constant", load_adjustment_interval: 5, throughput_adjustment_interval: 60 }));
  sm.bootstrap({ prefill: [1000, 2000, 3000, 4000, 5000].map((t) => ({ numPrefill: 1, sumPrefillTokens: t, numDecode: 0, sumDecodeKvTokens: 0, wallTimeS: 0.001 + 1e-5 * t })), decode: [] });
  const thpt: ScheduledTick = { at: 60, runLoad: false, runThroughput: true, needTraffic: true, trafficDurationS: 60, needWorkerFpm: false };
  const e = sm.onTick(thpt, { now: 60, counts: counts(1, 1), traffic: { durationS: 60, numReq: 60, isl: 3000, osl: 100, ttftMs: 1, itlMs: 1, kvHitRate: 0 } });
  assert.equal(e.diagnostics.throughputReasonPrefill, "partner_not_ready");
  assert.equal(e.diagnostics.throughputReasonDecode, "model_not_ready");
  assert.equal(e.scaleTo, undefined);
  const load: ScheduledTick = { at: 65, runLoad: true, runThroughput: false, needTraffic: false, trafficDurationS: 0, needWorkerFpm: true };
  const e2 = sm.onTick(load, { now: 65, counts: counts(1, 1), fpm: { prefill: [], decode: [] } });
  assert.equal(e2.diagnostics.loadReason, "no_fpm_data");
  assert.equal(e2.diagnostics.loadReasonPrefill, "no_fpm_data");
  const e3 = sm.onTick({ ...load, at: 70 }, { now: 70, counts: counts(2, 1), fpm: { prefill: ids("p", 1), decode: ids("d", 1) } });
  assert.equal(e3.diagnostics.loadReason, "worker_count_mismatch");
  assert.equal(e3.diagnostics.loadReasonDecode, "worker_count_mismatch");
  assert.equal(e3.scaleTo, undefined);
  assert.equal(fpmMatchesWorkers([idle("a"), idle("b")], 2), true);
  assert.equal(fpmMatchesWorkers([{ ...idle("a"), dpRank: 0 }, { ...idle("a"), dpRank: 1 }, idle("b")], 2), false);
});

test("agg: scaling_in_progress while expected ≠ ready", () => {
  const sm = new PlannerStateMachine(cfg({ mode: "agg", optimization_target: "throughput" }));
  const load: ScheduledTick = { at: 5, runLoad: true, runThroughput: false, needTraffic: true, trafficDurationS: 5, needWorkerFpm: true };
  const e = sm.onTick(load, { now: 5, counts: { decode: { ready: 2, expected: 3 } }, fpm: { prefill: [], decode: ids("a", 2) } });
  assert.equal(e.diagnostics.loadReason, "scaling_in_progress");
  assert.equal(e.scaleTo, undefined);
});

test("traffic falling to zero scales down (load path via idle heartbeats; throughput path after empty windows)", () => {
  // Easy mode, agg: idle engines → −1 per tick down to min_endpoint.
  const sm = new PlannerStateMachine(cfg({ mode: "agg", optimization_target: "throughput" }));
  let n = 4;
  let t = sm.initialTick(0);
  for (let i = 0; i < 6; i++) {
    const e = sm.onTick(t, { now: t.at, counts: { decode: { ready: n, expected: n } }, fpm: { prefill: [], decode: ids("a", n) }, traffic: { durationS: 5, numReq: 0, isl: Number.NaN, osl: Number.NaN, ttftMs: Number.NaN, itlMs: Number.NaN, kvHitRate: Number.NaN } });
    if (e.scaleTo?.decode !== undefined) n = e.scaleTo.decode;
    t = e.nextTick;
  }
  assert.equal(n, 1);
  // Throughput-only SLA: after nan_scaledown_threshold (3) empty windows, demand counts as 0 → min_endpoint.
  const th = fittedDisagg({ enable_load_scaling: false, nan_scaledown_threshold: 3, load_predictor: "kalman" });
  const thpt = (at: number): ScheduledTick => ({ at, runLoad: false, runThroughput: true, needTraffic: true, trafficDurationS: 60, needWorkerFpm: false });
  th.onTick(thpt(60), { now: 60, counts: counts(4, 5), traffic: { durationS: 60, numReq: 6000, isl: 3000, osl: 100, ttftMs: 100, itlMs: 20, kvHitRate: 0.2 } });
  const empty = { durationS: 60, numReq: 0, isl: Number.NaN, osl: Number.NaN, ttftMs: Number.NaN, itlMs: Number.NaN, kvHitRate: null };
  const r1 = th.onTick(thpt(120), { now: 120, counts: counts(4, 5), traffic: empty });
  assert.ok((r1.scaleTo?.prefill ?? 0) >= 1, "still deciding (no freeze) on the first empty window");
  th.onTick(thpt(180), { now: 180, counts: counts(4, 5), traffic: empty });
  const r3 = th.onTick(thpt(240), { now: 240, counts: counts(4, 5), traffic: empty });
  assert.deepEqual(r3.scaleTo, { prefill: 1, decode: 1 });
  assert.equal(r3.diagnostics.throughputReason, "scale");
});

test("KV hit rate: load-only uses the last observed window (sticky); mixed mode the predicted value", () => {
  const lo = fittedDisagg({ enable_throughput_scaling: false });
  const load = (at: number): ScheduledTick => ({ at, runLoad: true, runThroughput: false, needTraffic: true, trafficDurationS: 5, needWorkerFpm: true });
  const w = (h: number | null) => ({ durationS: 5, numReq: 10, isl: 3000, osl: 100, ttftMs: 100, itlMs: 10, kvHitRate: h });
  assert.equal(lo.onTick(load(5), { now: 5, counts: counts(1, 1), traffic: w(0.4), fpm: { prefill: ids("p", 1), decode: ids("d", 1) } }).diagnostics.kvHitRateUsed, 0.4);
  assert.equal(lo.onTick(load(10), { now: 10, counts: counts(1, 1), traffic: w(Number.NaN), fpm: { prefill: ids("p", 1), decode: ids("d", 1) } }).diagnostics.kvHitRateUsed, 0.4);
  assert.equal(lo.onTick(load(15), { now: 15, counts: counts(1, 1), traffic: w(null), fpm: { prefill: ids("p", 1), decode: ids("d", 1) } }).diagnostics.kvHitRateUsed, 0.4);
  // The discount reaches the TTFT estimate: queue 10000 + avg ISL (five fitted 3000-token passes and four idle
  // tick snapshots counted as 0: 15000 / 9) = 11666.7 × 0.6 = 7000 → 0.071 s.
  const e = lo.onTick(load(20), { now: 20, counts: counts(1, 1), traffic: w(0.4), fpm: { prefill: [{ ...idle("p0"), queuedPrefillTokens: 10_000 }], decode: ids("d", 1) } });
  close(e.diagnostics.estimatedTtftMs!, 1 + 0.01 * 0.6 * (10_000 + 15_000 / 9), 1e-9);
  // Mixed mode: a load tick's traffic is not scraped; the throughput tick promotes the predictor's value.
  const mx = fittedDisagg();
  const th = mx.onTick({ at: 60, runLoad: false, runThroughput: true, needTraffic: true, trafficDurationS: 60, needWorkerFpm: false }, { now: 60, counts: counts(1, 1), traffic: { ...w(0.3), durationS: 60 } });
  assert.equal(th.diagnostics.predictedKvHitRate, 0.3);
  assert.equal(th.diagnostics.observedKvHitRate, 0.3);
  assert.equal(th.diagnostics.kvHitRateUsed, 0.3);
  // Throughput sizing discounts prefill ISL only: 3000 × 0.7 = 2100 → 1/(0.001 + 0.021) req/s.
  close(th.diagnostics.engineRpsPrefill!, 1 / 0.022, 1e-9);
});

test("advisory cap: at most max_throughput_scaling_replicas per component per tick", () => {
  const sm = fittedDisagg({ enable_load_scaling: false, max_throughput_scaling_replicas: 2 });
  const e = sm.onTick({ at: 60, runLoad: false, runThroughput: true, needTraffic: true, trafficDurationS: 60, needWorkerFpm: false }, { now: 60, counts: counts(1, 1), traffic: { durationS: 60, numReq: 6000, isl: 3000, osl: 100, ttftMs: 1, itlMs: 1, kvHitRate: 0 } });
  assert.deepEqual(e.scaleTo, { prefill: 3, decode: 3 }); // wanted (4, 5), capped at +2 each
});

test("determinism: same inputs → identical decisions and diagnostics", () => {
  const run = () => {
    const sm = fittedDisagg({ load_predictor: "arima" });
    const out: unknown[] = [];
    let t = sm.initialTick(0);
    for (let i = 0; i < 40; i++) {
      const k = i % 7;
      const e = sm.onTick(t, { now: t.at, counts: counts(2, 3), fpm: { prefill: ids("p", 2).map((f) => ({ ...f, queuedPrefillTokens: 1000 * k })), decode: ids("d", 3) }, traffic: { durationS: 60, numReq: 100 * (k + 1), isl: 3000 + k, osl: 100, ttftMs: 1, itlMs: 1, kvHitRate: 0.1 * k } });
      out.push(e);
      t = e.nextTick;
    }
    return JSON.stringify(out);
  };
  assert.equal(run(), run());
});

test("trace warm-up buckets: floor(ts/interval)·interval, empty intervals dropped", async () => {
  const { traceIntervals } = await import("../sdk/planner/trace-warmup.js");
  const r = (ts: number, i: number, o: number) => ({ timestamp: ts, input_length: i, output_length: o, hash_ids: [] });
  const iv = traceIntervals([r(0, 100, 10), r(59_999, 300, 30), r(60_000, 50, 5), r(190_000, 10, 1)], 60);
  assert.deepEqual(iv, [
    { startS: 0, numReq: 2, isl: 200, osl: 20 },
    { startS: 60, numReq: 1, isl: 50, osl: 5 },
    { startS: 180, numReq: 1, isl: 10, osl: 1 },
  ]);
  // Warm-up history shapes the first forecast: a Kalman filter seeded by the live window alone predicts it
  // exactly; warmed with small counts, the jump to 6000 reads as a rising trend and the forecast overshoots.
  const first = (warm: boolean) => {
    const sm = fittedDisagg({ enable_load_scaling: false, load_predictor: "kalman" });
    if (warm) sm.warmTraffic(iv.map((x) => ({ numReq: x.numReq, isl: x.isl, osl: x.osl })));
    return sm.onTick({ at: 60, runLoad: false, runThroughput: true, needTraffic: true, trafficDurationS: 60, needWorkerFpm: false }, { now: 60, counts: counts(1, 1), traffic: { durationS: 60, numReq: 6000, isl: 3000, osl: 100, ttftMs: 1, itlMs: 1, kvHitRate: 0 } }).diagnostics.predictedNumReq!;
  };
  assert.equal(first(false), 6000);
  assert.ok(first(true) > 6000, `warmed forecast ${first(true)}`);
});
