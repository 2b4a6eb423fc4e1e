/**
 * "Easy" load scaling (optimization_target = throughput | latency; dynamo.md §3.8): static
 * thresholds on queue and KV utilisation per engine, no regressions. Steps are ±1; down needs n > 1.
 */
import type { EngineCapabilities } from "./config.js";
import type { WorkerFpm } from "./types.js";

export const EASY_THRESHOLDS = {
  throughput: { prefillUp: 1.0, prefillDown: 0.1, decodeUp: 1.0, decodeDown: 0.6 },
  latency: { prefillUp: 0.1, prefillDown: 0, decodeUp: 0.4, decodeDown: 0.1 },
} as const;

/**
 * Dynamo's easy-mode replica decision for a throughput or latency target from the workers' forward-pass metrics.
 *
 * @example
 * ```ts
 * const n = easyDecision("agg", "throughput", fpm, caps, 2);
 * ```
 */
export function easyDecision(kind: "prefill" | "decode" | "agg", target: "throughput" | "latency", fpm: readonly WorkerFpm[], caps: EngineCapabilities, n: number): number | undefined {
  if (fpm.length === 0) return undefined;
  const th = EASY_THRESHOLDS[target];
  const ctx = caps.max_kv_tokens;
  if (kind === "prefill") {
    const ratios = fpm.map((w) => w.queuedPrefillTokens / ctx);
    if (target === "throughput" ? ratios.some((r) => r >= th.prefillUp) : ratios.some((r) => r >= th.prefillUp)) return n + 1;
    const down = target === "throughput" ? ratios.every((r) => r < th.prefillDown) : ratios.every((r) => r <= th.prefillDown);
    return down && n > 1 ? n - 1 : n;
  }
  const utils = fpm.map((w) => (w.sumDecodeKvTokens + w.queuedDecodeKvTokens + (kind === "agg" ? w.queuedPrefillTokens : 0)) / ctx);
  if (utils.some((u) => u > th.decodeUp)) return n + 1;
  return utils.every((u) => u < th.decodeDown) && n > 1 ? n - 1 : n;
}
