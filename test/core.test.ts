import { test } from "node:test";
import assert from "node:assert/strict";
import { rng, hash32 } from "../sdk/core/rng.js";
import { EventQueue } from "../sdk/core/event-queue.js";
import { quantile, describe as describeValues } from "../sdk/core/quantile.js";
import { parseCsv, toCsv, toJsonl } from "../sdk/core/rows.js";
import { InputError } from "../sdk/core/errors.js";
import { Progress, formatSeconds } from "../sdk/core/progress.js";

test("rng: same seed gives the same stream; split streams are independent of draws elsewhere", () => {
  const a = rng(42), b = rng(42);
  const xs = Array.from({ length: 5 }, () => a.random());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.random()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => rng(43).random()));
  // Drawing from one child does not shift another child.
  const r1 = rng(7), r2 = rng(7);
  r1.split("noise").random();
  r1.split("noise").random();
  assert.equal(r1.split("arrivals").random(), r2.split("arrivals").random());
  assert.equal(hash32("abc"), hash32("abc"));
  assert.notEqual(hash32("abc"), hash32("abd"));
});

test("rng: distributions have the right moments", () => {
  const r = rng("moments");
  const n = 50_000;
  let s = 0, s2 = 0, e = 0, g = 0, u = 0;
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    s += z; s2 += z * z;
    e += r.exponential(2);
    g += r.gamma(0.5, 4);
    const v = r.random();
    assert.ok(v >= 0 && v < 1);
    u += v;
  }
  assert.ok(Math.abs(s / n) < 0.02, `normal mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 0.03, `normal variance ${s2 / n}`);
  assert.ok(Math.abs(e / n - 0.5) < 0.01, `exponential mean ${e / n}`);
  assert.ok(Math.abs(g / n - 2) < 0.06, `gamma mean ${g / n}`);
  assert.ok(Math.abs(u / n - 0.5) < 0.01);
  const ints = new Set(Array.from({ length: 1000 }, () => r.int(6)));
  assert.deepEqual([...ints].sort(), [0, 1, 2, 3, 4, 5]);
  assert.throws(() => r.int(0), RangeError);
  assert.deepEqual(r.shuffle([1, 2, 3, 4]).sort(), [1, 2, 3, 4]);
});

test("event queue: time order, FIFO among equal times, cancellation, run(until)", () => {
  const q = new EventQueue();
  const seen: string[] = [];
  q.at(5, () => seen.push("b"));
  q.at(1, () => seen.push("a"));
  q.at(5, () => seen.push("c"));
  const x = q.at(3, () => seen.push("x"));
  x.cancel();
  q.at(2, () => q.after(1, () => seen.push(`nested@${q.now}`)));
  q.run(4);
  assert.deepEqual(seen, ["a", "nested@3"]);
  assert.equal(q.now, 4);
  q.run();
  assert.deepEqual(seen, ["a", "nested@3", "b", "c"]);
  assert.equal(q.now, 5);
  assert.equal(q.step(), false);
});

test("quantile methods match their definitions", () => {
  const v = [15, 20, 35, 40, 50];
  assert.equal(quantile(v, 0.4, "linear"), 29); // numpy.percentile(v, 40) = 29.0
  assert.equal(quantile(v, 0.4, "nearest-rank"), 20); // ceil(5*0.4)-1 = 1
  assert.equal(quantile(v, 0.5, "nearest-rank"), 35);
  assert.equal(quantile(v, 0.5, "kube-burner"), 27.5); // i = 2.5 → mean(c[1], c[2])
  assert.equal(quantile(v, 0.4, "kube-burner"), 20); // i = 2 whole → c[1]
  assert.ok(Number.isNaN(quantile([], 0.5)));
  assert.equal(quantile([3, null, 1, NaN, 2], 0.5), 2);
  const d = describeValues([1, 2, 3, 4]);
  assert.equal(d.count, 4);
  assert.equal(d.mean, 2.5);
  assert.equal(d.p50, 2.5);
});

test("rows: CSV round trip keeps types; malformed CSV names file and line", () => {
  const rows = [{ a: 1, b: "x,y", c: null, d: true }, { a: 2.5, b: 'q"t', c: 3, d: false }];
  const csv = toCsv(rows);
  assert.deepEqual(parseCsv(csv), rows);
  assert.equal(toJsonl(rows).split("\n").length, 3);
  assert.throws(() => parseCsv("a,b\n1,2\n3\n", "runs.csv"), (e: unknown) => e instanceof InputError && /runs\.csv:3/.test(e.message));
  assert.throws(() => parseCsv('a\n"open\n', "q.csv"), /q\.csv:2.*closing double quote/);
});

test("progress: lines mode prints about every 10% and a final line with the rate", () => {
  const written: string[] = [];
  let t = 0;
  const stream = { isTTY: false, write: (s: string) => { written.push(s); return true; } } as unknown as NodeJS.WriteStream;
  const p = new Progress({ label: "sweep", total: 100, stream, now: () => t });
  for (let i = 0; i < 100; i++) { t += 10; p.tick(); }
  p.finish();
  assert.ok(written.length >= 10 && written.length <= 12, `${written.length} lines`);
  assert.match(written.at(-1)!, /^sweep 100\/100 \(100%\) 100\.0\/s/);
  assert.equal(written.filter((l) => l.startsWith("sweep 100/100")).length, 1, "the final line once");
  // finish() with no tick since the last line still closes with one line (e.g. all runs cached).
  const quiet: string[] = [];
  const q = new Progress({ label: "sweep", total: 4, stream: { isTTY: false, write: (s: string) => { quiet.push(s); return true; } } as unknown as NodeJS.WriteStream, now: () => 0 });
  q.finish();
  assert.deepEqual(quiet, ["sweep 0/4 (0%)\n"]);
  assert.equal(formatSeconds(75), "1m15s");
});
