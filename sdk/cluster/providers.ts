/**
 * Server-providing pods as the FMA controllers know them — launchers and direct providers, with
 * the DPC's binding — and how the controllers create them. This registry is the controllers'
 * shared informer cache; `FmaEnv` is all the FMA controllers are given: the store through
 * `ObjectClient`, the hardware through its HTTP-shaped interfaces, and the kubelet steps the
 * simulation fixes for the pods they create.
 */
import { hash32 } from "../core/rng.js";
import { deepCopy, type KObject } from "./store.js";
import { FMA } from "./fma.js";
import { podKey } from "./pods.js";
import type { ClusterContext } from "./context.js";
import type { Hardware, SimNode } from "./hardware.js";

/** The store as a controller uses it: the verbs it would have against a real API server. */
export interface ObjectClient {
  get(resource: string, namespace: string | undefined, name: string): KObject | undefined;
  list(resource: string, namespace?: string): KObject[];
  create(resource: string, obj: KObject): KObject;
  /** A read-modify-write patch of a pod; undefined when the pod is gone. */
  patchPod(namespace: string | undefined, name: string, fn: (p: KObject) => void): KObject | undefined;
  /** DELETE of a pod (graceful unless `gracePeriodSeconds` is 0). */
  deletePod(pod: KObject, gracePeriodSeconds?: number): void;
  /** A generateName suffix: the controllers name their pods client-side, so a name is known before the create returns. */
  newSuffix(): string;
}

/** What the simulated kubelet does for the provider pods the controllers create, at times the controllers' draws fix. */
export interface ProviderPodRuntime {
  /** A pod IP, assigned when the pod is created (the controllers log URLs with it before the pod runs). */
  nextIp(): string;
  markRunning(k: string, at: number, ready: boolean): void;
  markReady(k: string, at: number): void;
  /** The pod may be removed now (finalizers gone). */
  maybeFinishPodDeletion(k: string): void;
  /** A requester's containers stop after the usual teardown (the DPC released it). */
  terminateAfterTeardown(k: string): void;
}

/** Container logs: the controllers write their own klog lines here. */
export interface PodLogs {
  resetLog(namespace: string, pod: string): void;
  appendLog(namespace: string, pod: string, t: number, text: string): void;
}

/** The simulated hardware as the FMA controllers drive it. */
export type FmaHardware = Hardware & PodLogs & {
  /** The process a new provider pod will run appears with the pod (the sim has no image to start). */
  addLauncher(namespace: string, name: string): void;
  addDirectServer(namespace: string, name: string, nominal: string): void;
};

/** Everything the FMA controllers are given. */
export interface FmaEnv {
  readonly ctx: ClusterContext;
  readonly client: ObjectClient;
  readonly hardware: FmaHardware;
  readonly runtime: ProviderPodRuntime;
  /** The nodes (GPU order for CUDA_VISIBLE_DEVICES, pulled images for the image-pull step). */
  readonly nodes: readonly SimNode[];
  readonly providers: ProviderRegistry;
}

export interface ProviderRecord {
  name: string;
  namespace: string;
  node: string;
  kind: "launcher" | "direct";
  ready: boolean;
  deleting: boolean;
  boundTo?: string; // requester uid
  lcName?: string;
  /** direct mode: the nominal hash and gpus. */
  nominal?: string;
  gpus?: string[];
  createdAt: number;
  /** When it became Ready (virtual ms). */
  readyAt?: number;
  precreated: boolean;
  containerStarted?: number;
  ip: string;
}

export class ProviderRegistry {
  private byKey = new Map<string, ProviderRecord>();

  get(k: string): ProviderRecord | undefined { return this.byKey.get(k); }
  has(k: string): boolean { return this.byKey.has(k); }
  add(p: ProviderRecord): void { this.byKey.set(podKey(p.namespace, p.name), p); }
  delete(k: string): void { this.byKey.delete(k); }
  values(): IterableIterator<ProviderRecord> { return this.byKey.values(); }

  /** The first provider named `name` (any namespace), in creation order. */
  named(name: string): ProviderRecord | undefined {
    for (const p of this.byKey.values()) if (p.name === name) return p;
    return undefined;
  }

  launchersOn(node: string, lcName: string): ProviderRecord[] {
    const out: ProviderRecord[] = [];
    for (const p of this.byKey.values()) if (p.kind === "launcher" && p.node === node && p.lcName === lcName && !p.deleting) out.push(p);
    return out;
  }
}

/** For a launcher the DPC creates: the requester it is bound to, the instance id and port. */
export interface LauncherBinding {
  name: string;
  uid: string;
  gpus: string[];
  instanceId: string;
  port: number;
}

/** Creates a launcher pod on `node`: bound to a requester when the DPC makes it, unbound when the populator does. */
export function createLauncherPod(env: FmaEnv, namespace: string, node: string, bound?: LauncherBinding): ProviderRecord {
  const labels: Record<string, string> = { [FMA.component]: "launcher", [FMA.launcherConfigName]: "default", [FMA.nodeName]: node, [FMA.sleeping]: "true" };
  const annotations: Record<string, string> = { [FMA.launcherBased]: "true", [FMA.launcherConfigHash]: hash32(`default/${node}`).toString(16), "dual-pods.llm-d.ai/launcher-populator-template-hash": hash32("default").toString(16) };
  const finalizers: string[] = [];
  if (bound) {
    labels[FMA.dual] = bound.name;
    annotations[FMA.requester] = `${bound.uid} ${bound.name}`;
    annotations[FMA.accelerators] = bound.gpus.join(",");
    annotations[FMA.instanceId] = bound.instanceId;
    annotations[FMA.serverPort] = String(bound.port);
    finalizers.push(FMA.providerFinalizer);
  }
  const pod: KObject = {
    apiVersion: "v1", kind: "Pod",
    metadata: { name: "", generateName: "launcher-default-", namespace, labels, annotations, ...(finalizers.length ? { finalizers } : {}) },
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
  const name = `launcher-default-${env.client.newSuffix()}`;
  pod.metadata.name = name;
  pod.status = { phase: "Pending", qosClass: "Burstable" };
  const prov: ProviderRecord = { name, namespace, node, kind: "launcher", ready: false, deleting: false, lcName: "default", createdAt: env.ctx.now, precreated: !bound, ip: "" };
  env.providers.add(prov);
  env.hardware.addLauncher(namespace, name);
  env.client.create("pods", pod);
  env.hardware.resetLog(namespace, name);
  prov.ip = env.runtime.nextIp();
  env.client.patchPod(namespace, name, (p) => { (p.status as Record<string, unknown>).podIP = prov.ip; });
  return prov;
}

/** What the DPC knows of a requester when it creates its direct provider. */
export interface DirectRequester {
  name: string;
  namespace: string;
  uid: string;
  node: string;
  gpus: string[];
}

/** Creates the direct-mode provider `<requester>-dual-xxxxx`: the requester's container with the vLLM image on its GPUs. */
export function createDirectProvider(env: FmaEnv, req: DirectRequester, nominal: string): ProviderRecord {
  const base = env.client.get("pods", req.namespace, req.name);
  const name = `${req.name}-dual-${env.client.newSuffix()}`;
  const containers = deepCopy(((base?.spec as { containers?: unknown[] } | undefined)?.containers ?? [])) as { name: string; image?: string; resources?: unknown; env?: unknown[] }[];
  if (containers[0]) {
    containers[0].image = "vllm/vllm-openai:v0.11.0";
    delete containers[0].resources;
    containers[0].env = [{ name: "CUDA_VISIBLE_DEVICES", value: req.gpus.map((g) => env.nodes.find((n) => n.name === req.node)!.gpus.indexOf(g)).join(",") }];
  }
  const pod: KObject = {
    apiVersion: "v1", kind: "Pod",
    metadata: { name, namespace: req.namespace, labels: { [FMA.dual]: req.name, [FMA.sleeping]: "false" }, annotations: { [FMA.requester]: `${req.uid} ${req.name}`, [FMA.nominal]: nominal, [FMA.accelerators]: req.gpus.join(",") }, finalizers: [FMA.providerFinalizer] },
    spec: { nodeName: req.node, containers },
    status: { phase: "Pending", qosClass: "BestEffort" },
  };
  const prov: ProviderRecord = { name, namespace: req.namespace, node: req.node, kind: "direct", ready: false, deleting: false, nominal, gpus: req.gpus.slice(), createdAt: env.ctx.now, precreated: false, ip: env.runtime.nextIp() };
  env.providers.add(prov);
  env.hardware.addDirectServer(req.namespace, name, nominal);
  env.client.create("pods", pod);
  env.hardware.resetLog(req.namespace, name);
  return prov;
}
