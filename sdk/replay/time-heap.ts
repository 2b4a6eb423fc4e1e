/**
 * A binary min-heap of (time, a, b) integer-payload entries in typed arrays; equal times pop in
 * insertion order (FIFO), which keeps runs deterministic. No closures or objects per event.
 */
import { quantileScratch, weightedQuantilesInPlace } from "../engine/weighted-quantiles.js";

export class TimeHeap {
  private t = new Float64Array(64);
  private s = new Float64Array(64);
  private a = new Int32Array(64);
  private b = new Int32Array(64);
  private n = 0;
  private seq = 0;

  get size(): number {
    return this.n;
  }

  /** Earliest time, Infinity when empty. */
  peek(): number {
    return this.n > 0 ? this.t[0]! : Infinity;
  }

  /** Payloads of the top entry (valid until the next push/pop). */
  get topA(): number {
    return this.a[0]!;
  }

  get topB(): number {
    return this.b[0]!;
  }

  push(time: number, a: number, b = 0): void {
    if (this.n === this.t.length) this.grow();
    let i = this.n++;
    const sq = this.seq++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.t[p]! < time || (this.t[p] === time && this.s[p]! < sq)) break;
      this.t[i] = this.t[p]!;
      this.s[i] = this.s[p]!;
      this.a[i] = this.a[p]!;
      this.b[i] = this.b[p]!;
      i = p;
    }
    this.t[i] = time;
    this.s[i] = sq;
    this.a[i] = a;
    this.b[i] = b;
  }

  pop(): void {
    const n = --this.n;
    if (n <= 0) return;
    const time = this.t[n]!;
    const sq = this.s[n]!;
    const a = this.a[n]!;
    const b = this.b[n]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let m = l;
      if (r < n && (this.t[r]! < this.t[l]! || (this.t[r] === this.t[l] && this.s[r]! < this.s[l]!))) m = r;
      if (this.t[m]! > time || (this.t[m] === time && this.s[m]! > sq)) break;
      this.t[i] = this.t[m]!;
      this.s[i] = this.s[m]!;
      this.a[i] = this.a[m]!;
      this.b[i] = this.b[m]!;
      i = m;
    }
    this.t[i] = time;
    this.s[i] = sq;
    this.a[i] = a;
    this.b[i] = b;
  }

  private grow(): void {
    const n = this.t.length * 2;
    const t = new Float64Array(n); t.set(this.t); this.t = t;
    const s = new Float64Array(n); s.set(this.s); this.s = s;
    const a = new Int32Array(n); a.set(this.a); this.a = a;
    const b = new Int32Array(n); b.set(this.b); this.b = b;
  }
}

/** (value, count) pairs, merging consecutive equal values: pooled inter-token gaps without per-token storage. */
export class WeightedLog {
  private v = new Float64Array(1024);
  private c = new Float64Array(1024);
  private n = 0;
  total = 0;

  add(value: number, count: number): void {
    this.total += count;
    if (this.n > 0 && this.v[this.n - 1] === value) {
      this.c[this.n - 1]! += count;
      return;
    }
    if (this.n === this.v.length) {
      const v = new Float64Array(this.n * 2); v.set(this.v); this.v = v;
      const c = new Float64Array(this.n * 2); c.set(this.c); this.c = c;
    }
    this.v[this.n] = value;
    this.c[this.n++] = count;
  }

  /** Mean and quantiles (linear interpolation between order statistics, as `quantile(…, "linear")` on the expanded list). */
  describe(ps: readonly number[]): { count: number; mean: number; max: number; quantiles: number[] } {
    if (this.total === 0) return { count: 0, mean: NaN, max: NaN, quantiles: ps.map(() => NaN) };
    // Fast path: selection over a copy (no map, no sort) when every value is a number other than −0
    // and every count an integer ≥ 0 — then it equals the aggregated-sort answer below exactly.
    const n = this.n;
    let plain = true;
    let sum = 0;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = this.v[i]!;
      const c = this.c[i]!;
      sum += v * c;
      if (v !== v || (v === 0 && 1 / v < 0) || !Number.isInteger(c) || c < 0) plain = false;
      if (v > max) max = v;
    }
    if (plain && this.total <= 9007199254740991) {
      const [sv, sw] = quantileScratch(n);
      sv.set(this.v.subarray(0, n));
      sw.set(this.c.subarray(0, n));
      return { count: this.total, mean: sum / this.total, max, quantiles: weightedQuantilesInPlace(sv, sw, n, ps) };
    }
    // Aggregate equal values first (pass durations repeat a lot), then sort the distinct values.
    const agg = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const v = this.v[i]!;
      const c = this.c[i]!;
      agg.set(v, (agg.get(v) ?? 0) + c);
    }
    const vals = Float64Array.from(agg.keys()).sort();
    const m = vals.length;
    const cum = new Float64Array(m);
    let acc = 0;
    for (let k = 0; k < m; k++) { acc += agg.get(vals[k]!)!; cum[k] = acc; }
    // Value of the element with 0-based rank `rank` in the expanded sorted list.
    const at = (rank: number) => {
      let lo = 0;
      let hi = m - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid]! > rank) hi = mid;
        else lo = mid + 1;
      }
      return vals[lo]!;
    };
    const quantiles = ps.map((p) => {
      const h = (this.total - 1) * p;
      const f = Math.floor(h);
      const a = at(f);
      const b = at(Math.min(f + 1, this.total - 1));
      return a + (h - f) * (b - a);
    });
    return { count: this.total, mean: sum / this.total, max: vals[m - 1]!, quantiles };
  }
}
