// watchPods against the REAL kube-apiserver: 410 Gone produced by real etcd compaction.
//
// This test bed runs kube-apiserver with `--watch-cache=false`, so every watch is served by etcd
// itself and a resume from a compacted revision is answered by etcd's "required revision has been
// compacted", which the API server turns into 410 Expired. (With the watch cache on, the cache's
// own window decides 410s and compaction is hidden from watchers.) `--etcd-compaction-interval=0`
// turns off the API server's own 5-minute compaction so that the only compactions are the test's,
// made through etcd's v3 API (POST /v3/kv/compaction at the current revision).
//
// Each round: an outage (a TCP proxy between watchPods and the API server cuts every connection and
// refuses new ones), pods churn meanwhile, etcd is compacted, the outage ends; watchPods' resume is
// answered 410 and it relists. Accounting against a reference watch made straight to the server:
// nothing doubled, nothing the server did not emit, every deletion of a pod the watcher held
// delivered, and every server event the watcher did not deliver lies inside a relist window
// (after the resume point that got 410, up to the relist's resourceVersion) — collapsed by the
// relist the way client-go's reflector collapses them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestbed, type Testbed } from "../sdk/testbed/start.js";
import { testbedInstalled } from "../sdk/testbed/versions.js";
import { kubeRequest } from "../sdk/kube/kubeconfig.js";
import { startTcpProxy, type TcpProxy } from "./helpers/tcp-proxy.js";
import { account, accountWithRelists, kubeConfigVia, mirrorWatch, podsAccepted, PodWriter, referenceWatch, sameState, untilTrue } from "./helpers/testbed-pods.js";

const installed = testbedInstalled();
const SKIP = "the test bed is not installed; run: actlab testbed install";
let tb: Testbed;
let proxy: TcpProxy;

before(async () => {
  if (!installed) return;
  tb = await startTestbed({ nodes: 1, gpusPerNode: 1, seed: 13, apiserverArgs: ["--watch-cache=false", "--etcd-compaction-interval=0"] });
  proxy = await startTcpProxy(Number(new URL(tb.server).port));
  await podsAccepted(tb.kubeconfig);
});

after(async () => {
  if (!installed) return;
  await proxy?.close();
  await tb?.stop();
});

/** Compacts etcd at its current revision through the v3 JSON gateway; returns that revision. */
async function compactEtcd(etcdUrl: string): Promise<number> {
  const range = await fetch(`${etcdUrl}/v3/kv/range`, { method: "POST", body: JSON.stringify({ key: Buffer.from("/registry/").toString("base64"), limit: 1 }) });
  const revision = Number(((await range.json()) as { header: { revision: string } }).header.revision);
  const res = await fetch(`${etcdUrl}/v3/kv/compaction`, { method: "POST", body: JSON.stringify({ revision: String(revision), physical: true }) });
  assert.equal(res.status, 200, `etcd compaction: ${await res.text()}`);
  return revision;
}

test("real API server + etcd compaction: a resume from a compacted revision gets 410 and relists; every event accounted for", { skip: !installed && SKIP, timeout: 600_000 }, async () => {
  const w = new PodWriter(tb.kubeconfig, "gone");
  const start = await w.list();
  const ref = referenceWatch(tb.kubeconfig, "gone", start.resourceVersion);
  await ref.ready;
  const { stream, statuses, events, state, stop } = mirrorWatch(kubeConfigVia(tb.kubeconfigPath, tb.server, `https://127.0.0.1:${proxy.port}`), "gone", 13, { initialMs: 50, maxMs: 1000, maxAttempts: 1e9 });
  const settle = async () => {
    const { items } = await w.list();
    await untilTrue("the watcher's state to equal the server's list", () => sameState(state, items));
    await untilTrue("the reference to catch up", () => account(events, ref.events).phantom.length === 0, 30_000).catch(() => {});
  };
  await untilTrue("watching", () => statuses.some((s) => s.kind === "watching"));
  await w.churn(10, 0, 6);
  await settle();
  const rounds = 3;
  let serverGone = 0;
  for (let round = 0; round < rounds; round++) {
    // watchPods' resume point: the newest version it has seen (events, or the last list).
    const resumeRv = String(Math.max(...events.map((e) => Number(e.object.metadata!.resourceVersion)),
      ...statuses.filter((s) => s.kind === "listed" || s.kind === "relisted").map((s) => Number(s.resourceVersion))));
    proxy.setDown(true);
    proxy.cut();
    await w.churn(10, 6 + round * 4, 10 + round * 4);
    const compactedAt = await compactEtcd(tb.etcdUrl);
    assert.ok(compactedAt > Number(resumeRv));
    // Independently of watchPods: the server itself now answers a watch from that point with 410.
    const raw = await kubeRequest(tb.kubeconfig, "GET", "/api/v1/namespaces/default/pods", { watch: "true", resourceVersion: resumeRv, timeoutSeconds: "1", labelSelector: "test=gone" });
    const first = JSON.parse(raw.body.split("\n")[0]!) as { type: string; object: { code?: number } };
    if (raw.status === 410 || (first.type === "ERROR" && first.object.code === 410)) serverGone++;
    proxy.setDown(false);
    await settle();
  }
  await stop();
  ref.stop();
  assert.equal(ref.state.ended, false, "the reference watch must not have ended");
  // Relist windows: (resume point answered 410, resourceVersion of the relist that followed].
  const a = accountWithRelists(events, ref.events, statuses);
  const { unexplained, missedDeletions } = a;
  const gone = statuses.filter((s) => s.kind === "gone");
  console.log(`410 via etcd compaction: ${rounds} compactions, server answered 410 ${serverGone}×, watchPods saw 410 ${gone.length}× and relisted ${stream.stats.relists}×; `
    + `${a.reference} server events, ${a.emitted} emitted (${stream.stats.synthesized} synthesized by relists), collapsed into relists ${a.lost.length}, unexplained ${unexplained.length}, doubled ${a.doubled.length}, phantom ${a.phantom.length}, missed deletions ${missedDeletions.length}`);
  assert.equal(serverGone, rounds, "the API server must answer 410 after each compaction");
  assert.ok(gone.length >= rounds, `watchPods must have been answered 410 at least ${rounds} times (got ${gone.length})`);
  assert.ok(stream.stats.relists >= rounds);
  assert.ok(stream.stats.synthesized > 0, "relists must emit the differences");
  assert.deepEqual(unexplained, [], "every server event is delivered or inside a relist window");
  assert.deepEqual(a.doubled, []);
  assert.deepEqual(a.phantom, []);
  assert.deepEqual(missedDeletions, []);
  // accountWithRelists also opens a window after a regression; a real API server never regresses.
  assert.equal(stream.stats.regressions, 0);
});
