/**
 * The FMA hardware behind the test bed's pods: pods of the FMA launcher, requester and vLLM images
 * get servers that speak the real components' HTTP contracts on the pod IP (fma-launcher.ts,
 * fma-requester.ts, fma-vllm.ts), all backed by one `SimHardware` — the embedded cluster's model of
 * launcher processes, vLLM instances, their logs and sleep-state metric — running on the wall clock
 * times the time scale. Log lines the hardware writes land in the pod's container log (`kubectl logs`).
 */
import { getProfile, sampleStep, type LatencyProfile } from "../actuation/profiles.js";
import { SimHardware } from "../cluster/hardware.js";
import { FMA } from "../cluster/fma.js";
import { podKey } from "../cluster/pods.js";
import { closeServer, listen, wallClock, type FmaPod, type FmaPodInfo, type FmaShared } from "./fma-http.js";
import { startLauncher } from "./fma-launcher.js";
import { startRequester } from "./fma-requester.js";
import { vllmHandler } from "./fma-vllm.js";

export type FmaKind = "launcher" | "requester" | "vllm";

/** Which images play which FMA component (matched against each container's image). */
export interface FmaImages {
  launcher: RegExp;
  requester: RegExp;
  vllm: RegExp;
}

/** The FMA images by repository name (`…/llm-d-fast-model-actuation/launcher:v0.6.4`, `vllm/vllm-openai:…`). */
export const DEFAULT_FMA_IMAGES: FmaImages = {
  launcher: /(^|\/)launcher(:|@|$)/,
  requester: /(^|\/)requester(:|@|$)/,
  vllm: /(^|\/)vllm(-openai)?(:|@|$)/,
};

export interface FmaHardwareOptions {
  /** Latency profile of the draws (instance load, wake, sleep, launcher start); default 8b-h100. */
  profile?: LatencyProfile;
  /** Simulated ms per wall ms. */
  timeScale: number;
  images?: Partial<FmaImages>;
}

export interface FmaHardware {
  /** The FMA component a pod plays and its main container's name, or undefined. */
  kindOf(pod: any): { kind: FmaKind; container: string } | undefined;
  start(kind: FmaKind, info: FmaPodInfo): Promise<FmaPod>;
  /** The simulated hardware (instances, logs, sleep-state metric). */
  readonly sim: SimHardware;
}

/** SimHardware whose log lines also reach the pod's container log. */
class TestbedHardware extends SimHardware {
  readonly sinks = new Map<string, string[]>();
  override appendLog(namespace: string, pod: string, t: number, text: string): void {
    super.appendLog(namespace, pod, t, text);
    this.sinks.get(podKey(namespace, pod))?.push(text);
  }
}

/** A direct provider: one vLLM server on the pod's port(s), serving after start-up and model load. */
async function startDirect(shared: FmaShared, info: FmaPodInfo): Promise<FmaPod> {
  const { sim, clock, profile } = shared;
  const nominal = info.annotations[FMA.nominal] ?? info.name;
  sim.addDirectServer(info.namespace, info.name, nominal);
  sim.steps.processStarted(info.namespace, info.name, "direct", nominal);
  const ports = info.ports.length ? info.ports : [8000];
  const servers: import("node:http").Server[] = [];
  let closed = false;
  const loadMs = sampleStep(profile, "providerStart", info.rng) + sampleStep(profile, "instanceLoad", info.rng);
  const timer = clock.after(loadMs, () => {
    if (closed) return;
    sim.steps.serverReady(info.namespace, info.name);
    sim.steps.instanceLoaded(info.namespace, info.name, nominal, ports[0]!, loadMs);
    const handler = vllmHandler(shared, { namespace: info.namespace, pod: info.name, instanceId: nominal }, () => sim.vllm(info.namespace, info.name), info.rng.split("vllm"));
    for (const port of ports) {
      listen(info.ip, port, handler).then((s) => { if (closed) void closeServer(s); else servers.push(s); })
        .catch((e) => info.log.push(`vLLM: cannot listen on ${info.ip}:${port}: ${(e as Error).message}`));
    }
  });
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await Promise.all(servers.map(closeServer));
      sim.remove(podKey(info.namespace, info.name));
    },
  };
}

export function createFmaHardware(o: FmaHardwareOptions): FmaHardware {
  const profile = o.profile ?? getProfile("8b-h100");
  const clock = wallClock(o.timeScale);
  const sim = new TestbedHardware(clock, profile);
  const shared: FmaShared = { sim, clock, profile };
  const images = { ...DEFAULT_FMA_IMAGES, ...o.images };
  return {
    sim,
    kindOf(pod) {
      for (const c of pod?.spec?.containers ?? []) {
        const image = String(c.image ?? "");
        for (const kind of ["launcher", "requester", "vllm"] as const) if (images[kind].test(image)) return { kind, container: c.name };
      }
      return undefined;
    },
    async start(kind, info) {
      const k = podKey(info.namespace, info.name);
      sim.resetLog(info.namespace, info.name);
      sim.sinks.set(k, info.log);
      const started = kind === "launcher" ? await startLauncher(shared, info) : kind === "requester" ? await startRequester(shared, info) : await startDirect(shared, info);
      return { async close() { await started.close(); if (sim.sinks.get(k) === info.log) sim.sinks.delete(k); } };
    },
  };
}
