// Issue 11 item 2: the actuation seam and the planner as a replay controller value. An Actuator is
// a value (fixedStartup / fmaPaths) that prices a scale-up; a started actuator is driven without
// reaching into the planner; `planner(config)` placed in the replay options is "replay + summary",
// byte for byte what runPlannerReplay gives, and an explicit actuator equals the config's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixedStartup, fmaPaths, startActuator, type Actuator } from "../sdk/actuation/actuator.js";
import { actuationDelayMs, getProfile } from "../sdk/actuation/profiles.js";
import { InputError } from "../sdk/core/errors.js";
import { sharedDataset } from "../sdk/core/paths.js";
import { rng } from "../sdk/core/rng.js";
import { planner } from "../sdk/planner/loop.js";
import { plannerResult, runPlannerReplay } from "../sdk/planner/run.js";
import { replayTrace } from "../sdk/replay/replay.js";
import { scheduledController } from "../sdk/replay/schedule.js";
import { loadMooncake } from "../sdk/trace/mooncake.js";
import { timeWindow } from "../sdk/trace/transforms.js";
import { syntheticTrace } from "../sdk/trace/generate.js";

const tracePath = sharedDataset("mooncake/conversation_trace.jsonl");
const skip = tracePath ? false : "the Mooncake conversation trace is not available";
const CONFIG = { mode: "agg", optimization_target: "sla", ttft: 2500, itl: 50, enable_throughput_scaling: true, enable_load_scaling: true, throughput_adjustment_interval: 60, load_adjustment_interval: 5, max_gpu_budget: 16, load_predictor: "kalman" };
const bytes = (r: ReturnType<typeof runPlannerReplay>) => JSON.stringify([r.summary, r.controller.events, r.controller.actuations, r.replay.requests]);

test("an actuator is a value: it survives structuredClone, and a started one prices FMA paths from the profile on its own stream", () => {
  const a = fmaPaths("8b-h100", { sleepPool: true, sleeperLimit: 1 });
  assert.deepEqual(structuredClone(a), a);
  assert.deepEqual(structuredClone(fixedStartup(120)), fixedStartup(120));
  const run = startActuator(structuredClone(a), { rng: rng(3).split("planner-actuation") });
  run.start(["agg-0"], ["agg"]);
  const plans = [0, 1, 2].map((i) => { const p = run.scaleUp("agg"); p.bind(`agg-${i + 1}`); return p; });
  assert.deepEqual(plans.map((p) => p.path), ["warm", "warm", "warm"]);
  run.scaleDown("agg-3", "agg"); // sleeps on its slot
  const hot = run.scaleUp("agg");
  assert.equal(hot.path, "hot");
  // The same draws a bare profile gives on the same stream.
  const r = rng(3).split("planner-actuation");
  const p = getProfile("8b-h100");
  const expected = ["warm", "warm", "warm", "hot"].map((path) => actuationDelayMs(p, path as "warm" | "hot", r, { mode: "launcher" }));
  assert.deepEqual([...plans, hot].map((x) => x.delayMs), expected);
  assert.equal(run.launchers, 1);
  // A fixed start-up keeps the launcher books but prices every scale-up the same and classifies none.
  const fixed = startActuator(fixedStartup(90), { rng: rng(3) });
  fixed.start(["agg-0"], ["agg"]);
  assert.deepEqual([fixed.scaleUp("agg"), fixed.scaleUp("agg")].map((x) => [x.path, x.delayMs]), [[null, 90_000], [null, 90_000]]);
  assert.throws(() => fixedStartup(-1), /seconds must be finite and ≥ 0, got -1/);
  assert.throws(() => startActuator(fmaPaths("no-such-gpu"), { rng: rng(1), source: "study.yaml" }), (e: unknown) => e instanceof InputError && /study\.yaml.*actuation\.profile.*got 'no-such-gpu'/.test(e.message));
});

test("planner(config) in the replay options is replay + summary: the same bytes as runPlannerReplay; an explicit actuator equals the config's actuation section", { skip, timeout: 180_000 }, () => {
  const reqs = timeWindow(loadMooncake(tracePath!).requests, 0, 6 * 60_000);
  const viaRun = runPlannerReplay(reqs, CONFIG, { seed: 2, router: "kv" });
  const loop = planner(CONFIG);
  const viaOptions = plannerResult(replayTrace(reqs, { seed: 2, router: "kv", controller: loop }), loop);
  assert.equal(bytes(viaOptions), bytes(viaRun));
  assert.ok(viaRun.summary.actuations > 0, "the planner scaled");
  assert.throws(() => replayTrace(reqs, { controller: loop }), /already steered a replay/);

  const cases: [Record<string, unknown>, Actuator][] = [
    [{ startup_time: 120 }, fixedStartup(120)],
    [{ profile: "32b-h100", sleep_pool: true, prewarmed_sleepers: 1 }, fmaPaths("32b-h100", { sleepPool: true, prewarmedSleepers: 1 })],
    [{ launcher_mode: "direct", sleep_pool: false }, fmaPaths("8b-h100", { launcherMode: "direct", sleepPool: false })],
  ];
  for (const [actuation, actuator] of cases) {
    const fromConfig = runPlannerReplay(reqs, { ...CONFIG, actuation }, { seed: 2, router: "kv" });
    const fromValue = runPlannerReplay(reqs, CONFIG, { seed: 2, router: "kv", actuator });
    assert.equal(bytes(fromValue), bytes(fromConfig), JSON.stringify(actuation));
    assert.deepEqual(fromValue.report.summary, fromConfig.report.summary);
  }
  // The actuator matters: a fixed 120 s start-up and FMA paths give different runs.
  assert.notEqual(bytes(runPlannerReplay(reqs, CONFIG, { seed: 2, router: "kv", actuator: fixedStartup(120) })), bytes(viaRun));
});

test("a planner wrapped by scheduledController still sets the fleet up (mode, initial workers, SLA) and steers it", () => {
  const reqs = syntheticTrace({ seed: 5, arrivals: { kind: "poisson", rateRps: 8 }, count: 600, inputTokens: 3000, outputTokens: 150 });
  const cfg = { mode: "disagg", optimization_target: "throughput", min_endpoint: 2, ttft: 800, itl: 40, max_gpu_budget: -1 };
  const loop = planner(cfg);
  const r = replayTrace(reqs, { seed: 1, controller: scheduledController([{ atMs: 10_000, add: "decode" }], loop) });
  assert.equal(r.summary.mode, "disagg");
  assert.deepEqual([r.summary.slaTtftMs, r.summary.slaItlMs], [800, 40]);
  assert.deepEqual(r.fleet.filter((c) => c.atMs === 0 && c.change === "ready").map((c) => c.pool), ["prefill", "prefill", "decode", "decode"]);
  assert.ok(r.fleet.some((c) => c.atMs === 10_000 && c.change === "requested" && c.pool === "decode"), "the schedule's own change");
  assert.ok(loop.controller.snapshots.length > 0, "the planner ticked");
});
