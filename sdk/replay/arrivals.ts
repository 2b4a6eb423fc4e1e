/**
 * The workload side of a replay, apart from the fleet (BLIS keeps it in `sim/workload/`): which
 * request arrives next and when. Trace mode releases first turns at their (normalised, sped-up)
 * timestamps; a later turn of a session follows its previous turn's completion after its delay
 * (think time); closed-loop concurrency ignores timestamps and keeps N requests in flight. The
 * simulator asks; it owns the clock and the release heap, so same-time order stays its own.
 */
import type { TraceRequest } from "../trace/types.js";

export interface ArrivalOptions {
  /** Trace mode: first-turn timestamps and inter-turn delays are divided by this (default 1). */
  arrivalSpeedupRatio?: number;
  /** Closed loop: keep this many requests in flight, ignoring timestamps. */
  concurrency?: number;
}

export class Arrivals {
  /** Requests kept in flight in closed-loop mode; 0 in trace mode. */
  readonly concurrency: number;
  // First turns in release order, and their release times (trace mode).
  private readonly firstOrder: Int32Array;
  private readonly firstTime: Float64Array;
  private firstCursor = 0;
  // Sessions: the turn after request i (-1: none) and each later turn's delay after its predecessor completes.
  private readonly nextTurn: Int32Array;
  private readonly delayMs: Float64Array;
  // Closed loop: requests in flight, and later turns whose delay has passed, waiting for a free place.
  private inFlight = 0;
  private readonly laterReady: number[] = [];
  private laterHead = 0;

  constructor(requests: readonly TraceRequest[], options: ArrivalOptions = {}) {
    const ratio = options.arrivalSpeedupRatio ?? 1;
    if (!(ratio > 0) || !Number.isFinite(ratio)) throw new RangeError(`replay: arrivalSpeedupRatio must be finite and > 0, got ${ratio}`);
    const n = requests.length;
    this.nextTurn = new Int32Array(n).fill(-1);
    this.delayMs = new Float64Array(n);
    // Turns in file order; later turns follow their previous turn's completion.
    const lastOfSession = new Map<string, number>();
    const firsts: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = requests[i]!;
      const s = r.session_id;
      const prev = s === undefined ? undefined : lastOfSession.get(s);
      if (prev === undefined) firsts.push(i);
      else {
        this.nextTurn[prev] = i;
        this.delayMs[i] = (r.delay ?? Math.max(0, r.timestamp - requests[prev]!.timestamp)) / ratio;
      }
      if (s !== undefined) lastOfSession.set(s, i);
    }
    let t0 = Infinity;
    for (const i of firsts) t0 = Math.min(t0, requests[i]!.timestamp);
    this.firstOrder = Int32Array.from(firsts);
    this.firstTime = new Float64Array(firsts.length);
    const conc = options.concurrency;
    this.concurrency = conc ?? 0;
    if (conc !== undefined && (!Number.isInteger(conc) || conc < 1)) throw new RangeError(`replay: concurrency must be a positive integer, got ${conc}`);
    if (this.concurrency === 0) {
      const order = firsts.slice().sort((a, b) => requests[a]!.timestamp - requests[b]!.timestamp || a - b);
      for (let k = 0; k < order.length; k++) {
        this.firstOrder[k] = order[k]!;
        this.firstTime[k] = (requests[order[k]!]!.timestamp - t0) / ratio;
      }
    }
  }

  get closedLoop(): boolean {
    return this.concurrency > 0;
  }

  /** Release time of the next first turn (trace mode); Infinity in closed-loop mode or when none is left. */
  nextFirstTime(): number {
    if (this.concurrency > 0) return Infinity;
    return this.firstCursor < this.firstOrder.length ? this.firstTime[this.firstCursor]! : Infinity;
  }

  /** The next first turn's request index (after `nextFirstTime()` said it is due). */
  takeFirst(): number {
    return this.firstOrder[this.firstCursor++]!;
  }

  /** The turn that follows request i once it completes (-1: none), and that turn's delay (ms). */
  turnAfter(i: number): number {
    return this.nextTurn[i]!;
  }

  delayOf(turn: number): number {
    return this.delayMs[turn]!;
  }

  /** Closed loop: a later turn whose delay has passed waits for a free place (ahead of new first turns). */
  laterTurnReady(i: number): void {
    this.laterReady.push(i);
  }

  /** Closed loop: the next request to start now (-1 when the loop is full or nothing is left). */
  nextToDispatch(): number {
    if (this.inFlight >= this.concurrency) return -1;
    if (this.laterHead < this.laterReady.length) return this.laterReady[this.laterHead++]!;
    if (this.firstCursor < this.firstOrder.length) return this.firstOrder[this.firstCursor++]!;
    return -1;
  }

  /** A request arrived (it is now in flight). */
  started(): void {
    this.inFlight++;
  }

  /** A request completed. */
  finished(): void {
    this.inFlight--;
  }
}
