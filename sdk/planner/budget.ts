/**
 * GPU budget clamps (dynamo.md §3.7). A negative budget means unlimited. Verified vectors in the
 * doc: budget 8 → (6,6)→(4,4), (2,9)→(1,7); budget 10, pg 2 → (4,8)→(2,6); budget 1 → (0,0).
 */

/**
 * One component: at least `minEndpoint`, at most what the budget holds, 0 when even that won't fit.
 *
 * @example
 * ```ts
 * budgetClamp(10, 2, 16, 1); // 8 engines of 2 GPUs fit a 16-GPU budget
 * ```
 */
export function budgetClamp(desired: number, gpusPerEngine: number | null | undefined, budget: number, minEndpoint: number): number {
  const d = Math.max(desired, minEndpoint);
  if (budget < 0 || !gpusPerEngine) return d;
  if (d * gpusPerEngine <= budget) return d;
  if (budget < minEndpoint * gpusPerEngine) return 0;
  return Math.max(minEndpoint, Math.floor(budget / gpusPerEngine));
}

/**
 * Prefill + decode under one budget: scale both down proportionally, decode takes the remainder.
 *
 * @example
 * ```ts
 * const [p, d] = globalBudget(6, 6, 1, 2, 12, 1); // prefill and decode under one GPU budget
 * ```
 */
export function globalBudget(prefill: number, decode: number, pg: number, dg: number, budget: number, minEndpoint: number): [number, number] {
  if (budget < 0) return [prefill, decode];
  const total = prefill * pg + decode * dg;
  if (total <= budget) return [prefill, decode];
  if (budget < minEndpoint * (pg + dg)) return [0, 0];
  const scale = budget / total;
  const maxP = Math.floor((budget - minEndpoint * dg) / pg);
  const p = Math.max(minEndpoint, Math.min(maxP, Math.floor(prefill * scale)));
  const d = Math.max(minEndpoint, Math.floor((budget - p * pg) / dg));
  return [p, d];
}
