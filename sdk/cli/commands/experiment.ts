/**
 * `actlab experiment FILE`: read an experiment file (llm-d-benchmark legacy or current format),
 * show its runs, run them as a sweep through a treatment module, run one shard of them, merge
 * shards, print a Kubernetes Indexed Job that runs the shards on a cluster, or run the sweep on a
 * cluster end to end (`--on-kubernetes`; the shard pods run this same command with `--emit-results`).
 */
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../../core/errors.js";
import { toCsv, toJsonl, writeFileAtomic, columnsOf } from "../../core/rows.js";
import { designRows } from "../../doe/design.js";
import { experimentDesign, experimentSize } from "../../doe/experiment.js";
import { experimentToYaml, readExperimentFile } from "../../doe/experiment-file.js";
import { indexedJobYaml } from "../../doe/indexed-job.js";
import { mergeShards, parseShard } from "../../doe/shard.js";
import { fileRows, runSweep } from "../../doe/sweep.js";
import { cacheKey, SweepCache } from "../../doe/sweep-cache.js";
import { numberOption, parseCommandArgs, UsageError, type Command } from "../command.js";

const usage = `Usage: actlab experiment FILE [options]

Reads an experiment file (llm-d-benchmark's legacy setup/run factors-levels-treatments format or
its current named-treatments format) and expands it into runs: setup treatments × run treatments.

  (no --module)        print the run plan (and write plan.csv with --out)
  --module PATH        treatment module (default export, or --export NAME): run every run through it
                       on worker threads; results.jsonl, results.csv, timings.csv go to --out
  --out DIR            output folder (default: out/experiments/<experiment name>)
  --seed S             sweep seed (default 1); same file + seed → byte-identical results files
  --code-version V     your code's version, part of the cache key (default 0)
  --concurrency N      worker threads (default: number of cores)
  --replicates N       replicate every run N times (default: the design block's, else 1)
  --max-runs N         refuse plans of more than N runs (default 100000, a guard against typos)
  --randomize          randomized run order (split-plot: setup treatments, then runs within each)
  --shard i/N          run only shard i of N (0-based, as JOB_COMPLETION_INDEX)
  --merge [DIR…]       merge shard results (DIRs, default <out>/shard-*) into <out>/results.*
  --k8s-job N          print a Kubernetes Indexed Job running N shards (needs --image)
  --image IMG          container image for --k8s-job;  --claim PVC  results volume claim
  --namespace NS       namespace for --k8s-job
  --on-kubernetes      run the sweep as a Kubernetes Indexed Job and merge its shards here (needs --module):
                       the experiment file (and a module outside this checkout) go in a ConfigMap; a module
                       inside this checkout is taken from the image (actlab:PATH names one explicitly)
    --kubeconfig PATH  (default $KUBECONFIG, ~/.kube/config)   --namespace NS (default: the context's)
    --shards N         shards = Job completions (default 1)    --parallelism P  pods at once (default N)
    --image IMG        the actuation-lab image (default actuation-lab:dev; see Containerfile)
    --resume           re-attach to the running or finished Job (after the client died or was stopped)
    --job NAME         Job name (default actlab-<file name>)   --timeout S  stop following after S seconds
  --strict             values outside declared levels (and unknown keys) are errors, not warnings
  --yaml               print the experiment back as normalized YAML
  --progress MODE      bar | lines | silent (default: bar on a TTY, lines otherwise)`;

const OPTIONS = {
    module: { type: "string" },
    export: { type: "string" },
    out: { type: "string" },
    seed: { type: "string" },
    "code-version": { type: "string" },
    concurrency: { type: "string" },
    replicates: { type: "string" },
    randomize: { type: "boolean" },
    shard: { type: "string" },
    merge: { type: "boolean" },
    "k8s-job": { type: "string" },
    image: { type: "string" },
    claim: { type: "string" },
    namespace: { type: "string" },
    strict: { type: "boolean" },
    yaml: { type: "boolean" },
    plan: { type: "boolean" },
    progress: { type: "string" },
    "max-runs": { type: "string" },
    "on-kubernetes": { type: "boolean" },
    kubeconfig: { type: "string" },
    shards: { type: "string" },
    parallelism: { type: "string" },
    resume: { type: "boolean" },
    job: { type: "string" },
    timeout: { type: "string" },
    // The shard pods' side of --on-kubernetes (set in the Job's args).
    "emit-results": { type: "boolean" },
    "checkpoint-configmap": { type: "string" },
} as const;

export const command: Command = {
  name: "experiment",
  summary: "expand an experiment file into runs and sweep them (shards, merge, Kubernetes Job)",
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    if (values["on-kubernetes"]) return onKubernetes(values, positionals);
    const podMode = values["emit-results"] ?? false;
    try {
      return await runLocal(values, positionals, podMode);
    } catch (err) {
      // A shard pod handed a file it cannot use fails the same way on every retry: exit with the usage
      // code, which the Job's pod failure policy does not retry (sdk/doe/indexed-job.ts).
      if (podMode && err instanceof InputError && !(err as { sweepStarted?: boolean }).sweepStarted) {
        process.stderr.write(`actlab experiment: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
  },
};

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>["values"];

/** `actlab:<path>`: a module of the installation itself (in the image: /app/<path>). */
const INSTALL_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const modulePathOf = (m: string) => (m.startsWith("actlab:") ? join(INSTALL_ROOT, m.slice("actlab:".length)) : resolve(m));

async function onKubernetes(values: Values, positionals: string[]): Promise<number> {
  const str = (k: keyof typeof OPTIONS) => values[k] as string | undefined;
  const file = positionals[0];
  if (!file) throw new UsageError("expected an experiment FILE");
  if (positionals.length > 1) throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(" ")}`);
  if (!str("module")) throw new UsageError("--on-kubernetes needs --module PATH (the treatment module)");
  for (const k of ["shard", "merge", "k8s-job", "plan", "yaml"] as const) if (values[k] !== undefined) throw new UsageError(`--on-kubernetes cannot be combined with --${k}`);
  const shards = numberOption(str("shards"), "shards", 1, 1, 10_000);
  const parallelism = str("parallelism") !== undefined ? numberOption(str("parallelism"), "parallelism", 1, 1, 10_000) : undefined;
  if (!Number.isInteger(shards) || (parallelism !== undefined && !Number.isInteger(parallelism))) throw new UsageError("--shards and --parallelism expect integers");
  const timeout = str("timeout") !== undefined ? numberOption(str("timeout"), "timeout", 0, 1) : undefined;
  const progress = str("progress");
  if (progress !== undefined && !["bar", "lines", "silent"].includes(progress)) throw new UsageError(`--progress expects bar, lines or silent, got '${progress}'`);
  const args: string[] = [];
  for (const k of ["seed", "code-version", "replicates", "concurrency", "export", "max-runs"] as const) if (str(k) !== undefined) args.push(`--${k}`, str(k)!);
  for (const k of ["randomize", "strict"] as const) if (values[k]) args.push(`--${k}`);
  const { loadKubeConfig, contextNamespace } = await import("../../kube/kubeconfig.js");
  const { runSweepOnKubernetes, KubernetesSweepError } = await import("../../doe/on-kubernetes.js");
  const kc = await loadKubeConfig(str("kubeconfig"));
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once("SIGINT", onSigint);
  try {
    const r = await runSweepOnKubernetes({
      kubeConfig: kc, namespace: str("namespace") ?? contextNamespace(kc), experimentFile: file, module: str("module")!, imageRoot: process.cwd(),
      image: str("image") ?? "actuation-lab:dev", shards, parallelism, args, out: str("out"), resume: values.resume === true, jobName: str("job"),
      progress: progress as "bar" | "lines" | "silent" | undefined, signal: abort.signal, timeoutMs: timeout !== undefined ? timeout * 1000 : undefined,
    });
    const retried = r.podsPerShard.map((n, i) => (n > 1 ? `shard ${i}: ${n} pods` : "")).filter(Boolean);
    process.stdout.write(`job ${r.namespace}/${r.jobName}: ${r.shards.length} shards, ${r.total} runs: ${r.executed} executed, ${r.cached} from cache, ${r.failed} failed${retried.length ? ` (retried: ${retried.join(", ")})` : ""}\n`);
    process.stdout.write(`results → ${r.files.csv}\n`);
    for (const row of fileRows(r.rows).filter((x) => x.status === "error").slice(0, 5)) process.stderr.write(`  ${String(row.id)}: ${String(row.error)}\n`);
    return r.failed > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof KubernetesSweepError) {
      const tail = err.podLog.trimEnd().split("\n").filter((l) => !l.startsWith("actlab-")).slice(-20);
      process.stderr.write(`actlab experiment: ${err.message}\n${tail.map((l) => `  | ${l}\n`).join("")}`);
      return err.exitCode;
    }
    throw err;
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}

async function runLocal(values: Values, positionals: string[], podMode: boolean): Promise<number> {
  {
    const file = positionals[0];
    if (!file) throw new UsageError("expected an experiment FILE");
    if (positionals.length > 1 && !values.merge) throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(" ")}`);
    const maxRuns = numberOption(values["max-runs"], "max-runs", 100_000, 1);
    const exp = readExperimentFile(file, { strict: values.strict ?? false, maxTreatments: maxRuns });
    for (const w of exp.warnings) process.stderr.write(`warning: ${file} (${w.path}): expected ${w.message}\n`);
    if (values.yaml) {
      process.stdout.write(experimentToYaml(exp));
      return 0;
    }
    const seedText = values.seed ?? "1";
    const seed: number | string = /^-?\d+$/.test(seedText) ? Number(seedText) : seedText;
    const replicates = values.replicates !== undefined ? numberOption(values.replicates, "replicates", 1, 1, 1e6) : undefined;
    if (replicates !== undefined && !Number.isInteger(replicates)) throw new UsageError("--replicates expects an integer");
    // A typo like --replicates 1000000 would build millions of runs in memory; refuse it up front.
    const planned = experimentSize(exp).total * (replicates ?? 1);
    if (planned > maxRuns) throw new UsageError(`${planned} runs (${experimentSize(exp).total} treatments × ${replicates ?? 1} replicates) exceed the limit of ${maxRuns}; raise it with --max-runs N`);
    const design = experimentDesign(exp, { replicates, randomize: values.randomize, seed });
    const out = values.out ?? join("out", "experiments", exp.name);
    const progress = values.progress;
    if (progress !== undefined && !["bar", "lines", "silent"].includes(progress)) throw new UsageError(`--progress expects bar, lines or silent, got '${progress}'`);

    if (values["k8s-job"] !== undefined) {
      const shards = numberOption(values["k8s-job"], "k8s-job", 1, 1, 10_000);
      if (!Number.isInteger(shards)) throw new UsageError("--k8s-job expects an integer number of shards");
      if (!values.image) throw new UsageError("--k8s-job needs --image");
      const args: string[] = [];
      if (values.module) args.push("--module", values.module);
      if (values.export) args.push("--export", values.export);
      if (values.seed) args.push("--seed", values.seed);
      if (values["code-version"]) args.push("--code-version", values["code-version"]);
      if (values.replicates) args.push("--replicates", values.replicates);
      if (values.randomize) args.push("--randomize");
      if (values.strict) args.push("--strict");
      const name = `actlab-${exp.name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "")}`.slice(0, 63).replace(/-+$/, "");
      process.stdout.write(indexedJobYaml({ name, image: values.image, experimentFile: file, shards, namespace: values.namespace, resultsClaim: values.claim, args }));
      return 0;
    }

    if (values.merge) {
      let dirs = positionals.slice(1);
      if (dirs.length === 0) {
        dirs = existsSync(out) ? readdirSync(out).filter((d) => /^shard-\d+$/.test(d)).sort((a, b) => Number(a.slice(6)) - Number(b.slice(6))).map((d) => join(out, d)) : [];
        if (dirs.length === 0) throw new InputError({ source: out }, "shard folders shard-<i>/ with results.jsonl (or pass shard folders after FILE)");
      }
      const merged = mergeShards(dirs.map((d) => join(d, "results.jsonl")), design);
      writeFileAtomic(join(out, "results.jsonl"), toJsonl(merged.rows));
      writeFileAtomic(join(out, "results.csv"), toCsv(merged.rows, columnsOf(merged.rows)));
      process.stdout.write(`merged ${dirs.length} shards: ${merged.rows.length} rows → ${join(out, "results.csv")}\n`);
      if (merged.missing.length) {
        process.stderr.write(`missing ${merged.missing.length} runs: ${merged.missing.slice(0, 10).join(", ")}${merged.missing.length > 10 ? ", …" : ""}\n`);
        return 1;
      }
      return 0;
    }

    const size = experimentSize(exp);
    const shard = values.shard !== undefined ? parseShard(values.shard) : undefined;
    process.stdout.write(`${exp.name} (${exp.format} format): ${size.setup || 1} setup × ${size.run || 1} run treatments = ${size.total} runs` +
      `${design.runs.length !== size.total ? `, ${design.runs.length} with replicates` : ""}${shard ? `; shard ${shard.index}/${shard.count}` : ""}\n`);

    if (!values.module || values.plan) {
      const rows = designRows(design);
      const shown = rows.slice(0, 20);
      process.stdout.write(toCsv(shown, columnsOf(rows)));
      if (rows.length > shown.length) process.stdout.write(`… ${rows.length - shown.length} more\n`);
      if (values.out) {
        writeFileAtomic(join(out, "plan.csv"), toCsv(rows, columnsOf(rows)));
        process.stdout.write(`plan → ${join(out, "plan.csv")}\n`);
      }
      if (!values.module) process.stdout.write("pass --module PATH (a module exporting the treatment function) to run it\n");
      return 0;
    }

    const concurrency = values.concurrency !== undefined ? numberOption(values.concurrency, "concurrency", 1, 1, 1024) : undefined;
    const modulePath = modulePathOf(values.module);
    if (!existsSync(modulePath)) throw new InputError({ source: values.module }, "an existing treatment module file");
    // Shard pods (--emit-results): reuse what earlier pods of this index finished, checkpoint every run.
    const codeVersion = values["code-version"] ?? "0";
    let checkpoint: import("../../doe/on-kubernetes-shard.js").ShardCheckpoint | undefined;
    const podSide = podMode ? await import("../../doe/on-kubernetes-shard.js") : undefined;
    if (podSide && values["checkpoint-configmap"]) {
      const { loadKubeConfig, contextNamespace } = await import("../../kube/kubeconfig.js");
      const kc = await loadKubeConfig();
      const opened = await podSide.ShardCheckpoint.open(kc, contextNamespace(kc), values["checkpoint-configmap"], (l) => process.stderr.write(`${l}\n`));
      checkpoint = opened.checkpoint;
      const cache = new SweepCache(join(out, "cache"));
      for (const e of opened.entries) cache.put(e);
      if (opened.entries.length) process.stderr.write(`shard checkpoint ${values["checkpoint-configmap"]}: ${opened.entries.length} runs finished by earlier pods\n`);
    }
    const byOrder = new Map(design.runs.map((r) => [r.run_order, r]));
    let done = 0;
    const shardTotal = (shard ? Math.ceil(Math.max(0, design.runs.length - shard.index) / shard.count) : design.runs.length) * Math.max(1, design.repeats ?? 1);
    const onRow = podSide ? (row: import("../../core/rows.js").Row) => {
      done++;
      process.stdout.write(podSide.progressLine(done, shardTotal));
      if (!checkpoint || row.status !== "ok") return;
      const run = byOrder.get(Number(row.run_order));
      if (!run) return;
      const key = cacheKey({ factors: run.factors, params: run.params, replicate: run.replicate, repeat: Number(row.repeat ?? 1), seed: Number(row.seed), codeVersion });
      const entry = new SweepCache(join(out, "cache")).get(key);
      if (entry) checkpoint.add(entry);
    } : undefined;
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once("SIGINT", onSigint);
    try {
      const result = await runSweep(design, modulePath, {
        seed, codeVersion, concurrency, exportName: values.export, outDir: out, shard,
        signal: abort.signal, progress: (progress as "bar" | "lines" | "silent" | undefined) ?? true,
        maxAttempts: exp.options.treatment_max_attempts, stopOnError: exp.options.treatment_stop_on_error, onRow,
      }).catch((e) => { throw Object.assign(e as object, { sweepStarted: true }); });
      if (podSide) {
        await checkpoint?.flush();
        process.stdout.write(podSide.resultsBlock({ experiment: exp.name, shard: shard ? `${shard.index}/${shard.count}` : "0/1", total: result.total, executed: result.executed, cached: result.cached, failed: result.failed }, result.rows, result.timings));
        process.stdout.write(`${result.total} runs: ${result.executed} executed, ${result.cached} from cache, ${result.failed} failed${result.cancelled ? ", cancelled" : ""}\n`);
        return result.cancelled ? 1 : 0;
      }
      process.stdout.write(`${result.total} runs: ${result.executed} executed, ${result.cached} from cache, ${result.failed} failed${result.cancelled ? ", cancelled" : ""}\n`);
      process.stdout.write(`results → ${result.files!.csv}\n`);
      const failed = fileRows(result.rows).filter((r) => r.status === "error").slice(0, 5);
      for (const r of failed) process.stderr.write(`  ${String(r.id)}: ${String(r.error)}\n`);
      return result.failed > 0 || result.cancelled ? 1 : 0;
    } finally {
      process.removeListener("SIGINT", onSigint);
    }
  }
}
