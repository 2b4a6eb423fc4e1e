/**
 * Pod start-up latencies under the names and percentile methods of the two upstream tools, so a
 * number from here can be put next to theirs (docs/kube-metrics.md):
 *
 * - kube-burner `podLatency`: per pod, integer ms from `creationTimestamp` to each condition's
 *   lastTransitionTime (`PodScheduled` prefers the Scheduled Event's µs eventTime, `ContainersStarted`
 *   the latest Started Event, else containers' startedAt); pods never Ready are ignored; negative
 *   latencies clamp to 0 and count as errors. Quantiles `P99, P95, P50, min, max, avg`, integers, with
 *   montanaflynn/stats v0.7.1's percentile (`kube-burner` method in core/quantile).
 * - clusterloader2 `PodStartupLatency`: transitions `create_to_schedule`, `schedule_to_run`,
 *   `run_to_watch`, `schedule_to_watch`, `pod_startup`, `create_to_run` in ms, `Perc50/90/99` with
 *   nearest-rank. Source `watch` (current clusterloader2): every phase is the receive time of the
 *   watch event that first showed it (create = first seen, only for pods created while watching;
 *   run = first Running; watch = run). Source `server` (clusterloader2 before March 2026): create =
 *   creationTimestamp, schedule = Scheduled Event (else condition), run = latest startedAt, watch =
 *   first seen Running (a receive time, so it mixes clocks: use with a local cluster only).
 */
import { quantileSorted } from "../core/quantile.js";
import type { PodLifecycle } from "./lifecycle.js";

export const KUBE_BURNER_QUANTILES = ["PodScheduled", "PodReadyToStartContainers", "Initialized", "ContainersStarted", "ContainersReady", "Ready"] as const;
export type KubeBurnerQuantileName = (typeof KUBE_BURNER_QUANTILES)[number];

/** kube-burner's per-pod document (`podLatencyMeasurement`), latencies in integer ms (null when the phase was not seen). */
export interface PodLatencyMeasurement {
  metricName: "podLatencyMeasurement";
  timestamp: string;
  namespace: string;
  podName: string;
  nodeName: string | null;
  schedulingLatency: number | null;
  readyToStartContainersLatency: number | null;
  initializedLatency: number | null;
  containersStartedLatency: number | null;
  containersReadyLatency: number | null;
  podReadyLatency: number | null;
}

/** kube-burner's quantile document (`podLatencyQuantilesMeasurement`). */
export interface PodLatencyQuantiles {
  metricName: "podLatencyQuantilesMeasurement";
  quantileName: KubeBurnerQuantileName;
  P99: number;
  P95: number;
  P50: number;
  min: number;
  max: number;
  avg: number;
  count: number;
}

export interface KubeBurnerResult {
  pods: PodLatencyMeasurement[];
  quantiles: PodLatencyQuantiles[];
  /** Negative latencies clamped to 0. */
  errors: number;
  /** Pods skipped because they never reached Ready. */
  ignored: number;
}

/**
 * kube-burner-style pod latencies over the lifecycles (pods that reached Ready).
 *
 * @example
 * ```ts
 * const lat = kubeBurnerPodLatency(podLifecycles(events)); // kube-burner's podLatencyQuantiles
 * ```
 */
export function kubeBurnerPodLatency(pods: readonly PodLifecycle[]): KubeBurnerResult {
  let errors = 0;
  let ignored = 0;
  const docs: PodLatencyMeasurement[] = [];
  const lat = (created: number, t: number | null): number | null => {
    if (t === null) return null;
    const v = Math.trunc(t - created);
    if (v < 0) { errors++; return 0; }
    return v;
  };
  for (const p of pods) {
    const created = p.phases.created.server;
    if (created === null || p.phases.ready.server === null) { ignored++; continue; }
    docs.push({
      metricName: "podLatencyMeasurement",
      timestamp: new Date(created).toISOString(),
      namespace: p.namespace,
      podName: p.name,
      nodeName: p.nodeName,
      schedulingLatency: lat(created, p.phases.scheduled.event ?? p.phases.scheduled.server),
      readyToStartContainersLatency: lat(created, p.phases.readyToStartContainers.server),
      initializedLatency: lat(created, p.phases.initialized.server),
      containersStartedLatency: lat(created, p.phases.containersStarted.event ?? p.phases.containersStarted.server),
      containersReadyLatency: lat(created, p.phases.containersReady.server),
      podReadyLatency: lat(created, p.phases.ready.server),
    });
  }
  const field: Record<KubeBurnerQuantileName, keyof PodLatencyMeasurement> = {
    PodScheduled: "schedulingLatency",
    PodReadyToStartContainers: "readyToStartContainersLatency",
    Initialized: "initializedLatency",
    ContainersStarted: "containersStartedLatency",
    ContainersReady: "containersReadyLatency",
    Ready: "podReadyLatency",
  };
  const quantiles: PodLatencyQuantiles[] = [];
  for (const name of KUBE_BURNER_QUANTILES) {
    const vs = Float64Array.from(docs.map((d) => d[field[name]]).filter((v): v is number => typeof v === "number")).sort();
    if (vs.length === 0) continue;
    let sum = 0;
    for (const v of vs) sum += v;
    const q = (p: number) => Math.trunc(quantileSorted(vs, p, "kube-burner"));
    quantiles.push({ metricName: "podLatencyQuantilesMeasurement", quantileName: name, P99: q(0.99), P95: q(0.95), P50: q(0.5), min: vs[0]!, max: vs[vs.length - 1]!, avg: Math.trunc(sum / vs.length), count: vs.length });
  }
  return { pods: docs, quantiles, errors, ignored };
}

export const CL2_TRANSITIONS = ["create_to_schedule", "schedule_to_run", "run_to_watch", "schedule_to_watch", "pod_startup", "create_to_run"] as const;
export type Cl2Transition = (typeof CL2_TRANSITIONS)[number];

/** clusterloader2's perfdata output: `{version, dataItems: [{data: {Perc50, Perc90, Perc99}, unit, labels: {Metric}}]}`. */
export interface PerfData {
  version: "1.0";
  dataItems: { data: { Perc50: number; Perc90: number; Perc99: number }; unit: "ms"; labels: { Metric: Cl2Transition; Count: string } }[];
}

/**
 * Per-pod clusterloader2 transitions (ms) for one source.
 *
 * @example
 * ```ts
 * const t = cl2Transitions(pod); // create→schedule, schedule→run, … in ms
 * ```
 */
export function cl2Transitions(p: PodLifecycle, source: "watch" | "server" = "watch"): Partial<Record<Cl2Transition, number>> {
  let create: number | null, schedule: number | null, run: number | null, watch: number | null;
  if (source === "watch") {
    create = p.createdWhileWatching ? p.phases.created.receivedMono : null;
    schedule = p.phases.scheduled.receivedMono;
    run = p.phases.running.receivedMono;
    watch = run;
  } else {
    create = p.phases.created.server;
    schedule = p.phases.scheduled.event ?? p.phases.scheduled.server;
    run = p.phases.containersStarted.server;
    watch = p.phases.running.receivedWall;
  }
  const out: Partial<Record<Cl2Transition, number>> = {};
  const set = (name: Cl2Transition, a: number | null, b: number | null) => { if (a !== null && b !== null) out[name] = b - a; };
  set("create_to_schedule", create, schedule);
  set("schedule_to_run", schedule, run);
  set("run_to_watch", run, watch);
  set("schedule_to_watch", schedule, watch);
  set("pod_startup", create, watch);
  set("create_to_run", create, run);
  return out;
}

/**
 * clusterloader2-style PodStartupLatency over the lifecycles (nearest-rank percentiles, ms).
 *
 * @example
 * ```ts
 * const perf = cl2PodStartupLatency(podLifecycles(events)); // clusterloader2 PodStartupLatency PerfData
 * ```
 */
export function cl2PodStartupLatency(pods: readonly PodLifecycle[], source: "watch" | "server" = "watch"): PerfData {
  const per = pods.map((p) => cl2Transitions(p, source));
  const dataItems: PerfData["dataItems"] = [];
  for (const name of CL2_TRANSITIONS) {
    const vs = Float64Array.from(per.map((t) => t[name]).filter((v): v is number => v !== undefined)).sort();
    if (vs.length === 0) continue;
    dataItems.push({ data: { Perc50: quantileSorted(vs, 0.5, "nearest-rank"), Perc90: quantileSorted(vs, 0.9, "nearest-rank"), Perc99: quantileSorted(vs, 0.99, "nearest-rank") }, unit: "ms", labels: { Metric: name, Count: String(vs.length) } });
  }
  return { version: "1.0", dataItems };
}
