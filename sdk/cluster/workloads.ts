/**
 * The Deployment and ReplicaSet controllers of the embedded cluster: a Deployment owns one
 * ReplicaSet per pod template (a template change scales the old ones to 0), a ReplicaSet creates
 * and deletes pods to match its replicas (deleting unscheduled, pending, unready, then newest pods
 * first, as Kubernetes ranks them), and both keep their status counts current.
 */
import { hash32 } from "../core/rng.js";
import type { EventQueue } from "../core/event-queue.js";
import { deepCopy, isoSeconds, type KObject, type ObjectStore } from "./store.js";

/** Deployment/ReplicaSet controller reaction (assumption). */
export const CONTROLLER_MS = 15;

/** What the controllers need from the cluster model. */
export interface WorkloadHost {
  readonly store: ObjectStore;
  readonly queue: EventQueue;
  readonly now: number;
  readonly epochMs: number;
  toEpochMs(v: number): number;
  event(obj: KObject, type: "Normal" | "Warning", reason: string, message: string, component: string): void;
  apiCreate(resource: string, namespace: string | undefined, body: KObject): KObject;
  deletePod(pod: KObject): void;
}

export class WorkloadControllers {
  private queued = new Set<string>();
  private statusDirty = new Set<string>();

  constructor(private readonly host: WorkloadHost) {}

  /**
   * A pod changed: its ReplicaSet's status is marked stale (one recount per virtual instant, however
   * many pods changed); with `resync` (a pod is going away) the ReplicaSet syncs, so the pod is replaced.
   */
  podChanged(pod: KObject, resync = false): void {
    const owner = pod.metadata.ownerReferences?.find((o) => o.kind === "ReplicaSet");
    if (!owner) return;
    const k = `${pod.metadata.namespace}/${owner.name}`;
    if (!this.statusDirty.has(k)) {
      this.statusDirty.add(k);
      this.host.queue.after(0, () => {
        this.statusDirty.delete(k);
        this.updateReplicaSetStatus(pod.metadata.namespace!, owner.name);
      });
    }
    const rs = resync ? this.host.store.get("replicasets", pod.metadata.namespace, owner.name) : undefined;
    if (rs) this.kick("replicasets", rs); // a deleted pod is replaced
  }

  kick(resource: string, obj: KObject): void {
    const k = `${resource}|${obj.metadata.namespace}|${obj.metadata.name}`;
    if (this.queued.has(k)) return;
    this.queued.add(k);
    this.host.queue.after(CONTROLLER_MS, () => {
      this.queued.delete(k);
      if (resource === "deployments") this.syncDeployment(obj.metadata.namespace!, obj.metadata.name);
      else this.syncReplicaSet(obj.metadata.namespace!, obj.metadata.name);
    });
  }

  private syncDeployment(ns: string, name: string): void {
    const d = this.host.store.get("deployments", ns, name);
    if (!d) return;
    const spec = d.spec as { replicas: number; template: KObject & { metadata?: { labels?: Record<string, string> } }; selector: { matchLabels?: Record<string, string> } };
    const alphabet = "bcdfghjklmnpqrstvwxz2456789";
    let h = hash32(JSON.stringify(spec.template)), hash = "";
    for (let i = 0; i < 10; i++) { hash += alphabet[h % alphabet.length]; h = (Math.floor(h / alphabet.length) ^ hash32(hash)) >>> 0; }
    const rsName = `${name}-${hash}`;
    let rs = this.host.store.get("replicasets", ns, rsName);
    const owned = this.host.store.list("replicasets", ns).filter((r) => r.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid));
    if (!rs) {
      const tpl = deepCopy((spec.template)) as KObject;
      tpl.metadata = { ...(tpl.metadata ?? {}), labels: { ...(tpl.metadata?.labels ?? {}), "pod-template-hash": hash } } as KObject["metadata"];
      rs = this.host.store.create("replicasets", {
        apiVersion: "apps/v1", kind: "ReplicaSet",
        metadata: { name: rsName, namespace: ns, labels: { ...(spec.template.metadata?.labels ?? {}), "pod-template-hash": hash }, annotations: { "deployment.kubernetes.io/desired-replicas": String(spec.replicas), "deployment.kubernetes.io/revision": String(owned.length + 1) }, ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true }] },
        spec: { replicas: spec.replicas, selector: { matchLabels: { ...(spec.selector.matchLabels ?? {}), "pod-template-hash": hash } }, template: tpl },
        status: { replicas: 0, observedGeneration: 1 },
      });
      if (spec.replicas > 0) this.host.event(d, "Normal", "ScalingReplicaSet", `Scaled up replica set ${rsName} from 0 to ${spec.replicas}`, "deployment-controller");
      this.kick("replicasets", rs);
    } else if ((rs.spec as { replicas: number }).replicas !== spec.replicas) {
      const from = (rs.spec as { replicas: number }).replicas;
      const next = deepCopy((rs)) as KObject;
      (next.spec as { replicas: number }).replicas = spec.replicas;
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), "deployment.kubernetes.io/desired-replicas": String(spec.replicas) };
      rs = this.host.store.update("replicasets", next);
      this.host.event(d, "Normal", "ScalingReplicaSet", `Scaled ${spec.replicas > from ? "up" : "down"} replica set ${rsName} from ${from} to ${spec.replicas}`, "deployment-controller");
      this.kick("replicasets", rs);
    }
    // Older ReplicaSets (a template change) scale to 0: a Recreate-style rollout.
    for (const old of owned) {
      if (old.metadata.name === rsName || (old.spec as { replicas: number }).replicas === 0) continue;
      const next = deepCopy((old)) as KObject;
      (next.spec as { replicas: number }).replicas = 0;
      this.kick("replicasets", this.host.store.update("replicasets", next));
    }
    this.updateDeploymentStatus(ns, name);
  }

  private podsOf(owner: KObject): KObject[] {
    return this.host.store.list("pods", owner.metadata.namespace).filter((p) => p.metadata.ownerReferences?.some((o) => o.uid === owner.metadata.uid));
  }

  private isPodReady(p: KObject): boolean {
    const conds = (p.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
    return conds.some((c) => c.type === "Ready" && c.status === "True");
  }

  private syncReplicaSet(ns: string, name: string): void {
    const rs = this.host.store.get("replicasets", ns, name);
    if (!rs) return;
    const spec = rs.spec as { replicas: number; template: KObject };
    const active = this.podsOf(rs).filter((p) => !p.metadata.deletionTimestamp);
    const diff = spec.replicas - active.length;
    if (diff > 0) {
      for (let i = 0; i < diff; i++) {
        const tpl = deepCopy((spec.template)) as KObject;
        const pod: KObject = {
          apiVersion: "v1", kind: "Pod",
          metadata: { ...(tpl.metadata ?? {}), name: "", generateName: `${name}-`, namespace: ns, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true }] },
          spec: tpl.spec ?? {},
        };
        const created = this.host.apiCreate("pods", ns, pod);
        this.host.event(rs, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata.name}`, "replicaset-controller");
      }
    } else if (diff < 0) {
      // Kubernetes' ranking: unscheduled < pending < not ready < ready; then the newest first.
      const rank = (p: KObject) => (!(p.spec as { nodeName?: string }).nodeName ? 0 : (p.status as { phase?: string }).phase === "Pending" ? 1 : !this.isPodReady(p) ? 2 : 3);
      const victims = active.slice().sort((a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp! < a.metadata.creationTimestamp! ? -1 : b.metadata.creationTimestamp! > a.metadata.creationTimestamp! ? 1 : Number(b.metadata.resourceVersion) - Number(a.metadata.resourceVersion)));
      for (const v of victims.slice(0, -diff)) {
        this.host.deletePod(v);
        this.host.event(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${v.metadata.name}`, "replicaset-controller");
      }
    }
    this.updateReplicaSetStatus(ns, name);
  }

  updateReplicaSetStatus(ns: string, name: string): void {
    const rs = this.host.store.get("replicasets", ns, name);
    if (!rs) return;
    const pods = this.podsOf(rs).filter((p) => !p.metadata.deletionTimestamp);
    const ready = pods.filter((p) => this.isPodReady(p)).length;
    const status = { replicas: pods.length, fullyLabeledReplicas: pods.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: rs.metadata.generation ?? 1 };
    if (JSON.stringify(status) !== JSON.stringify(rs.status)) {
      const next = deepCopy((rs)) as KObject;
      next.status = status;
      this.host.store.update("replicasets", next);
    }
    const owner = rs.metadata.ownerReferences?.find((o) => o.kind === "Deployment");
    if (owner) this.updateDeploymentStatus(ns, owner.name);
  }

  private updateDeploymentStatus(ns: string, name: string): void {
    const d = this.host.store.get("deployments", ns, name);
    if (!d) return;
    const rss = this.host.store.list("replicasets", ns).filter((r) => r.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid));
    let replicas = 0, ready = 0;
    for (const rs of rss) {
      const st = rs.status as { replicas?: number; readyReplicas?: number };
      replicas += st.replicas ?? 0;
      ready += st.readyReplicas ?? 0;
    }
    const want = (d.spec as { replicas: number }).replicas;
    const t = isoSeconds(this.host.toEpochMs(this.host.now));
    const prev = (d.status ?? {}) as { conditions?: { type: string; status: string; lastTransitionTime: string }[] };
    const avail = ready >= want ? "True" : "False";
    const prevAvail = prev.conditions?.find((c) => c.type === "Available");
    const status = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas, updatedReplicas: replicas, readyReplicas: ready, availableReplicas: ready,
      ...(replicas - ready > 0 ? { unavailableReplicas: replicas - ready } : {}),
      conditions: [
        { type: "Available", status: avail, reason: avail === "True" ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable", message: avail === "True" ? "Deployment has minimum availability." : "Deployment does not have minimum availability.", lastUpdateTime: prevAvail?.status === avail ? prevAvail.lastTransitionTime : t, lastTransitionTime: prevAvail?.status === avail ? prevAvail.lastTransitionTime : t },
        { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${rss[rss.length - 1]?.metadata.name ?? name}" has successfully progressed.`, lastUpdateTime: t, lastTransitionTime: isoSeconds(this.host.epochMs) },
      ],
    };
    const sameExceptTimes = JSON.stringify({ ...status, conditions: status.conditions.map((c) => ({ type: c.type, status: c.status })) }) === JSON.stringify({ ...(d.status as object), conditions: prev.conditions?.map((c) => ({ type: c.type, status: c.status })) });
    if (sameExceptTimes) return;
    const next = deepCopy((d)) as KObject;
    next.status = status;
    this.host.store.update("deployments", next);
  }

  collectOrphans(owner: KObject): void {
    for (const res of ["replicasets", "pods"]) {
      for (const o of this.host.store.list(res, owner.metadata.namespace)) {
        if (!o.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid)) continue;
        if (res === "pods") this.host.deletePod(o);
        else {
          this.host.store.remove(res, o.metadata.namespace, o.metadata.name);
          this.host.queue.after(CONTROLLER_MS, () => this.collectOrphans(o));
        }
      }
    }
  }
}
