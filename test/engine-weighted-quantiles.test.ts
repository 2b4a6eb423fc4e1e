// weightedQuantiles' fast paths (native numeric sort, aggregated counts) against the reference algorithm they replaced.
import { test } from "node:test";
import assert from "node:assert/strict";
import { weightedQuantiles } from "../sdk/engine/weighted-quantiles.js";

/** The original implementation: a stable index sort by comparator, then a linear scan of cumulative counts. */
function reference(values: readonly number[], counts: readonly number[], ps: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  let total = 0;
  for (const c of counts) total += c;
  if (total === 0) return ps.map(() => NaN);
  const cum: number[] = [];
  let acc = 0;
  for (const i of order) { acc += counts[i]!; cum.push(acc); }
  const at = (rank: number) => {
    let k = 0;
    while (cum[k]! <= rank) k++;
    return values[order[k]!]!;
  };
  return ps.map((p) => {
    const h = (total - 1) * p;
    const f = Math.floor(h);
    const a = at(f);
    return a + (h - f) * (at(Math.min(f + 1, total - 1)) - a);
  });
}

test("weightedQuantiles is bit-identical to the reference on random run-length samples", () => {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const ps = [0, 0.01, 0.25, 0.5, 0.9, 0.99, 1];
  for (let trial = 0; trial < 3000; trial++) {
    const n = 1 + Math.floor(rnd() * (trial % 10 === 0 ? 600 : 40));
    const pool = Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => (rnd() < 0.5 ? Math.floor(rnd() * 50) : rnd() * 100 - (trial % 7 === 0 ? 50 : 0)));
    const values: number[] = [];
    const counts: number[] = [];
    const mode = trial % 4;
    for (let i = 0; i < n; i++) {
      values.push(rnd() < 0.6 ? pool[Math.floor(rnd() * pool.length)]! : rnd() * 30);
      counts.push(mode === 0 ? 1 : mode === 1 ? Math.floor(rnd() * 70) : mode === 2 ? 1 + Math.floor(rnd() * 3) : rnd() < 0.1 ? 0 : 1);
    }
    const want = reference(values, counts, ps);
    const got = weightedQuantiles(values, counts, ps);
    assert.equal(got.length, want.length);
    for (let q = 0; q < ps.length; q++) assert.ok(Object.is(got[q], want[q]), `trial ${trial} p=${ps[q]}: ${got[q]} vs ${want[q]}`);
    // A prefix (the `n` argument) equals the sliced call.
    const k = Math.max(1, n >> 1);
    const gotK = weightedQuantiles(values, counts, ps, k);
    const wantK = reference(values.slice(0, k), counts.slice(0, k), ps);
    for (let q = 0; q < ps.length; q++) assert.ok(Object.is(gotK[q], wantK[q]), `trial ${trial} prefix p=${ps[q]}`);
  }
});

test("weightedQuantiles keeps the reference's answers for NaN, −0, fractional and zero counts", () => {
  const ps = [0.1, 0.5, 0.9];
  const cases: [number[], number[]][] = [
    [[0, -0, 1], [1, 1, 1]],
    [[-0, 0, -0], [2, 1, 1]],
    [[3, 1, 2], [0.5, 1.5, 2]],
    [[5, 4], [0, 0]],
    [[2, 2, 2], [1, 0, 3]],
    [[1], [1]],
  ];
  for (const [v, c] of cases) {
    const want = reference(v, c, ps);
    const got = weightedQuantiles(v, c, ps);
    for (let q = 0; q < ps.length; q++) assert.ok(Object.is(got[q], want[q]), `${JSON.stringify([v, c])} p=${ps[q]}: ${got[q]} vs ${want[q]}`);
  }
});

/** WeightedLog.describe's original algorithm: aggregate equal values in a Map, sort the distinct ones, binary-search cumulative counts. */
function describeReference(v: number[], c: number[], ps: readonly number[]): { count: number; mean: number; max: number; quantiles: number[] } {
  let total = 0;
  for (const x of c) total += x;
  if (total === 0) return { count: 0, mean: NaN, max: NaN, quantiles: ps.map(() => NaN) };
  const agg = new Map<number, number>();
  let sum = 0;
  for (let i = 0; i < v.length; i++) { sum += v[i]! * c[i]!; agg.set(v[i]!, (agg.get(v[i]!) ?? 0) + c[i]!); }
  const vals = Float64Array.from(agg.keys()).sort();
  const m = vals.length;
  const cum = new Float64Array(m);
  let acc = 0;
  for (let k = 0; k < m; k++) { acc += agg.get(vals[k]!)!; cum[k] = acc; }
  const at = (rank: number) => {
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cum[mid]! > rank) hi = mid; else lo = mid + 1; }
    return vals[lo]!;
  };
  const quantiles = ps.map((p) => { const h = (total - 1) * p; const f = Math.floor(h); const a = at(f); return a + (h - f) * (at(Math.min(f + 1, total - 1)) - a); });
  return { count: total, mean: sum / total, max: vals[m - 1]!, quantiles };
}

test("WeightedLog.describe is bit-identical to its original Map-and-sort algorithm", async () => {
  const { WeightedLog } = await import("../sdk/replay/time-heap.js");
  let seed = 777;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const ps = [0, 0.5, 0.9, 0.99, 1];
  for (let trial = 0; trial < 500; trial++) {
    const log = new WeightedLog();
    const v: number[] = [];
    const c: number[] = [];
    const n = 1 + Math.floor(rnd() * (trial % 5 === 0 ? 3000 : 60));
    const pool = Array.from({ length: 1 + Math.floor(rnd() * 20) }, () => 1 + rnd() * 20);
    for (let i = 0; i < n; i++) {
      const x = trial % 11 === 0 ? [0, -0, NaN, 3][Math.floor(rnd() * 4)]! : pool[Math.floor(rnd() * pool.length)]!;
      const k = trial % 13 === 0 ? rnd() * 3 : 1 + Math.floor(rnd() * 40);
      log.add(x, k);
      // The log merges consecutive equal values; the reference sees the same runs.
      if (v.length > 0 && v[v.length - 1] === x) c[c.length - 1]! += k;
      else { v.push(x); c.push(k); }
    }
    const got = log.describe(ps);
    const want = describeReference(v, c, ps);
    assert.ok(Object.is(got.count, want.count) && Object.is(got.mean, want.mean) && Object.is(got.max, want.max), `trial ${trial}: ${JSON.stringify([got.count, got.mean, got.max])} vs ${JSON.stringify([want.count, want.mean, want.max])}`);
    for (let q = 0; q < ps.length; q++) assert.ok(Object.is(got.quantiles[q], want.quantiles[q]), `trial ${trial} p=${ps[q]}: ${got.quantiles[q]} vs ${want.quantiles[q]}`);
  }
});

test("Seq.itlQuantiles (pooled chunks, totals kept by addGaps) equals weightedQuantiles over its runs", async () => {
  const { Seq } = await import("../sdk/engine/worker.js");
  let seed = 99;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const ps = [0.5, 0.9, 0.99];
  for (let trial = 0; trial < 300; trial++) {
    const s = new Seq(trial, 10, 10, new Int32Array(0), 0);
    const n = Math.floor(rnd() * 200);
    for (let i = 0; i < n; i++) {
      const odd = trial % 17 === 0 && rnd() < 0.05;
      s.addGaps(odd ? [0, -0, NaN][Math.floor(rnd() * 3)]! : 1 + Math.floor(rnd() * 6) / 2, odd && rnd() < 0.5 ? 0.5 : 1 + Math.floor(rnd() * 4));
    }
    const [v, c] = s.gapRunsArrays();
    const want = weightedQuantiles(v, c, ps);
    const got = s.itlQuantiles(ps);
    for (let q = 0; q < ps.length; q++) assert.ok(Object.is(got[q], want[q]), `trial ${trial} p=${ps[q]}: ${got[q]} vs ${want[q]}`);
    s.releaseGaps();
    assert.equal(s.gapRuns, 0);
  }
});
