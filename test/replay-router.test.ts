// The replay router's round-robin keeps Dynamo's cursor across fleet changes (next = last index + 1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Router, type RouterView } from "../sdk/replay/router.js";
import { rng } from "../sdk/core/rng.js";

const fleet = (n: number) => Array.from({ length: n }, () => ({}) as RouterView);
const ids = new Int32Array(0);

test("round-robin: after a scale-up the next request goes to the new worker; after a scale-down the cursor wraps", () => {
  const r = new Router("round-robin", rng(1));
  const pick = (n: number) => r.choose(fleet(n), ids, 100, 2);
  assert.deepEqual([pick(1), pick(1), pick(1)], [0, 0, 0]);
  // 1 → 2: the cursor stands at 1, the new worker (a counter of requests would say 3 % 2 = 1 here but 0 after an even count).
  assert.deepEqual([pick(2), pick(2), pick(2)], [1, 0, 1]);
  assert.deepEqual([pick(3), pick(3)], [2, 0]);
  // 3 → 2 with the cursor at 1, then 2 → 1 → 2 with it at 0 … 1.
  assert.deepEqual([pick(2), pick(2), pick(1), pick(2)], [1, 0, 0, 1]);
});

test("round-robin: the cursor does not depend on how many requests came while one worker served", () => {
  for (const before of [0, 1, 2, 7]) {
    const r = new Router("round-robin", rng(1));
    for (let i = 0; i < before; i++) r.choose(fleet(1), ids, 100, 2);
    assert.equal(r.choose(fleet(2), ids, 100, 2), before === 0 ? 0 : 1, `${before} requests on one worker first`);
  }
});
