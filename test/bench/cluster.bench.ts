/**
 * Cluster benchmarks: actuations simulated per second on the virtual clock, watch events served
 * per second to one client over loopback, and the wall time of a served scale cycle. Figures only.
 */
import * as k8s from "@kubernetes/client-node";
import { ClusterModel } from "../../sdk/cluster/model.js";
import { startCluster } from "../../sdk/cluster/start.js";
import { actuationDelayMs, getProfile } from "../../sdk/actuation/profiles.js";
import { rng } from "../../sdk/core/rng.js";
import { figure, figureGoal, peakRssMb, timeIt } from "./measure.js";
import { createObject } from "../../sdk/kube/api-calls.js";
import { runNopIterations } from "../../sdk/bench/nop-runner.js";
import type { KubeObject } from "../../sdk/kube/types.js";

// First, while this process's peak RSS is still its own: the nop pipeline (issue 18's row). kube.bench.ts
// runs it too, but after its 1e5-event watch section, whose history sets that file's peak.
console.log("nop pipeline on the embedded cluster (time scale 5000, 2 nodes × 4 GPUs, 4 iterations × 8 requesters)");
{
  const before = peakRssMb();
  const c = await startCluster({ seed: 1, nodes: 2, gpusPerNode: 4, timeScale: 5000 });
  try {
    await createObject(c.kubeConfig, "/apis/apps/v1/namespaces/default/deployments", c.model.requesterDeployment("req") as unknown as KubeObject);
    const res = await runNopIterations({ kubeConfig: c.kubeConfig, namespace: "default", deployment: "req", iterations: 4, replicas: 8, timeoutMs: 60_000 });
    figure("actuations classified", res.actuations.length, "", 0);
    figure("peak RSS after importing (client-node, tsx, the SDK)", before, "MB", 0);
    figureGoal("peak RSS through the nop pipeline", peakRssMb(), "MB", "≤ 300 MB", 0);
  } finally {
    await c.stop();
  }
}

console.log("cluster: virtual-clock model");
{
  // 4 nodes × 8 GPUs, one requester Deployment swinging between 0 and a random size.
  const m = new ClusterModel({ seed: 1, nodes: 4, gpusPerNode: 8, historyLimit: 2000 });
  m.apiCreate("deployments", "default", m.requesterDeployment("req"));
  m.runFor(1000);
  const r = rng(2);
  const cpu0 = process.cpuUsage();
  const { ms } = timeIt(() => {
    for (let cycle = 0; cycle < 150; cycle++) {
      m.scale("deployments", "default", "req", 1 + r.int(32));
      m.runFor(400_000);
      m.scale("deployments", "default", "req", 0);
      m.runFor(30_000);
    }
  });
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const acts = m.actuations();
  const byPath = (p: string) => acts.filter((a) => a.path === p).length;
  figure("actuations simulated", acts.length, "", 0);
  figure("actuations per wall second (virtual clock)", acts.length / (ms / 1000), "/s", 0);
  figure("actuations per process-CPU second (incl. GC threads)", acts.length / (cpuMs / 1000), "/s", 0);
  figure("store events per actuation", m.store.eventCount / acts.length, "", 1);
  figure("virtual time simulated per wall second", m.now / ms, "s/s", 0);
  console.log(`  paths: hot ${byPath("hot")}, warm ${byPath("warm")}, cold_launcher ${byPath("cold_launcher")}`);
  const p = getProfile("32b-h100");
  const rr = rng(3);
  const t = timeIt(() => { let s = 0; for (let i = 0; i < 200_000; i++) s += actuationDelayMs(p, (["hot", "warm", "cold_launcher"] as const)[i % 3], rr); return s; });
  figure("actuationDelayMs samples per second", 200_000 / (t.ms / 1000), "/s", 0);
}

console.log("cluster: served over loopback");
{
  const c = await startCluster({ seed: 1, nodes: 1, gpusPerNode: 2, timeScale: 1000, historyLimit: 100_000, insecure: true });
  try {
    // Watch events to one client: raw NDJSON stream, counted as lines arrive.
    const N = 20_000;
    const res = await fetch(`${c.url}/api/v1/namespaces/default/events?watch=true&resourceVersion=${c.model.store.resourceVersion}`);
    const reader = res.body!.getReader();
    let lines = 0;
    let bytes = 0;
    const t0 = performance.now();
    const reading = (async () => {
      const dec = new TextDecoder();
      while (lines < N) {
        const { value, done } = await reader.read();
        if (done) break;
        bytes += value.length;
        for (const ch of dec.decode(value, { stream: true })) if (ch === "\n") lines++;
      }
    })();
    for (let i = 0; i < N; i++) {
      c.model.apiCreate("events", "default", { apiVersion: "v1", kind: "Event", metadata: { name: `e-${i}` }, involvedObject: { kind: "Pod", name: `p-${i % 100}`, namespace: "default" }, reason: "Bench", message: `event ${i}`, type: "Normal" });
      if (i % 500 === 499) await new Promise((r) => setImmediate(r));
    }
    await reading;
    const ms = performance.now() - t0;
    await reader.cancel();
    figure("watch events served to one client", lines, "", 0);
    figure("watch events per second (loopback)", lines / (ms / 1000), "/s", 0);
    figure("watch throughput", bytes / 1024 / 1024 / (ms / 1000), "MiB/s", 1);

    // One served hot cycle through @kubernetes/client-node at timeScale 1000.
    const apps = c.kubeConfig.makeApiClient(k8s.AppsV1Api);
    await apps.createNamespacedDeployment({ namespace: "default", body: c.model.requesterDeployment("req") as k8s.V1Deployment });
    const mp = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
    const cycle = async () => {
      const t = performance.now();
      await apps.patchNamespacedDeploymentScale({ namespace: "default", name: "req", body: { spec: { replicas: 1 } } }, mp);
      while ((await apps.readNamespacedDeployment({ namespace: "default", name: "req" })).status?.readyReplicas !== 1) await new Promise((r) => setTimeout(r, 2));
      const up = performance.now() - t;
      await apps.patchNamespacedDeploymentScale({ namespace: "default", name: "req", body: { spec: { replicas: 0 } } }, mp);
      while (((await apps.readNamespacedDeployment({ namespace: "default", name: "req" })).status?.replicas ?? 0) !== 0 || c.model.store.list("pods", "default").some((p) => p.metadata.name.startsWith("req-"))) await new Promise((r) => setTimeout(r, 2));
      return { up, total: performance.now() - t };
    };
    const cold = await cycle();
    const hot = await cycle();
    figure("served cold_launcher 0→1 Ready (timeScale 1000)", cold.up, "wall ms", 0);
    figure("served hot 0→1→Ready→0 cycle (timeScale 1000)", hot.total, "wall ms", 0);
    console.log(`  truth: ${c.model.actuations().map((a) => a.path).join(", ")}`);
  } finally {
    await c.stop();
  }
}
{
  // 1,000 actuations through @kubernetes/client-node (scale cycles of 1..24 replicas, an informer on pods).
  const c = await startCluster({ seed: 4, nodes: 4, gpusPerNode: 8, timeScale: 20_000, launchersPerNode: 2 });
  try {
    const apps = c.kubeConfig.makeApiClient(k8s.AppsV1Api);
    const core = c.kubeConfig.makeApiClient(k8s.CoreV1Api);
    const mp = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
    await apps.createNamespacedDeployment({ namespace: "default", body: c.model.requesterDeployment("req") as k8s.V1Deployment });
    const inf = k8s.makeInformer(c.kubeConfig, "/api/v1/namespaces/default/pods", () => core.listNamespacedPod({ namespace: "default" }));
    let seen = 0;
    inf.on("add", () => seen++);
    inf.on("update", () => seen++);
    await inf.start();
    const t0 = performance.now();
    for (let i = 0; c.model.actuations().length < 1000; i++) {
      const n = 1 + (i % 24);
      await apps.patchNamespacedDeploymentScale({ namespace: "default", name: "req", body: { spec: { replicas: n } } }, mp);
      while ((await apps.readNamespacedDeployment({ namespace: "default", name: "req" })).status?.readyReplicas !== n) await new Promise((r) => setTimeout(r, 2));
      await apps.patchNamespacedDeploymentScale({ namespace: "default", name: "req", body: { spec: { replicas: 0 } } }, mp);
      while ((await core.listNamespacedPod({ namespace: "default", labelSelector: "app=req" })).items.length > 0) await new Promise((r) => setTimeout(r, 2));
    }
    const ms = performance.now() - t0;
    await inf.stop();
    const n = c.model.actuations().length;
    figure("served actuations via client-node (timeScale 20000)", n, "", 0);
    figure("served actuations per wall second", n / (ms / 1000), "/s", 0);
    figure("informer add/update events received", seen, "", 0);
  } finally {
    await c.stop();
  }
}
figure("peak RSS", peakRssMb(), "MB", 0);
