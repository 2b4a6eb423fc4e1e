// The workload side of a replay on its own (sdk/replay/arrivals.ts): first turns released in time
// order (ties by file order) at timestamps ÷ speed-up from the first, session turns after their
// predecessor with delay ÷ speed-up, and closed-loop concurrency that never exceeds N in flight.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Arrivals } from "../sdk/replay/arrivals.js";
import type { TraceRequest } from "../sdk/trace/types.js";

const req = (timestamp: number, session_id?: string, delay?: number): TraceRequest => ({ timestamp, input_length: 10, output_length: 2, hash_ids: [1], ...(session_id ? { session_id } : {}), ...(delay !== undefined ? { delay } : {}) });
const trace = [req(500), req(100, "a"), req(900, "a", 40), req(100), req(300, "a"), req(700, "b")];

test("trace mode: first turns by time then file order, from the first timestamp, sped up; turns follow their predecessor", () => {
  const a = new Arrivals(trace, { arrivalSpeedupRatio: 2 });
  assert.equal(a.closedLoop, false);
  const released: [number, number][] = [];
  while (a.nextFirstTime() !== Infinity) { const t = a.nextFirstTime(); released.push([a.takeFirst(), t]); }
  assert.deepEqual(released, [[1, 0], [3, 0], [0, 200], [5, 300]]);
  // Session a: 1 → 2 (its own delay 40 ms) → 4 (no delay: timestamp gap 300 − 900 clamps to 0).
  assert.deepEqual([a.turnAfter(1), a.delayOf(2), a.turnAfter(2), a.delayOf(4), a.turnAfter(4)], [2, 20, 4, 0, -1]);
  assert.equal(a.turnAfter(0), -1);
  assert.throws(() => new Arrivals(trace, { arrivalSpeedupRatio: 0 }), /arrivalSpeedupRatio must be finite and > 0, got 0/);
});

test("closed loop: at most N in flight; a later turn whose delay passed goes ahead of new first turns", () => {
  const a = new Arrivals(trace, { concurrency: 2 });
  assert.equal(a.nextFirstTime(), Infinity, "timestamps are ignored");
  const start = () => { const i = a.nextToDispatch(); if (i >= 0) a.started(); return i; };
  assert.deepEqual([start(), start(), start()], [0, 1, -1]);
  a.finished();
  a.laterTurnReady(2);
  assert.deepEqual([start(), start()], [2, -1]);
  a.finished(); a.finished();
  assert.deepEqual([start(), start(), start()], [3, 5, -1]);
  assert.throws(() => new Arrivals(trace, { concurrency: 1.5 }), /concurrency must be a positive integer, got 1.5/);
});
