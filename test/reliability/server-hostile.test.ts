// Hostile request bodies: a deeply nested pod must be rejected (4xx) before anything is stored.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startCluster, type RunningCluster } from "../../sdk/cluster/start.js";

const running: RunningCluster[] = [];
after(async () => { for (const c of running) await c.stop(); });

function nestedPod(name: string, depth: number): string {
  // The spec nests `depth` objects deep; built as text so building it cannot overflow the stack.
  const inner = '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
  return `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"${name}"},"spec":{"containers":[{"name":"c","image":"i"}],"x":${inner}}}`;
}

async function send(url: string, method: string, path: string, body: string, token?: string): Promise<number> {
  const res = await fetch(url + path, { method, body, headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) } });
  await res.text();
  return res.status;
}

test("a pod nested 500–5,000 deep is rejected with 400 and never stored; LIST keeps answering 200", { timeout: 60_000 }, async () => {
  const c = await startCluster({ seed: 1, nodes: 1, gpusPerNode: 1 });
  running.push(c);
  const auth = { Authorization: `Bearer ${c.token}` };
  for (const depth of [500, 3_000, 5_000]) {
    const name = `deep-${depth}`;
    const code = await send(c.url, "POST", "/api/v1/namespaces/default/pods", nestedPod(name, depth), c.token);
    assert.equal(code, 400, `depth ${depth}: expected 400, got ${code}`);
    assert.equal(c.model.store.get("pods", "default", name), undefined, `depth ${depth}: stored after a failed create`);
    const list = await fetch(c.url + "/api/v1/namespaces/default/pods", { headers: auth });
    await list.text();
    assert.equal(list.status, 200, `depth ${depth}: LIST answers ${list.status}`);
  }
  // An ordinary pod still goes in.
  const ok = await send(c.url, "POST", "/api/v1/namespaces/default/pods", nestedPod("shallow", 5), c.token);
  assert.equal(ok, 201);
  // Deep patches are refused the same way and leave the object as it was.
  const before = JSON.stringify(c.model.store.get("pods", "default", "shallow"));
  const inner = '{"a":'.repeat(3_000) + "1" + "}".repeat(3_000);
  const pcode = await fetch(c.url + "/api/v1/namespaces/default/pods/shallow", { method: "PATCH", body: `{"metadata":{"labels":{"k":"v"}},"spec":{"x":${inner}}}`, headers: { ...auth, "Content-Type": "application/merge-patch+json" } });
  await pcode.text();
  assert.equal(pcode.status, 400);
  assert.equal(JSON.stringify(c.model.store.get("pods", "default", "shallow")), before);
});

test("a watch whose client never reads is dropped once its buffer passes the limit; a reading watch keeps every event", { timeout: 60_000 }, async () => {
  const { connect } = await import("node:net");
  // watchBufferBytes through startCluster (the option reaches the server).
  const c = await startCluster({ seed: 1, nodes: 1, gpusPerNode: 1, watchBufferBytes: 4 * 1024 * 1024 });
  running.push(c);
  const u = new URL(c.url);
  const path = "/apis/fma.llm-d.ai/v1alpha1/namespaces/default/inferenceserverconfigs";
  const token = c.token;
  const auth = token ? `Authorization: Bearer ${token}\r\n` : "";
  // The stalled client: asks for a watch and never reads a byte.
  const stalled = connect(Number(u.port), u.hostname);
  stalled.pause();
  stalled.write(`GET ${path}?watch=true HTTP/1.1\r\nHost: x\r\n${auth}\r\n`);
  // The reading client counts ADDED lines.
  const ctrl = new AbortController();
  let added = 0;
  const names = new Set<string>();
  // Create only once the reading watch is established: a watch opened while objects are being
  // created gets their initial ADDED events too, which is not what this test counts.
  let established!: () => void;
  const ready = new Promise<void>((r) => { established = r; });
  const reader = (async () => {
    const res = await fetch(c.url + path + "?watch=true", { signal: ctrl.signal, headers: token ? { Authorization: `Bearer ${token}` } : {} });
    established();
    let buf = "";
    for await (const chunk of res.body!) {
      buf += Buffer.from(chunk).toString("utf8");
      let i;
      while ((i = buf.indexOf("\n")) >= 0) { const name = /"name":"(isc-\d+)"/.exec(buf.slice(0, i))?.[1]; if (name && buf.slice(0, i).includes('"ADDED"')) { added++; names.add(name); } buf = buf.slice(i + 1); }
    }
  })().catch(() => undefined);
  await ready;
  await new Promise((r) => setTimeout(r, 200));
  const blob = "x".repeat(500_000);
  const n = 80; // 40 MB of events: more than the kernel's socket buffers hold
  for (let i = 0; i < n; i++) {
    const body = JSON.stringify({ apiVersion: "fma.llm-d.ai/v1alpha1", kind: "InferenceServerConfig", metadata: { name: `isc-${i}` }, spec: { blob } });
    const r = await fetch(c.url + path, { method: "POST", body, headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) } });
    await r.text();
    assert.equal(r.status, 201);
    // Keep the reading client at most one event behind, so only the stalled one can pile up.
    const caughtUp = Date.now() + 10_000;
    while (names.size < i + 1 && Date.now() < caughtUp) await new Promise((r) => setTimeout(r, 2));
  }
  const end = Date.now() + 20_000;
  while (names.size < n && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  ctrl.abort();
  stalled.destroy();
  await reader;
  assert.equal(c.server.slowWatchersDropped, 1, "exactly the stalled watch is dropped");
  assert.deepEqual([...names].sort(), Array.from({ length: n }, (_, i) => `isc-${i}`).sort(), "the reading watch saw every ADDED event");
  // Only this test's objects count (the model may add its own, e.g. one named "default").
  assert.equal(added, n, "no ADDED event doubled");
});
