/**
 * Trace transforms. Each returns new rows (inputs are not mutated). Sessions stay whole: a
 * selection keeps or drops a session by its first turn.
 */
import type { Rng } from "../core/rng.js";
import type { TraceRequest } from "./types.js";

/** Index of each request's session's first turn. */
function firstTurnOf(requests: readonly TraceRequest[]): Int32Array {
  const first = new Map<string, number>();
  const out = new Int32Array(requests.length);
  requests.forEach((r, i) => {
    if (r.session_id === undefined) { out[i] = i; return; }
    const f = first.get(r.session_id);
    if (f === undefined) { first.set(r.session_id, i); out[i] = i; }
    else out[i] = f;
  });
  return out;
}

const copy = (r: TraceRequest): TraceRequest => ({ ...r, hash_ids: r.hash_ids.slice() });

/**
 * Shift timestamps so the earliest first turn is at 0.
 *
 * @example
 * ```ts
 * const fromZero = normalizeTimestamps(timeWindow(requests, 600_000, 1_200_000));
 * ```
 */
export function normalizeTimestamps(requests: readonly TraceRequest[]): TraceRequest[] {
  const ft = firstTurnOf(requests);
  let t0 = Infinity;
  requests.forEach((r, i) => { if (ft[i] === i) t0 = Math.min(t0, r.timestamp); });
  return requests.map((r) => ({ ...copy(r), timestamp: r.timestamp - t0 }));
}

/**
 * Divide timestamps and inter-turn delays by `ratio` (> 1 compresses arrivals), after normalizing (Dynamo's order).
 *
 * @example
 * ```ts
 * const faster = speedUp(loadTrace("datasets/traces/public/mooncake/conversation_trace.jsonl.gz").requests, 2); // arrivals twice as fast
 * ```
 */
export function speedUp(requests: readonly TraceRequest[], ratio: number): TraceRequest[] {
  if (!(ratio > 0) || !Number.isFinite(ratio)) throw new RangeError(`speedUp: ratio must be finite and > 0, got ${ratio}`);
  return normalizeTimestamps(requests).map((r) => {
    const out: TraceRequest = { ...r, timestamp: r.timestamp / ratio };
    if (r.delay !== undefined) out.delay = r.delay / ratio;
    return out;
  });
}

/**
 * Sessions whose first turn arrives in [fromMs, toMs). Timestamps are kept (normalize after if wanted).
 *
 * @example
 * ```ts
 * const firstTenMinutes = timeWindow(requests, 0, 10 * 60_000);
 * ```
 */
export function timeWindow(requests: readonly TraceRequest[], fromMs: number, toMs: number): TraceRequest[] {
  const ft = firstTurnOf(requests);
  return requests.filter((_, i) => {
    const t = requests[ft[i]!]!.timestamp;
    return t >= fromMs && t < toMs;
  }).map(copy);
}

/**
 * The first `n` requests in file order (Dynamo's "10%" trace is `head -2361`).
 *
 * @example
 * ```ts
 * const first500 = head(requests, 500);
 * ```
 */
export function head(requests: readonly TraceRequest[], n: number): TraceRequest[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`head: n must be an integer ≥ 0, got ${n}`);
  return requests.slice(0, n).map(copy);
}

/**
 * Keep each session with probability `fraction` (seeded).
 *
 * @example
 * ```ts
 * const tenth = sample(requests, 0.1, rng(1).split("sample"));
 * ```
 */
export function sample(requests: readonly TraceRequest[], fraction: number, rng: Rng): TraceRequest[] {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`sample: fraction must be in [0, 1], got ${fraction}`);
  const ft = firstTurnOf(requests);
  const keep = new Uint8Array(requests.length);
  requests.forEach((_, i) => { if (ft[i] === i) keep[i] = rng.random() < fraction ? 1 : 0; });
  return requests.filter((_, i) => keep[ft[i]!] === 1).map(copy);
}

/**
 * Concatenate traces in time: each starts `gapMs` after the previous one's last first-turn
 * arrival. Session ids get a `<k>:` prefix so sessions of different traces stay apart. Hash ids
 * are kept: equal ids across traces mean shared prefixes (offset them first if they should not).
 *
 * @example
 * ```ts
 * const twice = concatTraces([requests, requests], 60_000); // the second copy starts 1 min after the first ends
 * ```
 */
export function concatTraces(traces: readonly (readonly TraceRequest[])[], gapMs = 0): TraceRequest[] {
  const out: TraceRequest[] = [];
  let offset = 0;
  traces.forEach((t, k) => {
    const norm = normalizeTimestamps(t);
    let last = 0;
    for (const r of norm) {
      const o: TraceRequest = { ...r, timestamp: r.timestamp + offset };
      if (r.session_id !== undefined) o.session_id = `${k}:${r.session_id}`;
      out.push(o);
      last = Math.max(last, r.timestamp);
    }
    offset += last + gapMs;
  });
  return out;
}

/**
 * Add `offset` to every hash id (to keep two traces' prefix spaces apart).
 *
 * @example
 * ```ts
 * const merged = concatTraces([a, offsetHashIds(b, 1_000_000)]); // b shares no prefix blocks with a
 * ```
 */
export function offsetHashIds(requests: readonly TraceRequest[], offset: number): TraceRequest[] {
  return requests.map((r) => ({ ...r, hash_ids: r.hash_ids.map((h) => h + offset) }));
}
