// The bundled public traces: gzip read transparently, checksums as documented, and the dataset lookup without fallbacks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sharedDataset, sharedDatasetsDir, BUNDLED_DATASETS } from "../sdk/core/paths.js";
import { loadMooncake, readMooncake } from "../sdk/trace/mooncake.js";
import { loadTrace } from "../sdk/trace/load.js";
import { InputError } from "../sdk/core/errors.js";

// The sha256 values the dataset README states (the upstream files' own checksums).
const FILES: [string, string, number][] = [
  ["mooncake/conversation_trace.jsonl", "b8cbb061a85206d729d91cdc2981f43c9e0d99209dce588d3af5f7934408b9df", 12031],
  ["mooncake/synthetic_trace.jsonl", "bd070915a98fc0ed264d7cfef2ce746002eb3076a695ec31ba2674c0111ec131", 3993],
  ["azure_llm_2023/AzureLLMInferenceTrace_code.csv", "54e9a6d2a4bd06ba1e060304b900abbc74cbea53de96506e60fe5bb4f2277fb6", 8819],
  ["azure_llm_2023/AzureLLMInferenceTrace_conv.csv", "2f1e5b666d4e3055fdbba98598ce2ec307767b9064e03e2fa46676dbcc7d0bf8", 19366],
];

function withEnv<T>(value: string | undefined, f: () => T): T {
  const old = process.env.ACTLAB_SHARED_DATASETS;
  if (value === undefined) delete process.env.ACTLAB_SHARED_DATASETS;
  else process.env.ACTLAB_SHARED_DATASETS = value;
  try { return f(); } finally {
    if (old === undefined) delete process.env.ACTLAB_SHARED_DATASETS;
    else process.env.ACTLAB_SHARED_DATASETS = old;
  }
}

test("bundled traces decompress to the documented sha256 and request counts", () => {
  withEnv(undefined, () => {
    for (const [rel, sha, n] of FILES) {
      const p = sharedDataset(rel);
      assert.ok(p, rel);
      assert.ok(p.startsWith(join(process.cwd(), BUNDLED_DATASETS)) && p.endsWith(".gz"), p);
      assert.equal(createHash("sha256").update(gunzipSync(readFileSync(p))).digest("hex"), sha, rel);
      assert.equal(loadTrace(p).requests.length, n, rel);
    }
  });
});

test("the streaming reader and the in-memory reader agree on a .gz file", async () => {
  const p = withEnv(undefined, () => sharedDataset("mooncake/synthetic_trace.jsonl"))!;
  const streamed = [];
  for await (const r of readMooncake(p)) streamed.push(r);
  assert.deepEqual(streamed, loadMooncake(p).requests);
});

test("gzip is detected by magic bytes, not only by name", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-gz-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const text = '{"timestamp":0,"input_length":10,"output_length":2,"hash_ids":[1]}\n{"timestamp":5,"input_length":600,"output_length":3,"hash_ids":[1,2]}\n';
  writeFileSync(join(dir, "t.jsonl"), gzipSync(text));
  writeFileSync(join(dir, "plain.jsonl"), text);
  assert.deepEqual(loadMooncake(join(dir, "t.jsonl")).requests, loadMooncake(join(dir, "plain.jsonl")).requests);
  assert.equal(loadMooncake(join(dir, "t.jsonl")).requests.length, 2);
});

test("$ACTLAB_SHARED_DATASETS that does not exist is an error, not a fallback", () => {
  withEnv("/nonexistent/actlab-datasets", () => {
    assert.throws(() => sharedDatasetsDir(), (e: unknown) => e instanceof InputError && /ACTLAB_SHARED_DATASETS/.test(e.message) && /nonexistent/.test(e.message));
    assert.throws(() => sharedDataset("mooncake/conversation_trace.jsonl"), InputError);
  });
});

test("the lookup never walks parent folders for shared/datasets", (t) => {
  const root = mkdtempSync(join(tmpdir(), "actlab-walk-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  // A shared/datasets beside and above the working folder must be ignored.
  mkdirSync(join(root, "shared", "datasets", "mooncake"), { recursive: true });
  writeFileSync(join(root, "shared", "datasets", "mooncake", "conversation_trace.jsonl"), "");
  mkdirSync(join(root, "clone", "sub"), { recursive: true });
  withEnv(undefined, () => {
    assert.equal(sharedDatasetsDir(join(root, "clone", "sub")), undefined);
    assert.equal(sharedDatasetsDir(join(root, "clone")), undefined);
  });
  withEnv(join(root, "shared", "datasets"), () => assert.equal(sharedDatasetsDir(), join(root, "shared", "datasets")));
});

test("a missing trace file or a directory is a one-line InputError", () => {
  assert.throws(() => loadMooncake("/nonexistent/trace.jsonl"), (e: unknown) => e instanceof InputError && /no such file/.test(e.message));
  assert.throws(() => loadMooncake(tmpdir()), (e: unknown) => e instanceof InputError && /a directory/.test(e.message));
});
