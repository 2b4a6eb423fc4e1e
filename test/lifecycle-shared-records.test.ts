// LifecycleReducer shares one PhaseTime record between the phases (and containers) an event shows with the same
// server time; a later write to one of them (a late server time, a Kubernetes Event time) must not reach the others.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject, WatchEvent } from "../sdk/kube/types.js";
import { LifecycleReducer } from "../sdk/kube/lifecycle.js";

const T0 = Date.parse("2026-11-23T09:00:00Z");
const iso = (s: number) => new Date(T0 + s * 1000).toISOString().replace(".000Z", "Z");
let seq = 0;
const ev = (type: WatchEvent["type"], object: KubeObject, monoMs: number, resource = "pods"): WatchEvent =>
  ({ seq: seq++, type, resource, origin: "watch", receivedWallMs: T0 + monoMs, receivedMonoMs: monoMs, object: JSON.parse(JSON.stringify(object)) });
const kubeEvent = (reason: string, uid: string, at: string, fieldPath?: string): WatchEvent =>
  ev("ADDED", { metadata: { name: `e-${seq}`, namespace: "ns" }, reason, eventTime: at, involvedObject: { kind: "Pod", uid, fieldPath } } as unknown as KubeObject, 0, "events");

test("running, containersStarted and the container share a record until an Event time is written to one of them", () => {
  const r = new LifecycleReducer();
  const meta = { name: "p", namespace: "ns", uid: "u1", creationTimestamp: iso(0), resourceVersion: "5" };
  r.add(ev("ADDED", { metadata: meta, spec: { containers: [{ name: "c" }] }, status: { phase: "Pending" } }, 100));
  const running = { phase: "Running", containerStatuses: [{ name: "c", state: { running: { startedAt: iso(3) } } }] };
  r.add(ev("MODIFIED", { metadata: { ...meta, resourceVersion: "6" }, spec: { nodeName: "n", containers: [{ name: "c" }] }, status: running }, 3300));
  let p = r.get("u1")!;
  assert.equal(p.phases.running, p.phases.containersStarted, "one record for the two phases of one event");
  assert.equal(p.phases.running, p.containers.c);
  const before = JSON.stringify(r.lifecycles());
  r.add(kubeEvent("Started", "u1", "2026-11-23T09:00:03.250000Z", "spec.containers{c}"));
  r.add(kubeEvent("Scheduled", "u1", "2026-11-23T09:00:01.500000Z"));
  p = r.lifecycles()[0]!;
  assert.equal(p.containers.c!.event, T0 + 3250);
  assert.equal(p.phases.containersStarted.event, T0 + 3250);
  assert.equal(p.phases.running.event, null, "the Event time of the container start is not the running phase's");
  assert.equal(p.phases.scheduled.event, T0 + 1500);
  assert.equal(p.phases.running.server, T0 + 3000);
  assert.equal(p.phases.containersStarted.server, T0 + 3000);
  // Reading again changes nothing; the JSON differs from before only in the three Event times.
  assert.equal(JSON.stringify(r.lifecycles()), JSON.stringify([p]));
  const was = JSON.parse(before)[0];
  was.containers.c.event = T0 + 3250;
  was.phases.containersStarted.event = T0 + 3250;
  was.phases.scheduled.event = T0 + 1500;
  assert.deepEqual(JSON.parse(JSON.stringify(p)), was);
});

test("a phase seen without a server time and shared with another gets its late server time alone", () => {
  const r = new LifecycleReducer();
  const meta = { name: "q", namespace: "ns", uid: "u2", creationTimestamp: iso(0), resourceVersion: "7", labels: { "dual-pods.llm-d.ai/dual": "launcher-1" } };
  // The node and the dual label in one event, before the PodScheduled condition: scheduled and dualLabel both have server null.
  r.add(ev("ADDED", { metadata: meta, spec: { nodeName: "n" }, status: { phase: "Pending" } }, 100));
  let p = r.get("u2")!;
  assert.equal(p.phases.scheduled, p.phases.dualLabel);
  r.add(ev("MODIFIED", { metadata: { ...meta, resourceVersion: "8" }, spec: { nodeName: "n" }, status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: iso(1) }] } }, 1200));
  p = r.get("u2")!;
  assert.equal(p.phases.scheduled.server, T0 + 1000);
  assert.equal(p.phases.dualLabel.server, null);
  assert.equal(p.phases.scheduled.receivedWall, T0 + 100, "still the event that first showed it");
  assert.equal(p.phases.dualLabel.receivedWall, T0 + 100);
  assert.equal(p.phases.created.server, T0);
  assert.notEqual(p.phases.created, p.phases.scheduled, "a different server time is a different record");
});
