/**
 * The nop FMA iteration, as llm-d-benchmark runs it (fma.md §2.2), against any cluster: scale the
 * requester Deployment 0→N, wait until every new requester is Ready and carries the `dual` label,
 * scale back to 0, wait until they are gone, repeat. One watch (all pods of the namespace, through
 * `watchPods`) sees everything; `fma_actuation_seconds` is scraped around each iteration; after each
 * iteration the DPC log and the bound providers' logs are read and that iteration is classified
 * (incrementally, at a cost flat over the run: actuation/incremental-analysis.ts), so partial
 * results exist as the run goes. Everything the analysis needs is kept in `RunRecord`
 * (and written to disk by the CLI as it arrives), so `analyzeRun` re-runs it offline. It drives a
 * cluster through kube/ and classifies through actuation/, so it sits above both (sdk/bench/).
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { InputError } from "../core/errors.js";
import { actuationCounts, countsDelta, parseActuationMetric } from "../actuation/evidence.js";
import { analyzeRun } from "../actuation/analyze.js";
import { IncrementalRunAnalysis } from "../actuation/incremental-analysis.js";
import type { Actuation } from "../actuation/classify.js";
import { FMA_KEYS, podRole } from "../actuation/fma-keys.js";
import type { ActuationPath } from "../actuation/path.js";
import { getDeployment, readMetricsText, readPodLog, scaleDeployment, type Workload } from "../kube/api-calls.js";
import { LifecycleReducer, type PodLifecycle } from "../kube/lifecycle.js";
import { watchPods, type WatchPodsOptions, type WatchStats } from "../kube/watch.js";
import type { WatchEvent } from "../kube/types.js";

export interface RunRecord {
  events: WatchEvent[];
  evidence: { source: string; text: string }[];
  iterations: Record<string, number>;
  metricDeltas: Record<string, Record<ActuationPath, number>>;
}

export interface NopRunOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  deployment: string;
  /** The workload kind scaled (default deployments; the dual-pods tool uses replicasets). */
  workload?: Workload;
  iterations: number;
  /** Requesters per scale-up (0→N; default 1). */
  replicas?: number;
  /** Give up on one wait after this many wall ms (default 600,000). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with every event as it arrives (e.g. to append it to an event log). */
  onEvent?: (e: WatchEvent) => void;
  /** Called with each evidence chunk as it is read. */
  onEvidence?: (chunk: { source: string; text: string }) => void;
  /** Called after each iteration with that iteration's actuations and the record so far. */
  onIteration?: (iteration: number, actuations: Actuation[], record: RunRecord) => void | Promise<void>;
  /** Called before each scale-up (scenario hooks, e.g. occupying GPUs). */
  beforeIteration?: (iteration: number) => void | Promise<void>;
  /** Scale to this many in the second phase instead of 0 (the dual-pods tool's `scaling`: N→1→N). */
  scaleDownTo?: number | ((iteration: number) => number);
  evidence?: { dpc?: boolean; vllm?: boolean; metrics?: boolean };
  watch?: Partial<Omit<WatchPodsOptions, "kubeConfig" | "namespace" | "signal">>;
}

export interface NopRunResult {
  record: RunRecord;
  actuations: Actuation[];
  lifecycles: PodLifecycle[];
  /** The watch's resumes, relists, retries, dropped duplicates. */
  watchStats: WatchStats;
}

/**
 * Runs the iterations; resolves with everything seen. An interrupted run (signal) resolves with what it has.
 *
 * @example
 * ```ts
 * const res = await runNopIterations({ kubeConfig: cluster.kubeConfig, namespace: "default", deployment: "req", iterations: 3 });
 * console.log(hitRates(res.actuations));
 * ```
 */
export async function runNopIterations(o: NopRunOptions): Promise<NopRunResult> {
  const { kubeConfig: kc, namespace } = o;
  const kind = o.workload ?? "deployments";
  const dep = await getDeployment(kc, namespace, o.deployment, kind);
  if (!dep) throw new InputError({ source: `${kind}/${namespace}/${o.deployment}` }, `an existing requester ${kind === "deployments" ? "Deployment" : "ReplicaSet"}`);
  const matchLabels = ((dep.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels) ?? {};
  const isMine = (p: PodLifecycle) => Object.entries(matchLabels).every(([k, v]) => p.labels[k] === v || p.firstSeen.labels[k] === v) && podRole(p.labels, p.annotations) === "requester";
  const record: RunRecord = { events: [], evidence: [], iterations: {}, metricDeltas: {} };
  // Each iteration's actuations as analyzeRun(record) gives them, without re-reading the whole run.
  const analysis = new IncrementalRunAnalysis(record);
  const reducer = new LifecycleReducer({ labels: [...Object.keys(matchLabels), FMA_KEYS.dual, FMA_KEYS.sleeping, FMA_KEYS.instance] });
  const ac = new AbortController();
  const stopAll = () => ac.abort();
  o.signal?.addEventListener("abort", stopAll, { once: true });
  const waker: { fn: (() => void) | null } = { fn: null };
  let watchError: unknown = null;
  let ready = false;
  const stream = watchPods({ kubeConfig: kc, namespace, signal: ac.signal, ...o.watch, onStatus: (s) => { if (s.kind === "watching") { ready = true; waker.fn?.(); } o.watch?.onStatus?.(s); } });
  const pump = (async () => {
    try {
      for await (const e of stream) {
        record.events.push(e);
        analysis.addEvent(e);
        reducer.add(e);
        o.onEvent?.(e);
        waker.fn?.();
      }
    } catch (err) {
      watchError = err;
      waker.fn?.();
    }
  })();
  const until = async (what: string, cond: () => boolean) => {
    const deadline = performance.now() + (o.timeoutMs ?? 600_000);
    while (!cond()) {
      if (watchError) throw watchError;
      if (ac.signal.aborted) return false;
      if (performance.now() > deadline) throw new InputError({ source: `${kind}/${namespace}/${o.deployment}` }, `${what} within ${(o.timeoutMs ?? 600_000) / 1000} s`);
      await new Promise<void>((resolve) => { waker.fn = resolve; setTimeout(resolve, 200); });
      waker.fn = null;
    }
    return true;
  };
  const metricCounts = async () => {
    if (o.evidence?.metrics === false) return null;
    try { return actuationCounts(parseActuationMetric(await readMetricsText(kc), "metrics"), namespace); } catch { return null; }
  };
  const readLogs = async (requesters: PodLifecycle[]) => {
    const since = Math.min(...requesters.map((r) => r.phases.created.server ?? Infinity)) - 1000;
    const sinceTime = Number.isFinite(since) ? new Date(since).toISOString() : undefined;
    const chunks: { source: string; text: string }[] = [];
    const read = async (source: string, ns: string, name: string) => {
      try {
        const text = await readPodLogSince(kc, ns, name, sinceTime);
        chunks.push({ source, text });
      } catch { /* missing evidence: the classifier falls back */ }
    };
    if (o.evidence?.dpc !== false) {
      const dpc = reducer.lifecycles().find((p) => p.labels[FMA_KEYS.component] === "dual-pods-controller" && p.phases.deleted.receivedWall === null);
      if (dpc) await read(`dpc:${dpc.namespace}/${dpc.name}`, dpc.namespace, dpc.name);
    }
    if (o.evidence?.vllm !== false) {
      const names = new Set(requesters.map((r) => r.labels[FMA_KEYS.dual] ?? [...r.changes].reverse().find((c) => c.key === FMA_KEYS.dual && c.value)?.value).filter((x): x is string => !!x));
      for (const n of [...names].sort()) await read(`pod:${namespace}/${n}`, namespace, n);
    }
    return chunks;
  };

  const actuations: Actuation[] = [];
  try {
    await until("the watch to start", () => ready);
    const seen = new Set<string>(reducer.lifecycles().filter(isMine).map((p) => p.uid));
    for (let it = 1; it <= o.iterations && !ac.signal.aborted; it++) {
      await o.beforeIteration?.(it);
      const before = await metricCounts();
      const n = o.replicas ?? 1;
      // Requesters still up from the previous iteration (scaleDownTo > 0) count toward n.
      const staying = reducer.lifecycles().filter((p) => isMine(p) && p.phases.deleted.receivedWall === null).length;
      const need = Math.max(0, n - staying);
      await scaleDeployment(kc, namespace, o.deployment, n, kind);
      const mine = () => reducer.lifecycles().filter((p) => isMine(p) && !seen.has(p.uid));
      const upDone = await until(`${need} new requester(s) Ready with the dual label`, () => {
        const live = mine().filter((p) => p.phases.deleted.receivedWall === null);
        return live.length >= need && live.every((p) => p.phases.ready.server !== null && p.labels[FMA_KEYS.dual] !== undefined);
      });
      const reqs = mine();
      for (const r of reqs) { record.iterations[r.uid] = it; seen.add(r.uid); }
      const down = typeof o.scaleDownTo === "function" ? o.scaleDownTo(it) : o.scaleDownTo ?? 0;
      if (upDone) {
        await scaleDeployment(kc, namespace, o.deployment, down, kind);
        // Wait for the pods scaled away to be gone (their providers are asleep by then).
        await until("the scaled-down requesters to be deleted", () => reducer.lifecycles().filter((p) => isMine(p) && p.phases.deleted.receivedWall === null).length <= down);
      }
      const after = await metricCounts();
      if (before && after) record.metricDeltas[String(it)] = countsDelta(before, after);
      const chunks = await readLogs(reqs);
      for (const c of chunks) { record.evidence.push(c); analysis.addEvidence(c); o.onEvidence?.(c); }
      const mineNow = analysis.actuationsOf(it);
      actuations.push(...mineNow);
      await o.onIteration?.(it, mineNow, record);
      // Pods that stay up (scaleDownTo > 0) belong to this iteration and are not counted again.
      for (const p of reducer.lifecycles()) if (isMine(p)) seen.add(p.uid);
    }
  } finally {
    ac.abort();
    o.signal?.removeEventListener("abort", stopAll);
    await pump;
  }
  const final = analyzeRun({ events: record.events, evidence: record.evidence, iterations: record.iterations, metricDeltas: record.metricDeltas });
  return { record, actuations: final.actuations, lifecycles: final.lifecycles, watchStats: { ...stream.stats } };
}

async function readPodLogSince(kc: KubeConfig, namespace: string, pod: string, sinceTime?: string): Promise<string> {
  return readPodLog(kc, namespace, pod, undefined, sinceTime);
}
