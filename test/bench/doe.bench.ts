// npm run bench: DOE sweep throughput on worker threads (1 worker vs all cores), plus analysis costs.
import { availableParallelism, loadavg } from "node:os";
import { resolve } from "node:path";
import { figure, figureGoal, median, timeAsync, timeIt, peakRssMb } from "./measure.js";
import { anova, analyzeFactors, fullFactorial, readExperimentFile, expandExperiment, replicate, runSweep, withParams } from "../../sdk/doe/index.js";
import { syntheticResponse } from "../../sdk/doe/synthetic-response.js";

const MODULE = resolve("sdk/doe/synthetic-response.ts");
const cores = availableParallelism();
// 64 treatments × 2 replicates, each run ~ a few ms of CPU work (a stand-in for a small simulation).
const design = withParams(replicate(fullFactorial([
  { name: "policy", levels: ["round-robin", "kv-aware"] },
  { name: "workers", levels: [1, 2, 4, 8] },
  { name: "speedup", levels: [1, 2, 4, 8] },
  { name: "pool", levels: [0, 2] },
]), 2), { work: 3_000_000 });
const runs = design.runs.length;

console.log(`DOE sweep: ${runs} runs (64 treatments × 2 replicates), synthetic CPU-bound treatment, ${cores} cores`);
const inproc = await timeAsync(() => runSweep(design, syntheticResponse, { progress: false }));
figure("in-process (main thread), concurrency 1", runs / (inproc.ms / 1000), "runs/s");
const one = await timeAsync(() => runSweep(design, MODULE, { concurrency: 1, progress: false }));
figure("worker threads, 1 worker", runs / (one.ms / 1000), "runs/s");
const all = await timeAsync(() => runSweep(design, MODULE, { concurrency: cores, progress: false }));
figure(`worker threads, ${cores} workers (all cores)`, runs / (all.ms / 1000), "runs/s");
figure(`speed-up ${cores} workers / 1 worker (reference for the replay row)`, one.ms / all.ms, "×", 2);
figure("mean run time (1 worker)", one.value.timings.reduce((s, t) => s + t.duration_ms, 0) / runs, "ms");
if (one.value.failed || all.value.failed) console.log(`  (failures: ${one.value.failed} + ${all.value.failed})`);

console.log("\nDOE sweep over trace replays (sdk/replay): 4 routers × 4 worker counts × 2 speed-ups × 2 replicates, 1,500 Mooncake requests per run");
const { sharedDataset } = await import("../../sdk/core/paths.js");
if (sharedDataset("mooncake/conversation_trace.jsonl")) {
  const replayDesign = withParams(replicate(fullFactorial([
    { name: "router", levels: ["round-robin", "random", "least-loaded", "kv"] },
    { name: "workers", levels: [1, 2, 4, 8] },
    { name: "speedup", levels: [1, 4] },
  ]), 2), { limit: 1500, window: 6000 });
  const replayModule = resolve("sdk/doe/replay-treatment.ts");
  // Alternating rounds, median of each: on a shared machine the load drifts between two back-to-back sweeps.
  const ROUNDS = Number(process.env.ACTLAB_BENCH_DOE_ROUNDS ?? 3);
  const wall: Record<1 | 2, number[]> = { 1: [], 2: [] };
  const cpu: Record<1 | 2, number[]> = { 1: [], 2: [] };
  let failures = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of [1, 2] as const) {
      const c0 = process.cpuUsage();
      const r = await timeAsync(() => runSweep(replayDesign, replayModule, { concurrency: c, progress: false }));
      const u = process.cpuUsage(c0);
      wall[c].push(r.ms);
      cpu[c].push((u.user + u.system) / 1000);
      failures += r.value.failed;
    }
  }
  const n = replayDesign.runs.length;
  figure(`replay sweep, 1 worker (median of ${ROUNDS})`, n / (median(wall[1]) / 1000), "runs/s");
  figure("replay sweep, 2 workers", n / (median(wall[2]) / 1000), "runs/s");
  figureGoal("speed-up 2 workers / 1 worker (wall)", median(wall[1]) / median(wall[2]), "×", "≥ 1.8×", 2);
  // What the ratio is made of: CPU the whole process spent (workers, V8's GC helpers, the main thread).
  figure("  process CPU, 1 worker", median(cpu[1]), "ms");
  figure("  process CPU, 2 workers", median(cpu[2]), "ms");
  figure("  CPU of 1 worker per wall second (> 1: more than one thread busy)", median(cpu[1]) / median(wall[1]), "cores", 2);
  // What a machine with both cores free would give if one worker's CPU ran on one core and two
  // workers' on two (an upper bound: one worker also keeps GC threads busy beside it).
  figure("  2 × CPU(1 worker) / CPU(2 workers), the ratio's ceiling here", (2 * median(cpu[1])) / median(cpu[2]), "×", 2);
  figure("  1-minute load average while measuring (2 cores)", loadavg()[0]!, "", 1);
  if (failures) console.log(`  (failures: ${failures})`);
  // Where the rest goes: larger runs amortize each worker's start-up (tsx, module loading, JIT warm-up:
  // ~0.5 s CPU), and with V8's background JIT/GC threads off (`node --single-threaded`, set at process
  // start: V8 flags cannot safely change at run time) one worker no longer keeps part of the second core
  // busy, so two workers do not have to take it back. One round each, in child processes.
  const { spawnSync } = await import("node:child_process");
  for (const flags of [[], ["--single-threaded"]]) {
    const r = spawnSync(process.execPath, [...flags, "--import", "tsx", "test/bench/doe-replay-ratio.ts"], { encoding: "utf8", env: { ...process.env, ACTLAB_BENCH_DOE_LIMIT: "6000" } });
    const line = r.stdout.trim().split("\n").at(-1) ?? "";
    if (r.status !== 0 || !line.startsWith("{")) { console.log(`  (6,000-request runs${flags.length ? " " + flags.join(" ") : ""}: failed: ${r.stderr.trim().split("\n").at(-1)})`); continue; }
    const m = JSON.parse(line) as { wall1: number; cpu1: number; wall2: number; cpu2: number; ratio: number };
    const label = `6,000 requests per run${flags.length ? ", " + flags.join(" ") : ""}`;
    figureGoal(`${label}: 2 workers / 1 worker`, m.ratio, "×", "≥ 1.8×", 2);
    figure(`  wall ${(m.wall1 / 1000).toFixed(2)} → ${(m.wall2 / 1000).toFixed(2)} s, CPU ${(m.cpu1 / 1000).toFixed(2)} → ${(m.cpu2 / 1000).toFixed(2)} s; cores busy with 1 worker`, m.cpu1 / m.wall1, "cores", 2);
  }
} else {
  console.log("  skipped: the shared Mooncake trace is not available");
}

console.log("\nCache: re-running a finished sweep");
const { mkdtempSync, rmSync } = await import("node:fs");
const { tmpdir } = await import("node:os");
const { join } = await import("node:path");
const out = mkdtempSync(join(tmpdir(), "actlab-doe-bench-"));
let cached: Awaited<ReturnType<typeof timeAsync>>;
try {
  await runSweep(design, MODULE, { concurrency: cores, outDir: out, progress: false });
  cached = await timeAsync(() => runSweep(design, MODULE, { concurrency: cores, outDir: out, progress: false }));
} finally {
  rmSync(out, { recursive: true, force: true }); // the cache folder was left in /tmp after every run
}
figure("re-run with every result cached", cached.ms, "ms");

console.log("\nAnalysis");
const big = replicate(fullFactorial([
  { name: "A", levels: [1, 2, 3, 4] }, { name: "B", levels: ["x", "y", "z"] }, { name: "C", levels: [0, 1] }, { name: "D", levels: [10, 20, 30] },
]), 20);
const rows = (await runSweep(big, syntheticResponse, { progress: false })).rows;
const t = timeIt(() => anova(rows, "response", ["A", "B", "C", "D"]));
figure(`ANOVA, 4 factors (4×3×2×3) full model, ${rows.length} rows`, t.ms, "ms");
const t2 = timeIt(() => analyzeFactors(rows, "response", ["A", "B", "C", "D"], { order: 2 }));
figure("analyzeFactors, two-way model", t2.ms, "ms");
const p = timeIt(() => { for (let i = 0; i < 100; i++) expandExperiment(readExperimentFile("datasets/experiments/disaggregated_vs_llmd.yaml")); });
figure("parse + expand seed example 1 (80 runs)", p.ms / 100, "ms");
figure("peak RSS", peakRssMb(), "MB");
