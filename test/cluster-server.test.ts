import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as k8s from "@kubernetes/client-node";
import { startCluster, type RunningCluster } from "../sdk/cluster/start.js";
import { FMA } from "../sdk/cluster/model.js";
import { isoSeconds } from "../sdk/cluster/store.js";

const NS = "default";
const running: RunningCluster[] = [];
after(async () => { for (const c of running) await c.stop(); });

async function start(opts: Parameters<typeof startCluster>[0] = {}): Promise<RunningCluster> {
  // Raw fetches below send no token: serve insecure unless a test gives one (auth by default: test/reliability/server-auth.test.ts).
  const c = await startCluster({ seed: 5, nodes: 1, gpusPerNode: 4, timeScale: 2000, insecure: opts.token === undefined, ...opts });
  running.push(c);
  return c;
}

/** Resolves when `check` returns true, polling every 5 ms; rejects after `ms` wall ms. */
async function until(check: () => boolean | Promise<boolean>, ms = 10_000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const isReady = (p: k8s.V1Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
const mergePatch = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);

test("client-node: list, create, apply and scale a requester Deployment 0→1→0 and 0→N; FMA labels; Ready after relay + probe tick", { timeout: 60_000 }, async () => {
  const c = await start();
  const core = c.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const apps = c.kubeConfig.makeApiClient(k8s.AppsV1Api);
  const initial = await core.listNamespacedPod({ namespace: NS });
  assert.ok(initial.items.some((p) => p.metadata?.labels?.[FMA.component] === "dual-pods-controller"));
  assert.ok(Number(initial.metadata?.resourceVersion) > 0);

  await apps.createNamespacedDeployment({ namespace: NS, body: c.model.requesterDeployment("req") as k8s.V1Deployment });
  // Server-side apply of a second Deployment (create through apply, then re-apply a change).
  const applied = c.model.requesterDeployment("applied") as k8s.V1Deployment;
  await apps.patchNamespacedDeployment({ namespace: NS, name: "applied", body: applied, fieldManager: "test" }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.ServerSideApply));
  applied.metadata!.labels = { ...applied.metadata!.labels, tier: "x" };
  const reapplied = await apps.patchNamespacedDeployment({ namespace: NS, name: "applied", body: applied, fieldManager: "test" }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.ServerSideApply));
  assert.equal(reapplied.metadata?.labels?.tier, "x");
  assert.equal(reapplied.metadata?.generation, 1); // metadata-only change

  // A watch from the list's resourceVersion sees the requester appear, bind and become Ready.
  const events: { type: string; pod: k8s.V1Pod }[] = [];
  const w = new k8s.Watch(c.kubeConfig);
  const req = await w.watch(`/api/v1/namespaces/${NS}/pods`, { labelSelector: "app=req", resourceVersion: initial.metadata!.resourceVersion, allowWatchBookmarks: true }, (type, pod: k8s.V1Pod) => { events.push({ type, pod }); }, () => undefined);
  await apps.patchNamespacedDeploymentScale({ namespace: NS, name: "req", body: { spec: { replicas: 1 } } }, mergePatch);
  await until(() => events.some((e) => e.type === "MODIFIED" && isReady(e.pod)), 20_000, "requester Ready");
  const truth = c.model.actuations()[0]!;
  assert.equal(truth.path, "cold_launcher");
  const readyPod = events.find((e) => isReady(e.pod))!.pod;
  assert.equal(readyPod.metadata?.labels?.[FMA.dual], truth.launcher);
  assert.equal(readyPod.metadata?.labels?.[FMA.instance], truth.instanceId);
  assert.equal(readyPod.metadata?.annotations?.[FMA.accelerators], truth.gpus.join(","));
  assert.ok(readyPod.metadata?.finalizers?.includes(FMA.requesterFinalizer));
  // Ready lands on the probe tick after the relay, at 1-s resolution in the object.
  assert.ok(truth.requesterReady! >= truth.relayEnd!);
  const readyCond = readyPod.status!.conditions!.find((x) => x.type === "Ready")!;
  assert.equal(new Date(readyCond.lastTransitionTime!).toISOString().replace(".000Z", "Z"), isoSeconds(c.model.toEpochMs(truth.requesterReady!)));
  const startedAt = readyPod.status!.containerStatuses![0]!.state!.running!.startedAt!;
  assert.equal(new Date(startedAt).toISOString().replace(".000Z", "Z"), isoSeconds(c.model.toEpochMs(truth.containerStarted)));

  const launcher = await core.readNamespacedPod({ namespace: NS, name: truth.launcher! });
  assert.equal(launcher.metadata?.labels?.[FMA.component], "launcher");
  assert.equal(launcher.metadata?.labels?.[FMA.dual], truth.requester.name);
  assert.equal(launcher.metadata?.annotations?.[FMA.requester], `${truth.requester.uid} ${truth.requester.name}`);
  assert.equal(launcher.metadata?.labels?.[FMA.sleeping], "false");

  // The DPC log read the way llm-d-benchmark reads it.
  const dpc = (await core.listNamespacedPod({ namespace: NS, labelSelector: `${FMA.component}=dual-pods-controller` })).items[0]!;
  const log = await core.readNamespacedPodLog({ namespace: NS, name: dpc.metadata!.name! });
  assert.match(log, /"Created launcher-based server-providing pod" requesterName="req-[^"]+" .*k8sCallStartTime="2026-11-23T[0-9:.]+Z"/);
  assert.match(log, /"HTTP call done" .*purpose="relay_ready"/);

  // Scale 1→0: the requester goes away, the launcher sleeps.
  await apps.patchNamespacedDeployment({ namespace: NS, name: "req", body: { spec: { replicas: 0 } } }, mergePatch);
  await until(async () => (await core.listNamespacedPod({ namespace: NS, labelSelector: "app=req" })).items.length === 0, 20_000, "scale to 0");
  await until(async () => (await core.readNamespacedPod({ namespace: NS, name: truth.launcher! })).metadata?.labels?.[FMA.sleeping] === "true", 5_000, "launcher asleep");
  const metrics = await (await fetch(`${c.url}/metrics`)).text();
  assert.match(metrics, /vllm:engine_sleep_state\{[^}]*sleep_state="weights_offloaded"\} 1/);
  assert.match(metrics, /fma_actuation_seconds_count\{exported_namespace="default",path="cold",instancesDeleted="0",isc_name="default"\} 1/);

  // 0→N.
  await apps.patchNamespacedDeploymentScale({ namespace: NS, name: "req", body: { spec: { replicas: 3 } } }, mergePatch);
  await until(async () => (await apps.readNamespacedDeployment({ namespace: NS, name: "req" })).status?.readyReplicas === 3, 30_000, "3 ready");
  const acts = c.model.actuations().slice(1);
  assert.equal(acts.length, 3);
  assert.ok(acts.every((a) => a.outcome === "ready"));
  // Whatever the race between the three gave (hot on the sleeper's GPU, or a reclaim that deleted it),
  // the served metric agrees with the ground truth, path by path.
  const m2 = await (await fetch(`${c.url}/metrics`)).text();
  const all = c.model.actuations();
  for (const path of ["hot", "warm", "cold"] as const) {
    const want = all.filter((a) => (a.path === "cold_launcher" ? "cold" : a.path) === path).length;
    const got = [...m2.matchAll(new RegExp(`fma_actuation_seconds_count\\{[^}]*path="${path}"[^}]*\\} (\\d+)`, "g"))].reduce((s, x) => s + Number(x[1]), 0);
    assert.equal(got, want, path);
  }
  req.abort();
});

test("watch: resume from a resourceVersion, 410 when too old, bookmarks, timeoutSeconds, field selectors", { timeout: 30_000 }, async () => {
  const c = await start({ historyLimit: 20 });
  const list = await (await fetch(`${c.url}/api/v1/namespaces/${NS}/pods`)).json() as { metadata: { resourceVersion: string } };
  const rv0 = Number(list.metadata.resourceVersion);
  c.model.apiCreate("pods", NS, { apiVersion: "v1", kind: "Pod", metadata: { name: "a" }, spec: { containers: [{ name: "c", image: "x" }] } });
  // Resume from rv0 (timeoutSeconds=1 ends the stream): sees ADDED a first.
  const text = await (await fetch(`${c.url}/api/v1/namespaces/${NS}/pods?watch=true&resourceVersion=${rv0}&timeoutSeconds=1&fieldSelector=metadata.name%3Da`)).text();
  const lines = text.trim().split("\n").map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
  assert.equal(lines[0]!.type, "ADDED");
  assert.ok(lines.every((l) => l.object.metadata.name === "a"));
  // Push the history past rv0: the same resume is now 410 Gone.
  for (let i = 0; i < 40; i++) c.model.apiCreate("namespaces", undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: `ns-${i}` } });
  const gone = (await (await fetch(`${c.url}/api/v1/namespaces/${NS}/pods?watch=true&resourceVersion=${rv0}`)).text()).trim();
  const ev = JSON.parse(gone) as { type: string; object: { code: number; reason: string } };
  assert.equal(ev.type, "ERROR");
  assert.equal(ev.object.code, 410);
  assert.equal(ev.object.reason, "Expired");
  // Bookmarks arrive on an idle watch that allows them; spec.nodeName selector filters.
  const res = await fetch(`${c.url}/api/v1/pods?watch=true&allowWatchBookmarks=true&timeoutSeconds=2&fieldSelector=spec.nodeName%3Dnode-0`);
  const body = await res.text();
  const types = body.trim().split("\n").map((l) => (JSON.parse(l) as { type: string }).type);
  assert.ok(types.includes("BOOKMARK"));
  assert.ok(types.filter((t) => t === "ADDED").length >= 2); // the controller pods on node-0
});

test("pods: delete with a finalizer sets deletionTimestamp and waits; removing the finalizer completes it", { timeout: 20_000 }, async () => {
  const c = await start();
  const core = c.kubeConfig.makeApiClient(k8s.CoreV1Api);
  await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: "f", finalizers: ["example.com/hold"] }, spec: { containers: [{ name: "c", image: "x" }] } } });
  const deleted = await core.deleteNamespacedPod({ namespace: NS, name: "f" }) as k8s.V1Pod;
  assert.ok(deleted.metadata?.deletionTimestamp);
  await new Promise((r) => setTimeout(r, 50));
  const still = await core.readNamespacedPod({ namespace: NS, name: "f" });
  assert.ok(still.metadata?.deletionTimestamp);
  await core.patchNamespacedPod({ namespace: NS, name: "f", body: { metadata: { finalizers: null } } }, mergePatch);
  await until(async () => (await core.listNamespacedPod({ namespace: NS, fieldSelector: "metadata.name=f" })).items.length === 0, 5_000, "pod gone");
});

test("Table: as=Table answers READY/STATUS/AGE columns; unknown namespace is a 404 Status", { timeout: 20_000 }, async () => {
  const c = await start();
  const res = await fetch(`${c.url}/api/v1/namespaces/${NS}/pods`, { headers: { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" } });
  const t = await res.json() as { kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
  assert.equal(t.kind, "Table");
  assert.deepEqual(t.columnDefinitions.slice(0, 5).map((x) => x.name), ["Name", "Ready", "Status", "Restarts", "Age"]);
  assert.equal(t.rows[0]!.cells[1], "1/1");
  assert.equal(t.rows[0]!.cells[2], "Running");
  const ns = await fetch(`${c.url}/api/v1/namespaces/nope`);
  assert.equal(ns.status, 404);
  assert.equal((await ns.json() as { kind: string }).kind, "Status");
});

test("hygiene: loopback bind, bearer token, body limit, malformed JSON/YAML, unknown resources, random garbage never crashes", { timeout: 30_000 }, async () => {
  const c = await start({ token: "s3cret" });
  assert.match(c.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal((await fetch(`${c.url}/api/v1/pods`)).status, 401);
  const auth = { Authorization: "Bearer s3cret" };
  assert.equal((await fetch(`${c.url}/api/v1/pods`, { headers: auth })).status, 200);
  // client-node picks the token from the kubeconfig.
  const core = c.kubeConfig.makeApiClient(k8s.CoreV1Api);
  assert.ok((await core.listNamespacedPod({ namespace: NS })).items.length >= 2);
  const post = (body: string, ct = "application/json", path = `/api/v1/namespaces/${NS}/pods`) => fetch(`${c.url}${path}`, { method: "POST", headers: { ...auth, "Content-Type": ct }, body });
  const bad = await post("{not json");
  assert.equal(bad.status, 400);
  const st = await bad.json() as { kind: string; code: number; message: string };
  assert.equal(st.kind, "Status");
  assert.match(st.message, /JSON/);
  const badYaml = await post("a: [1, 2\nb: }", "application/yaml");
  assert.equal(badYaml.status, 400);
  assert.match((await badYaml.json() as { message: string }).message, /YAML/);
  assert.equal((await post("x".repeat(4 * 1024 * 1024))).status, 413);
  assert.equal((await fetch(`${c.url}/api/v1/widgets`, { headers: auth })).status, 404);
  assert.equal((await fetch(`${c.url}/apis/nope.io/v1/things`, { headers: auth })).status, 404);
  assert.equal((await post('{"kind":"Service"}')).status, 400);
  assert.equal((await fetch(`${c.url}/api/v1/pods?labelSelector=a%20in%20(`, { headers: auth })).status, 400);
  // Structurally wrong objects are 422 Invalid before they reach the model.
  for (const body of [
    { metadata: { name: "x1" }, spec: { containers: "nope" } },
    { metadata: { name: "x2" }, spec: { containers: [{ name: "Bad_Name" }] } },
    { metadata: { name: "x3" }, spec: { containers: [{ name: "c", resources: { limits: { "nvidia.com/gpu": "1.5" } } }] } },
    { metadata: { name: "x4" } },
  ]) {
    const r = await post(JSON.stringify(body));
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.equal((await r.json() as { reason: string }).reason, "Invalid");
  }
  const dep = await post(JSON.stringify({ metadata: { name: "d" }, spec: { selector: { matchLabels: { app: "a" } }, template: { metadata: { labels: { app: "b" } }, spec: { containers: [{ name: "c" }] } } } }), "application/json", `/apis/apps/v1/namespaces/${NS}/deployments`);
  assert.equal(dep.status, 422);
  assert.match((await dep.json() as { message: string }).message, /selector` does not match template `labels`/);
  // Fuzz: random bodies, methods and paths; the server keeps answering.
  const { rng } = await import("../sdk/core/rng.js");
  const r = rng(99);
  const paths = ["/api/v1/namespaces/default/pods", "/apis/apps/v1/namespaces/default/deployments/x", "/apis/apps/v1/namespaces/default/deployments/x/scale", "/api/v1/namespaces/default/pods/p/log", "/apis/fma.llm-d.ai/v1alpha1/namespaces/default/launcherconfigs", "/api/v1/nodes/node-0", "/%%%/..", "/api/v1/namespaces/default/pods/../../x"];
  const cts = ["application/json", "application/yaml", "application/merge-patch+json", "application/json-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml", "text/plain"];
  for (let i = 0; i < 120; i++) {
    const len = r.int(200);
    const body = Array.from({ length: len }, () => String.fromCharCode(32 + r.int(90))).join("");
    const res = await fetch(`${c.url}${r.pick(paths)}`, { method: r.pick(["GET", "POST", "PUT", "PATCH", "DELETE"]), headers: { ...auth, "Content-Type": r.pick(cts) }, body: r.bernoulli(0.5) ? body : r.pick(["{}", "[]", "null", '{"metadata":5}', '{"spec":{"replicas":-1}}', '[{"op":"replace","path":"/spec/replicas","value":"x"}]']) }).catch(() => undefined);
    if (res) { assert.ok(res.status < 600); await res.arrayBuffer(); }
  }
  assert.equal((await fetch(`${c.url}/version`, { headers: auth })).status, 200);
});

test("workloads and CRDs: replace (PUT) spec.replicas, the ReplicaSet scale subresource, CRD create/list/get, Events", { timeout: 30_000 }, async () => {
  const c = await start();
  const apps = c.kubeConfig.makeApiClient(k8s.AppsV1Api);
  const core = c.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const crd = c.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  await apps.createNamespacedDeployment({ namespace: NS, body: c.model.requesterDeployment("req") as k8s.V1Deployment });
  const d = await apps.readNamespacedDeployment({ namespace: NS, name: "req" });
  d.spec!.replicas = 1;
  const replaced = await apps.replaceNamespacedDeployment({ namespace: NS, name: "req", body: d });
  assert.equal(replaced.spec?.replicas, 1);
  assert.equal(replaced.metadata?.generation, 2);
  // A stale resourceVersion on replace is a 409 Conflict.
  await assert.rejects(apps.replaceNamespacedDeployment({ namespace: NS, name: "req", body: d }), (e: { code?: number }) => e.code === 409);
  await until(async () => (await apps.readNamespacedDeployment({ namespace: NS, name: "req" })).status?.readyReplicas === 1, 20_000, "ready");
  const rs = (await apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: "app=req" })).items[0]!;
  const scale = await apps.readNamespacedReplicaSetScale({ namespace: NS, name: rs.metadata!.name! });
  assert.equal(scale.spec?.replicas, 1);
  assert.match(scale.status?.selector ?? "", /app=req/);
  const dScale = await apps.readNamespacedDeploymentScale({ namespace: NS, name: "req" });
  dScale.spec!.replicas = 0;
  await apps.replaceNamespacedDeploymentScale({ namespace: NS, name: "req", body: dScale });
  await until(async () => (await apps.readNamespacedDeployment({ namespace: NS, name: "req" })).status?.replicas === 0, 20_000, "scaled down");

  const isc = await crd.listNamespacedCustomObject({ group: "fma.llm-d.ai", version: "v1alpha1", namespace: NS, plural: "inferenceserverconfigs" }) as { items: { metadata: { name: string } }[] };
  assert.deepEqual(isc.items.map((i) => i.metadata.name), ["default"]);
  await crd.createNamespacedCustomObject({ group: "fma.llm-d.ai", version: "v1alpha1", namespace: NS, plural: "launcherconfigs", body: { apiVersion: "fma.llm-d.ai/v1alpha1", kind: "LauncherConfig", metadata: { name: "big" }, spec: { maxInstances: 8, podTemplate: { spec: { containers: [] } } } } });
  const big = await crd.getNamespacedCustomObject({ group: "fma.llm-d.ai", version: "v1alpha1", namespace: NS, plural: "launcherconfigs", name: "big" }) as { spec: { maxInstances: number } };
  assert.equal(big.spec.maxInstances, 8);
  const events = await core.listNamespacedEvent({ namespace: NS });
  const reasons = new Set(events.items.map((e) => e.reason));
  for (const r of ["Scheduled", "Pulled", "Created", "Started", "ScalingReplicaSet", "SuccessfulCreate", "SuccessfulDelete"]) assert.ok(reasons.has(r), r);
  const sched = events.items.find((e) => e.reason === "Scheduled")!;
  assert.match(String((sched as { eventTime?: unknown }).eventTime ? new Date(sched.eventTime as unknown as string).toISOString() : ""), /Z$/);
  const raw = await (await fetch(`${c.url}/api/v1/namespaces/${NS}/events?fieldSelector=reason%3DScheduled`)).json() as { items: { eventTime: string }[] };
  assert.match(raw.items[0]!.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/); // MicroTime
});

test("determinism through the API: a scripted run on the manual clock gives a byte-identical event log and objects", { timeout: 30_000 }, async () => {
  const run = async (seed: number) => {
    const c = await startCluster({ seed, nodes: 1, gpusPerNode: 2, manualClock: true, recordLog: true });
    try {
      const apps = c.kubeConfig.makeApiClient(k8s.AppsV1Api);
      const core = c.kubeConfig.makeApiClient(k8s.CoreV1Api);
      await apps.createNamespacedDeployment({ namespace: NS, body: c.model.requesterDeployment("req") as k8s.V1Deployment });
      for (const n of [1, 0, 2, 0, 1]) {
        await apps.patchNamespacedDeploymentScale({ namespace: NS, name: "req", body: { spec: { replicas: n } } }, mergePatch);
        c.advance(400_000);
      }
      const pods = await core.listNamespacedPod({ namespace: NS });
      return { log: c.model.eventLog().join("\n"), pods: JSON.stringify(pods.items.map((p) => [p.metadata?.name, p.metadata?.uid, p.metadata?.creationTimestamp, p.status?.conditions])) };
    } finally {
      await c.stop();
    }
  };
  const a = await run(6), b = await run(6), other = await run(7);
  assert.ok(a.log.split("\n").length > 100);
  assert.equal(a.log, b.log);
  assert.equal(a.pods, b.pods);
  assert.notEqual(a.log, other.log);
});

test("discovery: /version, /api, /apis, /api/v1, /apis/apps/v1, the FMA group, OpenAPI v3", { timeout: 10_000 }, async () => {
  const c = await start();
  const get = async (p: string) => { const r = await fetch(`${c.url}${p}`); assert.equal(r.status, 200, p); return r.json() as Promise<Record<string, unknown>>; };
  assert.equal((await get("/version")).major, "1");
  assert.deepEqual((await get("/api")).versions, ["v1"]);
  const groups = (await get("/apis")).groups as { name: string }[];
  assert.deepEqual(groups.map((g) => g.name), ["apps", "fma.llm-d.ai"]);
  const v1 = (await get("/api/v1")).resources as { name: string }[];
  for (const r of ["pods", "pods/log", "events", "nodes", "namespaces"]) assert.ok(v1.some((x) => x.name === r), r);
  const appsV1 = (await get("/apis/apps/v1")).resources as { name: string }[];
  for (const r of ["deployments", "deployments/scale", "replicasets", "replicasets/scale"]) assert.ok(appsV1.some((x) => x.name === r), r);
  const fma = (await get("/apis/fma.llm-d.ai/v1alpha1")).resources as { name: string; shortNames: string[] }[];
  assert.deepEqual(fma.filter((x) => !x.name.includes("/")).map((x) => x.shortNames[0]), ["isc", "lcfg", "lpp"]);
  const root = (await get("/openapi/v3")).paths as Record<string, { serverRelativeURL: string }>;
  const appsDoc = await get(root["apis/apps/v1"]!.serverRelativeURL);
  const patch = (appsDoc.paths as Record<string, { patch?: { parameters: { name: string }[] } }>)["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!.patch!;
  assert.ok(patch.parameters.some((p) => p.name === "fieldValidation"));
});

test("pod logs: tailLines, timestamps, sinceTime, and follow streams new DPC lines", { timeout: 30_000 }, async () => {
  const c = await start();
  const base = `${c.url}/api/v1/namespaces/${NS}/pods/${c.model.dpcPodName}/log`;
  const first = await (await fetch(`${base}?timestamps=true&tailLines=1`)).text();
  assert.match(first, /^2026-11-23T09:00:00\.000000000Z I1123 09:00:00\.000000 .*"Starting dual-pods controller".*\n$/);
  const ac = new AbortController();
  const res = await fetch(`${base}?follow=true`, { signal: ac.signal });
  const reader = res.body!.getReader();
  let text = "";
  const reading = (async () => {
    const dec = new TextDecoder();
    try {
      while (!text.includes('purpose="relay_ready"')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += dec.decode(value);
      }
    } catch { /* aborted */ }
  })();
  c.model.apiCreate("deployments", NS, c.model.requesterDeployment("req", { replicas: 1 }));
  await reading;
  ac.abort();
  assert.match(text, /"Created launcher-based server-providing pod"/);
  assert.match(text, /"HTTP call done" .*purpose="relay_ready"/);
  const later = await (await fetch(`${base}?sinceTime=${encodeURIComponent(new Date(c.model.toEpochMs(c.model.actuations()[0]!.relayStart!)).toISOString())}`)).text();
  assert.ok(!later.includes("Starting dual-pods controller"));
  assert.match(later, /purpose="relay_ready"/);
  assert.equal((await fetch(`${c.url}/api/v1/namespaces/${NS}/pods/nope/log`)).status, 404);
});

test("watch: a label change moves a pod into (ADDED) and out of (DELETED) a filtered watch", { timeout: 20_000 }, async () => {
  const c = await start();
  const rv = c.model.store.resourceVersion;
  c.model.apiCreate("pods", NS, { apiVersion: "v1", kind: "Pod", metadata: { name: "m", labels: { tier: "a" } }, spec: { containers: [{ name: "c", image: "x" }] } });
  const relabel = (tier: string) => {
    const p = JSON.parse(JSON.stringify(c.model.store.get("pods", NS, "m")!));
    p.metadata.labels.tier = tier;
    delete p.metadata.resourceVersion;
    c.model.apiReplace("pods", NS, "m", p);
  };
  relabel("b");
  relabel("a");
  const text = await (await fetch(`${c.url}/api/v1/namespaces/${NS}/pods?watch=true&timeoutSeconds=1&labelSelector=tier%3Db&resourceVersion=${rv}`)).text();
  const types = text.trim().split("\n").map((l) => (JSON.parse(l) as { type: string }).type);
  assert.deepEqual(types, ["ADDED", "DELETED"]);
});
