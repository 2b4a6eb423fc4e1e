/**
 * Consolidation-aware scale-down (the load path's "−1" test, as ai-dynamo ≥ 1.2 decides it).
 *
 * Removing one of N engines hands its work to the N − 1 survivors, so each survivor carries about
 * N/(N − 1) times what it carries now. Before the load path gives up an engine it asks, for every
 * engine, whether that engine would still be inside the SLA with its backlog scaled by that factor:
 *
 * - TTFT (prefill engines, and the prefill side of agg engines). A new request's TTFT is its own
 *   compute (`own`, the estimate with an empty queue) plus the wait behind the queue. Only the wait
 *   grows with consolidation, so only the wait gets the safety margin: the scaled-queue estimate minus
 *   `own` must stay below (SLA − own) × sensitivity. When `own` alone leaves no budget, the answer is no.
 *   Agg engines also scale their decode KV (scheduled + queued) by the factor, and `own` is taken at
 *   that scaled KV.
 * - ITL (decode engines, and the decode side of agg engines). The scaled KV (scheduled + queued, plus
 *   queued prefill tokens on agg engines, which become KV once admitted) must fit below
 *   `max_kv_tokens` (past the cache the engine queues or evicts, which the regression cannot see), and
 *   the ITL estimate with that KV all scheduled must stay below SLA × sensitivity.
 *
 * Scaled token counts are truncated to integers, as Dynamo does. A "no" is a refusal (reported as
 * `scale_down_refused_consolidation`); an estimate the model cannot give (not fitted) also blocks the
 * scale-down but is not a refusal. The first engine that says no ends the check.
 */

/**
 * How much load each survivor takes on when one of `n` engines goes: n/(n − 1), or 1 for n ≤ 1.
 *
 * @example
 * ```ts
 * consolidationFactor(4); // 4/3: three engines absorb the fourth one's backlog
 * ```
 */
export function consolidationFactor(n: number): number {
  return n > 1 ? n / (n - 1) : 1;
}

/** The outcome of the check for one component. */
export interface ConsolidationVerdict {
  /** Every engine passed: the load path may remove one. */
  canScaleDown: boolean;
  /** An engine failed a check (as opposed to a missing estimate, or n ≤ 1). */
  refused: boolean;
}

const NOT_APPLICABLE: ConsolidationVerdict = { canScaleDown: false, refused: false };

/**
 * Prefill engines (disagg): each engine's queued prefill tokens scaled by n/(n − 1).
 *
 * @param ttftMs TTFT estimate (ms) of a request behind `queued` tokens; undefined if the model cannot say.
 * @example
 * ```ts
 * const v = prefillConsolidation([4000, 0], 2, 500, 80, (q) => model.estimateNextTtftMs(q, mbt, hit));
 * v.canScaleDown; // false when the busier engine's doubled queue would eat the TTFT budget
 * ```
 */
export function prefillConsolidation(queued: readonly number[], n: number, slaMs: number, sensitivityPct: number, ttftMs: (queued: number) => number | undefined): ConsolidationVerdict {
  if (n <= 1) return NOT_APPLICABLE;
  const own = ttftMs(0);
  if (own === undefined) return NOT_APPLICABLE;
  const factor = consolidationFactor(n);
  const budget = (slaMs - own) * (sensitivityPct / 100);
  if (budget <= 0) return { canScaleDown: false, refused: true };
  for (const q of queued) {
    const after = ttftMs(Math.trunc(q * factor));
    if (after === undefined) return NOT_APPLICABLE;
    if (after - own >= budget) return { canScaleDown: false, refused: true };
  }
  return { canScaleDown: true, refused: false };
}

/**
 * Decode engines (disagg): each engine's scheduled + queued KV scaled by n/(n − 1).
 *
 * @param itlMs ITL estimate (ms) with `kv` tokens scheduled and none queued; undefined if the model cannot say.
 * @example
 * ```ts
 * const v = decodeConsolidation([{ scheduled: 90_000, queued: 0 }], 2, 50, 80, 1_048_576, (kv) => model.estimateNextItlMs(kv, 0));
 * ```
 */
export function decodeConsolidation(engines: readonly { scheduled: number; queued: number }[], n: number, slaMs: number, sensitivityPct: number, maxKvTokens: number | undefined, itlMs: (kv: number) => number | undefined): ConsolidationVerdict {
  if (n <= 1) return NOT_APPLICABLE;
  const factor = consolidationFactor(n);
  const limit = slaMs * (sensitivityPct / 100);
  for (const e of engines) {
    const kv = Math.trunc((e.scheduled + e.queued) * factor);
    if (maxKvTokens !== undefined && maxKvTokens > 0 && kv >= maxKvTokens) return { canScaleDown: false, refused: true };
    const after = itlMs(kv);
    if (after === undefined) return NOT_APPLICABLE;
    if (after >= limit) return { canScaleDown: false, refused: true };
  }
  return { canScaleDown: true, refused: false };
}

/** One agg engine's backlog as its forward-pass metrics report it. */
export interface AggBacklog {
  queuedPrefill: number;
  scheduledKv: number;
  queuedKv: number;
}

/**
 * The prefill side of agg engines: queued prefill tokens and decode KV (scheduled + queued) both
 * scaled by n/(n − 1); own compute is the empty-queue TTFT at the scaled KV.
 *
 * @param ttftMs TTFT estimate (ms) behind `queued` prefill tokens with `kv` decode tokens in the batch.
 * @example
 * ```ts
 * const v = aggPrefillConsolidation(backlogs, 2, 2500, 80, (q, kv) => model.estimateNextTtftMs(q, mbt, kv, hit));
 * ```
 */
export function aggPrefillConsolidation(engines: readonly AggBacklog[], n: number, slaMs: number, sensitivityPct: number, ttftMs: (queued: number, kv: number) => number | undefined): ConsolidationVerdict {
  if (n <= 1) return NOT_APPLICABLE;
  const factor = consolidationFactor(n);
  const margin = sensitivityPct / 100;
  for (const e of engines) {
    const queued = Math.trunc(e.queuedPrefill * factor);
    const kv = Math.trunc((e.scheduledKv + e.queuedKv) * factor);
    const own = ttftMs(0, kv);
    const after = ttftMs(queued, kv);
    if (own === undefined || after === undefined) return NOT_APPLICABLE;
    const budget = (slaMs - own) * margin;
    if (budget <= 0 || after - own >= budget) return { canScaleDown: false, refused: true };
  }
  return { canScaleDown: true, refused: false };
}

/**
 * The decode side of agg engines: scheduled + queued KV plus queued prefill tokens, scaled by n/(n − 1).
 *
 * @example
 * ```ts
 * const v = aggDecodeConsolidation(backlogs, 2, 50, 80, caps.max_kv_tokens, (kv) => model.estimateNextItlMs(kv, 0));
 * ```
 */
export function aggDecodeConsolidation(engines: readonly AggBacklog[], n: number, slaMs: number, sensitivityPct: number, maxKvTokens: number | undefined, itlMs: (kv: number) => number | undefined): ConsolidationVerdict {
  // Summed in Dynamo's order (scheduled + queued KV, then queued prefill) so fractional inputs round alike.
  return decodeConsolidation(engines.map((e) => ({ scheduled: e.scheduledKv + e.queuedKv, queued: e.queuedPrefill })), n, slaMs, sensitivityPct, maxKvTokens, itlMs);
}
