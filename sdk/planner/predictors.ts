/**
 * One-step-ahead load predictors for throughput scaling (dynamo.md §3.6): the next window's
 * request count, ISL, OSL and KV hit rate. Common rules: NaN counts as 0; leading zeros are
 * skipped until the first non-zero value (an idle start says nothing about the load).
 *
 * - `constant`: the last value.
 * - `kalman`: a local-linear-trend Kalman filter (level + trend), Dynamo's parameters.
 * - `arima`: an ARIMA(p, d, 0) fitted by conditional least squares, with d ∈ {0, 1} and
 *   p ∈ {0…3} chosen by AIC, refitted on every call over the last `window` points. This is an
 *   honest member of the ARIMA class but not pmdarima's auto_arima: no MA terms and no seasonal
 *   part. Fewer than 5 points → the last value; all equal → that value; output ≥ 0; any numerical
 *   failure → the last value (Dynamo's fallbacks). Unlike pmdarima we do not refit in log space
 *   when the order collapses to (0, d, 0): a random walk with drift is often the right answer.
 */
import { fitLinear } from "./lstsq.js";

export type LoadPredictorName = "constant" | "arima" | "kalman";

export interface LoadPredictor {
  readonly name: LoadPredictorName;
  add(value: number): void;
  /** The forecast for the next window, or undefined before any data. */
  predictNext(): number | undefined;
  readonly count: number;
}

export interface PredictorOptions {
  log1p?: boolean;
  kalmanQLevel?: number;
  kalmanQTrend?: number;
  kalmanR?: number;
  /** ARIMA history window (points). */
  window?: number;
}

abstract class BasePredictor implements LoadPredictor {
  abstract readonly name: LoadPredictorName;
  protected readonly data: number[] = [];
  private seenNonZero = false;

  constructor(protected readonly options: PredictorOptions) {}

  add(value: number): void {
    const v = Number.isFinite(value) ? value : 0;
    if (!this.seenNonZero) {
      if (v === 0) return;
      this.seenNonZero = true;
    }
    this.data.push(v);
    this.onAdd(v);
  }

  protected onAdd(_v: number): void {}

  get count(): number {
    return this.data.length;
  }

  abstract predictNext(): number | undefined;
}

export class ConstantPredictor extends BasePredictor {
  readonly name = "constant" as const;
  predictNext(): number | undefined {
    return this.data.length ? this.data[this.data.length - 1] : undefined;
  }
}

export class KalmanPredictor extends BasePredictor {
  readonly name = "kalman" as const;
  // State [level, trend] and covariance P (2×2, symmetric).
  private x: [number, number] = [0, 0];
  private P: [number, number, number, number] = [1000, 0, 0, 1000];
  private initialised = false;
  private predicted = false;

  private q(): [number, number] {
    return [this.options.kalmanQLevel ?? 1.0, this.options.kalmanQTrend ?? 0.1];
  }

  private tf(v: number): number {
    return this.options.log1p ? Math.log1p(Math.max(0, v)) : v;
  }

  /** x ← F x, P ← F P Fᵀ + Q with F = [[1,1],[0,1]]. */
  private predictStep(): void {
    const [l, t] = this.x;
    this.x = [l + t, t];
    const [a, b, c, d] = this.P; // [[a,b],[c,d]]
    const [ql, qt] = this.q();
    // F P = [[a+c, b+d],[c, d]]; (F P) Fᵀ = [[a+c+b+d, b+d],[c+d, d]]
    this.P = [a + b + c + d + ql, b + d, c + d, d + qt];
    this.predicted = true;
  }

  protected override onAdd(v: number): void {
    const z = this.tf(v);
    if (!this.initialised) {
      this.x = [z, 0];
      this.initialised = true;
      this.predicted = false;
      return;
    }
    if (!this.predicted) this.predictStep();
    const r = this.options.kalmanR ?? 10.0;
    const [a, b, c, d] = this.P;
    const s = a + r; // H P Hᵀ + R with H = [1, 0]
    const k0 = a / s, k1 = c / s;
    const y = z - this.x[0];
    this.x = [this.x[0] + k0 * y, this.x[1] + k1 * y];
    // P ← (I − K H) P
    this.P = [(1 - k0) * a, (1 - k0) * b, c - k1 * a, d - k1 * b];
    this.predicted = false;
  }

  predictNext(): number | undefined {
    if (!this.initialised) return undefined;
    if (!this.predicted) this.predictStep();
    const level = this.x[0];
    return this.options.log1p ? Math.expm1(level) : level;
  }
}

interface ArFit {
  p: number;
  d: number;
  aic: number;
  forecast: number;
}

/** Conditional-least-squares AR(p) on the d-th difference; forecast back in level space. */
function fitAr(y: readonly number[], p: number, d: number): ArFit | undefined {
  const z = d === 0 ? [...y] : y.slice(1).map((v, i) => v - y[i]!);
  const n = z.length - p;
  if (n < p + 2) return undefined;
  let resid: number[];
  let next: number;
  if (p === 0) {
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    resid = z.map((v) => v - mean);
    next = mean;
  } else {
    const X: number[][] = [];
    const t: number[] = [];
    for (let i = p; i < z.length; i++) {
      X.push(Array.from({ length: p }, (_, k) => z[i - 1 - k]!));
      t.push(z[i]!);
    }
    const f = fitLinear(X, t);
    resid = t.map((v, i) => v - (f.intercept + f.coef.reduce((a, c, k) => a + c * X[i]![k]!, 0)));
    next = f.intercept + f.coef.reduce((a, c, k) => a + c * z[z.length - 1 - k]!, 0);
  }
  const m = resid.length;
  const sse = resid.reduce((a, r) => a + r * r, 0);
  const aic = m * Math.log(Math.max(sse / m, 1e-300)) + 2 * (p + 1);
  const forecast = d === 0 ? next : y[y.length - 1]! + next;
  if (!Number.isFinite(forecast)) return undefined;
  return { p, d, aic, forecast };
}

function bestAr(y: readonly number[]): ArFit | undefined {
  let best: ArFit | undefined;
  for (const d of [0, 1]) {
    for (let p = 0; p <= 3; p++) {
      const f = fitAr(y, p, d);
      // Compare AICs only within the same differencing (different sample sizes otherwise);
      // across d, prefer d = 1 unless d = 0 is clearly better (a crude unit-root guard).
      if (!f) continue;
      if (!best) best = f;
      else if (f.d === best.d ? f.aic < best.aic : f.aic < best.aic - 2) best = f;
    }
  }
  return best;
}

export class ArimaPredictor extends BasePredictor {
  readonly name = "arima" as const;

  predictNext(): number | undefined {
    const n = this.data.length;
    if (n === 0) return undefined;
    const last = this.data[n - 1]!;
    if (n < 5) return last;
    const y = this.data.slice(-(this.options.window ?? 120));
    if (y.every((v) => v === y[0])) return y[0];
    try {
      if (this.options.log1p) {
        const f = bestAr(y.map((v) => Math.log1p(Math.max(0, v))));
        return f ? Math.max(0, Math.expm1(f.forecast)) : last;
      }
      const f = bestAr(y);
      return f ? Math.max(0, f.forecast) : last;
    } catch {
      return last;
    }
  }
}

/**
 * A load predictor by name (constant, arima, kalman) for the planner's next-interval forecasts.
 *
 * @example
 * ```ts
 * const p = makePredictor("kalman");
 * ```
 */
export function makePredictor(name: LoadPredictorName, options: PredictorOptions = {}): LoadPredictor {
  switch (name) {
    case "constant":
      return new ConstantPredictor(options);
    case "kalman":
      return new KalmanPredictor(options);
    case "arima":
      return new ArimaPredictor(options);
  }
}
