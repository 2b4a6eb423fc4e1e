import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadMooncake, traceStats } from "../sdk/trace/index.js";
import { tempDir } from "./helpers/temp-dir.js";

function actlab(...args: string[]) {
  return spawnSync(process.execPath, ["bin/actlab.js", ...args], { encoding: "utf8", timeout: 120_000 });
}

const SHARED = "datasets/traces/shared-prefix.jsonl";

test("actlab trace stats prints statistics; --json matches traceStats", () => {
  const text = actlab("trace", "stats", SHARED);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /requests\s+200/);
  assert.match(text.stdout, /ideal prefix reuse/);
  const json = actlab("trace", "stats", SHARED, "--json");
  assert.equal(json.status, 0, json.stderr);
  const got = JSON.parse(json.stdout);
  const want = traceStats(loadMooncake(SHARED).requests);
  assert.equal(got.requests, 200);
  assert.equal(got.isl.mean, want.isl.mean);
  assert.equal(got.idealPrefixReuse.tokenRatio, want.idealPrefixReuse.tokenRatio);
  assert.equal(got.read.skipped, 0);
});

test("actlab trace stats: usage errors exit 2, bad input exits 1 naming file:line", () => {
  assert.equal(actlab("trace", "stats").status, 2);
  assert.equal(actlab("trace", "stats", SHARED, "--interval", "x").status, 2);
  const dir = tempDir("actlab-trace-");
  const bad = join(dir, "bad.jsonl");
  writeFileSync(bad, '{"timestamp": 0, "input_length": 10, "output_length": 1, "hash_ids": [1]}\n{"timestamp": 1, "input_length": 1.5, "output_length": 1, "hash_ids": [1]}\n');
  const r = actlab("trace", "stats", bad);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.jsonl:2 \(input_length\)/);
  const lenient = actlab("trace", "stats", bad, "--lenient", "--json");
  assert.equal(lenient.status, 0);
  assert.equal(JSON.parse(lenient.stdout).read.skipped, 1);
});

test("actlab replay prints a summary; --json is the summary; --out writes rows; same seed, same bytes", () => {
  const a = actlab("replay", SHARED, "--workers", "2", "--router", "kv", "--json");
  assert.equal(a.status, 0, a.stderr);
  const s = JSON.parse(a.stdout);
  assert.equal(s.completed, 200);
  assert.equal(s.router, "kv");
  assert.ok(s.avgKvHitRate > 0);
  assert.equal(actlab("replay", SHARED, "--workers", "2", "--router", "kv", "--json").stdout, a.stdout);
  const dir = tempDir("actlab-replay-");
  const t = actlab("replay", "datasets/traces/multi-turn.jsonl", "--mode", "disagg", "--prefill-workers", "1", "--decode-workers", "2", "--kv-bytes-per-token", "131072", "--out", dir);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /TTFT ms\s+mean/);
  assert.match(t.stdout, /1 prefill \+ 2 decode workers/);
  assert.equal(readFileSync(join(dir, "requests.csv"), "utf8").trim().split("\n").length, 161);
  assert.equal(JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")).mode, "disagg");
  assert.equal(actlab("replay", SHARED, "--router", "nope").status, 2);
  assert.equal(actlab("replay", SHARED, "--workers", "1.5").status, 2);
  assert.equal(actlab("replay", SHARED, "--step-time", "nope").status, 2);
  assert.equal(actlab("replay", "missing.jsonl").status, 1);
});
