/**
 * Predictor warm-up from a trace (Dynamo's planner/offline/trace_data.py, dynamo.md §1.2): requests
 * bucketed by floor(timestamp_s / interval) × interval; each non-empty bucket gives its request
 * count and mean ISL/OSL (empty buckets are dropped, not zero-filled). The KV hit rate is never warmed.
 */
import type { TraceRequest } from "../trace/types.js";

export interface TraceInterval {
  startS: number;
  numReq: number;
  isl: number;
  osl: number;
}

/**
 * A trace cut into fixed intervals with each interval's request count and mean ISL/OSL (the planner's warm-up input).
 *
 * @example
 * ```ts
 * const intervals = traceIntervals(requests, 60); // per minute: requests, mean ISL and OSL
 * ```
 */
export function traceIntervals(requests: readonly TraceRequest[], intervalS: number): TraceInterval[] {
  if (!(intervalS > 0)) throw new RangeError(`traceIntervals: interval must be > 0 s, got ${intervalS}`);
  const buckets = new Map<number, { n: number; isl: number; osl: number }>();
  for (const r of requests) {
    const ts = r.timestamp;
    if (typeof ts !== "number" || !Number.isFinite(ts)) continue; // later turns without timestamps
    const k = Math.floor(ts / 1000 / intervalS) * intervalS;
    const b = buckets.get(k) ?? { n: 0, isl: 0, osl: 0 };
    b.n++;
    b.isl += r.input_length;
    b.osl += r.output_length;
    buckets.set(k, b);
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([startS, b]) => ({ startS, numReq: b.n, isl: b.isl / b.n, osl: b.osl / b.n }));
}
