/**
 * The KV hit-rate discount of Dynamo PR #8314 (dynamo.md §3.9): prefill work shrinks by the
 * router's predicted prefix-cache hit rate, capped at 0.95 so a stale 1.0 cannot zero out a real
 * backlog; a missing or NaN rate means no discount.
 */
export const MAX_KV_HIT_RATE_DISCOUNT = 0.95;

/**
 * A KV hit rate clamped to [0, MAX_KV_HIT_RATE_DISCOUNT] (missing → 0), as the planner uses it.
 *
 * @example
 * ```ts
 * clampKvHitRate(0.99); // 0.95
 * ```
 */
export function clampKvHitRate(h: number | null | undefined): number {
  if (h === null || h === undefined || Number.isNaN(h)) return 0;
  return Math.min(MAX_KV_HIT_RATE_DISCOUNT, Math.max(0, h));
}

/**
 * `1 − clamp(h)`: the share of prefill work left after cache hits.
 *
 * @example
 * ```ts
 * const factor = kvDiscountFactor(0.3); // prefill work left after a 30% KV hit
 * ```
 */
export function kvDiscountFactor(h: number | null | undefined): number {
  return 1 - clampKvHitRate(h);
}
