/**
 * Speed side by side (issue 15 item 4): the same Mooncake slice and configurations through our replay,
 * the installed `dynamo.replay` (ai-dynamo, the Rust mocker behind Python) and BLIS, alternating runs,
 * with wall times and ratios. Dynamo's time is taken around `run_trace_replay` inside its own process
 * (interpreter start and imports excluded, which favours Dynamo); ours around `loadMooncake` of the same
 * file plus `replayTrace`, so both sides read and parse the trace. The goal
 * printed beside the ratio is the issue's: ours ≥ 10× faster at equal work, planner in the loop included
 * (its last row). Each configuration's first SDK run is a warm-up, printed on its own and not in the
 * median (the process's first run also pays for JIT compilation). Nothing is asserted.
 */
import { loadMooncake } from "../../sdk/trace/mooncake.js";
import { replayTrace } from "../../sdk/replay/replay.js";
import { dynamoReplayPython, peersStatus, PEER_VERSIONS } from "../../sdk/peers/install.js";
import { runDynamoReplay } from "../../sdk/peers/replay-peer.js";
import { dynamoPlannerReplayAvailable, runDynamoPlannerReplay } from "../../sdk/peers/planner-replay-peer.js";
import { runPlannerReplay } from "../../sdk/planner/run.js";
import { CONFIGS, TRACE } from "../peers-replay-configs.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { timeIt } from "./measure.js";

const N = Number(process.env.ACTLAB_BENCH_PEERS_REQUESTS ?? 2000);
const ROUNDS = Number(process.env.ACTLAB_BENCH_PEERS_ROUNDS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const requests = loadMooncake(TRACE).requests.slice(0, N);
const dir = mkdtempSync(join(tmpdir(), "actlab-bench-peers-"));
try {
  const file = join(dir, "trace.jsonl");
  writeFileSync(file, requests.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const python = dynamoReplayPython();
  const blis = peersStatus()?.blis;
  const blisCell = blis?.installed ? "installed, no driver yet" : "not installed: Go proxy 403";
  console.log(`peers: ${N} requests of ${TRACE}, ${ROUNDS} alternating rounds, median wall time per run`);
  console.log(`  (SDK: one uncounted warm-up run per configuration first, shown as "SDK 1st ms" — the process's very first run includes JIT compilation; the median is over the ${ROUNDS} runs after it)`);
  console.log(`  ${"configuration".padEnd(26)} ${"SDK 1st ms".padStart(10)} ${"SDK ms".padStart(9)} ${`dynamo ${PEER_VERSIONS.aiDynamo} ms`.padStart(17)} ${"dynamo/SDK".padStart(11)}  goal ≥ 10×   BLIS`);
  for (const c of CONFIGS) {
    const ours: number[] = [];
    const theirs: number[] = [];
    const first = timeIt(() => replayTrace(loadMooncake(file).requests, c.ours)).ms;
    for (let r = 0; r < ROUNDS; r++) {
      ours.push(timeIt(() => replayTrace(loadMooncake(file).requests, c.ours)).ms);
      if (python) {
        const d = runDynamoReplay(file, [c.run], python)[0]!;
        if (d.error) throw new Error(`${c.run.name}: ${d.error}`);
        theirs.push(1000 * d.wallSeconds[0]!);
      }
    }
    const o = median(ours);
    const t = theirs.length ? median(theirs) : NaN;
    const ratio = t / o;
    const cell = python ? `${t.toFixed(0).padStart(17)} ${`${ratio.toFixed(2)}×`.padStart(11)}  ${ratio >= 10 ? "met" : "NOT met"}` : `${"not installed".padStart(17)} ${"–".padStart(11)}  –`;
    console.log(`  ${c.run.name.padEnd(26)} ${first.toFixed(0).padStart(10)} ${o.toFixed(0).padStart(9)} ${cell}      ${blisCell}`);
  }
  if (!blis?.installed) console.log(`  BLIS: ${(blis?.error ?? "peers not installed; run: actlab peers install").split("\n").map((l) => l.trim()).join(" ")}`);
  // Planner in the loop: ai-dynamo 1.2.1's planner replay (1.6.1's imports aisimulate, a stub on PyPI for
  // NVIDIA's index) vs runPlannerReplay, the load-scaling configuration of test/peers-planner-replay.test.ts.
  const plannerConfig = { mode: "agg", optimization_target: "sla", ttft: 2500, itl: 50, enable_throughput_scaling: false, enable_load_scaling: true, load_adjustment_interval: 5, max_gpu_budget: 16, min_endpoint: 1 };
  if (dynamoPlannerReplayAvailable()) {
    const ours: number[] = [];
    const theirs: number[] = [];
    const first = timeIt(() => runPlannerReplay(loadMooncake(file).requests, { ...plannerConfig, actuation: { startup_time: 0 } }, { seed: 1, router: "round-robin" })).ms;
    for (let r = 0; r < ROUNDS; r++) {
      ours.push(timeIt(() => runPlannerReplay(loadMooncake(file).requests, { ...plannerConfig, actuation: { startup_time: 0 } }, { seed: 1, router: "round-robin" })).ms);
      theirs.push(1000 * runDynamoPlannerReplay(file, plannerConfig).wallSeconds);
    }
    const o = median(ours), t = median(theirs);
    console.log(`  ${"agg planner (load) RR".padEnd(26)} ${first.toFixed(0).padStart(10)} ${o.toFixed(0).padStart(9)} ${t.toFixed(0).padStart(17)} ${`${(t / o).toFixed(2)}×`.padStart(11)}  ${t / o >= 10 ? "met" : "NOT met"}   (dynamo ${PEER_VERSIONS.aiDynamoPlanner})`);
  } else console.log("  planner in the loop: ai-dynamo 1.2.1's planner replay not installed (or lacks plotly/prometheus-api-client); run: actlab peers install --force");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
