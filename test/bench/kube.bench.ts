/**
 * Watch throughput of watchPods over loopback (client-node's auth and TLS, our NDJSON splitter; issue 18's goal ≥ 40,000
 * events/s): the in-memory API streams pre-recorded pod updates; figures with and without dropped
 * streams (resume) and 410s (relist). Then the lag of a watch fed at a steady 20,000 updates/s (goal
 * ≤ 10 ms), and the whole nop pipeline against the embedded cluster.
 * Prints figures; asserts no times.
 */
import { figure, figureGoal, peakRssMb } from "./measure.js";
import { startMemoryApi, type MemoryApiFaults } from "../../sdk/kube/memory-api.js";
import { watchPods } from "../../sdk/kube/watch.js";
import { LifecycleReducer } from "../../sdk/kube/lifecycle.js";
import type { KubeObject } from "../../sdk/kube/types.js";
import { startCluster } from "../../sdk/cluster/start.js";
import { createObject } from "../../sdk/kube/api-calls.js";
import { runNopIterations } from "../../sdk/bench/nop-runner.js";
import { loadClientNode } from "../../sdk/kube/client-node.js";
import { Worker } from "node:worker_threads";
import { benchPod } from "./bench-pod.js";

const N = Number(process.env.ACTLAB_BENCH_WATCH_EVENTS ?? 100_000);

async function throughput(label: string, faults: MemoryApiFaults | undefined) {
  const api = await startMemoryApi({ historyLimit: N + 10, faults, bookmarkMs: 500 });
  try {
    // The history is written first, then one watch (from resourceVersion 0 after an empty list) drains it.
    for (let i = 0; i < 500; i++) api.apply("ADDED", "pods", benchPod(i, 0));
    const ac = new AbortController();
    const reducer = new LifecycleReducer();
    let n = 0;
    let t0 = 0;
    let lastRv = 0;
    const stream = watchPods({ kubeConfig: api.kubeConfig, namespace: "default", signal: ac.signal, backoff: { initialMs: 1, maxMs: 10 }, onStatus: (s) => { if (s.kind === "watching" && t0 === 0) { t0 = performance.now(); for (let i = 500; i < N; i++) lastRv = Number(api.apply("MODIFIED", "pods", benchPod(i, Math.floor(i / 500)))); } } });
    const start = performance.now();
    for await (const e of stream) {
      reducer.add(e);
      n++;
      // Done when the newest version has arrived (a relist folds many updates into one event).
      if (lastRv > 0 && Number(e.object.metadata?.resourceVersion) >= lastRv) ac.abort();
    }
    const ms = performance.now() - (t0 || start);
    figure(`${label}: events received`, n, "events", 0);
    if (n >= N) figureGoal(`${label}: events/s through the client`, n / (ms / 1000), "ev/s", "≥ 40,000", 0);
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

/**
 * Lag at a steady rate: a worker thread (test/bench/paced-api.worker.ts) serves the API and applies
 * updates at `rate`/s, stamping each apply; the lag of an event is the time from its apply to the
 * watch handing it to the consumer on this thread.
 */
async function lagAt(rate: number, events: number) {
  const appliedAt = new SharedArrayBuffer(8 * events);
  const stamps = new Float64Array(appliedAt);
  // A TypeScript worker needs tsx registered on its thread first.
  const boot = `const { workerData: w } = require("node:worker_threads"); import(w.tsx).then((a) => a.register()).then(() => import(w.url));`;
  const worker = new Worker(boot, { eval: true, workerData: { rate, events, appliedAt, tsx: import.meta.resolve("tsx/esm/api"), url: new URL("./paced-api.worker.ts", import.meta.url).href } });
  const { url, firstRv } = await new Promise<{ url: string; firstRv: number }>((resolve, reject) => { worker.once("message", resolve); worker.once("error", reject); });
  try {
    const kubeConfig = new (await loadClientNode()).KubeConfig();
    kubeConfig.loadFromOptions({ clusters: [{ name: "m", server: url, skipTLSVerify: true }], users: [{ name: "m" }], contexts: [{ name: "m", cluster: "m", user: "m", namespace: "default" }], currentContext: "m" });
    const lags = new Float64Array(events);
    const ac = new AbortController();
    let received = 0;
    let started = false;
    const stream = watchPods({ kubeConfig, namespace: "default", signal: ac.signal, backoff: { initialMs: 1, maxMs: 10 }, onStatus: (s) => { if (s.kind === "watching" && !started) { started = true; worker.postMessage("start"); } } });
    const guard = setTimeout(() => ac.abort(), 10_000 + (events / rate) * 2000);
    for await (const e of stream) {
      const k = Number(e.object.metadata?.resourceVersion) - firstRv;
      if (k < 0 || k >= events) continue;
      lags[received++] = performance.timeOrigin + performance.now() - stamps[k]!;
      if (received === events) ac.abort();
    }
    clearTimeout(guard);
    const sorted = lags.subarray(0, received).sort();
    const q = (p: number) => sorted[Math.min(received - 1, Math.floor(p * received))]!;
    figure(`${rate.toLocaleString("en")}/s for ${(events / rate).toFixed(0)} s: events received`, received, `of ${events}`, 0);
    figureGoal("  lag p50", q(0.5), "ms", "≤ 10 ms", 2);
    figureGoal("  lag p99", q(0.99), "ms", "≤ 10 ms", 2);
    figure("  lag max", sorted[received - 1] ?? NaN, "ms", 2);
  } finally {
    worker.postMessage("stop");
    await new Promise((resolve) => worker.once("exit", resolve));
  }
}

console.log("watchPods lag at a steady rate (apply → consumer)");
await lagAt(20_000, 60_000);

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
