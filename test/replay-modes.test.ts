import { test } from "node:test";
import assert from "node:assert/strict";
import { toCsv, toJsonl } from "../sdk/core/rows.js";
import { syntheticTrace, sharedPrefixTrace, multiTurnTrace, type TraceRequest } from "../sdk/trace/index.js";
import { replayTrace, replayEvents, kvRouterCost, type ReplayEvent, type ReplayOptions } from "../sdk/replay/index.js";

const trace = sharedPrefixTrace({ seed: 21, numGroups: 10, promptsPerGroup: 30, systemPromptLen: 3000, questionLen: 900, outputLen: 80, arrivals: { kind: "gamma", rateRps: 6, cv: 2 } });

const bytes = (o: ReplayOptions, t: TraceRequest[] = trace) => {
  const r = replayTrace(t, o);
  return toJsonl(r.requests) + toCsv(r.intervals) + JSON.stringify(r.summary) + toJsonl(r.fleet);
};

test("same trace + options + seed → byte-identical outputs (every router, agg and disagg)", () => {
  for (const router of ["round-robin", "random", "least-loaded", "kv"] as const) {
    const o: ReplayOptions = { workers: 4, router, seed: 5 };
    assert.equal(bytes(o), bytes(o), router);
    const d: ReplayOptions = { mode: "disagg", prefillWorkers: 2, decodeWorkers: 3, router, seed: 5, kvTransfer: { bytesPerToken: 131072, bandwidthGBps: 25 } };
    assert.equal(bytes(d), bytes(d), `disagg ${router}`);
  }
  assert.notEqual(bytes({ workers: 4, router: "random", seed: 5 }), bytes({ workers: 4, router: "random", seed: 6 }), "the seed matters where randomness is used");
});

test("disagg: prefill pool then decode pool; TTFT includes the KV transfer (tokens × bytes per token / bandwidth)", () => {
  const base: ReplayOptions = { mode: "disagg", prefillWorkers: 2, decodeWorkers: 2, router: "kv" };
  const kv = { bytesPerToken: 163840, bandwidthGBps: 10 };
  const plain = replayTrace(trace, base);
  const slow = replayTrace(trace, { ...base, kvTransfer: kv });
  assert.equal(slow.summary.completed, trace.length);
  for (const q of slow.requests) {
    assert.ok(Math.abs(q.transferMs - (q.inputTokens * kv.bytesPerToken) / (kv.bandwidthGBps * 1e9) * 1000) < 1e-9);
    assert.match(q.prefillWorker!, /^prefill-/);
    assert.match(q.worker!, /^decode-/);
    assert.ok(q.ttftMs! > q.transferMs);
  }
  assert.ok(plain.requests.every((q) => q.transferMs === 0));
  assert.ok(slow.summary.ttftMeanMs! > plain.summary.ttftMeanMs! + 50, `${slow.summary.ttftMeanMs} vs ${plain.summary.ttftMeanMs}`);
  assert.ok(slow.summary.avgKvHitRate > 0, "prefill-router admissions feed the hit rate");
});

test("concurrency mode keeps at most N requests in flight and measures TTFT from dispatch", () => {
  let inFlight = 0;
  let peak = 0;
  const r = replayTrace(trace, { workers: 2, concurrency: 5, onEvent: (e) => {
    if (e.type === "arrival") { inFlight++; peak = Math.max(peak, inFlight); }
    if (e.type === "finish") inFlight--;
  } });
  assert.equal(peak, 5);
  assert.equal(r.summary.completed, trace.length);
  assert.equal(r.requests[0]!.arrivalMs, 0);
  assert.ok(r.requests.every((q) => q.ttftMs! >= 0 && q.arrivalMs! >= 0));
  const dispatch = r.requests.map((q) => q.arrivalMs!).sort((a, b) => a - b);
  const finishes = new Set(r.requests.map((q) => q.finishMs!));
  assert.ok(dispatch.slice(5).every((t) => finishes.has(t)), "each later dispatch happens at a completion");
});

test("sessions: a later turn arrives `delay / speed-up` after its previous turn completes", () => {
  const mt = multiTurnTrace({ seed: 3, sessions: 10, turnsPerSession: 3, arrivals: { kind: "poisson", rateRps: 0.5 }, firstInputTokens: 2000, newInputTokens: 200, outputTokens: 30, interTurnDelayMs: { uniform: [1000, 3000] } });
  for (const ratio of [1, 4]) {
    const r = replayTrace(mt, { workers: 2, router: "kv", arrivalSpeedupRatio: ratio });
    mt.forEach((q, i) => {
      if (q.delay === undefined) return;
      const prev = r.requests[i - 1]!;
      assert.ok(Math.abs(r.requests[i]!.arrivalMs! - (prev.finishMs! + q.delay / ratio)) < 1e-9);
    });
    assert.ok(r.requests.filter((q) => q.cachedTokens > 0).length >= 15, "turns reuse their session's prefix");
  }
  const first = mt.filter((q) => q.delay === undefined);
  const r1 = replayTrace(mt, { workers: 2, arrivalSpeedupRatio: 2 });
  const firstIdx = mt.map((q, i) => (q.delay === undefined ? i : -1)).filter((i) => i >= 0);
  firstIdx.forEach((i, k) => assert.ok(Math.abs(r1.requests[i]!.arrivalMs! - (first[k]!.timestamp - first[0]!.timestamp) / 2) < 1e-9));
});

test("routers: round-robin cycles; least-loaded balances; KV cost is Dynamo's formula", () => {
  const flat = syntheticTrace({ seed: 1, arrivals: { kind: "poisson", rateRps: 3 }, count: 60, inputTokens: 1000, outputTokens: 20 });
  const rr = replayTrace(flat, { workers: 3, router: "round-robin" });
  assert.deepEqual(rr.requests.slice(0, 6).map((q) => q.worker), ["agg-0", "agg-1", "agg-2", "agg-0", "agg-1", "agg-2"]);
  const ll = replayTrace(flat, { workers: 3, router: "least-loaded" });
  const counts = ["agg-0", "agg-1", "agg-2"].map((w) => ll.requests.filter((q) => q.worker === w).length);
  assert.ok(Math.min(...counts) >= 10, `least-loaded spread ${counts}`);
  // 1.0 × (pending 100 + (1000 − 2·64)) / 64 + (active 5 + pending 3 + (16 − 2)) blocks
  assert.equal(kvRouterCost(1, 64, 1000, 16, 2, { activeBlocks: 5, pendingPrefillTokens: 100, pendingBlocks: 3 }), (100 + 872) / 64 + 22);
  // Cached but inactive prefix blocks still add decode blocks (Dynamo dedups against active sequences only).
  assert.equal(kvRouterCost(1, 64, 1000, 16, 2, { activeBlocks: 5, pendingPrefillTokens: 100, pendingBlocks: 3 }, 0), (100 + 872) / 64 + 24);
});

test("outputs: rows and intervals are plain records; summary counts, throughput and SLA attainment agree with the rows", () => {
  const r = replayTrace(trace, { workers: 3, router: "kv", intervalS: 30, sla: { ttftMs: 300, itlMs: 20 } });
  const done = r.requests.filter((q) => q.completed);
  assert.equal(r.summary.completed, done.length);
  assert.equal(r.summary.requests, trace.length);
  const dur = Math.max(...done.map((q) => q.finishMs!));
  assert.equal(r.summary.durationMs, dur);
  assert.ok(Math.abs(r.summary.requestThroughputRps - done.length / (dur / 1000)) < 1e-9);
  assert.equal(r.summary.ttftAttainment, done.filter((q) => q.ttftMs! <= 300).length / done.length);
  assert.equal(r.summary.slaAttainment, done.filter((q) => q.ttftMs! <= 300 && (q.itlMs === null || q.itlMs <= 20)).length / done.length);
  assert.equal(r.intervals.reduce((s, i) => s + i.arrivals, 0), trace.length);
  assert.equal(r.intervals.reduce((s, i) => s + i.completions, 0), done.length);
  assert.ok(r.intervals.every((i) => i.readyWorkers === 3 && i.endS - i.startS === 30));
  for (const q of r.requests) for (const v of Object.values(q)) assert.ok(v === null || ["number", "string", "boolean"].includes(typeof v));
  assert.ok(r.summary.itlP99Ms! >= r.summary.itlP50Ms! && r.summary.ttftP99Ms! >= r.summary.ttftP90Ms!);
});

test("replayEvents yields the run as an async iterator, identical to onEvent", async () => {
  const small = trace.slice(0, 60);
  const viaHook: ReplayEvent[] = [];
  replayTrace(small, { workers: 2, router: "kv", onEvent: (e) => viaHook.push(e) });
  const viaIter: ReplayEvent[] = [];
  for await (const e of replayEvents(small, { workers: 2, router: "kv", chunkMs: 1000 })) viaIter.push(e);
  assert.deepEqual(viaIter, viaHook);
  assert.equal(viaIter.filter((e) => e.type === "finish").length, 60);
  // Early exit is fine.
  let n = 0;
  for await (const e of replayEvents(small, { workers: 2 })) { if (e.type === "arrival" && ++n === 3) break; }
  assert.equal(n, 3);
});

test("maxSimTimeMs stops the clock; unfinished requests are reported as not completed", () => {
  const r = replayTrace(trace, { workers: 1, maxSimTimeMs: 20_000 });
  assert.ok(r.summary.completed > 0 && r.summary.completed < trace.length);
  const open = r.requests.filter((q) => !q.completed);
  assert.ok(open.every((q) => q.finishMs === null && q.e2eMs === null));
  assert.ok(r.requests.filter((q) => q.completed).every((q) => q.finishMs! <= 20_000));
  assert.ok(open.some((q) => q.arrivalMs === null), "requests after the limit never arrived");
});

test("router queue (opt-in): requests wait at the router, first come first served, while every worker is saturated", () => {
  const burst = syntheticTrace({ seed: 4, arrivals: { kind: "poisson", rateRps: 50 }, count: 120, inputTokens: 6000, outputTokens: 30 });
  const free = replayTrace(burst, { workers: 2, router: "kv" });
  let maxQueuedOnWorkers = 0;
  const held = replayTrace(burst, { workers: 2, router: "kv", routerQueueThreshold: 1, recordPasses: true });
  for (const p of held.passes) maxQueuedOnWorkers = Math.max(maxQueuedOnWorkers, p.queued);
  const freeQueued = Math.max(...replayTrace(burst, { workers: 2, router: "kv", recordPasses: true }).passes.map((p) => p.queued));
  assert.equal(held.summary.completed, 120);
  assert.ok(maxQueuedOnWorkers < freeQueued, `worker queues ${maxQueuedOnWorkers} vs ${freeQueued} without the router queue`);
  const routed = held.requests.map((q) => q.admittedMs!);
  const order = held.requests.map((q) => q.request).sort((a, b) => routed[a]! - routed[b]! || a - b);
  assert.ok(order.every((v, k) => k === 0 || held.requests[v]!.arrivalMs! >= held.requests[order[k - 1]!]!.arrivalMs!), "admitted in arrival order");
  assert.ok(free.summary.completed === 120);
});
