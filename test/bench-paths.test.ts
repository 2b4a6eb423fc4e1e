import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Actuation } from "../sdk/actuation/classify.js";
import { tempDir } from "./helpers/temp-dir.js";

function bench(out: string, ...args: string[]): Actuation[] {
  const r = spawnSync(process.execPath, ["bin/actlab.js", "bench", ...args, "--time-scale", "5000", "--seed", "1", "--out", out], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(readFileSync(join(out, "actuations.json"), "utf8")) as Actuation[];
}

test("bench --delete-launchers: every nop iteration needs a new launcher (without it, the second one wakes the sleeper)", { timeout: 180_000 }, () => {
  const dir = tempDir("bench-paths-");
  const plain = bench(join(dir, "plain"), "--iterations", "3");
  assert.deepEqual(plain.map((a) => a.path), ["cold_launcher", "hot", "hot"]);
  const out = join(dir, "deleting");
  const fresh = bench(out, "--iterations", "3", "--delete-launchers");
  assert.deepEqual(fresh.map((a) => a.path), ["cold_launcher", "cold_launcher", "cold_launcher"]);
  assert.equal(new Set(fresh.map((a) => a.provider)).size, 3);
  assert.equal(JSON.parse(readFileSync(join(out, "run.json"), "utf8")).deleteLaunchers, true);
  // Pre-created launchers are deleted too: still a new launcher each time.
  assert.deepEqual(bench(join(dir, "populated"), "--iterations", "2", "--launchers-per-node", "1", "--delete-launchers").map((a) => a.path), ["cold_launcher", "cold_launcher"]);
});

test("bench new_variant on the embedded cluster: each model has its own InferenceServerConfig, so a new model is a new instance (warm), not a wake", { timeout: 180_000 }, () => {
  const dir = tempDir("bench-variant-");
  const models = join(dir, "models.json");
  writeFileSync(models, JSON.stringify({ models: ["meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen3-8B", "ibm-granite/granite-3.3-8b-instruct"] }));
  const pre = bench(join(dir, "pre"), "--scenario", "new_variant", "--model-path", models, "--iterations", "1", "--max-replicas", "1", "--launchers-per-node", "1");
  assert.deepEqual(pre.map((a) => a.path), ["warm", "warm", "warm"]);
  assert.equal(new Set(pre.map((a) => a.instance_id)).size, 3);
  // Without a pre-created launcher: the first model needs one; the next reclaim its sleeper (same port).
  const bare = bench(join(dir, "bare"), "--scenario", "new_variant", "--model-path", models, "--iterations", "1", "--max-replicas", "1");
  assert.deepEqual(bare.map((a) => [a.path, a.instances_deleted]), [["cold_launcher", 0], ["warm", 1], ["warm", 1]]);
  // The same model twice is still the same instance: hot.
  assert.deepEqual(bench(join(dir, "twice"), "--scenario", "new_variant", "--model-path", models, "--iterations", "2", "--max-replicas", "1", "--launchers-per-node", "3").map((a) => a.path).filter((_p, i) => i % 2 === 1), ["hot", "hot", "hot"]);
});
