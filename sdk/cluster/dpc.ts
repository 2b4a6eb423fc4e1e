/**
 * The dual-pods controller (DPC) of FMA: for each running requester it follows the decision
 * procedure of fma.md §1.5 — hot (wake a sleeping instance), warm (a new instance on a Ready
 * launcher, reclaiming others if needed), cold (create a launcher, or a direct provider) — binds
 * requester and provider, relays readiness, and on scale-down puts the instance to sleep and
 * unbinds. Every decision records its ground truth and leaves the evidence a real DPC leaves:
 * klog lines, Prometheus metrics, labels and annotations.
 *
 * It sees the cluster only through `FmaEnv`: the store as `ObjectClient` verbs, launchers and vLLM
 * servers through `LauncherApi`/`VllmApi`, and the model tells it of store changes (`podAdded`,
 * `podDeleting`, `podRemoved`) and kubelet milestones (`requesterBound`, `requesterStarted`) as a
 * watch would.
 */
import type { Rng } from "../core/rng.js";
import type { Scheduled } from "../core/event-queue.js";
import type { ActuationMode, ActuationPath } from "../actuation/path.js";
import { sampleRemainder, sampleStep, type ActuationTimeline } from "../actuation/profiles.js";
import { isoSeconds, type KObject } from "./store.js";
import { Histogram, httpCallDone, klogLine, promLabels } from "./evidence.js";
import { FMA, instanceIdFor, nominalHashFor } from "./fma.js";
import { gpuRequest, podKey } from "./pods.js";
import { createDirectProvider, createLauncherPod, type FmaEnv, type ProviderRecord } from "./providers.js";
import type { InstanceInfo } from "./hardware.js";
import type { ActuationTruth } from "./types.js";
import type { PodRole } from "./kubelet.js";

const ACTUATION_BUCKETS = [0, 1, 3, 5, 7.5, 10, 15, 30, 60, 120, 240, 480, 960, 1920];
const LAUNCHER_CREATE_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 3, 4, 5];

interface RequesterState {
  key: string;
  uid: string;
  namespace: string;
  name: string;
  mode: ActuationMode;
  isc?: string;
  patch?: string;
  gpuCount: number;
  node?: string;
  gpus: string[];
  created: number;
  scheduled?: number;
  containerStarted?: number;
  truth?: ActuationTruth;
  provider?: string;
  deleting: boolean;
  waiting: boolean;
  decided: boolean;
  ready: boolean;
  unbinding: boolean;
  served: boolean;
  timers: Scheduled[];
}

export class DualPodsController {
  /** The DPC's own pod (its log holds the "HTTP call done" lines). */
  podName = "";
  private requesters = new Map<string, RequesterState>(); // by pod key
  private truths: ActuationTruth[] = [];
  private actuationHist = new Histogram("fma_actuation_seconds", "Time from requester container start to the first readiness relay, by actuation path.", ACTUATION_BUCKETS);
  private launcherCreateHist = new Histogram("fma_launcher_create_seconds", "Latency of the launcher pod create API call.", LAUNCHER_CREATE_BUCKETS);

  constructor(
    private readonly env: FmaEnv,
    /** The cluster's step stream (shared with the scheduler and kubelet); each actuation splits `actuation-<n>` from it. */
    private readonly rng: Rng,
  ) {}

  private get now(): number {
    return this.env.ctx.now;
  }

  private toEpochMs(v: number): number {
    return this.env.ctx.toEpochMs(v);
  }

  private draw(step: "dpcReact" | "sleep"): number {
    return sampleStep(this.env.ctx.profile, step, this.rng);
  }

  private dpcLog(t: number, text: string): void {
    this.env.hardware.appendLog(this.env.ctx.namespace, this.podName, t, text);
  }

  private patch(k: string, fn: (p: KObject) => void): KObject | undefined {
    const i = k.indexOf("/");
    return this.env.client.patchPod(k.slice(0, i) || undefined, k.slice(i + 1), fn);
  }

  private podIp(k: string): string {
    const i = k.indexOf("/");
    return ((this.env.client.get("pods", k.slice(0, i) || undefined, k.slice(i + 1))?.status as { podIP?: string } | undefined)?.podIP) ?? "";
  }

  private instancesOf(p: ProviderRecord): InstanceInfo[] {
    return this.env.hardware.launcher(p.namespace, p.name)?.listInstances() ?? [];
  }

  // ── ground truth and metrics ────────────────────────────────────────────────────────────────

  /** One record per requester actuation, in decision order (copies). */
  actuations(): ActuationTruth[] {
    return this.truths.map((t) => structuredClone(t));
  }

  /** The DPC's metrics: actuation and launcher-create histograms, duality and launcher pod counts. */
  metricLines(): string[] {
    const lines: string[] = [this.actuationHist.render(), this.launcherCreateHist.render()];
    lines.push("# HELP fma_duality 1 while a requester is bound to a provider.", "# TYPE fma_duality gauge");
    for (const r of this.requesters.values()) {
      if (!r.truth || !r.provider || r.unbinding) continue;
      lines.push(`fma_duality${promLabels({ exported_namespace: r.namespace, requester_name: r.name, exported_pod: r.provider, exported_container: "inference-server", instance_id: r.truth.instanceId, UUID: r.gpus.join(","), node: r.node ?? "" })} 1`);
    }
    lines.push("# HELP fma_launcher_pod_count Launcher pods by phase.", "# TYPE fma_launcher_pod_count gauge");
    let bound = 0, unbound = 0;
    for (const p of this.env.providers.values()) if (p.kind === "launcher") (p.boundTo ? bound++ : unbound++);
    lines.push(`fma_launcher_pod_count{lcfg_name="default",phase="bound"} ${bound}`, `fma_launcher_pod_count{lcfg_name="default",phase="unbound"} ${unbound}`);
    return lines;
  }

  // ── what the watch tells it ─────────────────────────────────────────────────────────────────

  /** A pod was created: a requester (ISC or server-patch annotation, not itself a provider) is taken on. Returns whether it was. */
  podAdded(pod: KObject): boolean {
    const k = podKey(pod.metadata.namespace, pod.metadata.name);
    const ann = pod.metadata.annotations ?? {};
    const isLauncherOrProvider = !!ann[FMA.launcherBased] || !!ann[FMA.nominal] || this.env.providers.has(k);
    if (isLauncherOrProvider || !(ann[FMA.iscAnnotation] || ann[FMA.serverPatch])) return false;
    const mode: ActuationMode = ann[FMA.iscAnnotation] ? "launcher" : "direct";
    this.requesters.set(k, {
      key: k, uid: pod.metadata.uid!, namespace: pod.metadata.namespace!, name: pod.metadata.name, mode,
      ...(ann[FMA.iscAnnotation] ? { isc: ann[FMA.iscAnnotation] } : { patch: ann[FMA.serverPatch] }),
      gpuCount: Math.max(1, gpuRequest(pod)), gpus: [], created: this.now, deleting: false, waiting: false, decided: false, ready: false, unbinding: false, served: false, timers: [],
    });
    return true;
  }

  isRequester(k: string): boolean {
    return this.requesters.has(k);
  }

  /** The requester was bound to `node` and got `gpus` (what the requester's SPI reports). */
  requesterBound(k: string, node: string, gpus: string[]): void {
    const req = this.requesters.get(k);
    if (!req) return;
    req.node = node;
    req.gpus = gpus;
    req.scheduled = this.now;
  }

  /** The requester's container is running: the DPC decides after its reaction time. */
  requesterStarted(k: string): void {
    const req = this.requesters.get(k);
    if (!req || req.deleting) return;
    req.containerStarted = this.now;
    req.timers.push(this.env.ctx.queue.after(this.draw("dpcReact"), () => this.decide(req)));
  }

  /** A pod got its deletionTimestamp. Returns whose it was. */
  podDeleting(k: string): PodRole {
    const req = this.requesters.get(k);
    if (req) { this.onRequesterDeleting(req); return "requester"; }
    const prov = this.env.providers.get(k);
    if (prov) { this.onProviderDeleting(prov); return "provider"; }
    return undefined;
  }

  /** A pod left the store. */
  podRemoved(k: string): void {
    this.requesters.delete(k);
    this.env.providers.delete(k);
  }

  /** A launcher became Ready on `node` (or one was unbound): requesters waiting there decide again. */
  launcherBecameReady(node: string): void {
    for (const req of this.requesters.values()) {
      if (req.waiting && req.node === node && !req.decided) {
        req.waiting = false;
        req.timers.push(this.env.ctx.queue.after(this.draw("dpcReact"), () => this.decide(req)));
      }
    }
  }

  // ── the decision ────────────────────────────────────────────────────────────────────────────

  private spec<T>(resource: string, ns: string, name: string): T | undefined {
    return this.env.client.get(resource, ns, name)?.spec as T | undefined;
  }

  private setRequesterStatusError(req: RequesterState, msg: string): void {
    this.patch(req.key, (p) => { p.metadata.annotations = { ...(p.metadata.annotations ?? {}), [FMA.status]: JSON.stringify({ Errors: [msg] }) }; });
  }

  /** The DPC's decision for a running requester (fma.md §1.5). */
  private decide(req: RequesterState): void {
    if (req.decided) return;
    if (req.deleting) return this.finishRequesterDeletion(req);
    req.waiting = false;
    const node = req.node!;
    if (req.mode === "direct") return this.decideDirect(req, node);
    const queue = this.env.ctx.queue;
    const isc = this.spec<{ launcherConfigName: string; modelServerConfig: { port: number } }>("inferenceserverconfigs", req.namespace, req.isc!);
    if (!isc) {
      this.setRequesterStatusError(req, `InferenceServerConfig "${req.isc}" not found`);
      req.timers.push(queue.after(5_000, () => this.decide(req)));
      return;
    }
    const lc = this.spec<{ maxInstances: number }>("launcherconfigs", req.namespace, isc.launcherConfigName);
    if (!lc) {
      this.setRequesterStatusError(req, `LauncherConfig "${isc.launcherConfigName}" not found`);
      req.timers.push(queue.after(5_000, () => this.decide(req)));
      return;
    }
    const id = instanceIdFor(isc.modelServerConfig, req.gpus);
    const port = isc.modelServerConfig.port;
    const candidates = this.env.providers.launchersOn(node, isc.launcherConfigName).filter((p) => !p.boundTo);
    const ready = candidates.filter((p) => p.ready);
    let path: ActuationPath;
    let chosen: ProviderRecord | undefined;
    let victims: InstanceInfo[] = [];
    chosen = ready.find((p) => { const i = this.instancesOf(p).find((x) => x.id === id); return !!i && i.status !== "stopped"; });
    if (chosen) path = "hot";
    else {
      chosen = ready.find((p) => { const insts = this.instancesOf(p); return !insts.some((i) => i.port === port && i.status !== "stopped") && insts.length <= lc.maxInstances - 1; });
      if (chosen) path = "warm";
      else {
        let best: { p: ProviderRecord; v: InstanceInfo[]; lru: number } | undefined;
        for (const p of ready) {
          const insts = this.instancesOf(p).filter((i) => i.status !== "stopped");
          const conflict = insts.filter((i) => i.port === port);
          const rest = insts.filter((i) => i.port !== port).sort((a, b) => a.lastUsed - b.lastUsed);
          const v = conflict.slice();
          let remaining = insts.length - v.length;
          while (remaining > lc.maxInstances - 1 && rest.length > 0) { v.push(rest.shift()!); remaining--; }
          if (remaining > lc.maxInstances - 1) continue;
          const lru = Math.min(...v.map((i) => i.lastUsed));
          if (!best || v.length > best.v.length || (v.length === best.v.length && lru < best.lru)) best = { p, v, lru };
        }
        if (best) { chosen = best.p; victims = best.v; path = "warm"; }
        else if (candidates.some((p) => !p.ready)) {
          req.waiting = true; // retried when a launcher on this node becomes Ready
          return;
        } else path = "cold_launcher";
      }
    }
    // Sleeper budget on the requester's GPUs, enforced before a new instance is created.
    const evicted = path === "hot" ? [] : this.budgetEvictions(node, req.gpus, new Set(victims.map((v) => v.id)));
    req.decided = true;
    this.runActuation(req, path!, "launcher", chosen, id, port, victims, evicted);
  }

  /** Sleepers to delete so each of `gpus` keeps at most sleeperLimit − 1 sleepers besides the new one. */
  private budgetEvictions(node: string, gpus: string[], already: Set<string>): InstanceInfo[] {
    const sleepers: InstanceInfo[] = [];
    for (const p of this.env.providers.values()) {
      if (p.node !== node || p.kind !== "launcher") continue;
      for (const i of this.instancesOf(p)) if (i.status === "sleeping" && !already.has(i.id) && i.gpus.some((g) => gpus.includes(g))) sleepers.push(i);
    }
    sleepers.sort((a, b) => a.lastUsed - b.lastUsed);
    const out: InstanceInfo[] = [];
    const limit = this.env.ctx.cfg.sleeperLimit;
    for (const g of gpus) {
      const on = sleepers.filter((s) => s.gpus.includes(g) && !out.includes(s));
      let extra = on.length - Math.max(0, limit - 1);
      for (const s of on) { if (extra <= 0) break; out.push(s); extra--; }
    }
    return out;
  }

  private decideDirect(req: RequesterState, node: string): void {
    const nominal = nominalHashFor(req.patch ?? "", node, req.gpus);
    let chosen: ProviderRecord | undefined;
    for (const p of this.env.providers.values()) if (p.kind === "direct" && p.nominal === nominal && !p.deleting && !p.boundTo) chosen = p;
    req.decided = true;
    if (chosen) return this.runActuation(req, "hot", "direct", chosen, nominal, 0, [], []);
    // Sleeper budget: delete LRU sleeping direct providers on these GPUs.
    const hw = this.env.hardware;
    const sleepers = [...this.env.providers.values()].filter((p) => p.kind === "direct" && p.node === node && !!hw.vllm(p.namespace, p.name)?.isSleeping() && !p.boundTo && !p.deleting && p.gpus!.some((g) => req.gpus.includes(g)));
    const evict = sleepers.slice(0, Math.max(0, sleepers.length - Math.max(0, this.env.ctx.cfg.sleeperLimit - 1)));
    for (const p of evict) this.deleteProviderPod(p);
    this.runActuation(req, "cold", "direct", undefined, nominal, 0, [], []);
  }

  private bindRequester(req: RequesterState, provider: string, instanceId: string): void {
    this.patch(req.key, (p) => {
      p.metadata.labels = { ...(p.metadata.labels ?? {}), [FMA.dual]: provider, ...(req.mode === "launcher" ? { [FMA.instance]: instanceId } : {}) };
      p.metadata.annotations = { ...(p.metadata.annotations ?? {}), [FMA.accelerators]: req.gpus.join(",") };
    });
  }

  private bindProviderPod(prov: ProviderRecord, req: RequesterState, instanceId: string, port: number): void {
    this.patch(podKey(prov.namespace, prov.name), (p) => {
      p.metadata.labels = { ...(p.metadata.labels ?? {}), [FMA.dual]: req.name };
      p.metadata.annotations = {
        ...(p.metadata.annotations ?? {}),
        [FMA.requester]: `${req.uid} ${req.name}`,
        [FMA.accelerators]: req.gpus.join(","),
        ...(prov.kind === "launcher" ? { [FMA.instanceId]: instanceId, [FMA.serverPort]: String(port), [FMA.vllmConfig]: JSON.stringify({ port, gpus: req.gpus }) } : {}),
      };
      p.metadata.finalizers = [...new Set([...(p.metadata.finalizers ?? []), FMA.providerFinalizer])];
    });
  }

  // ── one actuation, from the decision to the requester's Ready ──────────────────────────────

  private runActuation(req: RequesterState, path: ActuationPath, mode: ActuationMode, chosen: ProviderRecord | undefined, instanceId: string, port: number, victims: InstanceInfo[], evicted: InstanceInfo[]): void {
    const { ctx, hardware, runtime, providers } = this.env;
    const profile = ctx.profile;
    const node = this.env.nodes.find((n) => n.name === req.node)!;
    const imageKey = mode === "launcher" ? "launcher" : "vllm";
    const cached = node.images.has(imageKey);
    const r = this.rng.split(`actuation-${this.truths.length}`);
    const tl: Omit<ActuationTimeline, "requesterScheduled" | "containerStarted"> = sampleRemainder(profile, path, r, { decided: this.now, containerStarted: req.containerStarted! }, { mode, imageCached: cached, instancesDeleted: victims.length + evicted.length });
    if (!cached && (path === "cold_launcher" || path === "cold")) node.images.add(imageKey);
    const truth: ActuationTruth = {
      index: this.truths.length,
      requester: { namespace: req.namespace, name: req.name, uid: req.uid },
      path, mode, instancesDeleted: victims.length, sleepersEvicted: evicted.length,
      provider: chosen?.name ?? "", ...(mode === "launcher" && chosen ? { launcher: chosen.name, launcherPrecreated: chosen.precreated, launcherCreated: chosen.createdAt, ...(chosen.readyAt !== undefined ? { launcherReady: chosen.readyAt } : {}) } : {}),
      instanceId, node: node.name, gpus: req.gpus.slice(), outcome: "pending",
      requesterCreated: req.created, requesterScheduled: req.scheduled!, containerStarted: req.containerStarted!, decided: tl.decided, bound: tl.bound,
    };
    this.truths.push(truth);
    req.truth = truth;
    // The DPC adds its finalizer as it takes the requester on.
    this.patch(req.key, (p) => { p.metadata.finalizers = [...new Set([...(p.metadata.finalizers ?? []), FMA.requesterFinalizer])]; });
    const at = (t: number | undefined, fn: () => void) => { if (t !== undefined) req.timers.push(ctx.queue.at(t, fn)); };
    const base = { requesterName: req.name, serverUID: req.uid };
    const epoch = ctx.epochMs;

    if (chosen) {
      chosen.boundTo = req.uid;
      req.provider = chosen.name;
      this.bindProviderPod(chosen, req, instanceId, port);
      this.bindRequester(req, chosen.name, instanceId);
      if (mode === "launcher") this.dpcLog(this.now, klogLine(this.toEpochMs(this.now), "inference-server.go:612", "Bound server-requesting pod to launcher", { ...base, launcher: chosen.name, instanceID: instanceId, path: path === "hot" ? "existing-instance" : "new-instance" }));
    }
    // Reclaim victims and budget evictions, one after another before the create.
    if (victims.length + evicted.length > 0) {
      let t = tl.decided;
      const each = ((tl.instanceCreateStart ?? t) - t) / (victims.length + evicted.length);
      for (const v of [...victims, ...evicted]) {
        const start = t;
        t += each;
        const end = t;
        at(end, () => {
          const lp = providers.named(v.launcher);
          if (!lp || !hardware.launcher(lp.namespace, lp.name)?.deleteInstance(v.id)) return;
          this.dpcLog(end, httpCallDone(epoch, { ...base, purpose: "delete_instance", method: "DELETE", url: `http://${lp.ip}:8001/v2/vllm/instances/${v.id}`, startMs: start, endMs: end, statusCode: 200, err: null }));
        });
      }
    }

    if (path === "cold_launcher" || (mode === "direct" && path === "cold")) {
      at(tl.providerCreated, () => {
        const prov = mode === "launcher"
          ? createLauncherPod(this.env, req.namespace, node.name, { name: req.name, uid: req.uid, gpus: req.gpus, instanceId, port })
          : createDirectProvider(this.env, { name: req.name, namespace: req.namespace, uid: req.uid, node: req.node!, gpus: req.gpus }, instanceId);
        const name = prov.name;
        truth.provider = name;
        if (mode === "launcher") { truth.launcher = name; truth.launcherPrecreated = false; truth.launcherCreated = this.now; truth.launcherCreateStart = tl.providerCreateStart!; }
        truth.providerCreated = this.now;
        providers.named(name)!.boundTo = req.uid;
        req.provider = name;
        this.bindRequester(req, name, instanceId);
        this.dpcLog(this.now, klogLine(this.toEpochMs(this.now), "inference-server.go:1936", mode === "launcher" ? "Created launcher-based server-providing pod" : "Created server-providing pod", { ...base, pod: name, node: node.name, k8sCallStartTime: this.isoNano(tl.providerCreateStart!) }));
        if (mode === "launcher") this.launcherCreateHist.observe({ exported_namespace: req.namespace, lcfg_name: "default", success: "true" }, (this.now - tl.providerCreateStart!) / 1000);
      });
      at(tl.providerScheduled, () => {
        const t = isoSeconds(this.toEpochMs(this.now));
        const pod = this.env.client.patchPod(req.namespace, truth.provider, (p) => { (p.status as Record<string, unknown>).conditions = [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: t }]; });
        if (pod) ctx.event(pod, "Normal", "Scheduled", `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node.name}`, "default-scheduler", true);
      });
      at(tl.providerContainerStarted, () => {
        const k = podKey(req.namespace, truth.provider);
        const prov = providers.get(k);
        if (prov) prov.containerStarted = this.now;
        runtime.markRunning(k, this.now, false);
        hardware.steps.processStarted(req.namespace, truth.provider, mode, instanceId);
      });
      at(tl.providerReady, () => {
        const k = podKey(req.namespace, truth.provider);
        const prov = providers.get(k);
        if (prov) { prov.ready = true; prov.readyAt = this.now; hardware.steps.serverReady(req.namespace, truth.provider); }
        runtime.markReady(k, this.now);
        if (mode === "launcher") truth.launcherReady = this.now;
        truth.providerReady = this.now;
      });
    }

    if (tl.instanceCreateStart !== undefined && mode === "launcher") {
      const createStart = tl.instanceCreateStart;
      at(createStart, () => {
        const prov = providers.named(truth.provider);
        if (!prov) return;
        hardware.launcher(prov.namespace, prov.name)?.createInstance(instanceId, { gpus: req.gpus, port, isc: req.isc! });
        truth.instanceCreateStart = this.now;
      });
      at(tl.instanceCreateCallEnd, () => {
        const prov = providers.named(truth.provider);
        this.dpcLog(this.now, httpCallDone(epoch, { ...base, purpose: "create_instance", method: "PUT", url: `http://${prov?.ip ?? ""}:8001/v2/vllm/instances/${instanceId}`, startMs: createStart, endMs: this.now, statusCode: 201, err: null }));
      });
    }
    if (tl.instanceReady !== undefined) {
      const loadMs = tl.instanceReady - (tl.instanceCreateStart ?? tl.instanceReady);
      at(tl.instanceReady, () => {
        const prov = providers.named(truth.provider);
        if (!prov) return;
        truth.instanceReady = this.now;
        hardware.steps.instanceLoaded(prov.namespace, prov.name, instanceId, port, loadMs);
      });
    }
    if (tl.instanceCreateCallEnd !== undefined && tl.relayStart !== undefined && mode === "launcher") {
      // The DPC's is_sleeping polls: errors while the instance loads, retried every 5 s.
      for (let t = tl.instanceCreateCallEnd; t < tl.relayStart; t += profile.isSleepingRetryMs) {
        const ok = t >= (tl.instanceReady ?? 0);
        const start = t;
        const end = ok ? tl.relayStart : t + 1;
        at(end, () => {
          const prov = providers.named(truth.provider);
          this.dpcLog(this.now, httpCallDone(epoch, { ...base, purpose: "query_sleeping", method: "GET", url: `http://${prov?.ip ?? ""}:${port}/is_sleeping`, startMs: start, endMs: end, statusCode: ok ? 200 : 0, err: ok ? null : `Get "http://${prov?.ip ?? ""}:${port}/is_sleeping": dial tcp ${prov?.ip ?? ""}:${port}: connect: connection refused` }));
        });
      }
    }
    if (tl.wakeStart !== undefined && tl.wakeEnd !== undefined) {
      const ws = tl.wakeStart, we = tl.wakeEnd;
      at(we, () => {
        const prov = providers.named(chosen!.name);
        if (!prov) return;
        truth.wakeStart = ws;
        truth.wakeEnd = we;
        const url = `http://${prov.ip}:${port || 8000}`;
        this.dpcLog(this.now, httpCallDone(epoch, { ...base, purpose: "query_sleeping", method: "GET", url: `${url}/is_sleeping`, startMs: tl.decided, endMs: ws, statusCode: 200, err: null }));
        hardware.vllm(prov.namespace, prov.name, instanceId)?.wakeUp(ws);
        this.dpcLog(this.now, httpCallDone(epoch, { ...base, purpose: "wake", method: "POST", url: `${url}/wake_up`, startMs: ws, endMs: we, statusCode: 200, err: null }));
        this.setSleepingLabel(prov, false);
      });
    }
    at(tl.relayStart, () => {
      if (req.deleting) return; // scale-down overtook the actuation: no relay; the unbind runs instead
      const prov = providers.named(truth.provider);
      if (prov && mode === "launcher") this.setSleepingLabel(prov, false);
      if (prov && mode === "direct" && path === "cold") this.setSleepingLabel(prov, false);
    });
    at(tl.relayEnd, () => {
      if (req.deleting) return this.afterAbortedRelay(req);
      truth.relayStart = tl.relayStart;
      truth.relayEnd = this.now;
      truth.actuationSeconds = (this.now - req.containerStarted!) / 1000;
      req.served = true;
      this.dpcLog(this.now, httpCallDone(epoch, { ...base, purpose: "relay_ready", method: "POST", url: `http://${this.podIp(req.key)}:8081/v1/become-ready`, startMs: tl.relayStart, endMs: this.now, statusCode: 200, err: null }));
      this.dpcLog(this.now, klogLine(this.toEpochMs(this.now), "inference-server.go:1402", "Successfully relayed the readiness", { ...base, ready: true }));
      this.actuationHist.observe({ exported_namespace: req.namespace, path: path === "cold_launcher" ? "cold" : path, instancesDeleted: String(victims.length), isc_name: req.isc ?? "" }, truth.actuationSeconds);
      const prov = providers.named(truth.provider);
      if (prov && mode === "launcher") this.applyRoutingLabels(prov, true);
    });
    at(tl.requesterReady, () => {
      if (req.deleting) return;
      truth.requesterReady = this.now;
      truth.outcome = "ready";
      req.ready = true;
      runtime.markReady(req.key, this.now);
    });
  }

  private isoNano(v: number): string {
    return new Date(this.toEpochMs(v)).toISOString().replace(/\.(\d{3})Z$/, (_m, ms: string) => (ms === "000" ? "Z" : `.${ms.replace(/0+$/, "")}Z`));
  }

  private setSleepingLabel(prov: ProviderRecord, sleeping: boolean): void {
    this.patch(podKey(prov.namespace, prov.name), (p) => {
      if (p.metadata.labels?.[FMA.sleeping] === String(sleeping)) return;
      p.metadata.labels = { ...(p.metadata.labels ?? {}), [FMA.sleeping]: String(sleeping) };
    });
  }

  private applyRoutingLabels(prov: ProviderRecord, on: boolean): void {
    const isc = this.env.client.get("inferenceserverconfigs", prov.namespace, "default");
    const labels = ((isc?.spec as { modelServerConfig?: { labels?: Record<string, string> } } | undefined)?.modelServerConfig?.labels) ?? {};
    this.patch(podKey(prov.namespace, prov.name), (p) => {
      const l = { ...(p.metadata.labels ?? {}) };
      for (const [k, v] of Object.entries(labels)) { if (on) l[k] = v; else delete l[k]; }
      p.metadata.labels = l;
    });
  }

  // ── deletions: providers, requesters, unbind and sleep ─────────────────────────────────────

  private deleteProviderPod(p: ProviderRecord): void {
    const client = this.env.client;
    const pod = client.get("pods", p.namespace, p.name);
    if (!pod) return;
    p.deleting = true;
    if (pod.metadata.finalizers?.length) client.patchPod(p.namespace, p.name, (x) => { x.metadata.finalizers = []; });
    client.deletePod(client.get("pods", p.namespace, p.name)!, 0);
  }

  private onProviderDeleting(prov: ProviderRecord): void {
    if (prov.deleting && !prov.boundTo) return;
    prov.deleting = true;
    const k = podKey(prov.namespace, prov.name);
    const bound = prov.boundTo ? [...this.requesters.values()].find((r) => r.uid === prov.boundTo) : undefined;
    const client = this.env.client;
    // Exogenous deletion of a bound provider: the DPC deletes the requester and lets the provider go.
    this.env.ctx.queue.after(this.draw("dpcReact"), () => {
      if (client.get("pods", prov.namespace, prov.name)?.metadata.finalizers?.length) this.patch(k, (x) => { x.metadata.finalizers = []; });
      this.env.runtime.maybeFinishPodDeletion(k);
      if (bound && !bound.deleting) {
        const i = bound.key.indexOf("/");
        const pod = client.get("pods", bound.key.slice(0, i) || undefined, bound.key.slice(i + 1));
        if (pod) client.deletePod(pod);
      }
    });
  }

  private onRequesterDeleting(req: RequesterState): void {
    req.deleting = true;
    if (!req.decided || req.waiting) return this.finishRequesterDeletion(req);
    if (req.served) this.env.ctx.queue.after(this.draw("dpcReact"), () => this.unbind(req));
    // Not yet served: the actuation's relay step notices `deleting` and calls afterAbortedRelay.
  }

  private afterAbortedRelay(req: RequesterState): void {
    if (req.truth) req.truth.outcome = "aborted";
    this.unbind(req);
  }

  private unbind(req: RequesterState): void {
    if (req.unbinding) return;
    req.unbinding = true;
    const prov = [...this.env.providers.values()].find((p) => p.name === req.provider && p.namespace === req.namespace);
    if (!prov) return this.finishRequesterDeletion(req);
    if (prov.kind === "launcher") this.applyRoutingLabels(prov, false);
    const start = this.now;
    const dur = this.draw("sleep");
    const instanceId = req.truth?.instanceId ?? "";
    const server = this.env.hardware.vllm(prov.namespace, prov.name, instanceId);
    const iscPort = this.env.ctx.cfg.iscPort;
    this.env.ctx.queue.after(dur, () => {
      const end = this.now;
      const t = this.toEpochMs(end);
      server?.sleep(start);
      this.dpcLog(end, httpCallDone(this.env.ctx.epochMs, { requesterName: req.name, serverUID: req.uid, purpose: "sleep", method: "POST", url: `http://${prov.ip}:${prov.kind === "launcher" ? iscPort : 8000}/sleep?level=1`, startMs: start, endMs: end, statusCode: 200, err: null }));
      this.patch(podKey(prov.namespace, prov.name), (p) => {
        const l = { ...(p.metadata.labels ?? {}) };
        delete l[FMA.dual];
        l[FMA.sleeping] = "true";
        p.metadata.labels = l;
        const a = { ...(p.metadata.annotations ?? {}) };
        for (const key of [FMA.requester, FMA.instanceId, FMA.serverPort, FMA.vllmConfig, FMA.routing]) delete a[key];
        p.metadata.annotations = a;
        p.metadata.finalizers = (p.metadata.finalizers ?? []).filter((f) => f !== FMA.providerFinalizer);
      });
      prov.boundTo = undefined;
      this.dpcLog(end, klogLine(t, "inference-server.go:1710", "Unbound server-providing pod", { requesterName: req.name, serverUID: req.uid, pod: prov.name }));
      this.finishRequesterDeletion(req);
      this.launcherBecameReady(prov.node);
    });
  }

  private finishRequesterDeletion(req: RequesterState): void {
    for (const t of req.timers) t.cancel();
    req.timers = [];
    if (req.truth && req.truth.outcome === "pending") req.truth.outcome = "aborted";
    this.patch(req.key, (p) => { p.metadata.finalizers = (p.metadata.finalizers ?? []).filter((f) => f !== FMA.requesterFinalizer); });
    this.env.runtime.terminateAfterTeardown(req.key);
  }
}
