import { test } from "node:test";
import assert from "node:assert/strict";
import { syntheticTrace, sharedPrefixTrace } from "../sdk/trace/index.js";
import { replayTrace, scheduledController, type ReplayController, type ForwardPassMetrics, type TrafficWindow, type FleetObservations } from "../sdk/replay/index.js";

const trace = sharedPrefixTrace({ seed: 11, numGroups: 8, promptsPerGroup: 40, systemPromptLen: 2500, questionLen: 700, outputLen: 60, arrivals: { kind: "poisson", rateRps: 4 } });

test("controller: ticks on the virtual clock; every pass is observed once, at or before its tick", () => {
  const seen: ForwardPassMetrics[] = [];
  const ticks: number[] = [];
  const ctl: ReplayController = {
    firstTickAt: () => 2000,
    tick(obs) {
      ticks.push(obs.now);
      const prev = ticks.length > 1 ? ticks[ticks.length - 2]! : -Infinity;
      for (const p of obs.passes) {
        assert.ok(p.at <= obs.now && p.at > prev, `pass at ${p.at} reported at tick ${obs.now}`);
        assert.equal(p.pool, "agg");
        assert.ok(p.queuedPrefillTokens !== undefined && p.queuedDecodeKvTokens !== undefined);
      }
      seen.push(...obs.passes);
      assert.equal(obs.active.agg, 3);
      return obs.now + 2000;
    },
  };
  const r = replayTrace(trace, { workers: 3, router: "kv", controller: ctl, recordPasses: true });
  assert.deepEqual(ticks.slice(0, 3), [2000, 4000, 6000]);
  assert.equal(r.ticks, ticks.length);
  const lastTick = ticks[ticks.length - 1]!;
  assert.deepEqual(seen, r.passes.filter((p) => p.at <= lastTick));
  assert.ok(seen.length > 100);
});

test("drainTraffic: completions (not arrivals) since the last drain, per-request means, hit rate = mean over admissions of overlap/isl blocks", () => {
  const windows: (TrafficWindow & { from: number; to: number })[] = [];
  let last = 0;
  const ctl: ReplayController = {
    firstTickAt: () => 5000,
    tick(obs) {
      if ((obs.now / 5000) % 2 === 0) { // drain every other tick only
        windows.push({ ...obs.drainTraffic(), from: last, to: obs.now });
        last = obs.now;
      }
      return obs.now + 5000;
    },
  };
  const r = replayTrace(trace, { workers: 2, router: "kv", controller: ctl });
  assert.ok(windows.length > 3);
  for (const w of windows) {
    assert.equal(w.durationS, (w.to - w.from) / 1000);
    const done = r.requests.filter((q) => q.finishMs !== null && q.finishMs > w.from && q.finishMs <= w.to);
    assert.equal(w.numReq, done.length);
    if (done.length === 0) { assert.ok(Number.isNaN(w.avgTtftMs)); continue; }
    assert.ok(Math.abs(w.avgIsl - done.reduce((s, q) => s + q.inputTokens, 0) / done.length) < 1e-9);
    assert.ok(Math.abs(w.avgTtftMs - done.reduce((s, q) => s + q.ttftMs!, 0) / done.length) < 1e-6);
    const itl = done.filter((q) => q.itlMs !== null);
    assert.ok(Math.abs(w.avgItlMs - itl.reduce((s, q) => s + q.itlMs!, 0) / itl.length) < 1e-6);
    const admitted = r.requests.filter((q) => (q.arrivalMs! > w.from || (w.from === 0 && q.arrivalMs === 0)) && q.arrivalMs! <= w.to && q.islBlocks > 0);
    const mean = admitted.reduce((s, q) => s + q.overlapBlocks / q.islBlocks, 0) / admitted.length;
    assert.ok(Math.abs(w.avgKvHitRate - mean) < 1e-12, "mean of ratios, not ratio of sums");
  }
  assert.ok(windows.some((w) => w.avgKvHitRate > 0));
});

test("fleet control: add with start-up delay, remove by pool (pending first, newest first), draining finishes its work", () => {
  const log: { now: number; active: number; total: number; ids: string[] }[] = [];
  let added = "";
  let cancelled: string | undefined;
  let drained: string | undefined;
  const ctl: ReplayController = {
    firstTickAt: () => 1000,
    tick(obs: FleetObservations, fleet) {
      log.push({ now: obs.now, active: obs.active.agg, total: obs.total.agg, ids: fleet.workers().map((w) => `${w.id}:${w.state}`) });
      if (obs.now === 1000) { added = fleet.addWorker("agg", 10_000); fleet.addWorker("agg", 50_000); }
      if (obs.now === 20_000) cancelled = fleet.removeWorker({ pool: "agg" });
      if (obs.now === 30_000) drained = fleet.removeWorker({ pool: "agg" });
      if (obs.now === 31_000) assert.throws(() => fleet.addWorker("prefill", 0), /no pool 'prefill'/);
      return obs.now + 1000;
    },
  };
  const r = replayTrace(trace, { workers: 2, router: "least-loaded", controller: ctl });
  assert.equal(added, "agg-2");
  assert.equal(cancelled, "agg-3", "the pending start-up is cancelled first");
  assert.equal(drained, "agg-2", "then the newest ready worker drains");
  const at = (t: number) => log.find((l) => l.now === t)!;
  assert.deepEqual([at(2000).active, at(2000).total], [2, 4]);
  assert.deepEqual([at(11_000).active, at(11_000).total], [3, 4], "ready after its 10 s start-up delay");
  assert.deepEqual([at(21_000).active, at(21_000).total], [3, 3]);
  assert.equal(at(30_000).active, 3);
  assert.equal(at(31_000).active, 2);
  assert.equal(r.summary.completed, trace.length, "no request lost by draining");
  assert.ok(r.requests.some((q) => q.worker === "agg-2"), "the added worker served requests");
  const removed = r.fleet.find((c) => c.workerId === "agg-2" && c.change === "removed")!;
  assert.ok(removed.atMs >= 30_000);
  assert.ok(r.requests.filter((q) => q.worker === "agg-2").every((q) => q.finishMs! <= removed.atMs));
  assert.ok(r.requests.filter((q) => q.worker === "agg-2").every((q) => q.arrivalMs! < 30_000), "no routing to a draining worker");
});

test("requests wait at the router while a pool has no ready worker", () => {
  const ctl: ReplayController = {
    firstTickAt: () => 500,
    tick(obs, fleet) {
      if (obs.now === 500) fleet.removeWorker({ pool: "agg" });
      if (obs.now === 3000) fleet.addWorker("agg", 2000);
      return obs.now + 500;
    },
  };
  const tr = syntheticTrace({ seed: 2, arrivals: { kind: "poisson", rateRps: 2 }, count: 30, inputTokens: 500, outputTokens: 10 });
  const r = replayTrace(tr, { workers: 1, controller: ctl });
  assert.equal(r.summary.completed, 30);
  const late = r.requests.filter((q) => q.arrivalMs! > 500 && q.arrivalMs! < 5000);
  assert.ok(late.length > 0);
  for (const q of late) assert.ok(q.firstTokenMs! >= 5000, "served only once the new worker is ready");
});

test("a controller's next tick must move forward", () => {
  assert.throws(() => replayTrace(trace.slice(0, 5), { controller: { firstTickAt: () => 10, tick: (obs) => obs.now } }), /later than 10/);
});

test("scheduledController adds and removes workers at fixed times (and can wrap another controller)", () => {
  let innerTicks = 0;
  const inner: ReplayController = { firstTickAt: () => 3000, tick: (obs) => { innerTicks++; return obs.now + 3000; } };
  const r = replayTrace(trace, { workers: 1, controller: scheduledController([{ atMs: 10_000, add: "agg", count: 2, startupDelayMs: 5000 }, { atMs: 40_000, remove: "agg" }], inner) });
  const ch = r.fleet.map((c) => `${c.atMs}:${c.workerId}:${c.change}`);
  assert.ok(ch.includes("10000:agg-1:requested") && ch.includes("10000:agg-2:requested"));
  assert.ok(ch.includes("15000:agg-1:ready") && ch.includes("15000:agg-2:ready"));
  assert.ok(ch.includes("40000:agg-2:draining"));
  assert.ok(innerTicks > 5);
  assert.equal(r.summary.completed, trace.length);
});
