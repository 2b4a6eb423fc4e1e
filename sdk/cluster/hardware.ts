/**
 * The simulated hardware under the embedded cluster: GPU nodes, launcher processes with their vLLM
 * instances, direct vLLM servers, the container logs they write and the vLLM sleep-state metric.
 *
 * Controllers reach it only through HTTP-shaped interfaces — `LauncherApi` (create, list, delete
 * instances, as the launcher's `/v2/vllm/instances` does) and `VllmApi` (sleep, wake_up,
 * is_sleeping, health) — plus `HardwareSteps`, the steps the hardware takes by itself (a process
 * starts, a model finishes loading) at times the actuation's seeded draw fixes. A real test bed
 * keeps this hardware and replaces the controllers.
 */
import { launcherLine, promLabels, secs2, vllmLine } from "./evidence.js";
import { podKey } from "./pods.js";
import type { LatencyProfile } from "../actuation/profiles.js";

/** A GPU node: its GPU UUIDs, its address, the images already pulled and which pod holds each GPU. */
export interface SimNode {
  name: string;
  index: number;
  gpus: string[];
  /** GPU uuid → pod key holding it (the kubelet's device assignment). */
  alloc: Map<string, string>;
  /** Images already pulled on this node. */
  images: Set<string>;
  ip: string;
}

export type InstanceStatus = "starting" | "awake" | "sleeping" | "stopped";

/** One vLLM instance as a launcher lists it. */
export interface InstanceInfo {
  id: string;
  gpus: string[];
  port: number;
  isc: string;
  status: InstanceStatus;
  lastUsed: number;
  /** The launcher pod's name. */
  launcher: string;
}

/** What a launcher answers on port 8001 (the instance API). Calls are taken to end now. */
export interface LauncherApi {
  /** PUT /v2/vllm/instances/{id}: the instance starts loading. */
  createInstance(id: string, spec: { gpus: string[]; port: number; isc: string }): void;
  /** GET /v2/vllm/instances, in creation order. */
  listInstances(): InstanceInfo[];
  /** DELETE /v2/vllm/instances/{id}; false when there is no such instance. */
  deleteInstance(id: string): boolean;
}

/** What a vLLM server answers (dev-mode endpoints). `startedAt`: when the HTTP call began (virtual ms). */
export interface VllmApi {
  /** POST /sleep?level=1 */
  sleep(startedAt: number): void;
  /** POST /wake_up */
  wakeUp(startedAt: number): void;
  /** GET /is_sleeping */
  isSleeping(): boolean;
  /** GET /health */
  health(): boolean;
}

/** Steps the simulated hardware takes by itself, at times the actuation's seeded draw fixes. */
export interface HardwareSteps {
  /** The provider pod's main container started (launcher process or direct vLLM server). */
  processStarted(namespace: string, pod: string, kind: "launcher" | "direct", nominal?: string): void;
  /** A direct vLLM server answers its readiness probe. */
  serverReady(namespace: string, pod: string): void;
  /** An instance finished loading its model (`loadMs` since its creation); logs whether or not it is still listed. */
  instanceLoaded(namespace: string, pod: string, id: string, port: number, loadMs: number): void;
}

/** The hardware as the FMA controllers see it. */
export interface Hardware {
  launcher(namespace: string, pod: string): LauncherApi | undefined;
  /** The vLLM server behind a provider pod: instance `id` of a launcher, or the direct provider's own server. */
  vllm(namespace: string, pod: string, id?: string): VllmApi | undefined;
  readonly steps: HardwareSteps;
}

export interface LogLine {
  t: number;
  text: string;
}

interface LauncherProcess {
  kind: "launcher";
  name: string;
  namespace: string;
  instances: Map<string, InstanceInfo>;
}

interface DirectServer {
  kind: "direct";
  name: string;
  namespace: string;
  nominal: string;
  sleeping: boolean;
  ready: boolean;
}

export class SimHardware implements Hardware {
  readonly nodes: SimNode[] = [];
  private processes = new Map<string, LauncherProcess | DirectServer>(); // by pod key
  private logs = new Map<string, LogLine[]>();
  readonly steps: HardwareSteps;

  constructor(private readonly clock: { readonly now: number; toEpochMs(v: number): number }, private readonly profile: LatencyProfile) {
    const hw = this;
    this.steps = {
      processStarted(ns, pod, kind, nominal) {
        const now = hw.clock.now;
        if (kind === "direct") hw.appendLog(ns, pod, now, vllmLine(hw.clock.toEpochMs(now), nominal ?? "", "api_server.py:1090", `non-default args: {'model': '${hw.profile.model.name}', 'enable_sleep_mode': True}`));
        else hw.appendLog(ns, pod, now, launcherLine(hw.clock.toEpochMs(now), "Launcher starting on port 8001"));
      },
      serverReady(ns, pod) {
        const p = hw.processes.get(podKey(ns, pod));
        if (p?.kind === "direct") p.ready = true;
      },
      instanceLoaded(ns, pod, id, port, loadMs) {
        const p = hw.processes.get(podKey(ns, pod));
        const inst = p?.kind === "launcher" ? p.instances.get(id) : undefined;
        if (inst) inst.status = "awake";
        const now = hw.clock.now;
        const gb = (hw.profile.model.weightBytes / hw.profile.model.tensorParallel / 1024 ** 3).toFixed(4);
        const t = hw.clock.toEpochMs(now);
        hw.appendLog(ns, pod, now, vllmLine(t, id, "gpu_model_runner.py:2007", `Model loading took ${gb} GB and ${secs2(loadMs * 0.45)} seconds`));
        hw.appendLog(ns, pod, now, vllmLine(t, id, "backends.py:215", `torch.compile takes ${secs2(loadMs * 0.3)} s in total`));
        hw.appendLog(ns, pod, now, vllmLine(t, id, "api_server.py:1880", `Starting vLLM API server 0 on http://0.0.0.0:${port || 8000}`));
      },
    };
  }

  // ── processes ───────────────────────────────────────────────────────────────────────────────

  /** A launcher pod's process (no instances yet). */
  addLauncher(namespace: string, name: string): void {
    this.processes.set(podKey(namespace, name), { kind: "launcher", name, namespace, instances: new Map() });
  }

  /** A direct provider pod's vLLM server for the nominal hash `nominal`. */
  addDirectServer(namespace: string, name: string, nominal: string): void {
    this.processes.set(podKey(namespace, name), { kind: "direct", name, namespace, nominal, sleeping: false, ready: false });
  }

  /** The pod is gone: its process with it (its logs stay, as a log collector keeps them). */
  remove(k: string): void {
    this.processes.delete(k);
  }

  launcher(namespace: string, pod: string): LauncherApi | undefined {
    const p = this.processes.get(podKey(namespace, pod));
    if (p?.kind !== "launcher") return undefined;
    const hw = this;
    return {
      createInstance(id, spec) {
        const now = hw.clock.now;
        p.instances.set(id, { id, gpus: spec.gpus.slice(), port: spec.port, isc: spec.isc, status: "starting", lastUsed: now, launcher: p.name });
        hw.appendLog(p.namespace, p.name, now, launcherLine(hw.clock.toEpochMs(now), `Accepted request to create vLLM instance with id=${id}`));
        hw.appendLog(p.namespace, p.name, now, vllmLine(hw.clock.toEpochMs(now), id, "api_server.py:1090", `non-default args: {'model': '${hw.profile.model.name}', 'port': ${spec.port}, 'enable_sleep_mode': True}`));
      },
      listInstances() {
        return [...p.instances.values()];
      },
      deleteInstance(id) {
        if (!p.instances.has(id)) return false;
        p.instances.delete(id);
        const now = hw.clock.now;
        hw.appendLog(p.namespace, p.name, now, launcherLine(hw.clock.toEpochMs(now), `Stopped vLLM instance ${id}`));
        return true;
      },
    };
  }

  vllm(namespace: string, pod: string, id?: string): VllmApi | undefined {
    const p = this.processes.get(podKey(namespace, pod));
    if (!p) return undefined;
    const hw = this;
    const instanceId = p.kind === "launcher" ? id ?? "" : id ?? p.nominal;
    const setState = (sleeping: boolean) => {
      if (p.kind === "direct") { p.sleeping = sleeping; return; }
      const inst = p.instances.get(instanceId);
      if (inst && (!sleeping || inst.status !== "stopped")) { inst.status = sleeping ? "sleeping" : "awake"; inst.lastUsed = hw.clock.now; }
    };
    return {
      sleep(startedAt) {
        const end = hw.clock.now;
        const t = hw.clock.toEpochMs(end);
        const freed = (hw.profile.model.weightBytes / hw.profile.model.tensorParallel / 1024 ** 3).toFixed(2);
        setState(true);
        hw.appendLog(p.namespace, p.name, end, vllmLine(t, instanceId, "gpu_worker.py:107", `Sleep mode freed ${freed} GiB memory, ${(hw.profile.gpu.sleeperFootprintBytes / 1024 ** 3 / 4).toFixed(2)} GiB memory is still in use.`));
        hw.appendLog(p.namespace, p.name, end, vllmLine(t, instanceId, "gpu_worker.py:110", `It took ${((end - startedAt) / 1000).toFixed(6)} seconds to fall asleep.`));
      },
      wakeUp(startedAt) {
        const end = hw.clock.now;
        setState(false);
        hw.appendLog(p.namespace, p.name, end, vllmLine(hw.clock.toEpochMs(end), instanceId, "gpu_worker.py:130", `It took ${((end - startedAt) / 1000).toFixed(6)} seconds to wake up tags ['weights', 'kv_cache'].`));
      },
      isSleeping() {
        return p.kind === "direct" ? p.sleeping : p.instances.get(instanceId)?.status === "sleeping";
      },
      health() {
        return p.kind === "direct" ? p.ready : p.instances.get(instanceId)?.status === "awake" || p.instances.get(instanceId)?.status === "sleeping";
      },
    };
  }

  /** Every launcher's instances, in launcher creation order. */
  instances(): { launcher: string; id: string; gpus: string[]; status: InstanceStatus }[] {
    const out: { launcher: string; id: string; gpus: string[]; status: InstanceStatus }[] = [];
    for (const p of this.processes.values()) if (p.kind === "launcher") for (const i of p.instances.values()) out.push({ launcher: p.name, id: i.id, gpus: i.gpus.slice(), status: i.status });
    return out;
  }

  // ── logs ────────────────────────────────────────────────────────────────────────────────────

  /** Starts (or restarts) a pod's log empty. */
  resetLog(namespace: string, pod: string): void {
    this.logs.set(podKey(namespace, pod), []);
  }

  appendLog(namespace: string, pod: string, t: number, text: string): void {
    const k = podKey(namespace, pod);
    let log = this.logs.get(k);
    if (!log) this.logs.set(k, (log = []));
    log.push({ t, text });
  }

  /** A pod's log lines with their virtual times (copies); undefined for an unknown pod. */
  podLog(namespace: string, pod: string): LogLine[] | undefined {
    const log = this.logs.get(podKey(namespace, pod));
    return log ? log.map((l) => ({ t: l.t, text: l.text })) : undefined;
  }

  // ── metrics ─────────────────────────────────────────────────────────────────────────────────

  /** `vllm:engine_sleep_state` of every running instance and direct server, by pod key. */
  sleepStateMetric(): string[] {
    const lines = ["# HELP vllm:engine_sleep_state Engine sleep state; awake=0 means sleeping.", "# TYPE vllm:engine_sleep_state gauge"];
    for (const k of [...this.processes.keys()].sort()) {
      const p = this.processes.get(k)!;
      const insts: { id: string; status: InstanceStatus }[] = p.kind === "launcher" ? [...p.instances.values()] : [{ id: p.nominal, status: p.sleeping ? "sleeping" : p.ready ? "awake" : "starting" }];
      for (const i of insts) {
        if (i.status === "stopped") continue;
        const base = { pod: p.name, namespace: p.namespace, instance_id: i.id, model_name: this.profile.model.name };
        const asleep = i.status === "sleeping";
        lines.push(`vllm:engine_sleep_state${promLabels({ ...base, sleep_state: "awake" })} ${asleep ? 0 : 1}`);
        lines.push(`vllm:engine_sleep_state${promLabels({ ...base, sleep_state: "weights_offloaded" })} ${asleep ? 1 : 0}`);
        lines.push(`vllm:engine_sleep_state${promLabels({ ...base, sleep_state: "discard_all" })} 0`);
      }
    }
    return lines;
  }
}
