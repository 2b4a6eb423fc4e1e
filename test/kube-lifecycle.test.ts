import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject, WatchEvent } from "../sdk/kube/types.js";
import { podLifecycles } from "../sdk/kube/lifecycle.js";
import { cl2PodStartupLatency, cl2Transitions, kubeBurnerPodLatency } from "../sdk/kube/latency.js";
import { parseKubeTime } from "../sdk/kube/time.js";

const T0 = Date.parse("2026-11-23T09:00:00Z");
const iso = (s: number) => new Date(T0 + s * 1000).toISOString().replace(".000Z", "Z");

function ev(seq: number, type: WatchEvent["type"], object: KubeObject, monoMs: number, origin: WatchEvent["origin"] = "watch", resource = "pods"): WatchEvent {
  return { seq, type, resource, origin, receivedWallMs: T0 + monoMs, receivedMonoMs: monoMs, object: JSON.parse(JSON.stringify(object)) };
}

/** A pod created at 0 s, scheduled at 1 s, started at 3 s, ready at 7 s (server seconds), dual label at 7.4 s. */
function podEvents(name: string, offsetS = 0, readyS = 7): WatchEvent[] {
  const o = offsetS;
  const meta = { name, namespace: "ns", uid: `uid-${name}`, creationTimestamp: iso(o), labels: {} as Record<string, string> };
  const out: WatchEvent[] = [];
  let rv = 10;
  const push = (type: WatchEvent["type"], spec: object, status: object, mono: number, extra: object = {}) =>
    out.push(ev(out.length, type, { metadata: { ...meta, resourceVersion: String(rv++), ...extra }, spec, status }, mono));
  push("ADDED", { containers: [{ name: "c" }] }, { phase: "Pending" }, o * 1000 + 40);
  const sched = [{ type: "PodScheduled", status: "True", lastTransitionTime: iso(o + 1) }];
  push("MODIFIED", { nodeName: "n1", containers: [{ name: "c" }] }, { phase: "Pending", conditions: sched }, o * 1000 + 1200);
  const started = { phase: "Running", conditions: [...sched, { type: "Initialized", status: "True", lastTransitionTime: iso(o + 1) }, { type: "PodReadyToStartContainers", status: "True", lastTransitionTime: iso(o + 2) }], containerStatuses: [{ name: "c", state: { running: { startedAt: iso(o + 3) } } }] };
  push("MODIFIED", { nodeName: "n1", containers: [{ name: "c" }] }, started, o * 1000 + 3300);
  const ready = { ...started, conditions: [...started.conditions, { type: "ContainersReady", status: "True", lastTransitionTime: iso(o + readyS) }, { type: "Ready", status: "True", lastTransitionTime: iso(o + readyS) }] };
  push("MODIFIED", { nodeName: "n1", containers: [{ name: "c" }] }, ready, o * 1000 + readyS * 1000 + 250);
  meta.labels = { "dual-pods.llm-d.ai/dual": "launcher-x" };
  push("MODIFIED", { nodeName: "n1", containers: [{ name: "c" }] }, ready, o * 1000 + readyS * 1000 + 400);
  push("DELETED", { nodeName: "n1", containers: [{ name: "c" }] }, ready, o * 1000 + 60_000, { deletionTimestamp: iso(o + 59) });
  return out;
}

test("time: RFC 3339 with µs/ns fractions keeps sub-ms precision; 1-s timestamps are whole seconds", () => {
  assert.equal(parseKubeTime("2026-11-23T09:00:01Z"), T0 + 1000);
  assert.equal(parseKubeTime("2026-11-23T09:00:01.123456Z"), T0 + 1123.456);
  assert.equal(parseKubeTime("2026-11-23T09:00:01.123456789Z"), T0 + 1123.457);
  assert.equal(parseKubeTime("2026-11-23T10:00:01+01:00"), T0 + 1000);
  assert.equal(parseKubeTime("not a time"), null);
});

test("podLifecycle: every phase with server, event and receive times; label history; Event µs times", () => {
  const events = podEvents("p");
  // The scheduler's Event with a µs eventTime, and the kubelet's Started.
  events.push(ev(events.length, "ADDED", { kind: "Event", metadata: { name: "e1", namespace: "ns" }, reason: "Scheduled", eventTime: "2026-11-23T09:00:00.734512Z", involvedObject: { kind: "Pod", uid: "uid-p" } } as KubeObject, 900, "watch", "events"));
  events.push(ev(events.length, "ADDED", { kind: "Event", metadata: { name: "e2", namespace: "ns" }, reason: "Started", firstTimestamp: iso(3), involvedObject: { kind: "Pod", uid: "uid-p", fieldPath: "spec.containers{c}" } } as KubeObject, 3400, "watch", "events"));
  const [p] = podLifecycles(events);
  assert.ok(p);
  assert.equal(p.createdWhileWatching, true);
  assert.deepEqual([p.phases.created.server, p.phases.created.receivedMono], [T0, 40]);
  assert.deepEqual([p.phases.scheduled.server, p.phases.scheduled.event, p.phases.scheduled.receivedMono], [T0 + 1000, T0 + 734.512, 1200]);
  assert.equal(p.phases.initialized.server, T0 + 1000);
  assert.equal(p.phases.readyToStartContainers.server, T0 + 2000);
  assert.deepEqual([p.phases.containersStarted.server, p.phases.containersStarted.event, p.phases.running.receivedMono], [T0 + 3000, T0 + 3000, 3300]);
  assert.deepEqual([p.phases.ready.server, p.phases.ready.receivedMono, p.phases.containersReady.server], [T0 + 7000, 7250, T0 + 7000]);
  assert.deepEqual([p.phases.dualLabel.server, p.phases.dualLabel.receivedMono], [null, 7400]);
  assert.deepEqual([p.phases.deleting.server, p.phases.deleted.receivedMono], [T0 + 59_000, 60_000]);
  assert.deepEqual(p.changes.map((c) => [c.key, c.value, c.seq]), [["dual-pods.llm-d.ai/dual", "launcher-x", 4]]);
  assert.equal(p.nodeName, "n1");
});

test("latencies: kube-burner names and percentile method, clusterloader2 transitions with nearest-rank", () => {
  // Ten pods, Ready after 5..14 s.
  const events: WatchEvent[] = [];
  for (let i = 0; i < 10; i++) for (const e of podEvents(`p${i}`, i * 100, 5 + i)) events.push({ ...e, seq: events.length });
  const lc = podLifecycles(events);
  const kb = kubeBurnerPodLatency(lc);
  assert.equal(kb.pods.length, 10);
  assert.equal(kb.pods[0]!.podReadyLatency, 5000);
  assert.equal(kb.pods[0]!.schedulingLatency, 1000);
  const ready = kb.quantiles.find((q) => q.quantileName === "Ready")!;
  // montanaflynn v0.7.1 on 5000..14000 (n = 10): P50 → index 5 whole → c[4] = 9000; P95 → 9.5 → mean(c[8], c[9]) = 13500; P99 → 9.9 → 13500.
  assert.deepEqual([ready.P50, ready.P95, ready.P99, ready.min, ready.max, ready.avg], [9000, 13500, 13500, 5000, 14000, 9500]);
  assert.deepEqual(kb.quantiles.map((q) => q.quantileName), ["PodScheduled", "PodReadyToStartContainers", "Initialized", "ContainersStarted", "ContainersReady", "Ready"]);
  const t = cl2Transitions(lc[0]!, "watch");
  assert.deepEqual(t, { create_to_schedule: 1160, schedule_to_run: 2100, run_to_watch: 0, schedule_to_watch: 2100, pod_startup: 3260, create_to_run: 3260 });
  const ts = cl2Transitions(lc[0]!, "server");
  assert.equal(ts.create_to_schedule, 1000);
  assert.equal(ts.schedule_to_run, 2000);
  const perf = cl2PodStartupLatency(lc);
  const ps = perf.dataItems.find((d) => d.labels.Metric === "pod_startup")!;
  assert.deepEqual(ps.data, { Perc50: 3260, Perc90: 3260, Perc99: 3260 });
  assert.equal(ps.unit, "ms");
  // A pod first seen in a list has no watch creation time: left out of the watch-source transitions.
  const listed = podEvents("late").map((e, i) => (i === 0 ? { ...e, origin: "list" as const } : e));
  assert.equal(cl2Transitions(podLifecycles(listed)[0]!, "watch").pod_startup, undefined);
  // Pods never Ready are ignored by kube-burner.
  const notReady = podEvents("nr").slice(0, 3);
  assert.equal(kubeBurnerPodLatency(podLifecycles(notReady)).ignored, 1);
});
