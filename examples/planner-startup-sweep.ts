/**
 * Dynamo's start-up-time question, asked of the planner-in-the-loop replay: every new replica
 * becomes ready a fixed `startup_time` after the planner asks for it (Dynamo's mocker behaviour);
 * sweep it from 0 to 300 s on the Mooncake conversation trace and watch SLA attainment. Then the
 * same run with FMA actuation costs (hot/warm/cold_launcher drawn from the 8b-h100 profile) for
 * comparison. Writes out/planner-startup-sweep/{sweep.csv, sweep.svg, sweep.png}.
 *
 *   npx tsx examples/planner-startup-sweep.ts            # full trace, 0…300 s every 20 s
 *   ACTLAB_FAST=1 npx tsx examples/planner-startup-sweep.ts   # first 12 minutes, 5 points
 */
import { join } from "node:path";
import { Plot, renderPlot, toPng, sharedDataset, writeFileAtomic, toCsv, loadMooncake, timeWindow, runPlannerReplay, type Row } from "../sdk/index.js";

const fast = process.env.ACTLAB_FAST === "1";
const path = sharedDataset("mooncake/conversation_trace.jsonl");
if (!path) {
  console.log("shared Mooncake conversation trace not found; set ACTLAB_SHARED_DATASETS");
  process.exit(0);
}
let { requests } = loadMooncake(path);
if (fast) requests = timeWindow(requests, 0, 12 * 60_000);
const startups = fast ? [0, 60, 120, 200, 300] : Array.from({ length: 16 }, (_, i) => i * 20);
const config = {
  mode: "agg", optimization_target: "sla", ttft: 2500, itl: 50,
  enable_throughput_scaling: true, enable_load_scaling: true,
  throughput_adjustment_interval: 60, load_adjustment_interval: 5,
  max_gpu_budget: 16, load_predictor: "kalman",
};
const rows: Row[] = [];
const run = (label: string, actuation: Record<string, unknown>) => {
  const s = runPlannerReplay(requests, { ...config, actuation }, { seed: 1, router: "kv" }).summary;
  const row = { startup: label, startup_s: typeof actuation.startup_time === "number" ? actuation.startup_time : null, sla_attainment: s.slaAttainment, ttft_p50_ms: s.ttftP50Ms, ttft_p99_ms: s.ttftP99Ms, replica_transitions: s.replicaTransitions, replica_seconds: Math.round(s.replicaSeconds), gpu_hours: Number(s.gpuHours.toFixed(3)), actuations: s.actuations, hot_hit_rate: s.hot_hit_rate, warm_hit_rate: s.warm_hit_rate, cold_launcher_hit_rate: s.cold_launcher_hit_rate, mean_actuation_s: s.meanActuationDelayS };
  rows.push(row);
  console.log(`${label.padEnd(18)} SLA attainment ${(100 * (s.slaAttainment ?? 0)).toFixed(1).padStart(5)}%  TTFT p99 ${((s.ttftP99Ms ?? 0) / 1000).toFixed(1).padStart(6)} s  replica-s ${Math.round(s.replicaSeconds)}  actuations ${s.actuations}`);
};
console.log(`${requests.length} requests (${fast ? "first 12 min" : "full trace"}), agg, SLA TTFT 2500 ms / ITL 50 ms`);
for (const st of startups) run(`fixed ${st} s`, { startup_time: st });
run("FMA 8b-h100+sleep", { startup_time: null, profile: "8b-h100", sleep_pool: true });

// Where attainment falls fastest between consecutive start-up times.
const fixed = rows.filter((r) => r.startup_s !== null);
let cliff = { from: 0, to: 0, drop: -Infinity };
for (let i = 1; i < fixed.length; i++) {
  const drop = (fixed[i - 1]!.sla_attainment as number) - (fixed[i]!.sla_attainment as number);
  if (drop > cliff.drop) cliff = { from: fixed[i - 1]!.startup_s as number, to: fixed[i]!.startup_s as number, drop };
}
console.log(`steepest drop: ${cliff.from} → ${cliff.to} s (−${(100 * cliff.drop).toFixed(1)} points)`);

const out = "out/planner-startup-sweep";
const fma = rows.at(-1)!;
const svg = renderPlot({
  title: "SLA attainment vs fixed replica start-up time (planner in the loop, Mooncake conversation)",
  width: 760, height: 360, marginLeft: 60,
  x: { label: "start-up time (s)" }, y: { label: "SLA attainment", domain: [0, 1], grid: true },
  marks: [
    Plot.line(fixed, { x: "startup_s", y: "sla_attainment", stroke: "#1f3a93" }),
    Plot.dot(fixed, { x: "startup_s", y: "sla_attainment", fill: "#1f3a93" }),
    Plot.ruleY([fma.sla_attainment as number], { stroke: "#d62728", strokeDasharray: "6,4" }),
    Plot.text([{ x: 300, y: fma.sla_attainment as number }], { x: "x", y: "y", text: () => "FMA paths (8b-h100, sleep pool)", dy: -8, textAnchor: "end", fill: "#d62728" }),
  ],
});
writeFileAtomic(join(out, "sweep.csv"), toCsv(rows));
writeFileAtomic(join(out, "sweep.svg"), svg);
writeFileAtomic(join(out, "sweep.png"), toPng(svg));
console.log(`wrote ${out}/sweep.csv, sweep.svg, sweep.png`);
