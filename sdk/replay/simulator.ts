/**
 * The replay's discrete-event core (dynamo.md §2.6): a fleet of engine workers behind routers, fed
 * by a trace on a virtual clock. At each timestamp, in order: apply pass completions → activate
 * ready workers → release arrivals (routing) → start passes on idle workers. `advanceTo(t)` runs
 * everything up to and including t (what a controller tick uses).
 *
 * Hot-path state is typed arrays and a typed-array heap; per request there is one small record.
 * Which request arrives when (trace timestamps, session turns, closed-loop concurrency) is
 * arrivals.ts's; this class owns the clock, the fleet and the release heap.
 */
import { rng as makeRng, type Rng } from "../core/rng.js";
import { BlockInterner } from "../engine/block-ids.js";
import { engineConfig, type EngineConfig } from "../engine/config.js";
import { EngineWorker, Seq, type PassRecord } from "../engine/worker.js";
import type { TraceRequest } from "../trace/types.js";
import { DEFAULT_TRACE_BLOCK_SIZE } from "../trace/types.js";
import type { FleetControl, FleetObservations, ForwardPassMetrics, Pool, TrafficWindow, WorkerInfo } from "./control.js";
import { Router, type RouterPolicy, type RouterView } from "./router.js";
import { Arrivals } from "./arrivals.js";
import { TimeHeap, WeightedLog } from "./time-heap.js";
import type { ReplayEvent, ReplayOptions } from "./options.js";
import { STREAMS } from "../core/streams.js";

/** Per-request bookkeeping (one object per request that has arrived). */
export interface Track {
  index: number;
  arrivalMs: number;
  /** Full prompt block ids while the request is in flight (emptied when it completes). */
  blockIds: Int32Array;
  islBlocks: number;
  /** Overlap at the first-stage routing (agg or prefill pool), in blocks. */
  overlapBlocks: number;
  worker: string | null;
  prefillWorker: string | null;
  admittedMs: number;
  firstTokenMs: number;
  finishMs: number;
  transferMs: number;
  itlSum: number;
  itlMax: number;
  /** p50, p90, p99 of this request's inter-token gaps. */
  itlQ: number[];
  generated: number;
  cachedTokens: number;
  preemptions: number;
  /** Router accounting for the current stage. */
  pendingPrefill: number;
  pendingBlocks: number;
  stage: 0 | 1;
}

class FleetWorker implements RouterView {
  state: WorkerInfo["state"] | "gone" = "starting";
  heapVersion = -1;
  pendingPrefillTokens = 0;
  pendingBlocks = 0;
  touched = false;
  constructor(readonly index: number, readonly id: string, readonly pool: Pool, readonly engine: EngineWorker, readonly requestedAt: number, public readyAt: number) {}
  get inFlight(): number {
    return this.engine.inFlight;
  }
  get activeBlocks(): number {
    return this.engine.cache.activeBlocks;
  }
  overlap(ids: Int32Array): number {
    return this.engine.cache.prefixHits(ids);
  }
  activeOverlap(ids: Int32Array, overlapBlocks: number): number {
    return this.engine.cache.activeHits(ids, overlapBlocks);
  }
}

const EMPTY = new Int32Array(0);
const ITL_PS = [0.5, 0.9, 0.99];
const NO_Q = [NaN, NaN, NaN];
const ARRIVE = 0;
const HANDOFF = 1;
const DISPATCH = 2;
const DRAIN = 3;
const POOLS: Pool[] = ["agg", "prefill", "decode"];

/** Scaling and membership changes of the fleet, as rows. */
export interface FleetChange {
  atMs: number;
  workerId: string;
  pool: Pool;
  change: "requested" | "ready" | "draining" | "removed" | "cancelled";
}

export class ReplaySim {
  readonly options: ReplayOptions;
  readonly requests: readonly TraceRequest[];
  readonly mode: "agg" | "disagg";
  readonly blockSize: number;
  readonly tracks: (Track | undefined)[];
  readonly changes: FleetChange[] = [];
  readonly gaps = new WeightedLog();
  now = 0;
  completed = 0;
  /** Distinct block ids of the trace (sizes each cache's id index). */
  private readonly idSpace: number;
  private readonly blockIdsOf: Int32Array[];
  private readonly engines: Record<Pool, EngineConfig>;
  private readonly routers: Record<Pool, Router>;
  private readonly rng: Rng;
  private readonly workersAll: FleetWorker[] = [];
  private readonly ready: Record<Pool, FleetWorker[]> = { agg: [], prefill: [], decode: [] };
  private readonly poolCounter: Record<Pool, number> = { agg: 0, prefill: 0, decode: 0 };
  private readonly routerQueue: Record<Pool, number[]> = { agg: [], prefill: [], decode: [] };
  private readonly workerHeap = new TimeHeap();
  private readonly releases = new TimeHeap();
  private readonly startups = new TimeHeap();
  private readonly touchedList: FleetWorker[] = [];
  private touchedN = 0;
  private readonly arrivals: Arrivals;
  // Controller observations.
  private passLog: ForwardPassMetrics[] = [];
  private readonly recordPasses: boolean;
  private readonly allPasses: ForwardPassMetrics[] | undefined;
  private win = { start: 0, n: 0, isl: 0, osl: 0, ttft: 0, ttftN: 0, itl: 0, itlN: 0, hit: 0, hitN: 0 };
  private readonly emit: ((e: ReplayEvent) => void) | undefined;

  constructor(requests: readonly TraceRequest[], options: ReplayOptions = {}) {
    this.requests = requests;
    this.options = options;
    if (requests.length === 0) throw new RangeError("replay: the trace has no requests");
    this.mode = options.mode ?? "agg";
    if (this.mode !== "agg" && this.mode !== "disagg") throw new RangeError(`replay: mode must be agg or disagg, got ${String(this.mode)}`);
    const base = options.engine ?? {};
    this.engines = {
      agg: engineConfig(base),
      prefill: engineConfig({ ...base, ...options.prefillEngine }),
      decode: engineConfig({ ...base, ...options.decodeEngine }),
    };
    const pools: Pool[] = this.mode === "agg" ? ["agg"] : ["prefill", "decode"];
    this.blockSize = this.engines[pools[0]!].blockSize;
    for (const p of pools) if (this.engines[p].blockSize !== this.blockSize) throw new RangeError("replay: prefill and decode engines must share one KV block size");
    this.rng = makeRng(options.seed ?? 1);
    const policy: RouterPolicy = options.router ?? "round-robin";
    const w = options.overlapScoreWeight ?? 1;
    this.routers = {
      agg: new Router(policy, this.rng.split(STREAMS.routerAgg), w, this.blockSize),
      prefill: new Router(policy, this.rng.split(STREAMS.routerPrefill), w, this.blockSize),
      // Dynamo's decode router ignores overlap (weight 0) and prefill load.
      decode: new Router(policy, this.rng.split(STREAMS.routerDecode), 0, this.blockSize),
    };
    this.emit = options.onEvent;
    this.recordPasses = options.controller !== undefined || options.recordPasses === true;
    this.allPasses = options.recordPasses ? [] : undefined;
    this.tracks = new Array(requests.length);
    // Intern every prompt's blocks up front: ids are then dense and known, so caches size their index once.
    // The interner (its prefix table) is dropped once every prompt is interned.
    let hashIds = 0;
    for (let i = 0; i < requests.length; i++) hashIds += requests[i]!.hash_ids.length;
    const interner = new BlockInterner(options.traceBlockSize ?? DEFAULT_TRACE_BLOCK_SIZE, this.blockSize, hashIds);
    this.blockIdsOf = requests.map((r) => interner.blockIds(r.hash_ids, r.input_length));
    this.idSpace = interner.size;

    // Sessions, think times and closed-loop concurrency (arrivals.ts).
    this.arrivals = new Arrivals(requests, options);
    if (this.arrivals.closedLoop) this.releases.push(0, -1, DISPATCH);
    // The initial fleet is ready at t = 0.
    if (this.mode === "agg") for (let i = 0; i < (options.workers ?? 1); i++) this.addWorker("agg", 0);
    else {
      for (let i = 0; i < (options.prefillWorkers ?? 1); i++) this.addWorker("prefill", 0);
      for (let i = 0; i < (options.decodeWorkers ?? 1); i++) this.addWorker("decode", 0);
    }
  }

  /** All requests finished. */
  get done(): boolean {
    return this.completed === this.requests.length;
  }

  /** Nothing left that could ever happen without outside help (no events, nothing running). */
  get quiescent(): boolean {
    return this.nextTime() === Infinity && this.workersAll.every((w) => w.state === "gone" || !w.engine.hasWork);
  }

  // ── fleet control ─────────────────────────────────────────────────────────────────────────────

  addWorker(pool: Pool, startupDelayMs: number): string {
    if (this.mode === "agg" ? pool !== "agg" : pool === "agg") throw new RangeError(`replay (${this.mode}): no pool '${pool}'`);
    if (!(startupDelayMs >= 0) || !Number.isFinite(startupDelayMs)) throw new RangeError(`addWorker: startup delay must be finite and ≥ 0 ms, got ${startupDelayMs}`);
    const index = this.workersAll.length;
    const id = `${pool}-${this.poolCounter[pool]++}`;
    const role = pool;
    let fw!: FleetWorker;
    const engine = new EngineWorker(this.engines[pool], role, {
      onAdmit: (seq, at, first) => this.onAdmit(fw, seq, at, first),
      onFirstToken: (seq, at) => this.onFirstToken(fw, seq, at),
      onFinish: (seq, at) => this.onFinish(fw, seq, at),
      onPreempt: (seq, at) => this.onPreempt(fw, seq, at),
      ...(this.recordPasses ? { onPass: (p: PassRecord) => this.onPass(fw, p) } : {}),
      ...(pool !== "prefill" ? { onGaps: (g: number, c: number) => this.gaps.add(g, c) } : {}),
    }, this.idSpace);
    fw = new FleetWorker(index, id, pool, engine, this.now, this.now + startupDelayMs);
    this.workersAll.push(fw);
    this.changes.push({ atMs: this.now, workerId: id, pool, change: "requested" });
    this.emit?.({ type: "worker_requested", atMs: this.now, workerId: id, pool, readyAtMs: fw.readyAt });
    if (startupDelayMs === 0) this.activate(fw);
    this.startups.push(this.now + startupDelayMs, index);
    return id;
  }

  removeWorker(target: { id: string } | { pool: Pool }): string | undefined {
    let w: FleetWorker | undefined;
    if ("id" in target) {
      w = this.workersAll.find((x) => x.id === target.id && (x.state === "starting" || x.state === "ready"));
    } else {
      const live = this.workersAll.filter((x) => x.pool === target.pool);
      // Dynamo: cancel pending start-ups first, newest first; then drain the newest ready worker.
      w = [...live].reverse().find((x) => x.state === "starting") ?? [...live].reverse().find((x) => x.state === "ready");
    }
    if (!w) return undefined;
    if (w.state === "starting") {
      w.state = "gone";
      this.changes.push({ atMs: this.now, workerId: w.id, pool: w.pool, change: "cancelled" });
      this.emit?.({ type: "worker_removed", atMs: this.now, workerId: w.id, pool: w.pool });
      return w.id;
    }
    w.state = "draining";
    const list = this.ready[w.pool];
    list.splice(list.indexOf(w), 1);
    this.changes.push({ atMs: this.now, workerId: w.id, pool: w.pool, change: "draining" });
    this.emit?.({ type: "worker_draining", atMs: this.now, workerId: w.id, pool: w.pool });
    this.retireIfDrained(w);
    return w.id;
  }

  workerInfos(): WorkerInfo[] {
    return this.workersAll.filter((w) => w.state !== "gone").map((w) => ({ id: w.id, pool: w.pool, state: w.state as WorkerInfo["state"], requestedAt: w.requestedAt, readyAt: w.readyAt }));
  }

  counts(): { active: Record<Pool, number>; total: Record<Pool, number> } {
    const active: Record<Pool, number> = { agg: 0, prefill: 0, decode: 0 };
    const total: Record<Pool, number> = { agg: 0, prefill: 0, decode: 0 };
    for (const w of this.workersAll) {
      if (w.state === "ready") { active[w.pool]++; total[w.pool]++; }
      else if (w.state === "starting") total[w.pool]++;
    }
    return { active, total };
  }

  fleetControl(): FleetControl {
    return {
      addWorker: (pool, delay) => this.addWorker(pool, delay),
      removeWorker: (t) => this.removeWorker(t),
      workers: () => this.workerInfos(),
    };
  }

  /** Apply segment passes that ended by now, and hand out the observations since the last call. */
  observe(): FleetObservations {
    for (const w of this.workersAll) if (w.state !== "gone") w.engine.advance(this.now);
    const passes = this.passLog;
    this.passLog = [];
    const { active, total } = this.counts();
    return { now: this.now, passes, active, total, drainTraffic: () => this.drainTraffic() };
  }

  drainTraffic(): TrafficWindow {
    const w = this.win;
    const out: TrafficWindow = {
      durationS: (this.now - w.start) / 1000,
      numReq: w.n,
      avgIsl: w.n > 0 ? w.isl / w.n : NaN,
      avgOsl: w.n > 0 ? w.osl / w.n : NaN,
      avgTtftMs: w.ttftN > 0 ? w.ttft / w.ttftN : NaN,
      avgItlMs: w.itlN > 0 ? w.itl / w.itlN : NaN,
      avgKvHitRate: w.hitN > 0 ? w.hit / w.hitN : 0,
    };
    this.win = { start: this.now, n: 0, isl: 0, osl: 0, ttft: 0, ttftN: 0, itl: 0, itlN: 0, hit: 0, hitN: 0 };
    return out;
  }

  /** Engine passes run so far over all workers. */
  totalPasses(): number {
    let n = 0;
    for (const w of this.workersAll) n += w.engine.passes;
    return n;
  }

  /** Every pass recorded (only with `recordPasses`). */
  get passes(): ForwardPassMetrics[] {
    return this.allPasses ?? [];
  }

  // ── the event loop ───────────────────────────────────────────────────────────────────────────

  private nextArrivalTime(): number {
    return this.arrivals.nextFirstTime();
  }

  private nextWorkerTime(): number {
    const h = this.workerHeap;
    while (h.size > 0) {
      const w = this.workersAll[h.topA]!;
      if (h.topB === w.engine.version && w.state !== "gone") return h.peek();
      h.pop();
    }
    return Infinity;
  }

  private nextTime(): number {
    return Math.min(this.nextArrivalTime(), this.releases.peek(), this.nextWorkerTime(), this.startups.peek());
  }

  /** Run every event up to and including `until`; the clock then reads `until` (when finite). */
  advanceTo(until: number): void {
    for (;;) {
      const t = this.nextTime();
      if (t > until || t === Infinity) break;
      this.now = t;
      // 1. completions
      while (this.nextWorkerTime() === t) {
        const w = this.workersAll[this.workerHeap.topA]!;
        this.workerHeap.pop();
        w.engine.advance(t);
        this.touch(w);
      }
      // 2. workers becoming ready
      while (this.startups.peek() === t) {
        const w = this.workersAll[this.startups.topA]!;
        this.startups.pop();
        if (w.state === "starting") this.activate(w);
        else if (w.state === "ready") this.drainRouterQueue(w.pool);
      }
      // 3. arrivals and releases (a release at t created here is handled in this same loop)
      for (;;) {
        const ta = this.nextArrivalTime();
        const tr = this.releases.peek();
        if (ta === t) {
          this.arrive(this.arrivals.takeFirst(), t);
          continue;
        }
        if (tr === t) {
          const i = this.releases.topA;
          const kind = this.releases.topB;
          this.releases.pop();
          if (kind === ARRIVE) {
            if (this.arrivals.closedLoop) { this.arrivals.laterTurnReady(i); this.dispatchConcurrent(t); }
            else this.arrive(i, t);
          } else if (kind === DISPATCH) this.dispatchConcurrent(t);
          else if (kind === DRAIN) this.drainRouterQueue(POOLS[i]!);
          else this.route(i, 1);
          continue;
        }
        break;
      }
      // 4. start passes
      this.startPasses(t);
    }
    if (Number.isFinite(until) && until > this.now) this.now = until;
  }

  private touch(w: FleetWorker): void {
    if (!w.touched) {
      w.touched = true;
      // A count over a kept array: setting length = 0 would drop its storage every event.
      if (this.touchedN < this.touchedList.length) this.touchedList[this.touchedN] = w;
      else this.touchedList.push(w);
      this.touchedN++;
    }
  }

  private startPasses(t: number): void {
    const list = this.touchedList;
    for (let k = 0; k < this.touchedN; k++) {
      const w = list[k]!;
      w.touched = false;
      if (w.state === "gone") continue;
      w.engine.start(t);
      const v = w.engine.version;
      if (v !== w.heapVersion) {
        const at = w.engine.nextEventAt;
        if (at !== Infinity) this.workerHeap.push(at, w.index, v);
        w.heapVersion = v;
      }
      if (w.state === "draining") this.retireIfDrained(w);
    }
    this.touchedN = 0;
  }

  private activate(w: FleetWorker): void {
    if (w.state !== "starting") return;
    w.state = "ready";
    w.readyAt = this.now;
    this.ready[w.pool].push(w);
    this.changes.push({ atMs: this.now, workerId: w.id, pool: w.pool, change: "ready" });
    this.emit?.({ type: "worker_ready", atMs: this.now, workerId: w.id, pool: w.pool });
    this.drainRouterQueue(w.pool);
  }

  private retireIfDrained(w: FleetWorker): void {
    if (w.state === "draining" && !w.engine.hasWork && w.engine.idle) {
      w.state = "gone";
      this.changes.push({ atMs: this.now, workerId: w.id, pool: w.pool, change: "removed" });
      this.emit?.({ type: "worker_removed", atMs: this.now, workerId: w.id, pool: w.pool });
    }
  }

  private drainRouterQueue(pool: Pool): void {
    const q = this.routerQueue[pool];
    const stage = pool === "decode" ? 1 : 0;
    while (q.length > 0 && this.canRoute(pool)) this.routeNow(q.shift()!, stage);
  }

  /** A pool takes a request now unless it has no ready worker, or (with a queue threshold) every worker is saturated. */
  private canRoute(pool: Pool): boolean {
    const cands = this.ready[pool];
    if (cands.length === 0) return false;
    const th = this.options.routerQueueThreshold;
    if (th === undefined) return true;
    const limit = th * this.engines[pool].maxNumBatchedTokens;
    for (const w of cands) if (w.pendingPrefillTokens + w.activeBlocks * this.blockSize <= limit) return true;
    return false;
  }

  /** With a router queue, retry it when a worker of `pool` frees capacity (first token or completion). */
  private scheduleDrain(pool: Pool, at: number): void {
    if (this.options.routerQueueThreshold !== undefined && this.routerQueue[pool].length > 0) this.releases.push(at, POOLS.indexOf(pool), DRAIN);
  }

  private dispatchConcurrent(t: number): void {
    for (let i = this.arrivals.nextToDispatch(); i >= 0; i = this.arrivals.nextToDispatch()) this.arrive(i, t);
  }

  private arrive(i: number, t: number): void {
    const r = this.requests[i]!;
    const ids = this.blockIdsOf[i]!;
    this.blockIdsOf[i] = EMPTY;
    const tr: Track = {
      index: i, arrivalMs: t, blockIds: ids, islBlocks: Math.ceil(r.input_length / this.blockSize), overlapBlocks: 0,
      worker: null, prefillWorker: null, admittedMs: NaN, firstTokenMs: NaN, finishMs: NaN, transferMs: 0,
      itlSum: 0, itlMax: 0, itlQ: NO_Q, generated: 0, cachedTokens: 0, preemptions: 0, pendingPrefill: 0, pendingBlocks: 0, stage: 0,
    };
    this.tracks[i] = tr;
    this.arrivals.started();
    this.emit?.({ type: "arrival", atMs: t, request: i, inputTokens: r.input_length, outputTokens: r.output_length });
    this.route(i, 0);
  }

  /** Route request i to a worker of its stage's pool (stage 0: agg or prefill; 1: decode). */
  private route(i: number, stage: 0 | 1): void {
    const pool: Pool = this.mode === "agg" ? "agg" : stage === 0 ? "prefill" : "decode";
    if (!this.canRoute(pool) || this.routerQueue[pool].length > 0) {
      // FCFS: nobody overtakes a request already waiting at the router.
      this.routerQueue[pool].push(i);
      return;
    }
    this.routeNow(i, stage);
  }

  private routeNow(i: number, stage: 0 | 1): void {
    const pool: Pool = this.mode === "agg" ? "agg" : stage === 0 ? "prefill" : "decode";
    const cands = this.ready[pool];
    const tr = this.tracks[i]!;
    const r = this.requests[i]!;
    const isl = r.input_length;
    const k = this.routers[pool].choose(cands, tr.blockIds, isl, tr.islBlocks);
    const w = cands[k]!;
    const overlap = w.overlap(tr.blockIds);
    tr.stage = stage;
    tr.pendingPrefill = Math.max(0, isl - overlap * this.blockSize);
    tr.pendingBlocks = tr.islBlocks - overlap;
    w.pendingPrefillTokens += tr.pendingPrefill;
    w.pendingBlocks += tr.pendingBlocks;
    if (stage === 0) {
      tr.overlapBlocks = overlap;
      if (tr.islBlocks > 0) { this.win.hit += overlap / tr.islBlocks; this.win.hitN++; }
      if (this.mode === "agg") tr.worker = w.id;
      else tr.prefillWorker = w.id;
    } else tr.worker = w.id;
    const osl = this.mode === "disagg" && stage === 0 ? 1 : r.output_length;
    w.engine.enqueue(new Seq(i, isl, osl, tr.blockIds, this.now), this.now);
    this.touch(w);
    this.emit?.({ type: "route", atMs: this.now, request: i, workerId: w.id, pool, overlapBlocks: overlap, islBlocks: tr.islBlocks });
  }

  // ── engine hooks ─────────────────────────────────────────────────────────────────────────────

  private onAdmit(w: FleetWorker, seq: Seq, at: number, first: boolean): void {
    const tr = this.tracks[seq.key]!;
    if (first) {
      w.pendingBlocks -= tr.pendingBlocks;
      tr.pendingBlocks = 0;
      if (tr.stage === 0) { tr.admittedMs = at; tr.cachedTokens = seq.cachedTokens; }
    }
    this.emit?.({ type: "admit", atMs: at, request: seq.key, workerId: w.id, cachedTokens: seq.cachedTokens, first });
  }

  private onFirstToken(w: FleetWorker, seq: Seq, at: number): void {
    const tr = this.tracks[seq.key]!;
    w.pendingPrefillTokens -= tr.pendingPrefill;
    tr.pendingPrefill = 0;
    this.scheduleDrain(w.pool, at);
    if (w.pool !== "prefill") {
      tr.firstTokenMs = at;
      this.emit?.({ type: "first_token", atMs: at, request: seq.key, workerId: w.id, ttftMs: at - tr.arrivalMs });
    }
  }

  private onPreempt(w: FleetWorker, seq: Seq, at: number): void {
    this.tracks[seq.key]!.preemptions++;
    this.emit?.({ type: "preempt", atMs: at, request: seq.key, workerId: w.id });
  }

  private onFinish(w: FleetWorker, seq: Seq, at: number): void {
    const i = seq.key;
    const tr = this.tracks[i]!;
    if (w.state === "draining") this.touch(w);
    this.scheduleDrain(w.pool, at);
    if (w.pool === "prefill") {
      // Prefill done: hand the KV to the decode pool after the transfer time.
      const kv = this.options.kvTransfer;
      const ms = kv && kv.bytesPerToken > 0 && kv.bandwidthGBps > 0 ? (seq.isl * kv.bytesPerToken) / (kv.bandwidthGBps * 1e9) * 1000 : 0;
      tr.transferMs = ms;
      this.emit?.({ type: "prefill_done", atMs: at, request: i, workerId: w.id, transferMs: ms });
      this.releases.push(at + ms, i, HANDOFF);
      return;
    }
    tr.finishMs = at;
    tr.blockIds = EMPTY;
    tr.generated = seq.generated;
    tr.itlSum = seq.itlSum;
    tr.itlMax = seq.itlMax;
    tr.itlQ = seq.itlQuantiles(ITL_PS);
    seq.releaseGaps();
    this.completed++;
    this.arrivals.finished();
    const r = this.requests[i]!;
    const win = this.win;
    win.n++;
    win.isl += r.input_length;
    win.osl += seq.generated;
    const ttft = tr.firstTokenMs - tr.arrivalMs;
    if (ttft > 0) { win.ttft += ttft; win.ttftN++; }
    if (seq.generated > 1) {
      const itl = seq.itlSum / (seq.generated - 1);
      if (itl > 0) { win.itl += itl; win.itlN++; }
    }
    this.emit?.({ type: "finish", atMs: at, request: i, workerId: w.id, e2eMs: at - tr.arrivalMs, outputTokens: seq.generated });
    const next = this.arrivals.turnAfter(i);
    if (next >= 0) this.releases.push(at + this.arrivals.delayOf(next), next, ARRIVE);
    if (this.arrivals.closedLoop) this.releases.push(at, -1, DISPATCH);
  }

  private onPass(w: FleetWorker, p: PassRecord): void {
    const m: ForwardPassMetrics = {
      workerId: w.id,
      pool: w.pool,
      at: p.end,
      numPrefill: p.numPrefill,
      sumPrefillTokens: p.sumPrefillTokens,
      numDecode: p.numDecode,
      sumDecodeKvTokens: p.sumDecodeKvTokens,
      wallTimeMs: p.wallTimeMs,
      kvUsage: p.kvUsage,
      queued: p.queued,
      sumPrefillKvTokens: p.sumPrefillKvTokens,
      queuedPrefillTokens: p.queuedPrefillTokens,
      queuedDecodeKvTokens: p.queuedDecodeKvTokens,
    };
    if (this.options.controller) this.passLog.push(m);
    this.allPasses?.push(m);
  }
}
