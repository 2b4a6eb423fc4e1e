/**
 * Entry points: `replayTrace` runs a whole replay synchronously (a controller, if given, is called
 * on the virtual clock: `firstTickAt()`, then `tick(obs, fleet)` until it returns undefined or the
 * replay is done), and `replayEvents` yields the same run's events as an async iterator, a chunk
 * of simulated time at a time, for notebooks.
 */
import type { Trace, TraceRequest } from "../trace/types.js";
import type { ForwardPassMetrics } from "./control.js";
import type { ReplayEvent, ReplayOptions } from "./options.js";
import { intervalRows, requestRows, summarize, type IntervalRow, type ReplaySummary, type RequestRow } from "./results.js";
import { ReplaySim, type FleetChange } from "./simulator.js";

export interface ReplayResult {
  summary: ReplaySummary;
  requests: RequestRow[];
  intervals: IntervalRow[];
  /** Fleet membership changes (initial workers, scale-ups, drains, removals). */
  fleet: FleetChange[];
  /** Every forward pass, only with `recordPasses: true`. */
  passes: ForwardPassMetrics[];
  /** Controller ticks run. */
  ticks: number;
}

function drive(sim: ReplaySim, options: ReplayOptions): number {
  const limit = options.maxSimTimeMs ?? Infinity;
  const ctl = options.controller;
  let ticks = 0;
  if (ctl) {
    const fleet = sim.fleetControl();
    let next: number | undefined = ctl.firstTickAt();
    if (next === Infinity) next = undefined; // nothing to do on the clock
    let idleTicks = 0;
    while (next !== undefined && next <= limit) {
      if (!Number.isFinite(next) || next < sim.now) throw new RangeError(`controller: next tick must be a finite time ≥ now (${sim.now} ms), got ${next}`);
      sim.advanceTo(next);
      if (sim.done) break;
      const obs = sim.observe();
      options.onEvent?.({ type: "tick", atMs: sim.now, active: obs.active, total: obs.total });
      const prev = next;
      next = ctl.tick(obs, fleet);
      ticks++;
      if (next !== undefined && next <= prev) throw new RangeError(`controller: next tick must be later than ${prev} ms, got ${next}`);
      // A fleet with nothing to do and nothing scheduled cannot progress; stop after many idle ticks.
      idleTicks = sim.quiescent ? idleTicks + 1 : 0;
      if (idleTicks > 10_000) break;
    }
  }
  sim.advanceTo(limit);
  return ticks;
}

function collect(sim: ReplaySim, options: ReplayOptions, ticks: number): ReplayResult {
  const requests = requestRows(sim.requests, sim.tracks);
  return {
    summary: summarize(sim, requests, sim.totalPasses()),
    requests,
    intervals: intervalRows(requests, sim.changes, options.intervalS ?? 60),
    fleet: sim.changes,
    passes: sim.passes,
    ticks,
  };
}

/**
 * A trace value's requests, with its block size in the options (a bare request array keeps
 * `options.traceBlockSize`); saying two different block sizes is an error, not a silent pick.
 */
export function unpackTrace<O extends Pick<ReplayOptions, "traceBlockSize">>(trace: readonly TraceRequest[] | Trace, options: O): [readonly TraceRequest[], O] {
  if (isRequestList(trace)) return [trace, options];
  const given = options.traceBlockSize;
  if (given !== undefined && given !== trace.traceBlockSize) throw new RangeError(`replay: traceBlockSize ${given} in the options, but the trace (${trace.provenance.source}) was read at ${trace.traceBlockSize} tokens per hash id`);
  return [trace.requests, { ...options, traceBlockSize: trace.traceBlockSize }];
}

function isRequestList(t: readonly TraceRequest[] | Trace): t is readonly TraceRequest[] {
  return Array.isArray(t);
}

/**
 * Replay a trace (a `Trace` value, e.g. `loadTrace(path)`, or bare Mooncake-shaped requests) against
 * a simulated fleet and return rows, series and summary.
 *
 * @example
 * ```ts
 * const { requests } = loadTrace("datasets/traces/public/mooncake/conversation_trace.jsonl.gz");
 * const r = replayTrace(requests.slice(0, 500), { workers: 4, router: "kv" });
 * console.log(r.summary.ttftP50Ms);
 * ```
 */
export function replayTrace(trace: readonly TraceRequest[] | Trace, replayOptions: ReplayOptions = {}): ReplayResult {
  const [requests, given] = unpackTrace(trace, replayOptions);
  const decided = given.controller?.setup?.(given);
  const options = decided ? { ...given, ...decided } : given;
  const sim = new ReplaySim(requests, options);
  const ticks = drive(sim, options);
  return collect(sim, options, ticks);
}

/**
 * The replay's events as an async iterator. Simulated time advances `chunkMs` at a time (default
 * 10 s), so a consumer can stop early and memory stays bounded. A controller is not supported
 * here; use `replayTrace` with `onEvent` for that.
 *
 * @example
 * ```ts
 * for await (const ev of replayEvents(requests, { workers: 4 })) if (ev.type === "finish") done++;
 * ```
 */
export async function* replayEvents(trace: readonly TraceRequest[] | Trace, eventOptions: Omit<ReplayOptions, "onEvent" | "controller"> & { chunkMs?: number } = {}): AsyncGenerator<ReplayEvent, void, undefined> {
  const [requests, options] = unpackTrace(trace, eventOptions);
  let buffer: ReplayEvent[] = [];
  const sim = new ReplaySim(requests, { ...options, onEvent: (e) => buffer.push(e) });
  const chunk = options.chunkMs ?? 10_000;
  if (!(chunk > 0)) throw new RangeError(`chunkMs must be > 0, got ${chunk}`);
  const limit = options.maxSimTimeMs ?? Infinity;
  let t = 0;
  for (;;) {
    const out = buffer;
    buffer = [];
    for (const e of out) yield e;
    if (sim.done || t >= limit || sim.quiescent) break;
    t = Math.min(limit, t + chunk);
    sim.advanceTo(t);
    await Promise.resolve();
  }
  for (const e of buffer) yield e;
}
