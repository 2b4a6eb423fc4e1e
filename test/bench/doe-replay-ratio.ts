/**
 * One measurement for doe.bench: the replay sweep (64 runs) on 1 worker then 2, at a given size per run
 * (ACTLAB_BENCH_DOE_LIMIT requests, default 6,000), printing wall, process CPU and the ratio. doe.bench
 * runs it in child processes with and without `--single-threaded`, to show what V8's background
 * threads and the per-worker start-up take from the ratio.
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { fullFactorial, replicate, runSweep, withParams } from "../../sdk/doe/index.js";

const limit = Number(process.env.ACTLAB_BENCH_DOE_LIMIT ?? 6000);
const design = withParams(replicate(fullFactorial([
  { name: "router", levels: ["round-robin", "random", "least-loaded", "kv"] },
  { name: "workers", levels: [1, 2, 4, 8] },
  { name: "speedup", levels: [1, 4] },
]), 2), { limit, window: 2 * limit });
const module = resolve("sdk/doe/replay-treatment.ts");
const out: Record<number, { wall: number; cpu: number }> = {};
for (const c of [1, Math.min(2, availableParallelism())]) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runSweep(design, module, { concurrency: c, progress: false });
  const u = process.cpuUsage(c0);
  if (r.failed) throw new Error(`${r.failed} runs failed`);
  out[c] = { wall: performance.now() - t0, cpu: (u.user + u.system) / 1000 };
}
const [a, b] = [out[1]!, out[2] ?? out[1]!];
console.log(JSON.stringify({ limit, wall1: a.wall, cpu1: a.cpu, wall2: b.wall, cpu2: b.cpu, ratio: a.wall / b.wall }));
