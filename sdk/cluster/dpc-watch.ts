/**
 * The DPC fed from a pod watch: turns ADDED / MODIFIED / DELETED events (MODIFIED with the object
 * before the change) into the DualPodsController's handlers, so the DPC model can run against an
 * API server other than the embedded one. The embedded cluster calls the same handlers directly, in
 * the same order, right after each write (a watch with no lag), which keeps its runs byte-stable.
 */
import type { KObject } from "./store.js";
import { podKey } from "./pods.js";
import type { DualPodsController } from "./dpc.js";

export interface PodWatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KObject;
  /** For MODIFIED: the object before the change (absent: treated as first seen). */
  prev?: KObject;
}

const nodeOf = (p: KObject | undefined) => (p?.spec as { nodeName?: string } | undefined)?.nodeName;
const running = (p: KObject | undefined) => (p?.status as { phase?: string } | undefined)?.phase === "Running";

/**
 * A handler for pod watch events that drives `dpc`. `acceleratorsOf` gives a bound requester's GPU
 * UUIDs (a real DPC asks the requester's SPI, `GET /dual-pods/accelerators`).
 */
export function dpcPodWatch(dpc: DualPodsController, acceleratorsOf: (pod: KObject) => string[]): (e: PodWatchEvent) => void {
  return (e) => {
    const pod = e.object;
    const k = podKey(pod.metadata.namespace, pod.metadata.name);
    if (e.type === "DELETED") return dpc.podRemoved(k);
    const prev = e.type === "ADDED" ? undefined : e.prev;
    if (e.type === "ADDED") dpc.podAdded(pod);
    if (dpc.isRequester(k)) {
      const node = nodeOf(pod);
      if (node && !nodeOf(prev)) dpc.requesterBound(k, node, acceleratorsOf(pod));
      if (node && running(pod) && !running(prev)) dpc.requesterStarted(k);
    }
    if (pod.metadata.deletionTimestamp && !prev?.metadata.deletionTimestamp) dpc.podDeleting(k);
  };
}
