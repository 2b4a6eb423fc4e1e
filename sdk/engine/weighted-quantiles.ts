// Quantiles of a run-length encoded sample: values with repeat counts, without expanding them (per-request ITL percentiles).

// Scratch buffers reused across calls (this runs once per finished request).
let sorted = new Float64Array(256);
let cum = new Float64Array(256);
const RANKS: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
const ORDER: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
const FOUND: number[] = [0, 0, 0, 0, 0, 0, 0, 0];

/**
 * Linear-interpolation quantiles of values repeated `counts` times (the expanded list is never built).
 * `n` limits the input to its first n entries (default: all of `values`).
 *
 * @example
 * ```ts
 * weightedQuantiles([10, 20, 30], [1, 1, 2], [0.5, 0.9]);
 * ```
 */
export function weightedQuantiles(values: ArrayLike<number>, counts: ArrayLike<number>, ps: readonly number[], n = values.length): number[] {
  const [v, w] = quantileScratch(n);
  for (let i = 0; i < n; i++) {
    v[i] = values[i]!;
    w[i] = counts[i]!;
  }
  return weightedQuantilesInPlace(v, w, n, ps);
}

/** Module scratch buffers of at least `n` entries, for `weightedQuantilesInPlace` (valid until the next call). */
export function quantileScratch(n: number): [Float64Array, Float64Array] {
  if (sorted.length < n) {
    let size = sorted.length;
    while (size < n) size *= 2;
    sorted = new Float64Array(size);
    cum = new Float64Array(size);
  }
  return [sorted, cum];
}

/** `weightedQuantiles` of v[0, n) repeated w[0, n) times; reorders v and w. */
export function weightedQuantilesInPlace(v: Float64Array, w: Float64Array, n: number, ps: readonly number[]): number[] {
  let total = 0;
  let plain = true;
  for (let i = 0; i < n; i++) {
    const c = w[i]!;
    total += c;
    if ((c >>> 0) !== c && (!Number.isInteger(c) || c < 0)) plain = false;
    const x = v[i]!;
    // NaN and −0 order differently under the reference's comparator sort; it handles them.
    if (!(x > 0) && (x !== x || (x === 0 && 1 / x < 0))) plain = false;
  }
  const out: number[] = new Array(ps.length);
  if (total === 0) {
    for (let q = 0; q < ps.length; q++) out[q] = NaN;
    return out;
  }
  if (!plain || !(total <= 9007199254740991)) return generalQuantiles(v, w, ps, n, total);
  return weightedQuantilesPlain(v, w, n, total, ps);
}

/**
 * `weightedQuantilesInPlace` when the caller knows the input is plain: every value a number other
 * than NaN and −0, every count an integer ≥ 0, `total` their sum (> 0, ≤ 2⁵³). Reorders v and w.
 */
export function weightedQuantilesPlain(v: Float64Array, w: Float64Array, n: number, total: number, ps: readonly number[]): number[] {
  const out: number[] = new Array(ps.length);
  // Weighted selection (no sort): find every needed rank in one recursive 3-way partitioning.
  const k = ps.length;
  const ranks = k <= 4 ? RANKS : new Array<number>(2 * k);
  for (let q = 0; q < k; q++) {
    const f = Math.floor((total - 1) * ps[q]!);
    ranks[2 * q] = f;
    ranks[2 * q + 1] = Math.min(f + 1, total - 1);
  }
  const order = k <= 4 ? ORDER : new Array<number>(2 * k);
  for (let j = 0; j < 2 * k; j++) order[j] = j;
  // Ranks ascending (ps usually are already; a tiny insertion sort otherwise).
  for (let j = 1; j < 2 * k; j++) {
    const o = order[j]!;
    let i = j - 1;
    while (i >= 0 && ranks[order[i]!]! > ranks[o]!) {
      order[i + 1] = order[i]!;
      i--;
    }
    order[i + 1] = o;
  }
  const found = k <= 4 ? FOUND : new Array<number>(2 * k);
  selectRanks(v, w, 0, n, 0, ranks, order, 0, 2 * k, found);
  for (let q = 0; q < k; q++) {
    const h = (total - 1) * ps[q]!;
    const f = Math.floor(h);
    const a = found[2 * q]!;
    out[q] = a + (h - f) * (found[2 * q + 1]! - a);
  }
  return out;
}

/**
 * Values at the expanded ranks ranks[order[r]] (r in [rlo, rhi), ascending) of the list where v[i]
 * repeats w[i] times, over v[lo, hi) whose elements follow `base` smaller ones; w integer ≥ 0 and
 * values neither NaN nor −0. Reorders v and w together; writes found[order[r]].
 */
function selectRanks(v: Float64Array, w: Float64Array, lo: number, hi: number, base: number, ranks: number[], order: number[], rlo: number, rhi: number, found: number[]): void {
  while (rlo < rhi) {
    const mid = (lo + hi) >> 1;
    // Median of three as pivot.
    const x0 = v[lo]!;
    const x1 = v[mid]!;
    const x2 = v[hi - 1]!;
    const p = x0 < x1 ? (x1 < x2 ? x1 : x0 < x2 ? x2 : x0) : x0 < x2 ? x0 : x1 < x2 ? x2 : x1;
    let lt = lo;
    let i = lo;
    let gt = hi - 1;
    let cl = 0;
    let ce = 0;
    while (i <= gt) {
      const x = v[i]!;
      if (x < p) {
        const c = w[i]!;
        v[i] = v[lt]!;
        w[i] = w[lt]!;
        v[lt] = x;
        w[lt] = c;
        cl += c;
        lt++;
        i++;
      } else if (x > p) {
        const c = w[i]!;
        v[i] = v[gt]!;
        w[i] = w[gt]!;
        v[gt] = x;
        w[gt] = c;
        gt--;
      } else {
        ce += w[i]!;
        i++;
      }
    }
    // Ranks below the pivot's group go left, those in it get the pivot, the rest go right.
    let r = rlo;
    while (r < rhi && ranks[order[r]!]! < base + cl) r++;
    let e = r;
    while (e < rhi && ranks[order[e]!]! < base + cl + ce) found[order[e++]!] = p;
    if (r > rlo) {
      if (e < rhi) selectRanks(v, w, lo, lt, base, ranks, order, rlo, r, found);
      else { hi = lt; rhi = r; continue; }
    }
    rlo = e;
    base += cl + ce;
    lo = gt + 1;
  }
}

/** The reference algorithm (stable index sort by a comparator); used for NaN, −0 or non-integer counts. */
function generalQuantiles(values: ArrayLike<number>, counts: ArrayLike<number>, ps: readonly number[], n: number, total: number): number[] {
  const order: number[] = [];
  for (let i = 0; i < n; i++) order.push(i);
  order.sort((a, b) => values[a]! - values[b]!);
  const cumv: number[] = [];
  let acc = 0;
  for (const i of order) { acc += counts[i]!; cumv.push(acc); }
  const at = (rank: number) => {
    let k = 0;
    while (cumv[k]! <= rank) k++;
    return values[order[k]!]!;
  };
  return ps.map((p) => {
    const h = (total - 1) * p;
    const f = Math.floor(h);
    const a = at(f);
    return a + (h - f) * (at(Math.min(f + 1, total - 1)) - a);
  });
}
