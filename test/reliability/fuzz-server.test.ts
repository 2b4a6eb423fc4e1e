// Fuzzing the embedded API server's request decoding with fast-check (seeded, bounded): random
// bodies (bytes, text, JSON, pod-like objects with wrong types, deep nesting) under every content
// type, as create, replace and the four patch kinds. Every answer is < 500 within the deadline, and
// a rejected request stores nothing: the pods' names and resourceVersions are unchanged.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { startCluster, type RunningCluster } from "../../sdk/cluster/start.js";
import { FUZZ_RUNS, FUZZ_SEED } from "../helpers/fuzz.js";
import { fuzzTargetPod, hostileRequest, podsFingerprint, type HostileRequest } from "../helpers/fuzz-server.js";

const running: RunningCluster[] = [];
after(async () => { for (const c of running) await c.stop(); });

test("API server request decoding: random bodies and content types → 4xx or 2xx, never 5xx, a hang or a stored object from a failed request", { timeout: 240_000 }, async () => {
  const c = await startCluster({ seed: 3, nodes: 1, gpusPerNode: 1, manualClock: true });
  running.push(c);
  const made = await fetch(`${c.url}/api/v1/namespaces/default/pods`, { method: "POST", body: fuzzTargetPod(), headers: { Authorization: `Bearer ${c.token}`, "Content-Type": "application/json" } });
  assert.equal(made.status, 201);
  const counts = { tried: 0, accepted: 0, rejected: 0, storedOnFailure: 0 };
  const send = async (r: HostileRequest) => {
    const before = await podsFingerprint(c);
    const res = await fetch(c.url + r.path, {
      method: r.method, body: r.body, signal: AbortSignal.timeout(10_000),
      headers: { Authorization: `Bearer ${c.token}`, ...(r.contentType ? { "Content-Type": r.contentType } : {}) },
    });
    const text = await res.text();
    counts.tried++;
    assert.ok(res.status < 500, `${r.method} ${r.path} (${r.contentType}) → ${res.status}: ${text.slice(0, 200)}`);
    if (res.status >= 400) {
      counts.rejected++;
      const after = await podsFingerprint(c);
      if (after !== before) counts.storedOnFailure++;
      assert.equal(after, before, `a ${res.status} must store nothing: ${text.slice(0, 200)}`);
    } else counts.accepted++;
  };
  await fc.assert(fc.asyncProperty(hostileRequest(), send), { seed: FUZZ_SEED, numRuns: FUZZ_RUNS });
  assert.equal(counts.tried, FUZZ_RUNS);
  assert.equal(counts.storedOnFailure, 0);
  assert.ok(counts.rejected > FUZZ_RUNS / 2, `most random bodies are rejected: ${JSON.stringify(counts)}`);
  // Still serving normally afterwards.
  const ok = await fetch(`${c.url}/api/v1/namespaces/default/pods`, { headers: { Authorization: `Bearer ${c.token}` } });
  assert.equal(ok.status, 200);
});
