/**
 * Dynamo's start-up-time question, asked of the planner-in-the-loop replay: every new replica
 * becomes ready a fixed `startup_time` after the planner asks for it (Dynamo's mocker behaviour);
 * sweep it from 0 to 300 s on the Mooncake conversation trace and watch SLA attainment, at the
 * trace's own arrival rate (whole trace) and at 2× (first 30 minutes: less headroom). Then the same
 * runs with FMA actuation costs (hot/warm/cold_launcher drawn from the 8b-h100 profile, sleep pool on)
 * for comparison. Writes out/planner-startup-sweep/{sweep.csv, sweep.svg, sweep.png}.
 *
 * Why a cliff: in agg mode the load path waits while any replica is starting (`scaling_in_progress`,
 * dynamo.md §3.3), so the fleet can grow by about one decision per start-up time; once that ramp is
 * slower than the load's growth, queues (and TTFT) run away.
 *
 *   npx tsx examples/planner-startup-sweep.ts                 # 0…300 s every 20 s
 *   ACTLAB_FAST=1 npx tsx examples/planner-startup-sweep.ts   # first 12 minutes, 5 points
 */
import { join } from "node:path";
import { Plot, renderPlot, toPng, sharedDataset, runPlannerReplay } from "actuation-lab";
import { writeFileAtomic, toCsv, type Row } from "actuation-lab/core";
import { fixedStartup, fmaPaths, type Actuator } from "actuation-lab/actuation";
import { loadMooncake, timeWindow } from "actuation-lab/trace";

const fast = process.env.ACTLAB_FAST === "1";
const path = sharedDataset("mooncake/conversation_trace.jsonl");
// The trace is bundled (datasets/traces/public/); only a run outside the repository root misses it.
if (!path) {
  console.error("the Mooncake conversation trace is bundled in datasets/traces/public/mooncake/: run this from the repository root (or point $ACTLAB_SHARED_DATASETS at a folder of the same layout)");
  process.exit(1);
}
const all = loadMooncake(path).requests;
const startups = fast ? [0, 60, 120, 200, 300] : Array.from({ length: 16 }, (_, i) => i * 20);
const scenarios = fast ? [{ name: "1x, first 12 min", speedup: 1, requests: timeWindow(all, 0, 12 * 60_000) }] : [
  { name: "1x, whole trace", speedup: 1, requests: all },
  { name: "2x, first 30 min", speedup: 2, requests: timeWindow(all, 0, 30 * 60_000) },
];
const config = {
  mode: "agg", optimization_target: "sla", ttft: 2500, itl: 50,
  enable_throughput_scaling: true, enable_load_scaling: true,
  throughput_adjustment_interval: 60, load_adjustment_interval: 5,
  max_gpu_budget: 16, load_predictor: "kalman",
};
const rows: Row[] = [];
for (const sc of scenarios) {
  console.log(`${sc.name}: ${sc.requests.length} requests, agg, SLA TTFT 2500 ms / ITL 50 ms`);
  // What a scale-up costs is one value, the actuator; the planner config stays the same.
  const run = (label: string, actuator: Actuator) => {
    const s = runPlannerReplay(sc.requests, config, { seed: 1, router: "kv", arrivalSpeedupRatio: sc.speedup, actuator }).summary;
    rows.push({ scenario: sc.name, startup: label, startup_s: actuator.kind === "fixed-startup" ? actuator.startupS : null, sla_attainment: s.slaAttainment, ttft_p50_ms: s.ttftP50Ms, ttft_p99_ms: s.ttftP99Ms, replica_transitions: s.replicaTransitions, replica_seconds: Math.round(s.replicaSeconds), gpu_hours: Number(s.gpuHours.toFixed(3)), actuations: s.actuations, hot_hit_rate: s.hot_hit_rate, warm_hit_rate: s.warm_hit_rate, cold_launcher_hit_rate: s.cold_launcher_hit_rate, mean_actuation_s: s.meanActuationDelayS });
    console.log(`  ${label.padEnd(18)} SLA attainment ${(100 * (s.slaAttainment ?? 0)).toFixed(1).padStart(5)}%  TTFT p99 ${((s.ttftP99Ms ?? 0) / 1000).toFixed(1).padStart(6)} s  replica-s ${Math.round(s.replicaSeconds)}  actuations ${s.actuations}`);
  };
  for (const st of startups) run(`fixed ${st} s`, fixedStartup(st));
  run("FMA 8b-h100+sleep", fmaPaths("8b-h100", { sleepPool: true }));
  // Where attainment falls fastest between consecutive start-up times.
  const fixed = rows.filter((r) => r.scenario === sc.name && r.startup_s !== null);
  let cliff = { from: 0, to: 0, drop: -Infinity };
  for (let i = 1; i < fixed.length; i++) {
    const drop = (fixed[i - 1]!.sla_attainment as number) - (fixed[i]!.sla_attainment as number);
    if (drop > cliff.drop) cliff = { from: fixed[i - 1]!.startup_s as number, to: fixed[i]!.startup_s as number, drop };
  }
  console.log(`  steepest drop: ${cliff.from} → ${cliff.to} s (−${(100 * cliff.drop).toFixed(1)} points)`);
}

const out = "out/planner-startup-sweep";
const fixedRows = rows.filter((r) => r.startup_s !== null);
const fmaRows = rows.filter((r) => r.startup_s === null);
const svg = renderPlot({
  title: "SLA attainment vs fixed replica start-up time (planner in the loop, Mooncake conversation)",
  width: 760, height: 380, marginLeft: 60,
  x: { label: "start-up time (s)" }, y: { label: "SLA attainment", domain: [0, 1], grid: true },
  color: { domain: scenarios.map((x) => x.name), range: ["#1f3a93", "#d62728"] },
  marks: [
    Plot.line(fixedRows, { x: "startup_s", y: "sla_attainment", stroke: "scenario" }),
    Plot.dot(fixedRows, { x: "startup_s", y: "sla_attainment", fill: "scenario" }),
    Plot.text(fixedRows.filter((r) => r.startup_s === 0), { x: "startup_s", y: "sla_attainment", text: "scenario", fill: "scenario", dy: -10, textAnchor: "start" }),
    Plot.ruleY(fmaRows, { y: "sla_attainment", stroke: "scenario", strokeDasharray: "6,4" }),
    Plot.text(fmaRows, { x: () => 300, y: "sla_attainment", text: (d: Row) => `FMA paths (${d.scenario})`, dy: -8, textAnchor: "end", fill: "scenario" }),
  ],
});
writeFileAtomic(join(out, "sweep.csv"), toCsv(rows));
writeFileAtomic(join(out, "sweep.svg"), svg);
writeFileAtomic(join(out, "sweep.png"), toPng(svg));
console.log(`wrote ${out}/sweep.csv, sweep.svg, sweep.png`);
