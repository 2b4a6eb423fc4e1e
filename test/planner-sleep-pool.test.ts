/**
 * Why a sleep pool does not always beat direct cold starts (notebook 04, "Hot vs cold"): the
 * mechanism, pinned. (1) Sleepers only come from scale-downs, so the run's first ramp pays the same
 * warm costs with or without a sleep pool. (2) In the 8b-h100 profile warm and direct cold are both
 * one instance load, so which arm ramps faster is decided by the draws, not the path. (3) After the
 * ramp, a hot-woken replica is ready within one load tick and the next tick usually scales it down
 * again, so fast wakes buy little.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { actuationDelayMs, getProfile } from "../sdk/actuation/profiles.js";
import { rng } from "../sdk/core/rng.js";
import { sharedDataset } from "../sdk/core/paths.js";
import { loadMooncake } from "../sdk/trace/mooncake.js";
import { timeWindow } from "../sdk/trace/transforms.js";
import { parsePlannerConfig, DEFAULT_ENGINE_CAPABILITIES } from "../sdk/planner/config.js";
import { runPlannerReplay } from "../sdk/planner/run.js";
import { drivenActuator } from "./helpers/driven-actuator.js";

const caps = { prefill: DEFAULT_ENGINE_CAPABILITIES, decode: DEFAULT_ENGINE_CAPABILITIES };

test("sleep pool: no sleeper exists before the first scale-down, so the ramp pays the same warm draws as without one", () => {
  const run = (sleep_pool: boolean) => {
    const cfg = parsePlannerConfig({ mode: "agg", max_gpu_budget: -1, actuation: { profile: "8b-h100", sleep_pool, sleeper_limit: 1 } }, { engineCapabilities: caps });
    const run = drivenActuator(cfg, 1);
    for (let i = 0; i < 3; i++) run.up(); // the ramp: 1 → 4 replicas
    run.down(); // the first scale-down: with a sleep pool, a sleeper
    run.up();
    return run.actuations;
  };
  const withPool = run(true);
  const without = run(false);
  // The ramp: identical paths and identical delays (same seed, same draws).
  assert.deepEqual(withPool.slice(0, 3).map((a) => [a.path, a.delayMs]), without.slice(0, 3).map((a) => [a.path, a.delayMs]));
  assert.deepEqual(withPool.slice(0, 3).map((a) => a.path), ["warm", "warm", "warm"]);
  // Only after a scale-down does the sleep pool offer a hot wake, an order of magnitude cheaper.
  assert.equal(withPool[3]!.path, "hot");
  assert.equal(without[3]!.path, "warm");
  assert.ok(withPool[3]!.delayMs * 5 < Math.min(...withPool.slice(0, 3).map((a) => a.delayMs)), `hot ${withPool[3]!.delayMs} ms vs ramp ${withPool.slice(0, 3).map((a) => a.delayMs)}`);
});

test("8b-h100: warm and direct cold differ by less than one draw's spread, so a three-step ramp can rank either way", () => {
  const p = getProfile("8b-h100");
  const draws = (path: "warm" | "cold", mode: "launcher" | "direct") => {
    const r = rng(7).split(path);
    return Array.from({ length: 500 }, () => actuationDelayMs(p, path, r, { mode }));
  };
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
  const warm = draws("warm", "launcher");
  const cold = draws("cold", "direct");
  const gap = mean(cold) - mean(warm);
  // Cold pays a pod start on top of the same instance load…
  assert.ok(gap > 0, `cold ${mean(cold).toFixed(0)} ms vs warm ${mean(warm).toFixed(0)} ms`);
  // …which is small next to the instance load's own spread: the sum of three draws (a ramp) has a spread √3·sd.
  assert.ok(gap < sd(warm) / 2, `gap ${gap.toFixed(0)} ms vs warm sd ${sd(warm).toFixed(0)} ms`);
  const ramps = Math.floor(warm.length / 3);
  const ramp = (xs: number[], i: number) => xs[3 * i]! + xs[3 * i + 1]! + xs[3 * i + 2]!;
  let warmFaster = 0;
  for (let i = 0; i < ramps; i++) if (ramp(warm, i) < ramp(cold, i)) warmFaster++;
  const share = warmFaster / ramps;
  assert.ok(share > 0.5 && share < 0.85, `warm ramps faster in ${(share * 100).toFixed(0)} % of paired three-step ramps`);
});

const tracePath = sharedDataset("mooncake/conversation_trace.jsonl");
const skip = tracePath ? false : "shared Mooncake conversation trace not found";
// Notebook 04's configuration.
const NB = { mode: "agg", optimization_target: "sla", ttft: 2500, itl: 50, enable_throughput_scaling: true, enable_load_scaling: true, throughput_adjustment_interval: 60, load_adjustment_interval: 5, max_gpu_budget: 16, load_predictor: "kalman" };

test("Mooncake (notebook 04 config, first 12 min): sleep pool = no sleep pool until the first scale-down; hot replicas are scaled down within a load tick or two", { skip, timeout: 180_000 }, () => {
  const reqs = timeWindow(loadMooncake(tracePath!).requests, 0, 12 * 60_000);
  const sleep = runPlannerReplay(reqs, { ...NB, actuation: { profile: "8b-h100", sleep_pool: true, sleeper_limit: 1 } }, { seed: 1, router: "kv" });
  const warm = runPlannerReplay(reqs, { ...NB, actuation: { profile: "8b-h100", sleep_pool: false } }, { seed: 1, router: "kv" });
  const firstDown = (r: typeof sleep) => r.controller.events.find((e) => e.direction === "scale_down")!.t;
  const tDown = firstDown(sleep);
  assert.equal(firstDown(warm), tDown);
  const before = (r: typeof sleep) => r.controller.actuations.filter((a) => a.t < tDown).map((a) => [a.t, a.path, a.delayMs]);
  assert.ok(before(sleep).length >= 2, "the ramp scaled up");
  assert.deepEqual(before(sleep), before(warm));
  const hot = sleep.controller.actuations.filter((a) => a.path === "hot");
  assert.ok(hot.length >= 3, `hot wakes after the first scale-down: ${hot.length}`);
  assert.ok(hot.every((a) => a.t > tDown));
  // Requests that arrived and finished before the arms' first different decision were served identically.
  const key = (e: (typeof sleep.controller.events)[number] | undefined) => (e ? [e.t, e.to, e.paths, e.delaysS].join(" ") : "");
  const diverge = sleep.controller.events.find((e, i) => key(e) !== key(warm.controller.events[i]))!.t * 1000;
  const early = (r: typeof sleep) => r.replay.requests.filter((q) => q.finishMs !== null && q.finishMs < diverge).map((q) => q.ttftMs);
  assert.ok(early(sleep).length > 500, `${early(sleep).length} requests finished before the arms diverged at ${diverge / 1000} s`);
  assert.deepEqual(early(sleep), early(warm));
  // Flapping: a hot replica is ready within two load ticks, so the scaling_in_progress gate lifts at
  // once, and the next load tick sees the backlog spread and every estimate below 0.8 × SLA.
  const interval = NB.load_adjustment_interval;
  const served = hot.map((a) => {
    const drained = sleep.replay.fleet.find((c) => c.workerId === a.workerId && c.change === "draining");
    return drained ? drained.atMs / 1000 - a.readyAt : Infinity;
  });
  assert.ok(hot.every((a) => a.delayMs / 1000 < 2 * interval), `hot delays ${hot.map((a) => a.delayMs)}`);
  const short = served.filter((s) => s <= 2 * interval).length;
  assert.ok(short / served.length >= 0.5, `hot replicas drained within ${2 * interval} s of ready: ${short}/${served.length} (${served.map((s) => s.toFixed(1))})`);
});
