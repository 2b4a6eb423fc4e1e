import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { InputError } from "../sdk/core/errors.js";
import {
  defineExperiment, expandExperiment, experimentDesign, experimentSize, experimentToYaml, parseExperiment, readExperimentFile,
} from "../sdk/doe/index.js";

const SEED1 = "datasets/experiments/disaggregated_vs_llmd.yaml";
const SEED2 = "datasets/experiments/precise-prefix-cache-aware.yaml";

/** Parse `text` expecting an InputError; returns it for further checks. */
function parseError(text: string, options: { strict?: boolean } = {}): InputError {
  try {
    parseExperiment(text, "bad.yaml", options);
  } catch (err) {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    assert.equal(err.source, "bad.yaml");
    return err;
  }
  assert.fail("expected the experiment to be rejected");
}

test("seed example 1 (disaggregated vs standalone) expands to 8 setup × 10 run = 80 runs, NA as null", () => {
  const exp = readExperimentFile(SEED1);
  assert.equal(exp.format, "legacy");
  assert.equal(exp.name, "disaggregated_vs_llmd");
  assert.deepEqual(experimentSize(exp), { setup: 8, run: 10, total: 80 });
  assert.deepEqual(exp.warnings, []);
  const runs = expandExperiment(exp);
  assert.equal(runs.length, 80);
  assert.equal(new Set(runs.map((r) => r.id)).size, 80);
  // setup-major nesting: the first 10 runs share the first setup treatment
  assert.deepEqual(runs.slice(0, 10).map((r) => r.setupIndex), Array(10).fill(0));
  assert.deepEqual(runs.slice(0, 10).map((r) => r.runIndex), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // legacy naming: setup_<csv , → _>, run_<csv>
  assert.equal(runs[0]!.setup, "setup_modelservice_NA_NA_6_2_1_4");
  assert.equal(runs[0]!.run, "run_1_10");
  assert.equal(runs[79]!.id, "setup_standalone_4_8_NA_NA_NA_NA.run_1024_10240");
  const sa = runs.find((r) => r.setup === "setup_standalone_2_8_NA_NA_NA_NA")!;
  assert.equal(sa.factors.LLMDBENCH_VLLM_COMMON_REPLICAS, 2);
  assert.equal(sa.factors.LLMDBENCH_VLLM_MODELSERVICE_PREFILL_REPLICAS, null);
  assert.equal(sa.factors.LLMDBENCH_DEPLOY_METHODS, "standalone");
  assert.equal(sa.factors["num-prompts"], 10);
});

test("seed example 2 (GAIE) expands to 3 × 3 = 9 runs; its 8000 is a warning by default and an error when strict", () => {
  const exp = readExperimentFile(SEED2);
  assert.equal(expandExperiment(exp).length, 9);
  assert.equal(exp.warnings.length, 1);
  assert.equal(exp.warnings[0]!.path, "run.treatments[0]");
  assert.match(exp.warnings[0]!.message, /system_prompt_len.*80000, 5000, 1000.*found 8000/);
  assert.throws(() => readExperimentFile(SEED2, { strict: true }), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.equal(err.path, "run.treatments[0]");
    assert.ok(err.line !== undefined && err.line > 1);
    assert.match(err.message, /precise-prefix-cache-aware\.yaml:\d+ \(run\.treatments\[0\]\).*found 8000/);
    return true;
  });
});

const legacy = (setupTreatments: string, extra = "") => `
setup:
  factors: [METHOD, REPLICAS]
  levels:
    REPLICAS: "1,2"
  treatments:
${setupTreatments}
run:
  factors: [conc]
  treatments: ["1", "8"]
${extra}`;

test("malformed legacy files give precise errors (file, line, YAML path, what was expected)", () => {
  const wrongCount = parseError(legacy(`    - "a,1"\n    - "b,2,3"`));
  assert.equal(wrongCount.path, "setup.treatments[1]");
  assert.equal(wrongCount.line, 8);
  assert.match(wrongCount.expected, /2 comma-separated values \(one per factor: METHOD, REPLICAS\), found 3/);

  const unknown = parseError(`
setup:
  factors: [METHOD]
  levels:
    METHODS: "a,b"
  treatments: ["a"]
run:
  factors: [conc]
  treatments: ["1"]`);
  assert.equal(unknown.path, "setup.levels.METHODS");
  assert.match(unknown.expected, /'METHODS' is unknown/);

  const dupValues = parseError(legacy(`    - "a,1"\n    - "a,1"`));
  assert.equal(dupValues.path, "setup.treatments[1]");
  assert.match(dupValues.expected, /repeats the values of setup\.treatments\[0\]/);

  const dupNamed = parseError(legacy(`    x: "a,1"\n    y: "a,1"`));
  assert.equal(dupNamed.path, "setup.treatments.y");

  const empty = parseError(legacy(`    []`).replace("treatments:\n    []", "treatments: []"));
  assert.equal(empty.path, "setup.treatments");
  assert.match(empty.expected, /non-empty list of treatments/);

  const emptySection = parseError("setup: {}\nrun:\n  factors: [a]\n  treatments: ['1']\n");
  assert.equal(emptySection.path, "setup");

  const nothing = parseError("experiment: {name: x}\n");
  assert.match(nothing.expected, /at least one of 'setup' and 'run'/);

  const emptyValue = parseError(legacy(`    - "a,"`));
  assert.match(emptyValue.expected, /write NA/);

  const mixed = parseError(legacy(`    - "a,1"`).replace("run:\n  factors: [conc]\n  treatments: [\"1\", \"8\"]", "treatments:\n  - name: x\n    conc: 1"));
  assert.match(mixed.message, /same format/);
});

test("parsing never evaluates: !!js tags, custom tags and duplicate keys are rejected", () => {
  const js = parseError(`setup:\n  factors: [a]\n  treatments:\n    - !!js/function "function () { return 1 }"\nrun:\n  factors: [b]\n  treatments: ['1']\n`);
  assert.match(js.message, /tag/);
  assert.equal(js.line, 4);
  const custom = parseError(`treatments:\n  - name: x\n    key: !shell "rm -rf /"\n`);
  assert.match(custom.message, /tag '!shell' is not allowed/);
  assert.equal(custom.path, "treatments[0].key");
  const dup = parseError(`treatments:\n  - name: x\n    a: 1\n    a: 2\n`);
  assert.match(dup.message, /valid YAML/);
  assert.equal(dup.line, 4);
  // plain core-schema tags are data, not code, and stay allowed
  const ok = parseExperiment(`treatments:\n  - name: x\n    a: !!str 12\n`, "ok.yaml");
  assert.equal(ok.run!.treatments[0]!.values.a, 12);
});

const CURRENT = `
experiment:
  name: pd-mini
  harness: vllm-benchmark
  description: prefill/decode split vs concurrency
design:
  type: full_factorial
  setup:
    factors:
      - {name: decode_replicas, key: decode.replicas, levels: [1, 2]}
      - {name: method, key: deploy.method, levels: [modelservice, standalone]}
  run:
    factors:
      - {name: concurrency, key: max-concurrency, levels: [8, 32]}
  total_setup_treatments: 3
  total_run_treatments: 2
  total_matrix: 6
  response_variables: [ttft_p99]
setup:
  constants:
    model.name: Qwen/Qwen3-0.6B
    deploy.gpu: H100
  treatments:
    - name: ms-d1
      decode.replicas: 1
      deploy.method: modelservice
    - name: ms-d2
      decode.replicas: 2
      deploy.method: modelservice
    - name: sa
      deploy.method: standalone
treatments:
  - name: conc8
    max-concurrency: 8
  - name: conc32
    max-concurrency: 32
    profile: heavy
treatment_max_attempts: 3
treatment_stop_on_error: true
`;

test("the current format: named treatments, dotted keys, constants, informational design, options", () => {
  const exp = parseExperiment(CURRENT, "pd-mini.yaml");
  assert.equal(exp.format, "current");
  assert.equal(exp.name, "pd-mini");
  assert.equal(exp.harness, "vllm-benchmark");
  assert.deepEqual(exp.warnings, []);
  assert.equal(exp.options.treatment_max_attempts, 3);
  assert.equal(exp.options.treatment_stop_on_error, true);
  assert.equal(exp.options.reset_caches, false);
  const runs = expandExperiment(exp);
  assert.equal(runs.length, 6);
  assert.deepEqual(runs.map((r) => r.id), ["ms-d1.conc8", "ms-d1.conc32", "ms-d2.conc8", "ms-d2.conc32", "sa.conc8", "sa.conc32"]);
  // factor columns take the design's names; a key a treatment leaves out is NA
  assert.deepEqual(runs[4]!.factors, { decode_replicas: null, method: "standalone", concurrency: 8 });
  // overrides carry constants, the treatment's keys and the profile
  assert.deepEqual(runs[1]!.overrides.setup, { "model.name": "Qwen/Qwen3-0.6B", "deploy.gpu": "H100", "decode.replicas": 1, "deploy.method": "modelservice" });
  assert.equal(runs[1]!.overrides.profile, "heavy");
  // the informational totals are checked against the expansion
  const wrongTotal = parseExperiment(CURRENT.replace("total_matrix: 6", "total_matrix: 9"), "pd-mini.yaml");
  assert.equal(wrongTotal.warnings[0]!.path, "design.total_matrix");
  // default names when a treatment has none: 0-based, as llmdbenchmark/experiment/parser.py names setup-<i>
  const unnamedSetup = parseExperiment("setup:\n  treatments:\n    - {a: 1}\n    - {a: 2}\ntreatments:\n  - {b: 1}\n", "s.yaml");
  assert.deepEqual(unnamedSetup.setup!.treatments.map((t) => t.name), ["setup-0", "setup-1"]);
  const unnamed = parseExperiment("treatments:\n  - {max-concurrency: 1}\n  - {max-concurrency: 2}\n", "u.yaml");
  assert.deepEqual(unnamed.run!.treatments.map((t) => t.name), ["treatment-0", "treatment-1"]);
});

test("current-format validation: conflicting dotted keys, unknown keys, out-of-level values, duplicates", () => {
  const conflict = parseError(`setup:\n  treatments:\n    - name: a\n      decode.replicas: 1\n      decode.replicas.max: 2\ntreatments:\n  - {name: r, x: 1}\n`);
  assert.equal(conflict.path, "setup.treatments[0].decode.replicas.max");
  assert.match(conflict.expected, /conflicts with 'decode\.replicas'/);
  const unknownKey = CURRENT.replace("    max-concurrency: 8\n", "    max-concurency: 8\n");
  assert.match(parseExperiment(unknownKey, "x.yaml").warnings.map((w) => w.message).join("\n"), /'max-concurency' is unknown/);
  const strictUnknown = parseError(unknownKey, { strict: true });
  assert.equal(strictUnknown.path, "treatments[0].max-concurency");
  const offLevel = parseError(CURRENT.replace("max-concurrency: 32", "max-concurrency: 64"), { strict: true });
  assert.equal(offLevel.path, "treatments[1].max-concurrency");
  const dupName = parseError(CURRENT.replace("- name: conc32", "- name: conc8"));
  assert.equal(dupName.path, "treatments[1]");
  const badAttempts = parseError(CURRENT.replace("treatment_max_attempts: 3", "treatment_max_attempts: 0"));
  assert.equal(badAttempts.path, "treatment_max_attempts");
  const both = parseError("run:\n  - {name: a, x: 1}\ntreatments:\n  - {name: b, x: 2}\n");
  assert.match(both.expected, /either 'treatments' or 'run'/);
});

test("a generative design block fills sections that list no treatments (our extension)", () => {
  const exp = parseExperiment(`
experiment: {name: gen}
design:
  type: full_factorial
  replicates: 2
  randomize: true
  seed: 42
  setup:
    factors:
      - {name: pool, key: sleep.pool, levels: [0, 2, 4]}
  run:
    factors:
      - {name: speedup, key: arrival.speedup, levels: [1, 2]}
      - {name: policy, key: router.policy, levels: [random, kv-aware]}
`, "gen.yaml");
  assert.deepEqual(experimentSize(exp), { setup: 3, run: 4, total: 12 });
  assert.deepEqual(exp.run!.treatments.map((t) => t.name), ["speedup1-policyrandom", "speedup2-policyrandom", "speedup1-policykv-aware", "speedup2-policykv-aware"]);
  const d = experimentDesign(exp);
  assert.equal(d.runs.length, 24);
  // split-plot randomization: the runs of one setup treatment (within a replicate) stay together
  const groups = d.runs.map((r) => `${r.replicate}/${String(r.context!.setup)}`);
  const changes = groups.filter((g, i) => i > 0 && g !== groups[i - 1]).length;
  assert.equal(changes, 5);
  assert.notDeepEqual(d.runs.map((r) => r.std_order), [...d.runs.map((r) => r.std_order)].sort((a, b) => a - b));
  assert.deepEqual(experimentDesign(exp).runs.map((r) => r.id), d.runs.map((r) => r.id));
  // legacy sections without treatments can be generated from their levels too
  const leg = parseExperiment(`design: {type: fractional_factorial, generators: ["C=AB"]}\nrun:\n  factors: [a, b, c]\n  levels: {a: "1,2", b: "x,y", c: "10,20"}\n`, "leg.yaml");
  assert.equal(leg.run!.treatments.length, 4);
  assert.equal(leg.run!.treatments[0]!.name, "run_1_x_20");
  const noType = parseError("setup:\n  factors: [a]\n  levels: {a: '1,2'}\nrun:\n  factors: [b]\n  treatments: ['1']\n");
  assert.match(noType.expected, /non-empty list of treatments \(or a 'design' block/);
});

test("typed construction in code and YAML write-back round-trip", () => {
  const exp = defineExperiment({
    experiment: { name: "in-code" },
    setup: { constants: { "model.name": "m" }, treatments: [{ name: "small", "decode.replicas": 1 }, { name: "big", "decode.replicas": 4 }] },
    treatments: [{ name: "c1", "max-concurrency": 1 }, { name: "c8", "max-concurrency": 8, "extra.args": ["--a", "--b"] }],
  });
  assert.equal(expandExperiment(exp).length, 4);
  assert.equal(exp.run!.treatments[1]!.values["extra.args"], '["--a","--b"]');
  assert.throws(() => defineExperiment({ treatments: [{ name: "a", x: 1 }, { name: "a", x: 2 }] }), InputError);
  for (const e of [exp, readExperimentFile(SEED1), readExperimentFile(SEED2), parseExperiment(CURRENT, "pd-mini.yaml")]) {
    const yaml = experimentToYaml(e);
    const again = parseExperiment(yaml, "again.yaml", { name: e.name });
    assert.deepEqual(expandExperiment(again), expandExperiment(e));
    assert.equal(again.format, e.format);
    assert.equal(experimentToYaml(again), yaml);
  }
  // the legacy write-back keeps the seed's own shape
  assert.match(experimentToYaml(readExperimentFile(SEED1)), /- modelservice,NA,NA,6,2,1,4/);
  assert.ok(readFileSync(SEED2, "utf8").includes("40,8000"));
});

test("every shipped experiment file parses without warnings except the GAIE seed's known 8000; dotted keys nest", async () => {
  const { dottedToNested } = await import("../sdk/doe/index.js");
  const expected: Record<string, [number, number]> = {
    "disaggregated_vs_llmd.yaml": [80, 0], "precise-prefix-cache-aware.yaml": [9, 1], "pd-mini.yaml": [6, 0], "router-study.yaml": [24, 0],
  };
  const { readdirSync } = await import("node:fs");
  const files = readdirSync("datasets/experiments").filter((f) => f.endsWith(".yaml")).sort();
  assert.deepEqual(files, Object.keys(expected).sort());
  for (const f of files) {
    const e = readExperimentFile(`datasets/experiments/${f}`);
    assert.deepEqual([expandExperiment(e).length, e.warnings.length], expected[f], f);
  }
  assert.equal(experimentDesign(readExperimentFile("datasets/experiments/router-study.yaml")).runs.length, 48);
  assert.deepEqual(dottedToNested({ "a.b": 1, "a.c.d": 2, "x_PROTECTDOT_y.z": 3 }), { a: { b: 1, c: { d: 2 } }, "x.y": { z: 3 } });
  assert.throws(() => dottedToNested({ "a.b": 1, "a.b.c": 2 }), /conflicts/);
  assert.throws(() => dottedToNested({ "a.b.c": 2, "a.b": 1 }), /conflicts/);
});
