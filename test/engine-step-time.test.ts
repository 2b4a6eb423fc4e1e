import { test } from "node:test";
import assert from "node:assert/strict";
import { rng } from "../sdk/core/rng.js";
import {
  polynomialPrefillMs, polynomialDecodeMs, polynomialStepTime, interpolatedStepTime, fitStepTime, linearStepTime, stepTimeProfile, resolveStepTime,
  stepTimeProfileNames, engineCapabilities, DEFAULT_ENGINE_CONFIG, engineConfig, runEngine, type PassShape, type StepTimeSpec,
} from "../sdk/engine/index.js";

const shape = (o: Partial<PassShape>): PassShape => ({ role: "agg", numPrefill: 0, prefillTokens: 0, sumPrefillTokens: 0, sumPrefillKvTokens: 0, numDecode: 0, sumDecodeKvTokens: 0, numReady: 0, activeKvBlocks: 0, kvCapacityBlocks: 16384, ...o });

test("the default polynomial reproduces dynamo.md §2.2's tables", () => {
  const pre: [number, number][] = [[1, 16.52], [512, 24.39], [2048, 49.36], [4096, 85.76], [8192, 169.14], [16384, 378.28]];
  for (const [T, ms] of pre) assert.equal(Math.round(polynomialPrefillMs(T) * 100) / 100, ms, `T=${T}`);
  const dec: [number, number][] = [[0, 5.74], [0.1, 10.88], [0.25, 17.63], [0.5, 26.31], [0.75, 31.77], [1, 34.01]];
  for (const [u, ms] of dec) assert.equal(Math.round(polynomialDecodeMs(u) * 100) / 100, ms, `u=${u}`);
});

test("pass time: prefill term with prefill work, decode term once when any token is emitted; roles and speed-ups", () => {
  const m = polynomialStepTime();
  assert.equal(m(shape({})), 0);
  assert.equal(m(shape({ numPrefill: 2, prefillTokens: 4096 })), polynomialPrefillMs(4096));
  assert.equal(m(shape({ numReady: 3, activeKvBlocks: 4096 })), polynomialDecodeMs(0.25));
  assert.equal(m(shape({ numPrefill: 1, prefillTokens: 512, numReady: 1, activeKvBlocks: 0 })), polynomialPrefillMs(512) + 5.74);
  assert.equal(m(shape({ role: "prefill", numPrefill: 1, prefillTokens: 512, numReady: 1 })), polynomialPrefillMs(512));
  assert.equal(m(shape({ role: "decode", numPrefill: 1, prefillTokens: 512, numReady: 1 })), 5.74);
  const fast = polynomialStepTime({ speedupRatio: 2, decodeSpeedupRatio: 2 });
  assert.equal(fast(shape({ numPrefill: 1, prefillTokens: 512, numReady: 1 })), polynomialPrefillMs(512) / 2 + 5.74 / 4);
});

test("fitStepTime recovers a linear model from noisy measured passes (least squares with intercept)", () => {
  const r = rng(3);
  const truth = linearStepTime(["sumPrefillTokens", "sumDecodeKvTokens"], 4, [0.02, 0.0005]);
  const passes = Array.from({ length: 400 }, () => {
    const p = { numPrefill: 1, sumPrefillTokens: r.int(8192), numDecode: 1 + r.int(64), sumDecodeKvTokens: r.int(200000) };
    return { ...p, wallTimeMs: truth(shape(p)) + r.normal(0, 0.05) };
  });
  const fit = fitStepTime(passes, ["sumPrefillTokens", "sumDecodeKvTokens"]);
  assert.ok(Math.abs(fit.intercept - 4) < 0.05, `intercept ${fit.intercept}`);
  assert.ok(Math.abs(fit.coefficients[0]! - 0.02) < 1e-4);
  assert.ok(Math.abs(fit.coefficients[1]! - 0.0005) < 1e-5);
  assert.ok(fit.r2 > 0.999);
  assert.ok(Math.abs(resolveStepTime(fit)(shape({ sumPrefillTokens: 1000, sumDecodeKvTokens: 1000 })) - 24.5) < 0.1);
  // A constant feature gets coefficient 0; heartbeats (wall 0) are skipped.
  const flat = fitStepTime([...passes.map((p) => ({ ...p, numDecode: 5 })), { numPrefill: 0, sumPrefillTokens: 0, numDecode: 0, sumDecodeKvTokens: 0, wallTimeMs: 0 }], ["sumPrefillTokens", "numDecode"]);
  assert.equal(flat.coefficients[1], 0);
  assert.equal(flat.samples, 400);
  assert.throws(() => fitStepTime([], ["numDecode"]), /need at least 2/);
});

test("named profiles and capabilities read from the same config the engine uses", () => {
  assert.ok(stepTimeProfileNames().includes("dynamo-polynomial"));
  assert.deepEqual(stepTimeProfile("dynamo-polynomial-2x"), { kind: "polynomial", speedupRatio: 2 });
  assert.equal(resolveStepTime("dynamo-polynomial-2x")(shape({ numPrefill: 1, prefillTokens: 100 })), polynomialPrefillMs(100) / 2);
  assert.throws(() => stepTimeProfile("nope"), /unknown step-time profile 'nope'/);
  assert.throws(() => stepTimeProfile("toString"), /unknown step-time profile 'toString'/);
  const caps = engineCapabilities();
  assert.deepEqual([caps.numGpu, caps.maxNumBatchedTokens, caps.maxNumSeqs, caps.blockSize, caps.numGpuBlocks, caps.maxKvTokens], [1, 8192, 256, 64, 16384, 1_048_576]);
  assert.equal(DEFAULT_ENGINE_CONFIG.preemptionMode, "lifo");
  assert.equal(engineCapabilities({ numGpuBlocks: 1000, blockSize: 16 }).maxKvTokens, 16000);
  assert.throws(() => engineConfig({ maxNumSeqs: 0 }), /maxNumSeqs must be a positive integer/);
});

test("interpolatedStepTime: linear in prefill size (extrapolating), bilinear in decode KV tokens × context length", () => {
  const m = interpolatedStepTime({
    prefill: { isl: [1000, 2000, 4000], ms: [20, 30, 60] },
    decode: { activeKvTokens: [0, 100_000], contextLength: [1000, 3000], ms: [[5, 7], [9, 15]] },
  });
  assert.equal(m(shape({ numPrefill: 1, prefillTokens: 1500 })), 25);
  assert.equal(m(shape({ numPrefill: 1, prefillTokens: 5000 })), 75, "extrapolated from the last segment");
  assert.equal(m(shape({ numPrefill: 1, prefillTokens: 500 })), 15, "extrapolated from the first segment");
  // 781.25 blocks × 64 = 50,000 KV tokens (u = 0.5); mean context 2,000 (v = 0.5): mean of the four corners.
  assert.equal(m(shape({ numReady: 2, numDecode: 2, sumDecodeKvTokens: 4000, activeKvBlocks: 781.25, blockSize: 64 })), 9);
  assert.equal(m(shape({ numReady: 1, numDecode: 1, sumDecodeKvTokens: 99_999, activeKvBlocks: 1e9, blockSize: 64 })), 15, "clamped to the table");
  assert.throws(() => interpolatedStepTime({ prefill: { isl: [2, 1], ms: [1, 2] }, decode: { activeKvTokens: [0, 1], contextLength: [0, 1], ms: [[1, 1], [1, 1]] } }), /ascending/);
});

test("a step-time model is data: every kind survives structuredClone and JSON, and the engine times passes the same from the copy", () => {
  const tables = { prefill: { isl: [0, 1000, 4000], ms: [10, 20, 50] }, decode: { activeKvTokens: [0, 100_000], contextLength: [100, 4000], ms: [[5, 6], [9, 12]] } };
  const specs: StepTimeSpec[] = [
    "dynamo-polynomial-decode-2x",
    { kind: "polynomial", prefill: [1e-6, 0.02, 10], decodeFloorMs: 2, speedupRatio: 1.5 },
    { kind: "linear", features: ["sumPrefillTokens", "sumDecodeKvTokens"], intercept: 3, coefficients: [0.01, 0.0002] },
    { kind: "interpolated", tables },
  ];
  const arrivals = Array.from({ length: 30 }, (_, i) => ({ at: i * 40, inputLength: 300 + 97 * i, outputLength: 20 + i }));
  const passes = [shape({ numPrefill: 1, prefillTokens: 2000, sumPrefillTokens: 2000 }), shape({ numReady: 4, numDecode: 4, sumDecodeKvTokens: 8000, activeKvBlocks: 300 })];
  for (const spec of specs) {
    const cloned = structuredClone(spec);
    const viaJson = JSON.parse(JSON.stringify(spec)) as StepTimeSpec;
    assert.deepEqual(cloned, spec);
    for (const p of passes) {
      assert.equal(resolveStepTime(cloned)(p), resolveStepTime(spec)(p));
      assert.equal(resolveStepTime(viaJson)(p), resolveStepTime(spec)(p));
    }
    const a = runEngine(arrivals, { stepTime: spec });
    const b = runEngine(arrivals, structuredClone({ stepTime: spec }));
    assert.deepEqual(b.requests, a.requests, JSON.stringify(spec));
  }
  // The default engine config is itself a value.
  assert.deepEqual(structuredClone(DEFAULT_ENGINE_CONFIG), { ...DEFAULT_ENGINE_CONFIG });
  // A function is no longer a step-time model; a bad spec is refused when the config is built.
  assert.throws(() => engineConfig({ stepTime: (() => 1) as unknown as StepTimeSpec }), /a function \(pass the model's data instead\)/);
  assert.throws(() => engineConfig({ stepTime: { kind: "cubic" } as unknown as StepTimeSpec }), /kind must be polynomial, linear or interpolated, got 'cubic'/);
  assert.throws(() => engineConfig({ stepTime: "nope" }), /unknown step-time profile 'nope'/);
});
