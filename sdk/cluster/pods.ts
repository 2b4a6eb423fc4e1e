/**
 * Pod helpers every controller of the embedded cluster uses: the `namespace/name` key, the GPU
 * request of a pod spec, and copy-on-write pod changes that keep the store's history snapshots intact.
 */
import { deepCopy, type KObject, type ObjectStore } from "./store.js";

export const podKey = (ns: string | undefined, name: string): string => `${ns ?? ""}/${name}`;

/** GPUs a pod asks for (`nvidia.com/gpu` limits, else requests, summed over its containers). */
export function gpuRequest(pod: KObject): number {
  const containers = ((pod.spec as { containers?: { resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> } }[] } | undefined)?.containers) ?? [];
  let n = 0;
  for (const c of containers) {
    const v = c.resources?.limits?.["nvidia.com/gpu"] ?? c.resources?.requests?.["nvidia.com/gpu"];
    if (v !== undefined) n += Number(v) || 0;
  }
  return n;
}

export function podByKey(store: ObjectStore, k: string): KObject | undefined {
  const i = k.indexOf("/");
  return store.get("pods", k.slice(0, i) || undefined, k.slice(i + 1));
}

/**
 * Changes a pod through a copy: metadata maps and status are copied, the spec only at its top
 * level (its containers are never changed after creation), so history snapshots stay intact.
 */
export function patchPod(store: ObjectStore, k: string, fn: (p: KObject) => void): KObject | undefined {
  const cur = podByKey(store, k);
  if (!cur) return undefined;
  const m = cur.metadata;
  const next: KObject = {
    ...cur,
    metadata: { ...m, ...(m.labels ? { labels: { ...m.labels } } : {}), ...(m.annotations ? { annotations: { ...m.annotations } } : {}), ...(m.finalizers ? { finalizers: [...m.finalizers] } : {}) },
    spec: { ...(cur.spec as object) },
    status: deepCopy(cur.status),
  };
  fn(next);
  return store.updateOwned("pods", next);
}

/** A pod's IP as the store shows it ("" before it has one). */
export function podIpOf(store: ObjectStore, k: string): string {
  return ((podByKey(store, k)?.status as { podIP?: string } | undefined)?.podIP) ?? "";
}
