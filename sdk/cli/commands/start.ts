/**
 * `actlab start` (what `npm start` runs): the main job on the embedded defaults.
 *
 * 1. A replicated 2×2×2 factorial over a planner-in-the-loop replay of a real trace (Mooncake
 *    conversation from ../shared/datasets when present, else the bundled synthetic trace):
 *    start-up mode (FMA actuation paths vs Dynamo's fixed 120 s) × sleeper limit (0, 1) ×
 *    arrival speed-up (1×, 2×). Responses: SLA attainment, TTFT/ITL percentiles, GPU-hours and the
 *    FMA hit rates. ANOVA of SLA attainment, main-effects and interaction plots.
 * 2. The diagnostics report of one treatment (FMA paths, sleep pool, 2×).
 * 3. An nop-style actuation benchmark on the embedded FMA cluster over the real Kubernetes client,
 *    classified from evidence and checked against the simulation's ground truth.
 * Everything lands in the output folder with a README of what ran.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { toCsv, toJsonl, writeFileAtomic, type Row } from "../../core/rows.js";
import { sharedDataset } from "../../core/paths.js";
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
import { runNopIterations } from "../../kube/nop-runner.js";
import { summarizeActuations } from "../../actuation/summary.js";
import type { KubeObject } from "../../kube/types.js";
import { numberOption, parseCommandArgs, type Command } from "../command.js";

const usage = `Usage: actlab start [--out DIR] [--seed N] [--minutes M] [--replicates R] [--iterations K]

Runs the main job on the embedded defaults and writes a writeup to DIR (default out/).
  --out DIR          output folder (default: out)
  --seed N           random seed (default: 1); same seed, same experiment files out
  --minutes M        trace window replayed per treatment, minutes (default: 20)
  --replicates R     replicates per treatment (default: 2)
  --iterations K     nop iterations on the embedded cluster (default: 12; 0 skips it)`;

const BASE_PLANNER = {
  mode: "agg", optimization_target: "sla", ttft: 2500, itl: 50,
  enable_throughput_scaling: true, enable_load_scaling: true,
  throughput_adjustment_interval: 60, load_adjustment_interval: 5,
  max_gpu_budget: 16, load_predictor: "kalman",
};

function plannerConfig(f: Record<string, unknown>): Record<string, unknown> {
  const limit = Number(f.sleeper_limit);
  const actuation = f.startup === "fixed_120s"
    ? { startup_time: 120 }
    : { profile: "8b-h100", sleep_pool: limit > 0, ...(limit > 0 ? { sleeper_limit: limit } : {}) };
  return { ...BASE_PLANNER, actuation };
}

function loadTrace(): { requests: ReturnType<typeof loadMooncake>["requests"]; source: string } {
  const real = sharedDataset("mooncake/conversation_trace.jsonl");
  const path = real ?? "datasets/traces/bursty-gamma.jsonl";
  if (!existsSync(path)) throw new Error(`no trace: neither ../shared/datasets/mooncake/conversation_trace.jsonl nor ${path}`);
  return { requests: loadMooncake(path).requests, source: real ? "Mooncake conversation trace (shared/datasets)" : `${path} (bundled synthetic)` };
}

const num = (v: unknown, d = 3) => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(d) : "—");

export const command: Command = {
  name: "start",
  summary: "run the main job on the embedded defaults and write a writeup to out/",
  usage,
  async run(argv) {
    const { values } = parseCommandArgs(argv, {
      out: { type: "string" }, seed: { type: "string" }, minutes: { type: "string" },
      replicates: { type: "string" }, iterations: { type: "string" },
    }, false);
    const out = values.out ?? "out";
    const seed = numberOption(values.seed, "seed", 1);
    const minutes = numberOption(values.minutes, "minutes", 20, 1, 60);
    const replicates = numberOption(values.replicates, "replicates", 2, 1, 10);
    const iterations = numberOption(values.iterations, "iterations", 12, 0, 1000);
    const log = (s: string) => process.stdout.write(s + "\n");

    // ── 1. The factorial experiment over planner-in-the-loop replays ──────────────────────────
    const trace = loadTrace();
    const window = timeWindow(trace.requests, 0, minutes * 60_000);
    log(`actuation-lab main job — seed ${seed}; trace: ${trace.source}, first ${minutes} min (${window.length} requests)`);
    const design = replicate(fullFactorial([
      { name: "startup", levels: ["fma", "fixed_120s"] },
      { name: "sleeper_limit", levels: [0, 1] },
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
    const sweep = await runSweep(design, treatment, { seed, codeVersion: "main-job-1", outDir: join(out, "experiment"), progress: true });
    const rows = sweep.rows;
    const factors = ["startup", "sleeper_limit", "speedup"];
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

    // ── 2. The diagnostics report of one treatment ─────────────────────────────────────────────
    const shown = runPlannerReplay(speedUp(window, 2), plannerConfig({ startup: "fma", sleeper_limit: 1 }), { seed, router: "kv" });
    const reportFiles = writePlannerReplayOutputs(join(out, "diagnostics"), shown, { charts: true });
    log(`\ndiagnostics report (FMA paths, sleeper limit 1, 2×): ${reportFiles.find((f) => f.endsWith(".html")) ?? join(out, "diagnostics")}`);

    // ── 3. Actuation benchmark on the embedded FMA cluster, over the real client ───────────────
    let clusterLine = "skipped (--iterations 0)";
    if (iterations > 0) {
      const cluster = await startCluster({ profile: "8b-h100", seed, nodes: 1, gpusPerNode: 4, timeScale: 5000 });
      try {
        await createObject(cluster.kubeConfig, "/apis/apps/v1/namespaces/default/deployments", cluster.model.requesterDeployment("req") as unknown as KubeObject);
        const res = await runNopIterations({ kubeConfig: cluster.kubeConfig, namespace: "default", deployment: "req", iterations, replicas: 2 });
        const truth = new Map(cluster.model.actuations().map((t) => [t.requester.uid, t.path]));
        const agree = res.actuations.filter((a) => truth.get(a.requester_uid) === a.path).length;
        const s = summarizeActuations(res.actuations);
        writeFileAtomic(join(out, "cluster", "actuations.jsonl"), toJsonl(res.actuations));
        writeFileAtomic(join(out, "cluster", "summary.json"), JSON.stringify({ ...s, agree_with_ground_truth: agree, total: res.actuations.length }, null, 2) + "\n");
        clusterLine = `${res.actuations.length} actuations (${iterations} iterations of 0→2), ${agree}/${res.actuations.length} agree with ground truth; hot ${num(s.hot_hit_rate, 2)}, warm ${num(s.warm_hit_rate, 2)}, cold_launcher ${num(s.cold_launcher_hit_rate, 2)}; t_wake p50 ${num(s.distributions.t_wake.p50)} s`;
      } finally {
        await cluster.stop();
      }
    }
    log(`\nembedded FMA cluster (8b-h100, real client): ${clusterLine}`);

    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string; dependencies: Record<string, string> };
    writeFileAtomic(join(out, "README.md"), [
      "# actuation-lab main job", "",
      `- actuation-lab ${pkg.version}, Node ${process.version}, seed ${seed}`,
      `- trace: ${trace.source}, first ${minutes} min (${window.length} requests), KV-aware router, agg planner (SLA TTFT 2500 ms, ITL 50 ms)`,
      `- design: 2×2×2 full factorial (startup × sleeper_limit × speedup) × ${replicates} replicates = ${rows.length} runs (${sweep.executed} executed, ${sweep.cached} from cache)`,
      "", "## Files", "",
      "- `experiment/results.csv`, `experiment/results.jsonl`: one row per run (factors, responses, seed)",
      "- `experiment/per-treatment.csv`, `experiment/anova.csv`, `experiment/anova.json`: treatment means and the ANOVA of sla_attainment",
      "- `experiment/main-effects.{svg,png}`, `experiment/interactions.{svg,png}`",
      "- `diagnostics/`: the planner diagnostics report (HTML, linked time axes) and its data for FMA paths, sleeper limit 1, 2×",
      "- `cluster/`: the nop actuation benchmark on the embedded cluster (classified actuations, hit rates)",
      "", "## Embedded cluster", "", clusterLine, "",
      `Regenerate: \`actlab start --out ${out} --seed ${seed} --minutes ${minutes} --replicates ${replicates} --iterations ${iterations}\``, "",
    ].join("\n"));
    log(`\nwrote ${out}/ (README.md, experiment/, diagnostics/, cluster/)`);
    return 0;
  },
};
