/**
 * Online regressions of forward-pass wall time on forward-pass metrics (dynamo.md §3.4): prefill
 * (1-D, sum_prefill_tokens), decode (2-D, [num_decode_requests, sum_decode_kv_tokens]) and agg
 * (2-D, [sum_prefill_tokens, sum_decode_kv_tokens]). Samples are kept in a bounded, bucketed store
 * so the fit sees the whole operating range rather than only the latest regime; the fit is OLS
 * with intercept (minimum-norm on collinear data), refit lazily after new samples.
 */
import { fitLinear } from "./lstsq.js";
import { MovingAverage } from "./moving-average.js";
import { kvDiscountFactor } from "./kv-hit.js";

export interface RegressionOptions {
  /** Samples needed before the model is ready (Dynamo `load_min_observations`, default 5). */
  minObservations: number;
  /** Sample window (Dynamo `max_num_fpm_samples`, default 64). */
  maxSamples: number;
  /** Total buckets (Dynamo `fpm_sample_bucket_size`, default 16, a perfect square for 2-D). */
  bucketCount: number;
}

export const DEFAULT_REGRESSION_OPTIONS: RegressionOptions = { minObservations: 5, maxSamples: 64, bucketCount: 16 };

/** A negative relaxable coefficient within this of zero is kept as is; beyond it, clamped to 0. */
export const RELAX_TOLERANCE = 1e-6;

/** One forward pass as the regressions read it (times in seconds, as Dynamo's FPM). */
export interface FpmPoint {
  numPrefill: number;
  sumPrefillTokens: number;
  numDecode: number;
  sumDecodeKvTokens: number;
  wallTimeS: number;
}

export type FitStatus = "not_enough_samples" | "rejected_negative_coefficient" | "ok";

export interface FitResult {
  status: FitStatus;
  coef: number[];
  intercept: number;
  /** Indices of relaxable coefficients that were clamped to 0 (the intercept was kept). */
  clamped: number[];
}

interface Sample {
  x: number[];
  y: number;
}

/** The regression core shared by the three models. */
export class BucketedRegression {
  /**
   * Samples by bucket, in Map insertion order — the order Dynamo's dict keeps, which decides both
   * which bucket loses a sample on a tie and the row order of the fit.
   */
  private buckets = new Map<number, Sample[]>();
  private total = 0;
  private lo: number[];
  private hi: number[];
  private cached: FitResult | undefined;
  readonly perAxis: number;

  constructor(
    readonly dim: number,
    readonly options: RegressionOptions,
    /** Feature indices whose negative coefficient is relaxed rather than rejected. */
    readonly relaxable: ReadonlySet<number> = new Set(),
  ) {
    this.lo = new Array<number>(dim).fill(Infinity);
    this.hi = new Array<number>(dim).fill(-Infinity);
    this.perAxis = Math.max(1, Math.round(Math.pow(options.bucketCount, 1 / dim)));
  }

  get size(): number {
    return this.total;
  }

  /**
   * Store one sample (callers skip heartbeats, wall time 0). Widened axis bounds re-bucket every
   * stored sample in its current order; past the window, the head of the first fullest bucket
   * (in bucket order, not the chronologically oldest sample) is retired.
   */
  add(x: readonly number[], y: number): void {
    if (x.length !== this.dim || !x.every(Number.isFinite) || !Number.isFinite(y)) return;
    let widened = false;
    for (let j = 0; j < this.dim; j++) {
      if (x[j]! < this.lo[j]!) { this.lo[j] = x[j]!; widened = true; }
      if (x[j]! > this.hi[j]!) { this.hi[j] = x[j]!; widened = true; }
    }
    if (widened && this.total > 0) this.rebucket();
    this.put({ x: [...x], y });
    this.total++;
    this.cached = undefined;
    if (this.total > this.options.maxSamples) this.retireOne();
  }

  private put(s: Sample): void {
    const k = this.bucketOf(s.x);
    const b = this.buckets.get(k);
    if (b) b.push(s);
    else this.buckets.set(k, [s]);
  }

  private all(): Sample[] {
    return [...this.buckets.values()].flat();
  }

  private rebucket(): void {
    const all = this.all();
    this.buckets.clear();
    for (const s of all) this.put(s);
  }

  private bucketOf(x: readonly number[]): number {
    let key = 0;
    for (let j = 0; j < this.dim; j++) {
      const span = this.hi[j]! - this.lo[j]!;
      const b = span > 0 ? Math.min(this.perAxis - 1, Math.floor(((x[j]! - this.lo[j]!) / span) * this.perAxis)) : 0;
      key = key * this.perAxis + b;
    }
    return key;
  }

  /** Drop the head of the first fullest bucket; an emptied bucket leaves the order. */
  private retireOne(): void {
    let fattest: number | undefined;
    let len = -1;
    for (const [k, b] of this.buckets) if (b.length > len) { fattest = k; len = b.length; }
    const b = this.buckets.get(fattest!)!;
    b.shift();
    this.total--;
    if (b.length === 0) this.buckets.delete(fattest!);
  }

  fit(): FitResult {
    if (this.cached) return this.cached;
    const n = this.total;
    if (n < this.options.minObservations || n === 0) {
      this.cached = { status: "not_enough_samples", coef: [], intercept: 0, clamped: [] };
      return this.cached;
    }
    const rows = this.all();
    const { coef, intercept } = fitLinear(rows.map((s) => s.x), rows.map((s) => s.y));
    const clamped: number[] = [];
    let status: FitStatus = "ok";
    for (let j = 0; j < coef.length; j++) {
      if (coef[j]! >= 0) continue;
      if (this.relaxable.has(j)) {
        if (coef[j]! < -RELAX_TOLERANCE) {
          coef[j] = 0; // the intercept is deliberately not refitted (Dynamo's behaviour)
          clamped.push(j);
        }
      } else status = "rejected_negative_coefficient";
    }
    this.cached = { status, coef, intercept, clamped };
    return this.cached;
  }

  get ready(): boolean {
    return this.fit().status === "ok";
  }

  /** Predicted wall time (s), floored at 1e-6; undefined when the model is not ready. */
  predict(x: readonly number[]): number | undefined {
    const f = this.fit();
    if (f.status !== "ok") return undefined;
    let v = f.intercept;
    for (let j = 0; j < x.length; j++) v += f.coef[j]! * x[j]!;
    return Math.max(1e-6, v);
  }
}

/**
 * Split `total` tokens into per-pass chunks of at most `mbt`.
 *
 * @example
 * ```ts
 * chunks(20_000, 8192); // [8192, 8192, 3616]: a prompt's prefill chunks
 * ```
 */
export function chunks(total: number, mbt: number): number[] {
  const out: number[] = [];
  let remaining = total;
  while (remaining > 0) {
    const c = Math.min(remaining, mbt);
    out.push(c);
    remaining -= c;
  }
  return out;
}

/** Prefill engine: wall time vs sum_prefill_tokens. */
export class PrefillRegression {
  readonly reg: BucketedRegression;
  readonly avgIsl: MovingAverage;
  readonly avgNumPrefill: MovingAverage;

  constructor(options: RegressionOptions = DEFAULT_REGRESSION_OPTIONS) {
    this.reg = new BucketedRegression(1, options);
    this.avgIsl = new MovingAverage(options.maxSamples);
    this.avgNumPrefill = new MovingAverage(options.maxSamples);
  }

  observe(p: FpmPoint): void {
    // A pass with no prefill counts as ISL 0 once traffic was seen (ai-dynamo 1.2–1.6 do so in the
    // prefill model only; the agg model skips it, as 1.1 did in both).
    this.avgIsl.add(p.numPrefill > 0 ? p.sumPrefillTokens / p.numPrefill : 0);
    this.avgNumPrefill.add(p.numPrefill);
    if (p.wallTimeS > 0) this.reg.add([p.sumPrefillTokens], p.wallTimeS);
  }

  wallTime(tokens: number): number | undefined {
    return this.reg.predict([tokens]);
  }

  /** Next TTFT (ms) of a request arriving behind `queuedPrefillTokens`; undefined if not ready. */
  estimateNextTtftMs(queuedPrefillTokens: number, mbt: number, kvHitRate?: number | null): number | undefined {
    if (!this.reg.ready) return undefined;
    const total = (queuedPrefillTokens + (this.avgIsl.value ?? 0)) * kvDiscountFactor(kvHitRate);
    if (total <= 0) return 0;
    let s = 0;
    for (const c of chunks(total, mbt)) s += this.wallTime(c)!;
    return s * 1000;
  }

  /**
   * Requests/s one prefill engine sustains at `isl` (already hit-rate discounted by the caller).
   * A prompt longer than the token budget takes ceil(isl/mbt) passes (strict `>`: isl == mbt is
   * one pass). Linear-scaling assumption: batching B prefills gives the same rate.
   */
  findBestEngineRps(isl: number, mbt: number): { engineRps: number; ttftMs: number } | undefined {
    if (!this.reg.ready) return undefined;
    // Dynamo's guard: a non-positive prompt has no rate; 0 rps means "no estimate" to the caller.
    if (isl <= 0) return { engineRps: 0, ttftMs: 0 };
    let wt: number;
    if (isl > mbt) {
      const n = Math.ceil(isl / mbt);
      wt = (n - 1) * this.wallTime(mbt)! + this.wallTime(isl - (n - 1) * mbt)!;
    } else wt = this.wallTime(isl)!;
    return { engineRps: 1 / wt, ttftMs: 1000 * wt };
  }
}

export interface DecodeCaps {
  maxKvTokens?: number | null;
  maxNumSeqs?: number | null;
}

/** Decode engine: wall time vs [num_decode_requests, sum_decode_kv_tokens]; feature 0 relaxable. */
export class DecodeRegression {
  readonly reg: BucketedRegression;
  readonly avgDecodeLen: MovingAverage;
  readonly avgNumDecode: MovingAverage;
  maxObservedKv = 0;

  constructor(options: RegressionOptions = DEFAULT_REGRESSION_OPTIONS) {
    this.reg = new BucketedRegression(2, options, new Set([0]));
    this.avgDecodeLen = new MovingAverage(options.maxSamples);
    this.avgNumDecode = new MovingAverage(options.maxSamples);
  }

  observe(p: FpmPoint): void {
    if (p.numDecode > 0) this.avgDecodeLen.add(p.sumDecodeKvTokens / p.numDecode);
    this.avgNumDecode.add(p.numDecode);
    if (p.sumDecodeKvTokens > this.maxObservedKv) this.maxObservedKv = p.sumDecodeKvTokens;
    if (p.wallTimeS > 0) this.reg.add([p.numDecode, p.sumDecodeKvTokens], p.wallTimeS);
  }

  wallTime(batch: number, kv: number): number | undefined {
    return this.reg.predict([batch, kv]);
  }

  estimateNextItlMs(scheduledKv: number, queuedKv: number): number | undefined {
    if (!this.reg.ready) return undefined;
    return 1000 * this.wallTime((this.avgNumDecode.value ?? 0) + 1, scheduledKv + queuedKv + (this.avgDecodeLen.value ?? 0))!;
  }

  /** Largest batch meeting the ITL SLA, and the rate it sustains by Little's law. */
  findBestEngineRps(isl: number, osl: number, itlMs: number, caps: DecodeCaps = {}): { engineRps: number; batch: number; itlMs: number } | undefined {
    if (!this.reg.ready) return undefined;
    const ctx = isl + osl / 2;
    // Dynamo's guard is on the context length, not isl: isl = 0 with osl > 0 still has a rate.
    if (ctx <= 0 || osl <= 0 || itlMs <= 0) return { engineRps: 0, batch: 0, itlMs: 0 };
    let kvCap: number;
    if (caps.maxKvTokens) kvCap = Math.max(1, Math.floor(caps.maxKvTokens / ctx));
    else if (this.maxObservedKv > 0) kvCap = Math.floor(this.maxObservedKv / ctx);
    else kvCap = 256;
    const seqCap = caps.maxNumSeqs || kvCap;
    const maxBatch = Math.max(1, Math.min(kvCap, seqCap));
    const wt1 = this.wallTime(1, ctx)!;
    if (wt1 * 1000 > itlMs) return { engineRps: 1 / (osl * wt1), batch: 1, itlMs: wt1 * 1000 };
    let lo = 1, hi = maxBatch;
    while (lo < hi) {
      const mid = Math.floor((lo + hi + 1) / 2);
      if (this.wallTime(mid, mid * ctx)! * 1000 <= itlMs) lo = mid;
      else hi = mid - 1;
    }
    const wt = this.wallTime(lo, lo * ctx)!;
    return { engineRps: lo / (osl * wt), batch: lo, itlMs: wt * 1000 };
  }
}

export interface AggCaps extends DecodeCaps {
  maxNumBatchedTokens: number;
}

/**
 * Largest batch an agg engine should run (PR #8280): the KV / sequence / token-budget caps, and
 * the prefill–decode balance bound — admitting (MBT − x)/isl new requests per pass must keep up
 * with x/osl finishing ones, i.e. x ≤ osl·MBT/(isl + osl), binary-searched in [1, hard cap].
 *
 * @example
 * ```ts
 * const { maxBatch } = aggMaxBatch(3000, 200, caps, 0.3);
 * ```
 */
export function aggMaxBatch(isl: number, osl: number, caps: AggCaps, kvHitRate?: number | null): { maxBatch: number; kvCap: number; seqCap: number; balanceBound: number } {
  const effIsl = isl * kvDiscountFactor(kvHitRate);
  const avgCtx = isl + osl / 2;
  const mbt = caps.maxNumBatchedTokens;
  const kvCap = caps.maxKvTokens ? Math.max(1, Math.floor(caps.maxKvTokens / Math.max(1, avgCtx))) : 1024;
  const seqCap = caps.maxNumSeqs || kvCap;
  const hardCap = Math.min(kvCap, seqCap, mbt - 1);
  const balanced = (x: number) => effIsl * x <= osl * (mbt - x);
  let maxBatch = 1;
  if (balanced(1)) {
    let lo = 1, hi = Math.max(1, hardCap);
    while (lo < hi) {
      const mid = Math.floor((lo + hi + 1) / 2);
      if (balanced(mid)) lo = mid;
      else hi = mid - 1;
    }
    maxBatch = lo;
  }
  return { maxBatch, kvCap, seqCap, balanceBound: (osl * mbt) / (effIsl + osl) };
}

/** Agg engine: wall time vs [sum_prefill_tokens, sum_decode_kv_tokens]. */
export class AggRegression {
  readonly reg: BucketedRegression;
  readonly avgIsl: MovingAverage;
  readonly avgDecodeLen: MovingAverage;
  readonly avgPrefillTokens: MovingAverage;
  readonly avgNumPrefill: MovingAverage;
  readonly avgNumDecode: MovingAverage;

  constructor(options: RegressionOptions = DEFAULT_REGRESSION_OPTIONS) {
    this.reg = new BucketedRegression(2, options);
    this.avgIsl = new MovingAverage(options.maxSamples);
    this.avgDecodeLen = new MovingAverage(options.maxSamples);
    this.avgPrefillTokens = new MovingAverage(options.maxSamples);
    this.avgNumPrefill = new MovingAverage(options.maxSamples);
    this.avgNumDecode = new MovingAverage(options.maxSamples);
  }

  observe(p: FpmPoint): void {
    if (p.numPrefill > 0) this.avgIsl.add(p.sumPrefillTokens / p.numPrefill);
    if (p.numDecode > 0) this.avgDecodeLen.add(p.sumDecodeKvTokens / p.numDecode);
    this.avgPrefillTokens.add(p.sumPrefillTokens);
    this.avgNumPrefill.add(p.numPrefill);
    this.avgNumDecode.add(p.numDecode);
    if (p.wallTimeS > 0) this.reg.add([p.sumPrefillTokens, p.sumDecodeKvTokens], p.wallTimeS);
  }

  wallTime(prefillTokens: number, decodeKv: number): number | undefined {
    return this.reg.predict([prefillTokens, decodeKv]);
  }

  estimateNextTtftMs(queuedPrefillTokens: number, mbt: number, currentDecodeKv: number, kvHitRate?: number | null): number | undefined {
    if (!this.reg.ready) return undefined;
    return this.ttftFor(queuedPrefillTokens, mbt, currentDecodeKv, kvHitRate, this.avgIsl.value ?? 0);
  }

  private ttftFor(queued: number, mbt: number, decodeKv: number, kvHitRate: number | null | undefined, avgIsl: number): number {
    const total = (queued + avgIsl) * kvDiscountFactor(kvHitRate);
    if (total <= 0) return 0;
    let s = 0;
    for (const c of chunks(total, mbt)) s += this.wallTime(c, decodeKv)!;
    return s * 1000;
  }

  estimateNextItlMs(scheduledKv: number, queuedKv: number): number | undefined {
    if (!this.reg.ready) return undefined;
    return 1000 * this.wallTime(this.avgPrefillTokens.value ?? 0, scheduledKv + queuedKv + (this.avgDecodeLen.value ?? 0))!;
  }

  /** dynamo.md §3.6 find_best_engine_agg_rps: sweep batch sizes up to the cap, stop at the first SLA miss. */
  findBestEngineRps(isl: number, osl: number, ttftMs: number, itlMs: number, caps: AggCaps, kvHitRate?: number | null): { engineRps: number; batch: number; maxBatch: number; ttftMs: number; itlMs: number } | undefined {
    if (!this.reg.ready) return undefined;
    const mbt = caps.maxNumBatchedTokens;
    if (isl <= 0 || osl <= 0 || mbt <= 0) return { engineRps: 0, batch: 0, maxBatch: 0, ttftMs: 0, itlMs: 0 };
    const effIsl = isl * kvDiscountFactor(kvHitRate);
    const avgCtx = isl + osl / 2;
    const { maxBatch } = aggMaxBatch(isl, osl, caps, kvHitRate);
    let best: { bs: number; wt: number; ttft: number } | undefined;
    for (let bs = 1; bs <= maxBatch; bs++) {
      const decodeKv = bs * avgCtx;
      const ppi = Math.min((bs * effIsl) / osl, mbt);
      const wt = this.wallTime(ppi, decodeKv)!;
      const ttft = this.ttftFor(Math.trunc(Math.min((bs * isl) / osl, mbt)), mbt, Math.trunc(decodeKv), kvHitRate, this.avgIsl.value ?? 0);
      if (wt * 1000 > itlMs || ttft > ttftMs) {
        if (bs === 1) return { engineRps: 1 / (osl * wt), batch: 1, maxBatch, ttftMs: ttft, itlMs: wt * 1000 };
        break;
      }
      best = { bs, wt, ttft };
    }
    const b = best!;
    return { engineRps: b.bs / (osl * b.wt), batch: b.bs, maxBatch, ttftMs: b.ttft, itlMs: b.wt * 1000 };
  }
}
