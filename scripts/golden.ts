// Golden outputs: regenerates every byte-for-byte golden case (test/golden/) so a refactor can prove it changed nothing.
//   node --import tsx scripts/golden.ts [--update] [--out DIR]
// Without --update it writes to --out (default: a temp folder) and prints that folder; with --update it
// replaces test/golden/. test/golden.test.ts runs the same case functions and compares byte for byte.

// ---- The SDK as users reach it today. Refactors: re-point these imports, change nothing else. ----
import { command as classifyCommand } from "../sdk/cli/commands/classify.js";
import { command as startCommand } from "../sdk/cli/commands/start.js";
import { command as analyzeCommand } from "../sdk/cli/commands/analyze.js";
import { loadMooncake } from "../sdk/trace/index.js";
import { replayTrace } from "../sdk/replay/index.js";
import { runPlannerReplay } from "../sdk/planner/run.js";
import { experimentDesign, readExperimentFile, runSweep } from "../sdk/doe/index.js";
const REPLAY_TREATMENT_MODULE = "sdk/doe/replay-treatment.ts";
// ---------------------------------------------------------------------------------------------------

import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

/** One golden case: writes its files under `dir` (created empty by the caller). */
export interface GoldenCase { name: string; run(dir: string): Promise<void> }

/** Runs a CLI command in-process with stdout captured (stderr left alone); throws on a non-zero exit. */
async function runCommand(cmd: { name: string; run(argv: string[]): Promise<number> }, argv: string[]): Promise<string> {
  const write = process.stdout.write.bind(process.stdout);
  let captured = "";
  // Commands print strings; binary chunks (node:test's child protocol when run under the test) pass through.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk !== "string") return (write as (c: Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    captured += chunk;
    return true;
  }) as typeof process.stdout.write;
  let code: number;
  try { code = await cmd.run(argv); } finally { process.stdout.write = write; }
  if (code !== 0) throw new Error(`actlab ${cmd.name} ${argv.join(" ")} exited ${code}: ${captured.slice(-2000)}`);
  return captured;
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";
/** The bundled trace every replay/planner case uses (in the repo, so the goldens never depend on ../shared). */
const TRACE = "datasets/traces/shared-prefix.jsonl";

/**
 * Files of `actlab start` that are not a function of the seed, left out: run caches and timings.csv
 * (wall-clock durations), and the embedded cluster's per-run actuations and summary.json (the cluster
 * runs on scaled wall time, so timestamps and the watch-receive TTRD vary; the classification and the
 * per-run results.csv do not).
 */
const START_VOLATILE = [/(^|\/)cache\//, /(^|\/)timings\.csv$/, /^cluster\/runs\//, /^cluster\/summary\.json$/];

export const CASES: GoldenCase[] = [
  {
    // Every recorded run folder re-classified through `actlab classify RUN_DIR --out DIR`.
    name: "classify",
    async run(dir) {
      const root = "datasets/event-logs";
      for (const run of readdirSync(root).filter((d) => statSync(join(root, d)).isDirectory()).sort()) {
        // Copy the run so the command reads exactly what is recorded but writes nowhere near datasets/.
        const work = mkdtempSync(join(tmpdir(), "actlab-golden-run-"));
        try {
          cpSync(join(root, run), work, { recursive: true });
          const out = join(dir, run);
          mkdirSync(out, { recursive: true });
          await runCommand(classifyCommand, [work, "--out", out]);
        } finally { rmSync(work, { recursive: true, force: true }); }
      }
    },
  },
  {
    // `actlab start` reduced as in test/main-job.test.ts; PNG/SVG/HTML left out (see test/golden/README.md).
    name: "start",
    async run(dir) {
      const work = mkdtempSync(join(tmpdir(), "actlab-golden-start-"));
      try {
        const stdout = await runCommand(startCommand, ["--out", work, "--seed", "3", "--minutes", "3", "--replicates", "1", "--iterations", "2"]);
        writeFileSync(join(dir, "stdout.txt"), stdout.split(work).join("<OUT>"));
        copyTree(work, dir, (f) => !START_VOLATILE.some((re) => re.test(f)));
        writeFileSync(join(dir, "README.md"), readFileSync(join(work, "README.md"), "utf8").split(work).join("<OUT>"));
      } finally { rmSync(work, { recursive: true, force: true }); }
    },
  },
  {
    // The replay benchmark's configurations (test/bench/replay.bench.ts) on the bundled trace: summaries.
    name: "replay",
    async run(dir) {
      const { requests } = loadMooncake(TRACE);
      writeFileSync(join(dir, "round-robin.json"), json(replayTrace(requests, { workers: 8 }).summary));
      writeFileSync(join(dir, "kv.json"), json(replayTrace(requests, { workers: 8, router: "kv" }).summary));
      writeFileSync(join(dir, "disagg-kv.json"), json(replayTrace(requests, { mode: "disagg", prefillWorkers: 4, decodeWorkers: 4, router: "kv", kvTransfer: { bytesPerToken: 131072, bandwidthGBps: 64 } }).summary));
    },
  },
  {
    // The planner benchmark's in-the-loop configurations (test/bench/planner.bench.ts): agg + disagg × fixed 120 s + FMA paths.
    name: "planner",
    async run(dir) {
      const { requests } = loadMooncake(TRACE);
      writeFileSync(join(dir, "plain-agg-4-kv.json"), json(replayTrace(requests, { mode: "agg", workers: 4, router: "kv", seed: 1 }).summary));
      for (const mode of ["agg", "disagg"] as const) {
        for (const actuation of [{ startup_time: 120 }, { startup_time: null, profile: "8b-h100", sleep_pool: true }]) {
          const r = runPlannerReplay(requests, { mode, optimization_target: "sla", ttft: 2500, itl: 50, enable_load_scaling: true, throughput_adjustment_interval: 60, max_gpu_budget: 16, load_predictor: "kalman", actuation }, { seed: 1, router: "kv" });
          writeFileSync(join(dir, `${mode}-${actuation.startup_time === null ? "fma" : "fixed-120s"}.json`), json(r.summary));
        }
      }
    },
  },
  {
    // A DOE sweep: test/golden/doe-sweep.yaml (router-study reduced, on the bundled trace) through runSweep on 2 worker threads.
    name: "doe",
    async run(dir) {
      const work = mkdtempSync(join(tmpdir(), "actlab-golden-doe-"));
      try {
        const design = experimentDesign(readExperimentFile("test/golden/doe-sweep.yaml"));
        await runSweep(design, resolve(REPLAY_TREATMENT_MODULE), { outDir: work, concurrency: 2, progress: false, seed: 1 });
        for (const f of ["results.jsonl", "results.csv"]) copyFileSync(join(work, f), join(dir, f));
        writeFileSync(join(dir, "anova.txt"), await runCommand(analyzeCommand, [join(work, "results.csv"), "--response", "ttftP50Ms", "--factors", "workers,router,speedup", "--order", "2"]));
      } finally { rmSync(work, { recursive: true, force: true }); }
    },
  },
];

/** Copies the files of `from` that `keep` accepts into `to`, keeping relative paths. */
function copyTree(from: string, to: string, keep: (file: string) => boolean): void {
  for (const e of readdirSync(from, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const src = join(e.parentPath, e.name);
    const rel = src.slice(from.length + 1);
    if (!keep(rel)) continue;
    mkdirSync(dirname(join(to, rel)), { recursive: true });
    copyFileSync(src, join(to, rel));
  }
}

/** Writes every case (or the named ones) into `out/<case>/`. */
export async function generate(out: string, only?: readonly string[]): Promise<void> {
  for (const c of CASES.filter((x) => !only || only.includes(x.name))) {
    const dir = join(out, c.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await c.run(dir);
  }
}

/** Every file under `dir`, relative, sorted. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

if (process.argv[1] && resolve(process.argv[1]) === resolve("scripts/golden.ts")) {
  const args = process.argv.slice(2);
  const update = args.includes("--update");
  const outAt = args.indexOf("--out");
  const out = update ? "test/golden" : outAt >= 0 ? args[outAt + 1]! : mkdtempSync(join(tmpdir(), "actlab-golden-"));
  const t0 = Date.now();
  await generate(out);
  console.log(`golden cases ${CASES.map((c) => c.name).join(", ")} written to ${out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.exit(0);
}
