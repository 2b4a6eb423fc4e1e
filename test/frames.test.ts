import { test } from "node:test";
import assert from "node:assert/strict";
import * as aq from "arquero";
import { toArquero, toDanfo, dropMissing, fromDanfo, loadDanfo } from "../sdk/frames/index.js";

const rows = [
  { policy: "kv", x: 1.5, y: null, note: "a" },
  { policy: "kv", x: 2.5, y: 4, note: null },
  { policy: "rr", x: 10, y: 6 },
  { policy: "rr", x: null, y: 8, note: "d" },
];

test("toArquero keeps every column, types and nulls", () => {
  const t = toArquero(rows);
  assert.deepEqual(t.columnNames(), ["policy", "x", "y", "note"]);
  assert.equal(t.get("y", 0), null);
  assert.equal(t.get("note", 2), null); // missing in the row → null, not undefined or ""
  assert.equal(typeof t.get("x", 0), "number");
});

test("toDanfo keeps types and nulls (never 0)", async () => {
  const df = await toDanfo(rows);
  assert.deepEqual(df.columns, ["policy", "x", "y", "note"]);
  assert.deepEqual(df.column("y").values, [null, 4, 6, 8]);
  assert.equal(df.dtypes[1], "float32");
  assert.deepEqual(fromDanfo(df)[0], { policy: "kv", x: 1.5, y: null, note: "a" });
});

test("a groupby mean through arquero and danfo agree (nulls excluded in both)", async () => {
  const viaArquero = toArquero(rows).groupby("policy").rollup({ x: aq.op.mean("x"), y: aq.op.mean("y") }).orderby("policy").objects() as Array<{ policy: string; x: number; y: number }>;
  const df = await toDanfo(rows);
  const meanOf = (col: string) => {
    const g = dropMissing(df, col).groupby(["policy"]).col([col]).mean();
    const out: Record<string, number> = {};
    const keys = g.column("policy").values as string[];
    const vals = g.column(`${col}_mean`).values as number[];
    keys.forEach((k, i) => { out[k] = vals[i]!; });
    return out;
  };
  const x = meanOf("x"), y = meanOf("y");
  for (const r of viaArquero) {
    assert.equal(r.x, x[r.policy]);
    assert.equal(r.y, y[r.policy]);
  }
  assert.deepEqual(viaArquero, [{ policy: "kv", x: 2, y: 4 }, { policy: "rr", x: 10, y: 7 }]);
});

test("fromDanfo gives what danfo's own toJSON gives, without loading danfo itself", async () => {
  const df = await toDanfo(rows);
  assert.deepEqual(fromDanfo(df), (await loadDanfo()).toJSON(df));
  assert.equal(await loadDanfo(), await loadDanfo(), "one module per process");
});
