/**
 * A push-to-pull queue: producers `push`, one consumer iterates with for-await. Unbounded (a watch
 * cannot be paused server-side without losing events); `fail` ends the iteration with an error
 * after the buffered items are consumed; `close` ends it cleanly.
 */
export class Channel<T> implements AsyncIterableIterator<T> {
  private buffer: T[] = [];
  private head = 0;
  private waiting: ((r: IteratorResult<T>) => void) | null = null;
  private rejectWaiting: ((e: unknown) => void) | null = null;
  private done = false;
  private error: unknown = undefined;
  /** Called once when the consumer stops early (break / return). */
  onReturn: (() => void) | null = null;

  push(x: T): void {
    if (this.done) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = this.rejectWaiting = null;
      w({ value: x, done: false });
      return;
    }
    this.buffer.push(x);
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    if (this.waiting && this.head >= this.buffer.length) {
      const w = this.waiting;
      this.waiting = this.rejectWaiting = null;
      w({ value: undefined, done: true });
    }
  }

  fail(err: unknown): void {
    if (this.done) return;
    this.error = err;
    this.done = true;
    if (this.rejectWaiting && this.head >= this.buffer.length) {
      const r = this.rejectWaiting;
      this.waiting = this.rejectWaiting = null;
      r(err);
    }
  }

  get closed(): boolean {
    return this.done;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.buffer.length) {
      const value = this.buffer[this.head]!;
      // The slot lets go of the item at once: a consumed event held until the next compaction
      // survives scavenges, is promoted and makes every later scavenge slow (watch lag).
      this.buffer[this.head++] = undefined as T;
      if (this.head === this.buffer.length) {
        this.buffer.length = 0;
        this.head = 0;
      } else if (this.head > 4096 && this.head * 2 > this.buffer.length) {
        this.buffer = this.buffer.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.done) {
      if (this.error !== undefined) {
        const e = this.error;
        this.error = undefined;
        return Promise.reject(e);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.rejectWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    const wasDone = this.done;
    this.done = true;
    this.buffer = [];
    this.head = 0;
    if (!wasDone) this.onReturn?.();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
