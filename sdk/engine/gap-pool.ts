/**
 * Storage for requests' inter-token gaps as (gap ms, count) runs, in fixed-size chunks of shared
 * typed arrays: one pool per worker instead of two growing JS arrays per request, so the gaps of
 * thousands of requests cost no garbage collection. A request holds a linked list of chunks
 * (head, tail, length) and gives them back when its percentiles have been taken.
 */

/** Entries per chunk. */
const K = 32;
const NONE = -1;

export class GapPool {
  /** Entries per chunk, and the end-of-list mark. */
  static readonly CHUNK = K;
  static readonly NONE = NONE;
  vals: Float64Array;
  cnts: Float64Array;
  /** Next chunk of a list (NONE at its end), and the free list threaded through the same array. */
  next: Int32Array;
  private freeHead = NONE;
  private nChunks = 0;

  constructor(chunks = 64) {
    this.vals = new Float64Array(chunks * K);
    this.cnts = new Float64Array(chunks * K);
    this.next = new Int32Array(chunks);
  }

  /** A new chunk (its `next` is NONE). */
  take(): number {
    let c = this.freeHead;
    if (c !== NONE) this.freeHead = this.next[c]!;
    else {
      c = this.nChunks++;
      if (c >= this.next.length) this.grow();
    }
    this.next[c] = NONE;
    return c;
  }

  /** Give back the list starting at chunk `head`. */
  release(head: number): void {
    let c = head;
    while (c !== NONE) {
      const n = this.next[c]!;
      this.next[c] = this.freeHead;
      this.freeHead = c;
      c = n;
    }
  }

  private grow(): void {
    const n = this.next.length * 2;
    const v = new Float64Array(n * K); v.set(this.vals); this.vals = v;
    const c = new Float64Array(n * K); c.set(this.cnts); this.cnts = c;
    const x = new Int32Array(n); x.set(this.next); this.next = x;
  }
}
