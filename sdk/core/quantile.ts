/**
 * Percentiles, with the method named: the field's tools disagree, and a paper's numbers must say
 * which one they used.
 * - `linear`: interpolation between closest ranks (NumPy's default, Hyndman–Fan type 7).
 * - `nearest-rank`: sorted[ceil(n·p) − 1] (clusterloader2's `NewLatencyMetric`).
 * - `kube-burner`: montanaflynn/stats v0.7.1 `Percentile` as kube-burner uses it: i = p·n; whole →
 *   sorted[i − 1], else mean of sorted[⌊i⌋ − 1] and sorted[⌊i⌋] (no int truncation here; callers
 *   that want kube-burner's integer milliseconds truncate).
 */
export type QuantileMethod = "linear" | "nearest-rank" | "kube-burner";

/**
 * Quantile `p` in [0, 1] of values already sorted ascending. NaN for an empty list.
 *
 * @example
 * ```ts
 * const p99 = quantileSorted([...ttftMs].sort((a, b) => a - b), 0.99);
 * ```
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number, method: QuantileMethod = "linear"): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be in [0, 1], got ${p}`);
  switch (method) {
    case "linear": {
      const h = (n - 1) * p;
      const lo = Math.floor(h);
      const hi = Math.min(lo + 1, n - 1);
      return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
    }
    case "nearest-rank": {
      const idx = Math.max(0, Math.ceil(n * p) - 1);
      return sorted[Math.min(idx, n - 1)]!;
    }
    case "kube-burner": {
      if (n === 1) return sorted[0]!;
      const i = p * n;
      if (i === 0) return sorted[0]!;
      if (Number.isInteger(i)) return sorted[i - 1]!;
      const f = Math.floor(i);
      if (f === 0) return sorted[0]!;
      if (f >= n) return sorted[n - 1]!;
      return (sorted[f - 1]! + sorted[f]!) / 2;
    }
  }
}

/**
 * Quantile of unsorted values (NaN and null are dropped first).
 *
 * @example
 * ```ts
 * const p90 = quantile(ttftMs, 0.9);
 * ```
 */
export function quantile(values: Iterable<number | null | undefined>, p: number, method: QuantileMethod = "linear"): number {
  return quantileSorted(sortedFinite(values), p, method);
}

export function sortedFinite(values: Iterable<number | null | undefined>): Float64Array {
  const out: number[] = [];
  for (const v of values) if (typeof v === "number" && !Number.isNaN(v)) out.push(v);
  return Float64Array.from(out).sort();
}

export interface Distribution {
  count: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
}

/**
 * count, mean, min, max, p50, p90, p99 (NaN fields when empty).
 *
 * @example
 * ```ts
 * const d = describe([120, 95, 310, 88]); // { count, mean, min, max, p50, p90, p99 }
 * ```
 */
export function describe(values: Iterable<number | null | undefined>, method: QuantileMethod = "linear"): Distribution {
  const s = sortedFinite(values);
  let sum = 0;
  for (const v of s) sum += v;
  return {
    count: s.length,
    mean: s.length ? sum / s.length : NaN,
    min: s.length ? s[0]! : NaN,
    max: s.length ? s[s.length - 1]! : NaN,
    p50: quantileSorted(s, 0.5, method),
    p90: quantileSorted(s, 0.9, method),
    p99: quantileSorted(s, 0.99, method),
  };
}
