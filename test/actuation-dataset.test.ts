import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { analyzeRun } from "../sdk/actuation/analyze.js";
import { nopOptionsFor } from "../sdk/actuation/nop-context.js";
import type { Actuation } from "../sdk/actuation/classify.js";
import { readRunDir, writeAnalysis } from "../sdk/bench/run-files.js";
import type { NopScenario } from "../sdk/actuation/nop-result.js";
import { tempDir } from "./helpers/temp-dir.js";

const ROOT = "datasets/event-logs";
const folders = readdirSync(ROOT).filter((f) => statSync(join(ROOT, f)).isDirectory()).sort();
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const rep = <T>(n: number, x: T): T[] => Array.from({ length: n }, () => x);
const distinct = (xs: readonly (string | null)[]) => new Set(xs).size;

/** What each recorded folder shows (datasets/event-logs/README.md); a folder missing here fails the test. */
const expected: Record<string, { paths: string[]; check?: (acts: Actuation[], options: Record<string, unknown>) => void }> = {
  "nop-8b-h100": { paths: [...rep(2, "cold_launcher"), ...rep(6, "hot")] },
  "hot-8b-h100": {
    paths: ["warm", ...rep(5, "hot")],
    // The populator's launcher, then the same instance woken every time.
    check: (acts) => { assert.equal(distinct(acts.map((a) => a.provider)), 1); assert.equal(distinct(acts.map((a) => a.instance_id)), 1); },
  },
  "warm-8b-h100": {
    paths: rep(4, "warm"),
    // One launcher, one instance per model; models 2–4 reclaim the previous model's sleeper (same port).
    check: (acts) => {
      assert.equal(distinct(acts.map((a) => a.provider)), 1);
      assert.equal(distinct(acts.map((a) => a.instance_id)), 4);
      assert.deepEqual(acts.map((a) => a.instances_deleted), [0, 1, 1, 1]);
    },
  },
  "cold-launcher-8b-h100": {
    paths: rep(4, "cold_launcher"),
    check: (acts, options) => { assert.equal(options.deleteLaunchers, true); assert.equal(distinct(acts.map((a) => a.provider)), 4); },
  },
};

test("datasets/event-logs holds the folders the README documents", () => {
  assert.deepEqual(folders, Object.keys(expected).sort());
  for (const f of folders) {
    assert.match(readme, new RegExp(`^## \`${f}/\`$`, "m"), `README section for ${f}`);
    assert.match(readme, new RegExp(`^node bin/actlab\\.js bench .* --out ${ROOT}/${f}$`, "m"), `regenerate command for ${f}`);
  }
});

for (const f of folders) {
  test(`${f} re-classifies offline to its committed outputs byte for byte, with the paths its README gives`, () => {
    const dir = join(ROOT, f);
    const run = readRunDir(dir);
    const { actuations } = analyzeRun(run);
    const want = expected[f];
    assert.ok(want, `${f}: no expected paths in this test`);
    assert.deepEqual(actuations.map((a) => a.path), want.paths);
    assert.deepEqual(actuations.map((a) => a.iteration), actuations.map((a) => a.iteration).slice().sort((x, y) => x - y));
    assert.ok(actuations.every((a) => a.classified_by === "dpc" && a.timing_source === "dpc"));
    want.check?.(actuations, run.options);
    const out = tempDir("dataset-");
    // As actlab bench's final write: the recorded run also gives vllm_metrics, IP endpoints, engines, model.
    const files = writeAnalysis(out, actuations, nopOptionsFor(run, run.options.nopScenario as NopScenario));
    for (const file of files) assert.equal(readFileSync(join(out, file), "utf8"), readFileSync(join(dir, file), "utf8"), `${f}/${file}`);
    // The README's summary row: actuations, hot, warm, cold_launcher.
    const row = readme.split("\n").find((l) => l.startsWith(`| \`${f}/\` |`));
    assert.ok(row, `${f}: a row in the README table`);
    const cells = row.split("|").map((c) => c.trim());
    const count = (p: string) => actuations.filter((a) => a.path === p).length;
    assert.deepEqual(cells.slice(3, 7).map(Number), [actuations.length, count("hot"), count("warm"), count("cold_launcher")], `${f}: README row`);
    // Without the DPC log, the same classes from the watch and the vLLM lines.
    assert.deepEqual(analyzeRun({ ...run, use: { dpc: false } }).actuations.map((a) => a.path), want.paths);
    // Pod objects alone (no logs, no metric): a launcher the watch saw created bound to its requester is
    // cold_launcher; hot vs warm needs more evidence (unknown), never a guess.
    const kubeOnly = analyzeRun({ ...run, use: { dpc: false, vllm: false, metric: false } }).actuations.map((a) => a.path);
    assert.deepEqual(kubeOnly, want.paths.map((p) => (p === "cold_launcher" ? p : "unknown")), `${f}: Kubernetes objects only`);
  });
}
