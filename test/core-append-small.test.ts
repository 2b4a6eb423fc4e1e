// appendSmall: exact-size copies while a list is short, in-place pushes after; same items in the same order either way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendSmall } from "../sdk/core/append-small.js";

test("appendSmall copies short lists, pushes onto long ones, and keeps the order", () => {
  let list: number[] = [];
  const seen: number[][] = [];
  for (let i = 0; i < 12; i++) {
    const before = list;
    list = appendSmall(list, i);
    seen.push(list);
    assert.equal(list === before, before.length >= 8, `item ${i}: copied while shorter than 8, pushed after`);
  }
  assert.deepEqual(list, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual(seen[2], [0, 1, 2], "an earlier copy is left as it was");
  assert.equal(JSON.stringify(appendSmall([], "a")), '["a"]', "no holes show");
});
