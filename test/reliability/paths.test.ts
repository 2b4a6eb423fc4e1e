// Names from input files that become paths stay one plain segment, and a YAML alias bomb is an InputError (issue 17).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../sdk/core/errors.js";
import { parseExperiment, readExperimentFile, defineExperiment } from "../../sdk/doe/experiment-file.js";
import { parsePlannerConfig, DEFAULT_ENGINE_CAPABILITIES } from "../../sdk/planner/config.js";
import { loadPlannerConfig } from "../../sdk/planner/load-config.js";
import { runPlannerReplay } from "../../sdk/planner/run.js";
import { writePlannerReplayOutputs } from "../../sdk/planner/write-outputs.js";
import type { TraceRequest } from "../../sdk/trace/types.js";

const BAD = ["..", "../../x", "/abs", "a/b", "a\\b", "a\0b", "."];
const engineCapabilities = { prefill: DEFAULT_ENGINE_CAPABILITIES, decode: DEFAULT_ENGINE_CAPABILITIES };

function tempRoot(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), "actlab-paths-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

const isPlainNameError = (source: string, path: string, value: string) => (e: unknown) => {
  assert.ok(e instanceof InputError, String(e));
  assert.equal(e.source, source);
  assert.equal(e.path, path);
  assert.match(e.message, /a plain name/);
  assert.ok(e.message.includes(JSON.stringify(value)), `${e.message} names the value ${JSON.stringify(value)}`);
  return true;
};

const experimentYaml = (name: string) => `experiment:\n  name: ${JSON.stringify(name)}\ntreatments:\n  - name: t1\n    x: 1\n  - name: t2\n    x: 2\n`;

test("experiment.name that is not a plain name is an InputError naming the file and key (parser, file reader, defineExperiment)", (t) => {
  const root = tempRoot(t);
  for (const name of BAD) {
    assert.throws(() => parseExperiment(experimentYaml(name), "exp.yaml"), isPlainNameError("exp.yaml", "experiment.name", name));
    const file = join(root, "exp.yaml");
    writeFileSync(file, experimentYaml(name));
    assert.throws(() => readExperimentFile(file), isPlainNameError(file, "experiment.name", name));
    assert.throws(() => defineExperiment({ experiment: { name }, treatments: [{ name: "t1", x: 1 }, { name: "t2", x: 2 }] }), isPlainNameError("<code>", "experiment.name", name));
  }
  // Plain names, spaces and dots inside a name stay accepted.
  for (const name of ["sweep-1", "my sweep.v2", "a..b"]) assert.equal(parseExperiment(experimentYaml(name), "exp.yaml").name, name);
});

test("actlab experiment with a climbing experiment.name: one-line error, exit 1, nothing written outside out/", (t) => {
  const root = tempRoot(t);
  const cwd = join(root, "work", "deep");
  mkdirSync(cwd, { recursive: true });
  const file = join(root, "exp.yaml");
  writeFileSync(file, experimentYaml("../../../escaped"));
  const r = spawnSync(process.execPath, [join(process.cwd(), "bin/actlab.js"), "experiment", file, "--plan"], { cwd, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /experiment\.name\): a plain name/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.deepEqual(readdirSync(root).sort(), ["exp.yaml", "work"]);
  assert.deepEqual(readdirSync(join(root, "work")), ["deep"]);
});

test("planner report_filename that is not a plain name is an InputError naming the file and key", (t) => {
  const root = tempRoot(t);
  for (const name of BAD) {
    assert.throws(() => parsePlannerConfig({ mode: "agg", report_filename: name }, { source: "cfg.json", engineCapabilities }), isPlainNameError("cfg.json", "report_filename", name));
    const file = join(root, "cfg.json");
    writeFileSync(file, JSON.stringify({ mode: "agg", report_filename: name }));
    assert.throws(() => loadPlannerConfig(file, { engineCapabilities }), isPlainNameError(file, "report_filename", name));
  }
  assert.equal(parsePlannerConfig({ mode: "agg", report_filename: "report.v2.html" }, { engineCapabilities }).report_filename, "report.v2.html");
  assert.equal(parsePlannerConfig({ mode: "agg", report_filename: null }, { engineCapabilities }).report_filename, null);
});

test("writePlannerReplayOutputs refuses a climbing report name before writing anything", (t) => {
  const root = tempRoot(t);
  const requests: TraceRequest[] = Array.from({ length: 6 }, (_, i) => ({ timestamp: i * 500, input_length: 256, output_length: 8, hash_ids: [i * 4, i * 4 + 1, i * 4 + 2, i * 4 + 3] }));
  const result = runPlannerReplay(requests, { mode: "agg", optimization_target: "throughput" }, { seed: 1 });
  const out = join(root, "a", "out");
  mkdirSync(join(root, "a"));
  for (const name of BAD) {
    // The option, and a config built in code that never went through the validator.
    assert.throws(() => writePlannerReplayOutputs(out, result, { reportFilename: name }), isPlainNameError("planner outputs", "reportFilename", name));
    assert.throws(() => writePlannerReplayOutputs(out, { ...result, config: { ...result.config, report_filename: name } }), isPlainNameError("planner config", "report_filename", name));
  }
  assert.equal(existsSync(out), false, "nothing written");
  assert.deepEqual(readdirSync(root), ["a"]);
  assert.deepEqual(readdirSync(join(root, "a")), []);
});

// Billion laughs: nine levels of nine aliases each would expand to 9^9 strings.
const BOMB = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]", ..."bcdefghi".split("").map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(", ")}]`)].join("\n") + "\n";

test("a YAML alias bomb in an experiment file is an InputError naming the file (parser)", () => {
  assert.throws(() => parseExperiment(BOMB, "bomb.yaml"), (e: unknown) => {
    assert.ok(e instanceof InputError, String(e));
    assert.equal(e.source, "bomb.yaml");
    assert.match(e.message, /^bomb\.yaml.*aliases/);
    return true;
  });
});

test("actlab experiment on a YAML alias bomb: one line naming the file, exit 1, no stack", (t) => {
  const root = tempRoot(t);
  const file = join(root, "bomb.yaml");
  writeFileSync(file, BOMB);
  const r = spawnSync(process.execPath, ["bin/actlab.js", "experiment", file], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.ok(r.stderr.includes(file), r.stderr);
  assert.doesNotMatch(r.stderr, /ReferenceError|\n\s+at /);
});
