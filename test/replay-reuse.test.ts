import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedDataset } from "../sdk/core/paths.js";
import { loadMooncake, sharedPrefixTrace, multiTurnTrace, idealPrefixReuse, head, type TraceRequest } from "../sdk/trace/index.js";
import { replayTrace } from "../sdk/replay/index.js";

const infinite = { numGpuBlocks: Infinity };

function checkIdeal(trace: TraceRequest[], label: string): void {
  const ideal = idealPrefixReuse(trace, { engineBlockSize: 64 });
  assert.ok(ideal.tokenRatio > 0.05, `${label}: the trace has reuse to find`);
  // One request at a time, so every earlier prompt is fully cached when the next one is admitted.
  const r = replayTrace(trace, { workers: 1, concurrency: 1, engine: infinite });
  assert.equal(r.summary.completed, trace.length);
  assert.ok(Math.abs(r.summary.prefixCacheReusedRatio - ideal.tokenRatio) < 1e-12, `${label}: engine reuse ${r.summary.prefixCacheReusedRatio} vs ideal ${ideal.tokenRatio}`);
  assert.ok(Math.abs(r.summary.avgKvHitRate - ideal.meanRequestRatio) < 1e-12, `${label}: router hit rate ${r.summary.avgKvHitRate} vs ideal ${ideal.meanRequestRatio}`);
  assert.equal(r.requests.reduce((s, q) => s + q.cachedTokens, 0), ideal.reusedTokens);
  // A small cache (just above the largest request) evicts, so it finds less.
  const need = Math.max(...trace.map((q) => Math.ceil((q.input_length + q.output_length) / 64)));
  const small = replayTrace(trace, { workers: 1, concurrency: 8, engine: { numGpuBlocks: need + 16 } });
  assert.ok(small.summary.prefixCacheReusedRatio < ideal.tokenRatio, `${label}: small cache ${small.summary.prefixCacheReusedRatio} should be below ${ideal.tokenRatio}`);
  assert.ok(small.summary.avgKvHitRate < ideal.meanRequestRatio);
}

test("prefix reuse: infinite cache on one worker equals the trace's ideal reuse (synthetic shared-prefix + multi-turn); a small cache gives less", () => {
  checkIdeal(sharedPrefixTrace({ seed: 3, numGroups: 6, promptsPerGroup: 25, systemPromptLen: 3000, questionLen: 500, outputLen: 20, arrivals: { kind: "poisson", rateRps: 5 } }), "shared-prefix");
  checkIdeal(multiTurnTrace({ seed: 4, sessions: 30, turnsPerSession: 4, arrivals: { kind: "poisson", rateRps: 1 }, firstInputTokens: { uniform: [500, 4000] }, newInputTokens: 300, outputTokens: 40, interTurnDelayMs: 1000 }), "multi-turn");
});

const conv = sharedDataset("mooncake/conversation_trace.jsonl");
test("prefix reuse on the real Mooncake conversation trace (first 1,500 requests) equals its ideal reuse", { skip: conv ? false : "shared dataset mooncake/conversation_trace.jsonl absent" }, () => {
  checkIdeal(head(loadMooncake(conv!).requests, 1500), "mooncake");
});

test("trace mode with well-spaced arrivals also reaches the ideal; KV routing finds more reuse than round-robin on many workers", () => {
  const trace = sharedPrefixTrace({ seed: 8, numGroups: 4, promptsPerGroup: 30, systemPromptLen: 4096, questionLen: 200, outputLen: 10, arrivals: { kind: "poisson", rateRps: 0.2 } });
  const ideal = idealPrefixReuse(trace);
  const spaced = replayTrace(trace, { workers: 1, engine: infinite, arrivalSpeedupRatio: 0.01 });
  assert.ok(Math.abs(spaced.summary.prefixCacheReusedRatio - ideal.tokenRatio) < 1e-12);
  const fast = { arrivalSpeedupRatio: 20, workers: 6 };
  const rr = replayTrace(trace, { ...fast, router: "round-robin" });
  const kv = replayTrace(trace, { ...fast, router: "kv" });
  assert.ok(kv.summary.avgKvHitRate > rr.summary.avgKvHitRate, `kv ${kv.summary.avgKvHitRate} vs rr ${rr.summary.avgKvHitRate}`);
  assert.ok(kv.summary.prefixCacheReusedRatio > rr.summary.prefixCacheReusedRatio);
});
