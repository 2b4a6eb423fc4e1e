/**
 * Drive one worker over a list of arrivals on a virtual clock: the smallest harness around
 * `EngineWorker` (the replay module drives fleets). Useful to study the engine alone.
 */
import { engineConfig, type EngineConfig } from "./config.js";
import { Seq, EngineWorker, type PassRecord, type WorkerHooks } from "./worker.js";
import type { WorkerRole } from "./step-time.js";

export interface EngineArrival {
  at: number;
  inputLength: number;
  outputLength: number;
  /** Dense full-block ids (BlockInterner); empty means nothing shareable. */
  blockIds?: Int32Array;
}

export interface EngineRequestResult {
  index: number;
  arrivalMs: number;
  admittedMs: number;
  queuedMs: number;
  firstTokenMs: number;
  finishMs: number;
  ttftMs: number;
  itlMs: number;
  itlMaxMs: number;
  /** Percentiles of this request's own inter-token gaps (linear). */
  itlP50Ms: number;
  itlP90Ms: number;
  itlP99Ms: number;
  e2eMs: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  preemptions: number;
}

export interface EngineRunResult {
  requests: EngineRequestResult[];
  passes: PassRecord[];
}

/**
 * Run `arrivals` (any order; sorted by time, then index) through one worker until all finish; `hooks` observe it (the worker is passed as `this`-free callbacks).
 *
 * @example
 * ```ts
 * const { requests, passes } = runEngine([{ at: 0, inputLength: 2048, outputLength: 128 }], { maxNumSeqs: 64 });
 * ```
 */
export function runEngine(arrivals: readonly EngineArrival[], config: Partial<EngineConfig> = {}, role: WorkerRole = "agg", hooks: WorkerHooks = {}): EngineRunResult {
  const cfg = engineConfig(config);
  const passes: PassRecord[] = [];
  const worker = new EngineWorker(cfg, role, { ...hooks, onPass: (p) => { passes.push(p); hooks.onPass?.(p); } });
  const order = arrivals.map((_, i) => i).sort((a, b) => arrivals[a]!.at - arrivals[b]!.at || a - b);
  const seqs: Seq[] = new Array(arrivals.length);
  let next = 0;
  let now = 0;
  const empty = new Int32Array(0);
  for (;;) {
    const tArr = next < order.length ? arrivals[order[next]!]!.at : Infinity;
    const tWork = worker.nextEventAt;
    const t = Math.min(tArr, tWork);
    if (t === Infinity) {
      if (worker.hasWork && worker.idle) { worker.start(now); continue; }
      break;
    }
    now = t;
    worker.advance(now);
    while (next < order.length && arrivals[order[next]!]!.at <= now) {
      const i = order[next++]!;
      const a = arrivals[i]!;
      const s = new Seq(i, a.inputLength, a.outputLength, a.blockIds ?? empty, a.at);
      seqs[i] = s;
      worker.enqueue(s, now);
    }
    worker.start(now);
  }
  const requests = seqs.map((s, i) => {
    const gaps = s.generated - 1;
    const [p50, p90, p99] = s.itlQuantiles([0.5, 0.9, 0.99]);
    return {
      index: i,
      arrivalMs: s.enqueuedAt,
      admittedMs: s.firstAdmittedAt,
      queuedMs: s.firstAdmittedAt - s.enqueuedAt,
      firstTokenMs: s.firstTokenAt,
      finishMs: s.finishedAt,
      ttftMs: s.firstTokenAt - s.enqueuedAt,
      itlMs: gaps > 0 ? s.itlSum / gaps : NaN,
      itlMaxMs: gaps > 0 ? s.itlMax : NaN,
      itlP50Ms: p50!,
      itlP90Ms: p90!,
      itlP99Ms: p99!,
      e2eMs: s.finishedAt - s.enqueuedAt,
      inputTokens: s.isl,
      outputTokens: s.generated,
      cachedTokens: s.cachedTokens,
      preemptions: s.preemptions,
    };
  });
  return { requests, passes };
}
