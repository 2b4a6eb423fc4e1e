import { test } from "node:test";
import assert from "node:assert/strict";
import { ClusterModel } from "../sdk/cluster/model.js";
import { rng } from "../sdk/core/rng.js";

const NS = "default";

/** key="value" pairs of a klog line. */
function kv(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S+)/g)) out[m[1]!] = m[2]!.startsWith('"') ? JSON.parse(m[2]!) as string : m[2]!;
  return out;
}

test("evidence: over 1,000+ mixed actuations the DPC log, labels, vLLM logs and /metrics agree with ground truth", { timeout: 120_000 }, () => {
  const m = new ClusterModel({ seed: 21, nodes: 3, gpusPerNode: 4, launchersPerNode: 1, placement: "random" });
  m.apiCreate("deployments", NS, m.requesterDeployment("req"));
  m.apiCreate("deployments", NS, m.requesterDeployment("direct", { serverPatch: "spec: {}" }));
  m.runFor(120_000);
  const r = rng(8);
  while (m.actuations().length < 1_050) {
    m.scale("deployments", NS, "req", r.int(9));
    m.scale("deployments", NS, "direct", r.int(3));
    m.runFor(r.pick([5_000, 60_000, 300_000])); // some scale-downs overtake actuations
  }
  m.scale("deployments", NS, "req", 0);
  m.scale("deployments", NS, "direct", 0);
  m.runFor(600_000);
  const truth = m.actuations();
  const paths = new Set(truth.map((t) => `${t.mode}/${t.path}`));
  for (const p of ["launcher/hot", "launcher/warm", "launcher/cold_launcher", "direct/cold", "direct/hot"]) assert.ok(paths.has(p), `scenario mix covers ${p}`);
  assert.ok(truth.some((t) => t.instancesDeleted > 0), "some reclaim");
  assert.ok(truth.some((t) => t.outcome === "aborted"), "some aborted");

  // DPC log grouped by serverUID (the requester's UID): over a long run pod names can repeat, as in
  // Kubernetes, so grouping by requesterName alone (llm-d-benchmark's way) can merge two requesters.
  const byReq = new Map<string, Record<string, string>[]>();
  for (const l of m.podLog(NS, m.dpcPodName)!) {
    if (!l.text.includes('"HTTP call done"') && !/"Created (launcher-based )?server-providing pod"/.test(l.text)) continue;
    const f = kv(l.text);
    f.msg = l.text.includes('"HTTP call done"') ? "http" : l.text.includes("launcher-based") ? "created-launcher" : "created-direct";
    const list = byReq.get(f.serverUID!) ?? [];
    list.push(f);
    byReq.set(f.serverUID!, list);
  }
  const iso = (v: number) => new Date(m.toEpochMs(v)).toISOString().replace(/\.000Z$/, "Z").replace(/(\.\d*?)0+Z$/, "$1Z");
  let checked = 0;
  for (const t of truth) {
    const lines = byReq.get(t.requester.uid) ?? [];
    const has = (purpose: string) => lines.filter((l) => l.msg === "http" && l.purpose === purpose);
    const created = lines.filter((l) => l.msg.startsWith("created"));
    // Each requester actuates at most once, so its lines are its actuation's evidence.
    if (t.path === "cold_launcher") {
      assert.equal(created.length, 1);
      assert.equal(created[0]!.msg, "created-launcher");
      assert.equal(created[0]!.k8sCallStartTime, iso(t.launcherCreateStart!));
    } else if (t.mode === "direct" && t.path === "cold") assert.equal(created[0]?.msg, "created-direct");
    else assert.equal(created.length, 0, `${t.path} has no create line`);
    if (t.path === "hot") {
      if (t.wakeEnd !== undefined) assert.equal(has("wake")[0]!.httpCallStartTime, iso(t.wakeStart!));
      assert.equal(has("create_instance").length, 0);
    }
    if ((t.path === "warm" || t.path === "cold_launcher") && t.instanceCreateStart !== undefined) {
      assert.equal(has("create_instance")[0]!.httpCallStartTime, iso(t.instanceCreateStart));
      assert.equal(has("wake").length, 0);
    }
    // A scale-down can overtake an actuation before its relay (no relay line) or between the relay
    // and the probe tick (relayed, never Ready): the log shows exactly the relays that happened.
    if (t.relayEnd !== undefined) {
      assert.equal(has("relay_ready").length, 1);
      assert.equal(has("relay_ready")[0]!.httpCallStartTime, iso(t.relayStart!));
      assert.ok(t.relayEnd >= t.relayStart!);
    } else assert.equal(has("relay_ready").length, 0);
    if (t.outcome === "ready") assert.ok(t.requesterReady! >= t.relayEnd!);
    else assert.equal(t.requesterReady, undefined);
    assert.equal(has("delete_instance").length, t.instancesDeleted + t.sleepersEvicted);
    checked++;
  }
  assert.equal(checked, truth.length);
  assert.ok(truth.length >= 1_000);

  // fma_actuation_seconds counts by path equal the truth's relayed actuations.
  const metrics = m.metricsText();
  for (const p of ["hot", "warm", "cold"]) {
    const want = truth.filter((t) => t.relayEnd !== undefined && (t.path === "cold_launcher" ? "cold" : t.path) === p).length;
    const got = [...metrics.matchAll(new RegExp(`fma_actuation_seconds_count\\{[^}]*path="${p}"[^}]*\\} (\\d+)`, "g"))].reduce((s, x) => s + Number(x[1]), 0);
    assert.equal(got, want, p);
  }
  // vLLM wake lines: one per woken launcher-mode actuation, in the launcher's log, naming the instance.
  for (const t of truth.filter((x) => x.mode === "launcher" && x.path === "hot" && x.wakeEnd !== undefined).slice(0, 200)) {
    const log = m.podLog(NS, t.launcher!)!;
    const line = log.find((l) => l.t === t.wakeEnd && l.text.includes("seconds to wake up") && l.text.includes(t.instanceId));
    assert.ok(line, `wake line for ${t.requester.name}`);
    assert.match(line.text, new RegExp(`It took ${((t.wakeEnd! - t.wakeStart!) / 1000).toFixed(6)} seconds to wake up`));
  }
});
