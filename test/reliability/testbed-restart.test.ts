// The restart fault against the real kube-apiserver on the test bed (issue 17, "the fault suite
// also runs against the real kube-apiserver"): the kube-apiserver process is stopped (SIGTERM, its
// graceful shutdown) and started again with the same argv — same etcd, same certificates, same
// port — between two bursts of pod churn, the second burst starting as soon as the new process is
// ready, while watchPods is still backing off. The reference is etcd's own watch (it outlives the
// API server): every event the server could emit, by uid + resourceVersion. watchPods must resume
// or relist with nothing doubled, nothing invented, every deletion of a pod it held delivered, and
// anything it did not deliver inside a relist window (coalesced, as client-go's reflector does).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { startTestbed, type Testbed } from "../../sdk/testbed/start.js";
import { testbedInstalled } from "../../sdk/testbed/versions.js";
import { startProcess, stopProcess } from "../../sdk/testbed/processes.js";
import { account, accountWithRelists, mirrorWatch, podsAccepted, PodWriter, sameState, untilTrue } from "../helpers/testbed-pods.js";
import { etcdReferenceWatch } from "../helpers/etcd-reference.js";

const installed = testbedInstalled();
const SKIP = "the test bed is not installed (npx actlab testbed install)";
let tb: Testbed;

before(async () => {
  if (!installed) return;
  tb = await startTestbed({ nodes: 1, gpusPerNode: 1, seed: 19 });
  await podsAccepted(tb.kubeconfig);
});

after(async () => {
  if (!installed) return;
  await tb?.stop();
});

/** kube-apiserver's /readyz with the admin client certificate (200 once it serves). */
function readyz(): Promise<number> {
  const u = tb.kubeconfig.getCurrentUser()!, c = tb.kubeconfig.getCurrentCluster()!;
  const b = (s: string | undefined) => Buffer.from(s ?? "", "base64");
  return new Promise((resolve) => {
    const req = request(`${tb.server}/readyz`, { ca: b(c.caData), cert: b(u.certData), key: b(u.keyData), timeout: 2000 }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end();
  });
}

/** Stops the test bed's kube-apiserver and starts the same argv again (same etcd, certs and port); tb.stop() stops the new one. */
async function restartApiServer(): Promise<{ downMs: number; pids: [number, number] }> {
  const i = tb.processes.findIndex((p) => p.name === "kube-apiserver");
  const old = tb.processes[i]!;
  const [cmd, ...args] = old.child.spawnargs;
  const t0 = Date.now();
  await stopProcess(old, 15_000);
  const next = startProcess("kube-apiserver", cmd!, args, old.logPath);
  tb.processes[i] = next;
  // untilTrue treats a throw as "not yet", so an exit ends the wait and is reported after it.
  await untilTrue("the restarted kube-apiserver's /readyz", async () => next.child.exitCode !== null || (await readyz()) === 200, 120_000);
  if (next.child.exitCode !== null) throw new Error(`kube-apiserver exited: ${readFileSync(old.logPath, "utf8").slice(-2000)}`);
  return { downMs: Date.now() - t0, pids: [old.child.pid!, next.child.pid!] };
}

test("real API server restarted (same etcd, certs, port) between churn bursts — watchPods resumes or relists: 0 lost outside relists, 0 doubled, 0 phantom", { skip: !installed && SKIP, timeout: 600_000 }, async () => {
  const w = new PodWriter(tb.kubeconfig, "restart");
  const start = await w.list();
  const ref = etcdReferenceWatch(tb.etcdUrl, "default", "restart-", start.resourceVersion);
  await ref.ready;
  const { stream, states, statuses, events, state, stop } = mirrorWatch(tb.kubeconfig, "restart", 19, { initialMs: 100, maxMs: 1000 });
  await untilTrue("watching", () => stream.state === "watching");
  await w.churn(8, 0, 10);
  const restart = await restartApiServer();
  const stateAfterRestart = stream.state;
  await w.churn(8, 10, 20);
  const { items } = await w.list();
  await untilTrue("the watcher's state to equal the server's list", () => sameState(state, items), 60_000);
  await untilTrue("the reference to catch up", () => account(events, ref.events).phantom.length === 0, 30_000).catch(() => {});
  await stop();
  await ref.stop();
  assert.equal(ref.state.ended, false, `the etcd reference must not have ended (${ref.state.error})`);
  const a = accountWithRelists(events, ref.events, statuses);
  console.log(`restart: kube-apiserver pid ${restart.pids[0]} → ${restart.pids[1]}, down ${(restart.downMs / 1000).toFixed(1)} s; ${a.reference} etcd events, ${a.emitted} emitted `
    + `(${stream.stats.synthesized} synthesized), coalesced by relists ${a.lost.length}, unexplained ${a.unexplained.length}, doubled ${a.doubled.length}, phantom ${a.phantom.length}, missed deletions ${a.missedDeletions.length}; `
    + `retries ${stream.stats.retries}, resumes ${stream.stats.resumes}, relists ${stream.stats.relists}, regressions ${stream.stats.regressions}; states ${states.join(" → ")}`);
  assert.notEqual(restart.pids[0], restart.pids[1]);
  assert.notEqual(stateAfterRestart, "failed");
  assert.ok(a.reference > 100, `the churn must have produced events (${a.reference})`);
  assert.ok(stream.stats.retries >= 1, "the restart must have broken the watch");
  assert.deepEqual(a.unexplained, [], "every server event is delivered or inside a relist window");
  assert.deepEqual(a.doubled, []);
  assert.deepEqual(a.phantom, []);
  assert.deepEqual(a.missedDeletions, []);
  assert.equal(stream.stats.regressions, 0, "the same etcd behind it: versions never go backwards");
});
