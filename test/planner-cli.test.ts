/** `actlab replay TRACE --planner CONFIG`: outputs, JSON summary, and config errors (exit 1, naming the key). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sharedDataset } from "../sdk/core/paths.js";
import { tempDir } from "./helpers/temp-dir.js";

const trace = sharedDataset("mooncake/conversation_trace.jsonl");
const actlab = (args: string[]) => spawnSync(process.execPath, ["bin/actlab.js", ...args], { encoding: "utf8", timeout: 120_000 });

test("actlab replay --planner writes report, summary, decisions and prints Dynamo-style lines", { skip: trace ? false : "no shared trace", timeout: 150_000 }, () => {
  const out = tempDir("planner-cli-");
  const r = actlab(["replay", trace!, "--head", "600", "--router", "kv", "--planner", "datasets/planner/agg-sla.json", "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Scaling events:/m);
  assert.match(r.stdout, /Planner ticks: \d+/);
  assert.match(r.stdout, /hot_hit_rate/);
  for (const f of ["summary.json", "decisions.jsonl", "scaling-events.csv", "actuations.csv", "requests.csv", "replay_agg.html"]) assert.ok(existsSync(join(out, f)), f);
  const s = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
  assert.equal(s.requests, 600);
  assert.equal(s.plannerMode, "agg");
  // Inline JSON config (Dynamo's --planner-config '{…}') and --json output.
  const j = actlab(["replay", trace!, "--head", "200", "--planner", '{"mode":"agg","optimization_target":"sla","enable_load_scaling":true,"throughput_adjustment_interval":60,"actuation":{"startup_time":30}}', "--out", out, "--json"]);
  assert.equal(j.status, 0, j.stderr);
  assert.equal(JSON.parse(j.stdout).startupTimeS, 30);
});

test("a bad planner config exits 1 naming the file and the key", { skip: trace ? false : "no shared trace", timeout: 60_000 }, () => {
  const dir = tempDir("planner-cli-bad-");
  const cfg = join(dir, "bad.yaml");
  writeFileSync(cfg, "mode: agg\noptimization_target: sla\nthroughput_adjustment_intervall: 60\n");
  const r = actlab(["replay", trace!, "--head", "50", "--planner", cfg]);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`${cfg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}.*throughput_adjustment_intervall.*unknown key`));
});
