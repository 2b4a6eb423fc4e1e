import { test } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { sharedDataset } from "../sdk/core/paths.js";
import { InputError } from "../sdk/core/errors.js";
import { loadMooncake, parseMooncake, readMooncake, loadAzure, parseAzure, readAzure, traceStats, type TraceRequest } from "../sdk/trace/index.js";

// Values from ../shared/datasets/*/README.md.
const DATASETS = [
  { file: "mooncake/conversation_trace.jsonl", requests: 12031, isl: 12035.1, osl: 342.6, durationMs: 3536999, blocks: 288500, unique: 182790 },
  { file: "mooncake/synthetic_trace.jsonl", requests: 3993, isl: 15325.5, osl: 149.1, durationMs: 1022025, blocks: 121877, unique: 43924 },
  { file: "azure_llm_2023/AzureLLMInferenceTrace_code.csv", requests: 8819, isl: 2047.8, osl: 27.9, durationMs: 3435.9e3 },
  { file: "azure_llm_2023/AzureLLMInferenceTrace_conv.csv", requests: 19366, isl: 1154.7, osl: 211.1, durationMs: 3501.7e3 },
];

for (const d of DATASETS) {
  const path = sharedDataset(d.file);
  test(`real trace ${d.file}: request count and mean lengths equal the dataset README`, { skip: path ? false : `shared dataset ${d.file} absent` }, () => {
    const { requests, report } = d.file.endsWith(".csv") ? loadAzure(path!) : loadMooncake(path!);
    assert.equal(requests.length, d.requests);
    assert.equal(report.skipped, 0);
    const s = traceStats(requests);
    assert.equal(s.requests, d.requests);
    assert.equal(Math.round(s.isl.mean * 10) / 10, d.isl);
    assert.equal(Math.round(s.osl.mean * 10) / 10, d.osl);
    if (d.file.endsWith(".csv")) assert.ok(Math.abs(s.durationMs - d.durationMs) < 100, `duration ${s.durationMs}`);
    else {
      assert.equal(s.durationMs, d.durationMs);
      assert.equal(s.totalBlocks, d.blocks);
      assert.equal(s.uniqueHashIds, d.unique);
    }
  });
}

test("streaming reader yields the same requests as the in-memory parser", { skip: sharedDataset("mooncake/synthetic_trace.jsonl") ? false : "shared dataset absent" }, async () => {
  const path = sharedDataset("mooncake/synthetic_trace.jsonl")!;
  const mem = loadMooncake(path).requests;
  const streamed: TraceRequest[] = [];
  let reportRequests = -1;
  for await (const r of readMooncake(path, { onReport: (rep) => { reportRequests = rep.requests; } })) streamed.push(r);
  assert.deepEqual(streamed, mem);
  assert.equal(reportRequests, mem.length);
});

test("readers stream from any chunked source, splitting lines across chunk borders", async () => {
  const text = '{"timestamp": 0, "input_length": 600, "output_length": 5, "hash_ids": [1, 2]}\n\n{"timestamp": 5, "input_length": 10, "output_length": 1, "hash_ids": [1]}\n';
  const chunks = [text.slice(0, 17), text.slice(17, 60), text.slice(60)].map((s) => Buffer.from(s));
  const out: TraceRequest[] = [];
  for await (const r of readMooncake(Readable.from(chunks))) out.push(r);
  assert.deepEqual(out, parseMooncake(text).requests);
  assert.equal(out.length, 2);
  const csv = "TIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:15:46.5000000,374,44\r\n2023-11-16 18:15:47.0000000,1025,3";
  const az: TraceRequest[] = [];
  for await (const r of readAzure(Readable.from([csv.slice(0, 50), csv.slice(50)]))) az.push(r);
  assert.deepEqual(az, parseAzure(csv).requests);
  assert.deepEqual(az.map((r) => [r.timestamp, r.input_length, r.output_length, r.hash_ids.length]), [[0, 374, 44, 1], [500, 1025, 3, 3]]);
  assert.deepEqual(az[1]!.hash_ids, [1, 2, 3], "Azure rows get fresh, unique hash ids");
});

function errorOf(text: string, options = {}): InputError {
  try {
    parseMooncake(text, { source: "t.jsonl", ...options });
  } catch (err) {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected an error");
}

const good = '{"timestamp": 0, "input_length": 600, "output_length": 5, "hash_ids": [1, 2]}';

test("every kind of bad Mooncake line is an InputError naming file:line and what was expected", () => {
  const cases: [string, RegExp][] = [
    ['{"timestamp": 0, "input_length": 600.5, "output_length": 5, "hash_ids": [1, 2]}', /input_length.*integer/],
    ['{"timestamp": 0, "input_length": -1, "output_length": 5, "hash_ids": []}', /input_length.*integer ≥ 0/],
    ['{"timestamp": 0, "input_length": 600, "output_length": -3, "hash_ids": [1, 2]}', /output_length.*integer ≥ 1/],
    ['{"timestamp": 0, "input_length": 600, "hash_ids": [1, 2]}', /output_length.*missing/],
    ['{"input_length": 600, "output_length": 5, "hash_ids": [1, 2]}', /timestamp.*missing/],
    ['{"timestamp": 0, "input_length": 600, "output_length": 5}', /hash_ids.*missing/],
    ['{"timestamp": 0, "input_length": 600, "output_length": 5, "hash_ids": [1]}', /2 hash ids for 600 input tokens/],
    ['{"timestamp": 0, "input_length": 600, "output_length": 5, "hash_ids": [1, 2, 3]}', /2 hash ids for 600 input tokens.*got 3/],
    ['{"timestamp": 0, "input_length": 600, "output_length": 5, "hash_ids": [1, "x"]}', /hash_ids\[1\]/],
    ['{"timestamp": 0, "input_length": 600, "output_length": 5, "hash_ids": [1, 2], ', /JSON object/],
    ["[1, 2]", /a JSON object/],
    ['{"timestamp": 0, "input_length": 600, "output_length": 5, "hash_ids": [1, 2], "delay": 5}', /no delay on a first turn/],
  ];
  for (const [line, re] of cases) {
    const err = errorOf(`${good}\n${line}\n`);
    assert.equal(err.line, 2, line);
    assert.equal(err.source, "t.jsonl");
    assert.match(err.message, /^t\.jsonl:2/);
    assert.match(err.message, re, line);
  }
  const mono = errorOf('{"timestamp": 10, "input_length": 1, "output_length": 1, "hash_ids": [1]}\n' + good + "\n");
  assert.equal(mono.line, 2);
  assert.match(mono.message, /non-decreasing/);
  assert.match(errorOf("\n\n").message, /at least one request/);
});

test("lenient mode skips bad lines and counts them in the report; nothing is coerced", () => {
  const text = [good, '{"timestamp": 1, "input_length": 600.5, "output_length": 5, "hash_ids": [1, 2]}', "not json", good.replace('"timestamp": 0', '"timestamp": 2')].join("\n");
  const { requests, report } = parseMooncake(text, { lenient: true, source: "x" });
  assert.equal(requests.length, 2);
  assert.equal(report.skipped, 2);
  assert.deepEqual(report.problems.map((p) => p.line), [2, 3]);
  assert.equal(report.requests, 2);
  assert.throws(() => parseMooncake(text), /x|<text>:2/);
});

test("sessions: later turns take delay (or infer it from timestamps); aliases are accepted", () => {
  const text = [
    '{"created_time": 0, "input_tokens": 100, "output_tokens": 5, "hash_ids": [7], "session_id": "a"}',
    '{"timestamp": 50, "input_length": 200, "output_length": 5, "hash_ids": [7], "session_id": "a"}',
    '{"input_length": 300, "output_length": 5, "hash_ids": [7], "session_id": "a", "delay_ms": 20}',
  ].join("\n");
  const { requests } = parseMooncake(text);
  assert.deepEqual(requests.map((r) => [r.timestamp, r.input_length, r.delay]), [[0, 100, undefined], [50, 200, 50], [50, 300, 20]]);
  assert.equal(requests[0]!.session_id, "a");
});

test("Azure CSV errors name file, line and column", () => {
  assert.throws(() => parseAzure("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.0,12.5,3\n", { source: "a.csv" }), (e: InputError) => e.line === 2 && /ContextTokens/.test(e.message));
  assert.throws(() => parseAzure("TIMESTAMP,ContextTokens,GeneratedTokens\nyesterday,12,3\n", { source: "a.csv" }), /a\.csv:2 \(TIMESTAMP\)/);
  assert.throws(() => parseAzure("time,in,out\n", { source: "a.csv" }), /a\.csv:1.*header/);
  assert.throws(() => parseAzure("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:47.0,1,3\n2023-11-16 18:15:46.0,1,3\n"), /non-decreasing/);
});
