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

async function send(url: string, method: string, path: string, body: string): Promise<number> {
  const res = await fetch(url + path, { method, body, headers: { "Content-Type": "application/json" } });
  await res.text();
  return res.status;
}

test("a pod nested 500–5,000 deep is rejected with 400 and never stored; LIST keeps answering 200", { timeout: 60_000 }, async () => {
  const c = await startCluster({ seed: 1, nodes: 1, gpusPerNode: 1 });
  running.push(c);
  for (const depth of [500, 3_000, 5_000]) {
    const name = `deep-${depth}`;
    const code = await send(c.url, "POST", "/api/v1/namespaces/default/pods", nestedPod(name, depth));
    assert.equal(code, 400, `depth ${depth}: expected 400, got ${code}`);
    assert.equal(c.model.store.get("pods", "default", name), undefined, `depth ${depth}: stored after a failed create`);
    const list = await fetch(c.url + "/api/v1/namespaces/default/pods");
    await list.text();
    assert.equal(list.status, 200, `depth ${depth}: LIST answers ${list.status}`);
  }
  // An ordinary pod still goes in.
  const ok = await send(c.url, "POST", "/api/v1/namespaces/default/pods", nestedPod("shallow", 5));
  assert.equal(ok, 201);
  // Deep patches are refused the same way and leave the object as it was.
  const before = JSON.stringify(c.model.store.get("pods", "default", "shallow"));
  const inner = '{"a":'.repeat(3_000) + "1" + "}".repeat(3_000);
  const pcode = await fetch(c.url + "/api/v1/namespaces/default/pods/shallow", { method: "PATCH", body: `{"metadata":{"labels":{"k":"v"}},"spec":{"x":${inner}}}`, headers: { "Content-Type": "application/merge-patch+json" } });
  await pcode.text();
  assert.equal(pcode.status, 400);
  assert.equal(JSON.stringify(c.model.store.get("pods", "default", "shallow")), before);
});
