import { test } from "node:test";
import assert from "node:assert/strict";
import { rng, type Rng } from "../sdk/core/rng.js";
import { quantile } from "../sdk/core/quantile.js";
import { weightedQuantiles } from "../sdk/engine/worker.js";
import { runEngine, BlockInterner, polynomialPrefillMs, polynomialDecodeMs, type EngineArrival, type EngineConfig, type LinearStepTimeSpec } from "../sdk/engine/index.js";

/** A random workload: bursts, shared prefixes (a few groups), lengths from 1 token up. */
function workload(r: Rng, n: number, blockSize: number): EngineArrival[] {
  const bi = new BlockInterner(128, blockSize);
  let t = 0;
  return Array.from({ length: n }, (_, i) => {
    if (r.bernoulli(0.7)) t += r.exponential(1 / 80);
    const isl = 1 + r.int(r.bernoulli(0.2) ? 6000 : 1500);
    const group = r.int(4);
    const hashes = Array.from({ length: Math.ceil(isl / 128) }, (_, j) => (j < 3 ? group * 10 + j : 1000 + i * 100 + j));
    return { at: Math.round(t), inputLength: isl, outputLength: 1 + r.int(r.bernoulli(0.3) ? 400 : 60), blockIds: bi.blockIds(hashes, isl) };
  });
}

function configs(r: Rng): Partial<EngineConfig>[] {
  return [
    {},
    { numGpuBlocks: 160, maxNumBatchedTokens: 1024, maxNumSeqs: 8 },
    { numGpuBlocks: 120, blockSize: 16, maxNumBatchedTokens: 512, preemptionMode: "fifo" },
    { numGpuBlocks: 400, enableChunkedPrefill: false, maxNumBatchedTokens: 8192, maxNumSeqs: 4 },
    { numGpuBlocks: 200 + r.int(200), enablePrefixCaching: false, maxNumBatchedTokens: 256 + r.int(2048) },
  ];
}

const linear: LinearStepTimeSpec = { kind: "linear", features: ["sumPrefillTokens", "numDecode"], intercept: 1, coefficients: [0.01, 0.1] };

test("engine invariants hold on random workloads and configurations (property style, seeded)", () => {
  const r = rng("engine-properties");
  let preemptions = 0;
  let checkedPasses = 0;
  for (let trial = 0; trial < 12; trial++) {
    for (const [ci, base] of configs(r.split(`c${trial}`)).entries()) {
      for (const stepTime of [undefined, linear]) {
        const cfg: Partial<EngineConfig> = { ...base, ...(stepTime ? { stepTime } : {}) };
        const bs = cfg.blockSize ?? 64;
        const cap = cfg.numGpuBlocks ?? 16384;
        const mbt = cfg.maxNumBatchedTokens ?? 8192;
        let arrivals = workload(r.split(`w${trial}/${ci}`), 50, bs);
        // A request must fit in an empty cache.
        arrivals = arrivals.map((a) => ({ ...a, inputLength: Math.min(a.inputLength, (cap - 2) * bs - a.outputLength) })).map((a) => ({ ...a, blockIds: a.blockIds!.slice(0, Math.floor(a.inputLength / bs)) }));
        const finishes = new Map<number, number>();
        const res = runEngine(arrivals, cfg, "agg", {
          onFinish: (s) => finishes.set(s.key, (finishes.get(s.key) ?? 0) + 1),
          onPass: (p) => {
            checkedPasses++;
            assert.ok(p.activeKvBlocks <= cap, `KV blocks ${p.activeKvBlocks} > capacity ${cap}`);
            assert.ok(p.sumPrefillTokens + p.numDecode <= mbt, `batched tokens ${p.sumPrefillTokens + p.numDecode} > budget ${mbt}`);
            assert.ok(p.end >= p.start);
          },
        });
        const where = `trial ${trial} config ${ci} ${stepTime ? "linear" : "poly"}`;
        for (const q of res.requests) {
          const a = arrivals[q.index]!;
          assert.equal(finishes.get(q.index), 1, `${where}: request ${q.index} finished ${finishes.get(q.index) ?? 0} times`);
          assert.equal(q.outputTokens, a.outputLength);
          assert.ok(q.admittedMs >= q.arrivalMs && q.firstTokenMs >= q.admittedMs && q.finishMs >= q.firstTokenMs, `${where}: times out of order`);
          assert.ok(q.finishMs >= a.at, `${where}: finished before arriving`);
          const uncached = q.inputTokens - q.cachedTokens;
          if (stepTime && q.preemptions === 0) assert.ok(q.ttftMs >= 0.01 * uncached - 1e-9, `${where}: TTFT ${q.ttftMs} < prefill time ${0.01 * uncached}`);
          if (!stepTime && uncached > 0) assert.ok(q.ttftMs >= polynomialPrefillMs(1), `${where}: TTFT below one prefill pass`);
          preemptions += q.preemptions;
        }
      }
    }
  }
  assert.ok(preemptions > 0, "the small caches forced preemptions (the property test exercised them)");
  assert.ok(checkedPasses > 10_000);
});

test("bulk decode segments give the same results as pass-by-pass simulation", () => {
  const r = rng("segments");
  for (const [ci, base] of configs(r).entries()) {
    const bs = base.blockSize ?? 64;
    const cap = base.numGpuBlocks ?? 16384;
    const arrivals = workload(r.split(`w${ci}`), 60, bs).map((a) => ({ ...a, inputLength: Math.min(a.inputLength, (cap - 2) * bs - a.outputLength) })).map((a) => ({ ...a, blockIds: a.blockIds!.slice(0, Math.floor(a.inputLength / bs)) }));
    for (const stepTime of [undefined, linear]) {
      const cfg = { ...base, ...(stepTime ? { stepTime } : {}) };
      const fast = runEngine(arrivals, { ...cfg, fastDecode: true });
      const slow = runEngine(arrivals, { ...cfg, fastDecode: false });
      assert.equal(fast.passes.length, slow.passes.length, `config ${ci}: pass count`);
      for (let i = 0; i < fast.requests.length; i++) {
        const f = fast.requests[i]!;
        const s = slow.requests[i]!;
        for (const k of ["arrivalMs", "admittedMs", "firstTokenMs", "finishMs", "cachedTokens", "preemptions", "outputTokens"] as const) assert.equal(f[k], s[k], `config ${ci} request ${i} ${k}`);
        for (const k of ["itlMs", "itlMaxMs", "itlP50Ms", "itlP90Ms", "itlP99Ms"] as const) assert.ok(Number.isNaN(f[k]) ? Number.isNaN(s[k]) : Math.abs(f[k] - s[k]) < 1e-6, `config ${ci} request ${i} ${k}: ${f[k]} vs ${s[k]}`);
      }
      assert.deepEqual(fast.passes.map((p) => [p.end, p.numPrefill, p.numDecode, p.sumDecodeKvTokens, p.activeKvBlocks]), slow.passes.map((p) => [p.end, p.numPrefill, p.numDecode, p.sumDecodeKvTokens, p.activeKvBlocks]));
    }
  }
});

test("one pass semantics: first token at the end of the pass that finishes the prompt; chunked prefill over the budget", () => {
  const res = runEngine([{ at: 0, inputLength: 10000, outputLength: 3 }], { maxNumBatchedTokens: 4096 });
  const p = res.passes;
  assert.deepEqual(p.slice(0, 3).map((x) => x.sumPrefillTokens), [4096, 4096, 1808]);
  assert.equal(res.requests[0]!.firstTokenMs, p[2]!.end, "the prompt's last chunk pass emits the first token");
  assert.equal(p[2]!.numReady, 1);
  assert.equal(p[0]!.numReady, 0);
  assert.equal(res.requests[0]!.finishMs, p[4]!.end);
  assert.equal(p.length, 5);
  // Integer-mean prefill size (dynamo.md §9.1) for two prompts in one pass.
  const two = runEngine([{ at: 0, inputLength: 101, outputLength: 1 }, { at: 0, inputLength: 200, outputLength: 1 }]);
  assert.equal(two.passes[0]!.numPrefill, 2);
  assert.equal(two.passes[0]!.wallTimeMs, polynomialPrefillMs(2 * Math.floor(301 / 2)) + polynomialDecodeMs(6 / 16384), "2 + 4 blocks active");
});

test("prefix caching: a repeated prompt reuses its full blocks; LIFO preemption recomputes the newest", () => {
  const bi = new BlockInterner(512, 64);
  const ids = bi.blockIds([1, 2, 3], 1300);
  const res = runEngine([{ at: 0, inputLength: 1300, outputLength: 2, blockIds: ids }, { at: 10_000, inputLength: 1300, outputLength: 2, blockIds: ids }]);
  assert.equal(res.requests[0]!.cachedTokens, 0);
  assert.equal(res.requests[1]!.cachedTokens, 1280, "20 full blocks of 64");
  assert.ok(res.requests[1]!.ttftMs < res.requests[0]!.ttftMs);
  const tight = runEngine([{ at: 0, inputLength: 600, outputLength: 300 }, { at: 0, inputLength: 600, outputLength: 300 }], { numGpuBlocks: 20, blockSize: 64 });
  assert.ok(tight.requests[1]!.preemptions > 0, "the newest request is preempted when decode growth needs blocks");
  assert.equal(tight.requests[0]!.preemptions, 0);
  assert.equal(tight.requests[1]!.outputTokens, 300);
});

test("per-request ITL percentiles: a stall from another request's prefill shows in max/p99, not in p50", () => {
  const res = runEngine([{ at: 0, inputLength: 100, outputLength: 200 }, { at: 500, inputLength: 8000, outputLength: 1 }]);
  const a = res.requests[0]!;
  const stall = res.passes.find((p) => p.numPrefill === 1 && p.sumPrefillTokens === 8000)!;
  assert.equal(a.itlMaxMs, stall.wallTimeMs);
  assert.ok(a.itlP50Ms < 7 && a.itlP50Ms > 5.7, `p50 ${a.itlP50Ms}`);
  assert.ok(a.itlP99Ms < a.itlMaxMs && a.itlP99Ms >= a.itlP50Ms);
  assert.ok(Math.abs(a.itlMs * 199 - (a.finishMs - a.firstTokenMs)) < 1e-6);
});

test("weightedQuantiles equals quantile() on the expanded list", () => {
  const r = rng("wq");
  for (let t = 0; t < 50; t++) {
    const vals = Array.from({ length: 1 + r.int(8) }, () => Math.round(r.random() * 100) / 10);
    const counts = vals.map(() => 1 + r.int(5));
    const expanded = vals.flatMap((v, i) => Array.from({ length: counts[i]! }, () => v));
    const ps = [0, 0.1, 0.5, 0.9, 0.99, 1];
    const got = weightedQuantiles(vals, counts, ps);
    ps.forEach((p, k) => assert.ok(Math.abs(got[k]! - quantile(expanded, p)) < 1e-12, `p=${p}`));
  }
});

test("without chunked prefill a prompt over the token budget is refused at once (it could never be scheduled; it used to spin forever)", () => {
  const arrivals: EngineArrival[] = [{ at: 0, inputLength: 5000, outputLength: 10 }, { at: 1, inputLength: 100, outputLength: 5 }];
  assert.throws(() => runEngine(arrivals, { enableChunkedPrefill: false, enablePrefixCaching: false, maxNumBatchedTokens: 2048, maxNumSeqs: 16 }, "agg"), /request 0 has 5000 input tokens, more than maxNumBatchedTokens 2048, with chunked prefill off/);
  // At the budget it runs; with chunking on, any length runs in chunks.
  assert.equal(runEngine([{ at: 0, inputLength: 2048, outputLength: 3 }], { enableChunkedPrefill: false, maxNumBatchedTokens: 2048 }, "agg").requests.length, 1);
  assert.equal(runEngine(arrivals, { enableChunkedPrefill: true, maxNumBatchedTokens: 2048 }, "agg").requests.length, 2);
});

test("without chunked prefill a preempted request whose recompute exceeds the budget is an error once nothing else runs (no endless empty passes)", () => {
  // Two long decodes on a 70-block cache: one is preempted, and its recompute (prompt + generated) no longer fits a pass.
  assert.throws(
    () => runEngine([{ at: 0, inputLength: 1900, outputLength: 600 }, { at: 0, inputLength: 1900, outputLength: 600 }], { enableChunkedPrefill: false, enablePrefixCaching: false, maxNumBatchedTokens: 2048, maxNumSeqs: 16, numGpuBlocks: 70, blockSize: 64 }, "agg"),
    /request 1 needs \d+ tokens in one pass \(recomputing after preemption\), more than maxNumBatchedTokens 2048, with chunked prefill off/,
  );
});
