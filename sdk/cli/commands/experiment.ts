/**
 * `actlab experiment FILE`: read an experiment file (llm-d-benchmark legacy or current format),
 * show its runs, run them as a sweep through a treatment module, run one shard of them, merge
 * shards, or print a Kubernetes Indexed Job that runs the shards on a cluster.
 */
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError } from "../../core/errors.js";
import { toCsv, toJsonl, writeFileAtomic, columnsOf } from "../../core/rows.js";
import { designRows } from "../../doe/design.js";
import { experimentDesign, experimentSize } from "../../doe/experiment.js";
import { experimentToYaml, readExperimentFile } from "../../doe/experiment-file.js";
import { indexedJobYaml } from "../../doe/indexed-job.js";
import { mergeShards, parseShard } from "../../doe/shard.js";
import { fileRows, runSweep } from "../../doe/sweep.js";
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
  --strict             values outside declared levels (and unknown keys) are errors, not warnings
  --yaml               print the experiment back as normalized YAML
  --progress MODE      bar | lines | silent (default: bar on a TTY, lines otherwise)`;

export const command: Command = {
  name: "experiment",
  summary: "expand an experiment file into runs and sweep them (shards, merge, Kubernetes Job)",
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
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
    });
    const file = positionals[0];
    if (!file) throw new UsageError("expected an experiment FILE");
    if (positionals.length > 1 && !values.merge) throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(" ")}`);
    const exp = readExperimentFile(file, { strict: values.strict ?? false });
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
    const maxRuns = numberOption(values["max-runs"], "max-runs", 100_000, 1);
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
    const modulePath = resolve(values.module);
    if (!existsSync(modulePath)) throw new InputError({ source: values.module }, "an existing treatment module file");
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once("SIGINT", onSigint);
    try {
      const result = await runSweep(design, modulePath, {
        seed, codeVersion: values["code-version"] ?? "0", concurrency, exportName: values.export, outDir: out, shard,
        signal: abort.signal, progress: (progress as "bar" | "lines" | "silent" | undefined) ?? true,
        maxAttempts: exp.options.treatment_max_attempts, stopOnError: exp.options.treatment_stop_on_error,
      });
      process.stdout.write(`${result.total} runs: ${result.executed} executed, ${result.cached} from cache, ${result.failed} failed${result.cancelled ? ", cancelled" : ""}\n`);
      process.stdout.write(`results → ${result.files!.csv}\n`);
      const failed = fileRows(result.rows).filter((r) => r.status === "error").slice(0, 5);
      for (const r of failed) process.stderr.write(`  ${String(r.id)}: ${String(r.error)}\n`);
      return result.failed > 0 || result.cancelled ? 1 : 0;
    } finally {
      process.removeListener("SIGINT", onSigint);
    }
  },
};
