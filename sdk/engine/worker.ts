/**
 * A deterministic model of one vLLM-style worker (Dynamo mocker semantics, dynamo.md §2.3):
 * continuous batching under a token budget, max running sequences, chunked prefill, KV blocks with
 * prefix caching, preemption by recompute, and every token of a pass stamped at the pass end.
 *
 * Speed: a run of passes where every running request is decoding, no block is needed, nothing
 * finishes and nothing waits is identical pass after pass except for its duration, so it is
 * planned as one "segment" and applied in bulk (O(requests + passes), no per-token work). A
 * segment is lazily applied: `advance(t)` applies the passes that ended by t, and `interrupt(t)`
 * (new work arriving) cuts it after the pass in progress, so the result equals pass-by-pass
 * simulation.
 *
 * Long because: the slow pass, the segment fast path and the per-request bookkeeping read and write
 * one hot state (queues, KV slots, gap pool) in the engine's inner loop; split across modules that
 * state would be passed around or reached through calls the loop cannot afford.
 */
import { KvCache } from "./kv-cache.js";
import type { EngineConfig } from "./config.js";
import type { PassShape, StepTimeModel, WorkerRole } from "./step-time.js";
import { resolveStepTime, stepTimeProfile } from "./step-time-spec.js";
import { quantileScratch, weightedQuantiles, weightedQuantilesInPlace, weightedQuantilesPlain } from "./weighted-quantiles.js";
import { GapPool } from "./gap-pool.js";
// Re-exported: tests and older imports name it from here.
export { weightedQuantiles };

// Module constants, read once (an imported binding can cost a getter call per use under a CJS transform).
const GAP_CHUNK = GapPool.CHUNK;
const GAP_NONE = GapPool.NONE;

/** A request as one worker sees it. Fields are read by the caller after hooks fire. */
export class Seq {
  readonly key: number;
  readonly isl: number;
  readonly osl: number;
  /** Dense ids of the prompt's full engine blocks (see BlockInterner). */
  readonly blockIds: Int32Array;
  /** When it reached this worker. */
  readonly enqueuedAt: number;
  numComputed = 0;
  generated = 0;
  heldCached = 0;
  heldAnon = 0;
  admitted = false;
  firstAdmittedAt = NaN;
  /** Prefix tokens found in the cache at first admission (Dynamo's reused_input_tokens). */
  cachedTokens = 0;
  preemptions = 0;
  preempted = false;
  firstTokenAt = NaN;
  lastTokenAt = NaN;
  /** Σ and max of inter-token gaps (ms). */
  itlSum = 0;
  itlMax = 0;
  finishedAt = NaN;
  /**
   * This request's inter-token gaps as runs of (gap ms, count), per-token percentiles without
   * per-token storage: `gapRuns` entries in a chunk list of `gapPool` (its worker's, set on enqueue).
   */
  gapPool: GapPool | undefined = undefined;
  gapRuns = 0;
  /** Σ of the counts added, and whether every value and count so far is plain (see weightedQuantilesPlain). */
  private gapTotal = 0;
  private gapsPlain = true;
  private gapHead = GAP_NONE;
  private gapTail = GAP_NONE;
  /** Scheduler scratch: tokens scheduled in the current pass. */
  scheduled = 0;

  constructor(key: number, isl: number, osl: number, blockIds: Int32Array, enqueuedAt: number) {
    if (!Number.isInteger(isl) || isl < 0) throw new RangeError(`Seq: input length must be an integer ≥ 0, got ${isl}`);
    if (!Number.isInteger(osl) || osl < 1) throw new RangeError(`Seq: output length must be an integer ≥ 1, got ${osl}`);
    this.key = key;
    this.isl = isl;
    this.osl = osl;
    this.blockIds = blockIds;
    this.enqueuedAt = enqueuedAt;
  }

  get done(): boolean {
    return this.generated >= this.osl;
  }

  addGaps(gapMs: number, count: number): void {
    this.gapTotal += count;
    if ((count >>> 0) !== count && (!Number.isInteger(count) || count < 0)) this.gapsPlain = false;
    const n = this.gapRuns;
    const pool = this.gapPool ?? (this.gapPool = new GapPool(4));
    const off = n % GAP_CHUNK;
    if (n > 0) {
      const last = this.gapTail * GAP_CHUNK + (off === 0 ? GAP_CHUNK - 1 : off - 1);
      if (pool.vals[last] === gapMs) {
        pool.cnts[last]! += count;
        return;
      }
    }
    if (off === 0) {
      const c = pool.take();
      if (n === 0) this.gapHead = c;
      else pool.next[this.gapTail] = c;
      this.gapTail = c;
    }
    if (!(gapMs > 0) && (gapMs !== gapMs || (gapMs === 0 && 1 / gapMs < 0))) this.gapsPlain = false;
    const at = this.gapTail * GAP_CHUNK + off;
    pool.vals[at] = gapMs;
    pool.cnts[at] = count;
    this.gapRuns = n + 1;
  }

  /** The gap runs as [values, counts] (copies). */
  gapRunsArrays(): [number[], number[]] {
    const v: number[] = [];
    const c: number[] = [];
    const pool = this.gapPool;
    for (let k = this.gapHead, i = 0; i < this.gapRuns; i++) {
      if (i > 0 && i % GAP_CHUNK === 0) k = pool!.next[k]!;
      v.push(pool!.vals[k * GAP_CHUNK + (i % GAP_CHUNK)]!);
      c.push(pool!.cnts[k * GAP_CHUNK + (i % GAP_CHUNK)]!);
    }
    return [v, c];
  }

  /** Quantiles of this request's inter-token gaps (linear interpolation over the tokens); NaN with no gap. */
  itlQuantiles(ps: readonly number[]): number[] {
    const n = this.gapRuns;
    const [v, w] = quantileScratch(n);
    const pool = this.gapPool;
    let i = 0;
    for (let k = this.gapHead; i < n; k = pool!.next[k]!) {
      const base = k * GAP_CHUNK;
      const end = Math.min(n - i, GAP_CHUNK);
      const vals = pool!.vals;
      const cnts = pool!.cnts;
      for (let j = 0; j < end; j++, i++) {
        v[i] = vals[base + j]!;
        w[i] = cnts[base + j]!;
      }
    }
    const total = this.gapTotal;
    // Totals and plainness are known from addGaps: skip the per-element check.
    if (this.gapsPlain && total > 0 && total <= 9007199254740991) return weightedQuantilesPlain(v, w, n, total, ps);
    return weightedQuantilesInPlace(v, w, n, ps);
  }

  /** Give the gap storage back to the pool (after the percentiles are taken); the request then has no gaps. */
  releaseGaps(): void {
    if (this.gapRuns > 0) this.gapPool!.release(this.gapHead);
    this.gapRuns = 0;
    this.gapTotal = 0;
    this.gapsPlain = true;
    this.gapHead = GAP_NONE;
    this.gapTail = GAP_NONE;
  }
}

/** One forward pass, as a worker reports it (the engine half of ForwardPassMetrics). */
export interface PassRecord extends Pick<PassShape, "numPrefill" | "sumPrefillTokens" | "sumPrefillKvTokens" | "numDecode" | "sumDecodeKvTokens" | "numReady" | "activeKvBlocks"> {
  start: number;
  end: number;
  wallTimeMs: number;
  kvUsage: number;
  queued: number;
  queuedPrefillTokens: number;
  queuedDecodeKvTokens: number;
}

export interface WorkerHooks {
  onAdmit?(seq: Seq, at: number, first: boolean): void;
  onFirstToken?(seq: Seq, at: number): void;
  onFinish?(seq: Seq, at: number): void;
  onPreempt?(seq: Seq, at: number): void;
  /** Called per pass only when set (building records costs time). */
  onPass?(pass: PassRecord): void;
  /** Inter-token gaps as (gap ms, how many tokens had it), for pooled ITL percentiles. */
  onGaps?(gapMs: number, count: number): void;
}

/** A FIFO with push-front for preempted requests. */
class Deque<T> {
  private buf: (T | undefined)[] = new Array(16);
  private head = 0;
  length = 0;
  push(v: T): void {
    if (this.length === this.buf.length) this.growBuf();
    this.buf[(this.head + this.length) % this.buf.length] = v;
    this.length++;
  }
  unshift(v: T): void {
    if (this.length === this.buf.length) this.growBuf();
    this.head = (this.head - 1 + this.buf.length) % this.buf.length;
    this.buf[this.head] = v;
    this.length++;
  }
  peek(): T | undefined {
    return this.length ? this.buf[this.head] : undefined;
  }
  at(i: number): T {
    return this.buf[(this.head + i) % this.buf.length] as T;
  }
  shift(): T | undefined {
    if (!this.length) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.buf.length;
    this.length--;
    return v;
  }
  private growBuf(): void {
    const n = this.buf.length;
    const b: (T | undefined)[] = new Array(n * 2);
    for (let i = 0; i < this.length; i++) b[i] = this.buf[(this.head + i) % n];
    this.buf = b;
    this.head = 0;
  }
}

const IDLE = 0;
const SLOW = 1;
const SEGMENT = 2;

export class EngineWorker {
  readonly config: EngineConfig;
  readonly role: WorkerRole;
  readonly cache: KvCache;
  readonly hooks: WorkerHooks;
  private readonly running: Seq[] = [];
  private readonly waiting = new Deque<Seq>();
  private readonly blockSize: number;
  private readonly capacity: number;
  private readonly shape: PassShape;
  private readonly stepTime: StepTimeModel;
  private readonly segmentStepConstant: boolean;
  private mode = IDLE;
  // Slow pass in flight.
  private passStart = 0;
  private passEnd = 0;
  /** Requests emitting a token at the end of the slow pass in flight: ready[0, readyN) (a count, not the array's length, so the array keeps its storage). */
  private readonly ready: Seq[] = [];
  private readyN = 0;
  private readonly record: PassRecord;
  // Segment in flight: passes [applied, count) end at segEnds[i] and last segDur[i].
  private segStart = 0;
  private segCount = 0;
  private segApplied = 0;
  private segKv0 = 0;
  private segEnds: Float64Array;
  private segDur: Float64Array;
  // A segment application's gaps as runs (value, count), reused.
  private runV: Float64Array;
  private runC: Float64Array;
  private readonly gapPool = new GapPool();
  // Queue accounting for forward-pass metrics.
  private queuedPrefillTokens = 0;
  private queuedDecodeKvTokens = 0;
  /** Passes run (segment passes included). */
  passes = 0;
  /** Increments whenever `nextEventAt` changes (lets an event heap drop stale entries). */
  version = 0;

  /** `idSpace`: expected number of distinct block ids (a sizing hint for the cache's index). */
  constructor(config: EngineConfig, role: WorkerRole = "agg", hooks: WorkerHooks = {}, idSpace = 0) {
    this.config = config;
    this.stepTime = resolveStepTime(config.stepTime);
    // The polynomial reads only prefill size, KV usage and whether tokens are emitted, all constant
    // over a segment, so a segment's passes share one duration (computed once, same value).
    const spec = typeof config.stepTime === "string" ? stepTimeProfile(config.stepTime) : config.stepTime;
    this.segmentStepConstant = spec.kind === "polynomial";
    this.role = role;
    this.hooks = hooks;
    this.blockSize = config.blockSize;
    this.capacity = config.numGpuBlocks;
    this.cache = new KvCache(config.numGpuBlocks, config.enablePrefixCaching, idSpace);
    this.segEnds = new Float64Array(config.blockSize + 1);
    this.segDur = new Float64Array(config.blockSize + 1);
    this.runV = new Float64Array(config.blockSize + 1);
    this.runC = new Float64Array(config.blockSize + 1);
    this.shape = { role, numPrefill: 0, prefillTokens: 0, sumPrefillTokens: 0, sumPrefillKvTokens: 0, numDecode: 0, sumDecodeKvTokens: 0, numReady: 0, activeKvBlocks: 0, kvCapacityBlocks: config.numGpuBlocks, blockSize: config.blockSize };
    this.record = { start: 0, end: 0, wallTimeMs: 0, numPrefill: 0, sumPrefillTokens: 0, sumPrefillKvTokens: 0, numDecode: 0, sumDecodeKvTokens: 0, numReady: 0, activeKvBlocks: 0, kvUsage: 0, queued: 0, queuedPrefillTokens: 0, queuedDecodeKvTokens: 0 };
  }

  get numRunning(): number {
    return this.running.length;
  }

  get numWaiting(): number {
    return this.waiting.length;
  }

  /** Requests on this worker (running + waiting). */
  get inFlight(): number {
    return this.running.length + this.waiting.length;
  }

  get idle(): boolean {
    return this.mode === IDLE;
  }

  get hasWork(): boolean {
    return this.running.length + this.waiting.length > 0;
  }

  /** End of the pass (or segment) in flight; Infinity when idle. */
  get nextEventAt(): number {
    if (this.mode === SLOW) return this.passEnd;
    if (this.mode === SEGMENT) return this.segEnds[this.segCount - 1]!;
    return Infinity;
  }

  get kvUsage(): number {
    return this.cache.activeBlocks / this.capacity;
  }

  /** Queue a request; a segment in flight is cut after the pass in progress so the request joins the next pass. */
  enqueue(seq: Seq, now: number): void {
    const need = Math.ceil((seq.isl + seq.osl) / this.blockSize);
    if (need > this.capacity) throw new RangeError(`request ${seq.key} needs ${need} KV blocks (${seq.isl}+${seq.osl} tokens), more than the worker's ${this.capacity}`);
    // Without chunked prefill a prompt runs in one pass: one over the token budget would wait at the
    // queue's head forever (vLLM refuses such a prompt outright).
    if (!this.config.enableChunkedPrefill && seq.isl > this.config.maxNumBatchedTokens) throw new RangeError(`request ${seq.key} has ${seq.isl} input tokens, more than maxNumBatchedTokens ${this.config.maxNumBatchedTokens}, with chunked prefill off (the prompt could never be scheduled)`);
    this.interrupt(now);
    if (seq.gapPool === undefined) seq.gapPool = this.gapPool;
    this.waiting.push(seq);
    this.queuedPrefillTokens += seq.isl;
  }

  /** Apply every pass that ended at or before `t` (hooks fire with the pass end time). */
  advance(t: number): void {
    if (this.mode === SLOW) {
      if (this.passEnd <= t) this.finishSlowPass();
    } else if (this.mode === SEGMENT) {
      let j = this.segApplied;
      while (j < this.segCount && this.segEnds[j]! <= t) j++;
      if (j > this.segApplied) this.applySegment(j - this.segApplied);
      if (this.segApplied === this.segCount) this.setMode(IDLE);
    }
  }

  /** Apply passes ended by `t`, then drop planned segment passes that would start at or after `t`. */
  interrupt(t: number): void {
    this.advance(t);
    if (this.mode !== SEGMENT) return;
    const start = this.segApplied === 0 ? this.segStart : this.segEnds[this.segApplied - 1]!;
    const keep = start < t ? this.segApplied + 1 : this.segApplied;
    if (keep !== this.segCount) {
      this.segCount = keep;
      this.version++;
      if (this.segApplied === this.segCount) this.setMode(IDLE);
    }
  }

  /** Start a pass at `now` if idle and there is work; returns whether one started. */
  start(now: number): boolean {
    if (this.mode !== IDLE || !this.hasWork) return false;
    const k = this.config.fastDecode === false ? 0 : this.segmentLength();
    if (k >= 2) this.planSegment(now, k);
    else this.planSlowPass(now);
    return true;
  }

  private setMode(m: number): void {
    this.mode = m;
    this.version++;
  }

  // ── slow path: one full scheduler pass ───────────────────────────────────────────────────────

  private allocate(r: Seq, tokens: number): boolean {
    const B = this.blockSize;
    // Already holding enough blocks (the common decode step): nothing to take. (Anonymous blocks
    // are only taken once every cached block is held, so this equals the loops below doing nothing.)
    if (tokens <= (r.heldCached + r.heldAnon) * B) return true;
    const need = Math.ceil(tokens / B);
    const cachedNeed = this.cache.caching ? Math.min(need, r.blockIds.length) : 0;
    if (r.heldCached < cachedNeed) {
      const cache = this.cache;
      const ids = r.blockIds;
      let h = r.heldCached;
      while (h < cachedNeed) {
        if (!cache.acquire(ids[h]!)) {
          r.heldCached = h;
          return false;
        }
        h++;
      }
      r.heldCached = h;
    }
    const anonNeed = need - cachedNeed;
    while (r.heldAnon < anonNeed) {
      if (!this.cache.acquireAnonymous()) return false;
      r.heldAnon++;
    }
    return true;
  }

  /** Release a request's blocks tail-first, so deeper blocks get older LRU stamps. */
  private free(r: Seq, destroy: boolean): void {
    if (r.heldAnon > 0) this.cache.releaseAnonymous(r.heldAnon);
    for (let j = r.heldCached - 1; j >= 0; j--) this.cache.release(r.blockIds[j]!, destroy);
    r.heldAnon = 0;
    r.heldCached = 0;
  }

  private preempt(victim: Seq, now: number): void {
    const i = this.running.indexOf(victim);
    if (i >= 0) this.running.splice(i, 1);
    this.free(victim, true);
    victim.numComputed = 0;
    victim.scheduled = 0;
    victim.preemptions++;
    victim.preempted = true;
    this.waiting.unshift(victim);
    this.queuedDecodeKvTokens += victim.isl + victim.generated;
    this.hooks.onPreempt?.(victim, now);
  }

  private planSlowPass(now: number): void {
    const B = this.blockSize;
    const cfg = this.config;
    let budget = cfg.maxNumBatchedTokens;
    let preempted = false;
    let numPrefill = 0;
    let sumPrefill = 0;
    let sumPrefix = 0;
    let totalIsl = 0;
    let numDecode = 0;
    let sumDecodeKv = 0;
    const running = this.running;
    for (let i = 0; i < running.length; i++) running[i]!.scheduled = 0;

    // Running requests first, in order.
    for (let i = 0; i < running.length; i++) {
      const r = running[i]!;
      const remaining = r.isl + r.generated - r.numComputed;
      if (remaining <= 0) continue;
      if (budget <= 0) break;
      const desired = Math.min(remaining, budget);
      let stop = false;
      while (!this.allocate(r, r.numComputed + desired)) {
        const victim = cfg.preemptionMode === "lifo" ? running[running.length - 1]! : running[0]!;
        preempted = true;
        if (victim === r) { this.preempt(r, now); stop = true; break; }
        const vi = running.indexOf(victim);
        budget += victim.scheduled;
        if (victim.scheduled > 0) {
          const before = victim.numComputed - victim.scheduled;
          if (before < victim.isl || victim.scheduled > 1) { numPrefill--; sumPrefill -= victim.scheduled; sumPrefix -= before; totalIsl -= before + victim.scheduled; }
          else { numDecode--; sumDecodeKv -= victim.isl + victim.generated; }
        }
        this.preempt(victim, now);
        if (vi < i) i--;
      }
      if (stop) break;
      const before = r.numComputed;
      r.scheduled = desired;
      r.numComputed += desired;
      budget -= desired;
      if (before < r.isl || desired > 1) { numPrefill++; sumPrefill += desired; sumPrefix += before; totalIsl += before + desired; }
      else { numDecode++; sumDecodeKv += r.isl + r.generated; }
    }

    // Then waiting requests, unless a preemption happened this pass.
    const waiting = this.waiting;
    while (!preempted && running.length < cfg.maxNumSeqs && waiting.length > 0) {
      const r = waiting.peek()!;
      const cached = this.cache.caching ? Math.min(this.cache.prefixHits(r.blockIds) * B, r.isl) : 0;
      const remaining = r.isl + r.generated - cached;
      if (remaining > 0 && budget <= 0) break;
      if (!cfg.enableChunkedPrefill && remaining > budget) {
        // Nothing running and a head that can never fit (a preempted request's recompute over the
        // budget): no later pass could change that, so say so instead of spinning forever.
        if (running.length === 0 && remaining > cfg.maxNumBatchedTokens) throw new RangeError(`request ${r.key} needs ${remaining} tokens in one pass (${r.preempted ? "recomputing after preemption" : "its prompt"}), more than maxNumBatchedTokens ${cfg.maxNumBatchedTokens}, with chunked prefill off`);
        break;
      }
      const desired = Math.min(remaining, budget);
      if (!this.allocate(r, cached + desired)) { this.free(r, false); break; }
      waiting.shift();
      if (r.preempted) { r.preempted = false; this.queuedDecodeKvTokens -= r.isl + r.generated; }
      else this.queuedPrefillTokens -= r.isl;
      const first = !r.admitted;
      if (first) { r.admitted = true; r.firstAdmittedAt = now; r.cachedTokens = cached; }
      r.numComputed = cached + desired;
      r.scheduled = desired;
      running.push(r);
      budget -= desired;
      if (desired > 0) {
        if (cached < r.isl || desired > 1) { numPrefill++; sumPrefill += desired; sumPrefix += cached; totalIsl += cached + desired; }
        else { numDecode++; sumDecodeKv += r.isl + r.generated; }
      }
      this.hooks.onAdmit?.(r, now, first);
    }

    // Ready: prompt complete and more tokens to emit.
    const ready = this.ready;
    let nReady = 0;
    for (let i = 0; i < running.length; i++) {
      const r = running[i]!;
      if (r.numComputed >= r.isl + r.generated && r.generated < r.osl) {
        if (nReady < ready.length) ready[nReady] = r;
        else ready.push(r);
        nReady++;
      }
    }
    this.readyN = nReady;

    const s = this.shape;
    s.numPrefill = numPrefill;
    s.prefillTokens = numPrefill > 0 ? numPrefill * (Math.floor(totalIsl / numPrefill) - Math.floor(sumPrefix / numPrefill)) : 0;
    s.sumPrefillTokens = sumPrefill;
    s.sumPrefillKvTokens = sumPrefix;
    s.numDecode = numDecode;
    s.sumDecodeKvTokens = sumDecodeKv;
    s.numReady = nReady;
    s.activeKvBlocks = this.cache.activeBlocks;
    const d = this.duration();
    this.passStart = now;
    this.passEnd = now + d;
    this.setMode(SLOW);
  }

  private duration(): number {
    const d = this.stepTime(this.shape);
    if (!(d >= 0) || !Number.isFinite(d)) throw new RangeError(`step-time model returned ${d} ms; expected a finite number ≥ 0`);
    return d;
  }

  private finishSlowPass(): void {
    const end = this.passEnd;
    const s = this.shape;
    this.passes++;
    const ready = this.ready;
    let finished = 0;
    let lastGap = NaN;
    let gapCount = 0;
    const nReady = this.readyN;
    for (let i = 0; i < nReady; i++) {
      const r = ready[i]!;
      r.generated++;
      if (r.generated === 1) {
        r.firstTokenAt = end;
        this.hooks.onFirstToken?.(r, end);
      } else {
        const gap = end - r.lastTokenAt;
        r.itlSum += gap;
        if (gap > r.itlMax) r.itlMax = gap;
        r.addGaps(gap, 1);
        if (gap === lastGap) gapCount++;
        else {
          if (gapCount > 0) this.hooks.onGaps?.(lastGap, gapCount);
          lastGap = gap;
          gapCount = 1;
        }
      }
      r.lastTokenAt = end;
      if (r.generated >= r.osl) finished++;
    }
    if (gapCount > 0) this.hooks.onGaps?.(lastGap, gapCount);
    this.setMode(IDLE);
    if (finished > 0) {
      const running = this.running;
      let w = 0;
      for (let i = 0; i < running.length; i++) {
        const r = running[i]!;
        if (r.generated >= r.osl) {
          this.free(r, false);
          r.finishedAt = end;
        } else running[w++] = r;
      }
      running.length = w;
      for (let i = 0; i < nReady; i++) {
        const r = ready[i]!;
        if (r.generated >= r.osl) this.hooks.onFinish?.(r, end);
      }
    }
    if (this.hooks.onPass) {
      const rec = this.fillRecord(this.passStart, end, s.numPrefill, s.sumPrefillTokens, s.sumPrefillKvTokens, s.numDecode, s.sumDecodeKvTokens, s.numReady, s.activeKvBlocks);
      this.hooks.onPass(rec);
    }
    this.readyN = 0;
  }

  private fillRecord(start: number, end: number, numPrefill: number, sumPrefill: number, sumPrefix: number, numDecode: number, sumDecodeKv: number, numReady: number, active: number): PassRecord {
    return {
      start,
      end,
      wallTimeMs: end - start,
      numPrefill,
      sumPrefillTokens: sumPrefill,
      sumPrefillKvTokens: sumPrefix,
      numDecode,
      sumDecodeKvTokens: sumDecodeKv,
      numReady,
      activeKvBlocks: active,
      kvUsage: active / this.capacity,
      queued: this.waiting.length,
      queuedPrefillTokens: this.queuedPrefillTokens,
      queuedDecodeKvTokens: this.queuedDecodeKvTokens,
    };
  }

  // ── fast path: a run of identical pure-decode passes ────────────────────────────────────────

  /** How many upcoming passes are pure decode with no allocation, no finish and no admission (0 if not applicable). */
  private segmentLength(): number {
    const running = this.running;
    const n = running.length;
    if (n === 0 || n > this.config.maxNumBatchedTokens) return 0;
    if (this.waiting.length > 0 && n < this.config.maxNumSeqs) return 0;
    const B = this.blockSize;
    let k = B;
    for (let i = 0; i < n; i++) {
      const r = running[i]!;
      const len = r.isl + r.generated;
      if (r.generated === 0 || r.numComputed !== len - 1 || r.numComputed < r.isl) return 0;
      const free = (r.heldCached + r.heldAnon) * B - r.numComputed;
      if (free < k) k = free;
      const rem = r.osl - r.generated - 1;
      if (rem < k) k = rem;
      if (k < 2) return 0;
    }
    return k;
  }

  private planSegment(now: number, k: number): void {
    const running = this.running;
    const n = running.length;
    let kv = 0;
    for (let i = 0; i < n; i++) kv += running[i]!.isl + running[i]!.generated;
    const s = this.shape;
    s.numPrefill = 0;
    s.prefillTokens = 0;
    s.sumPrefillTokens = 0;
    s.sumPrefillKvTokens = 0;
    s.numDecode = n;
    s.numReady = n;
    s.activeKvBlocks = this.cache.activeBlocks;
    let t = now;
    if (this.segmentStepConstant) {
      s.sumDecodeKvTokens = kv;
      const d = this.duration();
      for (let p = 0; p < k; p++) {
        this.segDur[p] = d;
        t += d;
        this.segEnds[p] = t;
      }
      s.sumDecodeKvTokens = kv + (k - 1) * n;
    } else {
      for (let p = 0; p < k; p++) {
        s.sumDecodeKvTokens = kv + p * n;
        const d = this.duration();
        this.segDur[p] = d;
        t += d;
        this.segEnds[p] = t;
      }
    }
    this.segStart = now;
    this.segCount = k;
    this.segApplied = 0;
    this.segKv0 = kv;
    this.setMode(SEGMENT);
  }

  private applySegment(j: number): void {
    const first = this.segApplied;
    const last = first + j - 1;
    const endLast = this.segEnds[last]!;
    const running = this.running;
    const n = running.length;
    let gapMax = 0;
    // The segment's gaps as runs (one run when the step time is constant over it).
    const runV = this.runV;
    const runC = this.runC;
    let runs = 0;
    for (let p = first; p <= last; p++) {
      const d = this.segDur[p]!;
      if (d > gapMax) gapMax = d;
      if (runs > 0 && runV[runs - 1] === d) runC[runs - 1]!++;
      else { runV[runs] = d; runC[runs] = 1; runs++; }
    }
    for (let i = 0; i < n; i++) {
      const r = running[i]!;
      r.generated += j;
      r.numComputed += j;
      r.itlSum += endLast - r.lastTokenAt;
      if (gapMax > r.itlMax) r.itlMax = gapMax;
      r.lastTokenAt = endLast;
      for (let q = 0; q < runs; q++) r.addGaps(runV[q]!, runC[q]!);
    }
    const onGaps = this.hooks.onGaps;
    if (onGaps) {
      let v = this.segDur[first]!;
      let c = n;
      for (let p = first + 1; p <= last; p++) {
        const d = this.segDur[p]!;
        if (d === v) c += n;
        else { onGaps(v, c); v = d; c = n; }
      }
      onGaps(v, c);
    }
    const onPass = this.hooks.onPass;
    if (onPass) {
      const active = this.cache.activeBlocks;
      for (let p = first; p <= last; p++) {
        const start = p === 0 ? this.segStart : this.segEnds[p - 1]!;
        onPass(this.fillRecord(start, this.segEnds[p]!, 0, 0, 0, n, this.segKv0 + p * n, n, active));
      }
    }
    this.passes += j;
    this.segApplied += j;
  }
}
