/**
 * A replay's outputs as plain records (arquero-ready): one row per request, a per-interval series
 * and a flat summary. Definitions follow Dynamo's report (dynamo.md §2.5) with these choices, made
 * deliberately: percentiles are linear (the SDK default, named in the summary); `itl*` is the
 * pooled per-token gap distribution (Dynamo's report) and `tpot*` the per-request mean ITL
 * (AIPerf's, and what `drainTraffic` averages); missing values are null.
 */
import { quantileSorted } from "../core/quantile.js";
import type { TraceRequest } from "../trace/types.js";
import type { FleetChange, ReplaySim, Track } from "./simulator.js";

export interface RequestRow {
  request: number;
  sessionId: string | null;
  arrivalMs: number | null;
  /** First admission into a running batch (first stage in disagg). */
  admittedMs: number | null;
  queuedMs: number | null;
  firstTokenMs: number | null;
  finishMs: number | null;
  ttftMs: number | null;
  /** Mean inter-token latency of this request (TPOT), null with fewer than 2 tokens. */
  itlMs: number | null;
  itlMaxMs: number | null;
  /** Percentiles of this request's own inter-token gaps (linear), null with fewer than 2 tokens. */
  itlP50Ms: number | null;
  itlP90Ms: number | null;
  itlP99Ms: number | null;
  e2eMs: number | null;
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens found in the engine's prefix cache at first admission. */
  cachedTokens: number;
  /** Router view at admission: leading cached blocks on the chosen worker / ceil(ISL / block size). */
  overlapBlocks: number;
  islBlocks: number;
  kvHitRate: number | null;
  preemptions: number;
  worker: string | null;
  prefillWorker: string | null;
  transferMs: number;
  completed: boolean;
}

export interface IntervalRow {
  startS: number;
  endS: number;
  /** Requests arriving in the interval, per second. */
  arrivals: number;
  requestRateRps: number;
  avgIsl: number | null;
  avgOsl: number | null;
  /** Requests finishing in the interval. */
  completions: number;
  /** Over requests arriving in the interval. */
  avgTtftMs: number | null;
  p90TtftMs: number | null;
  avgItlMs: number | null;
  kvHitRate: number | null;
  /** Ready workers at the end of the interval (all pools). */
  readyWorkers: number;
}

export interface ReplaySummary {
  mode: string;
  router: string;
  requests: number;
  completed: number;
  durationMs: number;
  requestThroughputRps: number;
  inputTokensPerS: number;
  outputTokensPerS: number;
  ttftMeanMs: number | null;
  ttftP50Ms: number | null;
  ttftP90Ms: number | null;
  ttftP99Ms: number | null;
  ttftMaxMs: number | null;
  itlMeanMs: number | null;
  itlP50Ms: number | null;
  itlP90Ms: number | null;
  itlP99Ms: number | null;
  itlMaxMs: number | null;
  tpotMeanMs: number | null;
  tpotP50Ms: number | null;
  tpotP90Ms: number | null;
  tpotP99Ms: number | null;
  e2eMeanMs: number | null;
  e2eP50Ms: number | null;
  e2eP90Ms: number | null;
  e2eP99Ms: number | null;
  queuedMeanMs: number | null;
  /** Σ cached prompt tokens / Σ input tokens over completed requests (Dynamo's prefix_cache_reused_ratio). */
  prefixCacheReusedRatio: number;
  /** Mean over routed requests of overlap_blocks / isl_blocks (Dynamo's avg_kv_hit_rate definition). */
  avgKvHitRate: number;
  preemptions: number;
  passes: number;
  slaTtftMs: number;
  slaItlMs: number;
  /** Fractions of completed requests meeting the TTFT target, the ITL (TPOT) target, and both. */
  ttftAttainment: number | null;
  itlAttainment: number | null;
  slaAttainment: number | null;
  percentileMethod: "linear";
}

const nn = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * One row per request of a replay (arrival, TTFT, ITL, E2E, worker, KV reuse).
 *
 * @example
 * ```ts
 * const rows = replayTrace(requests, { workers: 4 }).requests; // what requestRows makes: one row per request
 * ```
 */
export function requestRows(requests: readonly TraceRequest[], tracks: readonly (Track | undefined)[]): RequestRow[] {
  return requests.map((r, i) => {
    const t = tracks[i];
    if (!t) {
      return {
        request: i, sessionId: r.session_id ?? null, arrivalMs: null, admittedMs: null, queuedMs: null, firstTokenMs: null, finishMs: null,
        ttftMs: null, itlMs: null, itlMaxMs: null, itlP50Ms: null, itlP90Ms: null, itlP99Ms: null, e2eMs: null, inputTokens: r.input_length, outputTokens: 0, cachedTokens: 0,
        overlapBlocks: 0, islBlocks: 0, kvHitRate: null, preemptions: 0, worker: null, prefillWorker: null, transferMs: 0, completed: false,
      };
    }
    const done = Number.isFinite(t.finishMs);
    return {
      request: i,
      sessionId: r.session_id ?? null,
      arrivalMs: t.arrivalMs,
      admittedMs: nn(t.admittedMs),
      queuedMs: nn(t.admittedMs - t.arrivalMs),
      firstTokenMs: nn(t.firstTokenMs),
      finishMs: nn(t.finishMs),
      ttftMs: nn(t.firstTokenMs - t.arrivalMs),
      itlMs: done && t.generated > 1 ? t.itlSum / (t.generated - 1) : null,
      itlMaxMs: done && t.generated > 1 ? t.itlMax : null,
      itlP50Ms: done ? nn(t.itlQ[0]!) : null,
      itlP90Ms: done ? nn(t.itlQ[1]!) : null,
      itlP99Ms: done ? nn(t.itlQ[2]!) : null,
      e2eMs: nn(t.finishMs - t.arrivalMs),
      inputTokens: r.input_length,
      outputTokens: t.generated,
      cachedTokens: t.cachedTokens,
      overlapBlocks: t.overlapBlocks,
      islBlocks: t.islBlocks,
      kvHitRate: t.islBlocks > 0 ? t.overlapBlocks / t.islBlocks : null,
      preemptions: t.preemptions,
      worker: t.worker,
      prefillWorker: t.prefillWorker,
      transferMs: t.transferMs,
      completed: done,
    };
  });
}

function stats(values: number[]): { mean: number | null; p50: number | null; p90: number | null; p99: number | null; max: number | null } {
  if (values.length === 0) return { mean: null, p50: null, p90: null, p99: null, max: null };
  const s = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += s[i]!;
  return { mean: sum / s.length, p50: quantileSorted(s, 0.5), p90: quantileSorted(s, 0.9), p99: quantileSorted(s, 0.99), max: s[s.length - 1]! };
}

/**
 * The summary of a replay: completions, throughput, TTFT/ITL/TPOT/E2E percentiles, prefix reuse and SLA attainment.
 *
 * @example
 * ```ts
 * const s = replayTrace(requests, { workers: 4 }).summary; // what summarize makes
 * ```
 */
export function summarize(sim: ReplaySim, rows: readonly RequestRow[], passes: number): ReplaySummary {
  const done = rows.filter((r) => r.completed);
  let duration = 0;
  let inTok = 0;
  let outTok = 0;
  let cached = 0;
  for (const r of done) {
    duration = Math.max(duration, r.finishMs!);
    inTok += r.inputTokens;
    outTok += r.outputTokens;
    cached += r.cachedTokens;
  }
  let hit = 0;
  let hitN = 0;
  for (const r of rows) if (r.kvHitRate !== null && r.arrivalMs !== null) { hit += r.kvHitRate; hitN++; }
  const ttft = stats(done.map((r) => r.ttftMs!));
  const tpot = stats(done.filter((r) => r.itlMs !== null).map((r) => r.itlMs!));
  const e2e = stats(done.map((r) => r.e2eMs!));
  const queued = stats(done.map((r) => r.queuedMs).filter((v): v is number => v !== null));
  const g = sim.gaps.describe([0.5, 0.9, 0.99]);
  const slaTtft = sim.options.sla?.ttftMs ?? 500;
  const slaItl = sim.options.sla?.itlMs ?? 50;
  const okT = done.filter((r) => r.ttftMs! <= slaTtft).length;
  const okI = done.filter((r) => r.itlMs === null || r.itlMs <= slaItl).length;
  const okB = done.filter((r) => r.ttftMs! <= slaTtft && (r.itlMs === null || r.itlMs <= slaItl)).length;
  const sec = duration / 1000;
  const n = done.length;
  return {
    mode: sim.mode,
    router: sim.options.router ?? "round-robin",
    requests: rows.length,
    completed: n,
    durationMs: duration,
    requestThroughputRps: sec > 0 ? n / sec : 0,
    inputTokensPerS: sec > 0 ? inTok / sec : 0,
    outputTokensPerS: sec > 0 ? outTok / sec : 0,
    ttftMeanMs: ttft.mean, ttftP50Ms: ttft.p50, ttftP90Ms: ttft.p90, ttftP99Ms: ttft.p99, ttftMaxMs: ttft.max,
    itlMeanMs: nn(g.mean), itlP50Ms: nn(g.quantiles[0]!), itlP90Ms: nn(g.quantiles[1]!), itlP99Ms: nn(g.quantiles[2]!), itlMaxMs: nn(g.max),
    tpotMeanMs: tpot.mean, tpotP50Ms: tpot.p50, tpotP90Ms: tpot.p90, tpotP99Ms: tpot.p99,
    e2eMeanMs: e2e.mean, e2eP50Ms: e2e.p50, e2eP90Ms: e2e.p90, e2eP99Ms: e2e.p99,
    queuedMeanMs: queued.mean,
    prefixCacheReusedRatio: inTok > 0 ? cached / inTok : 0,
    avgKvHitRate: hitN > 0 ? hit / hitN : 0,
    preemptions: rows.reduce((s, r) => s + r.preemptions, 0),
    passes,
    slaTtftMs: slaTtft,
    slaItlMs: slaItl,
    ttftAttainment: n > 0 ? okT / n : null,
    itlAttainment: n > 0 ? okI / n : null,
    slaAttainment: n > 0 ? okB / n : null,
    percentileMethod: "linear",
  };
}

/**
 * Per-interval rows of a replay (arrivals, completions, latency, fleet size) for time-series plots.
 *
 * @example
 * ```ts
 * const rows = replayTrace(requests, { workers: 4 }).intervals; // what intervalRows makes: per-interval load and latency
 * ```
 */
export function intervalRows(rows: readonly RequestRow[], changes: readonly FleetChange[], intervalS: number): IntervalRow[] {
  if (!(intervalS > 0)) throw new RangeError(`intervalS must be > 0, got ${intervalS}`);
  const width = intervalS * 1000;
  let last = 0;
  for (const r of rows) {
    if (r.arrivalMs !== null) last = Math.max(last, r.arrivalMs);
    if (r.finishMs !== null) last = Math.max(last, r.finishMs);
  }
  const nb = Math.floor(last / width) + 1;
  const b = Array.from({ length: nb }, () => ({ n: 0, isl: 0, osl: 0, oslN: 0, done: 0, ttft: [] as number[], itl: 0, itlN: 0, hit: 0, hitN: 0 }));
  for (const r of rows) {
    if (r.arrivalMs === null) continue;
    const k = b[Math.floor(r.arrivalMs / width)]!;
    k.n++;
    k.isl += r.inputTokens;
    if (r.completed) { k.osl += r.outputTokens; k.oslN++; }
    if (r.ttftMs !== null) k.ttft.push(r.ttftMs);
    if (r.itlMs !== null) { k.itl += r.itlMs; k.itlN++; }
    if (r.kvHitRate !== null) { k.hit += r.kvHitRate; k.hitN++; }
    if (r.finishMs !== null) b[Math.floor(r.finishMs / width)]!.done++;
  }
  const sorted = [...changes].sort((x, y) => x.atMs - y.atMs);
  let ci = 0;
  let readyNow = 0;
  return b.map((k, i) => {
    const end = (i + 1) * width;
    while (ci < sorted.length && sorted[ci]!.atMs < end) {
      const c = sorted[ci++]!;
      if (c.change === "ready") readyNow++;
      else if (c.change === "draining") readyNow--;
    }
    const t = stats(k.ttft);
    return {
      startS: i * intervalS,
      endS: (i + 1) * intervalS,
      arrivals: k.n,
      requestRateRps: k.n / intervalS,
      avgIsl: k.n > 0 ? k.isl / k.n : null,
      avgOsl: k.oslN > 0 ? k.osl / k.oslN : null,
      completions: k.done,
      avgTtftMs: t.mean,
      p90TtftMs: t.p90,
      avgItlMs: k.itlN > 0 ? k.itl / k.itlN : null,
      kvHitRate: k.hitN > 0 ? k.hit / k.hitN : null,
      readyWorkers: readyNow,
    };
  });
}
