/**
 * `actlab start` (what `npm start` runs): the main job on the embedded defaults.
 *
 * 1. A replicated 2×3×2 factorial over a planner-in-the-loop replay of a real trace (the bundled
 *    Mooncake conversation trace, or --trace FILE): model profile (8b-h100, 32b-h100: what a wake
 *    and a launch cost) × sleep pool (none, from scale-downs, pre-warmed) × arrival speed-up (1×, 2×),
 *    every factor crossed with the others (each cell a distinct configuration). Responses: SLA
 *    attainment, TTFT/ITL percentiles, GPU-hours and the FMA hit rates. ANOVA of SLA attainment,
 *    main-effects and interaction plots. Beside it, outside the ANOVA, Dynamo's fixed 120 s start-up
 *    at each speed-up as the reference (it has no sleep pool, so crossing it would duplicate runs).
 *    A degenerate result (every treatment equal, a planner that never scaled) is said loudly and
 *    the exit status is 3.
 * 2. The diagnostics report of one treatment (FMA paths, sleep pool from scale-downs, 2×).
 * 3. Scheduler placement (pack, spread) × cluster size (1, 4 nodes): nop-style actuation benchmarks
 *    on the embedded FMA cluster over the real Kubernetes client, classified from evidence, checked
 *    against the simulation's ground truth; hit rates per treatment and the ANOVA of the hot rate.
 * Everything lands in the output folder with a README of what ran.
 */
import { readFileSync } from "node:fs";
import type { PlacementPolicy } from "../../cluster/types.js";
import type { Actuation } from "../../actuation/classify.js";
import { join, relative } from "node:path";
import { toCsv, toJsonl, writeFileAtomic, type Row } from "../../core/rows.js";
import { sharedDataset } from "../../core/paths.js";
import { InputError } from "../../core/errors.js";
import { loadMooncake } from "../../trace/mooncake.js";
import { speedUp, timeWindow } from "../../trace/transforms.js";
import { runPlannerReplay } from "../../planner/run.js";
import { writePlannerReplayOutputs } from "../../planner/write-outputs.js";
import { fullFactorial } from "../../doe/factorial.js";
import { replicate } from "../../doe/design.js";
import { runSweep, type TreatmentInput } from "../../doe/sweep.js";
import { anova } from "../../doe/anova.js";
import { mainEffectsPlot, interactionPlotMatrix, writePlot } from "../../doe/effect-plots.js";
import * as aq from "arquero";
import { toArquero } from "../../frames/index.js";
import { startCluster } from "../../cluster/start.js";
import { createObject } from "../../kube/api-calls.js";
import { runNopIterations } from "../../bench/nop-runner.js";
import { summarizeActuations } from "../../actuation/summary.js";
import type { KubeObject } from "../../kube/types.js";
import { numberOption, parseCommandArgs, type Command } from "../command.js";

const usage = `Usage: actlab start [--out DIR] [--seed N] [--minutes M] [--replicates R] [--iterations K] [--trace FILE]

Runs the main job on the embedded defaults and writes a writeup to DIR (default out/).
Exit status: 0 done; 3 done but the result is degenerate (every treatment has the same SLA
attainment, or the planner never scaled: the WARNING line and the writeup say which); 1 bad input.
  --out DIR          output folder (default: out)
  --seed N           random seed (default: 1); same seed, same experiment files out
  --minutes M        trace window replayed per treatment, minutes (default: 20)
  --replicates R     replicates per treatment (default: 2)
  --iterations K     nop iterations per cluster run (default: 12; 0 skips the cluster part)
  --trace FILE       a Mooncake JSONL trace (.gz too) instead of the bundled conversation trace`;

/** Exit status of a main job that ran but whose result is degenerate (documented in the usage). */
export const DEGENERATE_EXIT = 3;

const BASE_PLANNER = {
  mode: "agg", optimization_target: "sla", ttft: 2500, itl: 50,
  enable_throughput_scaling: true, enable_load_scaling: true,
  throughput_adjustment_interval: 60, load_adjustment_interval: 5,
  max_gpu_budget: 16, load_predictor: "kalman",
};

/**
 * Sleep pool levels: none (every start loads weights: warm/cold_launcher), scale_down (replicas
 * sleep when scaled down; sleepers exist only after the first scale-down), prewarmed (two sleepers
 * per pool at t=0, as an operator provisions them ahead). The model profile sets what each path
 * costs (a 32B model loads 65.5 GB of weights, an 8B 16.1 GB), so every level of one factor is a
 * distinct configuration under every level of the others: the factors are crossed.
 */
function plannerConfig(f: Record<string, unknown>): Record<string, unknown> {
  if (f.startup === "fixed_120s") return { ...BASE_PLANNER, actuation: { startup_time: 120 } };
  const pool = String(f.sleep_pool);
  const profile = String(f.model ?? "8b-h100");
  const actuation = pool === "none"
    ? { profile, sleep_pool: false }
    : { profile, sleep_pool: true, sleeper_limit: 1, ...(pool === "prewarmed" ? { prewarmed_sleepers: 2 } : {}) };
  return { ...BASE_PLANNER, actuation };
}

/**
 * What makes a finished study degenerate, each as one sentence: every treatment mean of the
 * response equal (nothing to analyse), or no run scaled (the planner, the thing studied, idled).
 */
export function degenerateReasons(rows: readonly Row[], response: string, factors: readonly string[]): string[] {
  const ok = rows.filter((r) => r.status === undefined || r.status === "ok");
  const reasons: string[] = [];
  const means = new Map<string, number[]>();
  for (const r of ok) {
    const key = factors.map((f) => String(r[f])).join("|");
    const v = r[response];
    if (typeof v === "number") means.set(key, [...(means.get(key) ?? []), v]);
  }
  const cell = [...means.values()].map((vs) => vs.reduce((a, b) => a + b, 0) / vs.length);
  if (cell.length > 0 && cell.every((m) => Math.abs(m - cell[0]!) <= 1e-12)) reasons.push(`every treatment has the same mean ${response} (${num(cell[0])}), so the ANOVA has nothing to explain`);
  if (ok.length > 0 && ok.every((r) => Number(r.scale_ups ?? 0) === 0)) reasons.push("the planner never scaled (scale_ups 0 in every run): the trace window is too light for the fleet");
  return reasons;
}

function loadTrace(file?: string): { requests: ReturnType<typeof loadMooncake>["requests"]; source: string } {
  if (file !== undefined) return { requests: loadMooncake(file).requests, source: `Mooncake trace ${file}` };
  // No fallback: a missing trace is an error, never a silent switch to synthetic data.
  const path = sharedDataset("mooncake/conversation_trace.jsonl");
  if (!path) throw new InputError({ source: "mooncake/conversation_trace.jsonl" }, `the Mooncake conversation trace in ${process.env.ACTLAB_SHARED_DATASETS ? "$ACTLAB_SHARED_DATASETS" : "datasets/traces/public/ (run npm start from the repository root)"}`);
  return { requests: loadMooncake(path).requests, source: `Mooncake conversation trace (${relative(process.cwd(), path)})` };
}

/** The classified actuations the cluster runs wrote, in run order (cached runs included). */
function readRunActuations(dir: string, rows: readonly Row[]): Actuation[] {
  return rows.flatMap((r) => {
    const text = readFileSync(join(dir, `${String(r.id)}.jsonl`), "utf8").trim();
    return text ? text.split("\n").map((l) => JSON.parse(l) as Actuation) : [];
  });
}

const num = (v: unknown, d = 3) => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(d) : "—");

export const command: Command = {
  name: "start",
  summary: "run the main job on the embedded defaults and write a writeup to out/",
  usage,
  async run(argv) {
    const { values } = parseCommandArgs(argv, {
      out: { type: "string" }, seed: { type: "string" }, minutes: { type: "string" },
      replicates: { type: "string" }, iterations: { type: "string" }, trace: { type: "string" },
    }, false);
    const out = values.out ?? "out";
    const seed = numberOption(values.seed, "seed", 1);
    const minutes = numberOption(values.minutes, "minutes", 20, 1, 60);
    const replicates = numberOption(values.replicates, "replicates", 2, 1, 10);
    const iterations = numberOption(values.iterations, "iterations", 12, 0, 1000);
    const log = (s: string) => process.stdout.write(s + "\n");

    // ── 1. The factorial experiment over planner-in-the-loop replays ──────────────────────────
    const trace = loadTrace(values.trace);
    const window = timeWindow(trace.requests, 0, minutes * 60_000);
    log(`actuation-lab main job — seed ${seed}; trace: ${trace.source}, first ${minutes} min (${window.length} requests)`);
    const design = replicate(fullFactorial([
      { name: "model", levels: ["8b-h100", "32b-h100"] },
      { name: "sleep_pool", levels: ["none", "scale_down", "prewarmed"] },
      { name: "speedup", levels: [1, 2] },
    ]), replicates);
    const treatment = (input: TreatmentInput): Row => {
      const requests = speedUp(window, Number(input.factors.speedup));
      const r = runPlannerReplay(requests, plannerConfig(input.factors), { seed: input.seed, router: "kv" });
      const s = r.summary;
      return {
        sla_attainment: s.slaAttainment, ttft_p50_ms: s.ttftP50Ms, ttft_p90_ms: s.ttftP90Ms, itl_p90_ms: s.itlP90Ms,
        gpu_hours: s.gpuHours, peak_replicas: s.peakReplicas, scale_ups: s.scaleUpEvents,
        hot_hit_rate: s.hot_hit_rate, warm_hit_rate: s.warm_hit_rate, cold_launcher_hit_rate: s.cold_launcher_hit_rate,
        mean_actuation_delay_s: s.meanActuationDelayS,
      };
    };
    const sweep = await runSweep(design, treatment, { seed, codeVersion: "main-job-3", outDir: join(out, "experiment"), progress: true });
    const rows = sweep.rows;
    const factors = ["model", "sleep_pool", "speedup"];
    const table = anova(rows, "sla_attainment", factors, { order: 2 });
    writeFileAtomic(join(out, "experiment", "anova.json"), JSON.stringify(table, null, 2) + "\n");
    writeFileAtomic(join(out, "experiment", "anova.csv"), toCsv(table.rows.map((r) => ({ ...r }))));
    writePlot(join(out, "experiment"), "main-effects", mainEffectsPlot(rows, "sla_attainment", factors));
    writePlot(join(out, "experiment"), "interactions", interactionPlotMatrix(rows, "sla_attainment", factors));

    const perTreatment = toArquero(rows)
      .groupby(factors)
      .rollup({
        sla: aq.op.mean("sla_attainment"),
        ttft_p90_ms: aq.op.mean("ttft_p90_ms"),
        itl_p90_ms: aq.op.mean("itl_p90_ms"),
        gpu_hours: aq.op.mean("gpu_hours"),
        hot: aq.op.mean("hot_hit_rate"),
        warm: aq.op.mean("warm_hit_rate"),
        cold_launcher: aq.op.mean("cold_launcher_hit_rate"),
      })
      .orderby(factors);
    const fmt = Object.fromEntries(["sla", "hot", "warm", "cold_launcher", "gpu_hours"].map((c) => [c, (v: unknown) => num(v)]));
    const fmt0 = Object.fromEntries(["ttft_p90_ms", "itl_p90_ms"].map((c) => [c, (v: unknown) => num(v, 0)]));
    log(`\n## Per treatment (means over ${replicates} replicates)\n`);
    log(perTreatment.toMarkdown({ format: { ...fmt, ...fmt0 } }));
    writeFileAtomic(join(out, "experiment", "per-treatment.csv"), toCsv(perTreatment.objects() as Row[]));
    log(`## ANOVA of sla_attainment (Type ${table.type}, main effects + 2-factor interactions; R² ${num(table.r2)})\n`);
    log("|term|df|SS|F|p|\n|:-|-:|-:|-:|-:|");
    for (const r of table.rows) log(`|${r.term}|${r.df}|${r.ss.toExponential(3)}|${num(r.f, 2)}|${r.p === null ? "—" : r.p.toExponential(2)}|`);
    log(`|residual|${table.residual.df}|${table.residual.ss.toExponential(3)}|||`);

    // The reference: Dynamo's fixed 120 s start-up (no FMA paths, no sleep pool) at each speed-up.
    const refDesign = replicate(fullFactorial([{ name: "startup", levels: ["fixed_120s"] }, { name: "speedup", levels: [1, 2] }]), replicates);
    const refSweep = await runSweep(refDesign, treatment, { seed, codeVersion: "main-job-3", outDir: join(out, "reference"), progress: true });
    const refTable = toArquero(refSweep.rows).groupby(["startup", "speedup"])
      .rollup({ sla: aq.op.mean("sla_attainment"), ttft_p90_ms: aq.op.mean("ttft_p90_ms"), itl_p90_ms: aq.op.mean("itl_p90_ms"), gpu_hours: aq.op.mean("gpu_hours") })
      .orderby(["startup", "speedup"]);
    writeFileAtomic(join(out, "reference", "per-treatment.csv"), toCsv(refTable.objects() as Row[]));
    log(`\n## Reference: Dynamo's fixed 120 s start-up, 8b engine (means over ${replicates} replicates; not in the ANOVA)\n`);
    log(refTable.toMarkdown({ format: { ...fmt, ...fmt0 } }));
    const degenerate = degenerateReasons(rows, "sla_attainment", factors);

    // ── 2. The diagnostics report of one treatment ─────────────────────────────────────────────
    const shown = runPlannerReplay(speedUp(window, 2), plannerConfig({ startup: "fma", sleep_pool: "scale_down" }), { seed, router: "kv" });
    const reportFiles = writePlannerReplayOutputs(join(out, "diagnostics"), shown, { charts: true });
    log(`\ndiagnostics report (FMA paths, sleep pool from scale-downs, 2×): ${reportFiles.find((f) => f.endsWith(".html")) ?? join(out, "diagnostics")}`);

    // ── 3. Scheduler placement × cluster size on the embedded FMA cluster, over the real client ──
    // The scheduler knows nothing of sleeping instances: whether a scale-up lands on the node (and
    // GPUs) of a sleeper decides hot vs a new launcher. A second, small factorial measures that.
    let clusterLine = "skipped (--iterations 0)";
    let clusterTable = "";
    if (iterations > 0) {
      const clusterFactors = ["placement", "nodes"];
      const clusterDesign = replicate(fullFactorial([
        { name: "placement", levels: ["pack", "spread"] },
        { name: "nodes", levels: [1, 4] },
      ]), replicates);
      const nopRun = async (input: TreatmentInput): Promise<Row> => {
        const cluster = await startCluster({ profile: "8b-h100", seed: input.seed, nodes: Number(input.factors.nodes), gpusPerNode: 4, timeScale: 5000, placement: input.factors.placement as PlacementPolicy });
        try {
          await createObject(cluster.kubeConfig, "/apis/apps/v1/namespaces/default/deployments", cluster.model.requesterDeployment("req") as unknown as KubeObject);
          const res = await runNopIterations({ kubeConfig: cluster.kubeConfig, namespace: "default", deployment: "req", iterations, replicas: 2 });
          const truth = new Map(cluster.model.actuations().map((t) => [t.requester.uid, t.path]));
          const agree = res.actuations.filter((a) => truth.get(a.requester_uid) === a.path).length;
          writeFileAtomic(join(out, "cluster", "runs", `${input.id}.jsonl`), toJsonl(res.actuations.map((a) => ({ run: input.id, ...a }) as unknown as Row)));
          const s = summarizeActuations(res.actuations);
          return {
            actuations: res.actuations.length, agree_with_ground_truth: agree,
            hot_hit_rate: s.hot_hit_rate, warm_hit_rate: s.warm_hit_rate, cold_launcher_hit_rate: s.cold_launcher_hit_rate,
            // The mean, not the p50: over half the actuations are hot, so the p50 is the wake time in
            // every cell; the mean moves with the mix of paths (a wake takes seconds, a launch tens).
            t_actuation_mean_s: s.distributions.T_actuation.mean,
          };
        } finally {
          await cluster.stop();
        }
      };
      // One cluster at a time: each runs in step with the wall clock, so it gets the CPU to itself.
      const clusterSweep = await runSweep(clusterDesign, nopRun, { seed, codeVersion: "main-job-cluster-2", outDir: join(out, "cluster"), progress: true, concurrency: 1 });
      const cRows = clusterSweep.rows;
      const perPlacement = toArquero(cRows)
        .groupby(clusterFactors)
        .rollup({ runs: aq.op.count(), hot: aq.op.mean("hot_hit_rate"), warm: aq.op.mean("warm_hit_rate"), cold_launcher: aq.op.mean("cold_launcher_hit_rate"), t_actuation_mean_s: aq.op.mean("t_actuation_mean_s") })
        .orderby(clusterFactors);
      writeFileAtomic(join(out, "cluster", "per-treatment.csv"), toCsv(perPlacement.objects() as Row[]));
      clusterTable = perPlacement.toMarkdown({ format: Object.fromEntries(["hot", "warm", "cold_launcher", "t_actuation_mean_s"].map((c) => [c, (v: unknown) => num(v, 2)])) });
      // With one replicate the interaction would leave no residual degrees of freedom.
      const hotAnova = anova(cRows, "hot_hit_rate", clusterFactors, { order: replicates > 1 ? 2 : 1 });
      writeFileAtomic(join(out, "cluster", "anova.json"), JSON.stringify(hotAnova, null, 2) + "\n");
      writePlot(join(out, "cluster"), "interactions", interactionPlotMatrix(cRows, "hot_hit_rate", clusterFactors));
      // Counted from the rows so that runs taken from the cache are included.
      const total = cRows.reduce((n, r) => n + Number(r.actuations), 0);
      const agreeing = cRows.reduce((n, r) => n + Number(r.agree_with_ground_truth), 0);
      const all = summarizeActuations(readRunActuations(join(out, "cluster", "runs"), cRows));
      writeFileAtomic(join(out, "cluster", "summary.json"), JSON.stringify({ ...all, agree_with_ground_truth: agreeing, total }, null, 2) + "\n");
      clusterLine = `${total} actuations over ${cRows.length} runs (${iterations} iterations of 0→2 each), ${agreeing}/${total} agree with ground truth; hot ${num(all.hot_hit_rate, 2)}, warm ${num(all.warm_hit_rate, 2)}, cold_launcher ${num(all.cold_launcher_hit_rate, 2)}`;
      log(`\n## Scheduler placement × nodes on the embedded FMA cluster (hit rates, means over ${replicates} replicates)\n`);
      log(clusterTable);
    }
    log(`embedded FMA cluster (8b-h100, real client): ${clusterLine}`);
    const warning = degenerate.length > 0 ? `WARNING: degenerate result: ${degenerate.join("; ")} (exit status ${DEGENERATE_EXIT})` : "";

    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string; dependencies: Record<string, string> };
    writeFileAtomic(join(out, "README.md"), [
      "# actuation-lab main job", "",
      ...(warning ? [`**${warning}**`, ""] : []),
      `- actuation-lab ${pkg.version}, Node ${process.version}, seed ${seed}`,
      `- trace: ${trace.source}, first ${minutes} min (${window.length} requests), KV-aware router, agg planner (SLA TTFT 2500 ms, ITL 50 ms)`,
      `- design: 2×3×2 full factorial, factors crossed (model × sleep_pool × speedup) × ${replicates} replicates = ${rows.length} runs (${sweep.executed} executed, ${sweep.cached} from cache); reference: Dynamo's fixed 120 s start-up × speedup × ${replicates} replicates = ${refSweep.rows.length} runs`,
      "", "## Files", "",
      "- `experiment/results.csv`, `experiment/results.jsonl`: one row per run (factors, responses, seed)",
      "- `experiment/per-treatment.csv`, `experiment/anova.csv`, `experiment/anova.json`: treatment means and the ANOVA of sla_attainment",
      "- `experiment/main-effects.{svg,png}`, `experiment/interactions.{svg,png}`",
      "- `reference/`: the fixed 120 s start-up runs (`results.csv`, `per-treatment.csv`)",
      "- `diagnostics/`: the planner diagnostics report (HTML, linked time axes) and its data for FMA paths, sleep pool from scale-downs, 2×",
      "- `cluster/`: scheduler placement (pack, spread) × nodes (1, 4) with the nop actuation benchmark on the embedded cluster: `results.csv` one row per run, `per-treatment.csv`, `anova.json` (hot_hit_rate), `interactions.{svg,png}`, `runs/` the classified actuations of each run, `summary.json` over all runs",
      "", "## Embedded cluster", "", clusterLine, "", clusterTable, "",
      `Regenerate: \`actlab start --out ${out} --seed ${seed} --minutes ${minutes} --replicates ${replicates} --iterations ${iterations}\``, "",
    ].join("\n"));
    log(`\nwrote ${out}/ (README.md, experiment/, reference/, diagnostics/, cluster/)`);
    if (warning) {
      log(warning);
      process.stderr.write(warning + "\n");
      return DEGENERATE_EXIT;
    }
    return 0;
  },
};
