// watchPods outlives what client-go's reflector outlives: an API-server outage far longer than the
// old 6-attempt budget (~2 s), and a server replaced by one with fresh state (resourceVersions go
// backwards), which must trigger a relist rather than "duplicates" dropped forever.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { kubeconfigYaml, startCluster, type RunningCluster } from "../../sdk/cluster/start.js";
import { createObject, deleteObject, listObjects } from "../../sdk/kube/api-calls.js";
import { watchPods, type WatchState, type WatchStream } from "../../sdk/kube/watch.js";
import type { KubeObject } from "../../sdk/kube/types.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";
import { tempDir } from "../helpers/temp-dir.js";

const PODS = "/api/v1/namespaces/default/pods";
const running: RunningCluster[] = [];
const proxies: TcpProxy[] = [];
after(async () => {
  for (const p of proxies) await p.close();
  for (const c of running) await c.stop();
});

async function cluster(opts: Parameters<typeof startCluster>[0] = {}): Promise<RunningCluster> {
  const c = await startCluster({ seed: 7, nodes: 1, gpusPerNode: 1, manualClock: true, ...opts });
  running.push(c);
  return c;
}

const pod = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name, labels: { app: "w" } }, spec: { containers: [{ name: "c", image: "i" }] } });

async function label(c: RunningCluster, name: string, value: string): Promise<void> {
  const r = await fetch(`${c.url}${PODS}/${name}`, {
    method: "PATCH", body: JSON.stringify({ metadata: { labels: { step: value } } }),
    headers: { "Content-Type": "application/merge-patch+json", Authorization: `Bearer ${c.token}` },
  });
  assert.equal(r.status, 200, await r.text());
}

function viaProxy(proxy: TcpProxy, token: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(`http://127.0.0.1:${proxy.port}`, { token, namespace: "default" }));
  return kc;
}

/** Consumes `stream` into a name → object mirror, counting what a correct watch never does. */
function mirror(stream: WatchStream) {
  const state = new Map<string, KubeObject>();
  const faults = { doubled: 0, phantom: 0 };
  const done = (async () => {
    for await (const e of stream) {
      const name = e.object.metadata!.name!;
      if (e.type === "ADDED" && state.has(name)) faults.doubled++;
      if (e.type === "DELETED") { if (!state.delete(name)) faults.phantom++; }
      else state.set(name, e.object);
    }
  })();
  return { state, faults, done };
}

const fingerprint = (objs: Iterable<KubeObject>) =>
  [...objs].map((o) => `${o.metadata!.name}/${o.metadata!.uid}/${o.metadata!.resourceVersion}/${o.metadata!.labels?.step ?? ""}`).sort().join(" ");

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const podsOf = (kc: KubeConfig) => listObjects(kc, PODS, "app=w");

test("an outage of 4.5 s (longer than the old ~2 s of retries) is survived with default backoff; the watch reports backoff then watching, nothing lost", { timeout: 60_000 }, async () => {
  const c = await cluster();
  const proxy = await startTcpProxy(Number(new URL(c.url).port));
  proxies.push(proxy);
  const states: WatchState[] = [];
  const stream = watchPods({ kubeConfig: viaProxy(proxy, c.token), namespace: "default", labelSelector: "app=w", onState: (s) => states.push(s) });
  const m = mirror(stream);
  for (let i = 0; i < 5; i++) await createObject(c.kubeConfig, PODS, pod(`p${i}`));
  await until("the first five pods", () => m.state.size === 5);

  proxy.setDown(true);
  proxy.cut();
  // Changes made while the watcher cannot reach the server: it must see all of them afterwards.
  for (let i = 5; i < 10; i++) await createObject(c.kubeConfig, PODS, pod(`p${i}`));
  await deleteObject(c.kubeConfig, `${PODS}/p0`);
  await label(c, "p1", "during-outage");
  await new Promise((r) => setTimeout(r, 4500));
  assert.equal(stream.state, "backoff", `states so far: ${states.join(" → ")}`);
  proxy.setDown(false);

  const want = fingerprint(await podsOf(c.kubeConfig));
  await until("the mirror to match the server after the outage", () => fingerprint(m.state.values()) === want);
  assert.equal(stream.state, "watching");
  assert.deepEqual(m.faults, { doubled: 0, phantom: 0 });
  assert.ok(stream.stats.retries >= 4 && stream.stats.maxConsecutiveFailures >= 4, JSON.stringify(stream.stats));
  assert.deepEqual(states.slice(0, 2), ["listing", "watching"]);
  assert.ok(states.includes("backoff") && states.at(-1) === "watching", states.join(" → "));
  stream.stop();
  await m.done;
  assert.equal(stream.state, "stopped");
});

test("backoff.maxAttempts still bounds the retries when asked (an InputError naming the limit)", { timeout: 30_000 }, async () => {
  const c = await cluster();
  const proxy = await startTcpProxy(Number(new URL(c.url).port));
  proxies.push(proxy);
  proxy.setDown(true);
  const states: WatchState[] = [];
  const stream = watchPods({ kubeConfig: viaProxy(proxy, c.token), namespace: "default", backoff: { initialMs: 5, maxMs: 20, maxAttempts: 4 }, onState: (s) => states.push(s) });
  await assert.rejects(mirror(stream).done, (e: Error) => /gave up after 4 attempts/.test(e.message) && /maxAttempts/.test(e.message));
  assert.equal(stream.state, "failed");
  assert.equal(states.at(-1), "failed");
});

test("a server replaced by one with fresh state (versions go backwards) → relist by content; the new server's changes all arrive", { timeout: 60_000 }, async () => {
  const a = await cluster();
  const proxy = await startTcpProxy(Number(new URL(a.url).port));
  proxies.push(proxy);
  const statuses: string[] = [];
  const stream = watchPods({ kubeConfig: viaProxy(proxy, a.token), namespace: "default", labelSelector: "app=w", backoff: { initialMs: 5, maxMs: 50 }, onStatus: (s) => statuses.push(s.kind) });
  const m = mirror(stream);
  // Server A: five pods, each relabelled four times, so its versions run well ahead of B's.
  for (let i = 0; i < 5; i++) await createObject(a.kubeConfig, PODS, pod(`a${i}`));
  for (let k = 0; k < 4; k++) for (let i = 0; i < 5; i++) await label(a, `a${i}`, `A${k}`);
  const onA = fingerprint(await podsOf(a.kubeConfig));
  await until("the mirror of server A", () => fingerprint(m.state.values()) === onA);

  // Server B: same seed, same token, fresh state: the same names and uids at lower versions.
  await a.stop();
  const b = await cluster({ token: a.token });
  for (let i = 0; i < 5; i++) await createObject(b.kubeConfig, PODS, pod(`a${i}`));
  for (let i = 0; i < 5; i++) await label(b, `a${i}`, "B");
  const bPods = await podsOf(b.kubeConfig);
  assert.deepEqual(bPods.map((p) => p.metadata!.uid).sort(), [...m.state.values()].map((p) => p.metadata!.uid).sort(), "B reuses A's uids (the hard case)");
  proxy.setTarget(Number(new URL(b.url).port));
  proxy.cut();
  await until("the mirror of server B", async () => fingerprint(m.state.values()) === fingerprint(await podsOf(b.kubeConfig)));

  // Changes on B after the switch, still at versions below A's newest: delivered, not dropped.
  await createObject(b.kubeConfig, PODS, pod("b-new"));
  await label(b, "a0", "B2");
  await deleteObject(b.kubeConfig, `${PODS}/a4`);
  await until("B's later changes", async () => fingerprint(m.state.values()) === fingerprint(await podsOf(b.kubeConfig)));
  assert.ok(stream.stats.regressions >= 1 && statuses.includes("regressed"), JSON.stringify(stream.stats));
  assert.deepEqual(m.faults, { doubled: 0, phantom: 0 });
  stream.stop();
  await m.done;
});

test("actlab watch --watch-max-attempts bounds the retries against an unreachable server: one line naming the limit, exit 1", { timeout: 60_000 }, () => {
  const dir = tempDir("watch-cli-");
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, kubeconfigYaml("http://127.0.0.1:1", { token: "t", namespace: "default" }));
  const r = spawnSync(process.execPath, ["bin/actlab.js", "watch", "--kubeconfig", kubeconfig, "--watch-max-attempts", "3", "--watch-backoff-max", "0.05"], { encoding: "utf8", timeout: 50_000 });
  assert.equal(r.status, 1, r.stderr);
  const last = r.stderr.trim().split("\n").at(-1)!;
  assert.match(last, /gave up after 3 attempts, the limit set by backoff\.maxAttempts/);
  assert.match(r.stderr, /watch: backoff/, "the state change is reported");
  assert.match(r.stderr, /watch: failed/);
});
