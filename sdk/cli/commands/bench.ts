/**
 * `actlab bench`: actuation benchmarks a user runs, against the embedded cluster by default or a
 * real one with --kubeconfig. Scenarios: `nop` (llm-d-benchmark's nop FMA iteration: scale the
 * requester Deployment 0→N, wait for Ready and the dual label, classify, scale to 0, repeat) and the
 * dual-pods tool's `baseline`, `scaling` (hits counted in the second scale-up) and `new_variant`
 * (one baseline per model in --model-path). Partial results are written after every iteration.
 * `--delete-launchers` removes unbound launchers before every scale-up, so each actuation needs a
 * new launcher (T_cold_launcher every iteration rather than once).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { parse as parseYamlText } from "yaml";
import { InputError } from "../../core/errors.js";
import { Progress } from "../../core/progress.js";
import { writeFileAtomic } from "../../core/rows.js";
import { startCluster, type RunningCluster } from "../../cluster/start.js";
import { listProfiles } from "../../actuation/profiles.js";
import { createObject, deleteObject, getDeployment, getObject, listObjects } from "../../kube/api-calls.js";
import { contextNamespace, loadKubeConfig } from "../../kube/kubeconfig.js";
import { runNopIterations } from "../../bench/nop-runner.js";
import { readRunDir, RunWriter, writeAnalysis } from "../../bench/run-files.js";
import type { KubeObject } from "../../kube/types.js";
import { analyzeRun } from "../../actuation/analyze.js";
import { nopOptionsFor } from "../../actuation/nop-context.js";
import type { Actuation } from "../../actuation/classify.js";
import { summarizeActuations } from "../../actuation/summary.js";
import { dualPodsSummary, type DualPodsRun } from "../../actuation/dual-pods-summary.js";
import { FMA_KEYS } from "../../actuation/fma-keys.js";
import { numberOption, parseCommandArgs, UsageError, type Command } from "../command.js";
import { WATCH_RETRY_FLAGS, WATCH_RETRY_USAGE, watchRetryOptions } from "../watch-options.js";

const usage = `Usage: actlab bench [options]

Runs actuation benchmarks and writes result.yaml (llm-d-benchmark nop format), benchmark_report.yaml
(v0.1), actuations.json/csv, summary.json and the raw run (events.jsonl, evidence.jsonl, run.json)
to --out, updated after every iteration. Without --kubeconfig it starts the embedded cluster.
  --scenario S          nop (default) | baseline | scaling | new_variant
  --iterations N        iterations (default 3)
  --max-replicas N      requesters per scale-up (default: 1 for nop, 2 for the dual-pods scenarios)
  --namespace NS        namespace (default: the kubeconfig context's, or default)
  --deployment NAME     nop: the requester Deployment to scale (created from --yaml or the default template when absent)
  --yaml FILE           requester template; \${REPLICASET_NAME} \${MODEL_REGISTRY} \${MODEL_REPO}
                        \${CONTAINER_IMG_REG} \${CONTAINER_IMG_VERSION} are substituted
  --image REG --tag V   values for \${CONTAINER_IMG_REG} / \${CONTAINER_IMG_VERSION} (env wins)
  --model-path FILE     new_variant: JSON {"models": ["registry/repo", …]}; on the embedded cluster without
                        --yaml each model gets its own InferenceServerConfig (its --model), so a new
                        model needs a new vLLM instance
  --delete-launchers    before every scale-up, delete the launcher pods no requester is bound to (and
                        their sleeping instances), so every actuation needs a new launcher; a launcher
                        populator that keeps launchers on the node recreates them (then: warm)
  --cleanup / --no-cleanup  delete what the run created (default: cleanup)
  --out DIR             output folder (default out/bench-<scenario>)
  --kubeconfig PATH     a real cluster (default: the embedded one)
  --timeout S           give up waiting for one scale step after S wall seconds (default 600)
${WATCH_RETRY_USAGE}
Embedded cluster: --profile NAME (default 8b-h100) --seed N (1) --time-scale X (1000)
                  --nodes N (1) --gpus-per-node N (8) --launchers-per-node N (0) --max-instances N (4)`;

interface Template { text: string; source: string }

function render(t: Template, vars: Record<string, string>): KubeObject {
  const text = t.text.replace(/\$\{([A-Z_]+)\}/g, (m, k: string) => vars[k] ?? m);
  let obj: unknown;
  try { obj = parseYamlText(text, { logLevel: "error" }); } catch (err) { throw new InputError({ source: t.source }, `a YAML requester template (${(err as Error).message})`); }
  if (typeof obj !== "object" || obj === null || !("kind" in obj)) throw new InputError({ source: t.source, path: "kind" }, "a Deployment or ReplicaSet manifest");
  return obj as KubeObject;
}

export const command: Command = {
  name: "bench",
  summary: "actuation benchmarks: the nop FMA iteration and the dual-pods tool's scenarios (hit rates, per-path timings)",
  usage,
  async run(argv) {
    const { values } = parseCommandArgs(argv, {
      scenario: { type: "string" }, iterations: { type: "string" }, "max-replicas": { type: "string" }, namespace: { type: "string" },
      deployment: { type: "string" }, yaml: { type: "string" }, image: { type: "string" }, tag: { type: "string" }, "model-path": { type: "string" },
      cleanup: { type: "boolean" }, "no-cleanup": { type: "boolean" }, "delete-launchers": { type: "boolean" }, out: { type: "string" }, kubeconfig: { type: "string" }, timeout: { type: "string" },
      profile: { type: "string" }, seed: { type: "string" }, "time-scale": { type: "string" }, nodes: { type: "string" }, "gpus-per-node": { type: "string" }, "launchers-per-node": { type: "string" }, "max-instances": { type: "string" },
      ...WATCH_RETRY_FLAGS,
    }, false);
    const watchRetry = watchRetryOptions(values); // read here: flag errors before any cluster starts
    const scenario = values.scenario ?? "nop";
    if (!["nop", "baseline", "scaling", "new_variant"].includes(scenario)) throw new UsageError(`--scenario expects nop, baseline, scaling or new_variant, got '${scenario}'`);
    const iterations = numberOption(values.iterations, "iterations", 3, 1, 100_000);
    const maxReplicas = numberOption(values["max-replicas"], "max-replicas", scenario === "nop" ? 1 : 2, 1, 10_000);
    const timeoutMs = numberOption(values.timeout, "timeout", 600, 1, 86_400) * 1000;
    const cleanup = values["no-cleanup"] ? false : values.cleanup ?? true;
    const out = values.out ?? join("out", `bench-${scenario}`);
    if (scenario === "new_variant" && !values["model-path"]) throw new UsageError("--scenario new_variant needs --model-path FILE");
    const profile = values.profile ?? "8b-h100";
    if (!listProfiles().includes(profile)) throw new UsageError(`--profile expects one of ${listProfiles().join(", ")}, got '${profile}'`);
    const template: Template | null = values.yaml ? (() => {
      try { return { text: readFileSync(values.yaml!, "utf8"), source: values.yaml! }; } catch { throw new InputError({ source: values.yaml! }, "a readable requester template file"); }
    })() : null;
    let models: string[] = [];
    if (values["model-path"]) {
      const src = values["model-path"];
      let v: { models?: unknown };
      try { v = JSON.parse(readFileSync(src, "utf8")); } catch (err) { throw new InputError({ source: src }, `JSON {"models": ["registry/repo", …]} (${(err as Error).message})`); }
      if (!Array.isArray(v.models) || !v.models.every((m) => typeof m === "string" && m.includes("/"))) throw new InputError({ source: src, path: "models" }, 'a list of "registry/repo" strings');
      models = v.models as string[];
    }

    let cluster: RunningCluster | null = null;
    let kc: KubeConfig;
    if (values.kubeconfig) kc = await loadKubeConfig(values.kubeconfig);
    else {
      cluster = await startCluster({
        profile, seed: numberOption(values.seed, "seed", 1), timeScale: numberOption(values["time-scale"], "time-scale", 1000, 1e-3, 1e7),
        nodes: numberOption(values.nodes, "nodes", 1, 1, 1000), gpusPerNode: numberOption(values["gpus-per-node"], "gpus-per-node", 8, 1, 64),
        launchersPerNode: numberOption(values["launchers-per-node"], "launchers-per-node", 0, 0, 64),
        maxInstances: numberOption(values["max-instances"], "max-instances", 4, 1, 64),
      });
      kc = cluster.kubeConfig;
      process.stderr.write(`embedded cluster ${cluster.url} (profile ${profile}, time scale ${values["time-scale"] ?? 1000}); kubeconfig ${cluster.kubeconfigPath}\n`);
    }
    const namespace = values.namespace ?? contextNamespace(kc);
    const vars = (name: string, model?: string): Record<string, string> => ({
      REPLICASET_NAME: name,
      MODEL_REGISTRY: model?.split("/")[0] ?? "meta-llama",
      MODEL_REPO: model?.split("/").slice(1).join("/") ?? "Llama-3.1-8B-Instruct",
      CONTAINER_IMG_REG: process.env.CONTAINER_IMG_REG ?? values.image ?? "ghcr.io/llm-d-incubation/llm-d-fast-model-actuation",
      CONTAINER_IMG_VERSION: process.env.CONTAINER_IMG_VERSION ?? values.tag ?? "v0.6.4",
    });
    const createdIscs: string[] = [];
    /**
     * new_variant on the embedded cluster: an InferenceServerConfig for `model` (the default one's
     * with `--model` replaced). The instance id hashes the ISC's modelServerConfig, so a shared ISC
     * would make every "new" model wake the previous model's sleeper (hot).
     */
    const iscFor = async (model: string): Promise<string> => {
      const name = `variant-${model.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")}`.slice(0, 63).replace(/-+$/, "");
      const collection = `/apis/fma.llm-d.ai/v1alpha1/namespaces/${namespace}/inferenceserverconfigs`;
      if (await getObject(kc, `${collection}/${name}`)) return name;
      const base = await getObject(kc, `/apis/fma.llm-d.ai/v1alpha1/namespaces/${cluster!.model.namespace}/inferenceserverconfigs/default`);
      const spec = structuredClone(base?.spec) as { modelServerConfig?: { options?: string } } | undefined;
      if (!spec?.modelServerConfig) throw new InputError({ source: "inferenceserverconfigs/default" }, "the embedded cluster's default InferenceServerConfig");
      const options = spec.modelServerConfig.options ?? "";
      spec.modelServerConfig.options = /--model \S+/.test(options) ? options.replace(/--model \S+/, `--model ${model}`) : `--model ${model} ${options}`.trim();
      await createObject(kc, collection, { apiVersion: "fma.llm-d.ai/v1alpha1", kind: "InferenceServerConfig", metadata: { name, namespace }, spec });
      createdIscs.push(`${collection}/${name}`);
      return name;
    };
    /** A requester workload named `name`: from the template, else the embedded cluster's default requester Deployment. */
    const manifest = async (name: string, model?: string): Promise<KubeObject> => {
      if (template) return render(template, vars(name, model));
      if (!cluster) throw new UsageError("--yaml FILE is needed against a real cluster (the requester template)");
      const d = cluster.model.requesterDeployment(name, model ? { isc: await iscFor(model) } : {}) as unknown as KubeObject;
      if (model) { d.metadata!.labels = { ...d.metadata!.labels, "actlab.model": model.replace(/[^A-Za-z0-9.-]/g, "-") }; }
      return d;
    };
    const deleteLaunchers = values["delete-launchers"] ?? false;
    /** Deletes the unbound launcher pods of the namespace and waits until they are gone, so the DPC cannot pick one. */
    const deleteUnboundLaunchers = async () => {
      const pods = `/api/v1/namespaces/${namespace}/pods`;
      const names = (await listObjects(kc, pods, `${FMA_KEYS.component}=launcher`)).filter((p) => p.metadata?.labels?.[FMA_KEYS.dual] === undefined).map((p) => p.metadata!.name!);
      for (const n of names) await deleteObject(kc, `${pods}/${n}`);
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const left = new Set((await listObjects(kc, pods, `${FMA_KEYS.component}=launcher`)).map((p) => p.metadata!.name!));
        if (!names.some((n) => left.has(n))) return;
        if (performance.now() > deadline) throw new InputError({ source: `${pods}?labelSelector=${FMA_KEYS.component}=launcher` }, `the deleted launchers ${names.join(", ")} gone within ${timeoutMs / 1000} s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const kindOf = (m: KubeObject) => (m.kind === "ReplicaSet" ? "replicasets" : "deployments") as "deployments" | "replicasets";
    const created: string[] = [];
    const ensure = async (m: KubeObject) => {
      m.metadata = { ...m.metadata, namespace };
      const kind = kindOf(m);
      const path = `/apis/apps/v1/namespaces/${namespace}/${kind}`;
      if (!(await getDeployment(kc, namespace, m.metadata.name!, kind))) {
        await createObject(kc, path, m);
        created.push(`${path}/${m.metadata.name}`);
      }
      return kind;
    };

    let writer: RunWriter;
    try {
      writer = new RunWriter(out, { scenario, server: kc.getCurrentCluster()?.server ?? "", namespace });
    } catch (err) {
      // The embedded cluster's timers would keep the process alive forever: stop it before failing.
      await cluster?.stop();
      throw err;
    }
    const ac = new AbortController();
    const onSigint = () => { process.stderr.write("\ninterrupted: writing what was measured so far\n"); ac.abort(); };
    process.once("SIGINT", onSigint);
    const all: Actuation[] = [];
    const runs: DualPodsRun[] = [];
    const nopScenario = { deploy_methods: "fma", load_format: "auto", sleep_mode: true, max_instances: numberOption(values["max-instances"], "max-instances", 4, 1, 64), model: { name: cluster ? cluster.model.profile.model.name : "unknown" } };
    const extra = { scenario, iterations, maxReplicas, namespace, nopScenario, ...(deleteLaunchers ? { deleteLaunchers } : {}) };
    // Plan: one or more runs of the runner, each on one workload.
    type Plan = { name: string; model?: string; iterations: number; replicas: number; scaleDownTo?: (it: number) => number; hitIteration?: number; label: string };
    const unix = Math.floor(Date.now() / 1000);
    const plans: Plan[] = [];
    if (scenario === "nop") plans.push({ name: values.deployment ?? "fma-requester", iterations, replicas: maxReplicas, label: "nop" });
    if (scenario === "baseline") for (let i = 0; i < iterations; i++) plans.push({ name: `my-request-${i}-${unix}`, iterations: 1, replicas: maxReplicas, label: "baseline" });
    if (scenario === "scaling") for (let i = 0; i < iterations; i++) plans.push({ name: `scale-request-${i}-${unix}`, iterations: 2, replicas: maxReplicas, scaleDownTo: (it) => (it === 1 ? 1 : 0), hitIteration: 2, label: "scaling" });
    if (scenario === "new_variant") for (const m of models) for (let i = 0; i < iterations; i++) plans.push({ name: `model-request-${i}-${unix}-${models.indexOf(m)}`, model: m, iterations: 1, replicas: maxReplicas, label: `variant-${m.replace("/", "-")}` });
    const progress = new Progress({ label: `bench ${scenario}`, total: plans.reduce((s, p) => s + p.iterations, 0) });
    let iterBase = 0;
    let status = 0;
    const record: { iterations: Record<string, number>; metricDeltas: Record<string, Record<string, number>> } = { iterations: {}, metricDeltas: {} };
    try {
      for (const plan of plans) {
        if (ac.signal.aborted) break;
        const kind = await ensure(await manifest(plan.name, plan.model));
        const base = iterBase;
        await runNopIterations({
          kubeConfig: kc, namespace, deployment: plan.name, workload: kind, iterations: plan.iterations, replicas: plan.replicas, scaleDownTo: plan.scaleDownTo,
          timeoutMs, signal: ac.signal, watch: watchRetry,
          beforeIteration: deleteLaunchers ? deleteUnboundLaunchers : undefined,
          onEvent: (e) => writer.event(e),
          onEvidence: (c) => writer.evidence(c),
          onIteration: (it, acts, rec) => {
            for (const a of acts) a.iteration = base + it;
            for (const [uid, i] of Object.entries(rec.iterations)) record.iterations[uid] = base + i;
            for (const [i, d] of Object.entries(rec.metricDeltas)) record.metricDeltas[String(base + Number(i))] = d;
            all.push(...acts);
            writer.iteration(acts, record as Parameters<RunWriter["iteration"]>[1], extra);
            writeAnalysis(out, all, { scenario: nopScenario });
            const counted = plan.hitIteration === undefined || it === plan.hitIteration;
            if (counted) runs.push({ label: plan.label, phase: plan.hitIteration === undefined ? "up" : "up_again", actuations: acts });
            const r = acts.map((a) => a.path).join(",");
            progress.tick(1, r);
          },
        });
        iterBase += plan.iterations;
        if (cleanup && plan.name !== values.deployment) {
          const path = `/apis/apps/v1/namespaces/${namespace}/${kind}/${plan.name}`;
          if (created.includes(path)) await deleteObject(kc, path);
        }
      }
      if (cleanup) for (const path of createdIscs) await deleteObject(kc, path);
    } catch (err) {
      status = 1;
      try { writer.close("error", (err as Error).message); } catch { /* the first error is the one to report */ }
      throw err;
    } finally {
      process.removeListener("SIGINT", onSigint);
      writer.close(ac.signal.aborted ? "aborted" : "completed");
      progress.finish();
      // Final outputs from the recorded run (what `actlab classify` recomputes offline).
      try {
        const run = readRunDir(out);
        const final = analyzeRun(run);
        // The recorded run also gives upstream's vllm_metrics, pod-IP endpoints, engines and model name.
        writeAnalysis(out, final.actuations, nopOptionsFor(run, nopScenario, final));
        const legacy = dualPodsSummary(runs);
        writeFileAtomic(join(out, "dual_pods_summary.json"), JSON.stringify(legacy, null, 2) + "\n");
        if (status === 0) {
          const s = summarizeActuations(final.actuations);
          const pct = (x: number | null) => (x === null ? "n/a" : `${(100 * x).toFixed(1)}%`);
          process.stdout.write(`${s.total} actuations (${s.unknown} unknown): hot ${s.hot} (${pct(s.hot_hit_rate)}), warm ${s.warm} (${pct(s.warm_hit_rate)}), cold_launcher ${s.cold_launcher} (${pct(s.cold_launcher_hit_rate)}), cold ${s.cold}; rates over classified actuations\n`);
          for (const t of ["t_wake", "t_instance_create", "t_cold_launcher", "T_actuation"] as const) {
            const d = s.distributions[t];
            if (d.count) process.stdout.write(`  ${t.padEnd(18)} n=${d.count} p50 ${d.p50.toFixed(3)} s  p90 ${d.p90.toFixed(3)} s  p99 ${d.p99.toFixed(3)} s\n`);
          }
          if (scenario !== "nop") process.stdout.write(`dual-pods summary: runs ${legacy.total_runs}, hits ${legacy.hits}/${legacy.total_hit_runs} (${legacy.hit_percent}%), startup min/max/avg/median ${legacy.rq_min}/${legacy.rq_max}/${legacy.rq_avg}/${legacy.rq_median} s\n`);
          process.stdout.write(`wrote ${out}/{result.yaml, benchmark_report.yaml, actuations.json, actuations.csv, summary.json, events.jsonl, evidence.jsonl, run.json}\n`);
        }
      } finally {
        await cluster?.stop();
      }
    }
    return status;
  },
};
