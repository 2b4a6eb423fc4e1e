import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as k8s from "@kubernetes/client-node";
import { startCluster, type RunningCluster } from "../sdk/cluster/start.js";

const NS = "default";
const running: RunningCluster[] = [];
after(async () => { for (const c of running) await c.stop(); });

async function start(opts: Parameters<typeof startCluster>[0] = {}): Promise<RunningCluster> {
  // Raw fetches below send no token (auth by default is tested in test/reliability/server-auth.test.ts).
  const c = await startCluster({ seed: 3, nodes: 2, gpusPerNode: 2, timeScale: 1000, insecure: true, ...opts });
  running.push(c);
  return c;
}

function addPods(c: RunningCluster, n: number, prefix = "p"): void {
  for (let i = 0; i < n; i++) c.model.apiCreate("pods", NS, { apiVersion: "v1", kind: "Pod", metadata: { name: `${prefix}-${i}` }, spec: { containers: [{ name: "c", image: "x" }] } });
}

/** fetch with a few retries: after a restart a pooled keep-alive socket may be dead, as with any real server. */
async function fetchRetry(url: string): Promise<Response> {
  for (let i = 0; ; i++) {
    try {
      return await fetch(url);
    } catch (err) {
      if (i >= 3) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

async function watchLines(c: RunningCluster, query: string): Promise<{ type: string; object: { code?: number; metadata?: { name?: string } } }[]> {
  const text = await (await fetchRetry(`${c.url}/api/v1/namespaces/${NS}/pods?watch=true&timeoutSeconds=2&${query}`)).text();
  return text.trim() === "" ? [] : text.trim().split("\n").map((l) => JSON.parse(l));
}

test("fault: watch streams close after N events", { timeout: 20_000 }, async () => {
  const c = await start({ faults: { watchCloseAfterEvents: 3 } });
  addPods(c, 10);
  const lines = await watchLines(c, "");
  assert.equal(lines.length, 3);
  c.setFaults({});
  assert.ok((await watchLines(c, "")).length >= 12);
});

test("fault: watch streams close at random with a seed (same seed, same cut)", { timeout: 20_000 }, async () => {
  const c = await start({ faults: { watchCloseProbability: 0.2, seed: 42 } });
  addPods(c, 40);
  const a = (await watchLines(c, "")).length;
  c.setFaults({ watchCloseProbability: 0.2, seed: 42 });
  const b = (await watchLines(c, "")).length;
  c.setFaults({ watchCloseProbability: 0.2, seed: 43 });
  const d = (await watchLines(c, "")).length;
  assert.ok(a >= 1 && a < 42, `cut at ${a}`);
  assert.equal(a, b);
  assert.ok(d >= 1 && d < 42);
});

test("fault: a resume is answered 410 Gone; client-node's Watch sees the ERROR event", { timeout: 20_000 }, async () => {
  const c = await start({ faults: { goneOnResumeCount: 1 } });
  const rv = c.model.store.resourceVersion;
  addPods(c, 2);
  const first = await watchLines(c, `resourceVersion=${rv}`);
  assert.equal(first.length, 1);
  assert.equal(first[0]!.type, "ERROR");
  assert.equal(first[0]!.object.code, 410);
  const second = await watchLines(c, `resourceVersion=${rv}`);
  assert.deepEqual(second.slice(0, 2).map((l) => `${l.type} ${l.object.metadata?.name}`), ["ADDED p-0", "ADDED p-1"]);
  // Through the real client.
  c.setFaults({ goneOnResumeCount: 1 });
  const got: { type: string; obj: { code?: number } }[] = [];
  const w = new k8s.Watch(c.kubeConfig);
  let done!: () => void;
  const ended = new Promise<void>((r) => { done = r; });
  await w.watch(`/api/v1/namespaces/${NS}/pods`, { resourceVersion: String(rv) }, (type, obj) => { got.push({ type, obj }); }, () => done());
  await ended;
  assert.equal(got[0]!.type, "ERROR");
  assert.equal(got[0]!.obj.code, 410);
});

test("fault: responses are delayed (lower bound only)", { timeout: 20_000 }, async () => {
  const c = await start({ faults: { delayMs: 120 } });
  const t0 = performance.now();
  const res = await fetch(`${c.url}/api/v1/namespaces/${NS}/pods`);
  assert.equal(res.status, 200);
  assert.ok(performance.now() - t0 >= 110);
  assert.equal((await fetch(`${c.url}/version`)).status, 200);
});

test("fault: 5xx and 429 on a seeded fraction of requests; discovery stays clean; client-node gets the Status", { timeout: 30_000 }, async () => {
  const c = await start({ faults: { errorRate: 0.3, seed: 9 } });
  const codes: number[] = [];
  for (let i = 0; i < 200; i++) {
    const r = await fetch(`${c.url}/api/v1/namespaces/${NS}/pods`);
    codes.push(r.status);
    const body = await r.json() as { kind: string };
    if (r.status !== 200) assert.equal(body.kind, "Status");
  }
  const errs = codes.filter((x) => x >= 500);
  assert.ok(errs.length > 30 && errs.length < 90, `${errs.length} errors`);
  assert.ok(codes.includes(500) && codes.includes(503));
  for (let i = 0; i < 20; i++) assert.equal((await fetch(`${c.url}/apis`)).status, 200);
  c.setFaults({ throttleRate: 1 });
  const t = await fetch(`${c.url}/api/v1/namespaces/${NS}/pods`);
  assert.equal(t.status, 429);
  assert.equal(t.headers.get("retry-after"), "1");
  const core = c.kubeConfig.makeApiClient(k8s.CoreV1Api);
  await assert.rejects(core.listNamespacedPod({ namespace: NS }), (e: { code?: number }) => e.code === 429);
});

test("fault: restart drops connections and watches; the model and resourceVersions carry on", { timeout: 30_000 }, async () => {
  const c = await start();
  addPods(c, 3);
  const before = await (await fetch(`${c.url}/api/v1/namespaces/${NS}/pods`)).json() as { metadata: { resourceVersion: string }; items: unknown[] };
  const watch = fetch(`${c.url}/api/v1/namespaces/${NS}/pods?watch=true&resourceVersion=${before.metadata.resourceVersion}`).then((r) => r.text()).catch(() => "dropped");
  await new Promise((r) => setTimeout(r, 50));
  const port = c.server.port;
  await c.restart();
  await watch; // ended by the restart (body complete or dropped)
  assert.equal(c.server.port, port);
  c.model.apiCreate("pods", NS, { apiVersion: "v1", kind: "Pod", metadata: { name: "after" }, spec: { containers: [{ name: "c", image: "x" }] } });
  const afterList = await (await fetchRetry(`${c.url}/api/v1/namespaces/${NS}/pods`)).json() as { metadata: { resourceVersion: string }; items: { metadata: { name: string; resourceVersion: string } }[] };
  assert.ok(Number(afterList.metadata.resourceVersion) > Number(before.metadata.resourceVersion));
  assert.equal(afterList.items.length, before.items.length + 1);
  const created = afterList.items.find((p) => p.metadata.name === "after")!;
  assert.ok(Number(created.metadata.resourceVersion) > Number(before.metadata.resourceVersion));
  // A resume from before the restart still works: history survived.
  const resumed = await watchLines(c, `resourceVersion=${before.metadata.resourceVersion}`);
  assert.ok(resumed.some((l) => l.object.metadata?.name === "after"));
});

test("faults: a client-node informer converges to the server's pods despite streams cut every few events", { timeout: 60_000 }, async () => {
  const c = await start({ faults: { watchCloseAfterEvents: 4 } });
  const core = c.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const informer = k8s.makeInformer(c.kubeConfig, `/api/v1/namespaces/${NS}/pods`, () => core.listNamespacedPod({ namespace: NS }));
  let live = true;
  informer.on("error", () => { if (live) setTimeout(() => { if (live) void informer.start().catch(() => undefined); }, 20); });
  await informer.start();
  try {
    addPods(c, 25, "q");
    const want = () => c.model.store.list("pods", NS).map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`).sort().join(",");
    const have = () => informer.list().map((p) => `${p.metadata!.name}@${p.metadata!.resourceVersion}`).sort().join(",");
    const end = Date.now() + 30_000;
    while (have() !== want() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(have(), want());
  } finally {
    live = false;
    await informer.stop();
  }
});
