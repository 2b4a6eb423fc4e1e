// Planner flapping (issue 16 item 10): reversals counted in the summary, and an optional scale-down stabilisation window with Kubernetes HPA semantics, off by default.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { countFlaps, FLAP_WINDOW_S, ScaleDownStabilizer } from "../sdk/planner/flapping.js";
import { runPlannerReplay } from "../sdk/planner/run.js";
import { parsePlannerConfig, DEFAULT_PLANNER_CONFIG } from "../sdk/planner/config.js";
import { loadTrace } from "../sdk/trace/load.js";

const TRACE = "datasets/traces/public/mooncake/conversation_trace.jsonl.gz";
const AGG = JSON.parse(readFileSync("datasets/planner/agg-sla.json", "utf8")) as Record<string, unknown>;

test("countFlaps: an applied reversal of the same pool within the window is a flap; other pools, advisory events and slow reversals are not", () => {
  const e = (t: number, direction: "scale_up" | "scale_down", component = "agg", applied = true) => ({ t, component, direction, applied });
  assert.equal(FLAP_WINDOW_S, 60);
  assert.equal(countFlaps([e(0, "scale_up"), e(10, "scale_down"), e(20, "scale_up"), e(200, "scale_down")]), 2);
  assert.equal(countFlaps([e(0, "scale_up"), e(5, "scale_up"), e(30, "scale_down")]), 1, "the last event of the pool is compared");
  assert.equal(countFlaps([e(0, "scale_up", "prefill"), e(10, "scale_down", "decode")]), 0);
  assert.equal(countFlaps([e(0, "scale_up"), e(10, "scale_down", "agg", false)]), 0);
  assert.equal(countFlaps([e(0, "scale_up"), e(60, "scale_down")]), 0, "60 s apart is not < 60 s");
});

test("ScaleDownStabilizer: a scale-down goes only as low as the highest recommendation of the window (HPA); scale-ups pass at once", () => {
  const s = new ScaleDownStabilizer(300);
  assert.equal(s.recommend("agg", 0, 5, 3), 5, "scale-up applied");
  assert.equal(s.recommend("agg", 10, 2, 5), 5, "held at the 5 recommended 10 s ago");
  assert.equal(s.recommend("agg", 200, 3, 5), 5);
  assert.equal(s.recommend("agg", 299, 2, 5), 5);
  assert.equal(s.recommend("agg", 301, 2, 5), 3, "t=0's 5 left the window; the highest since is 3 (t=200)");
  assert.equal(s.recommend("agg", 600, 1, 3), 2, "t=301's 2 is still inside (299 s ago)");
  assert.equal(s.recommend("agg", 602, 1, 2), 1, "every higher recommendation has left");
  assert.equal(s.recommend("decode", 602, 1, 4), 1, "pools are separate");
  assert.throws(() => new ScaleDownStabilizer(0), /window must be > 0/);
});

test("the window is off by default (Dynamo's behaviour: 0 gives the same bytes as no key) and validated", () => {
  assert.equal(DEFAULT_PLANNER_CONFIG.scale_down_stabilization_window, 0);
  const head = loadTrace(TRACE).requests.slice(0, 600);
  const plain = runPlannerReplay(head, AGG, { seed: 1 });
  const zero = runPlannerReplay(head, { ...AGG, scale_down_stabilization_window: 0 }, { seed: 1 });
  assert.equal(JSON.stringify(zero.summary), JSON.stringify(plain.summary));
  assert.equal(JSON.stringify(zero.controller.events), JSON.stringify(plain.controller.events));
  assert.throws(() => parsePlannerConfig({ mode: "agg", scale_down_stabilization_window: -5 }, { source: "cfg.json" }), /cfg\.json \(scale_down_stabilization_window\): expected a finite number ≥ 0 ≤ 86400, got -5$/);
});

test("on 4000 Mooncake requests the planner flaps 25 times; a 300 s window (HPA's default) cuts that to ≤ 2 and no scale-down follows a higher recommendation inside the window", () => {
  const head = loadTrace(TRACE).requests.slice(0, 4000);
  const off = runPlannerReplay(head, AGG, { seed: 1 });
  const on = runPlannerReplay(head, { ...AGG, scale_down_stabilization_window: 300 }, { seed: 1 });
  assert.equal(off.summary.flaps, countFlaps(off.controller.events));
  assert.ok(off.summary.flaps >= 20, `flapping without a window: ${off.summary.flaps}`);
  assert.ok(on.summary.flaps <= 2, `with the window: ${on.summary.flaps}`);
  // Every applied scale-down with the window: no scale-up of that pool in the 300 s before it.
  for (const d of on.controller.events.filter((e) => e.direction === "scale_down" && e.applied)) {
    const ups = on.controller.events.filter((u) => u.component === d.component && u.direction === "scale_up" && u.t < d.t && d.t - u.t < 300);
    assert.deepEqual(ups.map((u) => u.t), [], `scale-down at ${d.t} s within 300 s of a scale-up`);
  }
  assert.match(JSON.stringify(off.report.summary), /"Flaps \(scale reversals < 60 s apart\)":\d+/);
});

test("actlab replay --planner: the summary comes first with the flap count and a hint naming the window; at most 10 scaling events, the rest pointed to", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-flaps-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (cfg: Record<string, unknown>, out: string) => {
    const path = join(dir, `${out}.json`);
    writeFileSync(path, JSON.stringify(cfg));
    return spawnSync(process.execPath, ["bin/actlab.js", "replay", TRACE, "--head", "4000", "--planner", path, "--out", join(dir, out)], { encoding: "utf8", timeout: 120_000 });
  };
  const off = run(AGG, "off");
  assert.equal(off.status, 0, off.stderr);
  const lines = off.stdout.split("\n");
  assert.match(lines[0]!, /^planner replay: 4000 requests/);
  assert.match(off.stdout, /flaps (\d+) \(reversals < 60 s apart\)/);
  assert.ok(lines.some((l) => /^hint: the planner reversed itself \d+ times within 60 s; .*scale_down_stabilization_window: 300/.test(l)), off.stdout);
  const shown = lines.filter((l) => /^ {2}t=/.test(l));
  assert.equal(shown.length, 10);
  const total = readFileSync(join(dir, "off", "scaling-events.csv"), "utf8").trim().split("\n").length - 1;
  assert.ok(lines.includes(`  … ${total - 10} more in ${join(dir, "off", "scaling-events.csv")}`), off.stdout);
  assert.ok(lines.indexOf("Scaling events:") > lines.findIndex((l) => l.startsWith("  replicas")));
  const on = run({ ...AGG, scale_down_stabilization_window: 300 }, "on");
  assert.equal(on.status, 0, on.stderr);
  assert.doesNotMatch(on.stdout, /^hint:/m);
});
