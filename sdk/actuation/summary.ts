/**
 * Hit rates, counts and timing distributions per iteration and per run (pure).
 *
 * Rates use llm-d-benchmark's field names (`hot_hit_rate`, `warm_hit_rate`,
 * `cold_launcher_hit_rate`, plus `cold_hit_rate` for direct/no-FMA cold). Denominator: the
 * classified actuations (path ≠ unknown) of the iteration or run — the nop harness's per-iteration
 * rule (launcher_infos of the iteration); `unknown` ones are counted separately and never folded
 * into a path. (The nop analysis footer divides by the number of iterations instead; with one
 * actuation per iteration the two agree.) Distributions: count/mean/min/max/p50/p90/p99 with linear
 * interpolation (NumPy's default), over the best available value of each timing.
 */
import { describe, type Distribution } from "../core/quantile.js";
import { groupByIteration, type Actuation } from "./classify.js";
import type { ActuationPath } from "./path.js";

export interface HitRates {
  total: number;
  classified: number;
  unknown: number;
  hot: number;
  warm: number;
  cold_launcher: number;
  cold: number;
  /** Each rate is null when no actuation was classified: a rate over nothing is undefined, not 0. */
  hot_hit_rate: number | null;
  warm_hit_rate: number | null;
  cold_launcher_hit_rate: number | null;
  cold_hit_rate: number | null;
  /** What the rates divide by. */
  denominator: "classified_actuations";
}

/**
 * Counts of actuations per path and the hit rates over the classified ones (null when none was classified).
 *
 * @example
 * ```ts
 * const { actuations } = analyzeRun(readRunDir("datasets/event-logs/hot-8b-h100"));
 * const r = hitRates(actuations); // r.hot_hit_rate, r.classified, r.unknown
 * ```
 */
export function hitRates(acts: readonly Actuation[]): HitRates {
  const n: Record<ActuationPath, number> = { hot: 0, warm: 0, cold_launcher: 0, cold: 0 };
  let unknown = 0;
  for (const a of acts) if (a.path === "unknown") unknown++; else n[a.path]++;
  const classified = acts.length - unknown;
  const rate = (k: number) => (classified > 0 ? k / classified : null);
  return {
    total: acts.length, classified, unknown, ...n,
    hot_hit_rate: rate(n.hot), warm_hit_rate: rate(n.warm), cold_launcher_hit_rate: rate(n.cold_launcher), cold_hit_rate: rate(n.cold),
    denominator: "classified_actuations",
  };
}

export const TIMINGS = ["t_wake", "t_instance_create", "t_cold_launcher", "T_actuation", "TTRD"] as const;
export type TimingName = (typeof TIMINGS)[number];

export interface IterationSummary extends HitRates {
  iteration: number;
}

export interface RunSummary extends HitRates {
  iterations: IterationSummary[];
  /** Seconds; the best value per actuation (tight when the DPC log had it). */
  distributions: Record<TimingName, Distribution>;
  /** How many actuations' timings came from each source. */
  timing_sources: Record<string, number>;
  quantile_method: "linear";
}

/**
 * Hit rates overall and per iteration plus the timing distributions (t_wake, t_instance_create, …) of a run's actuations.
 *
 * @example
 * ```ts
 * const s = summarizeActuations(analyzeRun(readRunDir("datasets/event-logs/hot-8b-h100")).actuations);
 * console.log(s.hot_hit_rate, s.distributions.t_wake.p50);
 * ```
 */
export function summarizeActuations(acts: readonly Actuation[]): RunSummary {
  const { byIteration, its } = groupByIteration(acts);
  const iterations = its.map((it) => ({ iteration: it, ...hitRates(byIteration.get(it)!) }));
  const distributions = Object.fromEntries(TIMINGS.map((t) => [t, describe(acts.map((a) => a[t]))])) as Record<TimingName, Distribution>;
  const timing_sources: Record<string, number> = {};
  for (const a of acts) timing_sources[a.timing_source] = (timing_sources[a.timing_source] ?? 0) + 1;
  return { ...hitRates(acts), iterations, distributions, timing_sources, quantile_method: "linear" };
}
