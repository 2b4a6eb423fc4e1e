import { test } from "node:test";
import assert from "node:assert/strict";
import { rng } from "../sdk/core/rng.js";
import { KvCache, BlockInterner } from "../sdk/engine/index.js";

test("KvCache: refcounts, inactive blocks stay cached, LRU eviction of the oldest inactive block", () => {
  const c = new KvCache(4);
  for (const id of [10, 11, 12]) assert.ok(c.acquire(id));
  assert.ok(c.acquire(10), "acquiring an active block only adds a reference");
  assert.equal(c.activeBlocks, 3);
  // Release tail-first as a finished request does: 12, 11, 10 (10 still referenced once).
  c.release(12); c.release(11); c.release(10);
  assert.equal(c.activeBlocks, 1);
  assert.equal(c.inactiveBlocks, 2);
  assert.ok(c.has(12) && c.has(11));
  assert.ok(c.acquire(13));
  assert.ok(c.acquire(14), "evicts the least recently released inactive block");
  assert.equal(c.has(12), false, "12 was released first, so it is evicted first");
  assert.equal(c.has(11), true);
  assert.ok(c.acquire(11), "reactivating an inactive block needs no room");
  assert.equal(c.acquire(15), false, "all four blocks active: allocation fails");
  assert.equal(c.acquireAnonymous(), false);
  c.release(14, true);
  assert.equal(c.has(14), false, "destroyed, not cached");
  assert.ok(c.acquireAnonymous());
  assert.equal(c.usedBlocks, 4);
  assert.equal(c.evictions, 1);
});

test("KvCache: prefixHits counts the leading cached run; caching off never hits", () => {
  const c = new KvCache(100);
  for (const id of [1, 2, 3, 5]) c.acquire(id);
  assert.equal(c.prefixHits(Int32Array.from([1, 2, 3, 4, 5])), 3);
  assert.equal(c.prefixHits(Int32Array.from([2, 1])), 2);
  assert.equal(c.prefixHits(Int32Array.from([9, 1])), 0);
  const off = new KvCache(100, false);
  off.acquire(1);
  assert.equal(off.prefixHits(Int32Array.from([1])), 0);
});

test("KvCache: random operations never exceed capacity and keep counts consistent", () => {
  const r = rng(7);
  const cap = 50;
  const c = new KvCache(cap);
  const held: number[] = [];
  let anon = 0;
  for (let step = 0; step < 20000; step++) {
    const op = r.int(4);
    if (op === 0) { const id = r.int(200); if (c.acquire(id)) held.push(id); }
    else if (op === 1 && held.length > 0) { const k = r.int(held.length); c.release(held[k]!, r.bernoulli(0.1)); held.splice(k, 1); }
    else if (op === 2) { if (c.acquireAnonymous()) anon++; }
    else if (anon > 0) { c.releaseAnonymous(1); anon--; }
    assert.ok(c.usedBlocks <= cap, `used ${c.usedBlocks} > ${cap}`);
    assert.equal(c.activeBlocks, new Set(held).size + anon);
    for (const id of held) assert.ok(c.has(id));
  }
});

test("BlockInterner: engine blocks are shared exactly when the trace-hash prefix covering them is", () => {
  const bi = new BlockInterner(512, 64);
  const a = bi.blockIds([0, 1, 2], 1200); // 18 full engine blocks
  const b = bi.blockIds([0, 1, 9], 1100); // same first two trace blocks
  const c = bi.blockIds([0, 7, 2], 1200); // diverges at trace block 1
  assert.equal(a.length, 18);
  assert.equal(b.length, 17);
  assert.deepEqual(Array.from(b.slice(0, 16)), Array.from(a.slice(0, 16)));
  assert.notEqual(b[16], a[16]);
  assert.deepEqual(Array.from(c.slice(0, 8)), Array.from(a.slice(0, 8)));
  assert.ok(c.slice(8).every((id, j) => id !== a[8 + j]), "a chained prefix: equal later ids do not match");
  assert.equal(new Set(a).size, a.length);
  // Trace block not a multiple of the engine block: the general path gives the same sharing rule.
  const g = new BlockInterner(100, 64);
  const x = g.blockIds([5, 6, 7], 300);
  const y = g.blockIds([5, 6, 8], 300);
  const z = g.blockIds([5, 9, 7], 300);
  assert.equal(x.length, 4);
  assert.equal(x[0], y[0], "block 0 (tokens 0–63) lies in trace block 0");
  assert.equal(x[2], y[2], "block 2 (tokens 128–191) ends in trace block 1, shared");
  assert.notEqual(x[3], y[3], "block 3 (192–255) ends in trace block 2, which differs");
  assert.notEqual(x[1], z[1], "block 1 (64–127) ends in trace block 1, which differs");
  assert.throws(() => bi.blockIds([1], 600), /fewer than the 600 input tokens/);
});
