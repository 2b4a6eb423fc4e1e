/**
 * A windowed mean that ignores leading zeros until the first non-zero value (dynamo.md §3.4: the
 * planner's FPM averages skip an idle engine's zero heartbeats at start-up).
 */
export class MovingAverage {
  private readonly values: number[] = [];
  private sum = 0;
  private started = false;

  constructor(readonly window: number) {}

  add(v: number): void {
    if (!Number.isFinite(v)) return;
    if (!this.started) {
      if (v === 0) return;
      this.started = true;
    }
    this.values.push(v);
    this.sum += v;
    if (this.values.length > this.window) this.sum -= this.values.shift()!;
  }

  /** The mean, or undefined before any (non-leading-zero) value. */
  get value(): number | undefined {
    if (this.values.length === 0) return undefined;
    // Recompute occasionally-drifting float sums exactly on read; the window is small (≤ 1e3).
    let s = 0;
    for (const v of this.values) s += v;
    return s / this.values.length;
  }

  get count(): number {
    return this.values.length;
  }
}
