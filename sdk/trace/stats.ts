/**
 * Trace statistics: counts, duration, rate over time, ISL/OSL percentiles, and the ideal prefix
 * reuse an infinite cache on one worker would get. The ideal is computed here on its own (string
 * keys of hash prefixes, no engine code) so it can check the engine's prefix caching.
 */
import { describe, type Distribution, type QuantileMethod } from "../core/quantile.js";
import { DEFAULT_TRACE_BLOCK_SIZE, type TraceRequest } from "./types.js";
import { DEFAULT_ENGINE_CONFIG } from "../engine/defaults.js";
import { PrefixTrie } from "./prefix-trie.js";

export interface IdealPrefixReuse {
  engineBlockSize: number;
  inputTokens: number;
  /** Σ over requests of the leading full engine blocks some earlier request also had, in tokens. */
  reusedTokens: number;
  /** reusedTokens / inputTokens (Dynamo's prefix_cache_reused_ratio at its best). */
  tokenRatio: number;
  /** Mean over requests (with ≥ 1 block) of hit blocks / ceil(ISL / block size) (the avg_kv_hit_rate definition). */
  meanRequestRatio: number;
}

/** Arrival order used by replay: first turns by timestamp (ties in file order); later turns after their previous turn. */
export function arrivalOrder(requests: readonly TraceRequest[]): number[] {
  return requests.map((_, i) => i).sort((a, b) => requests[a]!.timestamp - requests[b]!.timestamp || a - b);
}

/**
 * Prefix reuse with an unbounded cache, visiting requests in arrival order: engine block j of a
 * request is a hit when an earlier request had the same trace-hash prefix up to the trace block
 * holding j's last token, and had block j full. Hits count as a leading run (a miss ends it).
 */
export function idealPrefixReuse(requests: readonly TraceRequest[], options: { traceBlockSize?: number; engineBlockSize?: number; order?: readonly number[] } = {}): IdealPrefixReuse {
  const T = options.traceBlockSize ?? DEFAULT_TRACE_BLOCK_SIZE;
  const B = options.engineBlockSize ?? DEFAULT_ENGINE_CONFIG.blockSize;
  // The trace-hash prefixes form a trie (a node per distinct prefix, found from its parent by the
  // next hash id): a request costs O(trace blocks), where whole-prefix string keys cost
  // O(blocks²) time and memory (111 s and 2.2 GB on 1e6 Mooncake lines).
  const trie = new PrefixTrie();
  let covered = new Int32Array(1 << 12); // node → engine blocks seen full under that prefix (max j + 1)
  let inputTokens = 0;
  let reused = 0;
  let ratioSum = 0;
  let ratioN = 0;
  for (const i of options.order ?? arrivalOrder(requests)) {
    const r = requests[i]!;
    const nFull = Math.floor(r.input_length / B);
    let node = 0;
    let hits = 0;
    let leading = true;
    // Engine blocks [j, jEnd) end inside trace block tb (jEnd = ⌊(tb+1)·T/B⌋): they share the node
    // of the prefix up to tb, so a whole run is settled at once, O(trace blocks) per request.
    for (let tb = 0, j = 0; j < nFull; tb++) {
      node = trie.child(node, r.hash_ids[tb]!);
      if (node >= covered.length) { const grown = new Int32Array(covered.length * 2); grown.set(covered); covered = grown; }
      const jEnd = Math.min(nFull, Math.floor(((tb + 1) * T) / B));
      if (jEnd <= j) continue;
      const c = covered[node]!;
      if (leading) {
        hits += Math.max(0, Math.min(c, jEnd) - j);
        if (c < jEnd) leading = false;
      }
      if (c < jEnd) covered[node] = jEnd;
      j = jEnd;
    }
    inputTokens += r.input_length;
    reused += Math.min(hits * B, r.input_length);
    const islBlocks = Math.ceil(r.input_length / B);
    if (islBlocks > 0) { ratioSum += hits / islBlocks; ratioN++; }
  }
  return { engineBlockSize: B, inputTokens, reusedTokens: reused, tokenRatio: inputTokens > 0 ? reused / inputTokens : 0, meanRequestRatio: ratioN > 0 ? ratioSum / ratioN : 0 };
}

export interface RatePoint {
  startS: number;
  requests: number;
  rateRps: number;
  meanIsl: number | null;
  meanOsl: number | null;
}

export interface TraceStats {
  requests: number;
  sessions: number;
  /** Last minus first first-turn timestamp (ms). */
  durationMs: number;
  meanRateRps: number;
  inputTokens: number;
  outputTokens: number;
  isl: Distribution;
  osl: Distribution;
  totalBlocks: number;
  uniqueHashIds: number;
  idealPrefixReuse: IdealPrefixReuse;
  percentileMethod: QuantileMethod;
  /** Requests per interval of first-turn timestamps (every interval, zeros included). */
  rate: RatePoint[];
}

/**
 * A trace's shape: request count, duration and rate, ISL/OSL percentiles, prefix reuse and the rate over time.
 *
 * @example
 * ```ts
 * const { requests } = loadTrace("datasets/traces/public/mooncake/conversation_trace.jsonl.gz");
 * const s = traceStats(requests);
 * console.log(s.requests, s.durationMs, s.meanRateRps);
 * ```
 */
export function traceStats(requests: readonly TraceRequest[], options: { traceBlockSize?: number; engineBlockSize?: number; intervalS?: number; method?: QuantileMethod } = {}): TraceStats {
  const method = options.method ?? "linear";
  const intervalS = options.intervalS ?? 60;
  const sessions = new Set<string>();
  let anonymous = 0;
  let tMin = Infinity;
  let tMax = -Infinity;
  let inTok = 0;
  let outTok = 0;
  let blocks = 0;
  const ids = new Set<number>();
  const seenSession = new Set<string>();
  const firsts: TraceRequest[] = [];
  for (const r of requests) {
    inTok += r.input_length;
    outTok += r.output_length;
    blocks += r.hash_ids.length;
    for (const h of r.hash_ids) ids.add(h);
    if (r.session_id === undefined) anonymous++;
    else sessions.add(r.session_id);
    if (r.session_id === undefined || !seenSession.has(r.session_id)) {
      firsts.push(r);
      tMin = Math.min(tMin, r.timestamp);
      tMax = Math.max(tMax, r.timestamp);
      if (r.session_id !== undefined) seenSession.add(r.session_id);
    }
  }
  const durationMs = requests.length > 0 ? tMax - tMin : 0;
  const nb = Math.floor(durationMs / (intervalS * 1000)) + 1;
  const buckets = Array.from({ length: requests.length > 0 ? nb : 0 }, () => ({ n: 0, isl: 0, osl: 0 }));
  for (const r of firsts) {
    const b = buckets[Math.floor((r.timestamp - tMin) / (intervalS * 1000))]!;
    b.n++;
    b.isl += r.input_length;
    b.osl += r.output_length;
  }
  return {
    requests: requests.length,
    sessions: sessions.size + anonymous,
    durationMs,
    meanRateRps: durationMs > 0 ? requests.length / (durationMs / 1000) : NaN,
    inputTokens: inTok,
    outputTokens: outTok,
    isl: describe(requests.map((r) => r.input_length), method),
    osl: describe(requests.map((r) => r.output_length), method),
    totalBlocks: blocks,
    uniqueHashIds: ids.size,
    idealPrefixReuse: idealPrefixReuse(requests, options),
    percentileMethod: method,
    rate: buckets.map((b, i) => ({ startS: i * intervalS, requests: b.n, rateRps: b.n / intervalS, meanIsl: b.n ? b.isl / b.n : null, meanOsl: b.n ? b.osl / b.n : null })),
  };
}
