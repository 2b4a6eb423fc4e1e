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
