/**
 * Trace statistics: counts, duration, rate over time, ISL/OSL percentiles, and the ideal prefix
 * reuse an infinite cache on one worker would get. The ideal is computed here on its own (string
 * keys of hash prefixes, no engine code) so it can check the engine's prefix caching.
 */
import { describe, type Distribution, type QuantileMethod } from "../core/quantile.js";
import { DEFAULT_TRACE_BLOCK_SIZE, type TraceRequest } from "./types.js";
import { DEFAULT_ENGINE_CONFIG } from "../engine/defaults.js";
import { PrefixTrie } from "./prefix-trie.js";
import { HashIdSet } from "./id-set.js";

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

/**
 * Arrival order used by replay: first turns by timestamp (ties in file order); later turns after their previous turn.
 *
 * @example
 * ```ts
 * const order = arrivalOrder(requests); // indices by arrival time, sessions kept in turn order
 * ```
 */
export function arrivalOrder(requests: readonly TraceRequest[]): number[] {
  return requests.map((_, i) => i).sort((a, b) => requests[a]!.timestamp - requests[b]!.timestamp || a - b);
}

/**
 * Prefix reuse with an unbounded cache, visiting requests in arrival order: engine block j of a
 * request is a hit when an earlier request had the same trace-hash prefix up to the trace block
 * holding j's last token, and had block j full. Hits count as a leading run (a miss ends it).
 *
 * @example
 * ```ts
 * const reuse = idealPrefixReuse(requests, { engineBlockSize: 64 });
 * ```
 */
export function idealPrefixReuse(requests: readonly TraceRequest[], options: { traceBlockSize?: number; engineBlockSize?: number; order?: readonly number[] } = {}): IdealPrefixReuse {
  const acc = new PrefixReuseAccumulator(options);
  for (const i of options.order ?? arrivalOrder(requests)) acc.add(requests[i]!);
  return acc.result();
}

/** `idealPrefixReuse` one request at a time, fed in arrival order (what a streamed trace sorted by time gives). */
export class PrefixReuseAccumulator {
  private readonly T: number;
  private readonly B: number;
  // The trace-hash prefixes form a trie (a node per distinct prefix, found from its parent by the
  // next hash id): a request costs O(trace blocks), where whole-prefix string keys cost
  // O(blocks²) time and memory (111 s and 2.2 GB on 1e6 Mooncake lines).
  private readonly trie = new PrefixTrie();
  private covered = new Int32Array(1 << 12); // node → engine blocks seen full under that prefix (max j + 1)
  private inputTokens = 0;
  private reused = 0;
  private ratioSum = 0;
  private ratioN = 0;

  constructor(options: { traceBlockSize?: number; engineBlockSize?: number } = {}) {
    this.T = options.traceBlockSize ?? DEFAULT_TRACE_BLOCK_SIZE;
    this.B = options.engineBlockSize ?? DEFAULT_ENGINE_CONFIG.blockSize;
  }

  add(r: TraceRequest): void {
    const { T, B } = this;
    const nFull = Math.floor(r.input_length / B);
    let node = 0;
    let hits = 0;
    let leading = true;
    // Engine blocks [j, jEnd) end inside trace block tb (jEnd = ⌊(tb+1)·T/B⌋): they share the node
    // of the prefix up to tb, so a whole run is settled at once, O(trace blocks) per request.
    for (let tb = 0, j = 0; j < nFull; tb++) {
      node = this.trie.child(node, r.hash_ids[tb]!);
      if (node >= this.covered.length) { const grown = new Int32Array(this.covered.length * 2); grown.set(this.covered); this.covered = grown; }
      const jEnd = Math.min(nFull, Math.floor(((tb + 1) * T) / B));
      if (jEnd <= j) continue;
      const c = this.covered[node]!;
      if (leading) {
        hits += Math.max(0, Math.min(c, jEnd) - j);
        if (c < jEnd) leading = false;
      }
      if (c < jEnd) this.covered[node] = jEnd;
      j = jEnd;
    }
    this.inputTokens += r.input_length;
    this.reused += Math.min(hits * B, r.input_length);
    const islBlocks = Math.ceil(r.input_length / B);
    if (islBlocks > 0) { this.ratioSum += hits / islBlocks; this.ratioN++; }
  }

  result(): IdealPrefixReuse {
    const { inputTokens, reused } = this;
    return { engineBlockSize: this.B, inputTokens, reusedTokens: reused, tokenRatio: inputTokens > 0 ? reused / inputTokens : 0, meanRequestRatio: this.ratioN > 0 ? this.ratioSum / this.ratioN : 0 };
  }
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
export function traceStats(requests: readonly TraceRequest[], options: TraceStatsOptions = {}): TraceStats {
  const acc = new TraceStatsAccumulator({ ...options, prefixReuse: false });
  for (const r of requests) acc.add(r);
  return acc.result(idealPrefixReuse(requests, options));
}

export interface TraceStatsOptions {
  traceBlockSize?: number;
  engineBlockSize?: number;
  intervalS?: number;
  method?: QuantileMethod;
}

/**
 * `traceStats` over a stream, without keeping the requests: `add` them in file order. The ideal
 * prefix reuse is computed on the way while timestamps never go backwards (then file order is
 * arrival order); once one does, `inArrivalOrder` turns false and `result` needs the reuse given
 * (from `idealPrefixReuse` over the whole list).
 */
export class TraceStatsAccumulator {
  private readonly method: QuantileMethod;
  private readonly intervalS: number;
  private readonly sessions = new Set<string>();
  private anonymous = 0;
  private tMin = Infinity;
  private tMax = -Infinity;
  private inTok = 0;
  private outTok = 0;
  private blocks = 0;
  private readonly ids = new HashIdSet();
  private readonly isl: number[] = [];
  private readonly osl: number[] = [];
  /** First turns (every request without a session): arrival, input and output lengths, in file order. */
  private readonly firsts = { t: [] as number[], isl: [] as number[], osl: [] as number[] };
  private reuse: PrefixReuseAccumulator | null;
  private lastT = -Infinity;

  constructor(options: TraceStatsOptions & { prefixReuse?: boolean } = {}) {
    this.method = options.method ?? "linear";
    this.intervalS = options.intervalS ?? 60;
    this.reuse = options.prefixReuse === false ? null : new PrefixReuseAccumulator(options);
  }

  /** True while every timestamp so far was ≥ the one before (the ideal reuse is then computed on the way). */
  get inArrivalOrder(): boolean {
    return this.reuse !== null;
  }

  add(r: TraceRequest): void {
    this.inTok += r.input_length;
    this.outTok += r.output_length;
    this.blocks += r.hash_ids.length;
    for (const h of r.hash_ids) this.ids.add(h);
    this.isl.push(r.input_length);
    this.osl.push(r.output_length);
    const first = r.session_id === undefined || !this.sessions.has(r.session_id);
    if (r.session_id === undefined) this.anonymous++;
    else this.sessions.add(r.session_id);
    if (first) {
      this.firsts.t.push(r.timestamp);
      this.firsts.isl.push(r.input_length);
      this.firsts.osl.push(r.output_length);
      this.tMin = Math.min(this.tMin, r.timestamp);
      this.tMax = Math.max(this.tMax, r.timestamp);
    }
    if (r.timestamp < this.lastT) this.reuse = null;
    this.lastT = Math.max(this.lastT, r.timestamp);
    this.reuse?.add(r);
  }

  result(reuse?: IdealPrefixReuse): TraceStats {
    const ideal = reuse ?? this.reuse?.result();
    if (!ideal) throw new RangeError("the requests were not in arrival order: pass the ideal prefix reuse computed over the whole list");
    const { intervalS, tMin } = this;
    const n = this.isl.length;
    const durationMs = n > 0 ? this.tMax - tMin : 0;
    const nb = Math.floor(durationMs / (intervalS * 1000)) + 1;
    const buckets = Array.from({ length: n > 0 ? nb : 0 }, () => ({ n: 0, isl: 0, osl: 0 }));
    for (let k = 0; k < this.firsts.t.length; k++) {
      const b = buckets[Math.floor((this.firsts.t[k]! - tMin) / (intervalS * 1000))]!;
      b.n++;
      b.isl += this.firsts.isl[k]!;
      b.osl += this.firsts.osl[k]!;
    }
    return {
      requests: n,
      sessions: this.sessions.size + this.anonymous,
      durationMs,
      meanRateRps: durationMs > 0 ? n / (durationMs / 1000) : NaN,
      inputTokens: this.inTok,
      outputTokens: this.outTok,
      isl: describe(this.isl, this.method),
      osl: describe(this.osl, this.method),
      totalBlocks: this.blocks,
      uniqueHashIds: this.ids.size,
      idealPrefixReuse: ideal,
      percentileMethod: this.method,
      rate: buckets.map((b, i) => ({ startS: i * intervalS, requests: b.n, rateRps: b.n / intervalS, meanIsl: b.n ? b.isl / b.n : null, meanOsl: b.n ? b.osl / b.n : null })),
    };
  }
}
