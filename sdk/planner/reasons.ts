/** Decision reasons and their report colours (dynamo.md §3.10), and the aggregate-reason rule. */

export const LOAD_REASONS = ["scale_up", "scale_down", "scale_down_capped_by_throughput", "no_change", "disabled", "no_fpm_data", "scaling_in_progress", "worker_count_mismatch", "insufficient_data", "scale_down_refused_consolidation"] as const;
export type LoadReason = (typeof LOAD_REASONS)[number];

export const THROUGHPUT_REASONS = ["scale", "set_lower_bound", "disabled", "no_traffic_data", "predict_failed", "model_not_ready", "partner_not_ready"] as const;
export type ThroughputReason = (typeof THROUGHPUT_REASONS)[number];

export const LOAD_REASON_COLORS: Readonly<Record<LoadReason, string>> = {
  scale_up: "green",
  scale_down: "blue",
  scale_down_capped_by_throughput: "purple",
  no_change: "gray",
  disabled: "lightgray",
  no_fpm_data: "gold",
  scaling_in_progress: "orange",
  worker_count_mismatch: "red",
  insufficient_data: "pink",
  // Dynamo's recorder has no colour for it; ours picks one no other reason uses.
  scale_down_refused_consolidation: "teal",
};

export const THROUGHPUT_REASON_COLORS: Readonly<Record<ThroughputReason, string>> = {
  scale: "green",
  set_lower_bound: "blue",
  disabled: "lightgray",
  no_traffic_data: "gold",
  predict_failed: "red",
  model_not_ready: "orange",
  partner_not_ready: "pink",
};

const PRIORITY: Partial<Record<LoadReason, number>> = { scale_up: 4, scale_down_capped_by_throughput: 3, scale_down: 2, no_change: 1 };

/**
 * The aggregate load reason of a disagg tick: the per-component reason with the highest priority,
 * scale_up > scale_down_capped_by_throughput > scale_down > no_change. Reasons outside that list
 * (both sides equal, e.g. no_fpm_data) pass through.
 *
 * @example
 * ```ts
 * aggregateLoadReason(prefillReason, decodeReason); // the reason the report shows for the tick
 * ```
 */
export function aggregateLoadReason(...reasons: (LoadReason | undefined)[]): LoadReason | undefined {
  let best: LoadReason | undefined;
  for (const r of reasons) {
    if (r === undefined) continue;
    if (best === undefined || (PRIORITY[r] ?? 0) > (PRIORITY[best] ?? 0)) best = r;
  }
  return best;
}
