// The DPC seam (issue 11 item 4): the dual-pods controller runs with only FmaEnv — store verbs, the HTTP-shaped launcher/vLLM APIs and stub kubelet steps — and no ClusterModel.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventQueue } from "../sdk/core/event-queue.js";
import { rng } from "../sdk/core/rng.js";
import { getProfile } from "../sdk/actuation/profiles.js";
import { ObjectStore, type KObject } from "../sdk/cluster/store.js";
import { DualPodsController } from "../sdk/cluster/dpc.js";
import { dpcPodWatch } from "../sdk/cluster/dpc-watch.js";
import { SimHardware, type LauncherApi, type SimNode, type VllmApi } from "../sdk/cluster/hardware.js";
import { ProviderRegistry, type FmaEnv, type ObjectClient } from "../sdk/cluster/providers.js";
import { FMA, FMA_GROUP, FMA_VERSION, instanceIdFor } from "../sdk/cluster/fma.js";
import { patchPod, podKey } from "../sdk/cluster/pods.js";
import type { ClusterContext } from "../sdk/cluster/context.js";

const NS = "default";
const GPUS = ["GPU-a", "GPU-b"];

/** A DPC wired to a bare store, the simulated hardware and a kubelet stub that only records what it is asked. */
function bareDpc() {
  const queue = new EventQueue(0);
  const store = new ObjectStore(rng(5).split("names"), () => queue.now);
  const profile = getProfile("8b-h100");
  const events: string[] = [];
  const ctx: ClusterContext = {
    queue, store, profile, epochMs: 0, namespace: NS,
    cfg: { namespace: NS, nodes: 1, gpusPerNode: 2, placement: "pack", sleeperLimit: 2, maxInstances: 4, iscPort: 8000, launchersPerNode: 0, imageCached: true, historyLimit: 5000, recordLog: false, createDefaults: false },
    get now() { return queue.now; },
    toEpochMs: (v) => v,
    event: (obj, _type, reason) => { events.push(`${reason} ${obj.metadata.name}`); },
  };
  const verbs: string[] = [];
  const client: ObjectClient = {
    get: (r, ns, n) => { verbs.push("get"); return store.get(r, ns, n); },
    list: (r, ns) => { verbs.push("list"); return store.list(r, ns); },
    create: (r, o) => { verbs.push(`create ${r}`); return store.create(r, o); },
    patchPod: (ns, n, fn) => { verbs.push("patch pods"); return patchPod(store, podKey(ns, n), fn); },
    deletePod: () => { verbs.push("delete pods"); },
    newSuffix: () => store.newSuffix(),
  };
  const sim = new SimHardware(ctx, profile);
  const http: string[] = [];
  // Record every HTTP-shaped call the DPC makes, then let the simulated hardware answer it.
  const hardware = Object.assign(Object.create(sim) as SimHardware, {
    launcher(ns: string, pod: string): LauncherApi | undefined {
      const api = sim.launcher(ns, pod);
      if (!api) return undefined;
      return {
        createInstance: (id, spec) => { http.push(`PUT /v2/vllm/instances/${id}`); api.createInstance(id, spec); },
        listInstances: () => api.listInstances(),
        deleteInstance: (id) => { http.push(`DELETE /v2/vllm/instances/${id}`); return api.deleteInstance(id); },
      };
    },
    vllm(ns: string, pod: string, id?: string): VllmApi | undefined {
      const api = sim.vllm(ns, pod, id);
      if (!api) return undefined;
      return {
        sleep: (s) => { http.push("POST /sleep"); api.sleep(s); },
        wakeUp: (s) => { http.push("POST /wake_up"); api.wakeUp(s); },
        isSleeping: () => api.isSleeping(),
        health: () => api.health(),
      };
    },
  });
  const nodes: SimNode[] = [{ name: "node-0", index: 0, gpus: GPUS, alloc: new Map(), images: new Set(["launcher", "vllm"]), ip: "10.0.0.1" }];
  const kubelet: string[] = [];
  let ip = 0;
  const env: FmaEnv = {
    ctx, client, hardware, nodes, providers: new ProviderRegistry(),
    runtime: {
      nextIp: () => `10.244.0.${++ip}`,
      markRunning: (k) => { kubelet.push(`running ${k}`); },
      markReady: (k) => { kubelet.push(`ready ${k}`); },
      maybeFinishPodDeletion: (k) => { kubelet.push(`finish ${k}`); },
      terminateAfterTeardown: (k) => { kubelet.push(`teardown ${k}`); },
    },
  };
  const dpc = new DualPodsController(env, rng(5).split("steps"));
  dpc.podName = "dpc";
  const isc = { port: 8000, options: "--model m", env_vars: {}, labels: {}, annotations: {} };
  store.create("launcherconfigs", { apiVersion: `${FMA_GROUP}/${FMA_VERSION}`, kind: "LauncherConfig", metadata: { name: "default", namespace: NS }, spec: { maxInstances: 4 } });
  store.create("inferenceserverconfigs", { apiVersion: `${FMA_GROUP}/${FMA_VERSION}`, kind: "InferenceServerConfig", metadata: { name: "default", namespace: NS }, spec: { launcherConfigName: "default", modelServerConfig: isc } });
  /** A requester pod as a watch would deliver it: added, bound to node-0 with both GPUs, container started. */
  const requester = (name: string): string => {
    const pod: KObject = store.create("pods", { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: NS, annotations: { [FMA.iscAnnotation]: "default" } }, spec: { nodeName: "node-0", containers: [{ name: "inference-server" }] }, status: { phase: "Running" } });
    const k = podKey(NS, name);
    assert.equal(dpc.podAdded(pod), true);
    dpc.requesterBound(k, "node-0", GPUS);
    dpc.requesterStarted(k);
    return k;
  };
  return { queue, store, dpc, sim, http, verbs, kubelet, requester, instanceId: instanceIdFor(isc, GPUS) };
}

test("DPC seam: without a ClusterModel, a first requester goes cold (a launcher pod created, an instance PUT), the next one on the same GPUs goes hot (sleep, then wake_up)", () => {
  const t = bareDpc();
  const a = t.requester("req-a");
  t.queue.run(600_000);
  const [first] = t.dpc.actuations();
  assert.equal(first!.path, "cold_launcher");
  assert.equal(first!.outcome, "ready");
  assert.ok(t.verbs.includes("create pods"), "the launcher pod is created through the store verbs");
  const launchers = t.store.list("pods", NS).filter((p) => p.metadata.annotations?.[FMA.launcherBased] === "true");
  assert.equal(launchers.length, 1);
  assert.equal(launchers[0]!.metadata.annotations?.[FMA.requester]?.split(" ")[1], "req-a");
  assert.deepEqual(t.http, [`PUT /v2/vllm/instances/${t.instanceId}`]);
  assert.deepEqual(t.sim.instances().map((i) => [i.id, i.status]), [[t.instanceId, "awake"]]);
  assert.ok(t.kubelet.includes(`ready ${a}`), "the requester's readiness is relayed to the kubelet step");

  // Scale-down as a watch delivers it: the DPC puts the instance to sleep and unbinds.
  assert.equal(t.dpc.podDeleting(a), "requester");
  t.queue.run(t.queue.now + 600_000);
  assert.deepEqual(t.http.slice(1), ["POST /sleep"]);
  assert.deepEqual(t.sim.instances().map((i) => i.status), ["sleeping"]);
  assert.ok(t.kubelet.includes(`teardown ${a}`));
  t.dpc.podRemoved(a);

  // Same ISC, same GPUs → the same instance id → hot: a wake_up on the sleeping instance, no new launcher.
  const b = t.requester("req-b");
  t.queue.run(t.queue.now + 600_000);
  const second = t.dpc.actuations()[1]!;
  assert.equal(second.path, "hot");
  assert.equal(second.outcome, "ready");
  assert.equal(second.launcher, first!.launcher);
  assert.deepEqual(t.http.slice(2), ["POST /wake_up"]);
  assert.deepEqual(t.sim.instances().map((i) => i.status), ["awake"]);
  assert.ok(t.kubelet.includes(`ready ${b}`));
  assert.equal(t.store.list("pods", NS).filter((p) => p.metadata.annotations?.[FMA.launcherBased] === "true").length, 1);
});

test("DPC seam: fed by a pod watch (dpcPodWatch) instead of the embedded cluster's direct calls, the DPC takes the requester on when it is bound and running, and unbinds it when it is deleted", () => {
  const t = bareDpc();
  const asked: string[] = [];
  const onPod = dpcPodWatch(t.dpc, (pod) => { asked.push(pod.metadata.name); return GPUS; });
  t.store.subscribe((e) => { if (e.resource === "pods") onPod(e); });
  const pod = (over: (p: KObject) => void) => { const p = structuredClone(t.store.get("pods", NS, "req-w")!); over(p); t.store.update("pods", p); };
  t.store.create("pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "req-w", namespace: NS, annotations: { [FMA.iscAnnotation]: "default" } }, spec: { containers: [{ name: "inference-server" }] }, status: { phase: "Pending" } });
  t.queue.run(60_000);
  assert.equal(t.dpc.actuations().length, 0, "no decision before the requester runs");
  pod((p) => { (p.spec as Record<string, unknown>).nodeName = "node-0"; });
  pod((p) => { (p.status as Record<string, unknown>).phase = "Running"; });
  assert.deepEqual(asked, ["req-w"], "the GPUs are asked for once, at binding");
  t.queue.run(t.queue.now + 600_000);
  const [a] = t.dpc.actuations();
  assert.equal(a!.path, "cold_launcher");
  assert.equal(a!.outcome, "ready");
  assert.deepEqual(a!.gpus, GPUS);
  assert.deepEqual(t.http, [`PUT /v2/vllm/instances/${t.instanceId}`]);
  pod((p) => { p.metadata.deletionTimestamp = "1970-01-01T00:10:00Z"; });
  t.queue.run(t.queue.now + 600_000);
  assert.deepEqual(t.http.slice(1), ["POST /sleep"]);
  assert.ok(t.kubelet.includes(`teardown ${podKey(NS, "req-w")}`));
  t.store.remove("pods", NS, "req-w");
  assert.equal(t.dpc.isRequester(podKey(NS, "req-w")), false);
});
