/**
 * Pre-warmed sleepers (`actuation.prewarmed_sleepers`): sleeping instances provisioned before the
 * run, so the start-up ramp can be hot. Pinned: validation names the path; placement (one per idle
 * slot, within the sleeper limit, launchers added only when initial_launchers is left null); the
 * first N scale-ups are hot and pay the hot path's own draws; the option absent or 0 leaves every
 * output byte unchanged; on notebook 04's setup it lifts the first minutes' attainment.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { actuationDelayMs, getProfile } from "../sdk/actuation/profiles.js";
import { InputError } from "../sdk/core/errors.js";
import { rng } from "../sdk/core/rng.js";
import { sharedDataset } from "../sdk/core/paths.js";
import { loadMooncake } from "../sdk/trace/mooncake.js";
import { syntheticTrace } from "../sdk/trace/generate.js";
import { timeWindow } from "../sdk/trace/transforms.js";
import { loadPlannerConfig } from "../sdk/planner/load-config.js";
import { parsePlannerConfig, DEFAULT_ENGINE_CAPABILITIES } from "../sdk/planner/config.js";
import { runPlannerReplay, type PlannerReplayResult } from "../sdk/planner/run.js";
import { writePlannerReplayOutputs } from "../sdk/planner/write-outputs.js";
import { drivenActuator } from "./helpers/driven-actuator.js";
import { tempDir } from "./helpers/temp-dir.js";

const engineCapabilities = { prefill: DEFAULT_ENGINE_CAPABILITIES, decode: DEFAULT_ENGINE_CAPABILITIES };

const bad = (raw: unknown, re: RegExp) => {
  assert.throws(() => parsePlannerConfig(raw, { source: "cfg.json", engineCapabilities }), (e: unknown) => {
    assert.ok(e instanceof InputError, String(e));
    assert.equal(e.path, "actuation.prewarmed_sleepers");
    assert.equal(e.source, "cfg.json");
    assert.match(e.message, re);
    return true;
  });
};

test("config: prewarmed_sleepers defaults to 0; errors name actuation.prewarmed_sleepers and what was expected", () => {
  assert.equal(parsePlannerConfig({}, { engineCapabilities }).actuation.prewarmed_sleepers, 0);
  assert.equal(parsePlannerConfig({ actuation: { prewarmed_sleepers: 3 } }, { engineCapabilities }).actuation.prewarmed_sleepers, 3);
  bad({ actuation: { prewarmed_sleepers: -1 } }, /expected an integer ≥ 0, got -1/);
  bad({ actuation: { prewarmed_sleepers: 1.5 } }, /expected an integer ≥ 0, got 1.5/);
  bad({ actuation: { prewarmed_sleepers: "2" } }, /got "2"/);
  bad({ actuation: { sleep_pool: false, prewarmed_sleepers: 2 } }, /expected 0 when actuation.sleep_pool is false .*set sleep_pool: true.*, got 2/);
  bad({ actuation: { sleeper_limit: 0, prewarmed_sleepers: 1 } }, /expected 0 when actuation.sleeper_limit is 0/);
  bad({ actuation: { startup_time: 120, prewarmed_sleepers: 1 } }, /expected 0 when actuation.startup_time is set \(120 s/);
  // 0 is always fine, whatever else is set.
  assert.equal(parsePlannerConfig({ actuation: { sleep_pool: false, startup_time: 60, prewarmed_sleepers: 0 } }, { engineCapabilities }).actuation.prewarmed_sleepers, 0);
  assert.throws(() => parsePlannerConfig({ actuation: { prewarm: 1 } }, { engineCapabilities }), /unknown key 'prewarm'; expected one of: .*prewarmed_sleepers/);
  // The example config parses and differs from agg-sla.json only there (and in its report name).
  const ex = loadPlannerConfig("datasets/planner/agg-sla-prewarmed.json", { engineCapabilities });
  const plain = loadPlannerConfig("datasets/planner/agg-sla.json", { engineCapabilities });
  assert.equal(ex.actuation.prewarmed_sleepers, 2);
  assert.deepEqual({ ...ex, report_filename: null, actuation: { ...ex.actuation, prewarmed_sleepers: 0 } }, { ...plain, report_filename: null });
});

/** The config's actuator after the controller's first tick (initial workers and pre-warmed sleepers placed), driven through the seam. */
function driven(raw: Record<string, unknown>, seed = 1) {
  const cfg = parsePlannerConfig({ mode: "agg", max_gpu_budget: -1, ...raw }, { engineCapabilities });
  const run = drivenActuator(cfg, seed, "cfg.json");
  return { ctl: run, up: run.up, down: run.down };
}

test("the first N scale-ups wake the pre-warmed sleepers (hot) and pay the hot path's draws; then warm, then cold_launcher", () => {
  const { ctl, up, down } = driven({ actuation: { profile: "8b-h100", sleep_pool: true, sleeper_limit: 1, prewarmed_sleepers: 3 } }, 4);
  for (let i = 0; i < 8; i++) up();
  // One launcher of 8 slots: the initial replica, 3 sleepers on their own slots, 4 empty slots.
  assert.deepEqual(ctl.actuations.map((a) => a.path), ["hot", "hot", "hot", "warm", "warm", "warm", "warm", "cold_launcher"]);
  // The same seeded stream and composition as any hot wake: the delays are exactly the hot draws.
  const p = getProfile("8b-h100");
  const r = rng(4).split("planner-actuation");
  const expected = [0, 1, 2].map(() => actuationDelayMs(p, "hot", r, { mode: "launcher" }));
  assert.deepEqual(ctl.actuations.slice(0, 3).map((a) => a.delayMs), expected);
  assert.equal(ctl.actuations[3]!.delayMs, actuationDelayMs(p, "warm", r, { mode: "launcher" }));
  const hot = Math.max(...expected);
  assert.ok(hot * 5 < Math.min(...ctl.actuations.slice(3).map((a) => a.delayMs)), `hot ${expected} ms vs the rest ${ctl.actuations.slice(3).map((a) => a.delayMs)}`);
  assert.equal(ctl.launchers, 2);
  // They are sleepers like any other: a scale-down puts a replica back to sleep, the next scale-up wakes it.
  down();
  up();
  assert.equal(ctl.actuations.at(-1)!.path, "hot");
  // Provisioned before the run, not actuations.
  assert.equal(ctl.actuations.length, 9);
});

test("placement: launchers grow for pre-warmed sleepers only when initial_launchers is null; a fixed fleet stacks up to the limit or is an error naming the path", () => {
  // Auto: 2-slot launchers, 3 sleepers → the initial launcher's idle slot plus a launcher for the other two (one per slot).
  const auto = driven({ actuation: { launcher_gpus: 2, sleeper_limit: 2, prewarmed_sleepers: 3 } });
  assert.equal(auto.ctl.launchers, 2);
  for (let i = 0; i < 4; i++) auto.up();
  assert.deepEqual(auto.ctl.actuations.map((a) => a.path), ["hot", "hot", "hot", "cold_launcher"]);

  // Fixed: one 2-slot launcher → both sleepers stacked on its idle slot; only one can wake at a time.
  const fixed = driven({ actuation: { launcher_gpus: 2, sleeper_limit: 2, initial_launchers: 1, prewarmed_sleepers: 2 } });
  assert.equal(fixed.ctl.launchers, 1);
  fixed.up();
  fixed.up();
  assert.deepEqual(fixed.ctl.actuations.map((a) => a.path), ["hot", "cold_launcher"]);

  const tooMany = () => driven({ actuation: { launcher_gpus: 2, sleeper_limit: 2, initial_launchers: 1, prewarmed_sleepers: 3 } });
  assert.throws(tooMany, (e: unknown) => e instanceof InputError && e.path === "actuation.prewarmed_sleepers" && e.source === "cfg.json" && /expected at most 2 per pool .*raise initial_launchers or leave it null\), got 3/.test(e.message));

  // A profile whose GPU memory holds no sleeper next to an awake instance: an error, not a silent no-op.
  assert.throws(() => driven({ actuation: { profile: "70b-h100x2", prewarmed_sleepers: 1 } }), (e: unknown) => e instanceof InputError && e.path === "actuation.prewarmed_sleepers" && /profile "70b-h100x2"/.test(e.message));

  // Disagg: N sleepers of each pool.
  const dis = driven({ mode: "disagg", actuation: { prewarmed_sleepers: 2 } });
  for (const pool of ["prefill", "decode", "prefill", "decode", "decode"] as const) dis.up(pool);
  assert.deepEqual(dis.ctl.actuations.map((a) => `${a.pool}:${a.path}`), ["prefill:hot", "decode:hot", "prefill:hot", "decode:hot", "decode:warm"]);

  // Direct mode: each sleeper is a sleeping provider of its own; after them, direct cold.
  const direct = driven({ actuation: { launcher_mode: "direct", prewarmed_sleepers: 2 } });
  for (let i = 0; i < 3; i++) direct.up();
  assert.deepEqual(direct.ctl.actuations.map((a) => a.path), ["hot", "hot", "cold"]);
});

// An always-available trace heavy enough for the planner to scale a 1-replica fleet within 5 minutes.
const synthetic = syntheticTrace({ seed: 3, arrivals: { kind: "gamma", rateRps: 6, cv: 2 }, durationS: 300, inputTokens: { lognormal: { median: 3000, sigma: 0.8 }, min: 16, max: 32000 }, outputTokens: { lognormal: { median: 200, sigma: 0.7 }, min: 1, max: 2000 } });
// Notebook 04's configuration.
const NB = { mode: "agg", optimization_target: "sla", ttft: 2500, itl: 50, enable_throughput_scaling: true, enable_load_scaling: true, throughput_adjustment_interval: 60, load_adjustment_interval: 5, max_gpu_budget: 16, load_predictor: "kalman" };
const SLEEP = { profile: "8b-h100", sleep_pool: true, sleeper_limit: 1 };
const FILES = ["summary.json", "decisions.jsonl", "scaling-events.csv", "actuations.csv", "requests.csv", "planner_report.html"];

function outputs(r: PlannerReplayResult): string[] {
  const dir = tempDir("planner-prewarm-");
  writePlannerReplayOutputs(dir, r);
  return FILES.map((f) => readFileSync(join(dir, f), "utf8"));
}

test("replay: absent and 0 give the same bytes in every output; with sleepers the ramp is hot; same seed → same bytes", { timeout: 120_000 }, () => {
  for (const actuation of [SLEEP, { profile: "8b-h100", sleep_pool: false }, { profile: "8b-h100", sleep_pool: false, launcher_mode: "direct" }]) {
    const absent = runPlannerReplay(synthetic, { ...NB, actuation }, { seed: 2, router: "kv" });
    const zero = runPlannerReplay(synthetic, { ...NB, actuation: { ...actuation, prewarmed_sleepers: 0 } }, { seed: 2, router: "kv" });
    assert.ok(absent.summary.actuations > 0, "the planner scaled up");
    assert.equal(JSON.stringify(zero.summary), JSON.stringify(absent.summary));
    assert.equal(JSON.stringify(zero.controller.events), JSON.stringify(absent.controller.events));
    assert.equal(JSON.stringify(zero.controller.actuations), JSON.stringify(absent.controller.actuations));
    const a = outputs(absent);
    const z = outputs(zero);
    for (let i = 0; i < FILES.length; i++) assert.equal(z[i], a[i], `${FILES[i]} differs (${JSON.stringify(actuation)})`);
  }
  const pre = () => runPlannerReplay(synthetic, { ...NB, actuation: { ...SLEEP, prewarmed_sleepers: 2 } }, { seed: 2, router: "kv" });
  const r = pre();
  const base = runPlannerReplay(synthetic, { ...NB, actuation: SLEEP }, { seed: 2, router: "kv" });
  assert.equal(base.controller.actuations[0]!.path, "warm", "without pre-warmed sleepers the first scale-up is warm");
  assert.equal(r.controller.actuations[0]!.path, "hot");
  assert.equal(r.controller.actuations[0]!.t, base.controller.actuations[0]!.t, "the same first decision, now hot");
  assert.ok(r.controller.actuations[0]!.delayMs * 5 < base.controller.actuations[0]!.delayMs);
  assert.match(String(r.report.summary?.["Start-up"]), /2 pre-warmed sleepers per pool/);
  assert.deepEqual(outputs(pre()), outputs(r));
});

const tracePath = sharedDataset("mooncake/conversation_trace.jsonl");
const skip = tracePath ? false : "shared Mooncake conversation trace not found";

test("Mooncake (notebook 04, first 20 min, seeds 1–4): pre-warmed sleepers lift the first 5 min and the whole run", { skip, timeout: 300_000 }, () => {
  const reqs = timeWindow(loadMooncake(tracePath!).requests, 0, 20 * 60_000);
  const firstFive = (r: PlannerReplayResult) => {
    const early = r.replay.requests.filter((q) => q.arrivalMs !== null && q.arrivalMs < 5 * 60_000 && q.ttftMs !== null);
    return early.filter((q) => q.ttftMs! <= NB.ttft && (q.itlMs === null || q.itlMs <= NB.itl)).length / early.length;
  };
  for (const seed of [1, 2, 3, 4]) {
    const sleep = runPlannerReplay(reqs, { ...NB, actuation: SLEEP }, { seed, router: "kv" });
    const pre = runPlannerReplay(reqs, { ...NB, actuation: { ...SLEEP, prewarmed_sleepers: 2 } }, { seed, router: "kv" });
    // The ramp: the first two scale-ups wake the pre-warmed pair; later ones mostly wake replicas the
    // ramp already put back to sleep (warm only when the load outgrows the sleepers).
    const ramp = pre.controller.actuations.filter((a) => a.t < 300);
    assert.deepEqual(ramp.slice(0, 2).map((a) => a.path), ["hot", "hot"]);
    assert.ok(ramp.filter((a) => a.path === "hot").length >= (2 / 3) * ramp.length, `seed ${seed}: ${ramp.map((a) => a.path)}`);
    assert.ok(sleep.controller.actuations.filter((a) => a.t < 300).every((a) => a.path !== "hot"), "a plain sleep pool's ramp is never hot");
    const [f0, f1] = [firstFive(sleep), firstFive(pre)];
    assert.ok(f1 - f0 > 0.2, `seed ${seed}: first-5-min attainment ${f0.toFixed(3)} → ${f1.toFixed(3)}`);
    assert.ok(pre.summary.slaAttainment! > sleep.summary.slaAttainment! + 0.03, `seed ${seed}: ${sleep.summary.slaAttainment!.toFixed(3)} → ${pre.summary.slaAttainment!.toFixed(3)}`);
  }
});
