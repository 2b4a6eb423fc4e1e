import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import YAML from "yaml";
import { tempDir } from "./helpers/temp-dir.js";

function actlab(...args: string[]) {
  return spawnSync(process.execPath, ["bin/actlab.js", ...args], { encoding: "utf8", timeout: 120_000 });
}

const MODULE = resolve("sdk/doe/synthetic-response.ts");

test("actlab experiment FILE prints the plan of both seed examples; warnings and strict mode", () => {
  const one = actlab("experiment", "datasets/experiments/disaggregated_vs_llmd.yaml");
  assert.equal(one.status, 0, one.stderr);
  assert.match(one.stdout, /disaggregated_vs_llmd \(legacy format\): 8 setup × 10 run treatments = 80 runs/);
  assert.match(one.stdout, /setup_modelservice_NA_NA_6_2_1_4\.run_1_10/);
  assert.match(one.stdout, /… 60 more/);
  const two = actlab("experiment", "datasets/experiments/precise-prefix-cache-aware.yaml");
  assert.equal(two.status, 0);
  assert.match(two.stdout, /3 setup × 3 run treatments = 9 runs/);
  assert.match(two.stderr, /warning: .*\(run\.treatments\[0\]\).*found 8000/);
  const strict = actlab("experiment", "datasets/experiments/precise-prefix-cache-aware.yaml", "--strict");
  assert.equal(strict.status, 1);
  assert.match(strict.stderr, /precise-prefix-cache-aware\.yaml:\d+ \(run\.treatments\[0\]\)/);
  const yaml = actlab("experiment", "datasets/experiments/disaggregated_vs_llmd.yaml", "--yaml");
  assert.equal(YAML.parse(yaml.stdout).setup.treatments.length, 8);
  assert.equal(actlab("experiment").status, 2);
  assert.equal(actlab("experiment", "no/such/file.yaml").status, 1);
  assert.equal(actlab("experiment", "datasets/experiments/disaggregated_vs_llmd.yaml", "--shard", "2/2", "--module", MODULE).status, 1);
});

test("actlab experiment runs a sweep, shards it, merges the shards to the same bytes, and writes a K8s Indexed Job", { timeout: 180_000 }, () => {
  const dir = tempDir("actlab-exp-cli-");
  const file = join(dir, "small.yaml");
  writeFileSync(file, `experiment: {name: small}
design:
  type: full_factorial
  replicates: 2
  randomize: true
  seed: 3
  setup:
    factors:
      - {name: pool, key: sleep.pool, levels: [0, 2]}
  run:
    factors:
      - {name: speedup, key: arrival.speedup, levels: [1, 2, 4]}
`);
  const whole = join(dir, "whole");
  const r = actlab("experiment", file, "--module", MODULE, "--out", whole, "--concurrency", "2", "--seed", "9", "--progress", "silent");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /12 runs: 12 executed, 0 from cache, 0 failed/);
  const again = actlab("experiment", file, "--module", MODULE, "--out", whole, "--seed", "9", "--progress", "silent");
  assert.match(again.stdout, /12 runs: 0 executed, 12 from cache/);
  const sharded = join(dir, "sharded");
  for (const i of [0, 1]) {
    const s = actlab("experiment", file, "--module", MODULE, "--out", join(sharded, `shard-${i}`), "--shard", `${i}/2`, "--seed", "9", "--concurrency", "1", "--progress", "silent");
    assert.equal(s.status, 0, s.stderr);
    assert.match(s.stdout, /6 runs: 6 executed/);
  }
  const m = actlab("experiment", file, "--merge", "--out", sharded, "--seed", "9");
  assert.equal(m.status, 0, m.stderr);
  for (const f of ["results.csv", "results.jsonl"]) assert.ok(readFileSync(join(sharded, f)).equals(readFileSync(join(whole, f))), `${f} differs`);
  const partial = actlab("experiment", file, "--merge", join(sharded, "shard-0"), "--out", join(dir, "partial"), "--seed", "9");
  assert.equal(partial.status, 1);
  assert.match(partial.stderr, /missing 6 runs/);

  const job = actlab("experiment", file, "--k8s-job", "4", "--image", "registry.example/actlab:0.1", "--module", "/app/treatment.ts", "--claim", "sweep-results");
  assert.equal(job.status, 0, job.stderr);
  const manifest = YAML.parse(job.stdout);
  assert.equal(manifest.kind, "Job");
  assert.equal(manifest.metadata.name, "actlab-small");
  assert.equal(manifest.spec.completionMode, "Indexed");
  assert.equal(manifest.spec.completions, 4);
  assert.match(manifest.spec.template.spec.containers[0].command[2], /--shard "\$JOB_COMPLETION_INDEX\/4".*--module \/app\/treatment\.ts/);
  assert.equal(actlab("experiment", file, "--k8s-job", "4").status, 2);
});
