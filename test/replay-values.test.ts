// Issue 11 item 3: configs and traces are values. Every option a sweep may vary survives
// structuredClone (what worker threads and sweep caches do to it), a step-time model and a router
// swept as factors on worker threads give the in-process rows, and a trace carries its block size.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { toJsonl } from "../sdk/core/rows.js";
import { fullFactorial, mainEffects, runSweep, withParams } from "../sdk/doe/index.js";
import { replayTreatment } from "../sdk/doe/replay-treatment.js";
import { replayTrace, type ReplayOptions } from "../sdk/replay/index.js";
import { parseMooncake, sharedPrefixTrace, syntheticTrace } from "../sdk/trace/index.js";

const MODULE = resolve("sdk/doe/replay-treatment.ts");

const requests = sharedPrefixTrace({ seed: 3, numGroups: 4, promptsPerGroup: 30, systemPromptLen: 1500, questionLen: 300, outputLen: 80, arrivals: { kind: "poisson", rateRps: 12 } });

test("every replay option a sweep may vary is a value: structuredClone keeps it, and the clone replays to the same bytes", () => {
  const options: ReplayOptions = {
    mode: "disagg", prefillWorkers: 2, decodeWorkers: 1,
    engine: { numGpuBlocks: 4096, maxNumSeqs: 64, stepTime: { kind: "linear", features: ["sumPrefillTokens", "sumDecodeKvTokens"], intercept: 4, coefficients: [0.015, 0.00002] } },
    prefillEngine: { stepTime: "dynamo-polynomial-2x" },
    decodeEngine: { stepTime: { kind: "polynomial", decodeSpeedupRatio: 1.5, decodeFloorMs: 2 } },
    router: "kv", routerQueueThreshold: 4, overlapScoreWeight: 0.5, seed: 9, traceBlockSize: 512,
    arrivalSpeedupRatio: 1.5, kvTransfer: { bytesPerToken: 131072, bandwidthGBps: 25 }, intervalS: 10,
    sla: { ttftMs: 300, itlMs: 40 }, maxSimTimeMs: 60_000, recordPasses: false,
  };
  const clone = structuredClone(options);
  assert.deepEqual(clone, options);
  assert.deepEqual(JSON.parse(JSON.stringify(options)), options, "and it is plain JSON");
  const a = replayTrace(requests, options);
  const b = replayTrace(requests, clone);
  assert.equal(JSON.stringify(b.summary), JSON.stringify(a.summary));
  assert.equal(JSON.stringify(b.requests), JSON.stringify(a.requests));
  assert.ok(a.summary.completed > 0);
});

test("a sweep over the step-time model and the router as factors on worker threads equals the in-process sweep, and the faster model shows", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-values-"));
  try {
    const trace = join(dir, "trace.jsonl");
    writeFileSync(trace, toJsonl(requests));
    const design = withParams(fullFactorial([
      { name: "engine.stepTime", levels: ["dynamo-polynomial", "dynamo-polynomial-2x"] },
      { name: "router", levels: ["round-robin", "kv"] },
      { name: "workers", levels: [2] },
    ]), { trace, limit: requests.length });
    const threads = await runSweep(design, MODULE, { seed: 2, concurrency: 2, outDir: join(dir, "threads"), progress: false });
    const inline = await runSweep(design, replayTreatment, { seed: 2, outDir: join(dir, "inline"), progress: false });
    assert.equal(threads.executed, 4);
    assert.ok(threads.rows.every((r) => r.status === "ok"), JSON.stringify(threads.rows.find((r) => r.status !== "ok")));
    for (const f of ["results.csv", "results.jsonl"]) assert.ok(readFileSync(join(dir, "threads", f)).equals(readFileSync(join(dir, "inline", f))), `${f} differs between worker threads and in-process`);
    // Dynamo's speedup_ratio 2 halves prefill time: TTFT must drop with it, whatever the router.
    const byModel = Object.fromEntries(mainEffects(threads.rows, "ttftMeanMs", ["engine.stepTime"]).map((m) => [String(m.level), m.mean]));
    assert.ok(byModel["dynamo-polynomial-2x"]! < byModel["dynamo-polynomial"]!, JSON.stringify(byModel));
    // The router reached every run too: the two policies place requests differently.
    const byRouter = mainEffects(threads.rows, "ttftP90Ms", ["router"]).map((m) => m.mean);
    assert.notEqual(byRouter[0], byRouter[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a trace value carries its block size and provenance: replayTrace reads it there, and two different block sizes are refused", () => {
  const rows = syntheticTrace({ seed: 4, arrivals: { kind: "poisson", rateRps: 5 }, count: 40, inputTokens: 700, outputTokens: 20, traceBlockSize: 256 });
  const trace = parseMooncake(toJsonl(rows), { traceBlockSize: 256, source: "synthetic.jsonl" });
  assert.equal(trace.traceBlockSize, 256);
  assert.deepEqual(trace.provenance, { source: "synthetic.jsonl", format: "mooncake" });
  const fromValue = replayTrace(trace, { workers: 1 });
  const fromRows = replayTrace(rows, { workers: 1, traceBlockSize: 256 });
  assert.equal(JSON.stringify(fromValue.summary), JSON.stringify(fromRows.summary));
  assert.equal(JSON.stringify(replayTrace(trace, { workers: 1, traceBlockSize: 256 }).summary), JSON.stringify(fromValue.summary), "saying the same size twice is fine");
  assert.throws(() => replayTrace(trace, { traceBlockSize: 512 }), /traceBlockSize 512 in the options, but the trace \(synthetic\.jsonl\) was read at 256 tokens per hash id/);
});
