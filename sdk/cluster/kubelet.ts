/**
 * The kubelet of every simulated node: assigns a pod its GPUs and its IP, starts its containers a
 * seeded delay after binding, runs readiness probes, writes the Running/Ready status and the
 * Pulled/Created/Started Events, and removes a deleting pod once its containers have stopped and
 * its finalizers are gone. Requester pods are run too, but their readiness is the DPC's relay.
 */
import { hash32, type Rng } from "../core/rng.js";
import type { Scheduled } from "../core/event-queue.js";
import { nextProbeTick, sampleStep } from "../actuation/profiles.js";
import { isoSeconds, type KObject } from "./store.js";
import { patchPod, podByKey } from "./pods.js";
import type { ClusterContext } from "./context.js";
import type { SimNode } from "./hardware.js";

/** Kubelet teardown of a pod without finalizers (assumption). */
export const TERMINATE_MS = 400;

/** Whose pod it is, as far as the kubelet must know. */
export type PodRole = "requester" | "provider" | undefined;

export interface KubeletHooks {
  /** True for a requester pod (the DPC relays its readiness; its teardown waits for the DPC). */
  isRequester(k: string): boolean;
  /** A requester pod was bound to `node` with `gpus`. */
  requesterBound(k: string, node: string, gpus: string[]): void;
  /** A requester pod's containers started. */
  requesterStarted(k: string): void;
  /** A pod left the store. */
  podRemoved(k: string): void;
  /** A pod's status changed (`resync`: its owner may need to replace it). */
  podStatusChanged(pod: KObject, resync: boolean): void;
  /** GPUs were freed: pending pods may fit now. */
  gpusFreed(): void;
}

export class Kubelet {
  /** Pods the kubelet runs with their own probes (neither requesters nor FMA providers). */
  private generic = new Set<string>();
  private timers = new Map<string, Scheduled[]>();
  private terminated = new Set<string>();
  private ipCounter = 10;

  constructor(
    private readonly ctx: ClusterContext,
    private readonly nodes: SimNode[],
    /** The cluster's step stream (shared with the scheduler and the DPC: their draws interleave in event order). */
    private readonly rng: Rng,
    private readonly hooks: KubeletHooks,
  ) {}

  /** The next pod IP (10.244.x.y, as a CNI's IPAM hands them out). */
  nextIp(): string {
    const n = this.ipCounter++;
    return `10.244.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`;
  }

  /** A pod created through the API that is neither a requester nor an FMA provider. */
  track(k: string): void {
    this.generic.add(k);
  }

  /** The device plugin's choice: the lowest-indexed free GPUs of `node`. */
  assignGpus(node: SimNode, k: string, count: number): string[] {
    const gpus = node.gpus.filter((g) => !node.alloc.has(g)).slice(0, count);
    for (const g of gpus) node.alloc.set(g, k);
    return gpus;
  }

  /** The scheduler bound pod `k`: its containers start after a seeded delay. */
  podBound(k: string, node: SimNode, gpus: string[]): void {
    if (this.hooks.isRequester(k)) {
      this.hooks.requesterBound(k, node.name, gpus);
      this.addTimer(k, this.ctx.queue.after(sampleStep(this.ctx.profile, "containerStart", this.rng), () => this.startRequester(k)));
    } else if (this.generic.has(k)) {
      this.addTimer(k, this.ctx.queue.after(sampleStep(this.ctx.profile, "containerStart", this.rng), () => this.startGenericPod(k)));
    }
  }

  private addTimer(k: string, t: Scheduled): void {
    let list = this.timers.get(k);
    if (!list) this.timers.set(k, (list = []));
    list.push(t);
  }

  private startRequester(k: string): void {
    const pod = podByKey(this.ctx.store, k);
    if (!pod || pod.metadata.deletionTimestamp) return;
    this.markRunning(k, this.ctx.now, false);
    this.hooks.requesterStarted(k);
  }

  private startGenericPod(k: string): void {
    const pod = podByKey(this.ctx.store, k);
    if (!pod || !this.generic.has(k) || pod.metadata.deletionTimestamp) return;
    const now = this.ctx.now;
    const probe = ((pod.spec as { containers?: { readinessProbe?: { initialDelaySeconds?: number; periodSeconds?: number } }[] }).containers ?? [])[0]?.readinessProbe;
    this.markRunning(k, now, !probe);
    this.hooks.podStatusChanged(podByKey(this.ctx.store, k)!, false);
    if (probe) {
      const at = nextProbeTick({ initialDelayMs: (probe.initialDelaySeconds ?? 0) * 1000, periodMs: (probe.periodSeconds ?? 10) * 1000 }, now, now);
      this.addTimer(k, this.ctx.queue.at(at, () => this.markReady(k, at)));
    }
  }

  /** The pod's containers run (Ready only when `ready`); Pulled/Created/Started Events. */
  markRunning(k: string, startedAt: number, ready: boolean): KObject | undefined {
    const store = this.ctx.store;
    const node = this.nodes.find((n) => n.name === (podByKey(store, k)?.spec as { nodeName?: string } | undefined)?.nodeName);
    const t = isoSeconds(this.ctx.toEpochMs(startedAt));
    const pod = patchPod(store, k, (p) => {
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
      this.ctx.event(pod, "Normal", "Pulled", `Container image "${c?.image ?? ""}" already present on machine`, "kubelet");
      this.ctx.event(pod, "Normal", "Created", "Created container: inference-server", "kubelet");
      this.ctx.event(pod, "Normal", "Started", "Started container inference-server", "kubelet");
    }
    return pod;
  }

  /** The readiness probe passed at `at`: Ready and ContainersReady become True. */
  markReady(k: string, at: number): void {
    const t = isoSeconds(this.ctx.toEpochMs(at));
    const pod = patchPod(this.ctx.store, k, (p) => {
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
    if (pod) this.hooks.podStatusChanged(pod, false);
  }

  /**
   * Pod `k` got its deletionTimestamp: what the kubelet had scheduled for it stops, and its
   * containers stop after the teardown (at once with a zero grace period). A requester's teardown
   * waits for the DPC instead (`terminateAfterTeardown`).
   */
  podDeleting(k: string, gracePeriodSeconds: number | undefined, role: PodRole): void {
    for (const t of this.timers.get(k) ?? []) t.cancel();
    this.timers.delete(k);
    if (role !== "requester") this.ctx.queue.after(gracePeriodSeconds === 0 ? 0 : TERMINATE_MS, () => this.maybeFinishPodDeletion(k, true));
  }

  /** The containers of `k` stop after the usual teardown from now. */
  terminateAfterTeardown(k: string): void {
    this.ctx.queue.after(TERMINATE_MS, () => this.maybeFinishPodDeletion(k, true));
  }

  /** Removes a deleting pod once its containers stopped and its finalizers are gone. */
  maybeFinishPodDeletion(k: string, containersStopped = false): void {
    if (containersStopped) this.terminated.add(k);
    const pod = podByKey(this.ctx.store, k);
    if (!pod || !pod.metadata.deletionTimestamp) return;
    if ((pod.metadata.finalizers ?? []).length > 0 || !this.terminated.has(k)) return;
    this.terminated.delete(k);
    this.ctx.store.remove("pods", pod.metadata.namespace, pod.metadata.name);
    for (const n of this.nodes) for (const [g, holder] of [...n.alloc]) if (holder === k) n.alloc.delete(g);
    this.generic.delete(k);
    this.timers.delete(k);
    this.hooks.podRemoved(k);
    this.hooks.podStatusChanged(pod, false);
    this.hooks.gpusFreed();
  }
}
