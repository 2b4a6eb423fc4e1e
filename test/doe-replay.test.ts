// A DOE sweep over a real simulation: each run replays a slice of a trace (sdk/replay) through the
// simulated fleet with the run's router policy, worker count and arrival speed-up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { rng } from "../sdk/core/rng.js";
import { sharedDataset } from "../sdk/core/paths.js";
import { toJsonl } from "../sdk/core/rows.js";
import { analyzeFactors, cacheKey, experimentDesign, mainEffects, readExperimentFile, runSeed, runSweep } from "../sdk/doe/index.js";
import { replayTreatment } from "../sdk/doe/replay-treatment.js";
import { tempDir } from "./helpers/temp-dir.js";

const MODULE = resolve("sdk/doe/replay-treatment.ts");

/** The shared Mooncake trace when present; otherwise a seeded Mooncake-shaped stand-in with shared prefixes. */
function tracePath(dir: string): string {
  const real = sharedDataset("mooncake/conversation_trace.jsonl");
  if (real) return real;
  const r = rng(1).split("trace");
  let t = 0;
  let nextId = 1000;
  const rows = Array.from({ length: 600 }, () => {
    t += r.exponential(1 / 200);
    const prefix = [r.int(4)];
    const own = Array.from({ length: 6 + r.int(10) }, () => nextId++);
    return { timestamp: Math.round(t), input_length: (prefix.length + own.length) * 512 - r.int(400), output_length: 100 + r.int(600), hash_ids: [...prefix, ...own] };
  });
  const p = join(dir, "trace.jsonl");
  writeFileSync(p, toJsonl(rows));
  return p;
}

test("replay sweep: 32 treatments × 2 replicates on worker threads; SIGKILL mid-way, re-run finishes only the missing runs; the analysis sees the fleet", { timeout: 180_000 }, async () => {
  const dir = tempDir("actlab-doe-replay-");
  const trace = tracePath(dir);
  const file = join(dir, "router-study.yaml");
  writeFileSync(file, `experiment: {name: router-study, description: "router policy × workers × arrival speed-up over a trace replay"}
design:
  type: full_factorial
  replicates: 2
  randomize: true
  seed: 4
  setup:
    factors:
      - {name: workers, levels: [1, 2, 4, 8]}
  run:
    factors:
      - {name: router, levels: [round-robin, random, least-loaded, kv]}
      - {name: speedup, levels: [1, 4]}
setup:
  constants: {limit: 1500, trace: ${JSON.stringify(trace)}}
`);
  const design = experimentDesign(readExperimentFile(file));
  assert.equal(design.runs.length, 64);
  assert.equal(new Set(design.runs.map((r) => r.treatment)).size, 32);

  // 1. The CLI runs it on 2 worker threads; kill it mid-way.
  const out = join(dir, "out");
  const child = spawn(process.execPath, ["bin/actlab.js", "experiment", file, "--module", MODULE, "--out", out, "--concurrency", "2", "--progress", "silent"], { stdio: "ignore" });
  const cacheDir = join(out, "cache");
  const entries = () => (existsSync(cacheDir) ? readdirSync(cacheDir).flatMap((d) => readdirSync(join(cacheDir, d)).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5))) : []);
  const deadline = Date.now() + 90_000;
  while (entries().length < 6 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
  child.kill("SIGKILL");
  await new Promise((res) => child.once("exit", res));
  const before = new Set(entries());
  assert.ok(before.size >= 6 && before.size < 64, `killed after ${before.size} of 64 runs`);

  // 2. Re-run: only the missing runs execute.
  const resumed = await runSweep(design, MODULE, { outDir: out, concurrency: 2, progress: false });
  assert.equal(resumed.cached, before.size);
  assert.equal(resumed.executed, 64 - before.size);
  design.runs.forEach((run, i) => {
    const key = cacheKey({ factors: run.factors, params: run.params, replicate: run.replicate, repeat: 1, seed: runSeed(1, run, 1), codeVersion: "0" });
    assert.equal(resumed.timings[i]!.cached, before.has(key), run.id);
  });
  assert.ok(resumed.rows.every((r) => r.status === "ok"), JSON.stringify(resumed.rows.find((r) => r.status !== "ok")));
  assert.ok(resumed.rows.every((r) => r.completed === 1500));

  // 3. Same design + seed in-process → byte-identical results files.
  const again = join(dir, "again");
  await runSweep(design, replayTreatment, { outDir: again, progress: false });
  for (const f of ["results.csv", "results.jsonl"]) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(again, f))), `${f} differs`);

  // 4. The analysis sees what the fleet does: more workers → lower median TTFT; a 4× faster arrival → higher.
  const byWorkers = mainEffects(resumed.rows, "ttftP50Ms", ["workers"]).map((m) => m.mean);
  assert.ok(byWorkers[0]! > byWorkers[3]!, `TTFT p50 by workers: ${byWorkers.join(", ")}`);
  const bySpeedup = mainEffects(resumed.rows, "ttftP50Ms", ["speedup"]).map((m) => m.mean);
  assert.ok(bySpeedup[1]! > bySpeedup[0]!, `TTFT p50 by speed-up: ${bySpeedup.join(", ")}`);
  const a = analyzeFactors(resumed.rows, "ttftP50Ms", ["workers", "router", "speedup"], { order: 2 });
  const p = Object.fromEntries(a.anova.rows.map((r) => [r.term, r.p]));
  assert.ok(p.workers! < 0.01, `workers p = ${p.workers}`);
  assert.ok(a.anova.residual.df > 0);
});
