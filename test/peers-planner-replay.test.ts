// Planner in the loop, side by side (issue 15 item 3): the same Mooncake slice and the same load-scaling
// planner configuration through ai-dynamo 1.2.1's planner replay (its mocker fleet + its planner) and
// through ours (sdk/planner runPlannerReplay: our replay + our re-implemented planner), agg, round-robin,
// replicas ready at once (Dynamo's startup_time 0). The decision timelines are printed side by side with
// their agreement: replica count over time, time-weighted mean replicas, share of time both run the same
// count. Not PR #8280's throughput configuration: without AIC (NVIDIA's index only) 1.2.1 bootstraps no
// throughput regression and falls back to load scaling (it says so), so load scaling is what both can run.
// Measured here (deterministic on both sides): 14 scaling events each (7 up / 7 down), time-weighted mean
// replicas 1.87 on both over the first 160 s, the same count 50.8% of the time, peak 4 (SDK) vs 3. Not yet
// explained: Dynamo goes 2→3 at its second tick (9.8 s) where ours goes back to 1 at 15 s, so our early
// fleet is smaller and our mean TTFT is 4.0 s against Dynamo's 1.4 s (duration 177.9 vs 159.6 s); and
// Dynamo's ticks land 0.2–0.8 s before the 5 s marks (4.8, 9.8, … 149.1 s). The assertions hold the
// agreement measured (mean replicas within 15%, event counts within 30%, same count ≥ 40% of the time)
// so a regression on either side shows, and print the rest.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMooncake } from "../sdk/trace/mooncake.js";
import { runPlannerReplay } from "../sdk/planner/run.js";
import { PEER_VERSIONS } from "../sdk/peers/install.js";
import { dynamoPlannerReplayAvailable, runDynamoPlannerReplay } from "../sdk/peers/planner-replay-peer.js";
import { TRACE } from "./peers-replay-configs.js";

const N = 400;
const CONFIG = { mode: "agg", optimization_target: "sla", ttft: 2500, itl: 50, enable_throughput_scaling: false, enable_load_scaling: true, load_adjustment_interval: 5, max_gpu_budget: 16, min_endpoint: 1 };
const available = dynamoPlannerReplayAvailable();

/** Replica count at time t (s) from a start count and time-ordered events. */
const countAt = (events: { t: number; to: number }[], t: number) => events.filter((e) => e.t <= t).at(-1)?.to ?? 1;

test(`planner in the loop: load-scaling decision timelines, SDK vs ai-dynamo ${PEER_VERSIONS.aiDynamoPlanner} planner replay`, { skip: available ? false : "ai-dynamo 1.2.1's planner replay is not installed (or lacks plotly/prometheus-api-client); run: actlab peers install --force", timeout: 10 * 60_000 }, (t) => {
  const requests = loadMooncake(TRACE).requests.slice(0, N);
  const dir = mkdtempSync(join(tmpdir(), "actlab-planner-loop-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "trace.jsonl");
  writeFileSync(file, requests.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const theirs = runDynamoPlannerReplay(file, CONFIG);
  const ours = runPlannerReplay(requests, { ...CONFIG, actuation: { startup_time: 0 } }, { seed: 1, router: "round-robin" });
  const dEv = theirs.events.map((e) => ({ t: e.t, to: e.to, from: e.from, reason: e.reason }));
  const sEv = ours.controller.events.filter((e) => e.applied).map((e) => ({ t: e.t, to: e.to, from: e.from, reason: e.direction }));
  const end = Math.min(Number(theirs.summary.duration_ms), ours.summary.durationMs) / 1000;
  // Time-weighted on a 0.1 s grid over the span both ran.
  let same = 0, sumD = 0, sumS = 0, maxDiff = 0, n = 0;
  for (let x = 0; x < end; x += 0.1, n++) {
    const d = countAt(dEv, x), s = countAt(sEv, x);
    sumD += d; sumS += s;
    if (d === s) same++;
    maxDiff = Math.max(maxDiff, Math.abs(d - s));
  }
  const lines = [`\nplanner in the loop — ${N} requests of ${TRACE}, agg, round-robin, load scaling every 5 s (ttft 2500 / itl 50 ms), ready at once; SDK vs ai-dynamo ${PEER_VERSIONS.aiDynamoPlanner}`,
    `  ${"".padEnd(34)} ${"SDK".padStart(10)} ${"dynamo".padStart(10)}`,
    `  ${"completed requests".padEnd(34)} ${String(ours.summary.completed).padStart(10)} ${String(theirs.summary.completed_requests).padStart(10)}`,
    `  ${"duration s".padEnd(34)} ${(ours.summary.durationMs / 1000).toFixed(1).padStart(10)} ${(Number(theirs.summary.duration_ms) / 1000).toFixed(1).padStart(10)}`,
    `  ${"mean TTFT ms".padEnd(34)} ${(ours.summary.ttftMeanMs ?? NaN).toFixed(0).padStart(10)} ${Number(theirs.summary.mean_ttft_ms).toFixed(0).padStart(10)}`,
    `  ${"planner ticks".padEnd(34)} ${String(ours.summary.plannerTicks).padStart(10)} ${String(theirs.ticks).padStart(10)}`,
    `  ${"scaling events (up / down)".padEnd(34)} ${`${sEv.length} (${sEv.filter((e) => e.to > e.from).length}/${sEv.filter((e) => e.to < e.from).length})`.padStart(10)} ${`${dEv.length} (${dEv.filter((e) => e.to > e.from).length}/${dEv.filter((e) => e.to < e.from).length})`.padStart(10)}`,
    `  ${`time-weighted mean replicas (0–${end.toFixed(0)} s)`.padEnd(34)} ${(sumS / n).toFixed(2).padStart(10)} ${(sumD / n).toFixed(2).padStart(10)}`,
    `  ${"peak replicas".padEnd(34)} ${String(Math.max(1, ...sEv.map((e) => e.to))).padStart(10)} ${String(Math.max(1, ...dEv.map((e) => e.to))).padStart(10)}`,
    `  share of time with the same count: ${(100 * same / n).toFixed(1)}%, largest difference ${maxDiff}`,
    `  timelines (t s: from→to):`,
    `    SDK:    ${sEv.map((e) => `${e.t.toFixed(1)}: ${e.from}→${e.to}`).join(", ")}`,
    `    dynamo: ${dEv.map((e) => `${e.t.toFixed(1)}: ${e.from}→${e.to}`).join(", ")}`];
  console.log(lines.join("\n"));
  assert.equal(ours.summary.completed, N);
  assert.equal(theirs.summary.completed_requests, N);
  assert.ok(sEv.length > 0 && dEv.length > 0, "both planners act on this slice");
  for (const e of [...sEv, ...dEv]) assert.ok(e.to >= 1 && e.to <= 16, "within min_endpoint and the GPU budget");
  assert.ok(Math.abs(sumS - sumD) / sumD <= 0.15, `time-weighted mean replicas ${(sumS / n).toFixed(2)} vs ${(sumD / n).toFixed(2)}`);
  assert.ok(Math.abs(sEv.length - dEv.length) <= 0.3 * dEv.length, `scaling events ${sEv.length} vs ${dEv.length}`);
  assert.ok(same / n >= 0.4, `same replica count ${(100 * same / n).toFixed(1)}% of the time`);
});
