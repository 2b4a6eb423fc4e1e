/**
 * The planner as a pure state machine (dynamo.md §3.2): `initialTick(start)`, then
 * `onTick(tick, input)` → `{scaleTo, nextTick, diagnostics}`. No clocks, no I/O: the caller (the
 * replay loop, or a test) supplies the observations a deployment would scrape.
 *
 * Order on a tick: throughput first (it refreshes the floors), then load; a load decision takes
 * precedence over a throughput decision. With both modes on, throughput only sets lower bounds and
 * load computes `max(load decision or current, min_endpoint, floor)`, clamped to the GPU budget.
 */
import { budgetClamp, globalBudget } from "./budget.js";
import type { EngineCapabilities, PlannerConfig } from "./config.js";
import { makePredictor, type LoadPredictor } from "./predictors.js";
import { aggDecodeConsolidation, aggPrefillConsolidation, decodeConsolidation, prefillConsolidation, type AggBacklog, type ConsolidationVerdict } from "./consolidation.js";
import { aggregateLoadReason, type LoadReason, type ThroughputReason } from "./reasons.js";
import { AggRegression, DecodeRegression, PrefillRegression, type BucketedRegression, type FpmPoint, type RegressionOptions } from "./regression.js";
import { easyDecision } from "./easy-mode.js";
import type { ComponentCounts, PlannerEffects, ScaleTarget, ScheduledTick, TickDiagnostics, TickInput, TrafficObservation, WorkerFpm } from "./types.js";

/** Ticks closer than this (seconds) merge into one. */
export const MERGE_TOLERANCE_S = 0.5;

type Side = "prefill" | "decode";

/**
 * ±1 decision of the load path for one component (n engines, per-engine latency estimates in ms).
 * Up by one when every estimate is over the SLA. Otherwise down by one (never below `minEndpoint`)
 * when n > 1 and `canScaleDown`: the consolidation check of `consolidation.ts` found that every
 * engine would stay inside the SLA's sensitivity margin carrying n/(n − 1) of its backlog (the rule
 * of ai-dynamo ≥ 1.2; older Dynamo scaled down when every estimate was below sensitivity × SLA).
 * Otherwise hold at n. No estimates: undefined (no signal).
 *
 * @example
 * ```ts
 * const n = scaleDecision([550, 620], 500, 2, 1, false); // every estimate over the SLA on 2 engines: scale to 3
 * ```
 */
export function scaleDecision(estimates: readonly number[], sla: number, n: number, minEndpoint: number, canScaleDown: boolean): number | undefined {
  if (estimates.length === 0) return undefined;
  if (estimates.every((e) => e > sla)) return n + 1;
  if (n > 1 && canScaleDown) return Math.max(n - 1, minEndpoint);
  return n;
}

/**
 * Worker reconciliation: the distinct worker ids in the FPM data must equal the ready count, every
 * worker must report the same DP-rank set, and the total must be count × dp.
 *
 * @example
 * ```ts
 * if (!fpmMatchesWorkers(fpm, ready)) return; // metrics from a fleet in flux: no decision
 * ```
 */
export function fpmMatchesWorkers(fpm: readonly WorkerFpm[], ready: number): boolean {
  const ranks = new Map<string, Set<number>>();
  for (const f of fpm) {
    const s = ranks.get(f.workerId) ?? new Set<number>();
    s.add(f.dpRank ?? 0);
    ranks.set(f.workerId, s);
  }
  if (ranks.size !== ready) return false;
  const sets = [...ranks.values()];
  const first = [...(sets[0] ?? new Set<number>())].sort().join(",");
  if (!sets.every((s) => [...s].sort().join(",") === first)) return false;
  return fpm.length === ready * (sets[0]?.size ?? 0);
}

function emptyDiagnostics(t: number, tick: ScheduledTick): TickDiagnostics {
  return {
    t, runLoad: tick.runLoad, runThroughput: tick.runThroughput,
    readyPrefill: null, readyDecode: 0,
    throughputLowerBoundPrefill: null, throughputLowerBoundDecode: 1,
    observedNumReq: null, observedRps: null, observedIsl: null, observedOsl: null, observedTtftMs: null, observedItlMs: null, observedKvHitRate: null,
    predictedNumReq: null, predictedRps: null, predictedIsl: null, predictedOsl: null, predictedKvHitRate: null,
    kvHitRateUsed: null, estimatedTtftMs: null, estimatedItlMs: null, engineRpsPrefill: null, engineRpsDecode: null,
    loadReason: null, loadReasonPrefill: null, loadReasonDecode: null,
    throughputReason: null, throughputReasonPrefill: null, throughputReasonDecode: null,
    prefillEngineLoad: [], decodeEngineLoad: [], scaleToPrefill: null, scaleToDecode: null,
  };
}

/** A model below `load_min_observations` samples: Dynamo stops at insufficient_data before any check. */
const hasEnoughSamples = (r: BucketedRegression) => r.fit().status !== "not_enough_samples";
const NO_VERDICT: ConsolidationVerdict = { canScaleDown: false, refused: false };

const finiteOrNull = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

export class PlannerStateMachine {
  readonly config: PlannerConfig;
  readonly prefillModel: PrefillRegression;
  readonly decodeModel: DecodeRegression;
  readonly aggModel: AggRegression;
  private readonly numReqPredictor: LoadPredictor;
  private readonly islPredictor: LoadPredictor;
  private readonly oslPredictor: LoadPredictor;
  private readonly kvHitRatePredictor: LoadPredictor;
  private nextLoad = Infinity;
  private nextThroughput = Infinity;
  /** Throughput floors; start at 1 and persist until the next throughput tick. */
  private lowerBound: Record<Side, number> = { prefill: 1, decode: 1 };
  /** The hit rate the load path uses (sticky: null/NaN never overwrite it). */
  private lastKvHitRate: number | null = null;
  /** The last drained window's observed values, held between drains. */
  private lastObserved: TrafficObservation | undefined;
  private emptyWindows = 0;
  private diag!: TickDiagnostics;

  constructor(config: PlannerConfig) {
    this.config = config;
    const ro: RegressionOptions = { minObservations: config.load_min_observations, maxSamples: config.max_num_fpm_samples, bucketCount: config.fpm_sample_bucket_size };
    this.prefillModel = new PrefillRegression(ro);
    this.decodeModel = new DecodeRegression(ro);
    this.aggModel = new AggRegression(ro);
    const po = { log1p: config.load_predictor_log1p, kalmanQLevel: config.kalman_q_level, kalmanQTrend: config.kalman_q_trend, kalmanR: config.kalman_r };
    this.numReqPredictor = makePredictor(config.load_predictor, po);
    this.islPredictor = makePredictor(config.load_predictor, po);
    this.oslPredictor = makePredictor(config.load_predictor, po);
    this.kvHitRatePredictor = makePredictor(config.load_predictor, { ...po, log1p: false });
  }

  private get agg(): boolean {
    return this.config.mode === "agg";
  }

  private caps(side: Side): EngineCapabilities {
    return (side === "prefill" ? this.config.prefill_capabilities : this.config.decode_capabilities) ?? this.config.decode_capabilities!;
  }

  /** Warm the regressions from a performance sweep (the replay's bootstrap). */
  bootstrap(points: { prefill: FpmPoint[]; decode: FpmPoint[] }): void {
    if (this.agg) {
      for (const p of [...points.prefill, ...points.decode]) this.aggModel.observe(p);
    } else {
      for (const p of points.prefill) this.prefillModel.observe(p);
      for (const p of points.decode) this.decodeModel.observe(p);
    }
  }

  /** Warm the traffic predictors from a trace's per-interval stats (dynamo.md §1.2); not the hit rate. */
  warmTraffic(intervals: readonly { numReq: number; isl: number; osl: number }[]): void {
    for (const w of intervals) {
      this.numReqPredictor.add(w.numReq);
      this.islPredictor.add(w.isl);
      this.oslPredictor.add(w.osl);
    }
  }

  initialTick(start = 0): ScheduledTick {
    this.nextLoad = start + this.config.load_adjustment_interval;
    this.nextThroughput = this.config.enable_throughput_scaling ? start + this.config.throughput_adjustment_interval : Infinity;
    return this.scheduleNext();
  }

  private scheduleNext(): ScheduledTick {
    // Load ticks run even with load scaling off: they are also the FPM regression feed cadence.
    const nextLoad = this.nextLoad;
    const at = Math.min(nextLoad, this.nextThroughput);
    const runLoad = nextLoad <= at + MERGE_TOLERANCE_S;
    const runThroughput = this.nextThroughput <= at + MERGE_TOLERANCE_S;
    let needTraffic = false;
    let trafficDurationS = 0;
    if (runThroughput) {
      needTraffic = true;
      trafficDurationS = this.config.throughput_adjustment_interval;
    } else if (runLoad && !this.config.enable_throughput_scaling) {
      needTraffic = true; // load-only mode scrapes the hit rate on every load tick
      trafficDurationS = this.config.load_adjustment_interval;
    }
    return { at, runLoad, runThroughput, needTraffic, trafficDurationS, needWorkerFpm: runLoad };
  }

  onTick(tick: ScheduledTick, input: TickInput): PlannerEffects {
    const now = input.now;
    this.diag = emptyDiagnostics(now, tick);
    const d = this.diag;
    d.readyDecode = input.counts.decode.ready;
    d.readyPrefill = this.agg ? null : (input.counts.prefill?.ready ?? 0);
    let throughputDecision: ScaleTarget | undefined;
    let loadDecision: ScaleTarget | undefined;
    const noop = this.config.operation_mode === "noop";

    if (tick.runThroughput) {
      if (input.traffic) {
        this.observeTraffic(input.traffic);
        if (!noop) throughputDecision = this.advanceThroughput(input);
      }
      this.nextThroughput = now + this.config.throughput_adjustment_interval;
    }
    if (input.regressionFeed && this.config.optimization_target === "sla") this.feedRegressions(input.regressionFeed.prefill, input.regressionFeed.decode);
    if (tick.runLoad) {
      if (!tick.runThroughput && input.traffic) this.observeTraffic(input.traffic);
      if (input.fpm) {
        if (this.config.optimization_target === "sla") this.feedRegressions(input.fpm.prefill, input.fpm.decode);
        this.recordEngineLoads(input.fpm);
        if (!noop && this.config.enable_load_scaling) loadDecision = this.advanceLoad(input);
      } else if (this.config.enable_load_scaling) {
        this.setLoadReason("no_fpm_data");
      }
      if (!this.config.enable_load_scaling) this.setLoadReason("disabled");
      this.nextLoad = now + this.config.load_adjustment_interval;
    }
    if (noop) {
      this.setLoadReason("disabled");
      d.throughputReason = d.throughputReasonPrefill = d.throughputReasonDecode = tick.runThroughput ? "disabled" : null;
    }
    if (!this.config.enable_throughput_scaling && tick.runLoad) {
      d.throughputReason = "disabled";
    }
    d.throughputLowerBoundDecode = this.lowerBound.decode;
    d.throughputLowerBoundPrefill = this.agg ? null : this.lowerBound.prefill;
    d.kvHitRateUsed = this.lastKvHitRate;
    this.holdObserved();

    let scaleTo = loadDecision ?? throughputDecision;
    if (scaleTo) scaleTo = this.capStep(scaleTo, input.counts);
    if (scaleTo) {
      d.scaleToPrefill = scaleTo.prefill ?? null;
      d.scaleToDecode = scaleTo.decode ?? null;
    }
    return { scaleTo, nextTick: this.scheduleNext(), diagnostics: d };
  }

  // ── observations ─────────────────────────────────────────────────────────────────────────────

  private observeTraffic(t: TrafficObservation): void {
    const empty = !(t.numReq > 0);
    this.emptyWindows = empty ? this.emptyWindows + 1 : 0;
    this.lastObserved = t;
    if (this.config.enable_throughput_scaling) {
      this.numReqPredictor.add(Number.isFinite(t.numReq) ? t.numReq : 0);
      // With no completions ISL/OSL are undefined (NaN): keep the last ones rather than feed a 0
      // that would make the capacity estimate meaningless (a deliberate deviation; §8 item 1).
      if (!empty && Number.isFinite(t.isl)) this.islPredictor.add(t.isl);
      if (!empty && Number.isFinite(t.osl)) this.oslPredictor.add(t.osl);
    }
    const h = t.kvHitRate;
    if (h !== null && Number.isFinite(h) && !empty) {
      if (this.config.enable_throughput_scaling) this.kvHitRatePredictor.add(h);
      else this.lastKvHitRate = h;
    }
  }

  private holdObserved(): void {
    const t = this.lastObserved;
    const d = this.diag;
    if (!t || !(t.numReq > 0)) return;
    d.observedNumReq = t.numReq;
    d.observedRps = t.durationS > 0 ? t.numReq / t.durationS : null;
    d.observedIsl = finiteOrNull(t.isl);
    d.observedOsl = finiteOrNull(t.osl);
    d.observedTtftMs = finiteOrNull(t.ttftMs);
    d.observedItlMs = finiteOrNull(t.itlMs);
    d.observedKvHitRate = finiteOrNull(t.kvHitRate);
  }

  private feedRegressions(prefill: readonly FpmPoint[], decode: readonly FpmPoint[]): void {
    if (this.agg) {
      for (const p of decode) this.aggModel.observe(p);
    } else {
      for (const p of prefill) this.prefillModel.observe(p);
      for (const p of decode) this.decodeModel.observe(p);
    }
  }

  private recordEngineLoads(fpm: { prefill: WorkerFpm[]; decode: WorkerFpm[] }): void {
    const d = this.diag;
    const pre = this.agg ? fpm.decode : fpm.prefill;
    d.prefillEngineLoad = pre.map((w) => ({ workerId: w.workerId, value: w.queuedPrefillTokens }));
    d.decodeEngineLoad = fpm.decode.map((w) => ({ workerId: w.workerId, value: w.sumDecodeKvTokens + w.queuedDecodeKvTokens }));
  }

  private setLoadReason(r: LoadReason): void {
    const d = this.diag;
    d.loadReason = r;
    d.loadReasonDecode = r;
    d.loadReasonPrefill = this.agg ? null : r;
  }

  // ── throughput path ──────────────────────────────────────────────────────────────────────────

  private setThroughputReason(p: ThroughputReason | null, dd: ThroughputReason | null, all?: ThroughputReason): void {
    const d = this.diag;
    d.throughputReasonPrefill = this.agg ? null : p;
    d.throughputReasonDecode = dd;
    d.throughputReason = all ?? dd ?? p;
  }

  private advanceThroughput(input: TickInput): ScaleTarget | undefined {
    const d = this.diag;
    const cfg = this.config;
    const traffic = input.traffic!;
    let numReq: number | undefined, isl: number | undefined, osl: number | undefined;
    try {
      numReq = this.numReqPredictor.predictNext() ?? 0;
      isl = this.islPredictor.predictNext();
      osl = this.oslPredictor.predictNext();
      const hit = this.kvHitRatePredictor.predictNext();
      d.predictedKvHitRate = finiteOrNull(hit);
      if (hit !== undefined && Number.isFinite(hit)) this.lastKvHitRate = hit;
    } catch {
      this.setThroughputReason("predict_failed", "predict_failed");
      return undefined;
    }
    if (!(traffic.durationS > 0) || isl === undefined || osl === undefined || !(osl > 0)) {
      this.setThroughputReason("no_traffic_data", "no_traffic_data");
      return undefined;
    }
    const demand = this.emptyWindows >= cfg.nan_scaledown_threshold ? 0 : numReq / traffic.durationS;
    d.predictedNumReq = numReq;
    d.predictedRps = demand;
    d.predictedIsl = isl;
    d.predictedOsl = osl;
    const hit = this.lastKvHitRate;
    const effIsl = isl * (1 - Math.min(0.95, Math.max(0, hit ?? 0)));
    const loadOn = cfg.enable_load_scaling;

    if (this.agg) {
      const caps = this.caps("decode");
      const r = this.aggModel.findBestEngineRps(isl, osl, cfg.ttft, cfg.itl, { maxNumBatchedTokens: caps.max_num_batched_tokens, maxNumSeqs: caps.max_num_seqs, maxKvTokens: caps.max_kv_tokens }, hit);
      // 0 rps is the guard's "no estimate" (isl/osl = 0), handled as Dynamo does: not ready.
      if (!r || !(r.engineRps > 0)) {
        this.setThroughputReason(null, "model_not_ready");
        return undefined;
      }
      d.engineRpsDecode = r.engineRps;
      const want = Math.max(Math.ceil(demand / r.engineRps), cfg.min_endpoint);
      if (loadOn) {
        this.lowerBound.decode = want;
        this.setThroughputReason(null, "set_lower_bound");
        return undefined;
      }
      this.setThroughputReason(null, "scale");
      return { decode: budgetClamp(want, cfg.decode_engine_num_gpu ?? 1, cfg.max_gpu_budget, cfg.min_endpoint) };
    }

    const pc = this.caps("prefill");
    const dc = this.caps("decode");
    const prRaw = this.prefillModel.findBestEngineRps(effIsl, pc.max_num_batched_tokens);
    const drRaw = this.decodeModel.findBestEngineRps(isl, osl, cfg.itl, { maxKvTokens: dc.max_kv_tokens, maxNumSeqs: dc.max_num_seqs });
    const pr = prRaw && prRaw.engineRps > 0 ? prRaw : undefined;
    const dr = drRaw && drRaw.engineRps > 0 ? drRaw : undefined;
    d.engineRpsPrefill = pr?.engineRps ?? null;
    d.engineRpsDecode = dr?.engineRps ?? null;
    if (!pr || !dr) {
      this.setThroughputReason(pr ? "partner_not_ready" : "model_not_ready", dr ? "partner_not_ready" : "model_not_ready", "model_not_ready");
      return undefined;
    }
    const p = Math.max(Math.ceil(demand / pr.engineRps), cfg.min_endpoint);
    const dd = Math.max(Math.ceil(demand / dr.engineRps), cfg.min_endpoint);
    if (loadOn) {
      this.lowerBound = { prefill: p, decode: dd };
      this.setThroughputReason("set_lower_bound", "set_lower_bound");
      return undefined;
    }
    const [bp, bd] = globalBudget(p, dd, cfg.prefill_engine_num_gpu ?? 1, cfg.decode_engine_num_gpu ?? 1, cfg.max_gpu_budget, cfg.min_endpoint);
    this.setThroughputReason("scale", "scale");
    return { prefill: bp, decode: bd };
  }

  // ── load path ────────────────────────────────────────────────────────────────────────────────

  private advanceLoad(input: TickInput): ScaleTarget | undefined {
    return this.agg ? this.advanceLoadAgg(input) : this.advanceLoadDisagg(input);
  }

  private sideReason(current: number, decision: number | undefined, floor: number, final: number, refused = false): LoadReason {
    if (final > current) return "scale_up";
    if (final < current) return "scale_down";
    if (decision !== undefined && decision < current && this.config.enable_throughput_scaling && floor > decision) return "scale_down_capped_by_throughput";
    if (refused) return "scale_down_refused_consolidation";
    if (decision === undefined) return "insufficient_data";
    return "no_change";
  }

  /**
   * One component's SLA load decision: `scaleDecision` with the consolidation verdict, and whether
   * the decision is a hold that the consolidation check caused (Dynamo's `scale_down_refused_consolidation`:
   * a refusal on a tick that does not scale up).
   */
  private slaDecision(estimates: readonly number[], sla: number, n: number, verdict: ConsolidationVerdict): { decision: number | undefined; refused: boolean } {
    const decision = scaleDecision(estimates, sla, n, this.config.min_endpoint, verdict.canScaleDown);
    return { decision, refused: verdict.refused && decision !== n + 1 };
  }

  private advanceLoadDisagg(input: TickInput): ScaleTarget | undefined {
    const cfg = this.config;
    const d = this.diag;
    const fpm = input.fpm!;
    const counts: Record<Side, ComponentCounts> = { prefill: input.counts.prefill ?? { ready: 0, expected: 0 }, decode: input.counts.decode };
    const hasP = fpm.prefill.length > 0;
    const hasD = fpm.decode.length > 0;
    if (!hasP && !hasD) {
      this.setLoadReason("no_fpm_data");
      return undefined;
    }
    if ((hasP && !fpmMatchesWorkers(fpm.prefill, counts.prefill.ready)) || (hasD && !fpmMatchesWorkers(fpm.decode, counts.decode.ready))) {
      this.setLoadReason("worker_count_mismatch");
      return undefined;
    }
    const hit = this.lastKvHitRate;
    let decP: number | undefined, decD: number | undefined;
    let refusedP = false, refusedD = false;
    if (cfg.optimization_target === "sla") {
      const pc = this.caps("prefill");
      const dc = this.caps("decode");
      const sens = cfg.load_scaling_down_sensitivity;
      const ttftAt = (queued: number) => this.prefillModel.estimateNextTtftMs(queued, pc.max_num_batched_tokens, hit);
      const itlAt = (scheduled: number, queued: number) => this.decodeModel.estimateNextItlMs(scheduled, queued);
      const ttfts = hasP ? fpm.prefill.map((w) => ttftAt(w.queuedPrefillTokens)).filter((v): v is number => v !== undefined) : [];
      const itls = hasD ? fpm.decode.map((w) => itlAt(w.sumDecodeKvTokens, w.queuedDecodeKvTokens)).filter((v): v is number => v !== undefined) : [];
      d.estimatedTtftMs = ttfts.length ? Math.max(...ttfts) : null;
      d.estimatedItlMs = itls.length ? Math.max(...itls) : null;
      const np = counts.prefill.ready, nd = counts.decode.ready;
      const vp = prefillConsolidation(fpm.prefill.map((w) => w.queuedPrefillTokens), np, cfg.ttft, sens, ttftAt);
      // Dynamo checks a model's sample count before it looks at the engines (its KV-fit check needs no fit).
      const vd = hasEnoughSamples(this.decodeModel.reg) ? decodeConsolidation(fpm.decode.map((w) => ({ scheduled: w.sumDecodeKvTokens, queued: w.queuedDecodeKvTokens })), nd, cfg.itl, sens, dc.max_kv_tokens, (kv) => itlAt(kv, 0)) : NO_VERDICT;
      if (hasP) ({ decision: decP, refused: refusedP } = this.slaDecision(ttfts, cfg.ttft, np, vp));
      if (hasD) ({ decision: decD, refused: refusedD } = this.slaDecision(itls, cfg.itl, nd, vd));
    } else {
      decP = hasP ? easyDecision("prefill", cfg.optimization_target, fpm.prefill, this.caps("prefill"), counts.prefill.ready) : undefined;
      decD = hasD ? easyDecision("decode", cfg.optimization_target, fpm.decode, this.caps("decode"), counts.decode.ready) : undefined;
    }
    const thptOn = cfg.enable_throughput_scaling;
    const floorOf = (side: Side, dec: number | undefined) => {
      const cur = counts[side].ready;
      const base = dec ?? cur;
      const floored = thptOn ? Math.max(base, this.lowerBound[side]) : base;
      return Math.max(floored, cfg.min_endpoint);
    };
    let fp = floorOf("prefill", decP);
    let fd = floorOf("decode", decD);
    [fp, fd] = globalBudget(fp, fd, cfg.prefill_engine_num_gpu ?? 1, cfg.decode_engine_num_gpu ?? 1, cfg.max_gpu_budget, cfg.min_endpoint);
    // A refusal shows only on a tick where neither component changes (as Dynamo reports it). It then
    // names the tick too, unless prefill engines reported but gave no estimate (Dynamo names the
    // prefill side's reason first).
    const hold = fp === counts.prefill.ready && fd === counts.decode.ready;
    const rp = this.sideReason(counts.prefill.ready, decP, this.lowerBound.prefill, fp, hold && refusedP);
    const rd = this.sideReason(counts.decode.ready, decD, this.lowerBound.decode, fd, hold && refusedD);
    d.loadReasonPrefill = rp;
    d.loadReasonDecode = rd;
    const refusedTick = hold && (refusedP || (refusedD && !(hasP && decP === undefined)));
    d.loadReason = refusedTick ? "scale_down_refused_consolidation" : (aggregateLoadReason(rp, rd) ?? null);
    if (hold) return undefined;
    return { prefill: fp, decode: fd };
  }

  private advanceLoadAgg(input: TickInput): ScaleTarget | undefined {
    const cfg = this.config;
    const d = this.diag;
    const fpm = input.fpm!.decode;
    const n = input.counts.decode.ready;
    if (fpm.length === 0) {
      this.setLoadReason("no_fpm_data");
      return undefined;
    }
    if (!fpmMatchesWorkers(fpm, n)) {
      this.setLoadReason("worker_count_mismatch");
      return undefined;
    }
    // The only hold after a scale-up. A hot wake (~6 s) lifts it within two ticks, and the next tick,
    // seeing the backlog spread, usually scales the new replica down again (flapping; a cold start
    // holds it for a minute or more). dynamo.md documents no cool-down, so none is added.
    if (input.counts.decode.expected !== n) {
      this.setLoadReason("scaling_in_progress");
      return undefined;
    }
    const caps = this.caps("decode");
    let desired: number;
    let decision: number | undefined;
    let refused = false;
    if (cfg.optimization_target === "sla") {
      const hit = this.lastKvHitRate;
      const sens = cfg.load_scaling_down_sensitivity;
      const mbt = caps.max_num_batched_tokens;
      const ttftAt = (queued: number, kv: number) => this.aggModel.estimateNextTtftMs(queued, mbt, kv, hit);
      const itlAt = (scheduled: number, queued: number) => this.aggModel.estimateNextItlMs(scheduled, queued);
      const ttfts = fpm.map((w) => ttftAt(w.queuedPrefillTokens, w.sumDecodeKvTokens)).filter((v): v is number => v !== undefined);
      const itls = fpm.map((w) => itlAt(w.sumDecodeKvTokens, w.queuedDecodeKvTokens)).filter((v): v is number => v !== undefined);
      d.estimatedTtftMs = ttfts.length ? Math.max(...ttfts) : null;
      d.estimatedItlMs = itls.length ? Math.max(...itls) : null;
      const backlog: AggBacklog[] = fpm.map((w) => ({ queuedPrefill: w.queuedPrefillTokens, scheduledKv: w.sumDecodeKvTokens, queuedKv: w.queuedDecodeKvTokens }));
      const enough = hasEnoughSamples(this.aggModel.reg);
      const tp = this.slaDecision(ttfts, cfg.ttft, n, enough ? aggPrefillConsolidation(backlog, n, cfg.ttft, sens, ttftAt) : NO_VERDICT);
      const tq = this.slaDecision(itls, cfg.itl, n, enough ? aggDecodeConsolidation(backlog, n, cfg.itl, sens, caps.max_kv_tokens, (kv) => itlAt(kv, 0)) : NO_VERDICT);
      refused = tp.refused || tq.refused;
      // Combine as Dynamo does, where a side "without a signal" is one with no estimates or one that
      // holds for no reason; a side that holds because its consolidation check refused is a hold at
      // n, so the other side cannot scale down alone.
      const signal = (t: { decision: number | undefined; refused: boolean }) => (t.refused ? n : t.decision === n ? undefined : t.decision);
      const p = signal(tp), q = signal(tq);
      if (p !== undefined && p > n) decision = p;
      else if (q !== undefined && q > n) decision = q;
      else if (p === undefined && q !== undefined && q < n) decision = q;
      else if (p !== undefined && q !== undefined && p < n && q < n) decision = Math.max(p, q);
      else if (tp.decision === undefined && tq.decision === undefined && !refused) decision = undefined;
      else decision = n;
    } else {
      decision = easyDecision("agg", cfg.optimization_target, fpm, caps, n);
    }
    desired = Math.max(decision ?? n, cfg.min_endpoint);
    if (cfg.enable_throughput_scaling) desired = Math.max(desired, this.lowerBound.decode);
    desired = budgetClamp(desired, cfg.decode_engine_num_gpu ?? 1, cfg.max_gpu_budget, cfg.min_endpoint);
    const r = this.sideReason(n, decision, this.lowerBound.decode, desired, refused);
    this.setLoadReason(r);
    return desired === n ? undefined : { decode: desired };
  }

  // ── guards ───────────────────────────────────────────────────────────────────────────────────

  /** At most `max_throughput_scaling_replicas` replicas added or removed per component per tick. */
  private capStep(t: ScaleTarget, counts: TickInput["counts"]): ScaleTarget {
    const cap = this.config.max_throughput_scaling_replicas;
    if (cap === null) return t;
    const clamp = (target: number | undefined, cur: number) => (target === undefined ? undefined : Math.min(cur + cap, Math.max(cur - cap, target)));
    return { prefill: clamp(t.prefill, counts.prefill?.ready ?? 0), decode: clamp(t.decode, counts.decode.ready) };
  }
}
