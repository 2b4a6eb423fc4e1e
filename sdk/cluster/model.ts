/**
 * The embedded FMA cluster as a pure model on a virtual clock: the composition of an object store
 * with admission, the Deployment/ReplicaSet controllers, a GPU-aware scheduler, a kubelet, the FMA
 * controllers (dual-pods controller, launcher populator) and the simulated hardware (launchers,
 * vLLM instances, GPUs, their logs and metrics). No sockets, no wall clock: `advanceTo(t)` fires
 * what is due. Each part is its own module and sees the others only through narrow interfaces;
 * this class wires them and keeps the public API.
 *
 * Every requester actuation records its ground truth (`actuations()`), and leaves the evidence a
 * real deployment leaves: Kubernetes objects and Events, DPC klog lines, launcher and vLLM log
 * lines, and Prometheus metrics.
 */
import { rng as makeRng, type Rng } from "../core/rng.js";
import { EventQueue } from "../core/event-queue.js";
import { STREAMS } from "../core/streams.js";
import { getProfile, type LatencyProfile } from "../actuation/profiles.js";
import { ObjectStore, type KObject } from "./store.js";
import { klogLine } from "./evidence.js";
import { WorkloadControllers, CONTROLLER_MS } from "./workloads.js";
import { Admission } from "./admission.js";
import { Scheduler } from "./scheduler.js";
import { Kubelet } from "./kubelet.js";
import { SimHardware, type InstanceStatus } from "./hardware.js";
import { DualPodsController } from "./dpc.js";
import { LauncherPopulator } from "./populator.js";
import { ProviderRegistry, type FmaEnv, type ObjectClient } from "./providers.js";
import { recordEvent } from "./events.js";
import { patchPod, podKey } from "./pods.js";
import { createControllerPod, createFmaConfigs, createNodes, requesterDeployment, type RequesterDeploymentOptions } from "./setup.js";
import type { ClusterContext, ResolvedClusterConfig } from "./context.js";
import type { ActuationTruth, ClusterConfig } from "./types.js";

// Re-exported so existing imports from "./model.js" keep working.
export { FMA, FMA_GROUP, FMA_VERSION, instanceIdFor, nominalHashFor } from "./fma.js";
export { ApiError } from "./api-error.js";
export type { RequesterDeploymentOptions } from "./setup.js";

export class ClusterModel {
  readonly profile: LatencyProfile;
  readonly epochMs: number;
  readonly namespace: string;
  readonly queue = new EventQueue(0);
  readonly store: ObjectStore;
  private readonly cfg: ResolvedClusterConfig;
  private readonly ctx: ClusterContext;
  private readonly hardware: SimHardware;
  private readonly admission: Admission;
  private readonly workloads: WorkloadControllers;
  private readonly scheduler: Scheduler;
  private readonly kubelet: Kubelet;
  private readonly dpc: DualPodsController;
  private readonly populator: LauncherPopulator;
  private readonly providers = new ProviderRegistry();

  constructor(config: ClusterConfig = {}) {
    this.profile = typeof config.profile === "object" ? config.profile : getProfile(config.profile ?? "8b-h100");
    this.epochMs = config.epochMs ?? Date.UTC(2026, 10, 23, 9, 0, 0);
    this.namespace = config.namespace ?? "default";
    this.cfg = {
      namespace: this.namespace,
      nodes: config.nodes ?? 2,
      gpusPerNode: config.gpusPerNode ?? 8,
      placement: config.placement ?? "pack",
      sleeperLimit: config.sleeperLimit ?? 2,
      maxInstances: config.maxInstances ?? 4,
      iscPort: config.iscPort ?? 8000,
      launchersPerNode: config.launchersPerNode ?? 0,
      imageCached: config.imageCached ?? this.profile.imageCachedDefault,
      historyLimit: config.historyLimit ?? 5000,
      recordLog: config.recordLog ?? false,
      createDefaults: config.createDefaults ?? true,
    };
    // One root for the whole cluster; each part gets its own stream, already split.
    const root: Rng = config.rng ?? makeRng(config.seed ?? 1);
    const steps = root.split(STREAMS.clusterSteps);
    const schedulerTies = root.split(STREAMS.clusterScheduler);
    const populatorRng = root.split(STREAMS.clusterPopulator);
    this.store = new ObjectStore(root.split(STREAMS.clusterNames), () => this.epochMs + this.queue.now, { historyLimit: this.cfg.historyLimit, recordLog: this.cfg.recordLog });

    const model = this;
    const ctx: ClusterContext = this.ctx = {
      queue: this.queue, store: this.store, profile: this.profile, epochMs: this.epochMs, namespace: this.namespace, cfg: this.cfg,
      get now() { return model.queue.now; },
      toEpochMs: (v) => this.epochMs + v,
      event: (obj, type, reason, message, component, micro = false) => recordEvent(this.store, this.queue.now, this.epochMs, this.hardware.nodes[0]?.name ?? "node-0", obj, type, reason, message, component, micro),
    };
    this.hardware = new SimHardware(ctx, this.profile);
    const nodes = this.hardware.nodes;

    this.admission = new Admission(this.store, ctx, {
      podCreated: (pod) => this.podCreated(pod),
      podReplaced: (ns, name) => this.kubelet.maybeFinishPodDeletion(podKey(ns, name)),
      podDeleting: (pod, grace) => this.podDeleting(pod, grace),
      workloadChanged: (resource, obj) => this.workloads.kick(resource, obj),
      workloadDeleted: (obj) => { this.queue.after(CONTROLLER_MS, () => this.workloads.collectOrphans(obj)); },
    });
    this.workloads = new WorkloadControllers({
      store: this.store, queue: this.queue, epochMs: this.epochMs,
      get now() { return model.now; },
      toEpochMs: (v) => this.toEpochMs(v),
      event: (obj, type, reason, message, component) => ctx.event(obj, type, reason, message, component),
      apiCreate: (resource, namespace, body) => this.admission.create(resource, namespace, body),
      deletePod: (pod) => { this.admission.deletePod(pod); },
    });
    this.kubelet = new Kubelet(ctx, nodes, steps, {
      isRequester: (k) => this.dpc.isRequester(k),
      requesterBound: (k, node, gpus) => this.dpc.requesterBound(k, node, gpus),
      requesterStarted: (k) => this.dpc.requesterStarted(k),
      podRemoved: (k) => { this.dpc.podRemoved(k); this.hardware.remove(k); },
      podStatusChanged: (pod, resync) => this.workloads.podChanged(pod, resync),
      gpusFreed: () => this.scheduler.retryPending(),
    });
    this.scheduler = new Scheduler(ctx, nodes, steps, schedulerTies, {
      assignGpus: (node, k, count) => this.kubelet.assignGpus(node, k, count),
      bound: (k, node, gpus) => this.kubelet.podBound(k, node, gpus),
    });

    // The FMA controllers reach the store only through these verbs.
    const client: ObjectClient = {
      get: (resource, ns, name) => this.store.get(resource, ns, name),
      list: (resource, ns) => this.store.list(resource, ns),
      create: (resource, obj) => this.store.create(resource, obj),
      patchPod: (ns, name, fn) => patchPod(this.store, podKey(ns, name), fn),
      deletePod: (pod, grace) => { this.admission.deletePod(pod, grace); },
      newSuffix: () => this.store.newSuffix(),
    };
    const env: FmaEnv = {
      ctx, client, hardware: this.hardware, nodes, providers: this.providers,
      runtime: {
        nextIp: () => this.kubelet.nextIp(),
        markRunning: (k, at, ready) => { this.kubelet.markRunning(k, at, ready); },
        markReady: (k, at) => this.kubelet.markReady(k, at),
        maybeFinishPodDeletion: (k) => this.kubelet.maybeFinishPodDeletion(k),
        terminateAfterTeardown: (k) => this.kubelet.terminateAfterTeardown(k),
      },
    };
    this.dpc = new DualPodsController(env, steps);
    this.populator = new LauncherPopulator(env, populatorRng, (node) => this.dpc.launcherBecameReady(node));

    for (const ns of ["default", "kube-system", "kube-public", this.namespace]) {
      if (!this.store.get("namespaces", undefined, ns)) this.store.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } });
    }
    if (this.cfg.createDefaults) this.createDefaults();
  }

  private createDefaults(): void {
    createNodes(this.ctx, this.hardware.nodes);
    createFmaConfigs(this.ctx);
    const ip = () => this.kubelet.nextIp();
    this.dpc.podName = createControllerPod(this.ctx, this.hardware, ip, "fma-controllers-dual-pods-controller", "dual-pods-controller", "ghcr.io/llm-d-incubation/llm-d-fast-model-actuation/dual-pods-controller:v0.6.4");
    this.populator.podName = createControllerPod(this.ctx, this.hardware, ip, "fma-controllers-launcher-populator", "launcher-populator", "ghcr.io/llm-d-incubation/llm-d-fast-model-actuation/launcher-populator:v0.6.4");
    this.hardware.appendLog(this.namespace, this.dpc.podName, 0, klogLine(this.epochMs, "main.go:120", "Starting dual-pods controller", { sleeperLimit: this.cfg.sleeperLimit, version: "v0.6.4" }));
    for (const node of this.hardware.nodes) for (let i = 0; i < this.cfg.launchersPerNode; i++) this.populateLauncher(node.name);
  }

  // ── how a store change reaches the controllers ─────────────────────────────────────────────

  private podCreated(pod: KObject): void {
    const k = podKey(pod.metadata.namespace, pod.metadata.name);
    // A requester is the DPC's; any other pod but an FMA provider is the kubelet's to run with its own probes.
    if (!this.dpc.podAdded(pod) && !this.providers.has(k)) this.kubelet.track(k);
    this.scheduler.podAdded(pod);
  }

  private podDeleting(pod: KObject, gracePeriodSeconds: number | undefined): void {
    const k = podKey(pod.metadata.namespace, pod.metadata.name);
    this.scheduler.forget(k);
    const role = this.dpc.podDeleting(k);
    this.kubelet.podDeleting(k, gracePeriodSeconds, role);
    this.workloads.podChanged(pod, true);
  }

  // ── clock ──────────────────────────────────────────────────────────────────────────────────

  get now(): number {
    return this.queue.now;
  }

  /** Served wall time of virtual time `v` (ms since the Unix epoch). */
  toEpochMs(v: number): number {
    return this.epochMs + v;
  }

  /** Fires every event up to virtual time `t` (the clock ends at `t`). */
  advanceTo(t: number): number {
    return this.queue.run(Math.max(t, this.queue.now));
  }

  /** Advances by `ms` of virtual time. */
  runFor(ms: number): number {
    return this.advanceTo(this.queue.now + ms);
  }

  /** Virtual time of the next pending event, if any. */
  nextEventAt(): number | undefined {
    return this.queue.peek();
  }

  /** Runs until nothing is pending or `maxMs` of virtual time has passed. */
  runUntilIdle(maxMs = 3_600_000): void {
    const end = this.queue.now + maxMs;
    for (;;) {
      const next = this.queue.peek();
      if (next === undefined || next > end) break;
      this.queue.step();
    }
  }

  // ── ground truth and evidence ──────────────────────────────────────────────────────────────

  /** One record per requester actuation, in decision order (copies). */
  actuations(): ActuationTruth[] {
    return this.dpc.actuations();
  }

  /** Every store event as a JSON line (needs `recordLog: true`). */
  eventLog(): string[] {
    if (!this.store.log) throw new Error("eventLog() needs the cluster created with recordLog: true");
    return this.store.log.slice();
  }

  /** The DPC pod's name (its log holds the "HTTP call done" lines). */
  get dpcPodName(): string {
    return this.dpc.podName;
  }

  /** Log lines of a pod with their virtual times; undefined for an unknown pod. */
  podLog(namespace: string, name: string): { t: number; text: string }[] | undefined {
    return this.hardware.podLog(namespace, name);
  }

  /** Node names and their GPU UUIDs. */
  nodeGpus(): { node: string; gpus: string[] }[] {
    return this.hardware.nodes.map((n) => ({ node: n.name, gpus: n.gpus.slice() }));
  }

  /** vLLM instances per launcher (for tests and notebooks). */
  instances(): { launcher: string; id: string; gpus: string[]; status: InstanceStatus }[] {
    return this.hardware.instances();
  }

  /** Prometheus text exposition of the DPC metrics and vLLM sleep state. */
  metricsText(): string {
    return [...this.dpc.metricLines(), ...this.hardware.sleepStateMetric()].join("\n") + "\n";
  }

  // ── scenario helpers ───────────────────────────────────────────────────────────────────────

  /**
   * The launcher populator creates an unbound launcher on `node` now (or at virtual time `at`).
   * Returns the launcher's name once created (synchronously when `at` is now or omitted).
   */
  populateLauncher(node: string, at?: number): string | undefined {
    return this.populator.populate(node, at);
  }

  /** A requester Deployment (launcher mode by default, direct mode with `serverPatch`). */
  requesterDeployment(name: string, opts: RequesterDeploymentOptions = {}): KObject {
    return requesterDeployment(this.profile, this.namespace, name, opts);
  }

  // ── the API surface the server calls ───────────────────────────────────────────────────────

  /** Creates an object as a client would (POST). Returns the stored object. Errors are `ApiError`. */
  apiCreate(resource: string, namespace: string | undefined, body: KObject): KObject {
    return this.admission.create(resource, namespace, body);
  }

  /** Replaces an object (PUT or a patch's result). `resourceVersion`, when given, must match. */
  apiReplace(resource: string, namespace: string | undefined, name: string, body: KObject, subresource?: string): KObject {
    return this.admission.replace(resource, namespace, name, body, subresource);
  }

  /** Deletes (DELETE). Objects with finalizers get a deletionTimestamp and stay until those are removed. */
  apiDelete(resource: string, namespace: string | undefined, name: string, gracePeriodSeconds?: number): KObject {
    return this.admission.delete(resource, namespace, name, gracePeriodSeconds);
  }

  /** Scales a Deployment or ReplicaSet (what `kubectl scale` and the scale subresource do). */
  scale(resource: "deployments" | "replicasets", namespace: string, name: string, replicas: number): KObject {
    return this.admission.scale(resource, namespace, name, replicas);
  }
}
