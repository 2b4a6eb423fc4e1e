import { test } from "node:test";
import assert from "node:assert/strict";
import {
  fractionalFactorial, fullFactorial, latinHypercube, maximinDistance, oneFactorAtATime, randomSample, randomize, replicate,
  repeatedMeasures, withBlocks, withCenterPoints, designRows, resolutionNumeral,
} from "../sdk/doe/index.js";

test("full factorial with mixed levels: every combination once, first factor fastest (standard order)", () => {
  const d = fullFactorial([{ name: "policy", levels: ["rr", "kv", "p2c"] }, { name: "workers", levels: [2, 4] }, { name: "speedup", levels: [1, 2] }]);
  assert.equal(d.runs.length, 12);
  assert.deepEqual(d.runs.slice(0, 4).map((r) => [r.factors.policy, r.factors.workers]), [["rr", 2], ["kv", 2], ["p2c", 2], ["rr", 4]]);
  assert.equal(new Set(d.runs.map((r) => JSON.stringify(r.factors))).size, 12);
  assert.deepEqual(d.runs.map((r) => r.std_order), Array.from({ length: 12 }, (_, i) => i + 1));
  assert.throws(() => fullFactorial([{ name: "a", levels: [] }]), /no levels/);
  assert.throws(() => fullFactorial([{ name: "a", levels: [1] }, { name: "a", levels: [2] }]), /twice/);
});

test("2^(4-1) with D=ABC: 8 runs, I = ABCD, resolution IV, A aliased with BCD and AB with CD", () => {
  const f = ["A", "B", "C", "D"].map((name) => ({ name, low: -1, high: 1 }));
  const d = fractionalFactorial(f, ["D=ABC"]);
  assert.equal(d.runs.length, 8);
  for (const r of d.runs) assert.equal(r.factors.D, (r.factors.A as number) * (r.factors.B as number) * (r.factors.C as number));
  assert.deepEqual(d.fraction!.definingRelation, ["I", "ABCD"]);
  assert.equal(d.fraction!.resolution, 4);
  assert.equal(resolutionNumeral(d.fraction!.resolution), "IV");
  assert.deepEqual(d.fraction!.aliases.A, ["BCD"]);
  assert.deepEqual(d.fraction!.aliases.AB, ["CD"]);
  // a negative generator picks the other half fraction
  const neg = fractionalFactorial(f, ["D=-ABC"]);
  assert.deepEqual(neg.fraction!.definingRelation, ["I", "-ABCD"]);
  for (const r of neg.runs) assert.equal(r.factors.D, -(r.factors.A as number) * (r.factors.B as number) * (r.factors.C as number));
});

test("2^(5-2) with D=AB, E=AC: defining relation I = ABD = ACE = BCDE, resolution III", () => {
  const f = ["temp", "press", "conc", "stir", "time"].map((name) => ({ name, low: "lo", high: "hi" }));
  const d = fractionalFactorial(f, ["D=AB", "E=AC"]);
  assert.equal(d.runs.length, 8);
  assert.deepEqual(d.fraction!.definingRelation, ["I", "ABD", "ACE", "BCDE"]);
  assert.equal(d.fraction!.resolution, 3);
  assert.deepEqual(d.fraction!.aliases.A, ["BD", "CE", "ABCDE"]);
  assert.deepEqual(d.fraction!.letters, { A: "temp", B: "press", C: "conc", D: "stir", E: "time" });
  assert.throws(() => fractionalFactorial(f, ["D=AB", "E=AD"]), /uses generated factor D/);
  assert.throws(() => fractionalFactorial(f, ["Q=AB"]), /not of the form/);
});

test("Latin hypercube: one sample per stratum per factor; maximin keeps the better spread; seeded", () => {
  const ranges = [{ name: "x", min: 0, max: 10 }, { name: "y", min: 100, max: 200 }];
  const a = latinHypercube(ranges, 20, { seed: 3 });
  for (const f of ranges) {
    const strata = a.runs.map((r) => Math.floor(((r.factors[f.name] as number) - f.min) / (f.max - f.min) * 20)).sort((p, q) => p - q);
    assert.deepEqual(strata, Array.from({ length: 20 }, (_, i) => i));
  }
  assert.deepEqual(latinHypercube(ranges, 20, { seed: 3 }).runs, a.runs);
  assert.notDeepEqual(latinHypercube(ranges, 20, { seed: 4 }).runs, a.runs);
  const best = latinHypercube(ranges, 20, { seed: 3, maximin: 200 });
  assert.ok(maximinDistance(best, ranges) > maximinDistance(a, ranges));
  const ints = latinHypercube([{ name: "gpus", min: 1, max: 8, integer: true }], 8, { seed: 1 });
  assert.ok(ints.runs.every((r) => Number.isInteger(r.factors.gpus)));
});

test("random sampling, one factor at a time", () => {
  const s = randomSample([{ name: "x", min: 0, max: 1 }, { name: "p", levels: ["a", "b"] }], 50, { seed: 9 });
  assert.equal(s.runs.length, 50);
  assert.ok(s.runs.every((r) => (r.factors.x as number) >= 0 && (r.factors.x as number) < 1 && ["a", "b"].includes(r.factors.p as string)));
  assert.deepEqual(randomSample([{ name: "x", min: 0, max: 1 }], 5, { seed: 9 }).runs, randomSample([{ name: "x", min: 0, max: 1 }], 5, { seed: 9 }).runs);
  const o = oneFactorAtATime([{ name: "a", levels: [1, 2, 3] }, { name: "b", levels: ["x", "y"], baseline: "y" }]);
  assert.deepEqual(o.runs.map((r) => r.treatment), ["baseline", "a=2", "a=3", "b=x"]);
  assert.deepEqual(o.runs[3]!.factors, { a: 1, b: "x" });
});

test("replicates, repeated measures, centre points, blocks and a seeded randomized order keeping std_order", () => {
  const base = fullFactorial([{ name: "A", levels: [10, 20] }, { name: "B", levels: [1, 3] }]);
  const rep = replicate(base, 3);
  assert.equal(rep.runs.length, 12);
  assert.deepEqual(rep.runs.filter((r) => r.std_order === 2).map((r) => [r.id, r.replicate]), [["t2", 1], ["t2-r2", 2], ["t2-r3", 3]]);
  assert.equal(repeatedMeasures(rep, 4).repeats, 4);
  const cp = withCenterPoints(base, 3);
  assert.equal(cp.runs.length, 7);
  assert.deepEqual(cp.runs.filter((r) => r.center).map((r) => r.factors), [{ A: 15, B: 2 }, { A: 15, B: 2 }, { A: 15, B: 2 }]);
  assert.throws(() => withCenterPoints(fullFactorial([{ name: "p", levels: ["a", "b"] }]), 1), /not numeric/);

  const blocked = withBlocks(fullFactorial(["A", "B", "C"].map((name) => ({ name, levels: [-1, 1] }))), { confound: ["ABC"] });
  for (const r of blocked.runs) assert.equal(r.block, (r.factors.A as number) * (r.factors.B as number) * (r.factors.C as number) > 0 ? 2 : 1);
  const byRep = withBlocks(rep, { byReplicate: true });
  assert.deepEqual([...new Set(byRep.runs.map((r) => r.block))], [1, 2, 3]);

  const r1 = randomize(byRep, 7);
  const r2 = randomize(byRep, 7);
  assert.deepEqual(r1.runs, r2.runs);
  assert.notDeepEqual(randomize(byRep, 8).runs.map((r) => r.id), r1.runs.map((r) => r.id));
  assert.deepEqual(r1.runs.map((r) => r.run_order), Array.from({ length: 12 }, (_, i) => i + 1));
  // blocks stay in order; std_order is kept as a column and is a permutation within each block
  assert.deepEqual(r1.runs.map((r) => r.block), [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
  assert.deepEqual(r1.runs.filter((r) => r.block === 1).map((r) => r.std_order).sort(), [1, 2, 3, 4]);
  assert.notDeepEqual(r1.runs.map((r) => r.std_order), byRep.runs.map((r) => r.std_order));
  const rows = designRows(r1);
  assert.deepEqual(Object.keys(rows[0]!), ["id", "treatment", "std_order", "run_order", "replicate", "block", "center", "A", "B"]);
});
