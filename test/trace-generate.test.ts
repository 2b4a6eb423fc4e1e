import { test } from "node:test";
import assert from "node:assert/strict";
import { rng } from "../sdk/core/rng.js";
import { toJsonl } from "../sdk/core/rows.js";
import {
  arrivalTimes, syntheticTrace, sharedPrefixTrace, multiTurnTrace, parseMooncake, traceStats, idealPrefixReuse,
  normalizeTimestamps, speedUp, timeWindow, head, sample, concatTraces, toVidurRows, toBlisTraceV2, BLIS_TRACE_V2_COLUMNS, type TraceRequest,
} from "../sdk/trace/index.js";

const cv = (xs: number[]) => {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length) / m;
};
const gaps = (ts: number[]) => ts.slice(1).map((t, i) => t - ts[i]!);

test("Poisson and Gamma arrivals have the asked rate and burstiness (CV)", () => {
  const p = arrivalTimes({ kind: "poisson", rateRps: 10 }, rng(1), { durationS: 2000 });
  assert.ok(Math.abs(p.length / 2000 - 10) < 0.3, `poisson rate ${p.length / 2000}`);
  assert.ok(Math.abs(cv(gaps(p)) - 1) < 0.05);
  const g = arrivalTimes({ kind: "gamma", rateRps: 10, cv: 3 }, rng(2), { count: 20000 });
  assert.equal(g.length, 20000);
  assert.ok(Math.abs(cv(gaps(g)) - 3) < 0.3, `gamma cv ${cv(gaps(g))}`);
  assert.ok(Math.abs(20000 / (g[g.length - 1]! / 1000) - 10) < 1);
});

test("diurnal arrivals follow the rate curve (peak half busier than trough half)", () => {
  const d = arrivalTimes({ kind: "diurnal", meanRps: 5, amplitude: 0.8, periodS: 1000 }, rng(3), { durationS: 10000 });
  const inPeak = d.filter((t) => (t / 1000) % 1000 < 500).length;
  const inTrough = d.length - inPeak;
  assert.ok(Math.abs(d.length / 10000 - 5) < 0.3);
  assert.ok(inPeak > 2.5 * inTrough, `peak ${inPeak} trough ${inTrough}`);
});

test("generated traces are valid Mooncake files, seeded and byte-identical per seed", () => {
  const opts = { seed: 9, arrivals: { kind: "poisson" as const, rateRps: 5 }, count: 300, inputTokens: { lognormal: { median: 2000, sigma: 0.8 }, min: 1 }, outputTokens: { uniform: [10, 300] as [number, number] } };
  const a = syntheticTrace(opts);
  assert.equal(toJsonl(a), toJsonl(syntheticTrace(opts)));
  assert.notEqual(toJsonl(a), toJsonl(syntheticTrace({ ...opts, seed: 10 })));
  assert.deepEqual(parseMooncake(toJsonl(a)).requests, a);
  assert.equal(idealPrefixReuse(a).reusedTokens, 0, "independent requests share nothing");
  const mt = multiTurnTrace({ seed: 1, sessions: 20, turnsPerSession: 4, arrivals: { kind: "poisson", rateRps: 1 }, firstInputTokens: 1500, newInputTokens: 300, outputTokens: 200, interTurnDelayMs: { uniform: [1000, 5000] } });
  assert.equal(mt.length, 80);
  assert.deepEqual(parseMooncake(toJsonl(mt)).requests, mt);
});

test("shared-prefix groups reuse exactly the system prompt's full blocks (inference-perf shape)", () => {
  const T = 512;
  const o = { seed: 4, numGroups: 5, promptsPerGroup: 20, systemPromptLen: 2048, questionLen: 300, outputLen: 50, arrivals: { kind: "poisson" as const, rateRps: 2 } };
  const tr = sharedPrefixTrace(o);
  assert.equal(tr.length, 100);
  for (const r of tr) assert.equal(r.input_length, 2348);
  // Every request but each group's first reuses the 2048-token system prompt (32 engine blocks of 64).
  const ideal = idealPrefixReuse(tr, { traceBlockSize: T, engineBlockSize: 64 });
  assert.equal(ideal.reusedTokens, (100 - 5) * 2048);
  assert.ok(Math.abs(ideal.meanRequestRatio - (95 * 32) / 37 / 100) < 1e-12);
});

test("multi-turn sessions: each turn shares the previous turn's full prompt blocks", () => {
  const mt = multiTurnTrace({ seed: 2, sessions: 3, turnsPerSession: 3, arrivals: { kind: "poisson", rateRps: 1 }, firstInputTokens: 1000, newInputTokens: 100, outputTokens: 50, interTurnDelayMs: 2000 });
  const s0 = mt.filter((r) => r.session_id === "s0");
  assert.deepEqual(s0.map((r) => r.input_length), [1000, 1150, 1300]);
  assert.deepEqual(s0[1]!.hash_ids.slice(0, 1), s0[0]!.hash_ids.slice(0, 1));
  assert.notEqual(s0[1]!.hash_ids[1], s0[0]!.hash_ids[1], "the block holding the old tail and answer is new");
  assert.equal(s0[1]!.delay, 2000);
  assert.equal(s0[0]!.delay, undefined);
});

test("transforms: normalize, speed-up (delays too), window, head, sample, concat", () => {
  const t: TraceRequest[] = [
    { timestamp: 1000, input_length: 10, output_length: 1, hash_ids: [1], session_id: "a" },
    { timestamp: 1000, input_length: 10, output_length: 1, hash_ids: [1], session_id: "a", delay: 400 },
    { timestamp: 3000, input_length: 10, output_length: 1, hash_ids: [2] },
    { timestamp: 9000, input_length: 10, output_length: 1, hash_ids: [3] },
  ];
  assert.deepEqual(normalizeTimestamps(t).map((r) => r.timestamp), [0, 0, 2000, 8000]);
  const f = speedUp(t, 2);
  assert.deepEqual(f.map((r) => r.timestamp), [0, 0, 1000, 4000]);
  assert.equal(f[1]!.delay, 200);
  assert.equal(t[1]!.delay, 400, "inputs are not mutated");
  assert.equal(timeWindow(t, 0, 2000).length, 2, "a session stays whole");
  assert.deepEqual(head(t, 3).map((r) => r.hash_ids[0]), [1, 1, 2]);
  const s = sample(t, 0.5, rng(1));
  assert.deepEqual(s, sample(t, 0.5, rng(1)));
  assert.equal(sample(t, 1, rng(1)).length, 4);
  assert.equal(sample(t, 0, rng(1)).length, 0);
  const c = concatTraces([t, t], 1000);
  assert.equal(c.length, 8);
  assert.deepEqual(c.slice(4).map((r) => r.timestamp), [9000, 9000, 11000, 17000]);
  assert.equal(c[4]!.session_id, "1:a");
});

test("trace stats: counts, duration, rate series and percentiles", () => {
  const tr = syntheticTrace({ seed: 5, arrivals: { kind: "poisson", rateRps: 2 }, durationS: 600, inputTokens: 1000, outputTokens: 100 });
  const s = traceStats(tr, { intervalS: 60 });
  assert.equal(s.requests, tr.length);
  assert.equal(s.rate.reduce((a, b) => a + b.requests, 0), tr.length);
  assert.equal(s.isl.p50, 1000);
  assert.equal(s.totalBlocks, 2 * tr.length);
  assert.ok(s.meanRateRps > 1.7 && s.meanRateRps < 2.3);
});

test("exporters: Vidur CSV columns (seconds) and BLIS trace v2 columns (microseconds)", () => {
  const tr = sharedPrefixTrace({ seed: 1, numGroups: 2, promptsPerGroup: 2, systemPromptLen: 1024, questionLen: 10, outputLen: 7, arrivals: { kind: "poisson", rateRps: 1 } });
  const v = toVidurRows(tr);
  assert.deepEqual(Object.keys(v[0]!), ["arrived_at", "num_prefill_tokens", "num_decode_tokens"]);
  assert.equal(v[0]!.arrived_at, 0);
  assert.ok(Math.abs(v[1]!.arrived_at - (tr[1]!.timestamp - tr[0]!.timestamp) / 1000) < 1e-9);
  const b = toBlisTraceV2(tr);
  assert.deepEqual(Object.keys(b.rows[0]!), [...BLIS_TRACE_V2_COLUMNS]);
  assert.equal(b.header.time_unit, "us");
  assert.equal(b.rows[1]!.arrival_time_us, Math.round((tr[1]!.timestamp - tr[0]!.timestamp) * 1000));
  assert.equal(b.rows[2]!.output_tokens, 7);
});
