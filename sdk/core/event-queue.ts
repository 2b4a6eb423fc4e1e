/**
 * A virtual clock driven by an event queue: the one clock abstraction every simulation uses.
 * Events at equal times fire in the order they were scheduled (a sequence number breaks ties),
 * which is what makes runs deterministic.
 */

interface Entry {
  at: number;
  seq: number;
  fire: () => void;
  cancelled: boolean;
}

export interface Scheduled {
  readonly at: number;
  cancel(): void;
}

export class EventQueue {
  private heap: Entry[] = [];
  private seq = 0;
  private current: number;

  constructor(start = 0) {
    this.current = start;
  }

  /** The virtual time now (the unit is the caller's; simulations here use milliseconds). */
  get now(): number {
    return this.current;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Schedule `fire` at absolute time `at` (never earlier than now). */
  at(at: number, fire: () => void): Scheduled {
    if (!Number.isFinite(at)) throw new RangeError(`EventQueue.at: time must be finite, got ${at}`);
    const entry: Entry = { at: Math.max(at, this.current), seq: this.seq++, fire, cancelled: false };
    this.push(entry);
    return { at: entry.at, cancel: () => { entry.cancelled = true; } };
  }

  /** Schedule `fire` after `delay` from now. */
  after(delay: number, fire: () => void): Scheduled {
    return this.at(this.current + Math.max(0, delay), fire);
  }

  /** Time of the next live event, or undefined when empty. */
  peek(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /** Fire the next event; false when none is left. */
  step(): boolean {
    this.dropCancelled();
    const top = this.pop();
    if (!top) return false;
    this.current = top.at;
    top.fire();
    return true;
  }

  /** Fire events up to and including time `until` (default: until empty); the clock ends at `until`. */
  run(until = Infinity, maxEvents = Infinity): number {
    let fired = 0;
    for (;;) {
      const next = this.peek();
      if (next === undefined || next > until || fired >= maxEvents) break;
      this.step();
      fired++;
    }
    if (Number.isFinite(until) && until > this.current && fired < maxEvents) this.current = until;
    return fired;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
