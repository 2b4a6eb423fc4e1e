import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeRun } from "../sdk/actuation/analyze.js";
import { readRunDir, writeAnalysis } from "../sdk/kube/run-files.js";
import type { NopScenario } from "../sdk/actuation/nop-result.js";

test("the recorded run in datasets/event-logs re-classifies offline to the committed outputs, byte for byte", () => {
  const dir = "datasets/event-logs/nop-8b-h100";
  const run = readRunDir(dir);
  const { actuations } = analyzeRun(run);
  assert.deepEqual(actuations.map((a) => a.path), ["cold_launcher", "cold_launcher", "hot", "hot", "hot", "hot", "hot", "hot"]);
  assert.ok(actuations.every((a) => a.classified_by === "dpc" && a.timing_source === "dpc"));
  const out = mkdtempSync(join(tmpdir(), "dataset-"));
  writeAnalysis(out, actuations, { scenario: run.options.nopScenario as NopScenario });
  for (const f of ["result.yaml", "benchmark_report.yaml", "actuations.json", "actuations.csv", "summary.json"]) {
    assert.equal(readFileSync(join(out, f), "utf8"), readFileSync(join(dir, f), "utf8"), f);
  }
  // Without the DPC log, the same classes from watch order and vLLM lines.
  assert.deepEqual(analyzeRun({ ...run, use: { dpc: false } }).actuations.map((a) => a.path), actuations.map((a) => a.path));
});
