/**
 * The GPU-aware scheduler: a pod without a node is tried a seeded delay after its creation and
 * again whenever GPUs free up; nodes are scored like kube-scheduler's MostAllocated (pack) or
 * LeastAllocated (spread) with a uniform pick among the top scores, or picked at random. An
 * unschedulable pod gets one FailedScheduling Event and stays pending.
 */
import type { Rng } from "../core/rng.js";
import { sampleStep } from "../actuation/profiles.js";
import { isoSeconds, type KObject } from "./store.js";
import { gpuRequest, patchPod, podByKey, podKey } from "./pods.js";
import type { ClusterContext } from "./context.js";
import type { SimNode } from "./hardware.js";
import type { PlacementPolicy } from "./types.js";

export interface SchedulerHooks {
  /** The kubelet's device assignment on the chosen node (returns the GPUs). */
  assignGpus(node: SimNode, k: string, count: number): string[];
  /** The pod is bound (nodeName set, Scheduled Event recorded). */
  bound(k: string, node: SimNode, gpus: string[]): void;
}

export class Scheduler {
  private pending: string[] = [];

  constructor(
    private readonly ctx: ClusterContext,
    private readonly nodes: SimNode[],
    /** The cluster's step stream (the scheduling delay is drawn from it). */
    private readonly steps: Rng,
    /** Tie-breaks among equally scored nodes and the random policy. */
    private readonly tieBreak: Rng,
    private readonly hooks: SchedulerHooks,
  ) {}

  /** A new pod: one without a node is queued for scheduling. */
  podAdded(pod: KObject): void {
    if ((pod.spec as { nodeName?: string }).nodeName) return;
    const k = podKey(pod.metadata.namespace, pod.metadata.name);
    this.pending.push(k);
    this.ctx.queue.after(sampleStep(this.ctx.profile, "schedule", this.steps), () => this.trySchedule(k));
  }

  /** A deleting pod leaves the queue. */
  forget(k: string): void {
    this.pending = this.pending.filter((p) => p !== k);
  }

  /** GPUs were freed: every pending pod is tried again, in queue order. */
  retryPending(): void {
    for (const k of this.pending.slice()) this.trySchedule(k);
  }

  private pickNode(count: number): SimNode | undefined {
    const fits = this.nodes.filter((n) => n.gpus.length - n.alloc.size >= count);
    if (fits.length === 0) return undefined;
    const free = (n: SimNode) => n.gpus.length - n.alloc.size;
    const policy: PlacementPolicy = this.ctx.cfg.placement;
    // Score like kube-scheduler's MostAllocated (pack) / LeastAllocated (spread) and, as its
    // selectHost does, pick uniformly among the nodes that share the top score: the scheduler
    // knows nothing of sleeping instances, which is why placement moves the hot-hit rate.
    if (policy === "random") return this.tieBreak.pick(fits);
    const score = (n: SimNode) => (policy === "pack" ? -free(n) : free(n));
    const best = Math.max(...fits.map(score));
    const top = fits.filter((n) => score(n) === best);
    return top.length === 1 ? top[0]! : this.tieBreak.pick(top);
  }

  private trySchedule(k: string): void {
    const store = this.ctx.store;
    const pod = podByKey(store, k);
    if (!pod || pod.metadata.deletionTimestamp || (pod.spec as { nodeName?: string }).nodeName) {
      this.forget(k);
      return;
    }
    const count = gpuRequest(pod);
    const node = count > 0 ? this.pickNode(count) : this.ctx.cfg.placement === "random" ? this.tieBreak.pick(this.nodes) : this.nodes[0];
    if (!node) {
      const conds = (pod.status as { conditions?: unknown[] }).conditions;
      if (!conds || conds.length === 0) {
        const n = this.nodes.length;
        patchPod(store, k, (p) => { (p.status as Record<string, unknown>).conditions = [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: `0/${n} nodes are available: ${n} Insufficient nvidia.com/gpu.`, lastProbeTime: null, lastTransitionTime: isoSeconds(this.ctx.toEpochMs(this.ctx.now)) }]; });
        this.ctx.event(pod, "Warning", "FailedScheduling", `0/${n} nodes are available: ${n} Insufficient nvidia.com/gpu.`, "default-scheduler", true);
      }
      return; // stays pending; retried when GPUs free up
    }
    this.forget(k);
    const gpus = count > 0 ? this.hooks.assignGpus(node, k, count) : [];
    const t = isoSeconds(this.ctx.toEpochMs(this.ctx.now));
    const updated = patchPod(store, k, (p) => {
      (p.spec as Record<string, unknown>).nodeName = node.name;
      (p.status as Record<string, unknown>).conditions = [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: t }];
    })!;
    this.ctx.event(updated, "Normal", "Scheduled", `Successfully assigned ${updated.metadata.namespace}/${updated.metadata.name} to ${node.name}`, "default-scheduler", true);
    this.hooks.bound(k, node, gpus);
  }
}
