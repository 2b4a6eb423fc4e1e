// Quantiles of a run-length encoded sample: values with repeat counts, without expanding them (per-request ITL percentiles).
/**
 * Linear-interpolation quantiles of values repeated `counts` times (the expanded list is never built).
 *
 * @example
 * ```ts
 * weightedQuantiles([10, 20, 30], [1, 1, 2], [0.5, 0.9]);
 * ```
 */
export function weightedQuantiles(values: readonly number[], counts: readonly number[], ps: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  let total = 0;
  for (const c of counts) total += c;
  if (total === 0) return ps.map(() => NaN);
  const cum: number[] = [];
  let acc = 0;
  for (const i of order) { acc += counts[i]!; cum.push(acc); }
  const at = (rank: number) => {
    let k = 0;
    while (cum[k]! <= rank) k++;
    return values[order[k]!]!;
  };
  return ps.map((p) => {
    const h = (total - 1) * p;
    const f = Math.floor(h);
    const a = at(f);
    return a + (h - f) * (at(Math.min(f + 1, total - 1)) - a);
  });
}
