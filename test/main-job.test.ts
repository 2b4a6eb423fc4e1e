import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCsv } from "../sdk/core/rows.js";
import { pngSize } from "../sdk/report/index.js";
import { tempDir } from "./helpers/temp-dir.js";

// The main job (`npm start`) with a reduced configuration: every output exists and is well-formed,
// and the experiment's files are byte-identical across two runs with the same seed.
function start(out: string) {
  const r = spawnSync(process.execPath, ["bin/actlab.js", "start", "--out", out, "--seed", "3", "--minutes", "3", "--replicates", "1", "--iterations", "2"], { encoding: "utf8", timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr.slice(-3000));
  return r.stdout;
}

test("npm start (reduced): writes the writeup, well-formed and reproducible", { timeout: 600_000 }, () => {
  const a = tempDir("actlab-main-");
  const b = tempDir("actlab-main-");
  const stdout = start(a);
  assert.match(stdout, /## Per treatment/);
  assert.match(stdout, /## ANOVA of sla_attainment/);
  assert.match(stdout, /## Scheduler placement × nodes/);
  assert.match(stdout, /embedded FMA cluster .*: 16 actuations over 4 runs .* 16\/16 agree with ground truth/);

  const results = parseCsv(readFileSync(join(a, "experiment", "results.csv"), "utf8"), "results.csv");
  assert.equal(results.length, 12);
  // The factors are crossed: 2 models × 3 sleep pools × 2 speed-ups, each cell once per replicate.
  assert.equal(new Set(results.map((r) => `${r.model}/${r.sleep_pool}/${r.speedup}`)).size, 12);
  for (const r of results) {
    assert.ok(["8b-h100", "32b-h100"].includes(String(r.model)));
    assert.equal(typeof r.sla_attainment, "number");
    assert.ok((r.sla_attainment as number) >= 0 && (r.sla_attainment as number) <= 1);
    assert.equal(typeof r.gpu_hours, "number");
    // No sleep pool: no hot path. Pre-warmed sleepers: the first scale-up (if any) is a wake.
    if (r.sleep_pool === "none") assert.ok(r.hot_hit_rate === null || r.hot_hit_rate === 0);
    if (r.sleep_pool === "prewarmed" && (r.scale_ups as number) > 0) assert.ok((r.hot_hit_rate as number) > 0);
  }
  // The reference (Dynamo's fixed 120 s start-up) is not classified: its hit rates are null, never 0.
  const reference = parseCsv(readFileSync(join(a, "reference", "results.csv"), "utf8"), "reference/results.csv");
  assert.deepEqual(reference.map((r) => `${r.startup}/${r.speedup}`).sort(), ["fixed_120s/1", "fixed_120s/2"]);
  for (const r of reference) assert.equal(r.hot_hit_rate, null);
  assert.equal(readFileSync(join(a, "experiment", "results.jsonl"), "utf8").trim().split("\n").length, 12);
  const anova = JSON.parse(readFileSync(join(a, "experiment", "anova.json"), "utf8")) as { rows: Array<{ term: string }>; response: string };
  assert.equal(anova.response, "sla_attainment");
  assert.deepEqual(anova.rows.map((r) => r.term).slice(0, 3), ["model", "sleep_pool", "speedup"]);
  for (const name of ["main-effects", "interactions"]) {
    assert.match(readFileSync(join(a, "experiment", `${name}.svg`), "utf8"), /^<svg/);
    assert.ok(pngSize(readFileSync(join(a, "experiment", `${name}.png`))).width > 100);
  }
  assert.ok(existsSync(join(a, "diagnostics", "planner_report.html")));
  assert.match(readFileSync(join(a, "diagnostics", "planner_report.html"), "utf8"), /<svg/);
  const cluster = JSON.parse(readFileSync(join(a, "cluster", "summary.json"), "utf8")) as { agree_with_ground_truth: number; total: number };
  assert.equal(cluster.agree_with_ground_truth, cluster.total);
  assert.equal(cluster.total, 16);
  // The placement factorial: 2 placements × 2 cluster sizes, one row per run, each run's actuations kept.
  const cRows = parseCsv(readFileSync(join(a, "cluster", "results.csv"), "utf8"), "cluster/results.csv");
  assert.deepEqual(cRows.map((r) => `${r.placement}/${r.nodes}`).sort(), ["pack/1", "pack/4", "spread/1", "spread/4"]);
  for (const r of cRows) {
    assert.equal(r.status, "ok");
    assert.equal(r.agree_with_ground_truth, r.actuations);
    const rates = [r.hot_hit_rate, r.warm_hit_rate, r.cold_launcher_hit_rate] as number[];
    assert.ok(Math.abs(rates.reduce((x, y) => x + y, 0) - 1) < 1e-9, `hit rates of ${r.id} sum to 1`);
    const lines = readFileSync(join(a, "cluster", "runs", `${r.id}.jsonl`), "utf8").trim().split("\n");
    assert.equal(lines.length, r.actuations);
  }
  const hotAnova = JSON.parse(readFileSync(join(a, "cluster", "anova.json"), "utf8")) as { response: string; rows: Array<{ term: string }> };
  assert.equal(hotAnova.response, "hot_hit_rate");
  assert.deepEqual(hotAnova.rows.map((r) => r.term), ["placement", "nodes"]);
  assert.match(readFileSync(join(a, "cluster", "interactions.svg"), "utf8"), /^<svg/);
  assert.match(readFileSync(join(a, "README.md"), "utf8"), /seed 3/);

  start(b);
  for (const f of ["experiment/results.csv", "experiment/results.jsonl", "experiment/anova.json", "experiment/per-treatment.csv", "reference/results.csv", "cluster/results.csv", "cluster/per-treatment.csv", "cluster/anova.json"]) {
    assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs between two runs with the same seed`);
  }
});
