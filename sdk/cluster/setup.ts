/**
 * The ready-made cluster: GPU nodes (their Node objects and seeded GPU UUIDs), the `default`
 * LauncherConfig and InferenceServerConfig, the FMA controller pods, and the requester Deployment
 * a scenario scales.
 */
import { rng as makeRng } from "../core/rng.js";
import { STREAMS } from "../core/streams.js";
import type { LatencyProfile } from "../actuation/profiles.js";
import { isoSeconds, type KObject } from "./store.js";
import { FMA, FMA_GROUP, FMA_VERSION } from "./fma.js";
import type { ClusterContext } from "./context.js";
import type { SimHardware, SimNode } from "./hardware.js";

/** Creates the nodes with their GPUs (UUIDs from a root seeded by a store UID, so a function of the cluster seed). */
export function createNodes(ctx: ClusterContext, nodes: SimNode[]): void {
  const { cfg, store, profile } = ctx;
  const uuidRng = makeRng(`${store.newUid()}`).split(STREAMS.clusterGpus);
  for (let i = 0; i < cfg.nodes; i++) {
    const name = `node-${i}`;
    const gpus = Array.from({ length: cfg.gpusPerNode }, () => {
      const h = () => uuidRng.nextUint32().toString(16).padStart(8, "0");
      const a = h(), b = h(), c = h(), d = h();
      return `GPU-${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
    });
    const node: SimNode = { name, index: i, gpus, alloc: new Map(), images: new Set(cfg.imageCached ? ["launcher", "vllm"] : []), ip: `10.0.${i}.1` };
    nodes.push(node);
    store.create("nodes", {
      apiVersion: "v1", kind: "Node",
      metadata: { name, labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "nvidia.com/gpu.product": profile.gpu.product, "nvidia.com/gpu.count": String(cfg.gpusPerNode) }, annotations: { "actuation-lab/gpu-uuids": gpus.join(",") } },
      spec: {},
      status: {
        capacity: { cpu: "96", memory: "2113470Mi", "nvidia.com/gpu": String(cfg.gpusPerNode), pods: "250" },
        allocatable: { cpu: "95", memory: "2100000Mi", "nvidia.com/gpu": String(cfg.gpusPerNode), pods: "250" },
        conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: isoSeconds(ctx.epochMs), lastTransitionTime: isoSeconds(ctx.epochMs) }],
        addresses: [{ type: "InternalIP", address: node.ip }, { type: "Hostname", address: name }],
        nodeInfo: { kubeletVersion: "v1.32.4", containerRuntimeVersion: "containerd://1.7.27", operatingSystem: "linux", architecture: "amd64", osImage: "actuation-lab simulated node", kernelVersion: "6.8.0", kubeProxyVersion: "v1.32.4", machineID: "", systemUUID: "", bootID: "" },
      },
    });
  }
}

/** The `default` LauncherConfig and InferenceServerConfig of the cluster namespace. */
export function createFmaConfigs(ctx: ClusterContext): void {
  const { cfg, store, profile, namespace: ns } = ctx;
  store.create("launcherconfigs", {
    apiVersion: `${FMA_GROUP}/${FMA_VERSION}`, kind: "LauncherConfig",
    metadata: { name: "default", namespace: ns },
    spec: {
      maxInstances: cfg.maxInstances,
      podTemplate: { metadata: { labels: {}, annotations: {} }, spec: { containers: [{ name: "inference-server", image: "ghcr.io/llm-d-incubation/llm-d-fast-model-actuation/launcher:v0.6.4", ports: [{ containerPort: 8001 }] }] } },
    },
    status: { observedGeneration: 1, errors: [] },
  });
  store.create("inferenceserverconfigs", {
    apiVersion: `${FMA_GROUP}/${FMA_VERSION}`, kind: "InferenceServerConfig",
    metadata: { name: "default", namespace: ns },
    spec: {
      launcherConfigName: "default",
      modelServerConfig: { port: cfg.iscPort, options: `--model ${profile.model.name} --enable-sleep-mode --no-enable-prefix-caching --load-format auto --gpu-memory-utilization 0.825 --tensor-parallel-size ${profile.model.tensorParallel}`, env_vars: {}, labels: { "llm-d.ai/inference-serving": "true" }, annotations: {} },
    },
    status: { observedGeneration: 1, errors: [] },
  });
}

/** A running controller pod (`component` label) on the first node; returns its name. */
export function createControllerPod(ctx: ClusterContext, hardware: SimHardware, nextIp: () => string, prefix: string, component: string, image: string): string {
  const { store, namespace } = ctx;
  const name = `${prefix}-${store.newSuffix()}${store.newSuffix()}`.slice(0, prefix.length + 17);
  const t = isoSeconds(ctx.epochMs);
  const nodes = hardware.nodes;
  store.create("pods", {
    apiVersion: "v1", kind: "Pod",
    metadata: { name, namespace, labels: { [FMA.component]: component, "app.kubernetes.io/name": "fma-controllers" } },
    spec: { containers: [{ name: "manager", image }], nodeName: nodes[0]?.name ?? "node-0", restartPolicy: "Always" },
    status: {
      phase: "Running", hostIP: nodes[0]?.ip ?? "10.0.0.1", podIP: nextIp(), startTime: t,
      conditions: ["Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({ type, status: "True", lastProbeTime: null, lastTransitionTime: t })),
      containerStatuses: [{ name: "manager", image, imageID: image, ready: true, started: true, restartCount: 0, state: { running: { startedAt: t } } }],
    },
  });
  hardware.resetLog(namespace, name);
  return name;
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

/** A requester Deployment (launcher mode by default, direct mode with `serverPatch`), 0 replicas unless asked. */
export function requesterDeployment(profile: LatencyProfile, defaultNamespace: string, name: string, opts: RequesterDeploymentOptions = {}): KObject {
  const base = { app: name, ...(opts.labels ?? {}) };
  const labels = () => ({ ...base });
  const annotations: Record<string, string> = opts.serverPatch ? { [FMA.serverPatch]: opts.serverPatch } : { [FMA.iscAnnotation]: opts.isc ?? "default" };
  return {
    apiVersion: "apps/v1", kind: "Deployment",
    metadata: { name, namespace: opts.namespace ?? defaultNamespace, labels: labels() },
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
            readinessProbe: { httpGet: { path: "/ready", port: 8080 }, initialDelaySeconds: profile.requesterProbe.initialDelayMs / 1000, periodSeconds: profile.requesterProbe.periodMs / 1000 },
            resources: { limits: { "nvidia.com/gpu": String(opts.gpus ?? profile.model.tensorParallel), cpu: "200m", memory: "250Mi" }, requests: { "nvidia.com/gpu": String(opts.gpus ?? profile.model.tensorParallel), cpu: "200m", memory: "250Mi" } },
          }],
        },
      },
    },
  };
}
