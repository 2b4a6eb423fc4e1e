// Latency and 5xx against the real kube-apiserver on the test bed (issue 17, "the fault suite also
// runs against the real kube-apiserver"): watchPods reaches the server through a loopback HTTPS
// proxy (test/helpers/https-fault-proxy.ts; its certificate signed by the test bed's CA, the same
// kubeconfig credentials) that delays every request, answers a fraction 500/503/429 and ends a
// fraction of watch streams early, from a seed, while pods churn. The reference is a plain watch
// straight to the API server; checked by uid + resourceVersion: nothing lost outside a relist,
// nothing doubled, nothing invented, and the final state equal to the server's.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestbed, type Testbed } from "../../sdk/testbed/start.js";
import { testbedInstalled } from "../../sdk/testbed/versions.js";
import { startHttpsFaultProxy, type HttpsFaultProxy } from "../helpers/https-fault-proxy.js";
import { account, accountWithRelists, mirrorWatch, podsAccepted, kubeConfigVia, PodWriter, referenceWatch, sameState, untilTrue } from "../helpers/testbed-pods.js";

const installed = testbedInstalled();
const SKIP = "the test bed is not installed (npx actlab testbed install)";
let tb: Testbed;
let proxy: HttpsFaultProxy;

before(async () => {
  if (!installed) return;
  tb = await startTestbed({ nodes: 1, gpusPerNode: 1, seed: 23 });
  proxy = await startHttpsFaultProxy(tb.server, tb.dir, tb.kubeconfig, { seed: 23 });
  await podsAccepted(tb.kubeconfig);
});

after(async () => {
  if (!installed) return;
  await proxy?.close();
  await tb?.stop();
});

test("real API server behind an HTTPS fault proxy: latency, 30 % 500/503/429 and every watch ended early during churn — 0 lost outside relists, 0 doubled, 0 phantom", { skip: !installed && SKIP, timeout: 600_000 }, async () => {
  const w = new PodWriter(tb.kubeconfig, "http");
  const start = await w.list();
  const ref = referenceWatch(tb.kubeconfig, "http", start.resourceVersion);
  await ref.ready;
  const kc = kubeConfigVia(tb.kubeconfigPath, tb.server, proxy.url);
  // The proxy is transparent without faults: the same answer as the server, through the same credentials.
  const direct = await w.list();
  const via = await new PodWriter(kc, "http").list();
  assert.equal(via.items.length, direct.items.length);
  const { stream, states, statuses, events, state, stop } = mirrorWatch(kc, "http", 23, { initialMs: 50, maxMs: 1000 });
  await untilTrue("watching", () => stream.state === "watching", 30_000).catch((e: Error) => { void stop(); ref.stop(); throw new Error(`${e.message}; statuses: ${JSON.stringify(statuses.slice(-5))}`); });
  proxy.setFaults({ seed: 23, latencyMs: 300, errorRate: 0.3, streamEndRate: 1, streamEndMinMs: 100, streamEndMaxMs: 800 });
  proxy.endWatches();
  // Churn in bursts (watch requests go on between them) until each fault has happened, at most 20.
  const allFaults = () => [500, 503, 429].every((c) => (proxy.counts.errors[c] ?? 0) > 0) && proxy.counts.streamEnds >= 5;
  let bursts = 0;
  for (let burst = 0; burst < 20 && (burst < 4 || !allFaults()); burst++, bursts++) {
    await w.churn(8, burst * 6, burst * 6 + 6);
    await new Promise((r) => setTimeout(r, 700));
  }
  const faulted = { ...proxy.counts, errors: { ...proxy.counts.errors } };
  proxy.setFaults({ latencyMs: 0, errorRate: 0, streamEndRate: 0 });
  const { items } = await w.list();
  await untilTrue("the watcher's state to equal the server's list", () => sameState(state, items), 60_000);
  await untilTrue("the reference to catch up", () => account(events, ref.events).phantom.length === 0, 30_000).catch(() => {});
  await stop();
  ref.stop();
  assert.equal(ref.state.ended, false, "the reference watch must not have ended");
  const a = accountWithRelists(events, ref.events, statuses);
  const errs = Object.entries(faulted.errors).map(([code, n]) => `${n}× ${code}`).join(", ");
  console.log(`http faults: ${bursts} churn bursts, ${faulted.requests} requests through the proxy (${errs}, ${faulted.streamEnds} early watch ends, mean added latency ${(faulted.delayedMs / Math.max(1, faulted.requests)).toFixed(0)} ms); `
    + `${a.reference} server events, ${a.emitted} emitted (${stream.stats.synthesized} synthesized), coalesced by relists ${a.lost.length}, unexplained ${a.unexplained.length}, doubled ${a.doubled.length}, phantom ${a.phantom.length}, missed deletions ${a.missedDeletions.length}; `
    + `retries ${stream.stats.retries}, resumes ${stream.stats.resumes}, relists ${stream.stats.relists}, regressions ${stream.stats.regressions}; ${states.length} state changes`);
  assert.ok(a.reference > 200, `the churn must have produced events (${a.reference})`);
  for (const code of [500, 503, 429]) assert.ok((faulted.errors[code] ?? 0) > 0, `the proxy must have answered ${code} at least once`);
  assert.ok(faulted.streamEnds > 0, "the proxy must have ended watch streams early");
  assert.ok(stream.stats.retries > 0, "the injected errors must have reached watchPods");
  assert.ok(stream.stats.resumes > 0, "early ends must have been resumed");
  assert.deepEqual(a.unexplained, [], "every server event is delivered or inside a relist window");
  assert.deepEqual(a.doubled, []);
  assert.deepEqual(a.phantom, []);
  assert.deepEqual(a.missedDeletions, []);
  assert.equal(stream.stats.regressions, 0);
});
