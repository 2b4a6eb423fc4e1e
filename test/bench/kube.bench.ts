/**
 * Watch throughput through the real @kubernetes/client-node Watch over loopback (target ≥ 20,000
 * events/s): the in-memory API streams pre-recorded pod updates; figures with and without dropped
 * streams (resume) and 410s (relist). Then the whole nop pipeline against the embedded cluster.
 * Prints figures; asserts no times.
 */
import { figure, peakRssMb } from "./measure.js";
import { startMemoryApi, type MemoryApiFaults } from "../../sdk/kube/memory-api.js";
import { watchPods } from "../../sdk/kube/watch.js";
import { LifecycleReducer } from "../../sdk/kube/lifecycle.js";
import type { KubeObject } from "../../sdk/kube/types.js";
import { startCluster } from "../../sdk/cluster/start.js";
import { createObject } from "../../sdk/kube/api-calls.js";
import { runNopIterations } from "../../sdk/bench/nop-runner.js";

const N = Number(process.env.ACTLAB_BENCH_WATCH_EVENTS ?? 100_000);

function pod(i: number, step: number): KubeObject {
  return {
    apiVersion: "v1", kind: "Pod",
    metadata: { name: `p${i % 500}`, namespace: "default", uid: `u${i % 500}`, creationTimestamp: "2026-11-23T09:00:00Z", labels: { app: "bench", "dual-pods.llm-d.ai/dual": `launcher-${i % 7}` } },
    spec: { nodeName: "node-0", containers: [{ name: "inference-server", image: "requester:v0.6.4" }] },
    status: { phase: "Running", conditions: [{ type: "Ready", status: step % 2 ? "True" : "False", lastTransitionTime: "2026-11-23T09:00:05Z" }], containerStatuses: [{ name: "inference-server", state: { running: { startedAt: "2026-11-23T09:00:01Z" } } }] },
  };
}

async function throughput(label: string, faults: MemoryApiFaults | undefined) {
  const api = await startMemoryApi({ historyLimit: N + 10, faults, bookmarkMs: 500 });
  try {
    // The history is written first, then one watch (from resourceVersion 0 after an empty list) drains it.
    for (let i = 0; i < 500; i++) api.apply("ADDED", "pods", pod(i, 0));
    const ac = new AbortController();
    const reducer = new LifecycleReducer();
    let n = 0;
    let t0 = 0;
    let lastRv = 0;
    const stream = watchPods({ kubeConfig: api.kubeConfig, namespace: "default", signal: ac.signal, backoff: { initialMs: 1, maxMs: 10 }, onStatus: (s) => { if (s.kind === "watching" && t0 === 0) { t0 = performance.now(); for (let i = 500; i < N; i++) lastRv = Number(api.apply("MODIFIED", "pods", pod(i, Math.floor(i / 500)))); } } });
    const start = performance.now();
    for await (const e of stream) {
      reducer.add(e);
      n++;
      // Done when the newest version has arrived (a relist folds many updates into one event).
      if (lastRv > 0 && Number(e.object.metadata?.resourceVersion) >= lastRv) ac.abort();
    }
    const ms = performance.now() - (t0 || start);
    figure(`${label}: events received`, n, "events", 0);
    if (n >= N) figure(`${label}: events/s through the client (target ≥ 20,000)`, n / (ms / 1000), "events/s", 0);
    else figure(`${label}: caught up with ${N - 500} updates after relists folded them`, ms, "ms");
    figure(`${label}: resumes / relists / duplicates dropped`, stream.stats.resumes, `/ ${stream.stats.relists} / ${stream.stats.duplicatesDropped}`, 0);
  } finally {
    await api.stop();
  }
}

console.log(`watchPods over loopback, ${N.toExponential(0)} pod events`);
await throughput("clean stream", undefined);
await throughput("dropped every 5,000 events", { closeAfterEvents: 5000 });
await throughput("dropped every 5,000, 410 on 20% of resumes", { closeAfterEvents: 5000, goneProbability: 0.2, seed: 1 });

console.log("nop pipeline against the embedded cluster (time scale 5000, 2 nodes × 4 GPUs, 8 requesters per iteration)");
const c = await startCluster({ seed: 1, nodes: 2, gpusPerNode: 4, timeScale: 5000 });
try {
  await createObject(c.kubeConfig, "/apis/apps/v1/namespaces/default/deployments", c.model.requesterDeployment("req") as unknown as KubeObject);
  const t = performance.now();
  const res = await runNopIterations({ kubeConfig: c.kubeConfig, namespace: "default", deployment: "req", iterations: 4, replicas: 8, timeoutMs: 60_000 });
  const s = (performance.now() - t) / 1000;
  figure("actuations classified", res.actuations.length, "", 0);
  figure("actuations per wall second (cluster pacing included)", res.actuations.length / s, "/s");
  figure("watch events", res.record.events.length, "events", 0);
} finally {
  await c.stop();
}
figure("peak RSS", peakRssMb(), "MB", 0);
