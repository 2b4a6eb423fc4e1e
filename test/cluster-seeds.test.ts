// Seeds (issue 11 item 5): the embedded cluster takes its root stream already split (ClusterConfig.rng), and that stream alone decides its run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ClusterModel } from "../sdk/cluster/model.js";
import { rng } from "../sdk/core/rng.js";
import type { ClusterConfig } from "../sdk/cluster/types.js";

/** A scripted run: scale a requester 0→3→0→3 and return its event log and ground truth. */
function run(cfg: ClusterConfig): string {
  const m = new ClusterModel({ nodes: 2, gpusPerNode: 2, placement: "random", recordLog: true, ...cfg });
  m.apiCreate("deployments", "default", m.requesterDeployment("req", { gpus: 1 }));
  for (const n of [3, 0, 3]) { m.scale("deployments", "default", "req", n); m.runFor(400_000); }
  return JSON.stringify([m.eventLog(), m.actuations()]);
}

test("seeds: a root stream passed as rng gives the run its seed gives; a split child of it gives another run", () => {
  assert.equal(run({ rng: rng(7) }), run({ seed: 7 }));
  assert.equal(run({ rng: rng(7), seed: 99 }), run({ seed: 7 }), "rng wins over seed");
  const child = run({ rng: rng(7).split("sweep-run-1") });
  assert.notEqual(child, run({ seed: 7 }));
  assert.equal(child, run({ rng: rng(7).split("sweep-run-1") }), "the same split stream → the same bytes");
});
