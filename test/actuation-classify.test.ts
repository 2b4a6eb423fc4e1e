import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { InputError } from "../sdk/core/errors.js";
import type { KubeObject, WatchEvent } from "../sdk/kube/types.js";
import { podLifecycles } from "../sdk/kube/lifecycle.js";
import { actuationCounts, countsDelta, parseActuationMetric, parseDpcLog, parseKlog, parseVllmLog } from "../sdk/actuation/evidence.js";
import { classifyActuations } from "../sdk/actuation/classify.js";
import { hitRates, summarizeActuations } from "../sdk/actuation/summary.js";
import { actuationRows, toBenchmarkReport, toNopResult, toYamlText } from "../sdk/actuation/nop-result.js";
import { dualPodsSummary } from "../sdk/actuation/dual-pods-summary.js";

const T0 = Date.parse("2026-11-23T09:00:00Z");
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
const rfcMs = (ms: number) => new Date(ms).toISOString();

/** A small event builder: objects change over (virtual) time; each change is one watch event. */
class Scene {
  events: WatchEvent[] = [];
  private rv = 100;
  private objs = new Map<string, KubeObject>();
  emit(type: "ADDED" | "MODIFIED" | "DELETED", obj: KubeObject, origin: WatchEvent["origin"] = "watch", at = 0) {
    obj.metadata!.resourceVersion = String(++this.rv);
    const copy = JSON.parse(JSON.stringify(obj)) as KubeObject;
    this.objs.set(obj.metadata!.name!, copy);
    this.events.push({ seq: this.events.length, type, resource: "pods", origin, receivedWallMs: T0 + at + 5, receivedMonoMs: at + 5, object: copy });
  }
  requester(name: string, createdMs: number, opts: { isc?: boolean; origin?: WatchEvent["origin"] } = {}): KubeObject {
    const p: KubeObject = { metadata: { name, namespace: "ns", uid: `uid-${name}`, creationTimestamp: iso(createdMs), labels: { app: "req" }, annotations: opts.isc === false ? { "dual-pods.llm-d.ai/server-patch": "spec: {}" } : { "dual-pods.llm-d.ai/inference-server-config": "default" } }, spec: { containers: [{ name: "inference-server" }] }, status: { phase: "Pending" } };
    this.emit("ADDED", p, opts.origin ?? "watch", createdMs - T0);
    return p;
  }
  launcher(name: string, createdMs: number, boundTo?: KubeObject, origin: WatchEvent["origin"] = "watch", generateName = "launcher-default-"): KubeObject {
    const labels: Record<string, string> = { "app.kubernetes.io/component": "launcher", "dual-pods.llm-d.ai/sleeping": "true" };
    const annotations: Record<string, string> = { "dual-pods.llm-d.ai/launcher-based": "true" };
    if (boundTo) { labels["dual-pods.llm-d.ai/dual"] = boundTo.metadata!.name!; annotations["dual-pods.llm-d.ai/requester"] = `${boundTo.metadata!.uid} ${boundTo.metadata!.name}`; }
    const p: KubeObject = { metadata: { name, generateName, namespace: "ns", uid: `uid-${name}`, creationTimestamp: iso(createdMs), labels, annotations }, spec: { nodeName: "node-0" }, status: { phase: "Running" } };
    this.emit("ADDED", p, origin, createdMs - T0);
    return p;
  }
  start(p: KubeObject, atMs: number) {
    p.spec = { ...(p.spec as object), nodeName: "node-0" };
    p.status = { phase: "Running", conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: iso(atMs - 500) }], containerStatuses: [{ name: "inference-server", state: { running: { startedAt: iso(atMs) } } }] };
    this.emit("MODIFIED", p, "watch", atMs - T0);
  }
  bind(req: KubeObject, prov: KubeObject, atMs: number, instance = "Iabci") {
    req.metadata!.labels = { ...req.metadata!.labels, "dual-pods.llm-d.ai/dual": prov.metadata!.name!, "dual-pods.llm-d.ai/instance": instance };
    req.metadata!.annotations = { ...req.metadata!.annotations, "dual-pods.llm-d.ai/accelerators": "GPU-1" };
    this.emit("MODIFIED", req, "watch", atMs - T0);
    prov.metadata!.labels = { ...prov.metadata!.labels, "dual-pods.llm-d.ai/dual": req.metadata!.name! };
    prov.metadata!.annotations = { ...prov.metadata!.annotations, "dual-pods.llm-d.ai/requester": `${req.metadata!.uid} ${req.metadata!.name}` };
    this.emit("MODIFIED", prov, "watch", atMs - T0);
  }
  ready(p: KubeObject, atMs: number) {
    const st = p.status as { conditions: { type: string; status: string; lastTransitionTime: string }[] };
    st.conditions = [...st.conditions, { type: "ContainersReady", status: "True", lastTransitionTime: iso(atMs) }, { type: "Ready", status: "True", lastTransitionTime: iso(atMs) }];
    this.emit("MODIFIED", p, "watch", atMs - T0);
  }
}

const klog = (atMs: number, msg: string, kv: Record<string, string | number>) =>
  `I1123 ${new Date(atMs).toISOString().slice(11, 23)}000       1 http.go:87] "${msg}" ${Object.entries(kv).map(([k, v]) => `${k}=${typeof v === "number" ? v : `"${v}"`}`).join(" ")}`;
const httpDone = (req: string, purpose: string, startMs: number, status = 200, url = "http://10.0.0.1:8000/x") =>
  klog(startMs + 5, "HTTP call done", { logger: "dual-pods-controller", requesterName: req, serverUID: `uid-${req}`, purpose, method: "POST", url, httpCallStartTime: rfcMs(startMs), latencySecs: 0.005, statusCode: status }) + " err=null";
const vllm = (atMs: number, text: string, instance = "Iabci") => `INFO ${new Date(atMs).toISOString().slice(5, 10)} ${new Date(atMs).toISOString().slice(11, 23)} [instance=${instance}] [gpu_worker.py:130] ${text}`;

test("evidence: klog lines, DPC records keyed by requester UID, first successful calls", () => {
  const k = parseKlog('I1123 09:07:43.512000       1 http.go:87] "HTTP call done" requesterName="req-a" purpose="wake" err="dial \\"x\\" refused" latencySecs=0.5');
  assert.deepEqual(k, { msg: "HTTP call done", kv: { requesterName: "req-a", purpose: "wake", err: 'dial "x" refused', latencySecs: "0.5" } });
  const lines = [
    "some unrelated startup line",
    httpDone("req-a", "query_sleeping", T0 + 1000, 0).replace("err=null", 'err="connection refused"'),
    httpDone("req-a", "wake", T0 + 2000).replace("09:00:02.000Z", "09:00:02.000500001Z"),
    httpDone("req-a", "relay_ready", T0 + 2600),
    httpDone("req-a", "relay_ready", T0 + 9000),
    klog(T0 + 500, "Created launcher-based server-providing pod", { requesterName: "req-b", serverUID: "uid-req-b", pod: "launcher-x", k8sCallStartTime: "2026-11-23T09:00:00.49Z" }),
    httpDone("req-b", "delete_instance", T0 + 700),
  ];
  const ev = parseDpcLog(lines, "dpc.log");
  const a = ev.byUid.get("uid-req-a")!;
  assert.equal(a.wakeStart, T0 + 2000.5);
  assert.equal(a.relayReadyStart, T0 + 2600); // the first relay, not the last line
  assert.equal(a.calls.length, 4);
  assert.equal(a.calls[0]!.ok, false);
  const b = ev.byName.get("req-b")!;
  assert.equal(b.launcherCreateStart, T0 + 490);
  assert.equal(b.launcherPod, "launcher-x");
  // req-b got a new launcher: its deletion freed nothing for it (a sleeper-budget deletion), so no reclaim.
  assert.equal(b.instancesDeleted, 0);
  assert.equal(b.calls[0]!.url, "http://10.0.0.1:8000/x");
  // A relevant line that cannot be read names the file and line.
  assert.throws(() => parseDpcLog(["ok", 'I1123 09:00:00.000000 1 x.go:1] "HTTP call done" requesterName="r" purpose="wake" httpCallStartTime="yesterday"'], "dpc.log"),
    (err: Error) => err instanceof InputError && err.message.startsWith("dpc.log:2") && /httpCallStartTime/.test(err.message));
  assert.throws(() => parseDpcLog(['"HTTP call done" without klog header'], "d.log"), (err: Error) => err instanceof InputError && err.message.startsWith("d.log:1"));
});

test("evidence: instancesDeleted counts reclaim victims (on the launcher the instance is created on), not sleeper-budget deletions", () => {
  const launcherApi = (ip: string, id: string) => `http://${ip}:8001/v2/vllm/instances/${id}`;
  const lines = [
    // warm with reclaim: one victim on the bound launcher (10.0.0.2), one budget eviction on another launcher.
    httpDone("w", "delete_instance", T0 + 100, 200, launcherApi("10.0.0.2", "Ia")),
    httpDone("w", "delete_instance", T0 + 200, 200, launcherApi("10.0.0.3", "Ib")),
    httpDone("w", "create_instance", T0 + 300, 201, launcherApi("10.0.0.2", "Iw")),
    // warm without reclaim: only a budget eviction elsewhere (the new_variant case with 3 launchers).
    httpDone("v", "delete_instance", T0 + 1100, 200, launcherApi("10.0.0.4", "Ic")),
    httpDone("v", "create_instance", T0 + 1300, 201, launcherApi("10.0.0.5", "Iv")),
    // cold_launcher: a budget eviction before the new launcher; hot: a wake.
    httpDone("c", "delete_instance", T0 + 2100, 200, launcherApi("10.0.0.5", "Iv")),
    klog(T0 + 2200, "Created launcher-based server-providing pod", { requesterName: "c", serverUID: "uid-c", pod: "launcher-c", k8sCallStartTime: rfcMs(T0 + 2190) }),
    httpDone("c", "create_instance", T0 + 9000, 201, launcherApi("10.0.0.6", "Ic2")),
    // No create seen (gone before it): the bound launcher is unknown, all deletions are counted (an upper bound).
    httpDone("a", "delete_instance", T0 + 3100, 200, launcherApi("10.0.0.2", "Id")),
    httpDone("a", "delete_instance", T0 + 3200, 200, launcherApi("10.0.0.3", "Ie")),
    // A failed deletion deleted nothing.
    httpDone("f", "delete_instance", T0 + 4100, 500, launcherApi("10.0.0.2", "If")),
    httpDone("f", "create_instance", T0 + 4300, 201, launcherApi("10.0.0.2", "Ig")),
  ];
  const ev = parseDpcLog(lines, "dpc.log");
  const del = (name: string) => ev.byName.get(name)!.instancesDeleted;
  assert.deepEqual(["w", "v", "c", "a", "f"].map(del), [1, 0, 0, 2, 0]);
  // The classifier reports it per actuation.
  const s = new Scene();
  const l = s.launcher("launcher-pop", T0 - 60_000);
  const r = s.requester("v", T0 + 500);
  s.start(r, T0 + 900);
  s.bind(r, l, T0 + 1000);
  const acts = classifyActuations({ pods: podLifecycles(s.events), dpc: ev });
  assert.deepEqual(acts.map((a) => [a.requester, a.path, a.instances_deleted]), [["v", "warm", 0]]);
  assert.doesNotMatch(acts[0]!.reason, /deleting/);
});

test("evidence: vLLM and launcher lines with sub-second times; fma_actuation_seconds counts and deltas", () => {
  const ev = parseVllmLog([
    "2026-11-23 09:00:21,848 - launcher - INFO - Accepted request to create vLLM instance with id=Iabci",
    vllm(T0 + 21_849, "non-default args: {'model': 'm'}"),
    vllm(T0 + 80_627, "Model loading took 14.99 GB and 23.94 seconds"),
    vllm(T0 + 600_000, "It took 0.549000 seconds to fall asleep."),
    vllm(T0 + 1_203_988, "It took 0.607000 seconds to wake up tags ['weights', 'kv_cache']."),
    "INFO something else",
  ], { source: "launcher.log", year: 2026 });
  assert.deepEqual(ev.map((e) => [e.type, e.t - T0, e.instanceId, e.seconds]), [
    ["create_accepted", 21_848, "Iabci", null], ["start", 21_849, "Iabci", null], ["load", 80_627, "Iabci", 23.94], ["sleep", 600_000, "Iabci", 0.549], ["wake", 1_203_988, "Iabci", 0.607],
  ]);
  assert.throws(() => parseVllmLog(["It took 1 seconds to wake up"], { source: "v.log", year: 2026 }), (err: Error) => err instanceof InputError && err.message.startsWith("v.log:1"));
  const page = (hot: number, cold: number) => [
    "# TYPE fma_actuation_seconds histogram",
    `fma_actuation_seconds_bucket{exported_namespace="ns",path="hot",instancesDeleted="0",isc_name="default",le="1"} ${hot}`,
    `fma_actuation_seconds_count{exported_namespace="ns",path="hot",instancesDeleted="0",isc_name="default"} ${hot}`,
    `fma_actuation_seconds_sum{exported_namespace="ns",path="hot",instancesDeleted="0",isc_name="default"} ${hot * 0.9}`,
    `fma_actuation_seconds_count{exported_namespace="ns",path="cold",instancesDeleted="0",isc_name="default"} ${cold}`,
    `fma_actuation_seconds_count{exported_namespace="ns",path="cold",instancesDeleted="0",isc_name=""} 2`,
  ].join("\n");
  const before = actuationCounts(parseActuationMetric(page(1, 1)), "ns");
  const after = actuationCounts(parseActuationMetric(page(3, 1)), "ns");
  assert.deepEqual(before, { hot: 1, warm: 0, cold_launcher: 1, cold: 2 });
  assert.deepEqual(countsDelta(before, after), { hot: 2, warm: 0, cold_launcher: 0, cold: 0 });
  assert.throws(() => parseActuationMetric('fma_actuation_seconds_count{path="hot" 1', "m.txt"), (err: Error) => err instanceof InputError && err.message.startsWith("m.txt:1"));
});

/** A launcher-mode actuation, optionally with a 1-s tie; returns the scene and the DPC/vLLM lines. */
function cycle(s: Scene, name: string, t: number, kind: "cold_launcher" | "warm" | "hot", launcher: KubeObject | null, opts: { tieMs?: number } = {}) {
  const req = s.requester(name, t);
  const dpc: string[] = [];
  const log: string[] = [];
  let l = launcher;
  if (kind === "cold_launcher") {
    s.start(req, t + 1300);
    l = s.launcher(`launcher-${name}`, t + 1600, req);
    dpc.push(klog(t + 1612, "Created launcher-based server-providing pod", { requesterName: name, serverUID: `uid-${name}`, pod: l.metadata!.name!, k8sCallStartTime: rfcMs(t + 1590) }));
    dpc.push(httpDone(name, "create_instance", t + 26_000));
    log.push(vllm(t + 26_001, "non-default args: {}"));
    dpc.push(httpDone(name, "relay_ready", t + 80_000));
    s.ready(req, t + 81_300);
  } else if (kind === "warm") {
    if (opts.tieMs !== undefined) l = s.launcher(`launcher-pop-${name}`, t + opts.tieMs); // populator, same second
    s.start(req, t + 1300);
    s.bind(req, l!, t + 1500);
    dpc.push(httpDone(name, "create_instance", t + 1520));
    log.push(vllm(t + 1521, "non-default args: {}"));
    dpc.push(httpDone(name, "relay_ready", t + 55_000));
    s.ready(req, t + 56_300);
  } else {
    s.start(req, t + 1300);
    s.bind(req, l!, t + 1500);
    dpc.push(httpDone(name, "wake", t + 1510));
    log.push(vllm(t + 2100, "It took 0.590000 seconds to wake up tags ['weights', 'kv_cache']."));
    dpc.push(httpDone(name, "relay_ready", t + 2100));
    s.ready(req, t + 6300);
  }
  return { req, launcher: l!, dpc, log };
}

test("classification: DPC evidence gives the path and tight timings; Kubernetes bounds are never below them", () => {
  const s = new Scene();
  const a = cycle(s, "r1", T0 + 10_000, "cold_launcher", null);
  const b = cycle(s, "r2", T0 + 300_000, "hot", a.launcher);
  const acts = classifyActuations({ pods: podLifecycles(s.events), dpc: parseDpcLog([...a.dpc, ...b.dpc]) });
  assert.deepEqual(acts.map((x) => [x.requester, x.path, x.classified_by, x.timing_source]), [["r1", "cold_launcher", "dpc", "dpc"], ["r2", "hot", "dpc", "dpc"]]);
  assert.equal(acts[0]!.t_cold_launcher, (80_000 - 1590) / 1000);
  assert.equal(acts[0]!.t_instance_create, (80_000 - 26_000) / 1000);
  assert.equal(acts[1]!.t_wake, (2100 - 1510) / 1000);
  assert.ok(acts[1]!.t_wake_upper! >= acts[1]!.t_wake!);
  assert.ok(acts[0]!.t_cold_launcher_upper! >= acts[0]!.t_cold_launcher!);
  assert.equal(acts[1]!.upper_source, "kube_container_start");
  // T_actuation from Kubernetes seconds: Ready (6 s) − container start (1 s).
  assert.equal(acts[1]!.T_actuation, 5);
});

test("classification: hot needs wake evidence for THIS actuation — a launcher's earlier wake/sleep does not make a new instance hot", () => {
  const s = new Scene();
  const a = cycle(s, "r1", T0 + 10_000, "cold_launcher", null);
  const b = cycle(s, "r2", T0 + 300_000, "hot", a.launcher); // the launcher's log now ends wake … (then sleep)
  const sleepLine = vllm(T0 + 400_000, "It took 0.5 seconds to fall asleep.");
  // r3 gets the same launcher but another GPU set: a new instance (the nop harness's "log ends wake, sleep" rule would say hot).
  const c = cycle(s, "r3", T0 + 700_000, "warm", a.launcher);
  const vllmLog = new Map([[a.launcher.metadata!.name!, parseVllmLog([...a.log, ...b.log, sleepLine, ...c.log], { year: 2026 })]]);
  const acts = classifyActuations({ pods: podLifecycles(s.events), vllm: vllmLog });
  assert.deepEqual(acts.map((x) => [x.path, x.classified_by]), [["cold_launcher", "kube_created_bound"], ["hot", "vllm_log"], ["warm", "kube_created_bound"]]);
  assert.equal(acts[1]!.vllm_wake_seconds, 0.59);
  assert.equal(acts[1]!.timing_source, "kube_container_start"); // no DPC: the Kubernetes upper bound
});

test("classification: the 1-second tie is resolved by finer evidence, never by 'tie → cold'", () => {
  // A populator launcher created 300 ms after the requester, in the same second.
  const s = new Scene();
  const w = cycle(s, "r1", T0 + 10_100, "warm", null, { tieMs: 300 });
  const lc = podLifecycles(s.events);
  const withWatch = classifyActuations({ pods: lc, vllm: new Map([[w.launcher.metadata!.name!, parseVllmLog(w.log, { year: 2026 })]]) });
  assert.equal(withWatch[0]!.tie, true);
  assert.equal(withWatch[0]!.path, "warm");
  assert.equal(withWatch[0]!.classified_by, "kube_created_bound");
  const withDpc = classifyActuations({ pods: lc, dpc: parseDpcLog(w.dpc) });
  assert.equal(withDpc[0]!.path, "warm");
  // A DPC-made launcher in the same second is created bound: cold_launcher.
  const s2 = new Scene();
  const c = s2.requester("r9", T0 + 20_100);
  s2.start(c, T0 + 20_150);
  s2.launcher("launcher-r9", T0 + 20_400, c);
  const c2 = classifyActuations({ pods: podLifecycles(s2.events), vllm: new Map([["launcher-r9", parseVllmLog([vllm(T0 + 30_000, "non-default args: {}")], { year: 2026 })]]) });
  assert.equal(c2[0]!.tie, true);
  assert.equal(c2[0]!.path, "cold_launcher");
  // Both only listed (the watch started later), same second, no DPC log: unknown, with the reason.
  const s3 = new Scene();
  const r = s3.requester("r5", T0 + 30_100, { origin: "list" });
  const l = s3.launcher("launcher-pop", T0 + 30_400, undefined, "list");
  s3.start(r, T0 + 31_400);
  s3.bind(r, l, T0 + 31_500);
  const u = classifyActuations({ pods: podLifecycles(s3.events), vllm: new Map([["launcher-pop", parseVllmLog([vllm(T0 + 31_600, "non-default args: {}")], { year: 2026 })]]) });
  assert.equal(u[0]!.path, "unknown");
  assert.match(u[0]!.reason, /same second/);
  assert.equal(u[0]!.actuation_condition, null);
});

test("classification: a launcher listed before the requester was created is pre-existing by resourceVersion order (kube_order), even in the same second", () => {
  const start = (s: Scene) => new Map([["launcher-pop", parseVllmLog([vllm(T0 + 41_600, "non-default args: {}")], { year: 2026 })]]);
  // The launcher came in the initial list (rv 101); the requester was created while watching (rv 102), same second.
  const s = new Scene();
  const l = s.launcher("launcher-pop", T0 + 40_600, undefined, "list");
  const r = s.requester("r7", T0 + 40_100);
  s.start(r, T0 + 41_400);
  s.bind(r, l, T0 + 41_500);
  const a = classifyActuations({ pods: podLifecycles(s.events), vllm: start(s) });
  assert.deepEqual([a[0]!.tie, a[0]!.path, a[0]!.classified_by], [true, "warm", "kube_order"]);
  // First seen in a relist after the requester was created (already bound to it): its first state is not
  // its state at creation, and its resourceVersion says nothing about its creation: still unknown.
  const s2 = new Scene();
  const r2 = s2.requester("r8", T0 + 40_100);
  s2.start(r2, T0 + 41_400);
  s2.launcher("launcher-pop", T0 + 40_600, r2, "relist");
  const b = classifyActuations({ pods: podLifecycles(s2.events), vllm: start(s2) });
  assert.deepEqual([b[0]!.tie, b[0]!.path], [true, "unknown"]);
  assert.match(b[0]!.reason, /same second/);
});

test("classification: Kubernetes objects only (no DPC, no vLLM log): a launcher created bound to the requester is cold_launcher", () => {
  const s = new Scene();
  const a = cycle(s, "r1", T0 + 10_000, "cold_launcher", null);
  const b = cycle(s, "r2", T0 + 300_000, "hot", a.launcher);
  const acts = classifyActuations({ pods: podLifecycles(s.events) });
  assert.deepEqual(acts.map((x) => [x.requester, x.path, x.classified_by]), [["r1", "cold_launcher", "kube_created_bound"], ["r2", "unknown", "none"]]);
  assert.equal(acts[0]!.t_cold_launcher_upper, acts[0]!.t_cold_launcher); // the Kubernetes bound, no DPC timing
  assert.equal(acts[0]!.timing_source, "kube_pod_create");
  // The same with the DPC log given: the DPC decides, and agrees.
  const withDpc = classifyActuations({ pods: podLifecycles(s.events), dpc: parseDpcLog([...a.dpc, ...b.dpc]) });
  assert.deepEqual(withDpc.map((x) => x.path), ["cold_launcher", "hot"]);
});

test("classification: direct mode by provider name; no evidence → unknown with a reason; a metric delta fills it in", () => {
  const s = new Scene();
  const r1 = s.requester("d1", T0 + 1000, { isc: false });
  s.start(r1, T0 + 2000);
  const p1: KubeObject = { metadata: { name: "d1-dual-abcde", generateName: "d1-dual-", namespace: "ns", uid: "uid-p1", creationTimestamp: iso(T0 + 2500), annotations: { "dual-pods.llm-d.ai/requester": "uid-d1 d1", "dual-pods.llm-d.ai/nominal": "h" } }, spec: { nodeName: "node-0" }, status: {} };
  s.emit("ADDED", p1, "watch", 2500);
  s.bind(r1, p1, T0 + 2500);
  s.ready(r1, T0 + 90_000);
  const r2 = s.requester("d2", T0 + 200_000, { isc: false });
  s.start(r2, T0 + 201_000);
  s.bind(r2, p1, T0 + 201_500);
  s.ready(r2, T0 + 206_000);
  const r3 = s.requester("r3", T0 + 300_000);
  s.start(r3, T0 + 301_000);
  const l = s.launcher("launcher-q", T0 + 100, undefined, "list");
  s.bind(r3, l, T0 + 301_500);
  s.ready(r3, T0 + 306_000);
  const its = (p: { name: string }) => (p.name === "r3" ? 2 : 1);
  const acts = classifyActuations({ pods: podLifecycles(s.events), iterationOf: its });
  assert.deepEqual(acts.map((a) => [a.requester, a.mode, a.path, a.classified_by]), [["d1", "direct", "cold", "provider_name"], ["d2", "direct", "hot", "provider_name"], ["r3", "launcher", "unknown", "none"]]);
  assert.match(acts[2]!.reason, /no wake or instance-start evidence/);
  const withMetric = classifyActuations({ pods: podLifecycles(s.events), iterationOf: its, metricDeltas: new Map([[2, { hot: 1, warm: 0, cold_launcher: 0, cold: 0 }]]) });
  assert.equal(withMetric[2]!.path, "hot");
  assert.equal(withMetric[2]!.classified_by, "fma_metric");
  // Ambiguous delta (two paths for one unknown) leaves it unknown.
  const amb = classifyActuations({ pods: podLifecycles(s.events), iterationOf: its, metricDeltas: new Map([[2, { hot: 1, warm: 1, cold_launcher: 0, cold: 0 }]]) });
  assert.equal(amb[2]!.path, "unknown");
});

test("rates, nop result.yaml (field order), Benchmark Report v0.1 wrapping, rows, dual-pods summary", () => {
  const s = new Scene();
  const a = cycle(s, "r1", T0 + 10_000, "cold_launcher", null);
  const b = cycle(s, "r2", T0 + 300_000, "hot", a.launcher);
  const acts = classifyActuations({ pods: podLifecycles(s.events), dpc: parseDpcLog([...a.dpc, ...b.dpc]), iterationOf: (p) => (p.name === "r1" ? 1 : 2) });
  const r = hitRates(acts);
  assert.equal(r.hot_hit_rate, 0.5);
  assert.equal(r.cold_launcher_hit_rate, 0.5);
  assert.equal(r.denominator, "classified_actuations");
  const sum = summarizeActuations(acts);
  assert.deepEqual(sum.iterations.map((i) => [i.iteration, i.hot_hit_rate, i.cold_launcher_hit_rate]), [[1, 0, 1], [2, 1, 0]]);
  assert.equal(sum.distributions.t_wake.count, 1);
  const nop = toNopResult(acts, { scenario: { model: { name: "m" } } });
  const text = toYamlText(nop);
  assert.equal(text, toYamlText(toNopResult(acts, { scenario: { model: { name: "m" } } })));
  const back = parse(text) as typeof nop;
  assert.deepEqual(Object.keys(back), ["version", "scenario", "vllm_metrics", "extra_metrics", "time"]);
  const it = back.extra_metrics[0]!.iterations[1]!;
  assert.deepEqual(Object.keys(it), ["iteration", "launcher_infos", "hot_hit_rate", "warm_hit_rate", "cold_launcher_hit_rate", "actlab"]);
  assert.deepEqual(Object.keys(it.launcher_infos[0]!), ["namespace", "pod_name", "container_name", "name", "requester_info", "vllm_instance_id", "launcher_endpoint", "vllm_endpoint", "ttft", "actuation_condition", "launcher_creation_timestamp", "launcher_node", "t_wake", "t_instance_create", "t_cold_launcher", "timing_source", "dpc_timing_available", "actlab"]);
  assert.deepEqual(Object.keys(it.launcher_infos[0]!.requester_info), ["name", "creation_timestamp", "ready_timestamp", "dual_label_timestamp", "container_start_timestamp", "gpu_uuids"]);
  assert.equal(it.launcher_infos[0]!.actuation_condition, "T_hot");
  assert.equal(it.launcher_infos[0]!.dpc_timing_available, true);
  assert.equal(Object.keys(toNopResult(acts, { strict: true }).extra_metrics[0]!.iterations[0]!.launcher_infos[0]!).includes("actlab"), false);
  const br = toBenchmarkReport(nop) as { version: string; metrics: { metadata: { name: string; value: { name: string; iterations: Record<string, unknown>[] }[] }[] } };
  assert.equal(br.version, "0.1");
  const w = br.metrics.metadata[0]!.value[0]!.iterations[1]! as Record<string, unknown> & { launcher_infos: Record<string, unknown>[] };
  assert.deepEqual(w.iteration, { units: "count", value: 2 });
  assert.deepEqual(w.hot_hit_rate, { units: "count", value: 1 });
  assert.deepEqual(w.launcher_infos[0]!.t_wake, { units: "s", value: 0.59 });
  assert.equal("t_cold_launcher" in w.launcher_infos[0]!, false); // null t_* are left out
  const rows = actuationRows(acts);
  assert.equal(rows.length, 2);
  assert.ok(Object.values(rows[0]!).every((v) => v === null || ["number", "string", "boolean"].includes(typeof v)));
  const legacy = dualPodsSummary([{ label: "scaling", phase: "up_again", actuations: acts }]);
  assert.equal(legacy.hits, 1);
  assert.equal(legacy.hit_percent, 50);
  assert.equal(legacy.all_results[1]!.availability_mode, "Hit");
});
