/**
 * The planner in the replay loop: actuation paths through a scripted fleet (hot after a sleep,
 * warm on a launcher with room, cold_launcher otherwise; hit rates as FMA defines them), advisory
 * mode, and planner-in-the-loop replays of a shortened Mooncake conversation trace in agg and
 * disagg (report + summary), byte-identical reruns, and the fixed start-up time sweep.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedDataset } from "../sdk/core/paths.js";
import { loadMooncake } from "../sdk/trace/mooncake.js";
import { timeWindow } from "../sdk/trace/transforms.js";
import { PlannerController } from "../sdk/planner/controller.js";
import { parsePlannerConfig, DEFAULT_ENGINE_CAPABILITIES } from "../sdk/planner/config.js";
import { runPlannerReplay } from "../sdk/planner/run.js";
import { writePlannerReplayOutputs } from "../sdk/planner/write-outputs.js";
import type { FleetControl, FleetObservations, Pool, WorkerInfo } from "../sdk/replay/control.js";
import { tempDir } from "./helpers/temp-dir.js";

const caps = { prefill: DEFAULT_ENGINE_CAPABILITIES, decode: DEFAULT_ENGINE_CAPABILITIES };

/** A scripted fleet: workers become ready after their delay; no traffic, no passes. */
class FakeFleet implements FleetControl {
  list: WorkerInfo[] = [];
  next = 0;
  now = 0;
  constructor(pool: Pool, n: number) {
    for (let i = 0; i < n; i++) this.list.push({ id: `${pool}-${this.next++}`, pool, state: "ready", requestedAt: 0, readyAt: 0 });
  }
  addWorker(pool: Pool, delay: number): string {
    const id = `${pool}-${this.next++}`;
    this.list.push({ id, pool, state: delay > 0 ? "starting" : "ready", requestedAt: this.now, readyAt: this.now + delay });
    return id;
  }
  removeWorker(t: { id: string } | { pool: Pool }): string | undefined {
    const live = this.list.filter((w) => ("id" in t ? w.id === t.id : w.pool === t.pool));
    const victim = live.filter((w) => w.state === "starting").pop() ?? live.filter((w) => w.state === "ready").pop();
    if (!victim) return undefined;
    this.list = this.list.filter((w) => w !== victim);
    return victim.id;
  }
  workers(): WorkerInfo[] {
    return this.list.map((w) => ({ ...w }));
  }
  advance(t: number): FleetObservations {
    this.now = t;
    for (const w of this.list) if (w.state === "starting" && w.readyAt <= t) w.state = "ready";
    const count = (s: "ready" | "any") => ({ agg: this.list.filter((w) => w.pool === "agg" && (s === "any" || w.state === "ready")).length, prefill: 0, decode: 0 });
    return { now: t, passes: [], active: count("ready"), total: count("any"), drainTraffic: () => ({ durationS: 5, numReq: 0, avgIsl: Number.NaN, avgOsl: Number.NaN, avgTtftMs: Number.NaN, avgItlMs: Number.NaN, avgKvHitRate: 0 }) };
  }
}

test("actuation paths: warm on a launcher with room, cold_launcher when full, hot after a sleep; FMA hit-rate definitions", () => {
  // The planner's decisions are tested elsewhere; here the scale paths are driven directly, in a scripted order.
  const cfg = parsePlannerConfig({ mode: "agg", optimization_target: "throughput", max_gpu_budget: -1, actuation: { launcher_gpus: 2, sleep_pool: true, sleeper_limit: 1 } }, { engineCapabilities: caps });
  const delays: Record<string, number> = { hot: 5_000, warm: 60_000, cold_launcher: 90_000, cold: 180_000 };
  const ctl = new PlannerController({ config: cfg, seed: 1, delayMs: (p) => delays[p]! });
  const fleet = new FakeFleet("agg", 1);
  const up = (n: number) => { for (let i = 0; i < n; i++) (ctl as unknown as { scaleUp(p: Pool, t: number, f: FleetControl): void }).scaleUp("agg", fleet.now / 1000, fleet); };
  const down = (n: number) => { for (let i = 0; i < n; i++) (ctl as unknown as { scaleDown(p: Pool, f: FleetControl, w: WorkerInfo[]): void }).scaleDown("agg", fleet, fleet.workers()); };
  ctl.tick(fleet.advance(5_000), fleet); // places the initial worker on launcher 0 (2 slots)
  up(1); // launcher 0 has a free slot → warm
  up(1); // launcher 0 full → new launcher → cold_launcher
  fleet.advance(200_000);
  down(1); // newest ready worker sleeps on its slot
  up(1); // its slot is idle with a sleeper → hot
  const paths = ctl.actuations.map((a) => a.path);
  assert.deepEqual(paths, ["warm", "cold_launcher", "hot"]);
  assert.deepEqual(ctl.actuations.map((a) => a.delayMs), [60_000, 90_000, 5_000]);
  const h = ctl.hitRates();
  assert.equal(h.classified, 3);
  assert.equal(h.hot_hit_rate, 1 / 3);
  assert.equal(h.warm_hit_rate, 1 / 3);
  assert.equal(h.cold_launcher_hit_rate, 1 / 3);
  // Cancelled actuations (removed while starting) are not classified.
  up(1);
  down(1);
  assert.equal(ctl.actuations.at(-1)!.cancelled, true);
  assert.equal(ctl.hitRates().classified, 3);
  assert.equal(ctl.launchers, 2);
});

test("direct mode: every new replica is cold; fixed start-up time is not classified", () => {
  const direct = new PlannerController({ config: parsePlannerConfig({ mode: "agg", actuation: { launcher_mode: "direct", sleep_pool: false } }, { engineCapabilities: caps }), seed: 2 });
  const fleet = new FakeFleet("agg", 1);
  direct.tick(fleet.advance(5_000), fleet);
  (direct as unknown as { scaleUp(p: Pool, t: number, f: FleetControl): void }).scaleUp("agg", 5, fleet);
  assert.equal(direct.actuations[0]!.path, "cold");
  assert.ok(direct.actuations[0]!.delayMs > 30_000, `cold start from the 8b-h100 profile: ${direct.actuations[0]!.delayMs} ms`);
  const fixed = new PlannerController({ config: parsePlannerConfig({ mode: "agg", actuation: { startup_time: 120 } }, { engineCapabilities: caps }), seed: 2 });
  const f2 = new FakeFleet("agg", 1);
  fixed.tick(f2.advance(5_000), f2);
  (fixed as unknown as { scaleUp(p: Pool, t: number, f: FleetControl): void }).scaleUp("agg", 5, f2);
  assert.equal(fixed.actuations[0]!.path, null);
  assert.equal(fixed.actuations[0]!.delayMs, 120_000);
  assert.equal(fixed.hitRates().hot_hit_rate, null);
});

test("idle fleet with NaN traffic: planner keeps ticking and scales down to min_endpoint; advisory mode records without applying", () => {
  for (const mode of ["active", "advisory"] as const) {
    const ctl = new PlannerController({ config: parsePlannerConfig({ mode: "agg", optimization_target: "throughput", max_gpu_budget: -1, operation_mode: mode }, { engineCapabilities: caps }), seed: 1 });
    const fleet = new FakeFleet("agg", 4);
    let t = ctl.firstTickAt();
    for (let i = 0; i < 10; i++) t = ctl.tick(fleet.advance(t), fleet)!;
    const ready = fleet.workers().filter((w) => w.state === "ready").length;
    if (mode === "active") {
      assert.equal(ready, 1);
      assert.deepEqual(ctl.events.map((e) => [e.from, e.to, e.reason, e.applied]), [[4, 3, "scale_down", true], [3, 2, "scale_down", true], [2, 1, "scale_down", true]]);
    } else {
      assert.equal(ready, 4);
      assert.ok(ctl.events.length >= 3 && ctl.events.every((e) => !e.applied && e.to === 3));
    }
    assert.equal(ctl.snapshots.length, 10);
  }
});

const tracePath = sharedDataset("mooncake/conversation_trace.jsonl");
const skip = tracePath ? false : "shared Mooncake conversation trace not found";
const window = (minutes: number) => timeWindow(loadMooncake(tracePath!).requests, 0, minutes * 60_000);
const SLA = { optimization_target: "sla", ttft: 2500, itl: 50, enable_throughput_scaling: true, enable_load_scaling: true, throughput_adjustment_interval: 60, load_adjustment_interval: 5, max_gpu_budget: 16, load_predictor: "kalman" };

test("Mooncake conversation (first 6 min) in agg and disagg: summary and report", { skip, timeout: 180_000 }, () => {
  const reqs = window(6);
  for (const mode of ["agg", "disagg"] as const) {
    const r = runPlannerReplay(reqs, { ...SLA, mode }, { seed: 1, router: "kv" });
    const s = r.summary;
    assert.equal(s.requests, reqs.length);
    assert.equal(s.completed, reqs.length);
    assert.ok(s.plannerTicks > 60, `ticks ${s.plannerTicks}`);
    assert.ok(s.replicaSeconds > 0 && s.gpuHours > 0);
    assert.ok(s.slaAttainment !== null && s.slaAttainment > 0 && s.slaAttainment <= 1);
    assert.ok(s.actuations > 0, "the planner scaled up at least once");
    const rates = [s.hot_hit_rate, s.warm_hit_rate, s.cold_launcher_hit_rate, s.cold_rate].map((x) => x ?? 0);
    assert.ok(Math.abs(rates.reduce((a, b) => a + b, 0) - 1) < 1e-9, "hit rates over classified actuations sum to 1");
    assert.ok(r.controller.snapshots.some((x) => x.throughputReason === "set_lower_bound"), "throughput floors were set");
    assert.ok(r.controller.snapshots.some((x) => x.estimatedTtftMs !== null), "load path estimated TTFT");
    if (mode === "disagg") assert.ok(r.controller.snapshots.some((x) => x.loadReasonPrefill !== null && x.loadReasonDecode !== null));
    // Each scale-up event names the FMA path and delay of every replica it added.
    const ups = r.controller.events.filter((e) => e.direction === "scale_up");
    assert.ok(ups.length > 0 && ups.every((e) => e.paths.split(";").length === e.to - e.from && e.paths.split(";").every((p) => ["hot", "warm", "cold_launcher", "cold"].includes(p))), JSON.stringify(ups.slice(0, 3)));
    const dir = tempDir(`planner-${mode}-`);
    const files = writePlannerReplayOutputs(dir, r);
    const html = readFileSync(files.find((f) => f.endsWith(".html"))!, "utf8");
    assert.match(html, /Planner Diagnostics Report/);
    assert.match(html, new RegExp(`Planner ticks</td><td>${s.plannerTicks}<`));
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")).completed, s.completed);
  }
});

test("same inputs + seed → byte-identical decisions and summary", { skip, timeout: 120_000 }, () => {
  const reqs = window(4);
  const run = () => {
    const r = runPlannerReplay(reqs, { ...SLA, mode: "agg" }, { seed: 7, router: "kv" });
    const dir = tempDir("planner-det-");
    writePlannerReplayOutputs(dir, r);
    return ["summary.json", "decisions.jsonl", "scaling-events.csv", "actuations.csv", "planner_report.html"].map((f) => readFileSync(join(dir, f), "utf8"));
  };
  const a = run();
  const b = run();
  for (let i = 0; i < a.length; i++) assert.equal(a[i], b[i], `file ${i} differs`);
});

test("fixed start-up time sweep (shortened trace): SLA attainment falls as start-up grows", { skip, timeout: 180_000 }, () => {
  const reqs = window(12);
  const att = [0, 120, 300].map((st) => runPlannerReplay(reqs, { ...SLA, mode: "agg", actuation: { startup_time: st } }, { seed: 1, router: "kv" }).summary.slaAttainment!);
  assert.ok(att[0]! > att[1]! && att[1]! > att[2]!, `attainment ${att.map((x) => x.toFixed(3)).join(" > ")}`);
  assert.ok(att[0]! - att[2]! > 0.2, `a large loss between 0 and 300 s: ${att.map((x) => x.toFixed(3))}`);
});

test("start-up cliff at 2× arrival rate (first 30 min): attainment collapses between 60 s and 160 s start-up", { skip, timeout: 180_000 }, () => {
  const reqs = window(30);
  const att = [60, 120, 160].map((st) => runPlannerReplay(reqs, { ...SLA, mode: "agg", actuation: { startup_time: st } }, { seed: 1, router: "kv", arrivalSpeedupRatio: 2 }).summary.slaAttainment!);
  assert.ok(att[0]! > 0.4 && att[1]! < att[0]! && att[2]! < 0.1, `attainment at 60/120/160 s: ${att.map((x) => x.toFixed(3))}`);
});
