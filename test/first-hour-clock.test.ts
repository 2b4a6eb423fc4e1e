// One clock in result.yaml (issue 16 item 10): the dual label's time, known only from when the watch received it, is put on the server's clock like every other timestamp.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { readRunDir } from "../sdk/bench/run-files.js";
import { analyzeRun } from "../sdk/actuation/analyze.js";
import { serverClockOf } from "../sdk/actuation/server-clock.js";
import type { PodLifecycle } from "../sdk/kube/lifecycle.js";

const ROOT = "datasets/event-logs";

test("every recorded run: each dual label lies between its requester's creation and readiness on the server clock (was ~10,600 s later: the wall clock of a time-scaled cluster)", () => {
  for (const f of readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
    const { actuations } = analyzeRun(readRunDir(join(ROOT, f)));
    assert.ok(actuations.length > 0, f);
    for (const a of actuations) {
      assert.ok(a.dual_label_timestamp !== null && a.creation_timestamp !== null && a.ready_timestamp !== null, `${f} ${a.requester}`);
      assert.ok(a.dual_label_timestamp >= a.creation_timestamp && a.dual_label_timestamp <= a.ready_timestamp + 1, `${f} ${a.requester}: created ${a.creation_timestamp}, dual label ${a.dual_label_timestamp}, ready ${a.ready_timestamp}`);
    }
  }
});

/** A pod with the given (received wall ms, server ms) phases; only what serverClockOf reads. */
function pod(pairs: [received: number, server: number][], watched = true): PodLifecycle {
  const names = ["created", "scheduled", "containersStarted", "ready"] as const;
  const phases: Record<string, { server: number | null; receivedWall: number | null }> = Object.fromEntries(names.map((n, i) => [n, { server: pairs[i]?.[1] ?? null, receivedWall: pairs[i]?.[0] ?? null }]));
  for (const n of ["readyToStartContainers", "initialized", "running", "containersReady"]) phases[n] = { server: null, receivedWall: null };
  return { createdWhileWatching: watched, phases } as unknown as PodLifecycle;
}

test("serverClockOf: a real-time server 5 s behind this machine maps receive times back by 5 s; a 100× virtual clock is interpolated within the pod's own phases", () => {
  const skewed = [pod([[10_000, 5_250], [12_000, 7_100], [15_000, 10_050]]), pod([[20_000, 15_000], [30_000, 25_000]])];
  const clock = serverClockOf(skewed);
  assert.ok(Math.abs(clock(25_000) - 20_000) < 600, `${clock(25_000)}`);
  // Virtual time 100× the wall: created at server 1,000,000 (received 0), ready at 1,100,000 (received 1,000).
  const fast = pod([[0, 1_000_000], [400, 1_040_000], [1_000, 1_100_000]]);
  const v = serverClockOf([fast]);
  // Whole-second server times count from the middle of their second (+500 ms).
  assert.equal(v(200, fast), 1_020_500, "between created and scheduled");
  assert.equal(v(700, fast), 1_070_500, "between scheduled and ready");
  // Pods listed (not created while watching) give no points: the identity.
  assert.equal(serverClockOf([pod([[0, 9e12], [1, 9e12]], false)])(123), 123);
});
