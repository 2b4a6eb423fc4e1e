/**
 * Planner in the loop on the Mooncake conversation trace, agg and disagg: the Dynamo PR #8280
 * settings (SLA mode, TTFT 2500 ms, ITL 50 ms, throughput every 60 s, load every 5 s) with scale-ups
 * paying FMA actuation costs (8b-h100 profile, sleep pool on, so scale-downs leave sleepers to wake).
 * Writes the diagnostics report (linked time axes), summary, per-tick decisions, scaling events and
 * actuations to out/planner-mooncake/{agg,disagg}/, plus each chart as SVG/PNG.
 *
 *   npx tsx examples/planner-mooncake.ts                # the whole trace (about an hour simulated)
 *   ACTLAB_FAST=1 npx tsx examples/planner-mooncake.ts  # the first 6 minutes
 */
import { join } from "node:path";
import { sharedDataset, runPlannerReplay } from "actuation-lab";
import { loadMooncake, timeWindow } from "actuation-lab/trace";
import { writePlannerReplayOutputs } from "actuation-lab/planner";

const fast = process.env.ACTLAB_FAST === "1";
const path = sharedDataset("mooncake/conversation_trace.jsonl");
// The trace is bundled (datasets/traces/public/); only a run outside the repository root misses it.
if (!path) {
  console.error("the Mooncake conversation trace is bundled in datasets/traces/public/mooncake/: run this from the repository root (or point $ACTLAB_SHARED_DATASETS at a folder of the same layout)");
  process.exit(1);
}
let { requests } = loadMooncake(path);
if (fast) requests = timeWindow(requests, 0, 6 * 60_000);

for (const mode of ["agg", "disagg"] as const) {
  const t0 = performance.now();
  const result = runPlannerReplay(requests, {
    mode, optimization_target: "sla", ttft: 2500, itl: 50,
    enable_throughput_scaling: true, enable_load_scaling: true,
    throughput_adjustment_interval: 60, load_adjustment_interval: 5,
    max_gpu_budget: 16, load_predictor: "kalman",
    actuation: { profile: "8b-h100", sleep_pool: true },
  }, { seed: 1, router: "kv" });
  const wallMs = performance.now() - t0;
  const s = result.summary;
  const files = writePlannerReplayOutputs(join("out/planner-mooncake", mode), result, { charts: !fast });
  const pct = (v: number | null) => (v === null ? "–" : `${(100 * v).toFixed(1)}%`);
  console.log(`${mode}: ${s.completed}/${s.requests} requests in ${(s.durationMs / 1000).toFixed(0)} s simulated (${(s.durationMs / wallMs).toFixed(0)}× real time)`);
  console.log(`  SLA attainment ${pct(s.slaAttainment)}; TTFT p50 ${s.ttftP50Ms?.toFixed(0)} ms, p99 ${s.ttftP99Ms?.toFixed(0)} ms; ITL p50 ${s.itlP50Ms?.toFixed(1)} ms`);
  console.log(`  ${s.plannerTicks} ticks, ${s.replicaTransitions} replica transitions, peak ${s.peakReplicas}, ${s.replicaSeconds.toFixed(0)} replica-s, ${s.gpuHours.toFixed(2)} GPU-h`);
  console.log(`  ${s.actuations} actuations: hot_hit_rate ${pct(s.hot_hit_rate)}, warm_hit_rate ${pct(s.warm_hit_rate)}, cold_launcher_hit_rate ${pct(s.cold_launcher_hit_rate)}; mean delay ${s.meanActuationDelayS?.toFixed(1)} s`);
  console.log(`  report: ${files.find((f) => f.endsWith(".html"))}`);
}
