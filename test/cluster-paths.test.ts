import { test } from "node:test";
import assert from "node:assert/strict";
import { ClusterModel, FMA } from "../sdk/cluster/model.js";
import type { ClusterConfig } from "../sdk/cluster/types.js";
import { isoSeconds } from "../sdk/cluster/store.js";

const NS = "default";

function cluster(cfg: ClusterConfig = {}): ClusterModel {
  const m = new ClusterModel({ seed: 7, nodes: 1, gpusPerNode: 2, ...cfg });
  return m;
}

/** Scale the deployment and run long enough for everything to settle. */
function scaleTo(m: ClusterModel, name: string, n: number, settleMs = 600_000): void {
  m.scale("deployments", NS, name, n);
  m.runFor(settleMs);
}

function deploy(m: ClusterModel, name: string, opts: Parameters<ClusterModel["requesterDeployment"]>[1] = {}): void {
  m.apiCreate("deployments", NS, m.requesterDeployment(name, opts));
  m.runFor(1_000);
}

/** A plain (non-FMA) pod holding `gpus` GPUs. */
function gpuHog(m: ClusterModel, name: string, gpus = 1): void {
  m.apiCreate("pods", NS, { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "busybox", resources: { limits: { "nvidia.com/gpu": String(gpus) } } }] } });
  m.runFor(5_000);
}

test("paths: a first requester with no launcher goes cold_launcher; the next one on the same GPUs goes hot", () => {
  const m = cluster();
  deploy(m, "req");
  scaleTo(m, "req", 1);
  scaleTo(m, "req", 0);
  scaleTo(m, "req", 1);
  const [a, b] = m.actuations();
  assert.equal(a!.path, "cold_launcher");
  assert.equal(a!.launcherPrecreated, false);
  assert.ok(a!.launcherCreateStart! <= a!.launcherCreated! && a!.launcherCreated! < a!.launcherReady! && a!.launcherReady! < a!.instanceCreateStart!);
  assert.equal(b!.path, "hot");
  assert.equal(b!.instanceId, a!.instanceId);
  assert.deepEqual(b!.gpus, a!.gpus);
  assert.ok(b!.wakeEnd! - b!.wakeStart! >= 294); // 8B wake floor
  for (const t of [a!, b!]) {
    assert.equal(t.outcome, "ready");
    // Ready only after the relay, on a requester probe tick.
    assert.ok(t.requesterReady! >= t.relayEnd!);
    const p = m.profile.requesterProbe;
    assert.equal((t.requesterReady! - t.containerStarted - p.initialDelayMs) % p.periodMs, 0);
  }
});

test("paths: a Ready populator launcher without instances gives warm (no reclaim)", () => {
  const m = cluster({ launchersPerNode: 1 });
  m.runFor(120_000); // launcher becomes Ready
  deploy(m, "req");
  scaleTo(m, "req", 1);
  const [a] = m.actuations();
  assert.equal(a!.path, "warm");
  assert.equal(a!.instancesDeleted, 0);
  assert.equal(a!.launcherPrecreated, true);
  assert.equal(a!.launcherCreateStart, undefined);
  assert.ok(a!.instanceCreateStart! < a!.instanceReady! && a!.instanceReady! <= a!.relayStart!);
});

test("paths: placement on other GPUs turns hot into warm — with reclaim when the only launcher holds the sleeper", () => {
  const m = cluster();
  deploy(m, "req");
  scaleTo(m, "req", 1);
  scaleTo(m, "req", 0);
  const first = m.actuations()[0]!;
  gpuHog(m, "hog"); // takes the lowest free GPU: the sleeper's GPU
  scaleTo(m, "req", 1);
  const second = m.actuations()[1]!;
  assert.notDeepEqual(second.gpus, first.gpus);
  assert.notEqual(second.instanceId, first.instanceId);
  assert.equal(second.path, "warm");
  assert.equal(second.launcher, first.launcher);
  assert.equal(second.instancesDeleted, 1); // the sleeper holds the ISC port: reclaimed
  assert.ok(m.podLog(NS, m.dpcPodName)!.some((l) => l.text.includes('purpose="delete_instance"') && l.text.includes(second.requester.name)));
  assert.ok(m.metricsText().includes('fma_actuation_seconds_count{exported_namespace="default",path="warm",instancesDeleted="1",isc_name="default"} 1'));
});

test("paths: placement on other GPUs turns hot into warm without reclaim when a spare launcher exists", () => {
  const run = (hog: boolean) => {
    const m = cluster({ launchersPerNode: 1 });
    m.runFor(120_000);
    deploy(m, "req");
    scaleTo(m, "req", 1);
    scaleTo(m, "req", 0);
    m.populateLauncher("node-0");
    m.runFor(120_000);
    if (hog) gpuHog(m, "hog");
    scaleTo(m, "req", 1);
    return m.actuations()[1]!;
  };
  const same = run(false), moved = run(true);
  assert.equal(same.path, "hot");
  assert.equal(moved.path, "warm");
  assert.equal(moved.instancesDeleted, 0);
});

test("paths: direct mode — a new provider is cold, a sleeping nominal provider is hot", () => {
  const m = cluster();
  deploy(m, "direct", { serverPatch: "spec:\n  containers:\n  - name: inference-server\n    image: vllm/vllm-openai\n" });
  scaleTo(m, "direct", 1);
  scaleTo(m, "direct", 0);
  scaleTo(m, "direct", 1);
  const [a, b] = m.actuations();
  assert.equal(a!.mode, "direct");
  assert.equal(a!.path, "cold");
  assert.match(a!.provider, /^direct-.*-dual-[a-z0-9]{5}$/);
  assert.equal(b!.path, "hot");
  assert.equal(b!.mode, "direct");
  assert.equal(b!.provider, a!.provider);
  const prov = m.store.get("pods", NS, a!.provider)!;
  assert.ok(prov.metadata.annotations![FMA.nominal]);
  assert.ok(m.podLog(NS, m.dpcPodName)!.some((l) => l.text.includes('"Created server-providing pod"')));
});

test("paths: a populator launcher created in the same second as the requester — truth warm, equal 1-s timestamps", () => {
  const m = cluster();
  deploy(m, "req");
  m.advanceTo(Math.ceil(m.now / 1000) * 1000 + 100); // 100 ms into a second
  m.scale("deployments", NS, "req", 1);
  m.populateLauncher("node-0", m.now + 300); // same second, before the DPC decides
  m.runFor(600_000);
  const [a] = m.actuations();
  assert.equal(a!.path, "warm");
  assert.equal(a!.launcherPrecreated, true);
  const req = isoSeconds(m.toEpochMs(a!.requesterCreated));
  const launcher = m.store.get("pods", NS, a!.launcher!)!;
  assert.equal(launcher.metadata.creationTimestamp, req);
  assert.ok(a!.decided > a!.launcherCreated! && a!.launcherCreated! > a!.requesterCreated);
});

test("paths: 0→N scales N requesters, each with its own launcher, GPUs and truth", () => {
  const m = cluster({ gpusPerNode: 4 });
  deploy(m, "req");
  scaleTo(m, "req", 3);
  const acts = m.actuations();
  assert.equal(acts.length, 3);
  assert.ok(acts.every((a) => a.path === "cold_launcher" && a.outcome === "ready"));
  assert.equal(new Set(acts.map((a) => a.launcher)).size, 3);
  assert.equal(new Set(acts.flatMap((a) => a.gpus)).size, 3);
  const d = m.store.get("deployments", NS, "req")!;
  assert.equal((d.status as { readyReplicas: number }).readyReplicas, 3);
  scaleTo(m, "req", 0);
  assert.equal(m.instances().filter((i) => i.status === "sleeping").length, 3);
});

test("paths: a requester deleted mid-actuation is aborted, its instance goes to sleep, the launcher is freed", () => {
  const m = cluster();
  deploy(m, "req");
  m.scale("deployments", NS, "req", 1);
  m.runFor(30_000); // launcher created, instance loading
  m.scale("deployments", NS, "req", 0);
  m.runFor(600_000);
  const [a] = m.actuations();
  assert.equal(a!.outcome, "aborted");
  assert.equal(a!.requesterReady, undefined);
  assert.equal(m.store.list("pods", NS).filter((p) => p.metadata.name.startsWith("req-")).length, 0);
  const l = m.store.get("pods", NS, a!.launcher!)!;
  assert.equal(l.metadata.labels![FMA.sleeping], "true");
  assert.equal(l.metadata.labels![FMA.dual], undefined);
  scaleTo(m, "req", 1);
  assert.equal(m.actuations()[1]!.path, "hot");
});

test("paths: the sleeper limit per GPU evicts the least recently used sleeper", () => {
  // Two ISCs on the same GPU: with sleeperLimit 1 the older sleeper is deleted before a new instance.
  const m = cluster({ sleeperLimit: 1, maxInstances: 4 });
  const isc = m.store.get("inferenceserverconfigs", NS, "default")!;
  const isc2 = JSON.parse(JSON.stringify(isc));
  isc2.metadata = { name: "other", namespace: NS };
  isc2.spec.modelServerConfig.port = 8005;
  m.apiCreate("inferenceserverconfigs", NS, isc2);
  deploy(m, "a");
  deploy(m, "b", { isc: "other" });
  scaleTo(m, "a", 1);
  scaleTo(m, "a", 0);
  scaleTo(m, "b", 1);
  const b = m.actuations()[1]!;
  assert.equal(b.path, "warm");
  assert.equal(b.instancesDeleted, 0);
  assert.equal(b.sleepersEvicted, 1);
  assert.equal(m.instances().length, 1);
});

test("determinism: same seed → byte-identical event log; another seed differs", () => {
  const run = (seed: number) => {
    const m = new ClusterModel({ seed, nodes: 2, gpusPerNode: 2, recordLog: true, placement: "random" });
    deploy(m, "req");
    for (const n of [1, 0, 2, 0, 1]) scaleTo(m, "req", n, 300_000);
    return { log: m.eventLog().join("\n"), dpc: m.podLog(NS, m.dpcPodName)!.map((l) => l.text).join("\n"), truth: JSON.stringify(m.actuations()) };
  };
  const a = run(3), b = run(3), c = run(4);
  assert.ok(a.log.length > 10_000);
  assert.equal(a.log, b.log);
  assert.equal(a.dpc, b.dpc);
  assert.equal(a.truth, b.truth);
  assert.notEqual(a.log, c.log);
});

test("placement: pack and spread break ties among equally scored nodes at random (seeded), as kube-scheduler's selectHost does", () => {
  // One requester on 4 empty nodes, scaled 1→0→1 ten times: each scale-up sees four equally free
  // nodes, so the node varies; a hot hit needs the node of the sleeping instance.
  const nodesOf = (placement: "pack" | "spread", seed: number) => {
    const m = new ClusterModel({ seed, nodes: 4, gpusPerNode: 2, placement });
    deploy(m, "req");
    for (let i = 0; i < 10; i++) {
      scaleTo(m, "req", 1);
      scaleTo(m, "req", 0, 120_000);
    }
    return m.actuations().map((a) => ({ node: a.node, path: a.path }));
  };
  for (const placement of ["pack", "spread"] as const) {
    const a = nodesOf(placement, 5);
    assert.equal(a.length, 10);
    assert.ok(new Set(a.map((x) => x.node)).size > 1, `${placement}: every scale-up on ${a[0]!.node}`);
    assert.deepEqual(nodesOf(placement, 5), a, "same seed, same placements");
    // Back on a node that already has a launcher is hot (or warm); a node never used needs a launcher.
    const seen = new Set<string>();
    for (const x of a) {
      assert.equal(x.path === "cold_launcher", !seen.has(x.node), `${placement}: ${JSON.stringify(x)}`);
      seen.add(x.node);
    }
  }
  // Two requesters with pack: the second joins the first one's node (it is now the most allocated).
  const m = new ClusterModel({ seed: 9, nodes: 4, gpusPerNode: 2, placement: "pack" });
  deploy(m, "req");
  scaleTo(m, "req", 2);
  const [x, y] = m.actuations();
  assert.equal(x!.node, y!.node);
});
