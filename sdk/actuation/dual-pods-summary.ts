/**
 * The legacy dual-pods benchmark tool's outputs (fma.md §4.4) from classified actuations: per
 * requester `startup_time` (whole seconds, requester creation → Ready from Kubernetes timestamps;
 * the tool measured from its watch start) and `availability_mode` (`Hit` = a sleeping provider was
 * woken, i.e. hot; `Cold` otherwise), and the summary block: runs, hits, hit percent, min/max/avg/
 * median start-up, and the same over hits.
 */
import { quantile } from "../core/quantile.js";
import type { Actuation } from "./classify.js";

export interface DualPodsRun {
  label: string;
  phase: "up" | "up_again";
  actuations: readonly Actuation[];
}

export interface DualPodsResult {
  scenario: string;
  phase: string;
  requester: string;
  provider: string | null;
  startup_time: number | null;
  availability_mode: "Hit" | "Cold" | "Unknown";
  node: string | null;
  accelerator_info: string | null;
  success: boolean;
}

export interface DualPodsSummary {
  total_runs: number;
  successful_runs: number;
  failed_runs: number;
  hits: number;
  total_hit_runs: number;
  hit_percent: number;
  rq_min: number | null;
  rq_max: number | null;
  rq_avg: number | null;
  rq_median: number | null;
  hit_prv_min: number | null;
  hit_prv_max: number | null;
  hit_prv_avg: number | null;
  all_results: DualPodsResult[];
}

/**
 * The dual-pods tool's summary over several benchmark runs (per-run results and the pooled rates).
 *
 * @example
 * ```ts
 * const summary = dualPodsSummary(runs); // the dual-pods tool's all_results and pooled rates
 * ```
 */
export function dualPodsSummary(runs: readonly DualPodsRun[]): DualPodsSummary {
  const all: DualPodsResult[] = [];
  for (const r of runs) for (const a of r.actuations) {
    const t = a.ready_timestamp !== null && a.creation_timestamp !== null ? Math.round(a.ready_timestamp - a.creation_timestamp) : null;
    all.push({ scenario: r.label, phase: r.phase, requester: a.requester, provider: a.provider, startup_time: t, availability_mode: a.path === "unknown" ? "Unknown" : a.path === "hot" ? "Hit" : "Cold", node: a.launcher_node, accelerator_info: a.gpu_uuids, success: a.outcome === "ready" });
  }
  const ok = all.filter((x) => x.success);
  const times = ok.map((x) => x.startup_time).filter((x): x is number => x !== null);
  const hits = ok.filter((x) => x.availability_mode === "Hit");
  const hitTimes = hits.map((x) => x.startup_time).filter((x): x is number => x !== null);
  const round2 = (x: number) => Math.round(x * 100) / 100;
  const mean = (xs: number[]) => (xs.length ? round2(xs.reduce((s, x) => s + x, 0) / xs.length) : null);
  return {
    total_runs: all.length,
    successful_runs: ok.length,
    failed_runs: all.length - ok.length,
    hits: hits.length,
    total_hit_runs: ok.length,
    hit_percent: ok.length ? Math.floor((100 * hits.length) / ok.length) : 0,
    rq_min: times.length ? Math.min(...times) : null,
    rq_max: times.length ? Math.max(...times) : null,
    rq_avg: mean(times),
    rq_median: times.length ? quantile(times, 0.5) : null,
    hit_prv_min: hitTimes.length ? Math.min(...hitTimes) : null,
    hit_prv_max: hitTimes.length ? Math.max(...hitTimes) : null,
    hit_prv_avg: mean(hitTimes),
    all_results: all,
  };
}
