/**
 * The node agent: the kubelet of N simulated GPU nodes, through @kubernetes/client-node against a
 * real API server. It registers Node objects (nvidia.com/gpu capacity, GPU labels, Ready), renews a
 * Lease per node, and plays each bound pod's life on the wall clock divided by the time scale:
 * container start delay, a loopback pod IP of its own (node i owns 127.(i+1).0.0/16), GPUs handed
 * out like the NVIDIA device plugin (UUIDs, NVIDIA_VISIBLE_DEVICES), simulated HTTP endpoints at
 * podIP:port that the httpGet readiness/liveness probes really call, restarts, graceful deletion,
 * and the kubelet API the API server calls for `kubectl logs`. Pods of the FMA images get the FMA
 * components' HTTP contracts over the embedded cluster's simulated hardware (fma-hardware.ts).
 */
import { createServer as createHttpServer, request as httpRequest, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { readFileSync } from "node:fs";
import { KubeConfig, Watch } from "@kubernetes/client-node";
import { rng, type Rng } from "../core/rng.js";
import { STREAMS } from "../core/streams.js";
import { createProcessRuntime, type ProcessRuntimeOptions, type RunningPod } from "./process-runtime.js";
import { keepAliveClient } from "./api-client.js";
import { createFmaHardware, type FmaImages } from "./fma-hardware.js";
import type { FmaPod } from "./fma-http.js";
import type { LatencyProfile } from "../actuation/profiles.js";

export interface NodeAgentOptions {
  kubeconfig: KubeConfig;
  nodes: number;
  gpusPerNode: number;
  gpuProduct: string;
  gpuMemoryMiB: number;
  seed: number;
  /** Simulated ms per wall ms. */
  timeScale: number;
  /** Simulated container start delay (ms) for one container; drawn per pod. */
  startDelayMs: (r: Rng) => number;
  /** The kubelet API's TLS cert/key (the API server calls it for logs). */
  tlsCert: string;
  tlsKey: string;
  /** Node name prefix (default "gpu-node-"). */
  namePrefix?: string;
  leaseRenewMs?: number;
  /** Pods of the project's own image run as host processes (process-runtime.ts); false turns that off. */
  processRuntime?: ProcessRuntimeOptions | false;
  /** Pods of the FMA launcher/requester/vLLM images speak their HTTP contracts (fma-hardware.ts); false turns that off. */
  fma?: { profile?: LatencyProfile; images?: Partial<FmaImages> } | false;
  log?: (line: string) => void;
}

interface Container { name: string; ports: number[]; gpus: number; readiness?: Probe; liveness?: Probe }
interface Probe { path: string; port: number; initialDelayMs: number; periodMs: number; failureThreshold: number }

interface PodState {
  key: string; ns: string; name: string; uid: string; node: SimNode;
  ip: string; containers: Container[]; gpus: string[];
  startedAt?: string; ready: boolean; restarts: number; failures: number;
  servers: Server[]; timers: NodeJS.Timeout[]; logs: Map<string, string[]>; deleting: boolean; gone: boolean;
  proc?: RunningPod;
  fma?: FmaPod;
}

interface SimNode { name: string; index: number; ip: string; gpus: string[]; free: Set<string>; nextHost: number; kubelet?: Server }

export interface NodeAgent {
  nodes: string[];
  kubeletPort: number;
  /** Pods the agent is playing now. */
  podCount(): number;
  /** Container log lines of a pod (what `kubectl logs` returns). */
  logs(ns: string, pod: string, container: string): string[] | undefined;
  stop(): Promise<void>;
}

const json = (o: unknown) => ({ contentType: "application/json", text: JSON.stringify(o) });
const merge = (o: unknown) => ({ contentType: "application/merge-patch+json", text: JSON.stringify(o) });

function uuidFrom(r: Rng): string {
  const h = Array.from({ length: 32 }, () => r.int(16).toString(16)).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function containersOf(spec: any): Container[] {
  return (spec.containers ?? []).map((c: any) => {
    const probe = (p: any): Probe | undefined => p?.httpGet ? {
      path: p.httpGet.path ?? "/", port: typeof p.httpGet.port === "number" ? p.httpGet.port : Number((c.ports ?? []).find((x: any) => x.name === p.httpGet.port)?.containerPort ?? p.httpGet.port),
      initialDelayMs: (p.initialDelaySeconds ?? 0) * 1000, periodMs: (p.periodSeconds ?? 10) * 1000, failureThreshold: p.failureThreshold ?? 3,
    } : undefined;
    const readiness = probe(c.readinessProbe), liveness = probe(c.livenessProbe);
    const ports = new Set<number>((c.ports ?? []).map((p: any) => Number(p.containerPort)));
    for (const p of [readiness, liveness]) if (p) ports.add(p.port);
    const gpus = Number(c.resources?.limits?.["nvidia.com/gpu"] ?? c.resources?.requests?.["nvidia.com/gpu"] ?? 0);
    return { name: c.name, ports: [...ports].filter((p) => Number.isInteger(p) && p > 0), gpus, ...(readiness ? { readiness } : {}), ...(liveness ? { liveness } : {}) };
  });
}

function httpOk(ip: string, port: number, path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: ip, port, path, method: "GET", timeout: timeoutMs }, (res) => { res.resume(); resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400); });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

/** Registers the nodes, starts the leases, kubelet APIs and the pod watch. */
export async function startNodeAgent(o: NodeAgentOptions): Promise<NodeAgent> {
  const log = o.log ?? (() => {});
  const kc = o.kubeconfig;
  const root = rng(o.seed).split(STREAMS.testbedNodeAgent);
  const scale = (simMs: number) => Math.max(0, simMs / o.timeScale);
  const prefix = o.namePrefix ?? "gpu-node-";
  const nodes: SimNode[] = Array.from({ length: o.nodes }, (_, i) => {
    const r = root.split(`node-${i}`);
    const gpus = Array.from({ length: o.gpusPerNode }, () => `GPU-${uuidFrom(r)}`);
    return { name: `${prefix}${i}`, index: i, ip: `127.${i + 1}.0.1`, gpus, free: new Set(gpus), nextHost: 2 };
  });
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const pods = new Map<string, PodState>();
  let stopped = false;
  const api = await keepAliveClient(kc);
  const call = (method: string, path: string, body?: { contentType: string; text: string }, query: Record<string, string> = {}) => api.request(method, path, query, body);

  // The kubelet API: one HTTPS server per node address, all on one port.
  const tls = { cert: readFileSync(o.tlsCert), key: readFileSync(o.tlsKey) };
  const kubeletHandler = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/?]+)/.exec(req.url ?? "");
    if (req.method === "GET" && m) {
      const p = pods.get(`${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`);
      const lines = p?.logs.get(decodeURIComponent(m[3]!));
      if (!lines) { res.writeHead(404, { "Content-Type": "text/plain" }); res.end("container not found\n"); return; }
      const tail = Number(new URL(req.url ?? "/", "http://x").searchParams.get("tailLines") ?? NaN);
      const out = Number.isFinite(tail) ? lines.slice(-tail) : lines;
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end(out.map((l) => `${l}\n`).join(""));
      return;
    }
    if (req.url === "/healthz") { res.writeHead(200); res.end("ok"); return; }
    res.writeHead(404); res.end();
  };
  let kubeletPort = 0;
  for (const n of nodes) {
    const s = createHttpsServer(tls, kubeletHandler);
    await new Promise<void>((resolve, reject) => { s.once("error", reject); s.listen(kubeletPort, n.ip, () => resolve()); });
    const a = s.address();
    if (kubeletPort === 0 && typeof a === "object" && a) kubeletPort = a.port;
    n.kubelet = s;
  }

  const nodeStatus = (n: SimNode) => {
    const now = new Date().toISOString();
    const res = { cpu: "64", memory: "1048576Mi", pods: "110", "nvidia.com/gpu": String(o.gpusPerNode), "ephemeral-storage": "1000Gi" };
    return {
      capacity: res, allocatable: res,
      conditions: [
        { type: "Ready", status: "True", reason: "KubeletReady", message: "actuation-lab node agent is posting ready status", lastHeartbeatTime: now, lastTransitionTime: now },
        ...["MemoryPressure", "DiskPressure", "PIDPressure"].map((t) => ({ type: t, status: "False", reason: `KubeletHas${t === "MemoryPressure" ? "SufficientMemory" : t === "DiskPressure" ? "NoDiskPressure" : "SufficientPID"}`, lastHeartbeatTime: now, lastTransitionTime: now })),
      ],
      addresses: [{ type: "InternalIP", address: n.ip }, { type: "Hostname", address: n.name }],
      daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
      nodeInfo: { machineID: n.name, systemUUID: n.name, bootID: n.name, kernelVersion: "simulated", osImage: "actuation-lab simulated node", containerRuntimeVersion: "simulated://1", kubeletVersion: "v1.34.4", kubeProxyVersion: "", operatingSystem: "linux", architecture: "amd64" },
    };
  };
  for (const n of nodes) {
    const body = {
      apiVersion: "v1", kind: "Node",
      metadata: { name: n.name, labels: { "kubernetes.io/hostname": n.name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "type": "actuation-lab-simulated", "nvidia.com/gpu.present": "true", "nvidia.com/gpu.product": o.gpuProduct, "nvidia.com/gpu.memory": String(o.gpuMemoryMiB), "nvidia.com/gpu.count": String(o.gpusPerNode) } },
      spec: {}, status: nodeStatus(n),
    };
    const r = await call("POST", "/api/v1/nodes", json(body));
    if (r.status !== 201 && r.status !== 409) throw new Error(`node agent: creating node ${n.name}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
    const s = await call("PATCH", `/api/v1/nodes/${n.name}/status`, merge({ status: nodeStatus(n) }));
    if (s.status !== 200) throw new Error(`node agent: node ${n.name} status: HTTP ${s.status} ${s.body.slice(0, 300)}`);
  }
  log(`node agent: ${nodes.length} node(s) × ${o.gpusPerNode} GPU(s) registered, kubelet API on port ${kubeletPort}`);

  // Leases (and a status heartbeat now and then): the node lifecycle controller reads them.
  const leaseMs = o.leaseRenewMs ?? 10_000;
  const renew = async (first: boolean) => {
    for (const n of nodes) {
      const now = new Date().toISOString().replace(/Z$/, "000Z");
      const spec = { holderIdentity: n.name, leaseDurationSeconds: 40, renewTime: now };
      if (first) {
        const r = await call("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", json({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: n.name }, spec }));
        if (r.status === 409) await call("PATCH", `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${n.name}`, merge({ spec }));
      } else {
        await call("PATCH", `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${n.name}`, merge({ spec }));
      }
    }
  };
  await renew(true).catch((e) => log(`node agent: lease: ${(e as Error).message}`));
  let beats = 0;
  const leaseTimer = setInterval(() => {
    beats++;
    renew(false).catch((e) => log(`node agent: lease renew: ${(e as Error).message}`));
    if (beats % 6 === 0) for (const n of nodes) call("PATCH", `/api/v1/nodes/${n.name}/status`, merge({ status: { conditions: nodeStatus(n).conditions } })).catch(() => {});
  }, leaseMs);

  const patchStatus = async (p: PodState, status: unknown) => {
    if (p.gone) return;
    const r = await call("PATCH", `/api/v1/namespaces/${p.ns}/pods/${p.name}/status`, merge({ status }));
    if (r.status === 404) p.gone = true;
    else if (r.status !== 200) log(`node agent: pod ${p.key} status: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  };

  const statusOf = (p: PodState, phase: string) => {
    const now = new Date().toISOString();
    const running = phase === "Running";
    const ready = running && p.ready;
    return {
      phase, hostIP: p.node.ip, hostIPs: [{ ip: p.node.ip }], podIP: running || p.startedAt ? p.ip : undefined, podIPs: running ? [{ ip: p.ip }] : undefined,
      startTime: p.startedAt ?? now,
      conditions: [
        { type: "PodReadyToStartContainers", status: running ? "True" : "False", lastTransitionTime: now },
        { type: "Initialized", status: "True", lastTransitionTime: now },
        { type: "ContainersReady", status: ready ? "True" : "False", lastTransitionTime: now },
        { type: "Ready", status: ready ? "True" : "False", lastTransitionTime: now },
        { type: "PodScheduled", status: "True", lastTransitionTime: now },
      ],
      containerStatuses: p.containers.map((c) => ({
        name: c.name, image: "simulated", imageID: "simulated", containerID: `simulated://${p.uid}-${c.name}-${p.restarts}`,
        ready: ready, started: running, restartCount: p.restarts,
        state: running ? { running: { startedAt: p.startedAt } } : { waiting: { reason: "ContainerCreating" } },
        ...(c.gpus > 0 ? { allocatedResources: { "nvidia.com/gpu": String(c.gpus) } } : {}),
      })),
    };
  };

  const closeServers = async (p: PodState) => {
    await p.proc?.kill();
    const f = p.fma;
    p.fma = undefined;
    await f?.close();
    await Promise.all(p.servers.map((s) => new Promise<void>((r) => { s.closeAllConnections?.(); s.close(() => r()); })));
    p.servers = [];
  };

  // The simulated processes behind the pod's ports: a generic HTTP server answering 200.
  const openServers = async (p: PodState) => {
    for (const c of p.containers) for (const port of c.ports) {
      const s = createHttpServer((req, res) => {
        p.logs.get(c.name)?.push(`${new Date().toISOString()} ${req.method} ${req.url} 200`);
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ status: "ok", pod: p.name, container: c.name }));
      });
      await new Promise<void>((resolve) => { s.once("error", (e) => { log(`node agent: ${p.key} ${p.ip}:${port}: ${(e as Error).message}`); resolve(); }); s.listen(port, p.ip, () => resolve()); });
      if (s.listening) p.servers.push(s);
    }
  };

  const probeLoop = (p: PodState) => {
    const probes = p.containers.flatMap((c) => [c.readiness ? { kind: "readiness" as const, c, pr: c.readiness } : undefined, c.liveness ? { kind: "liveness" as const, c, pr: c.liveness } : undefined].filter((x) => x !== undefined));
    if (!probes.some((x) => x.kind === "readiness")) {
      p.ready = true;
      void patchStatus(p, statusOf(p, "Running"));
    }
    for (const { kind, c, pr } of probes) {
      let fails = 0;
      const tick = async () => {
        if (p.deleting || p.gone || stopped) return;
        const ok = await httpOk(p.ip, pr.port, pr.path);
        if (kind === "readiness") {
          if (ok !== p.ready) { p.ready = ok; await patchStatus(p, statusOf(p, "Running")); }
        } else {
          fails = ok ? 0 : fails + 1;
          if (fails >= pr.failureThreshold) {
            fails = 0; p.restarts++; p.ready = false;
            p.logs.get(c.name)?.push(`${new Date().toISOString()} liveness probe failed ${pr.failureThreshold} times: restarted (restart ${p.restarts})`);
            await patchStatus(p, statusOf(p, "Running"));
          }
        }
        if (!p.deleting && !p.gone && !stopped) p.timers.push(setTimeout(tick, scale(pr.periodMs)));
      };
      p.timers.push(setTimeout(tick, scale(pr.initialDelayMs)));
    }
  };

  const runtime = o.processRuntime === false ? undefined : createProcessRuntime(kc, { log, ...o.processRuntime });
  const fma = o.fma === false ? undefined : createFmaHardware({ timeScale: o.timeScale, ...o.fma });
  const release = (p: PodState) => { for (const g of p.gpus) p.node.free.add(g); p.gpus = []; };

  const startPod = (pod: any, node: SimNode) => {
    const ns = pod.metadata.namespace, name = pod.metadata.name, key = `${ns}/${name}`;
    const r = root.split(`pod-${key}-${pod.metadata.uid}`);
    const host = node.nextHost++;
    const ip = `127.${node.index + 1}.${Math.floor(host / 256) % 256}.${host % 256}`;
    const containers = containersOf(pod.spec);
    const p: PodState = { key, ns, name, uid: pod.metadata.uid, node, ip, containers, gpus: [], ready: false, restarts: 0, failures: 0, servers: [], timers: [], logs: new Map(containers.map((c) => [c.name, []])), deleting: false, gone: false };
    pods.set(key, p);
    // The device plugin's Allocate: each container its own free GPUs, lowest index first.
    const envs = new Map<string, string>();
    for (const c of containers) {
      if (c.gpus <= 0) continue;
      const got = node.gpus.filter((g) => node.free.has(g)).slice(0, c.gpus);
      for (const g of got) node.free.delete(g);
      p.gpus.push(...got);
      envs.set(c.name, got.join(","));
    }
    const delay = scale(o.startDelayMs(r));
    void patchStatus(p, statusOf(p, "Pending"));
    p.timers.push(setTimeout(async () => {
      if (p.deleting || p.gone || stopped) return;
      p.startedAt = new Date().toISOString();
      if (runtime?.handles(pod)) { p.proc = runtime.start(pod, { podIP: ip, hostIP: node.ip, logs: p.logs, patchStatus: (s) => patchStatus(p, s) }); return; }
      const component = fma?.kindOf(pod);
      for (const c of containers) {
        const lines = p.logs.get(c.name)!;
        lines.push(`${p.startedAt} container ${c.name} started on ${node.name} (pod IP ${ip})`);
        if (envs.has(c.name)) lines.push(`${p.startedAt} NVIDIA_VISIBLE_DEVICES=${envs.get(c.name)}`);
        if (c.ports.length && !component) lines.push(`${p.startedAt} listening on ${c.ports.map((x) => `${ip}:${x}`).join(", ")}`);
      }
      if (fma && component) {
        const main = containers.find((c) => c.name === component.container) ?? containers[0]!;
        const running = await fma.start(component.kind, {
          namespace: ns, name, ip, nodeGpus: node.gpus, gpus: p.gpus.slice(), annotations: pod.metadata.annotations ?? {},
          ports: main.ports, log: p.logs.get(main.name)!, rng: r.split("fma"),
        }).catch((e) => { p.logs.get(main.name)!.push(`${new Date().toISOString()} ${component.kind}: ${(e as Error).message}`); return undefined; });
        if (p.deleting || p.gone || stopped) { await running?.close(); return; }
        p.fma = running;
      } else await openServers(p);
      await patchStatus(p, statusOf(p, "Running"));
      probeLoop(p);
    }, delay));
  };

  const terminate = async (pod: any) => {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const p = pods.get(key);
    if (!p || p.deleting) return;
    p.deleting = true;
    for (const t of p.timers) clearTimeout(t);
    // Simulated processes exit on SIGTERM at once; the grace period is an upper bound we honour.
    for (const c of p.containers) p.logs.get(c.name)?.push(`${new Date().toISOString()} container ${c.name} received SIGTERM`);
    await closeServers(p);
    release(p);
    const r = await call("DELETE", `/api/v1/namespaces/${p.ns}/pods/${p.name}`, json({ apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0, preconditions: { uid: p.uid } }), { gracePeriodSeconds: "0" }); // the query parameter is what the server honoured here
    // 409: the uid precondition failed, a new pod of that name exists — not ours to delete.
    if (r.status !== 200 && r.status !== 404 && r.status !== 409) log(`node agent: delete ${key}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  };

  const forget = async (key: string) => {
    const p = pods.get(key);
    if (!p) return;
    p.gone = true; p.deleting = true;
    for (const t of p.timers) clearTimeout(t);
    await closeServers(p);
    release(p);
    pods.delete(key);
  };

  const onPod = (type: string, pod: any) => {
    if (stopped) return;
    const node = byName.get(pod?.spec?.nodeName);
    if (!node) return;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const known = pods.get(key);
    if (known && known.uid !== pod.metadata.uid) void forget(key);
    if (type === "DELETED") { void forget(key); return; }
    if (!pods.has(key)) {
      if (pod.metadata.deletionTimestamp) { pods.set(key, { key, ns: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid, node, ip: "", containers: [], gpus: [], ready: false, restarts: 0, failures: 0, servers: [], timers: [], logs: new Map(), deleting: false, gone: false }); void terminate(pod); return; }
      if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return;
      startPod(pod, node);
    } else if (pod.metadata.deletionTimestamp) void terminate(pod);
  };

  // The pod watch: list, then watch from the list's resourceVersion; relist when the stream ends.
  const watch = new Watch(kc);
  let req: { abort(): void } | undefined;
  const selector = "spec.nodeName!=";
  const listAndWatch = async (): Promise<void> => {
    if (stopped) return;
    const r = await call("GET", "/api/v1/pods", undefined, { fieldSelector: selector });
    if (r.status !== 200) throw new Error(`node agent: list pods: HTTP ${r.status}`);
    const list = JSON.parse(r.body);
    const seen = new Set<string>();
    for (const pod of list.items) { seen.add(`${pod.metadata.namespace}/${pod.metadata.name}`); onPod("ADDED", pod); }
    for (const key of [...pods.keys()]) if (!seen.has(key)) void forget(key);
    let rv: string = list.metadata.resourceVersion;
    const again = () => { if (!stopped) setTimeout(() => listAndWatch().catch((e) => { log(`node agent: ${(e as Error).message}`); again(); }), 200); };
    req = await watch.watch("/api/v1/pods", { fieldSelector: selector, resourceVersion: rv, allowWatchBookmarks: true },
      (type: string, obj: any) => { if (obj?.metadata?.resourceVersion) rv = obj.metadata.resourceVersion; if (type !== "BOOKMARK" && type !== "ERROR") onPod(type, obj); },
      () => again());
  };
  await listAndWatch();

  return {
    nodes: nodes.map((n) => n.name),
    kubeletPort,
    podCount: () => pods.size,
    logs: (ns, pod, container) => pods.get(`${ns}/${pod}`)?.logs.get(container),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(leaseTimer);
      req?.abort();
      for (const key of [...pods.keys()]) await forget(key);
      await Promise.all(nodes.map((n) => new Promise<void>((r) => { if (!n.kubelet) return r(); n.kubelet.closeAllConnections(); n.kubelet.close(() => r()); })));
      api.close();
    },
  };
}
