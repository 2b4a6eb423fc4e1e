// The YAML writer (sdk/core/yaml-text.ts) against the yaml package: the same bytes,
// as a string and as a file, on random documents (with repeated shapes and values, which its caches reuse) and on
// nop results of random actuations.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { isPlainWords, isSafePlain, writeYamlFile, yamlText } from "../sdk/core/yaml-text.js";
import { toBenchmarkReport, toNopResult, toYamlText, writeNopResultYaml } from "../sdk/actuation/nop-result.js";
import type { Actuation } from "../sdk/actuation/classify.js";

const lib = (v: unknown) => stringify(v, { lineWidth: 0, aliasDuplicateObjects: false });

const NASTY = ["", " ", "a", "null", "Null", "~", "true", "yes", "no", "on", "y", "N", "1", "1.5", "-0", "0x1F", "1e3", ".inf", ".nan", "- a", "-", "a: b", "a:b", "a #b", "#c",
  "'q'", "\"q\"", "[x]", "{y}", "*ref", "&anc", "!tag", "%dir", "@at", "`tick`", "|", ">", "?", "? x", ",", "x,", "a\tb", " lead", "trail ", "ünï", "💡", "\ud800", "2026-11-23T09:00:00Z",
  "2026-11-23", "12:30", "a:", "a::b", "a:/b", "NULL", "TRUE", "Yes", "_", "a-", "a.", "x/y", "e1", "Inf", "NaN", "infinity", "Infinity1", "req-1", "launcher-7.node", "http://10.0.0.1:8001",
  "dpc:ns/pod", "T_cold_launcher", "ns/pod", "<<", "=", "\\", "\u0007", "x".repeat(300), "a b c: d", "---", "...", "--- x", "x\ny", "crlf\r\n", "k:", "_:a", "a:-"];

const KEYS = ["name", "ttft", "t_wake", "a: b", "1", "null", "ünï", "x y", "-", "k\nl"];

/** Scalars, with the awkward ones: -0 beside 0, NaN, ±Infinity, undefined. */
const scalar = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.constantFrom<unknown>(null, undefined, true, false, 0, -0, 1, -1, 0.1, 1e-7, 1e21, 123456.789, Number.NaN, Infinity, -Infinity, 1795424400, 1795424401.3),
  fc.double(),
  fc.string({ maxLength: 6 }),
);

/** Documents whose arrays hold objects built from a few key lists: the shapes and values repeat, as in a result.yaml. */
const doc = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("array"), tie("object"), tie("records")),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(fc.constantFrom(...KEYS), tie("value"), { maxKeys: 4 }),
  records: fc.tuple(fc.shuffledSubarray(KEYS.slice(0, 6), { minLength: 1 }), fc.array(fc.array(fc.oneof(scalar, tie("array"), tie("object")), { minLength: 6, maxLength: 6 }), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(3), { maxLength: 5 }))
    .map(([keys, rows, drop]) => rows.map((row, r) => Object.fromEntries(keys.filter((_, k) => k !== drop[r]).map((k, i) => [k, row[i]])))),
}));

test("isSafePlain is the regular expressions it replaced: SAFE_PLAIN and not SPECIAL_WORD", () => {
  const SAFE_PLAIN = /^[A-Za-z_](?:[A-Za-z0-9_\-./]|:(?=[A-Za-z0-9_\-./]))*$/;
  const SPECIAL_WORD = /^(?:null|true|false|yes|no|on|off|y|n|nan|inf|infinity)$/i;
  const check = (s: string) => assert.equal(isSafePlain(s), SAFE_PLAIN.test(s) && !SPECIAL_WORD.test(s), JSON.stringify(s));
  for (const s of [...NASTY, ...KEYS]) check(s);
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom(..."aZ_09-./: #\u00e9nulNUL"), maxLength: 10 }), (s) => check(s)), { numRuns: 20_000 });
});

test("yamlText: the bytes of the yaml package on random documents with repeated shapes", () => {
  fc.assert(
    fc.property(doc.value, (v) => {
      // (A document that is `undefined` is "null\n" here; the library returns undefined.)
      assert.equal(yamlText(v), v === undefined ? "null\n" : lib(v));
    }),
    { numRuns: 4000, seed: 18 },
  );
});

test("yamlText: arrays of many same-shaped records (chunk boundaries, cached heads and values) match the yaml package", () => {
  fc.assert(
    fc.property(fc.array(scalar, { minLength: 8, maxLength: 8 }), fc.integer({ min: 2000, max: 6000 }), (pool, n) => {
      const rows = Array.from({ length: n }, (_, i) => ({
        name: `req-${i}`, a: pool[i % 3], b: pool[(i >> 2) % 8], nested: { c: pool[i % 5], d: [pool[i % 2], i] }, e: i % 7 === 0 ? undefined : pool[7], f: i % 11 === 0 ? {} : { g: pool[i % 8] },
      }));
      const v = { version: "0.1", rows };
      assert.equal(yamlText(v), lib(v));
    }),
    { numRuns: 6, seed: 1 },
  );
});

test("writeYamlFile: the file holds toYamlText's bytes, also when the library lays the document out (multi-line strings)", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-yaml-writer-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const big = { items: Array.from({ length: 20_000 }, (_, i) => ({ name: `req-${i}`, ünï: i % 3 ? "💡" : "x\ud800y", at: i / 7, ok: i % 2 === 0 })) };
  const late = { items: [...big.items, { name: "multi\nline" }] };
  for (const [name, v] of [["big", big], ["late-fallback", late], ["scalar", "top"], ["empty", {}], ["multi", { a: "x\ny" }]] as const) {
    const path = join(dir, `${name}.yaml`);
    const bytes = writeYamlFile(path, v, { fsync: false, chunkSize: 4096 });
    const want = Buffer.from(toYamlText(v), "utf8");
    assert.ok(readFileSync(path).equals(want), name);
    assert.equal(bytes, want.length, name);
    assert.equal(toYamlText(v), lib(v), name);
  }
  // Over an existing file (the rename replaces it), no temp file left behind.
  writeYamlFile(join(dir, "big.yaml"), { a: 1 }, { fsync: false });
  assert.equal(readFileSync(join(dir, "big.yaml"), "utf8"), "a: 1\n");
  assert.deepEqual(readdirSync(dir).filter((f) => !f.endsWith(".yaml")), []);
});

const NAMES = ["req-1", "req-2", "launcher-0", "a b", "null", "x:y"];
const num = fc.oneof(fc.constant(null), fc.constant(0), fc.double({ min: 0, max: 2e9, noNaN: true }), fc.integer({ min: 1_700_000_000, max: 1_800_000_000 }));
const actuation: fc.Arbitrary<Actuation> = fc.record({
  iteration: fc.integer({ min: 1, max: 4 }),
  namespace: fc.constantFrom("ns", "default", "a: b"),
  requester: fc.constantFrom(...NAMES),
  requester_uid: fc.constantFrom("u1", "u2"),
  mode: fc.constantFrom("launcher", "direct", null),
  path: fc.constantFrom("hot", "warm", "cold_launcher", "cold", "unknown"),
  actuation_condition: fc.constantFrom("T_hot", "T_warm", "T_cold_launcher", "T_cold", null),
  classified_by: fc.constantFrom("dpc", "kube_created_bound", "none"),
  confidence: fc.constantFrom("certain", "inferred", "none"),
  reason: fc.constantFrom("DPC woke a sleeping instance for this requester", "launcher launcher-0 was created already bound to this requester", "", "x: y # z"),
  tie: fc.boolean(),
  provider: fc.constantFrom(null, ...NAMES),
  launcher_node: fc.constantFrom(null, "n", "node-1"),
  instance_id: fc.constantFrom(null, "i-1", "0x1F"),
  instances_deleted: fc.constantFrom(null, 0, 2),
  gpu_uuids: fc.constantFrom(null, "", "GPU-1,GPU-2"),
  outcome: fc.constantFrom("ready", "not_ready"),
  creation_timestamp: num, container_start_timestamp: num, ready_timestamp: num, dual_label_timestamp: num, launcher_creation_timestamp: num,
  t_wake: num, t_instance_create: num, t_cold_launcher: num,
  timing_source: fc.constantFrom("dpc", "kube_container_start", "kube_pod_create", "none"),
  t_wake_upper: num, t_instance_create_upper: num, t_cold_launcher_upper: num,
  upper_source: fc.constantFrom("kube_container_start", "kube_pod_create", "none"),
  T_actuation: num, TTRD: num, vllm_wake_seconds: num,
}) as fc.Arbitrary<Actuation>;

test("toYamlText of nop results and Benchmark Reports of random actuations: the bytes of the yaml package", () => {
  fc.assert(
    fc.property(fc.array(actuation, { maxLength: 40 }), fc.boolean(), (acts, strict) => {
      const nop = toNopResult(acts, { strict, ttft: new Map([["req-1", 0.25]]), podIps: new Map([["launcher-0", "10.0.0.1"]]) });
      for (const v of [nop, toBenchmarkReport(nop)]) {
        assert.equal(toYamlText(v), lib(v));
      }
    }),
    { numRuns: 300, seed: 15 },
  );
});

test("writeNopResultYaml (iterations and launcher_infos made as written): the bytes of toYamlText(toNopResult(…)), library fallback included", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-nop-yaml-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "result.yaml");
  fc.assert(
    fc.property(fc.array(actuation, { maxLength: 40 }), fc.boolean(), fc.boolean(), (acts, strict, multiLine) => {
      if (multiLine && acts.length > 0) acts[acts.length - 1] = { ...acts[acts.length - 1]!, reason: "two\nlines" };
      const o = { strict, ttft: new Map([["req-1", 0.25]]), podIps: new Map([["launcher-0", "10.0.0.1"]]), scenario: { model: { name: "m" } } };
      const bytes = writeNopResultYaml(path, acts, o, { fsync: false });
      const want = Buffer.from(toYamlText(toNopResult(acts, o)), "utf8");
      assert.ok(readFileSync(path).equals(want));
      assert.equal(bytes, want.length);
    }),
    { numRuns: 200, seed: 21 },
  );
});

test("toYamlText: every recorded result.yaml and benchmark_report.yaml in datasets/ round-trips to the same bytes", () => {
  const root = "datasets/event-logs";
  const files = readdirSync(root).flatMap((d) => ["result.yaml", "benchmark_report.yaml"].map((f) => join(root, d, f))).filter((f) => existsSync(f));
  assert.ok(files.length >= 2, "recorded YAML files to compare");
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    assert.equal(toYamlText(parse(text)), text, f);
  }
});

test("isPlainWords: every string it accepts the yaml package writes plain as a value", () => {
  const check = (s: string) => { if (isPlainWords(s)) assert.equal(lib({ k: s }), `k: ${s}\n`, JSON.stringify(s)); };
  for (const s of ["DPC created launcher launcher-7 for this requester", "a b", "true x", "null null", "no way", "y n", "x - y", "a. b", "_ _", "e 1", "Inf inity", "a/b c.d"]) check(s);
  let accepted = 0;
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom(..."aZ_ 09-./ tnrueyol"), maxLength: 14 }), (s) => { check(s); if (isPlainWords(s)) accepted++; }), { numRuns: 30_000, seed: 3 });
  assert.ok(accepted > 1000, `only ${accepted} accepted: the generator no longer exercises it`);
});
