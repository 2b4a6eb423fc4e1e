/**
 * The embedded FMA cluster as a pure model on a virtual clock: an object store plus the controllers
 * that act on it — Deployment and ReplicaSet controllers, a GPU-aware scheduler, a kubelet with
 * readiness probes, the launcher populator, and the dual-pods controller (DPC) following the
 * decision procedure of fma.md §1.5. No sockets, no wall clock: `advanceTo(t)` fires what is due.
 *
 * Every requester actuation records its ground truth (`actuations()`), and leaves the evidence a
 * real deployment leaves: Kubernetes objects and Events, DPC klog lines, launcher and vLLM log
 * lines, and Prometheus metrics.
 *
 * Over 600 lines because it is not yet split into store/admission, scheduler, kubelet, the FMA
 * controllers and the simulated hardware (issue 11 item 4, still to do).
 */
import { rng as makeRng, hash32, type Rng } from "../core/rng.js";
import { EventQueue } from "../core/event-queue.js";
import { STREAMS } from "../core/streams.js";
import type { ActuationMode, ActuationPath } from "../actuation/path.js";
import { ObjectStore, deepCopy, isoMicros, isoSeconds, type KObject } from "./store.js";
import { getProfile, sampleRemainder, sampleStep, nextProbeTick, type ActuationTimeline, type LatencyProfile } from "../actuation/profiles.js";
import { Histogram, httpCallDone, klogLine, launcherLine, promLabels, secs2, vllmLine } from "./evidence.js";
import { WorkloadControllers, CONTROLLER_MS } from "./workloads.js";
import { FMA, FMA_GROUP, FMA_VERSION, instanceIdFor, nominalHashFor } from "./fma.js";
import { ApiError } from "./api-error.js";

// Re-exported so existing imports from "./model.js" keep working.
export { FMA, FMA_GROUP, FMA_VERSION, instanceIdFor, nominalHashFor } from "./fma.js";
export { ApiError } from "./api-error.js";
import type { ActuationTruth, ClusterConfig, PlacementPolicy } from "./types.js";


const ACTUATION_BUCKETS = [0, 1, 3, 5, 7.5, 10, 15, 30, 60, 120, 240, 480, 960, 1920];
const LAUNCHER_CREATE_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 3, 4, 5];
/** Kubelet teardown of a pod without finalizers (assumption). */
const TERMINATE_MS = 400;

interface NodeState {
  name: string;
  index: number;
  gpus: string[];
  /** GPU uuid → pod key holding it. */
  alloc: Map<string, string>;
  /** Images already pulled on this node. */
  images: Set<string>;
  ip: string;
}

type InstanceStatus = "starting" | "awake" | "sleeping" | "stopped";

interface InstanceState {
  id: string;
  gpus: string[];
  port: number;
  isc: string;
  status: InstanceStatus;
  lastUsed: number;
  launcher: string;
}

interface ProviderState {
  name: string;
  namespace: string;
  node: string;
  kind: "launcher" | "direct";
  ready: boolean;
  deleting: boolean;
  boundTo?: string; // requester uid
  lcName?: string;
  instances: Map<string, InstanceState>;
  /** direct mode: the nominal hash and gpus. */
  nominal?: string;
  gpus?: string[];
  sleeping?: boolean;
  createdAt: number;
  /** When it became Ready (virtual ms). */
  readyAt?: number;
  precreated: boolean;
  containerStarted?: number;
  log: LogLine[];
  ip: string;
}

interface LogLine {
  t: number;
  text: string;
}

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
  timers: { cancel(): void }[];
}

interface GenericPodState {
  key: string;
  started?: number;
  timers: { cancel(): void }[];
}

export interface RequesterDeploymentOptions {
  namespace?: string;
  replicas?: number;
  /** ISC name (launcher mode); default `default`. */
  isc?: string;
  /** Direct mode: the server-patch annotation (a non-empty string switches to direct mode). */
  serverPatch?: string;
  gpus?: number;
  labels?: Record<string, string>;
}

const podKey = (ns: string | undefined, name: string) => `${ns ?? ""}/${name}`;

function gpuRequest(pod: KObject): number {
  const containers = ((pod.spec as { containers?: { resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> } }[] } | undefined)?.containers) ?? [];
  let n = 0;
  for (const c of containers) {
    const v = c.resources?.limits?.["nvidia.com/gpu"] ?? c.resources?.requests?.["nvidia.com/gpu"];
    if (v !== undefined) n += Number(v) || 0;
  }
  return n;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** What the API server checks of a pod spec before storing it (enough that the kubelet model cannot trip). */
function validatePodSpec(spec: unknown, what: string, path: string): void {
  const bad = (msg: string) => new ApiError(422, "Invalid", `${what} is invalid: ${msg}`);
  if (!isObject(spec)) throw bad(`${path}: Required value`);
  const cs = spec.containers;
  if (!Array.isArray(cs) || cs.length === 0) throw bad(`${path}.containers: Required value`);
  cs.forEach((c, i) => {
    if (!isObject(c) || typeof c.name !== "string" || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(c.name)) throw bad(`${path}.containers[${i}].name: Invalid value: a lowercase RFC 1123 label is required`);
    if (c.resources !== undefined && !isObject(c.resources)) throw bad(`${path}.containers[${i}].resources: Invalid value`);
    const gpu = isObject(c.resources) ? ((c.resources.limits as Record<string, unknown> | undefined)?.["nvidia.com/gpu"] ?? (c.resources.requests as Record<string, unknown> | undefined)?.["nvidia.com/gpu"]) : undefined;
    if (gpu !== undefined && !(Number.isInteger(Number(gpu)) && Number(gpu) >= 0)) throw bad(`${path}.containers[${i}].resources.limits[nvidia.com/gpu]: Invalid value: must be a whole number`);
  });
  if (spec.nodeName !== undefined && typeof spec.nodeName !== "string") throw bad(`${path}.nodeName: Invalid value`);
}

/** Deployment/ReplicaSet checks: a selector that matches the template's labels, and a valid pod template. */
function validateWorkload(resource: string, name: string, spec: { selector?: unknown; template?: unknown }): void {
  const what = `${resource} "${name}"`;
  const sel = isObject(spec.selector) ? spec.selector.matchLabels : undefined;
  if (!isObject(sel) || Object.keys(sel).length === 0 || Object.values(sel).some((v) => typeof v !== "string")) throw new ApiError(422, "Invalid", `${what} is invalid: spec.selector.matchLabels: Required value`);
  const tpl = spec.template;
  const labels = isObject(tpl) && isObject(tpl.metadata) ? tpl.metadata.labels : undefined;
  if (!isObject(labels) || Object.entries(sel).some(([k, v]) => labels[k] !== v)) throw new ApiError(422, "Invalid", `${what} is invalid: spec.template.metadata.labels: Invalid value: \`selector\` does not match template \`labels\``);
  validatePodSpec(isObject(tpl) ? tpl.spec : undefined, what, "spec.template.spec");
}

export class ClusterModel {
  readonly profile: LatencyProfile;
  readonly epochMs: number;
  readonly namespace: string;
  readonly queue = new EventQueue(0);
  readonly store: ObjectStore;
  private readonly rng: Rng;
  private readonly rngSched: Rng;
  private readonly rngPop: Rng;
  private readonly cfg: Required<Omit<ClusterConfig, "profile" | "seed" | "epochMs" | "imageCached">> & { imageCached: boolean };
  private nodes: NodeState[] = [];
  private providers = new Map<string, ProviderState>(); // by pod key
  private requesters = new Map<string, RequesterState>(); // by pod key
  private generic = new Map<string, GenericPodState>();
  private truths: ActuationTruth[] = [];
  private podLogs = new Map<string, LogLine[]>();
  private pendingPods: string[] = [];
  private dpcPod = "";
  private lpcPod = "";
  private ipCounter = 10;
  private actuationHist = new Histogram("fma_actuation_seconds", "Time from requester container start to the first readiness relay, by actuation path.", ACTUATION_BUCKETS);
  private launcherCreateHist = new Histogram("fma_launcher_create_seconds", "Latency of the launcher pod create API call.", LAUNCHER_CREATE_BUCKETS);
  private readonly workloads: WorkloadControllers;

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
    const root = makeRng(config.seed ?? 1);
    this.rng = root.split(STREAMS.clusterSteps);
    this.rngSched = root.split(STREAMS.clusterScheduler);
    this.rngPop = root.split(STREAMS.clusterPopulator);
    this.store = new ObjectStore(root.split(STREAMS.clusterNames), () => this.epochMs + this.queue.now, { historyLimit: this.cfg.historyLimit, recordLog: this.cfg.recordLog });
    const model = this;
    this.workloads = new WorkloadControllers({
      store: this.store, queue: this.queue, epochMs: this.epochMs,
      get now() { return model.now; },
      toEpochMs: (v) => this.toEpochMs(v),
      event: (obj, type, reason, message, component) => this.event(obj, type, reason, message, component),
      apiCreate: (resource, namespace, body) => this.apiCreate(resource, namespace, body),
      deletePod: (pod) => { this.deletePod(pod); },
    });
    for (const ns of ["default", "kube-system", "kube-public", this.namespace]) {
      if (!this.store.get("namespaces", undefined, ns)) this.store.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } });
    }
    if (this.cfg.createDefaults) this.createDefaults();
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
    return this.truths.map((t) => structuredClone(t));
  }

  /** Every store event as a JSON line (needs `recordLog: true`). */
  eventLog(): string[] {
    if (!this.store.log) throw new Error("eventLog() needs the cluster created with recordLog: true");
    return this.store.log.slice();
  }

  /** The DPC pod's name (its log holds the "HTTP call done" lines). */
  get dpcPodName(): string {
    return this.dpcPod;
  }

  /** Log lines of a pod with their virtual times; undefined for an unknown pod. */
  podLog(namespace: string, name: string): { t: number; text: string }[] | undefined {
    const log = this.podLogs.get(podKey(namespace, name));
    return log ? log.map((l) => ({ t: l.t, text: l.text })) : undefined;
  }

  /** Node names and their GPU UUIDs. */
  nodeGpus(): { node: string; gpus: string[] }[] {
    return this.nodes.map((n) => ({ node: n.name, gpus: n.gpus.slice() }));
  }

  /** vLLM instances per launcher (for tests and notebooks). */
  instances(): { launcher: string; id: string; gpus: string[]; status: InstanceStatus }[] {
    const out: { launcher: string; id: string; gpus: string[]; status: InstanceStatus }[] = [];
    for (const p of this.providers.values()) for (const i of p.instances.values()) out.push({ launcher: p.name, id: i.id, gpus: i.gpus.slice(), status: i.status });
    return out;
  }

  /** Prometheus text exposition of the DPC metrics and vLLM sleep state. */
  metricsText(): string {
    const lines: string[] = [this.actuationHist.render(), this.launcherCreateHist.render()];
    lines.push("# HELP fma_duality 1 while a requester is bound to a provider.", "# TYPE fma_duality gauge");
    for (const r of this.requesters.values()) {
      if (!r.truth || !r.provider || r.unbinding) continue;
      lines.push(`fma_duality${promLabels({ exported_namespace: r.namespace, requester_name: r.name, exported_pod: r.provider, exported_container: "inference-server", instance_id: r.truth.instanceId, UUID: r.gpus.join(","), node: r.node ?? "" })} 1`);
    }
    lines.push("# HELP fma_launcher_pod_count Launcher pods by phase.", "# TYPE fma_launcher_pod_count gauge");
    let bound = 0, unbound = 0;
    for (const p of this.providers.values()) if (p.kind === "launcher") (p.boundTo ? bound++ : unbound++);
    lines.push(`fma_launcher_pod_count{lcfg_name="default",phase="bound"} ${bound}`, `fma_launcher_pod_count{lcfg_name="default",phase="unbound"} ${unbound}`);
    lines.push("# HELP vllm:engine_sleep_state Engine sleep state; awake=0 means sleeping.", "# TYPE vllm:engine_sleep_state gauge");
    const keys = [...this.providers.keys()].sort();
    for (const k of keys) {
      const p = this.providers.get(k)!;
      const insts: { id: string; status: InstanceStatus }[] = p.kind === "launcher" ? [...p.instances.values()] : [{ id: p.nominal ?? "", status: p.sleeping ? "sleeping" : p.ready ? "awake" : "starting" }];
      for (const i of insts) {
        if (i.status === "stopped") continue;
        const base = { pod: p.name, namespace: p.namespace, instance_id: i.id, model_name: this.profile.model.name };
        const asleep = i.status === "sleeping";
        lines.push(`vllm:engine_sleep_state${promLabels({ ...base, sleep_state: "awake" })} ${asleep ? 0 : 1}`);
        lines.push(`vllm:engine_sleep_state${promLabels({ ...base, sleep_state: "weights_offloaded" })} ${asleep ? 1 : 0}`);
        lines.push(`vllm:engine_sleep_state${promLabels({ ...base, sleep_state: "discard_all" })} 0`);
      }
    }
    return lines.join("\n") + "\n";
  }

  // ── setup and scenario helpers ─────────────────────────────────────────────────────────────

  private createDefaults(): void {
    const ns = this.namespace;
    const uuidRng = makeRng(`${this.store.newUid()}`).split(STREAMS.clusterGpus);
    for (let i = 0; i < this.cfg.nodes; i++) {
      const name = `node-${i}`;
      const gpus = Array.from({ length: this.cfg.gpusPerNode }, () => {
        const h = () => uuidRng.nextUint32().toString(16).padStart(8, "0");
        const a = h(), b = h(), c = h(), d = h();
        return `GPU-${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
      });
      const node: NodeState = { name, index: i, gpus, alloc: new Map(), images: new Set(this.cfg.imageCached ? ["launcher", "vllm"] : []), ip: `10.0.${i}.1` };
      this.nodes.push(node);
      this.store.create("nodes", {
        apiVersion: "v1", kind: "Node",
        metadata: { name, labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "nvidia.com/gpu.product": this.profile.gpu.product, "nvidia.com/gpu.count": String(this.cfg.gpusPerNode) }, annotations: { "actuation-lab/gpu-uuids": gpus.join(",") } },
        spec: {},
        status: {
          capacity: { cpu: "96", memory: "2113470Mi", "nvidia.com/gpu": String(this.cfg.gpusPerNode), pods: "250" },
          allocatable: { cpu: "95", memory: "2100000Mi", "nvidia.com/gpu": String(this.cfg.gpusPerNode), pods: "250" },
          conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: isoSeconds(this.epochMs), lastTransitionTime: isoSeconds(this.epochMs) }],
          addresses: [{ type: "InternalIP", address: node.ip }, { type: "Hostname", address: name }],
          nodeInfo: { kubeletVersion: "v1.32.4", containerRuntimeVersion: "containerd://1.7.27", operatingSystem: "linux", architecture: "amd64", osImage: "actuation-lab simulated node", kernelVersion: "6.8.0", kubeProxyVersion: "v1.32.4", machineID: "", systemUUID: "", bootID: "" },
        },
      });
    }
    this.store.create("launcherconfigs", {
      apiVersion: `${FMA_GROUP}/${FMA_VERSION}`, kind: "LauncherConfig",
      metadata: { name: "default", namespace: ns },
      spec: {
        maxInstances: this.cfg.maxInstances,
        podTemplate: { metadata: { labels: {}, annotations: {} }, spec: { containers: [{ name: "inference-server", image: "ghcr.io/llm-d-incubation/llm-d-fast-model-actuation/launcher:v0.6.4", ports: [{ containerPort: 8001 }] }] } },
      },
      status: { observedGeneration: 1, errors: [] },
    });
    this.store.create("inferenceserverconfigs", {
      apiVersion: `${FMA_GROUP}/${FMA_VERSION}`, kind: "InferenceServerConfig",
      metadata: { name: "default", namespace: ns },
      spec: {
        launcherConfigName: "default",
        modelServerConfig: { port: this.cfg.iscPort, options: `--model ${this.profile.model.name} --enable-sleep-mode --no-enable-prefix-caching --load-format auto --gpu-memory-utilization 0.825 --tensor-parallel-size ${this.profile.model.tensorParallel}`, env_vars: {}, labels: { "llm-d.ai/inference-serving": "true" }, annotations: {} },
      },
      status: { observedGeneration: 1, errors: [] },
    });
    this.dpcPod = this.createControllerPod("fma-controllers-dual-pods-controller", "dual-pods-controller", "ghcr.io/llm-d-incubation/llm-d-fast-model-actuation/dual-pods-controller:v0.6.4");
    this.lpcPod = this.createControllerPod("fma-controllers-launcher-populator", "launcher-populator", "ghcr.io/llm-d-incubation/llm-d-fast-model-actuation/launcher-populator:v0.6.4");
    this.appendLog(this.namespace, this.dpcPod, 0, klogLine(this.epochMs, "main.go:120", "Starting dual-pods controller", { sleeperLimit: this.cfg.sleeperLimit, version: "v0.6.4" }));
    for (const node of this.nodes) for (let i = 0; i < this.cfg.launchersPerNode; i++) this.populateLauncher(node.name);
  }

  private createControllerPod(prefix: string, component: string, image: string): string {
    const name = `${prefix}-${this.store.newSuffix()}${this.store.newSuffix()}`.slice(0, prefix.length + 17);
    const t = isoSeconds(this.epochMs);
    this.store.create("pods", {
      apiVersion: "v1", kind: "Pod",
      metadata: { name, namespace: this.namespace, labels: { [FMA.component]: component, "app.kubernetes.io/name": "fma-controllers" } },
      spec: { containers: [{ name: "manager", image }], nodeName: this.nodes[0]?.name ?? "node-0", restartPolicy: "Always" },
      status: {
        phase: "Running", hostIP: this.nodes[0]?.ip ?? "10.0.0.1", podIP: this.nextIp(), startTime: t,
        conditions: ["Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({ type, status: "True", lastProbeTime: null, lastTransitionTime: t })),
        containerStatuses: [{ name: "manager", image, imageID: image, ready: true, started: true, restartCount: 0, state: { running: { startedAt: t } } }],
      },
    });
    this.podLogs.set(podKey(this.namespace, name), []);
    return name;
  }

  private nextIp(): string {
    const n = this.ipCounter++;
    return `10.244.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`;
  }

  private appendLog(namespace: string, pod: string, t: number, text: string): void {
    const k = podKey(namespace, pod);
    let log = this.podLogs.get(k);
    if (!log) this.podLogs.set(k, (log = []));
    log.push({ t, text });
  }

  private dpcLog(t: number, text: string): void {
    this.appendLog(this.namespace, this.dpcPod, t, text);
  }

  /**
   * The launcher populator creates an unbound launcher on `node` now (or at virtual time `at`).
   * Returns the launcher's name once created (synchronously when `at` is now or omitted).
   */
  populateLauncher(node: string, at?: number): string | undefined {
    let created: string | undefined;
    const doIt = () => { created = this.createLauncherPod(node, undefined, this.rngPop); };
    if (at === undefined || at <= this.now) doIt();
    else this.queue.at(at, doIt);
    return created;
  }

  /** A requester Deployment (launcher mode by default, direct mode with `serverPatch`). */
  requesterDeployment(name: string, opts: RequesterDeploymentOptions = {}): KObject {
    const base = { app: name, ...(opts.labels ?? {}) };
    const labels = () => ({ ...base });
    const annotations: Record<string, string> = opts.serverPatch ? { [FMA.serverPatch]: opts.serverPatch } : { [FMA.iscAnnotation]: opts.isc ?? "default" };
    return {
      apiVersion: "apps/v1", kind: "Deployment",
      metadata: { name, namespace: opts.namespace ?? this.namespace, labels: labels() },
      spec: {
        replicas: opts.replicas ?? 0,
        selector: { matchLabels: labels() },
        template: {
          metadata: { labels: labels(), annotations },
          spec: {
            containers: [{
              name: "inference-server",
              image: "ghcr.io/llm-d-incubation/llm-d-fast-model-actuation/requester:v0.6.4",
              ports: [{ name: "probes", containerPort: 8080 }, { name: "spi", containerPort: 8081 }],
              readinessProbe: { httpGet: { path: "/ready", port: 8080 }, initialDelaySeconds: this.profile.requesterProbe.initialDelayMs / 1000, periodSeconds: this.profile.requesterProbe.periodMs / 1000 },
              resources: { limits: { "nvidia.com/gpu": String(opts.gpus ?? this.profile.model.tensorParallel), cpu: "200m", memory: "250Mi" }, requests: { "nvidia.com/gpu": String(opts.gpus ?? this.profile.model.tensorParallel), cpu: "200m", memory: "250Mi" } },
            }],
          },
        },
      },
    };
  }

  // ── the API surface the server calls ───────────────────────────────────────────────────────

  /** Creates an object as a client would (POST). Returns the stored object. Errors are `ApiError`. */
  apiCreate(resource: string, namespace: string | undefined, body: KObject): KObject {
    const meta = body.metadata ?? ({} as KObject["metadata"]);
    body.metadata = meta;
    if (namespace !== undefined) {
      if (!this.store.get("namespaces", undefined, namespace)) throw new ApiError(404, "NotFound", `namespaces "${namespace}" not found`);
      if (meta.namespace && meta.namespace !== namespace) throw new ApiError(400, "BadRequest", `the namespace of the provided object does not match the namespace sent on the request`);
      meta.namespace = namespace;
    }
    if (!meta.name) {
      if (!meta.generateName) throw new ApiError(422, "Invalid", `${resource}: metadata.name or metadata.generateName is required`);
      let name = "";
      do name = `${meta.generateName}${this.store.newSuffix()}`; while (this.store.get(resource, namespace, name));
      meta.name = name;
    }
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(meta.name) || meta.name.length > 253) throw new ApiError(422, "Invalid", `${resource} "${meta.name}" is invalid: metadata.name: must be a lowercase RFC 1123 subdomain`);
    if (this.store.get(resource, namespace, meta.name)) throw new ApiError(409, "AlreadyExists", `${resource} "${meta.name}" already exists`);
    delete meta.resourceVersion;
    delete meta.uid;
    delete meta.deletionTimestamp;
    if (resource === "pods") {
      validatePodSpec(body.spec, `pods "${meta.name}"`, "spec");
      body.status = { phase: "Pending", qosClass: "Burstable" };
      const obj = this.store.create(resource, body);
      this.onPodCreated(obj);
      return obj;
    }
    if (resource === "deployments" || resource === "replicasets") {
      const spec = (body.spec ?? {}) as { replicas?: number; selector?: unknown; template?: unknown };
      if (spec.replicas === undefined) spec.replicas = 1;
      if (!Number.isInteger(spec.replicas) || spec.replicas < 0) throw new ApiError(422, "Invalid", `${resource} "${meta.name}" is invalid: spec.replicas: must be a non-negative integer`);
      if (!spec.template || !spec.selector) throw new ApiError(422, "Invalid", `${resource} "${meta.name}" is invalid: spec.selector and spec.template are required`);
      validateWorkload(resource, meta.name, spec);
      body.spec = spec;
      body.status = {};
      const obj = this.store.create(resource, body);
      this.workloads.kick(resource, obj);
      return obj;
    }
    if (resource === "events" && !body.metadata.name) body.metadata.name = `event.${this.store.newSuffix()}`;
    return this.store.create(resource, body);
  }

  /** Replaces an object (PUT or a patch's result). `resourceVersion`, when given, must match. */
  apiReplace(resource: string, namespace: string | undefined, name: string, body: KObject, subresource?: string): KObject {
    const cur = this.store.get(resource, namespace, name);
    if (!cur) throw new ApiError(404, "NotFound", `${resource} "${name}" not found`);
    if (body.metadata?.resourceVersion && body.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    const next: KObject = deepCopy((body)) as KObject;
    next.apiVersion = cur.apiVersion;
    next.kind = cur.kind;
    // Immutable and server-owned metadata.
    next.metadata = { ...next.metadata, name: cur.metadata.name, namespace: cur.metadata.namespace, uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp };
    if (cur.metadata.deletionTimestamp) next.metadata.deletionTimestamp = cur.metadata.deletionTimestamp;
    if (cur.metadata.generation !== undefined) {
      const specChanged = JSON.stringify(next.spec) !== JSON.stringify(cur.spec);
      next.metadata.generation = cur.metadata.generation + (specChanged && subresource !== "status" ? 1 : 0);
    }
    if (subresource !== "status" && cur.status !== undefined && resource !== "inferenceserverconfigs" && resource !== "launcherconfigs") next.status = cur.status;
    if (resource === "pods") {
      // Pod spec is immutable apart from a few fields; keep the stored spec.
      next.spec = cur.spec;
    }
    if (resource === "deployments" || resource === "replicasets") {
      validateWorkload(resource, name, (next.spec ?? {}) as { selector?: unknown; template?: unknown });
      const r = (next.spec as { replicas?: unknown } | undefined)?.replicas;
      if (r !== undefined && (!Number.isInteger(r) || (r as number) < 0)) throw new ApiError(422, "Invalid", `${resource} "${name}" is invalid: spec.replicas: must be a non-negative integer`);
    }
    const obj = this.store.update(resource, next);
    if (resource === "deployments" || resource === "replicasets") this.workloads.kick(resource, obj);
    if (resource === "pods") this.maybeFinishPodDeletion(podKey(namespace, name));
    return obj;
  }

  /** Deletes (DELETE). Objects with finalizers get a deletionTimestamp and stay until those are removed. */
  apiDelete(resource: string, namespace: string | undefined, name: string, gracePeriodSeconds?: number): KObject {
    const cur = this.store.get(resource, namespace, name);
    if (!cur) throw new ApiError(404, "NotFound", `${resource} "${name}" not found`);
    if (resource === "pods") return this.deletePod(cur, gracePeriodSeconds);
    if (resource === "deployments" || resource === "replicasets") {
      const removed = this.store.remove(resource, namespace, name)!;
      // Garbage collection of dependents (background propagation).
      this.queue.after(CONTROLLER_MS, () => this.workloads.collectOrphans(cur));
      return removed;
    }
    if (resource === "namespaces") throw new ApiError(405, "MethodNotAllowed", "deleting namespaces is not supported by the embedded cluster");
    return this.store.remove(resource, namespace, name)!;
  }

  // ── workloads: Deployment → ReplicaSet → Pods ──────────────────────────────────────────────

  /** Scales a Deployment or ReplicaSet (what `kubectl scale` and the scale subresource do). */
  scale(resource: "deployments" | "replicasets", namespace: string, name: string, replicas: number): KObject {
    const cur = this.store.get(resource, namespace, name);
    if (!cur) throw new ApiError(404, "NotFound", `${resource} "${name}" not found`);
    const next = deepCopy((cur)) as KObject;
    (next.spec as { replicas: number }).replicas = replicas;
    delete next.metadata.resourceVersion;
    return this.apiReplace(resource, namespace, name, next);
  }

  // ── Events ─────────────────────────────────────────────────────────────────────────────────

  /** A core/v1 Event. Scheduler-style events carry a µs `eventTime`; kubelet-style ones second-resolution timestamps. */
  private event(obj: KObject, type: "Normal" | "Warning", reason: string, message: string, component: string, micro = false): void {
    const ns = obj.metadata.namespace ?? "default";
    const t = this.toEpochMs(this.now);
    const name = `${obj.metadata.name}.${(hash32(`${reason}|${this.store.eventCount}|${this.now}`) * 65536 + (this.store.eventCount % 65536)).toString(16).padStart(16, "0").slice(-16)}`;
    this.store.create("events", {
      apiVersion: "v1", kind: "Event",
      metadata: { name, namespace: ns },
      involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: ns, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
      reason, message, type, count: micro ? undefined : 1,
      source: micro ? {} : { component, ...((obj.spec as { nodeName?: string } | undefined)?.nodeName && component === "kubelet" ? { host: (obj.spec as { nodeName: string }).nodeName } : {}) },
      firstTimestamp: micro ? null : isoSeconds(t),
      lastTimestamp: micro ? null : isoSeconds(t),
      eventTime: micro ? isoMicros(t) : null,
      reportingComponent: micro ? component : "",
      reportingInstance: micro ? `${component}-${this.nodes[0]?.name ?? "node-0"}` : "",
      ...(micro ? { action: "Binding" } : {}),
    }, true);
  }

  // ── pods: scheduler and kubelet ────────────────────────────────────────────────────────────

  private onPodCreated(pod: KObject): void {
    const k = podKey(pod.metadata.namespace, pod.metadata.name);
    const ann = pod.metadata.annotations ?? {};
    const isLauncherOrProvider = !!ann[FMA.launcherBased] || !!ann[FMA.nominal] || this.providers.has(k);
    if (!isLauncherOrProvider && (ann[FMA.iscAnnotation] || ann[FMA.serverPatch])) {
      const mode: ActuationMode = ann[FMA.iscAnnotation] ? "launcher" : "direct";
      const st: RequesterState = {
        key: k, uid: pod.metadata.uid!, namespace: pod.metadata.namespace!, name: pod.metadata.name, mode,
        ...(ann[FMA.iscAnnotation] ? { isc: ann[FMA.iscAnnotation] } : { patch: ann[FMA.serverPatch] }),
        gpuCount: Math.max(1, gpuRequest(pod)), gpus: [], created: this.now, deleting: false, waiting: false, decided: false, ready: false, unbinding: false, served: false, timers: [],
      };
      this.requesters.set(k, st);
    } else if (!this.providers.has(k)) {
      this.generic.set(k, { key: k, timers: [] });
    }
    if (!(pod.spec as { nodeName?: string }).nodeName) {
      this.pendingPods.push(k);
      this.queue.after(sampleStep(this.profile, "schedule", this.rng), () => this.trySchedule(k));
    }
  }

  private podByKey(k: string): KObject | undefined {
    const i = k.indexOf("/");
    return this.store.get("pods", k.slice(0, i) || undefined, k.slice(i + 1));
  }

  /**
   * Changes a pod through a copy: metadata maps and status are copied, the spec only at its top
   * level (its containers are never changed after creation), so history snapshots stay intact.
   */
  private patchPod(k: string, fn: (p: KObject) => void): KObject | undefined {
    const cur = this.podByKey(k);
    if (!cur) return undefined;
    const m = cur.metadata;
    const next: KObject = {
      ...cur,
      metadata: { ...m, ...(m.labels ? { labels: { ...m.labels } } : {}), ...(m.annotations ? { annotations: { ...m.annotations } } : {}), ...(m.finalizers ? { finalizers: [...m.finalizers] } : {}) },
      spec: { ...(cur.spec as object) },
      status: deepCopy(cur.status),
    };
    fn(next);
    return this.store.updateOwned("pods", next);
  }

  private pickNode(count: number): { node: NodeState; gpus: string[] } | undefined {
    const fits = this.nodes.filter((n) => n.gpus.length - n.alloc.size >= count);
    if (fits.length === 0) return undefined;
    const free = (n: NodeState) => n.gpus.length - n.alloc.size;
    const policy: PlacementPolicy = this.cfg.placement;
    // Score like kube-scheduler's MostAllocated (pack) / LeastAllocated (spread) and, as its
    // selectHost does, pick uniformly among the nodes that share the top score: the scheduler
    // knows nothing of sleeping instances, which is why placement moves the hot-hit rate.
    let node: NodeState;
    if (policy === "random") node = this.rngSched.pick(fits);
    else {
      const score = (n: NodeState) => (policy === "pack" ? -free(n) : free(n));
      const best = Math.max(...fits.map(score));
      const top = fits.filter((n) => score(n) === best);
      node = top.length === 1 ? top[0]! : this.rngSched.pick(top);
    }
    const gpus = node.gpus.filter((g) => !node.alloc.has(g)).slice(0, count);
    return { node, gpus };
  }

  private trySchedule(k: string): void {
    const pod = this.podByKey(k);
    if (!pod || pod.metadata.deletionTimestamp || (pod.spec as { nodeName?: string }).nodeName) {
      this.pendingPods = this.pendingPods.filter((p) => p !== k);
      return;
    }
    const count = gpuRequest(pod);
    const req = this.requesters.get(k);
    const choice = count > 0 ? this.pickNode(count) : { node: this.cfg.placement === "random" ? this.rngSched.pick(this.nodes) : this.nodes[0]!, gpus: [] };
    if (!choice || !choice.node) {
      const conds = (pod.status as { conditions?: unknown[] }).conditions;
      if (!conds || conds.length === 0) {
        this.patchPod(k, (p) => { (p.status as Record<string, unknown>).conditions = [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: `0/${this.nodes.length} nodes are available: ${this.nodes.length} Insufficient nvidia.com/gpu.`, lastProbeTime: null, lastTransitionTime: isoSeconds(this.toEpochMs(this.now)) }]; });
        this.event(pod, "Warning", "FailedScheduling", `0/${this.nodes.length} nodes are available: ${this.nodes.length} Insufficient nvidia.com/gpu.`, "default-scheduler", true);
      }
      return; // stays pending; retried when GPUs free up
    }
    this.pendingPods = this.pendingPods.filter((p) => p !== k);
    for (const g of choice.gpus) choice.node.alloc.set(g, k);
    const t = isoSeconds(this.toEpochMs(this.now));
    const updated = this.patchPod(k, (p) => {
      (p.spec as Record<string, unknown>).nodeName = choice.node.name;
      (p.status as Record<string, unknown>).conditions = [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: t }];
    })!;
    this.event(updated, "Normal", "Scheduled", `Successfully assigned ${updated.metadata.namespace}/${updated.metadata.name} to ${choice.node.name}`, "default-scheduler", true);
    if (req) {
      req.node = choice.node.name;
      req.gpus = choice.gpus;
      req.scheduled = this.now;
      req.timers.push(this.queue.after(sampleStep(this.profile, "containerStart", this.rng), () => this.startRequester(req)));
    } else {
      const g = this.generic.get(k);
      if (g) g.timers.push(this.queue.after(sampleStep(this.profile, "containerStart", this.rng), () => this.startGenericPod(k)));
    }
  }

  private retryPending(): void {
    for (const k of this.pendingPods.slice()) this.trySchedule(k);
  }

  private markRunning(k: string, startedAt: number, ready: boolean): KObject | undefined {
    const node = this.nodes.find((n) => n.name === (this.podByKey(k)?.spec as { nodeName?: string } | undefined)?.nodeName);
    const t = isoSeconds(this.toEpochMs(startedAt));
    const pod = this.patchPod(k, (p) => {
      const st = p.status as Record<string, unknown>;
      const sched = ((st.conditions as { type: string; lastTransitionTime: string }[] | undefined) ?? []).find((c) => c.type === "PodScheduled")?.lastTransitionTime ?? t;
      st.phase = "Running";
      st.hostIP = node?.ip ?? "10.0.0.1";
      st.podIP = (st.podIP as string | undefined) ?? this.nextIp();
      st.podIPs = [{ ip: st.podIP }];
      st.startTime = sched;
      const rs = ready ? "True" : "False";
      st.conditions = [
        { type: "PodReadyToStartContainers", status: "True", lastProbeTime: null, lastTransitionTime: t },
        { type: "Initialized", status: "True", lastProbeTime: null, lastTransitionTime: sched },
        { type: "Ready", status: rs, lastProbeTime: null, lastTransitionTime: t, ...(ready ? {} : { reason: "ContainersNotReady", message: "containers with unready status: [inference-server]" }) },
        { type: "ContainersReady", status: rs, lastProbeTime: null, lastTransitionTime: t, ...(ready ? {} : { reason: "ContainersNotReady", message: "containers with unready status: [inference-server]" }) },
        { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: sched },
      ];
      const containers = ((p.spec as { containers?: { name: string; image?: string }[] }).containers) ?? [];
      st.containerStatuses = containers.map((c) => ({ name: c.name, image: c.image ?? "", imageID: c.image ?? "", containerID: `containerd://${hash32(`${p.metadata.uid}/${c.name}`).toString(16).padStart(8, "0")}`, ready, started: true, restartCount: 0, state: { running: { startedAt: t } } }));
    });
    if (pod) {
      const c = ((pod.spec as { containers?: { image?: string }[] }).containers ?? [])[0];
      this.event(pod, "Normal", "Pulled", `Container image "${c?.image ?? ""}" already present on machine`, "kubelet");
      this.event(pod, "Normal", "Created", "Created container: inference-server", "kubelet");
      this.event(pod, "Normal", "Started", "Started container inference-server", "kubelet");
    }
    return pod;
  }

  private markReady(k: string, at: number): void {
    const t = isoSeconds(this.toEpochMs(at));
    const pod = this.patchPod(k, (p) => {
      const st = p.status as { conditions: Record<string, unknown>[]; containerStatuses?: { ready: boolean }[] };
      for (const c of st.conditions) {
        if (c.type === "Ready" || c.type === "ContainersReady") {
          c.status = "True";
          c.lastTransitionTime = t;
          delete c.reason;
          delete c.message;
        }
      }
      for (const cs of st.containerStatuses ?? []) cs.ready = true;
    });
    if (pod) this.podStatusChanged(pod);
  }

  private statusDirty = new Set<string>();

  /** Marks the owning ReplicaSet's status stale; one recount per virtual instant, however many pods changed. */
  private podStatusChanged(pod: KObject, resync = false): void {
    const owner = pod.metadata.ownerReferences?.find((o) => o.kind === "ReplicaSet");
    if (!owner) return;
    const k = `${pod.metadata.namespace}/${owner.name}`;
    if (!this.statusDirty.has(k)) {
      this.statusDirty.add(k);
      this.queue.after(0, () => {
        this.statusDirty.delete(k);
        this.workloads.updateReplicaSetStatus(pod.metadata.namespace!, owner.name);
      });
    }
    const rs = resync ? this.store.get("replicasets", pod.metadata.namespace, owner.name) : undefined;
    if (rs) this.workloads.kick("replicasets", rs); // a deleted pod is replaced
  }

  private startGenericPod(k: string): void {
    const pod = this.podByKey(k);
    const g = this.generic.get(k);
    if (!pod || !g || pod.metadata.deletionTimestamp) return;
    g.started = this.now;
    const probe = ((pod.spec as { containers?: { readinessProbe?: { initialDelaySeconds?: number; periodSeconds?: number } }[] }).containers ?? [])[0]?.readinessProbe;
    this.markRunning(k, this.now, !probe);
    this.podStatusChanged(this.podByKey(k)!);
    if (probe) {
      const at = nextProbeTick({ initialDelayMs: (probe.initialDelaySeconds ?? 0) * 1000, periodMs: (probe.periodSeconds ?? 10) * 1000 }, this.now, this.now);
      g.timers.push(this.queue.at(at, () => this.markReady(k, at)));
    }
  }

  private deletePod(cur: KObject, gracePeriodSeconds?: number): KObject {
    const k = podKey(cur.metadata.namespace, cur.metadata.name);
    if (cur.metadata.deletionTimestamp) return cur;
    const next = deepCopy((cur)) as KObject;
    // As the API server does: the time after which the kubelet may kill the pod (now + grace period).
    next.metadata.deletionTimestamp = isoSeconds(this.toEpochMs(this.now) + (gracePeriodSeconds ?? 30) * 1000);
    next.metadata.deletionGracePeriodSeconds = gracePeriodSeconds ?? 30;
    const obj = this.store.update("pods", next);
    this.pendingPods = this.pendingPods.filter((p) => p !== k);
    const req = this.requesters.get(k);
    const prov = this.providers.get(k);
    if (req) this.onRequesterDeleting(req);
    else if (prov) this.onProviderDeleting(prov);
    else {
      const g = this.generic.get(k);
      for (const t of g?.timers ?? []) t.cancel();
    }
    if (!req) this.queue.after(gracePeriodSeconds === 0 ? 0 : TERMINATE_MS, () => this.maybeFinishPodDeletion(k, true));
    this.podStatusChanged(obj, true);
    return obj;
  }

  private terminated = new Set<string>();

  /** Removes a deleting pod once its containers stopped and its finalizers are gone. */
  private maybeFinishPodDeletion(k: string, containersStopped = false): void {
    if (containersStopped) this.terminated.add(k);
    const pod = this.podByKey(k);
    if (!pod || !pod.metadata.deletionTimestamp) return;
    if ((pod.metadata.finalizers ?? []).length > 0 || !this.terminated.has(k)) return;
    this.terminated.delete(k);
    this.store.remove("pods", pod.metadata.namespace, pod.metadata.name);
    for (const n of this.nodes) for (const [g, holder] of [...n.alloc]) if (holder === k) n.alloc.delete(g);
    this.requesters.delete(k);
    this.generic.delete(k);
    const prov = this.providers.get(k);
    if (prov) this.providers.delete(k);
    this.podStatusChanged(pod);
    this.retryPending();
  }

  // ── requesters and the DPC ─────────────────────────────────────────────────────────────────

  private startRequester(req: RequesterState): void {
    if (req.deleting) return;
    req.containerStarted = this.now;
    this.markRunning(req.key, this.now, false);
    req.timers.push(this.queue.after(sampleStep(this.profile, "dpcReact", this.rng), () => this.decide(req)));
  }

  private launchersOn(node: string, lcName: string): ProviderState[] {
    const out: ProviderState[] = [];
    for (const p of this.providers.values()) if (p.kind === "launcher" && p.node === node && p.lcName === lcName && !p.deleting) out.push(p);
    return out;
  }

  private spec<T>(resource: string, ns: string, name: string): T | undefined {
    return this.store.get(resource, ns, name)?.spec as T | undefined;
  }

  private setRequesterStatusError(req: RequesterState, msg: string): void {
    this.patchPod(req.key, (p) => { p.metadata.annotations = { ...(p.metadata.annotations ?? {}), [FMA.status]: JSON.stringify({ Errors: [msg] }) }; });
  }

  /** The DPC's decision for a running requester (fma.md §1.5). */
  private decide(req: RequesterState): void {
    if (req.decided) return;
    if (req.deleting) return this.finishRequesterDeletion(req);
    req.waiting = false;
    const node = req.node!;
    if (req.mode === "direct") return this.decideDirect(req, node);
    const isc = this.spec<{ launcherConfigName: string; modelServerConfig: { port: number } }>("inferenceserverconfigs", req.namespace, req.isc!);
    if (!isc) {
      this.setRequesterStatusError(req, `InferenceServerConfig "${req.isc}" not found`);
      req.timers.push(this.queue.after(5_000, () => this.decide(req)));
      return;
    }
    const lc = this.spec<{ maxInstances: number }>("launcherconfigs", req.namespace, isc.launcherConfigName);
    if (!lc) {
      this.setRequesterStatusError(req, `LauncherConfig "${isc.launcherConfigName}" not found`);
      req.timers.push(this.queue.after(5_000, () => this.decide(req)));
      return;
    }
    const id = instanceIdFor(isc.modelServerConfig, req.gpus);
    const port = isc.modelServerConfig.port;
    const candidates = this.launchersOn(node, isc.launcherConfigName).filter((p) => !p.boundTo);
    const ready = candidates.filter((p) => p.ready);
    let path: ActuationPath;
    let chosen: ProviderState | undefined;
    let victims: InstanceState[] = [];
    chosen = ready.find((p) => { const i = p.instances.get(id); return !!i && i.status !== "stopped"; });
    if (chosen) path = "hot";
    else {
      chosen = ready.find((p) => ![...p.instances.values()].some((i) => i.port === port && i.status !== "stopped") && p.instances.size <= lc.maxInstances - 1);
      if (chosen) path = "warm";
      else {
        let best: { p: ProviderState; v: InstanceState[]; lru: number } | undefined;
        for (const p of ready) {
          const insts = [...p.instances.values()].filter((i) => i.status !== "stopped");
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
  private budgetEvictions(node: string, gpus: string[], already: Set<string>): InstanceState[] {
    const sleepers: InstanceState[] = [];
    for (const p of this.providers.values()) {
      if (p.node !== node || p.kind !== "launcher") continue;
      for (const i of p.instances.values()) if (i.status === "sleeping" && !already.has(i.id) && i.gpus.some((g) => gpus.includes(g))) sleepers.push(i);
    }
    sleepers.sort((a, b) => a.lastUsed - b.lastUsed);
    const out: InstanceState[] = [];
    for (const g of gpus) {
      const on = sleepers.filter((s) => s.gpus.includes(g) && !out.includes(s));
      let extra = on.length - Math.max(0, this.cfg.sleeperLimit - 1);
      for (const s of on) { if (extra <= 0) break; out.push(s); extra--; }
    }
    return out;
  }

  private decideDirect(req: RequesterState, node: string): void {
    const nominal = nominalHashFor(req.patch ?? "", node, req.gpus);
    let chosen: ProviderState | undefined;
    for (const p of this.providers.values()) if (p.kind === "direct" && p.nominal === nominal && !p.deleting && !p.boundTo) chosen = p;
    req.decided = true;
    if (chosen) return this.runActuation(req, "hot", "direct", chosen, nominal, 0, [], []);
    // Sleeper budget: delete LRU sleeping direct providers on these GPUs.
    const sleepers = [...this.providers.values()].filter((p) => p.kind === "direct" && p.node === node && p.sleeping && !p.boundTo && !p.deleting && p.gpus!.some((g) => req.gpus.includes(g)));
    const evict = sleepers.slice(0, Math.max(0, sleepers.length - Math.max(0, this.cfg.sleeperLimit - 1)));
    for (const p of evict) this.deleteProviderPod(p);
    this.runActuation(req, "cold", "direct", undefined, nominal, 0, [], []);
  }

  private bindRequester(req: RequesterState, provider: string, instanceId: string): void {
    this.patchPod(req.key, (p) => {
      p.metadata.labels = { ...(p.metadata.labels ?? {}), [FMA.dual]: provider, ...(req.mode === "launcher" ? { [FMA.instance]: instanceId } : {}) };
      p.metadata.annotations = { ...(p.metadata.annotations ?? {}), [FMA.accelerators]: req.gpus.join(",") };
    });
  }

  private bindProviderPod(prov: ProviderState, req: RequesterState, instanceId: string, port: number): void {
    this.patchPod(podKey(prov.namespace, prov.name), (p) => {
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

  private runActuation(req: RequesterState, path: ActuationPath, mode: ActuationMode, chosen: ProviderState | undefined, instanceId: string, port: number, victims: InstanceState[], evicted: InstanceState[]): void {
    const node = this.nodes.find((n) => n.name === req.node)!;
    const imageKey = mode === "launcher" ? "launcher" : "vllm";
    const cached = node.images.has(imageKey);
    const r = this.rng.split(`actuation-${this.truths.length}`);
    const tl: Omit<ActuationTimeline, "requesterScheduled" | "containerStarted"> = sampleRemainder(this.profile, path, r, { decided: this.now, containerStarted: req.containerStarted! }, { mode, imageCached: cached, instancesDeleted: victims.length + evicted.length });
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
    this.patchPod(req.key, (p) => { p.metadata.finalizers = [...new Set([...(p.metadata.finalizers ?? []), FMA.requesterFinalizer])]; });
    const at = (t: number | undefined, fn: () => void) => { if (t !== undefined) req.timers.push(this.queue.at(t, fn)); };
    const base = { requesterName: req.name, serverUID: req.uid };
    const epoch = this.epochMs;

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
          const lp = [...this.providers.values()].find((p) => p.name === v.launcher);
          if (!lp || !lp.instances.has(v.id)) return;
          lp.instances.delete(v.id);
          this.appendLog(lp.namespace, lp.name, end, launcherLine(this.toEpochMs(end), `Stopped vLLM instance ${v.id}`));
          this.dpcLog(end, httpCallDone(epoch, { ...base, purpose: "delete_instance", method: "DELETE", url: `http://${lp.ip}:8001/v2/vllm/instances/${v.id}`, startMs: start, endMs: end, statusCode: 200, err: null }));
        });
      }
    }

    if (path === "cold_launcher" || (mode === "direct" && path === "cold")) {
      at(tl.providerCreated, () => {
        const name = mode === "launcher" ? this.createLauncherPod(node.name, req, r, instanceId, port) : this.createDirectProvider(req, instanceId);
        truth.provider = name;
        if (mode === "launcher") { truth.launcher = name; truth.launcherPrecreated = false; truth.launcherCreated = this.now; truth.launcherCreateStart = tl.providerCreateStart!; }
        truth.providerCreated = this.now;
        const prov = this.provNamed(name)!;
        prov.boundTo = req.uid;
        req.provider = name;
        this.bindRequester(req, name, instanceId);
        this.dpcLog(this.now, klogLine(this.toEpochMs(this.now), "inference-server.go:1936", mode === "launcher" ? "Created launcher-based server-providing pod" : "Created server-providing pod", { ...base, pod: name, node: node.name, k8sCallStartTime: this.isoNano(tl.providerCreateStart!) }));
        if (mode === "launcher") this.launcherCreateHist.observe({ exported_namespace: req.namespace, lcfg_name: "default", success: "true" }, (this.now - tl.providerCreateStart!) / 1000);
      });
      at(tl.providerScheduled, () => {
        const k = podKey(req.namespace, truth.provider);
        const t = isoSeconds(this.toEpochMs(this.now));
        const pod = this.patchPod(k, (p) => { (p.status as Record<string, unknown>).conditions = [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: t }]; });
        if (pod) this.event(pod, "Normal", "Scheduled", `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node.name}`, "default-scheduler", true);
      });
      at(tl.providerContainerStarted, () => {
        const k = podKey(req.namespace, truth.provider);
        const prov = this.providers.get(k);
        if (prov) prov.containerStarted = this.now;
        this.markRunning(k, this.now, false);
        if (mode === "launcher") this.appendLog(req.namespace, truth.provider, this.now, launcherLine(this.toEpochMs(this.now), "Launcher starting on port 8001"));
        else this.appendLog(req.namespace, truth.provider, this.now, vllmLine(this.toEpochMs(this.now), instanceId, "api_server.py:1090", `non-default args: {'model': '${this.profile.model.name}', 'enable_sleep_mode': True}`));
      });
      at(tl.providerReady, () => {
        const k = podKey(req.namespace, truth.provider);
        const prov = this.providers.get(k);
        if (prov) { prov.ready = true; prov.readyAt = this.now; }
        this.markReady(k, this.now);
        if (mode === "launcher") truth.launcherReady = this.now;
        truth.providerReady = this.now;
      });
    }

    if (tl.instanceCreateStart !== undefined && mode === "launcher") {
      const createStart = tl.instanceCreateStart;
      at(createStart, () => {
        const prov = this.provNamed(truth.provider);
        if (!prov) return;
        prov.instances.set(instanceId, { id: instanceId, gpus: req.gpus.slice(), port, isc: req.isc!, status: "starting", lastUsed: this.now, launcher: prov.name });
        truth.instanceCreateStart = this.now;
        this.appendLog(prov.namespace, prov.name, this.now, launcherLine(this.toEpochMs(this.now), `Accepted request to create vLLM instance with id=${instanceId}`));
        this.appendLog(prov.namespace, prov.name, this.now, vllmLine(this.toEpochMs(this.now), instanceId, "api_server.py:1090", `non-default args: {'model': '${this.profile.model.name}', 'port': ${port}, 'enable_sleep_mode': True}`));
      });
      at(tl.instanceCreateCallEnd, () => {
        const prov = this.provNamed(truth.provider);
        this.dpcLog(this.now, httpCallDone(epoch, { ...base, purpose: "create_instance", method: "PUT", url: `http://${prov?.ip ?? ""}:8001/v2/vllm/instances/${instanceId}`, startMs: createStart, endMs: this.now, statusCode: 201, err: null }));
      });
    }
    if (tl.instanceReady !== undefined) {
      const loadMs = tl.instanceReady - (tl.instanceCreateStart ?? tl.instanceReady);
      at(tl.instanceReady, () => {
        const prov = this.provNamed(truth.provider);
        if (!prov) return;
        const inst = prov.instances.get(instanceId);
        if (inst) inst.status = "awake";
        truth.instanceReady = this.now;
        const gb = (this.profile.model.weightBytes / this.profile.model.tensorParallel / 1024 ** 3).toFixed(4);
        const t = this.toEpochMs(this.now);
        this.appendLog(prov.namespace, prov.name, this.now, vllmLine(t, instanceId, "gpu_model_runner.py:2007", `Model loading took ${gb} GB and ${secs2(loadMs * 0.45)} seconds`));
        this.appendLog(prov.namespace, prov.name, this.now, vllmLine(t, instanceId, "backends.py:215", `torch.compile takes ${secs2(loadMs * 0.3)} s in total`));
        this.appendLog(prov.namespace, prov.name, this.now, vllmLine(t, instanceId, "api_server.py:1880", `Starting vLLM API server 0 on http://0.0.0.0:${port || 8000}`));
      });
    }
    if (tl.instanceCreateCallEnd !== undefined && tl.relayStart !== undefined && mode === "launcher") {
      // The DPC's is_sleeping polls: errors while the instance loads, retried every 5 s.
      for (let t = tl.instanceCreateCallEnd; t < tl.relayStart; t += this.profile.isSleepingRetryMs) {
        const ok = t >= (tl.instanceReady ?? 0);
        const start = t;
        const end = ok ? tl.relayStart : t + 1;
        at(end, () => {
          const prov = this.provNamed(truth.provider);
          this.dpcLog(this.now, httpCallDone(epoch, { ...base, purpose: "query_sleeping", method: "GET", url: `http://${prov?.ip ?? ""}:${port}/is_sleeping`, startMs: start, endMs: end, statusCode: ok ? 200 : 0, err: ok ? null : `Get "http://${prov?.ip ?? ""}:${port}/is_sleeping": dial tcp ${prov?.ip ?? ""}:${port}: connect: connection refused` }));
        });
      }
    }
    if (tl.wakeStart !== undefined && tl.wakeEnd !== undefined) {
      const ws = tl.wakeStart, we = tl.wakeEnd;
      at(we, () => {
        const prov = this.provNamed(chosen!.name);
        if (!prov) return;
        truth.wakeStart = ws;
        truth.wakeEnd = we;
        if (mode === "launcher") { const inst = prov.instances.get(instanceId); if (inst) { inst.status = "awake"; inst.lastUsed = this.now; } }
        else prov.sleeping = false;
        const url = `http://${prov.ip}:${port || 8000}`;
        this.dpcLog(this.now, httpCallDone(epoch, { ...base, purpose: "query_sleeping", method: "GET", url: `${url}/is_sleeping`, startMs: tl.decided, endMs: ws, statusCode: 200, err: null }));
        this.appendLog(prov.namespace, prov.name, this.now, vllmLine(this.toEpochMs(this.now), instanceId, "gpu_worker.py:130", `It took ${(( we - ws) / 1000).toFixed(6)} seconds to wake up tags ['weights', 'kv_cache'].`));
        this.dpcLog(this.now, httpCallDone(epoch, { ...base, purpose: "wake", method: "POST", url: `${url}/wake_up`, startMs: ws, endMs: we, statusCode: 200, err: null }));
        this.setSleepingLabel(prov, false);
      });
    }
    at(tl.relayStart, () => {
      if (req.deleting) return; // scale-down overtook the actuation: no relay; the unbind runs instead
      const prov = this.provNamed(truth.provider);
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
      const prov = this.provNamed(truth.provider);
      if (prov && mode === "launcher") this.applyRoutingLabels(prov, true);
    });
    at(tl.requesterReady, () => {
      if (req.deleting) return;
      truth.requesterReady = this.now;
      truth.outcome = "ready";
      req.ready = true;
      this.markReady(req.key, this.now);
    });
  }

  private isoNano(v: number): string {
    return new Date(this.toEpochMs(v)).toISOString().replace(/\.(\d{3})Z$/, (_m, ms: string) => (ms === "000" ? "Z" : `.${ms.replace(/0+$/, "")}Z`));
  }

  private provNamed(name: string): ProviderState | undefined {
    for (const p of this.providers.values()) if (p.name === name) return p;
    return undefined;
  }

  private podIp(k: string): string {
    return ((this.podByKey(k)?.status as { podIP?: string } | undefined)?.podIP) ?? "";
  }

  private setSleepingLabel(prov: ProviderState, sleeping: boolean): void {
    this.patchPod(podKey(prov.namespace, prov.name), (p) => {
      if (p.metadata.labels?.[FMA.sleeping] === String(sleeping)) return;
      p.metadata.labels = { ...(p.metadata.labels ?? {}), [FMA.sleeping]: String(sleeping) };
    });
  }

  private applyRoutingLabels(prov: ProviderState, on: boolean): void {
    const isc = this.store.get("inferenceserverconfigs", prov.namespace, "default");
    const labels = ((isc?.spec as { modelServerConfig?: { labels?: Record<string, string> } } | undefined)?.modelServerConfig?.labels) ?? {};
    this.patchPod(podKey(prov.namespace, prov.name), (p) => {
      const l = { ...(p.metadata.labels ?? {}) };
      for (const [k, v] of Object.entries(labels)) { if (on) l[k] = v; else delete l[k]; }
      p.metadata.labels = l;
    });
  }

  // ── launcher and direct-provider pods ─────────────────────────────────────────────────────

  /** Creates a launcher pod; bound to `req` when the DPC makes it, unbound when the populator does. */
  private createLauncherPod(node: string, req: RequesterState | undefined, r: Rng, instanceId?: string, port?: number): string {
    const ns = req?.namespace ?? this.namespace;
    const labels: Record<string, string> = { [FMA.component]: "launcher", [FMA.launcherConfigName]: "default", [FMA.nodeName]: node, [FMA.sleeping]: "true" };
    const annotations: Record<string, string> = { [FMA.launcherBased]: "true", [FMA.launcherConfigHash]: hash32(`default/${node}`).toString(16), "dual-pods.llm-d.ai/launcher-populator-template-hash": hash32("default").toString(16) };
    const finalizers: string[] = [];
    if (req) {
      labels[FMA.dual] = req.name;
      annotations[FMA.requester] = `${req.uid} ${req.name}`;
      annotations[FMA.accelerators] = req.gpus.join(",");
      annotations[FMA.instanceId] = instanceId!;
      annotations[FMA.serverPort] = String(port);
      finalizers.push(FMA.providerFinalizer);
    }
    const pod: KObject = {
      apiVersion: "v1", kind: "Pod",
      metadata: { name: "", generateName: "launcher-default-", namespace: ns, labels, annotations, ...(finalizers.length ? { finalizers } : {}) },
      spec: {
        nodeName: node,
        nodeSelector: { "kubernetes.io/hostname": node },
        containers: [{
          name: "inference-server", image: "ghcr.io/llm-d-incubation/llm-d-fast-model-actuation/launcher:v0.6.4",
          ports: [{ containerPort: 8001 }],
          env: [{ name: "PYTHONPATH", value: "/app" }, { name: "NVIDIA_VISIBLE_DEVICES", value: "all" }, { name: "NVIDIA_DRIVER_CAPABILITIES", value: "compute,utility" }, { name: "VLLM_SERVER_DEV_MODE", value: "1" }],
          readinessProbe: { httpGet: { path: "/v2/vllm/instances", port: 8001 }, initialDelaySeconds: 2, periodSeconds: 5, timeoutSeconds: 2 },
          livenessProbe: { httpGet: { path: "/health", port: 8001 }, initialDelaySeconds: 10, periodSeconds: 20 },
        }, { name: "launcher-pod-notifier", image: "ghcr.io/llm-d-incubation/llm-d-fast-model-actuation/launcher-pod-notifier:v0.6.4" }],
      },
    };
    const name = `launcher-default-${this.store.newSuffix()}`;
    pod.metadata.name = name;
    pod.status = { phase: "Pending", qosClass: "Burstable" };
    const prov: ProviderState = { name, namespace: ns, node, kind: "launcher", ready: false, deleting: false, lcName: "default", instances: new Map(), createdAt: this.now, precreated: !req, log: [], ip: "" };
    this.providers.set(podKey(ns, name), prov);
    const created = this.store.create("pods", pod);
    this.podLogs.set(podKey(ns, name), []);
    prov.ip = this.nextIp();
    this.patchPod(podKey(ns, name), (p) => { (p.status as Record<string, unknown>).podIP = prov.ip; });
    if (!req) {
      // Populator-made launcher: its own schedule → pull → start → probe timeline.
      const nodeState = this.nodes.find((n) => n.name === node)!;
      const scheduled = this.now + sampleStep(this.profile, "schedule", r);
      const pull = nodeState.images.has("launcher") ? 0 : sampleStep(this.profile, "imagePull", r);
      nodeState.images.add("launcher");
      const started = scheduled + pull + sampleStep(this.profile, "containerStart", r);
      const booted = started + sampleStep(this.profile, "launcherStart", r);
      const ready = nextProbeTick(this.profile.launcherProbe, started, booted);
      const k = podKey(ns, name);
      this.queue.at(scheduled, () => {
        const t = isoSeconds(this.toEpochMs(this.now));
        const p = this.patchPod(k, (pp) => { (pp.status as Record<string, unknown>).conditions = [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: t }]; });
        if (p) this.event(p, "Normal", "Scheduled", `Successfully assigned ${ns}/${name} to ${node}`, "default-scheduler", true);
      });
      this.queue.at(started, () => { prov.containerStarted = this.now; this.markRunning(k, this.now, false); this.appendLog(ns, name, this.now, launcherLine(this.toEpochMs(this.now), "Launcher starting on port 8001")); });
      this.queue.at(ready, () => { if (prov.deleting) return; prov.ready = true; prov.readyAt = this.now; this.markReady(k, this.now); this.launcherBecameReady(node); });
      this.appendLog(this.namespace, this.lpcPod, this.now, klogLine(this.toEpochMs(this.now), "populator.go:301", "Created launcher pod", { node, launcherConfig: "default", pod: name }));
    }
    void created;
    return name;
  }

  private launcherBecameReady(node: string): void {
    for (const req of this.requesters.values()) {
      if (req.waiting && req.node === node && !req.decided) {
        req.waiting = false;
        req.timers.push(this.queue.after(sampleStep(this.profile, "dpcReact", this.rng), () => this.decide(req)));
      }
    }
  }

  private createDirectProvider(req: RequesterState, nominal: string): string {
    const base = this.podByKey(req.key);
    const name = `${req.name}-dual-${this.store.newSuffix()}`;
    const containers = deepCopy(((base?.spec as { containers?: unknown[] } | undefined)?.containers ?? [])) as { name: string; image?: string; resources?: unknown; env?: unknown[] }[];
    if (containers[0]) {
      containers[0].image = "vllm/vllm-openai:v0.11.0";
      delete containers[0].resources;
      containers[0].env = [{ name: "CUDA_VISIBLE_DEVICES", value: req.gpus.map((g) => this.nodes.find((n) => n.name === req.node)!.gpus.indexOf(g)).join(",") }];
    }
    const pod: KObject = {
      apiVersion: "v1", kind: "Pod",
      metadata: { name, namespace: req.namespace, labels: { [FMA.dual]: req.name, [FMA.sleeping]: "false" }, annotations: { [FMA.requester]: `${req.uid} ${req.name}`, [FMA.nominal]: nominal, [FMA.accelerators]: req.gpus.join(",") }, finalizers: [FMA.providerFinalizer] },
      spec: { nodeName: req.node, containers },
      status: { phase: "Pending", qosClass: "BestEffort" },
    };
    const prov: ProviderState = { name, namespace: req.namespace, node: req.node!, kind: "direct", ready: false, deleting: false, instances: new Map(), nominal, gpus: req.gpus.slice(), sleeping: false, createdAt: this.now, precreated: false, log: [], ip: this.nextIp() };
    this.providers.set(podKey(req.namespace, name), prov);
    this.store.create("pods", pod);
    this.podLogs.set(podKey(req.namespace, name), []);
    return name;
  }

  private deleteProviderPod(p: ProviderState): void {
    const pod = this.store.get("pods", p.namespace, p.name);
    if (!pod) return;
    p.deleting = true;
    if (pod.metadata.finalizers?.length) this.patchPod(podKey(p.namespace, p.name), (x) => { x.metadata.finalizers = []; });
    this.deletePod(this.store.get("pods", p.namespace, p.name)!, 0);
  }

  private onProviderDeleting(prov: ProviderState): void {
    if (prov.deleting && !prov.boundTo) return;
    prov.deleting = true;
    const k = podKey(prov.namespace, prov.name);
    const bound = prov.boundTo ? [...this.requesters.values()].find((r) => r.uid === prov.boundTo) : undefined;
    // Exogenous deletion of a bound provider: the DPC deletes the requester and lets the provider go.
    this.queue.after(sampleStep(this.profile, "dpcReact", this.rng), () => {
      if (this.podByKey(k)?.metadata.finalizers?.length) this.patchPod(k, (x) => { x.metadata.finalizers = []; });
      this.maybeFinishPodDeletion(k);
      if (bound && !bound.deleting) {
        const pod = this.podByKey(bound.key);
        if (pod) this.deletePod(pod);
      }
    });
  }

  // ── scale-down: unbind and sleep ──────────────────────────────────────────────────────────

  private onRequesterDeleting(req: RequesterState): void {
    req.deleting = true;
    if (!req.decided || req.waiting) return this.finishRequesterDeletion(req);
    if (req.served) this.queue.after(sampleStep(this.profile, "dpcReact", this.rng), () => this.unbind(req));
    // Not yet served: the actuation's relay step notices `deleting` and calls afterAbortedRelay.
  }

  private afterAbortedRelay(req: RequesterState): void {
    if (req.truth) req.truth.outcome = "aborted";
    this.unbind(req);
  }

  private unbind(req: RequesterState): void {
    if (req.unbinding) return;
    req.unbinding = true;
    const prov = [...this.providers.values()].find((p) => p.name === req.provider && p.namespace === req.namespace);
    if (!prov) return this.finishRequesterDeletion(req);
    if (prov.kind === "launcher") this.applyRoutingLabels(prov, false);
    const start = this.now;
    const dur = sampleStep(this.profile, "sleep", this.rng);
    const instanceId = req.truth?.instanceId ?? "";
    this.queue.after(dur, () => {
      const end = this.now;
      const t = this.toEpochMs(end);
      const freed = (this.profile.model.weightBytes / this.profile.model.tensorParallel / 1024 ** 3).toFixed(2);
      if (prov.kind === "launcher") {
        const inst = prov.instances.get(instanceId);
        if (inst && inst.status !== "stopped") { inst.status = "sleeping"; inst.lastUsed = end; }
      } else prov.sleeping = true;
      this.appendLog(prov.namespace, prov.name, end, vllmLine(t, instanceId, "gpu_worker.py:107", `Sleep mode freed ${freed} GiB memory, ${(this.profile.gpu.sleeperFootprintBytes / 1024 ** 3 / 4).toFixed(2)} GiB memory is still in use.`));
      this.appendLog(prov.namespace, prov.name, end, vllmLine(t, instanceId, "gpu_worker.py:110", `It took ${((end - start) / 1000).toFixed(6)} seconds to fall asleep.`));
      this.dpcLog(end, httpCallDone(this.epochMs, { requesterName: req.name, serverUID: req.uid, purpose: "sleep", method: "POST", url: `http://${prov.ip}:${prov.kind === "launcher" ? this.cfg.iscPort : 8000}/sleep?level=1`, startMs: start, endMs: end, statusCode: 200, err: null }));
      this.patchPod(podKey(prov.namespace, prov.name), (p) => {
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
    this.patchPod(req.key, (p) => { p.metadata.finalizers = (p.metadata.finalizers ?? []).filter((f) => f !== FMA.requesterFinalizer); });
    this.queue.after(TERMINATE_MS, () => this.maybeFinishPodDeletion(req.key, true));
  }
}
