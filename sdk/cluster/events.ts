/**
 * core/v1 Events as the embedded cluster's components record them: scheduler-style events carry a
 * µs `eventTime` and a reporting component; kubelet- and controller-style ones second-resolution
 * first/last timestamps and a source.
 */
import { hash32 } from "../core/rng.js";
import { isoMicros, isoSeconds, type KObject, type ObjectStore } from "./store.js";

export function recordEvent(store: ObjectStore, now: number, epochMs: number, reportingNode: string, obj: KObject, type: "Normal" | "Warning", reason: string, message: string, component: string, micro = false): void {
  const ns = obj.metadata.namespace ?? "default";
  const t = epochMs + now;
  const name = `${obj.metadata.name}.${(hash32(`${reason}|${store.eventCount}|${now}`) * 65536 + (store.eventCount % 65536)).toString(16).padStart(16, "0").slice(-16)}`;
  store.create("events", {
    apiVersion: "v1", kind: "Event",
    metadata: { name, namespace: ns },
    involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: ns, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
    reason, message, type, count: micro ? undefined : 1,
    source: micro ? {} : { component, ...((obj.spec as { nodeName?: string } | undefined)?.nodeName && component === "kubelet" ? { host: (obj.spec as { nodeName: string }).nodeName } : {}) },
    firstTimestamp: micro ? null : isoSeconds(t),
    lastTimestamp: micro ? null : isoSeconds(t),
    eventTime: micro ? isoMicros(t) : null,
    reportingComponent: micro ? component : "",
    reportingInstance: micro ? `${component}-${reportingNode}` : "",
    ...(micro ? { action: "Binding" } : {}),
  }, true);
}
