/**
 * How long one engine forward pass takes: the pass-duration functions a step-time spec resolves to
 * (step-time-spec.ts), from the pass's shape to milliseconds. Provided here: Dynamo's mocker
 * polynomial (the default, hard-coded and uncalibrated upstream, kept so results compare with
 * Dynamo's replay; shared/docs/dynamo.md §2.2), a linear model, interpolation over measured tables,
 * and a least-squares fit from measured forward-pass metrics (its result is a linear spec).
 */

import { DEFAULT_ENGINE_CONFIG } from "./defaults.js";

/** Which pool a worker serves; prefill workers skip the decode term, decode workers the prefill term. */
export type WorkerRole = "agg" | "prefill" | "decode";

/** The shape of one pass, as the scheduler built it. */
export interface PassShape {
  role: WorkerRole;
  /** Requests with prompt (or recompute) work this pass. */
  numPrefill: number;
  /** Dynamo's prefill size: numPrefill × (integer mean ISL − integer mean prefix). */
  prefillTokens: number;
  /** Exact tokens computed for prefill requests this pass, and the prefix (already computed) tokens they attend over. */
  sumPrefillTokens: number;
  sumPrefillKvTokens: number;
  /** Requests scheduled for one decode token, and Σ their sequence lengths at schedule time. */
  numDecode: number;
  sumDecodeKvTokens: number;
  /** Requests that emit a token at the end of this pass (decodes plus prompts finished this pass). */
  numReady: number;
  /** KV blocks referenced by running requests after this pass's allocation, and the capacity. */
  activeKvBlocks: number;
  kvCapacityBlocks: number;
  /** Tokens per KV block (set by the engine; the default engine's when absent). */
  blockSize?: number;
}

/** A pass's duration in milliseconds (must be finite and ≥ 0). */
export type StepTimeModel = (pass: Readonly<PassShape>) => number;

export interface PolynomialStepTimeOptions {
  /** Prefill t(T) = a·T² + b·T + c (ms); default Dynamo's 4.209989e-7, 1.518344e-2, 16.50142. */
  prefill?: readonly [number, number, number];
  /** Decode t(u) = max(floor, a·u² + b·u + c) over KV usage u; default −25.74, 54.01, 5.74, floor 1.0. */
  decode?: readonly [number, number, number];
  decodeFloorMs?: number;
  /** Engine compute speed-up: divides prefill time; decode is divided by speedupRatio × decodeSpeedupRatio. */
  speedupRatio?: number;
  decodeSpeedupRatio?: number;
}

export const DYNAMO_PREFILL_POLY = [4.209989e-7, 1.518344e-2, 16.50142] as const;
export const DYNAMO_DECODE_POLY = [-25.74, 54.01, 5.74] as const;

/**
 * Dynamo mocker's polynomial prefill time of T new tokens (ms, before speed-ups).
 *
 * @example
 * ```ts
 * const ms = polynomialPrefillMs(4096); // Dynamo mocker's prefill time for 4,096 tokens
 * ```
 */
export function polynomialPrefillMs(tokens: number, poly: readonly [number, number, number] = DYNAMO_PREFILL_POLY): number {
  return Math.max(0, poly[0] * tokens * tokens + poly[1] * tokens + poly[2]);
}

/**
 * Dynamo mocker's polynomial decode time at KV usage u in [0, 1] (ms, before speed-ups).
 *
 * @example
 * ```ts
 * const ms = polynomialDecodeMs(0.5); // decode step time at 50% KV utilisation
 * ```
 */
export function polynomialDecodeMs(u: number, poly: readonly [number, number, number] = DYNAMO_DECODE_POLY, floorMs = 1.0): number {
  return Math.max(floorMs, poly[0] * u * u + poly[1] * u + poly[2]);
}

/**
 * The documented default: prefill polynomial when there is prefill work, plus the decode polynomial once when any token is emitted.
 *
 * @example
 * ```ts
 * const model = polynomialStepTime({ decodeSpeedupRatio: 2 });
 * ```
 */
export function polynomialStepTime(options: PolynomialStepTimeOptions = {}): StepTimeModel {
  const pre = options.prefill ?? DYNAMO_PREFILL_POLY;
  const dec = options.decode ?? DYNAMO_DECODE_POLY;
  const floor = options.decodeFloorMs ?? 1.0;
  const s = options.speedupRatio ?? 1;
  const ds = s * (options.decodeSpeedupRatio ?? 1);
  if (!(s > 0) || !(ds > 0)) throw new RangeError(`polynomialStepTime: speed-up ratios must be > 0, got ${s}, ${options.decodeSpeedupRatio}`);
  return (p) => {
    let ms = 0;
    if (p.numPrefill > 0 && p.role !== "decode") ms += polynomialPrefillMs(p.prefillTokens, pre) / s;
    if (p.numReady > 0 && p.role !== "prefill") ms += polynomialDecodeMs(p.kvCapacityBlocks > 0 ? p.activeKvBlocks / p.kvCapacityBlocks : 0, dec, floor) / ds;
    return ms;
  };
}

/** A feature of a pass a linear model can use. */
export type StepFeature = "sumPrefillTokens" | "sumPrefillTokens^2" | "numPrefill" | "numDecode" | "sumDecodeKvTokens" | "sumPrefillKvTokens";

/** What a fit needs from a measured pass (ForwardPassMetrics records have these fields). */
export interface MeasuredPass {
  numPrefill: number;
  sumPrefillTokens: number;
  numDecode: number;
  sumDecodeKvTokens: number;
  sumPrefillKvTokens?: number;
  wallTimeMs: number;
}

/** A fitted linear model: its data is a linear step-time spec (`engine: { stepTime: fit }`), plus the fit's quality. */
export interface LinearStepTime {
  kind: "linear";
  features: StepFeature[];
  intercept: number;
  coefficients: number[];
  /** Coefficient of determination on the fitted samples, and their count. */
  r2: number;
  samples: number;
}

function featureOf(f: StepFeature, p: { numPrefill: number; sumPrefillTokens: number; numDecode: number; sumDecodeKvTokens: number; sumPrefillKvTokens?: number }): number {
  switch (f) {
    case "sumPrefillTokens": return p.sumPrefillTokens;
    case "sumPrefillTokens^2": return p.sumPrefillTokens * p.sumPrefillTokens;
    case "numPrefill": return p.numPrefill;
    case "numDecode": return p.numDecode;
    case "sumDecodeKvTokens": return p.sumDecodeKvTokens;
    case "sumPrefillKvTokens": return p.sumPrefillKvTokens ?? 0;
  }
}

/**
 * A linear step-time model from given coefficients (ms); the result is clamped at ≥ 0.
 *
 * @example
 * ```ts
 * const model = linearStepTime(["sumPrefillTokens", "sumDecodeKvTokens"], 2.0, [0.05, 0.0004]);
 * ```
 */
export function linearStepTime(features: readonly StepFeature[], intercept: number, coefficients: readonly number[]): StepTimeModel {
  if (features.length !== coefficients.length) throw new RangeError("linearStepTime: one coefficient per feature");
  const fs = features.slice();
  const cs = coefficients.slice();
  return (p) => {
    let ms = intercept;
    for (let i = 0; i < fs.length; i++) ms += cs[i]! * featureOf(fs[i]!, p);
    return ms > 0 ? ms : 0;
  };
}

/**
 * Ordinary least squares with intercept of wall time on the chosen features (columns are centred
 * and scaled before solving, Householder QR; a constant column gets coefficient 0, the
 * minimum-norm choice). Passes with zero wall time (heartbeats) are skipped.
 *
 * @example
 * ```ts
 * const stepTime = fitStepTime(measuredPasses); // a linear step-time model an EngineConfig can use
 * ```
 */
export function fitStepTime(passes: readonly MeasuredPass[], features: readonly StepFeature[] = ["sumPrefillTokens", "sumPrefillTokens^2", "sumDecodeKvTokens"]): LinearStepTime {
  const rows = passes.filter((p) => p.wallTimeMs > 0 && Number.isFinite(p.wallTimeMs));
  const n = rows.length;
  const k = features.length;
  if (n < k + 1) throw new RangeError(`fitStepTime: need at least ${k + 1} passes with wall time > 0, got ${n}`);
  const X = rows.map((p) => features.map((f) => featureOf(f, p)));
  const y = rows.map((p) => p.wallTimeMs);
  const mean = features.map((_, j) => X.reduce((s, r) => s + r[j]!, 0) / n);
  const scale = features.map((_, j) => Math.sqrt(X.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / n));
  const ym = y.reduce((s, v) => s + v, 0) / n;
  const live = features.map((_, j) => scale[j]! > 0);
  const cols = live.map((l, j) => (l ? j : -1)).filter((j) => j >= 0);
  const A = X.map((r) => cols.map((j) => (r[j]! - mean[j]!) / scale[j]!));
  const b = y.map((v) => v - ym);
  const beta = leastSquares(A, b, cols.length);
  const coefficients = features.map(() => 0);
  cols.forEach((j, c) => { coefficients[j] = beta[c]! / scale[j]!; });
  const intercept = ym - coefficients.reduce((s, c, j) => s + c * mean[j]!, 0);
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    let pred = intercept;
    for (let j = 0; j < k; j++) pred += coefficients[j]! * X[i]![j]!;
    ssRes += (y[i]! - pred) ** 2;
    ssTot += (y[i]! - ym) ** 2;
  }
  return { kind: "linear", features: features.slice(), intercept, coefficients, r2: ssTot > 0 ? 1 - ssRes / ssTot : 1, samples: n };
}

/** min ‖A·x − b‖ by Householder QR; rank-deficient columns get 0. */
function leastSquares(A: number[][], b: number[], k: number): number[] {
  const n = A.length;
  const R = A.map((r) => r.slice());
  const q = b.slice();
  const rank: boolean[] = [];
  for (let j = 0; j < k; j++) {
    let norm = 0;
    for (let i = j; i < n; i++) norm += R[i]![j]! ** 2;
    norm = Math.sqrt(norm);
    if (norm < 1e-12) { rank.push(false); continue; }
    rank.push(true);
    const alpha = R[j]![j]! > 0 ? -norm : norm;
    const v = new Array<number>(n).fill(0);
    for (let i = j; i < n; i++) v[i] = R[i]![j]!;
    v[j]! -= alpha;
    let vv = 0;
    for (let i = j; i < n; i++) vv += v[i]! ** 2;
    if (vv === 0) continue;
    for (let c = j; c < k; c++) {
      let d = 0;
      for (let i = j; i < n; i++) d += v[i]! * R[i]![c]!;
      const f = (2 * d) / vv;
      for (let i = j; i < n; i++) R[i]![c]! -= f * v[i]!;
    }
    let d = 0;
    for (let i = j; i < n; i++) d += v[i]! * q[i]!;
    const f = (2 * d) / vv;
    for (let i = j; i < n; i++) q[i]! -= f * v[i]!;
  }
  const x = new Array<number>(k).fill(0);
  for (let j = k - 1; j >= 0; j--) {
    if (!rank[j] || Math.abs(R[j]![j]!) < 1e-9) continue;
    let s = q[j]!;
    for (let c = j + 1; c < k; c++) s -= R[j]![c]! * x[c]!;
    x[j] = s / R[j]![j]!;
  }
  return x;
}

/** Measured tables for `interpolatedStepTime` (a profiler's output). Axes ascending. */
export interface StepTimeTables {
  /** Prefill time (ms) of a pass with `isl` new tokens. */
  prefill: { isl: readonly number[]; ms: readonly number[] };
  /** Decode time (ms) over active KV tokens (rows) × mean context length of the decoding requests (columns). */
  decode: { activeKvTokens: readonly number[]; contextLength: readonly number[]; ms: readonly (readonly number[])[] };
}

function checkAxis(a: readonly number[], name: string): void {
  if (a.length < 2) throw new RangeError(`interpolatedStepTime: ${name} needs at least 2 points`);
  for (let i = 1; i < a.length; i++) if (!(a[i]! > a[i - 1]!)) throw new RangeError(`interpolatedStepTime: ${name} must be strictly ascending`);
}

/** Segment index i with a[i] ≤ x < a[i+1] (clamped to the ends, so the end segments extrapolate) and the weight of a[i+1]. */
function locate(a: readonly number[], x: number): [number, number] {
  let i = 0;
  while (i < a.length - 2 && x >= a[i + 1]!) i++;
  return [i, (x - a[i]!) / (a[i + 1]! - a[i]!)];
}

/**
 * Dynamo's interpolated timing, from measured tables: prefill is 1-D linear interpolation over the
 * pass's prefill size (Dynamo's T), extrapolated linearly beyond the table; decode is bilinear
 * over (active KV tokens, mean context length of decoding requests), clamped to the table's range.
 * The terms apply as in the polynomial (prefill with prefill work, decode once when tokens are emitted).
 *
 * @example
 * ```ts
 * const model = interpolatedStepTime(tables); // measured prefill/decode tables, linearly interpolated
 * ```
 */
export function interpolatedStepTime(tables: StepTimeTables): StepTimeModel {
  const { prefill, decode } = tables;
  checkAxis(prefill.isl, "prefill.isl");
  if (prefill.ms.length !== prefill.isl.length) throw new RangeError("interpolatedStepTime: prefill.ms must match prefill.isl");
  checkAxis(decode.activeKvTokens, "decode.activeKvTokens");
  checkAxis(decode.contextLength, "decode.contextLength");
  if (decode.ms.length !== decode.activeKvTokens.length || decode.ms.some((row) => row.length !== decode.contextLength.length)) throw new RangeError("interpolatedStepTime: decode.ms must be activeKvTokens × contextLength");
  const clamp = (a: readonly number[], x: number) => Math.min(a[a.length - 1]!, Math.max(a[0]!, x));
  return (p) => {
    let ms = 0;
    if (p.numPrefill > 0 && p.role !== "decode") {
      const [i, w] = locate(prefill.isl, p.prefillTokens);
      ms += Math.max(0, prefill.ms[i]! + w * (prefill.ms[i + 1]! - prefill.ms[i]!));
    }
    if (p.numReady > 0 && p.role !== "prefill") {
      const kv = clamp(decode.activeKvTokens, p.activeKvBlocks * (p.blockSize ?? DEFAULT_ENGINE_CONFIG.blockSize));
      const ctx = clamp(decode.contextLength, p.numDecode > 0 ? p.sumDecodeKvTokens / p.numDecode : decode.contextLength[0]!);
      const [i, u] = locate(decode.activeKvTokens, kv);
      const [j, v] = locate(decode.contextLength, ctx);
      const m = decode.ms;
      ms += (1 - u) * (1 - v) * m[i]![j]! + u * (1 - v) * m[i + 1]![j]! + (1 - u) * v * m[i]![j + 1]! + u * v * m[i + 1]![j + 1]!;
    }
    return ms;
  };
}
