// Upstream input guards of the engine-rate searches: a zero prompt or output length gives 0 rps, as Dynamo's planner does.
// Expectations read from the pinned ai-dynamo wheel: dynamo/planner/core/perf_model/prefill.py
// (find_best_engine_prefill_rps: not fitted or isl <= 0 → (0, 0)), decode.py
// (find_best_engine_decode_rps: context_length <= 0, osl <= 0 or itl <= 0 → (0, 0)), agg.py
// (find_best_engine_agg_rps: isl <= 0, osl <= 0 or max_num_batched_tokens <= 0 → (0, 0, 0)), and
// tests/unit/test_load_based_scaling.py::test_find_best_engine_prefill_rps_zero_isl (rps == 0).
import { test } from "node:test";
import assert from "node:assert/strict";
import { AggRegression, DecodeRegression, PrefillRegression } from "../sdk/planner/regression.js";

// The upstream unit test's shape: 3 observations, wall = 1 ms per 1000 tokens.
function prefill(): PrefillRegression {
  const m = new PrefillRegression({ minObservations: 3, maxSamples: 50, bucketCount: 16 });
  for (const t of [500, 1000, 1500]) m.observe({ numPrefill: 1, sumPrefillTokens: t, numDecode: 0, sumDecodeKvTokens: 0, wallTimeS: 0.001 * t });
  return m;
}

function decode(): DecodeRegression {
  const m = new DecodeRegression();
  for (const bs of [1, 8, 32]) for (const kv of [10_000, 100_000, 400_000]) m.observe({ numPrefill: 0, sumPrefillTokens: 0, numDecode: bs, sumDecodeKvTokens: kv, wallTimeS: 0.002 + 1e-4 * bs + 1e-7 * kv });
  return m;
}

function agg(): AggRegression {
  const m = new AggRegression();
  for (const p of [500, 2000, 6000]) for (const d of [10_000, 50_000, 200_000]) m.observe({ numPrefill: 1, sumPrefillTokens: p, numDecode: 4, sumDecodeKvTokens: d, wallTimeS: 0.003 + 2e-6 * p + 5e-8 * d });
  return m;
}

test("prefill: isl = 0 (and negative) → 0 rps, 0 ms; isl > 0 keeps a positive rate", () => {
  const m = prefill();
  assert.deepEqual(m.findBestEngineRps(0, 8192), { engineRps: 0, ttftMs: 0 });
  assert.deepEqual(m.findBestEngineRps(-5, 8192), { engineRps: 0, ttftMs: 0 });
  // Not fitted stays "no model" (undefined), distinct from the guard.
  assert.equal(new PrefillRegression().findBestEngineRps(0, 8192), undefined);
  assert.ok(m.findBestEngineRps(1000, 8192)!.engineRps > 0);
});

test("decode: osl = 0 or itl = 0 → 0 rps; isl = 0 with osl > 0 is NOT guarded upstream (context = osl/2 > 0)", () => {
  const m = decode();
  assert.equal(m.findBestEngineRps(3000, 0, 50)!.engineRps, 0);
  assert.equal(m.findBestEngineRps(3000, 100, 0)!.engineRps, 0);
  assert.equal(m.findBestEngineRps(0, 0, 50)!.engineRps, 0);
  const r = m.findBestEngineRps(0, 100, 50)!;
  assert.ok(r.engineRps > 0 && r.batch >= 1);
});

test("agg: isl = 0, osl = 0 or max_num_batched_tokens = 0 → 0 rps (was 500 req/s at isl = 0)", () => {
  const m = agg();
  const caps = { maxNumBatchedTokens: 8192, maxKvTokens: 1_000_000, maxNumSeqs: 256 };
  assert.equal(m.findBestEngineRps(0, 100, 500, 50, caps)!.engineRps, 0);
  assert.equal(m.findBestEngineRps(2000, 0, 500, 50, caps)!.engineRps, 0);
  assert.equal(m.findBestEngineRps(2000, 100, 500, 50, { ...caps, maxNumBatchedTokens: 0 })!.engineRps, 0);
  assert.ok(m.findBestEngineRps(2000, 100, 500, 50, caps)!.engineRps > 0);
});

// dynamo/planner/core/perf_model/base.py (_BaseRegressionModel.add_observation): widened bounds
// re-bucket all samples in dict order; past the window the head of the first fullest bucket goes.
// Hand trace, 2 buckets, window 5, x in order 10, 0, 9, 1, 100, 2, 3:
//   after 0: {1:[10], 0:[0]}; 9 → bucket 1, 1 → bucket 0: {1:[10,9], 0:[0,1]}
//   100 widens the bounds: re-bucketed in that order → {0:[10,9,0,1], 1:[100]}
//   2 and 3 overflow the window: the heads 10 then 9 go (chronologically 10 then 0 would).
// Kept: 0, 1, 2, 3, 100, all on y = 1 + 2x; 10 and 9 are off the line, so the fit shows who stayed.
test("sample store: retires the head of the first fullest bucket in bucket order, not the oldest sample", () => {
  const m = new PrefillRegression({ minObservations: 2, maxSamples: 5, bucketCount: 2 });
  const ys = new Map([[10, 500], [9, 50]]);
  for (const x of [10, 0, 9, 1, 100, 2, 3]) m.observe({ numPrefill: 1, sumPrefillTokens: x, numDecode: 0, sumDecodeKvTokens: 0, wallTimeS: ys.get(x) ?? 1 + 2 * x });
  assert.equal(m.reg.size, 5);
  const f = m.reg.fit();
  assert.equal(f.status, "ok");
  assert.ok(Math.abs(f.coef[0]! - 2) < 1e-9, `slope ${f.coef[0]}`);
  assert.ok(Math.abs(f.intercept - 1) < 1e-9, `intercept ${f.intercept}`);
});
