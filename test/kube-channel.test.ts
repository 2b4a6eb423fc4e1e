// The watch's push-to-pull queue: order, end, errors, and that a consumed item is let go at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { setImmediate as tick } from "node:timers/promises";
import { Channel } from "../sdk/kube/channel.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

test("items come out in order, buffered or awaited, then the end", async () => {
  const c = new Channel<number>();
  const waiting = c.next();
  c.push(1);
  for (let i = 2; i <= 10_000; i++) c.push(i);
  assert.deepEqual(await waiting, { value: 1, done: false });
  const seen: number[] = [];
  for (let i = 2; i <= 10_000; i++) seen.push((await c.next()).value as number);
  assert.deepEqual(seen, Array.from({ length: 9_999 }, (_, i) => i + 2));
  c.push(10_001);
  c.close();
  assert.deepEqual(await c.next(), { value: 10_001, done: false });
  assert.deepEqual(await c.next(), { value: undefined, done: true });
});

test("a failure ends the iteration after the buffered items", async () => {
  const c = new Channel<string>();
  c.push("a");
  c.fail(new Error("boom"));
  assert.equal((await c.next()).value, "a");
  await assert.rejects(c.next(), /boom/);
});

test("a consumed item is not kept by the queue (a kept one outlives scavenges and slows the watch)", async () => {
  const c = new Channel<object>();
  const refs: WeakRef<object>[] = [];
  // Pushed while nobody waits, so they sit in the buffer; two stay unconsumed.
  for (let i = 0; i < 10; i++) {
    const o = { i, payload: new Array(100).fill(i) };
    refs.push(new WeakRef(o));
    c.push(o);
  }
  for (let i = 0; i < 8; i++) await c.next();
  await tick();
  gc();
  await tick();
  gc();
  const alive = refs.map((r) => r.deref() !== undefined);
  assert.deepEqual(alive, [false, false, false, false, false, false, false, false, true, true]);
});
