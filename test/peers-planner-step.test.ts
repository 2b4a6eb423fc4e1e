// `actlab planner step`: the step protocol over the SDK's state machine (JSON lines in, one reply a line out).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

const lines = [
  { op: "init", config: { mode: "agg", optimization_target: "sla", ttft: 500, itl: 50, enable_load_scaling: true, enable_throughput_scaling: false, load_adjustment_interval_seconds: 7, min_endpoint: 2 }, capabilities: { decode: { num_gpu: 1, max_num_batched_tokens: 8192, max_num_seqs: 256, max_kv_tokens: 1048576 } } },
  { op: "tick", tick: { at_s: 7, run_load_scaling: true, need_worker_fpm: true }, input: { now_s: 7, worker_counts: { ready_num_decode: 1 }, fpm_observations: { decode: [{ worker_id: "w0", wall_time: 0.02, scheduled_requests: { num_decode_requests: 4, sum_decode_kv_tokens: 9000 } }] } } },
  "not json",
  { op: "warp" },
];

test("actlab planner step answers each JSON line in Dynamo's names; bad lines get an error reply and the stream goes on", () => {
  const input = lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n";
  const r = spawnSync(process.execPath, ["bin/actlab.js", "planner", "step"], { input, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(out.length, 4);
  // The long Dynamo key (load_adjustment_interval_seconds) is accepted: the first tick is at 7 s.
  assert.deepEqual(out[0], { op: "init", next_tick: { at_s: 7, run_load_scaling: true, run_throughput_scaling: false, need_traffic_metrics: true, traffic_metrics_duration_s: 7, need_worker_states: true, need_worker_fpm: true } });
  assert.equal(out[1].op, "tick");
  assert.equal(out[1].next_tick.at_s, 14);
  // One sample is below load_min_observations: no estimate; the SDK still lifts 1 → min_endpoint 2.
  assert.equal(out[1].diagnostics.estimated_itl_ms, null);
  assert.deepEqual(out[1].scale_to, { num_prefill: null, num_decode: 2 });
  assert.match(out[2].error, /stdin:3: expected a JSON object/);
  assert.match(out[3].error, /expected "init", "bootstrap" or "tick", got "warp"/);
});
