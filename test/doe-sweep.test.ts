import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import YAML from "yaml";
import { parseCsv } from "../sdk/core/rows.js";
import { toArquero, toDanfo, fromDanfo } from "../sdk/frames/index.js";
import {
  analyzeFactors, fileRows, fullFactorial, indexedJobManifest, indexedJobYaml, mergeShards, parseShard, replicate, runSweep,
  withParams, type Design, type TreatmentInput,
} from "../sdk/doe/index.js";
import { syntheticResponse } from "../sdk/doe/synthetic-response.js";
import { InputError } from "../sdk/core/errors.js";
import { tempDir } from "./helpers/temp-dir.js";

const MODULE = resolve("sdk/doe/synthetic-response.ts");
const tmp = (p: string) => tempDir(`actlab-doe-${p}-`);

/** 32 treatments (2 × 4 × 2 × 2) × 2 replicates = 64 runs. */
function design32x2(): Design {
  return replicate(fullFactorial([
    { name: "policy", levels: ["round-robin", "kv-aware"] },
    { name: "workers", levels: [1, 2, 4, 8] },
    { name: "speedup", levels: [1, 2] },
    { name: "pool", levels: [0, 2] },
  ], "synthetic 32x2"), 2);
}

test("a 32-treatment × 2-replicate sweep runs on worker threads; results are typed, tidy and byte-identical for the same seed", { timeout: 120_000 }, async () => {
  const design = withParams(design32x2(), { reportThread: true, work: 20_000 });
  const a = tmp("a");
  const r = await runSweep(design, MODULE, { seed: 5, concurrency: 2, outDir: a, progress: false });
  assert.equal(r.total, 64);
  assert.equal(r.executed, 64);
  assert.equal(r.failed, 0);
  assert.ok(r.rows.every((x) => x.status === "ok"));
  const threads = new Set(r.rows.map((x) => x.thread_id));
  assert.ok(!threads.has(0) && threads.size >= 2, `ran on threads ${[...threads].join(",")}`);
  // replicates are separate runs with their own seeds
  const t1 = r.rows.filter((x) => x.treatment === "t01");
  assert.equal(t1.length, 2);
  assert.notEqual(t1[0]!.seed, t1[1]!.seed);
  assert.notEqual(t1[0]!.response, t1[1]!.response);

  // typed CSV: numbers stay numbers, strings stay strings
  const csv = parseCsv(readFileSync(r.files!.csv, "utf8"));
  assert.equal(csv.length, 64);
  assert.equal(typeof csv[0]!.workers, "number");
  assert.equal(typeof csv[0]!.policy, "string");
  assert.equal(typeof csv[0]!.response, "number");
  assert.deepEqual(Object.keys(csv[0]!).slice(0, 13), ["id", "treatment", "std_order", "run_order", "replicate", "block", "center", "policy", "workers", "speedup", "pool", "seed", "status"]);
  assert.ok(!("duration_ms" in csv[0]!), "wall-clock duration lives in timings.csv");
  assert.equal(parseCsv(readFileSync(r.files!.timings, "utf8")).length, 64);

  // Same design + seed, fresh cache → byte-identical results (without the thread ids, which vary)
  const plain = design32x2();
  const b = tmp("b");
  const c = tmp("c");
  const rb = await runSweep(plain, MODULE, { seed: 5, concurrency: 2, outDir: b, progress: false });
  const rc = await runSweep(plain, syntheticResponse, { seed: 5, outDir: c, progress: false });
  for (const f of ["results.jsonl", "results.csv"]) {
    assert.ok(readFileSync(join(b, f)).equals(readFileSync(join(c, f))), `${f} differs between worker and in-process runs`);
  }
  assert.equal(rb.rows.length, 64);
  // A different seed changes the responses
  const d = await runSweep(plain, syntheticResponse, { seed: 6, progress: false });
  assert.notDeepEqual(d.rows.map((x) => x.response), rc.rows.map((x) => x.response));

  // Re-running into the same folder skips finished work entirely
  const again = await runSweep(plain, MODULE, { seed: 5, concurrency: 2, outDir: b, progress: false });
  assert.equal(again.executed, 0);
  assert.equal(again.cached, 64);
  assert.ok(readFileSync(join(b, "results.csv")).equals(readFileSync(join(c, "results.csv"))));
  // ... unless the code version changes
  const bumped = await runSweep(plain, syntheticResponse, { seed: 5, outDir: b, codeVersion: "2", progress: false });
  assert.equal(bumped.executed, 64);
});

test("a failing treatment is recorded with its message and the sweep goes on; retries and stop-on-error", async () => {
  const design = withParams(design32x2(), { failWhen: { policy: "kv-aware", workers: 8 } });
  const r = await runSweep(design, syntheticResponse, { progress: false });
  const failed = r.rows.filter((x) => x.status === "error");
  assert.equal(failed.length, 8);
  assert.equal(r.failed, 8);
  assert.match(String(failed[0]!.error), /synthetic failure/);
  assert.equal(failed[0]!.response, undefined);
  assert.equal(r.rows.filter((x) => x.status === "ok").length, 56);

  let calls = 0;
  const flaky = (input: TreatmentInput) => {
    calls++;
    if (input.attempt < 2) throw new Error("transient");
    return { y: input.attempt };
  };
  const small = fullFactorial([{ name: "a", levels: [1, 2, 3] }]);
  const retried = await runSweep(small, flaky, { maxAttempts: 3, progress: false });
  assert.deepEqual(retried.rows.map((x) => [x.status, x.attempts, x.y]), [["ok", 2, 2], ["ok", 2, 2], ["ok", 2, 2]]);
  assert.equal(calls, 6);
  const bad = await runSweep(small, () => ({ y: [1, 2] as unknown as number }), { progress: false });
  assert.match(String(bad.rows[0]!.error), /not a number, string, boolean or null/);
  const clash = await runSweep(small, () => ({ a: 1 }), { progress: false });
  assert.match(String(clash.rows[0]!.error), /name of a factor/);

  const stop = await runSweep(design32x2(), (i) => { if (i.factors.workers === 2) throw new Error("boom"); return { y: 1 }; }, { stopOnError: true, progress: false });
  assert.equal(stop.failed, 1);
  assert.ok(stop.cancelled);
  assert.ok(stop.rows.filter((x) => x.status === "skipped").length > 0);
});

test("cancellation with an AbortSignal: in-process and on worker threads; nothing half-written, a re-run completes", { timeout: 60_000 }, async () => {
  const design = design32x2();
  const ac = new AbortController();
  let seen = 0;
  const slow = async (i: TreatmentInput, signal?: AbortSignal) => {
    await new Promise((res) => setTimeout(res, 5));
    assert.ok(signal);
    return { y: i.seed % 100 };
  };
  const r = await runSweep(design, slow, { signal: ac.signal, progress: false, onRow: () => { if (++seen === 10) ac.abort(); } });
  assert.ok(r.cancelled);
  assert.equal(r.rows.length, 64);
  const ok = r.rows.filter((x) => x.status === "ok").length;
  assert.ok(ok >= 10 && ok < 64);
  assert.equal(ok + r.rows.filter((x) => x.status === "cancelled").length, 64);

  const dir = tmp("abort");
  const ac2 = new AbortController();
  let done = 0;
  const slowDesign = withParams(design, { sleepMs: 30 });
  const w = await runSweep(slowDesign, MODULE, { concurrency: 2, outDir: dir, signal: ac2.signal, progress: false, onRow: () => { if (++done === 6) ac2.abort(); } });
  assert.ok(w.cancelled);
  const finished = w.rows.filter((x) => x.status === "ok").length;
  assert.ok(finished >= 6 && finished < 64, `finished ${finished}`);
  const resumed = await runSweep(slowDesign, MODULE, { concurrency: 2, outDir: dir, progress: false });
  assert.equal(resumed.cached, finished);
  assert.equal(resumed.executed, 64 - finished);
  assert.ok(resumed.rows.every((x) => x.status === "ok"));
});

test("shards i/N are deterministic slices; merging them gives the full results; duplicates and gaps are reported", async () => {
  const design = design32x2();
  const full = await runSweep(design, syntheticResponse, { seed: 3, progress: false });
  const parts: ReturnType<typeof fileRows>[] = [];
  for (let i = 0; i < 3; i++) parts.push(fileRows((await runSweep(design, syntheticResponse, { seed: 3, shard: parseShard(`${i}/3`), progress: false })).rows));
  assert.deepEqual(parts.map((p) => p.length), [22, 21, 21]);
  const merged = mergeShards(parts, design);
  assert.deepEqual(merged.missing, []);
  assert.deepEqual(merged.rows, fileRows(full.rows));
  assert.deepEqual(mergeShards([parts[0]!, parts[2]!], design).missing.length, 21);
  assert.throws(() => mergeShards([parts[0]!, parts[0]!]), /each run in one shard only/);
  assert.throws(() => parseShard("3/3"), InputError);
  assert.throws(() => parseShard("a/b"), /0 ≤ i < N/);
});

test("a Kubernetes Indexed Job manifest runs one shard per completion index", () => {
  const job = indexedJobManifest({ name: "sweep-a", image: "ghcr.io/x/actlab:1", experimentFile: "/exp/e.yaml", shards: 8, parallelism: 4, resultsClaim: "results", args: ["--module", "/app/t.ts", "--seed", "7"] });
  assert.equal(job.kind, "Job");
  assert.equal(job.spec!.completionMode, "Indexed");
  assert.equal(job.spec!.completions, 8);
  assert.equal(job.spec!.parallelism, 4);
  assert.equal(job.spec!.template.spec!.restartPolicy, "Never");
  const cmd = job.spec!.template.spec!.containers[0]!.command!.join(" ");
  assert.match(cmd, /actlab experiment \/exp\/e\.yaml --shard "\$JOB_COMPLETION_INDEX\/8" --out "\/results\/shard-\$JOB_COMPLETION_INDEX" --module \/app\/t\.ts --seed 7/);
  assert.deepEqual(job.spec!.template.spec!.volumes, [{ name: "results", persistentVolumeClaim: { claimName: "results" } }]);
  assert.deepEqual(YAML.parse(indexedJobYaml({ name: "sweep-a", image: "i", experimentFile: "e.yaml", shards: 2 })).spec.completions, 2);
  assert.throws(() => indexedJobManifest({ name: "Bad_Name", image: "i", experimentFile: "e", shards: 2 }), /DNS label/);
});

test("results load into arquero and danfo with types kept; the analysis is identical from either", async () => {
  const r = await runSweep(design32x2(), syntheticResponse, { seed: 11, progress: false });
  const rows = fileRows(r.rows);
  const at = toArquero(rows);
  assert.equal(at.numRows(), 64);
  assert.equal(typeof at.get("workers", 0), "number");
  assert.equal(at.get("error", 0), null);
  const df = await toDanfo(rows);
  assert.equal(df.shape[0], 64);
  const fromAq = analyzeFactors(at.objects() as typeof rows, "response", ["policy", "workers", "speedup", "pool"], { order: 2 });
  const fromDf = analyzeFactors(fromDanfo(df), "response", ["policy", "workers", "speedup", "pool"], { order: 2 });
  const fromRows = analyzeFactors(rows, "response", ["policy", "workers", "speedup", "pool"], { order: 2 });
  assert.deepEqual(fromAq.anova.rows, fromRows.anova.rows);
  assert.deepEqual(fromDf.anova.rows, fromRows.anova.rows);
  assert.deepEqual(fromDf.mainEffects, fromRows.mainEffects);
  // the synthetic model's only interaction is between its first two factors by name (policy × pool)
  const p = Object.fromEntries(fromRows.anova.rows.map((x) => [x.term, x.p]));
  assert.ok(p["policy:pool"]! < 0.001, `policy:pool p = ${p["policy:pool"]}`);
  assert.ok(fromRows.anova.residual.df > 0);
});

test("progress: plain lines when not on a TTY, a redrawn bar with ETA on a TTY", async () => {
  const capture = (isTTY: boolean) => {
    const chunks: string[] = [];
    const s = new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } }) as unknown as NodeJS.WriteStream;
    (s as { isTTY?: boolean }).isTTY = isTTY;
    return { s, text: () => chunks.join("") };
  };
  const lines = capture(false);
  await runSweep(fullFactorial([{ name: "a", levels: [1, 2, 3, 4, 5] }]), (i) => ({ y: i.seed }), { progressStream: lines.s });
  assert.match(lines.text(), /5\/5 \(100%\)/);
  assert.ok(!lines.text().includes("\r"));
  const bar = capture(true);
  await runSweep(fullFactorial([{ name: "a", levels: [1, 2, 3] }]), async (i) => { await new Promise((res) => setTimeout(res, 120)); return { y: i.seed }; }, { progressStream: bar.s });
  assert.match(bar.text(), /\r\x1b\[2K[█░]+ .*ETA|\r\x1b\[2K[█░]+ .*3\/3/);
  assert.ok(bar.text().includes("█"));
});

test("killing a sweep mid-way (SIGKILL of the CLI process) and re-running executes only the missing runs", { timeout: 120_000 }, async () => {
  const { spawn } = await import("node:child_process");
  const { cacheKey, experimentDesign, readExperimentFile, runSeed } = await import("../sdk/doe/index.js");
  const dir = tmp("kill");
  const file = join(dir, "kill.yaml");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(file, `experiment: {name: kill}
design:
  type: full_factorial
  replicates: 2
  run:
    factors:
      - {name: policy, levels: [round-robin, kv-aware]}
      - {name: workers, levels: [1, 2, 4, 8]}
      - {name: speedup, levels: [1, 2]}
      - {name: pool, levels: [0, 2]}
setup:
  constants: {sleepMs: 60}
`);
  const out = join(dir, "out");
  const child = spawn(process.execPath, ["bin/actlab.js", "experiment", file, "--module", MODULE, "--out", out, "--concurrency", "2", "--progress", "silent"], { stdio: "ignore" });
  const cacheDir = join(out, "cache");
  const countEntries = () => (existsSync(cacheDir) ? readdirSync(cacheDir).flatMap((d) => readdirSync(join(cacheDir, d)).filter((f) => f.endsWith(".json"))).length : 0);
  const deadline = Date.now() + 60_000;
  while (countEntries() < 12 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
  child.kill("SIGKILL");
  await new Promise((res) => child.once("exit", res));
  const before = new Set(readdirSync(cacheDir).flatMap((d) => readdirSync(join(cacheDir, d)).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5))));
  assert.ok(before.size >= 12 && before.size < 64, `killed after ${before.size} of 64 runs`);
  assert.ok(!existsSync(join(out, "results.csv")), "the killed sweep did not finish");

  const design = experimentDesign(readExperimentFile(file));
  assert.equal(design.runs.length, 64);
  const resumed = await runSweep(design, MODULE, { outDir: out, concurrency: 2, progress: false });
  assert.equal(resumed.cached, before.size);
  assert.equal(resumed.executed, 64 - before.size);
  // exactly the runs without a cache entry executed; none ran twice, none was lost
  design.runs.forEach((run, i) => {
    const key = cacheKey({ factors: run.factors, params: run.params, replicate: run.replicate, repeat: 1, seed: runSeed(1, run, 1), codeVersion: "0" });
    assert.equal(resumed.timings[i]!.cached, before.has(key), `run ${run.id}`);
  });
  assert.equal(new Set(resumed.rows.map((x) => x.id)).size, 64);
  assert.ok(resumed.rows.every((x) => x.status === "ok"));
  // and the resumed results are byte-identical to an uninterrupted sweep
  const fresh = join(dir, "fresh");
  await runSweep(design, syntheticResponse, { outDir: fresh, progress: false });
  assert.ok(readFileSync(join(out, "results.csv")).equals(readFileSync(join(fresh, "results.csv"))));
  assert.ok(readFileSync(join(out, "results.jsonl")).equals(readFileSync(join(fresh, "results.jsonl"))));
});

test("repeated measures: each run measured m times (repeat column, own seeds, cached per repeat); NA factors stay null in the files", async () => {
  const { repeatedMeasures, readExperimentFile, experimentDesign } = await import("../sdk/doe/index.js");
  const d = repeatedMeasures(fullFactorial([{ name: "a", levels: [1, 2] }, { name: "b", levels: ["x", "y"] }]), 3);
  const dir = tmp("repeats");
  const r = await runSweep(d, syntheticResponse, { outDir: dir, progress: false });
  assert.equal(r.rows.length, 12);
  assert.deepEqual(r.rows.slice(0, 3).map((x) => [x.id, x.repeat]), [["t1", 1], ["t1", 2], ["t1", 3]]);
  assert.equal(new Set(r.rows.slice(0, 3).map((x) => x.seed)).size, 3);
  assert.equal((await runSweep(d, syntheticResponse, { outDir: dir, progress: false })).cached, 12);
  const merged = mergeShards([join(dir, "results.jsonl")], d);
  assert.deepEqual(merged.missing, []);

  const seed1 = experimentDesign(readExperimentFile("datasets/experiments/disaggregated_vs_llmd.yaml"));
  const out = tmp("na");
  await runSweep(seed1, syntheticResponse, { outDir: out, progress: false });
  const first = JSON.parse(readFileSync(join(out, "results.jsonl"), "utf8").split("\n")[0]!) as Record<string, unknown>;
  assert.equal(first.LLMDBENCH_VLLM_COMMON_REPLICAS, null);
  assert.equal(first.LLMDBENCH_VLLM_MODELSERVICE_PREFILL_REPLICAS, 6);
  assert.equal(first.setup, "setup_modelservice_NA_NA_6_2_1_4");
  const csv = parseCsv(readFileSync(join(out, "results.csv"), "utf8"));
  assert.equal(csv.length, 80);
  assert.equal(csv[0]!.LLMDBENCH_VLLM_COMMON_REPLICAS, null);
  assert.equal(csv[79]!.LLMDBENCH_VLLM_COMMON_REPLICAS, 4);
  assert.equal(csv[0]!["max-concurrency"], 1);
});
