/**
 * The shapes `sdk/kube/` hands out: Kubernetes objects as the API server sent them (raw JSON, not
 * re-serialised, so timestamps keep their exact text) and watch events stamped with the time this
 * process received them.
 */

/** The parts of object metadata this module reads. Everything else is kept as sent. */
export interface KubeMetadata {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  [key: string]: unknown;
}

/** Any Kubernetes object, raw. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeMetadata;
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

/**
 * How an event reached the consumer: from the initial list (as ADDED), from the watch stream, or
 * synthesized from a relist after `410 Gone` (the difference between what we knew and the new list).
 */
export type EventOrigin = "list" | "watch" | "relist";

export interface WatchEvent {
  /** 0-based position in this stream (also in a recorded log). */
  seq: number;
  type: WatchEventType;
  /** The resource the object belongs to, e.g. `pods`, `inferenceserverconfigs`. */
  resource: string;
  origin: EventOrigin;
  /** Wall-clock time of receipt, epoch ms (Date.now()). */
  receivedWallMs: number;
  /** Monotonic time of receipt, ms (performance.now() of the receiving process). */
  receivedMonoMs: number;
  object: KubeObject;
}

/** A resource to watch: the API group path and the plural name. */
export interface ResourceRef {
  /** `""` for the core group, else e.g. `fma.llm-d.ai`. */
  group: string;
  version: string;
  /** Plural, lower-case, e.g. `pods`. */
  plural: string;
  /** Namespaced (default true). */
  namespaced?: boolean;
}

export const PODS: ResourceRef = { group: "", version: "v1", plural: "pods" };
export const EVENTS: ResourceRef = { group: "", version: "v1", plural: "events" };
export const INFERENCE_SERVER_CONFIGS: ResourceRef = { group: "fma.llm-d.ai", version: "v1alpha1", plural: "inferenceserverconfigs" };
export const LAUNCHER_CONFIGS: ResourceRef = { group: "fma.llm-d.ai", version: "v1alpha1", plural: "launcherconfigs" };
export const LAUNCHER_POPULATION_POLICIES: ResourceRef = { group: "fma.llm-d.ai", version: "v1alpha1", plural: "launcherpopulationpolicies" };
/** The FMA custom resources (group fma.llm-d.ai, v1alpha1), for `watchPods({ resources })`. */
export const FMA_RESOURCES: readonly ResourceRef[] = [INFERENCE_SERVER_CONFIGS, LAUNCHER_CONFIGS, LAUNCHER_POPULATION_POLICIES];

/**
 * The URL path of a resource collection, e.g. `/api/v1/namespaces/ns/pods`.
 *
 * @example
 * ```ts
 * collectionPath(PODS, "default"); // "/api/v1/namespaces/default/pods"
 * ```
 */
export function collectionPath(r: ResourceRef, namespace: string | undefined): string {
  const base = r.group === "" ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const ns = (r.namespaced ?? true) && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${ns}/${r.plural}`;
}

/**
 * `namespace/name`, the identity used across relists (uid when the name is missing).
 *
 * @example
 * ```ts
 * objectKey(pod); // "default/my-pod"
 * ```
 */
export function objectKey(o: KubeObject): string {
  const m = o.metadata ?? {};
  return `${m.namespace ?? ""}/${m.name ?? m.uid ?? ""}`;
}
