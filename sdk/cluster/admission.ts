/**
 * The API server's side of every write: validation and defaulting of pods, Deployments and
 * ReplicaSets, generateName, conflict and immutability rules, deletion with a grace period and
 * finalizers — then the store write, and a notification the controllers react to.
 */
import { ApiError } from "./api-error.js";
import { deepCopy, isoSeconds, type KObject, type ObjectStore } from "./store.js";

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** What the API server checks of a pod spec before storing it (enough that the kubelet model cannot trip). */
export function validatePodSpec(spec: unknown, what: string, path: string): void {
  const bad = (msg: string) => new ApiError(422, "Invalid", `${what} is invalid: ${msg}`);
  if (!isObject(spec)) throw bad(`${path}: Required value`);
  const cs = spec.containers;
  if (!Array.isArray(cs) || cs.length === 0) throw bad(`${path}.containers: Required value`);
  cs.forEach((c, i) => {
    if (!isObject(c) || typeof c.name !== "string" || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(c.name)) throw bad(`${path}.containers[${i}].name: Invalid value: a lowercase RFC 1123 label is required`);
    if (c.resources !== undefined && !isObject(c.resources)) throw bad(`${path}.containers[${i}].resources: Invalid value`);
    const gpu = isObject(c.resources) ? ((c.resources.limits as Record<string, unknown> | undefined)?.["nvidia.com/gpu"] ?? (c.resources.requests as Record<string, unknown> | undefined)?.["nvidia.com/gpu"]) : undefined;
    if (gpu !== undefined && !(Number.isInteger(Number(gpu)) && Number(gpu) >= 0)) throw bad(`${path}.containers[${i}].resources.limits[nvidia.com/gpu]: Invalid value: must be a whole number`);
  });
  if (spec.nodeName !== undefined && typeof spec.nodeName !== "string") throw bad(`${path}.nodeName: Invalid value`);
}

/** Deployment/ReplicaSet checks: a selector that matches the template's labels, and a valid pod template. */
export function validateWorkload(resource: string, name: string, spec: { selector?: unknown; template?: unknown }): void {
  const what = `${resource} "${name}"`;
  const sel = isObject(spec.selector) ? spec.selector.matchLabels : undefined;
  if (!isObject(sel) || Object.keys(sel).length === 0 || Object.values(sel).some((v) => typeof v !== "string")) throw new ApiError(422, "Invalid", `${what} is invalid: spec.selector.matchLabels: Required value`);
  const tpl = spec.template;
  const labels = isObject(tpl) && isObject(tpl.metadata) ? tpl.metadata.labels : undefined;
  if (!isObject(labels) || Object.entries(sel).some(([k, v]) => labels[k] !== v)) throw new ApiError(422, "Invalid", `${what} is invalid: spec.template.metadata.labels: Invalid value: \`selector\` does not match template \`labels\``);
  validatePodSpec(isObject(tpl) ? tpl.spec : undefined, what, "spec.template.spec");
}

/** The reactions a write triggers, in the order the API server's watchers see it. */
export interface AdmissionHooks {
  /** A pod was created through the API. */
  podCreated(pod: KObject): void;
  /** A pod was replaced (its finalizers may be gone, so its deletion may finish). */
  podReplaced(namespace: string | undefined, name: string): void;
  /** A pod got its deletionTimestamp (`gracePeriodSeconds` as asked). */
  podDeleting(pod: KObject, gracePeriodSeconds: number | undefined): void;
  /** A Deployment or ReplicaSet was created or changed. */
  workloadChanged(resource: string, obj: KObject): void;
  /** A Deployment or ReplicaSet was deleted: its dependents are garbage-collected. */
  workloadDeleted(obj: KObject): void;
}

export class Admission {
  constructor(
    private readonly store: ObjectStore,
    private readonly clock: { readonly now: number; toEpochMs(v: number): number },
    private readonly hooks: AdmissionHooks,
  ) {}

  /** Creates an object as a client would (POST). Returns the stored object. Errors are `ApiError`. */
  create(resource: string, namespace: string | undefined, body: KObject): KObject {
    const meta = body.metadata ?? ({} as KObject["metadata"]);
    body.metadata = meta;
    if (namespace !== undefined) {
      if (!this.store.get("namespaces", undefined, namespace)) throw new ApiError(404, "NotFound", `namespaces "${namespace}" not found`);
      if (meta.namespace && meta.namespace !== namespace) throw new ApiError(400, "BadRequest", `the namespace of the provided object does not match the namespace sent on the request`);
      meta.namespace = namespace;
    }
    if (!meta.name) {
      if (!meta.generateName) throw new ApiError(422, "Invalid", `${resource}: metadata.name or metadata.generateName is required`);
      let name = "";
      do name = `${meta.generateName}${this.store.newSuffix()}`; while (this.store.get(resource, namespace, name));
      meta.name = name;
    }
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(meta.name) || meta.name.length > 253) throw new ApiError(422, "Invalid", `${resource} "${meta.name}" is invalid: metadata.name: must be a lowercase RFC 1123 subdomain`);
    if (this.store.get(resource, namespace, meta.name)) throw new ApiError(409, "AlreadyExists", `${resource} "${meta.name}" already exists`);
    delete meta.resourceVersion;
    delete meta.uid;
    delete meta.deletionTimestamp;
    if (resource === "pods") {
      validatePodSpec(body.spec, `pods "${meta.name}"`, "spec");
      body.status = { phase: "Pending", qosClass: "Burstable" };
      const obj = this.store.create(resource, body);
      this.hooks.podCreated(obj);
      return obj;
    }
    if (resource === "deployments" || resource === "replicasets") {
      const spec = (body.spec ?? {}) as { replicas?: number; selector?: unknown; template?: unknown };
      if (spec.replicas === undefined) spec.replicas = 1;
      if (!Number.isInteger(spec.replicas) || spec.replicas < 0) throw new ApiError(422, "Invalid", `${resource} "${meta.name}" is invalid: spec.replicas: must be a non-negative integer`);
      if (!spec.template || !spec.selector) throw new ApiError(422, "Invalid", `${resource} "${meta.name}" is invalid: spec.selector and spec.template are required`);
      validateWorkload(resource, meta.name, spec);
      body.spec = spec;
      body.status = {};
      const obj = this.store.create(resource, body);
      this.hooks.workloadChanged(resource, obj);
      return obj;
    }
    if (resource === "events" && !body.metadata.name) body.metadata.name = `event.${this.store.newSuffix()}`;
    return this.store.create(resource, body);
  }

  /** Replaces an object (PUT or a patch's result). `resourceVersion`, when given, must match. */
  replace(resource: string, namespace: string | undefined, name: string, body: KObject, subresource?: string): KObject {
    const cur = this.store.get(resource, namespace, name);
    if (!cur) throw new ApiError(404, "NotFound", `${resource} "${name}" not found`);
    if (body.metadata?.resourceVersion && body.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    const next: KObject = deepCopy((body)) as KObject;
    next.apiVersion = cur.apiVersion;
    next.kind = cur.kind;
    // Immutable and server-owned metadata.
    next.metadata = { ...next.metadata, name: cur.metadata.name, namespace: cur.metadata.namespace, uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp };
    if (cur.metadata.deletionTimestamp) next.metadata.deletionTimestamp = cur.metadata.deletionTimestamp;
    if (cur.metadata.generation !== undefined) {
      const specChanged = JSON.stringify(next.spec) !== JSON.stringify(cur.spec);
      next.metadata.generation = cur.metadata.generation + (specChanged && subresource !== "status" ? 1 : 0);
    }
    if (subresource !== "status" && cur.status !== undefined && resource !== "inferenceserverconfigs" && resource !== "launcherconfigs") next.status = cur.status;
    if (resource === "pods") {
      // Pod spec is immutable apart from a few fields; keep the stored spec.
      next.spec = cur.spec;
    }
    if (resource === "deployments" || resource === "replicasets") {
      validateWorkload(resource, name, (next.spec ?? {}) as { selector?: unknown; template?: unknown });
      const r = (next.spec as { replicas?: unknown } | undefined)?.replicas;
      if (r !== undefined && (!Number.isInteger(r) || (r as number) < 0)) throw new ApiError(422, "Invalid", `${resource} "${name}" is invalid: spec.replicas: must be a non-negative integer`);
    }
    const obj = this.store.update(resource, next);
    if (resource === "deployments" || resource === "replicasets") this.hooks.workloadChanged(resource, obj);
    if (resource === "pods") this.hooks.podReplaced(namespace, name);
    return obj;
  }

  /** Deletes (DELETE). Objects with finalizers get a deletionTimestamp and stay until those are removed. */
  delete(resource: string, namespace: string | undefined, name: string, gracePeriodSeconds?: number): KObject {
    const cur = this.store.get(resource, namespace, name);
    if (!cur) throw new ApiError(404, "NotFound", `${resource} "${name}" not found`);
    if (resource === "pods") return this.deletePod(cur, gracePeriodSeconds);
    if (resource === "deployments" || resource === "replicasets") {
      const removed = this.store.remove(resource, namespace, name)!;
      this.hooks.workloadDeleted(cur);
      return removed;
    }
    if (resource === "namespaces") throw new ApiError(405, "MethodNotAllowed", "deleting namespaces is not supported by the embedded cluster");
    return this.store.remove(resource, namespace, name)!;
  }

  /** A pod's graceful deletion: the deletionTimestamp (now + grace period) the kubelet and controllers react to. */
  deletePod(cur: KObject, gracePeriodSeconds?: number): KObject {
    if (cur.metadata.deletionTimestamp) return cur;
    const next = deepCopy((cur)) as KObject;
    // As the API server does: the time after which the kubelet may kill the pod (now + grace period).
    next.metadata.deletionTimestamp = isoSeconds(this.clock.toEpochMs(this.clock.now) + (gracePeriodSeconds ?? 30) * 1000);
    next.metadata.deletionGracePeriodSeconds = gracePeriodSeconds ?? 30;
    const obj = this.store.update("pods", next);
    this.hooks.podDeleting(obj, gracePeriodSeconds);
    return obj;
  }

  /** Scales a Deployment or ReplicaSet (what `kubectl scale` and the scale subresource do). */
  scale(resource: "deployments" | "replicasets", namespace: string, name: string, replicas: number): KObject {
    const cur = this.store.get(resource, namespace, name);
    if (!cur) throw new ApiError(404, "NotFound", `${resource} "${name}" not found`);
    const next = deepCopy((cur)) as KObject;
    (next.spec as { replicas: number }).replicas = replicas;
    delete next.metadata.resourceVersion;
    return this.replace(resource, namespace, name, next);
  }
}
