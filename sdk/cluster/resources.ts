/**
 * The resources the embedded API server serves, with their discovery documents, a minimal
 * OpenAPI v3 per group-version (enough for kubectl to learn that field validation is server-side),
 * and kubectl's `as=Table` rendering.
 */
import type { KObject } from "./store.js";
import { FMA_GROUP, FMA_VERSION } from "./fma.js";

export interface ResourceInfo {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  subresources: string[];
  categories?: string[];
}

export const RESOURCES: readonly ResourceInfo[] = [
  { group: "", version: "v1", plural: "pods", singular: "pod", kind: "Pod", namespaced: true, shortNames: ["po"], subresources: ["log", "status"], categories: ["all"] },
  { group: "", version: "v1", plural: "nodes", singular: "node", kind: "Node", namespaced: false, shortNames: ["no"], subresources: ["status"] },
  { group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace", namespaced: false, shortNames: ["ns"], subresources: ["status"] },
  { group: "", version: "v1", plural: "events", singular: "event", kind: "Event", namespaced: true, shortNames: ["ev"], subresources: [] },
  { group: "apps", version: "v1", plural: "deployments", singular: "deployment", kind: "Deployment", namespaced: true, shortNames: ["deploy"], subresources: ["scale", "status"], categories: ["all"] },
  { group: "apps", version: "v1", plural: "replicasets", singular: "replicaset", kind: "ReplicaSet", namespaced: true, shortNames: ["rs"], subresources: ["scale", "status"], categories: ["all"] },
  { group: FMA_GROUP, version: FMA_VERSION, plural: "inferenceserverconfigs", singular: "inferenceserverconfig", kind: "InferenceServerConfig", namespaced: true, shortNames: ["isc"], subresources: ["status"] },
  { group: FMA_GROUP, version: FMA_VERSION, plural: "launcherconfigs", singular: "launcherconfig", kind: "LauncherConfig", namespaced: true, shortNames: ["lcfg"], subresources: ["status"] },
  { group: FMA_GROUP, version: FMA_VERSION, plural: "launcherpopulationpolicies", singular: "launcherpopulationpolicy", kind: "LauncherPopulationPolicy", namespaced: true, shortNames: ["lpp"], subresources: ["status"] },
];

export const GROUPS: readonly { group: string; version: string }[] = [
  { group: "apps", version: "v1" },
  { group: FMA_GROUP, version: FMA_VERSION },
];

export function findResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export const apiVersionOf = (r: ResourceInfo) => (r.group ? `${r.group}/${r.version}` : r.version);

export function versionDoc(): unknown {
  return { major: "1", minor: "32", gitVersion: "v1.32.4-actlab", gitCommit: "0000000000000000000000000000000000000000", gitTreeState: "clean", buildDate: "2026-11-23T00:00:00Z", goVersion: "go1.23.8", compiler: "gc", platform: "linux/amd64" };
}

export function apiVersionsDoc(): unknown {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1:6443" }] };
}

function groupDoc(group: string, version: string): unknown {
  return { name: group, versions: [{ groupVersion: `${group}/${version}`, version }], preferredVersion: { groupVersion: `${group}/${version}`, version } };
}

export function apiGroupListDoc(): unknown {
  return { kind: "APIGroupList", apiVersion: "v1", groups: GROUPS.map((g) => groupDoc(g.group, g.version)) };
}

export function apiGroupDoc(group: string): unknown | undefined {
  const g = GROUPS.find((x) => x.group === group);
  return g ? { kind: "APIGroup", apiVersion: "v1", ...(groupDoc(g.group, g.version) as object) } : undefined;
}

export function resourceListDoc(group: string, version: string): unknown | undefined {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const resources: unknown[] = [];
  for (const r of rs) {
    const verbs = r.plural === "namespaces" || r.plural === "nodes" ? ["create", "get", "list", "watch", "patch", "update"] : ["create", "delete", "get", "list", "patch", "update", "watch"];
    resources.push({ name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs, shortNames: r.shortNames, ...(r.categories ? { categories: r.categories } : {}) });
    for (const s of r.subresources) {
      if (s === "log") resources.push({ name: `${r.plural}/log`, singularName: "", namespaced: true, kind: "Pod", verbs: ["get"] });
      if (s === "status") resources.push({ name: `${r.plural}/status`, singularName: "", namespaced: r.namespaced, kind: r.kind, verbs: ["get", "patch", "update"] });
      if (s === "scale") resources.push({ name: `${r.plural}/scale`, singularName: "", namespaced: true, group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources };
}

/** `/openapi/v3`: where each group-version document lives. */
export function openapiRootDoc(): unknown {
  const paths: Record<string, { serverRelativeURL: string }> = { "api/v1": { serverRelativeURL: "/openapi/v3/api/v1?hash=ACTLAB1" } };
  for (const g of GROUPS) paths[`apis/${g.group}/${g.version}`] = { serverRelativeURL: `/openapi/v3/apis/${g.group}/${g.version}?hash=ACTLAB1` };
  return { paths };
}

/**
 * A group-version OpenAPI v3 document: every item path declares PATCH with the GVK extension and
 * a `fieldValidation` query parameter, which tells kubectl to leave validation to the server.
 */
export function openapiGroupDoc(group: string, version: string): unknown | undefined {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const params = ["fieldValidation", "dryRun", "fieldManager", "force"].map((name) => ({ name, in: "query", schema: { type: name === "force" ? "boolean" : "string" }, uniqueItems: true }));
  for (const r of rs) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    const coll = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
    const ref = { $ref: `#/components/schemas/${schemaName(r)}` };
    const op = (action: string) => ({ operationId: `${action}${r.kind}`, "x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk, parameters: params, responses: { "200": { description: "OK", content: { "application/json": { schema: ref } } } } });
    paths[coll] = { get: op("list"), post: op("post") };
    paths[`${coll}/{name}`] = { get: op("get"), put: op("put"), patch: op("patch"), delete: op("delete") };
    schemas[schemaName(r)] = { type: "object", description: `${r.kind} (served by the actuation-lab embedded cluster; fields are not enumerated)`, "x-kubernetes-group-version-kind": [gvk], "x-kubernetes-preserve-unknown-fields": true, properties: { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object", "x-kubernetes-preserve-unknown-fields": true }, spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true }, status: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } };
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.4" }, paths, components: { schemas } };
}

function schemaName(r: ResourceInfo): string {
  if (r.group === "") return `io.k8s.api.core.v1.${r.kind}`;
  if (r.group === "apps") return `io.k8s.api.apps.v1.${r.kind}`;
  return `ai.llm-d.fma.${r.version}.${r.kind}`;
}

/** kubectl's HumanDuration. */
export function humanAge(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

interface Column { name: string; type: string; format: string; description: string; priority: number }
const col = (name: string, type = "string", priority = 0, format = ""): Column => ({ name, type, format, description: name, priority });

function podStatusText(p: KObject): string {
  if (p.metadata.deletionTimestamp) return "Terminating";
  const st = (p.status ?? {}) as { phase?: string; containerStatuses?: { state?: { waiting?: { reason?: string } } }[] };
  if (st.phase === "Pending" && (p.spec as { nodeName?: string } | undefined)?.nodeName) return "ContainerCreating";
  return st.phase ?? "Pending";
}

function columnsAndCells(plural: string, o: KObject, nowEpochMs: number): { columns: Column[]; cells: unknown[] } {
  const age = o.metadata.creationTimestamp ? humanAge(nowEpochMs - Date.parse(o.metadata.creationTimestamp)) : "<unknown>";
  if (plural === "pods") {
    const spec = (o.spec ?? {}) as { containers?: unknown[]; nodeName?: string };
    const st = (o.status ?? {}) as { containerStatuses?: { ready: boolean; restartCount?: number }[]; podIP?: string };
    const ready = (st.containerStatuses ?? []).filter((c) => c.ready).length;
    return {
      columns: [col("Name"), col("Ready"), col("Status"), col("Restarts", "string"), col("Age"), col("IP", "string", 1), col("Node", "string", 1), col("Nominated Node", "string", 1), col("Readiness Gates", "string", 1)],
      cells: [o.metadata.name, `${ready}/${spec.containers?.length ?? 0}`, podStatusText(o), "0", age, st.podIP ?? "<none>", spec.nodeName ?? "<none>", "<none>", "<none>"],
    };
  }
  if (plural === "deployments" || plural === "replicasets") {
    const spec = (o.spec ?? {}) as { replicas?: number };
    const st = (o.status ?? {}) as { readyReplicas?: number; updatedReplicas?: number; availableReplicas?: number; replicas?: number };
    if (plural === "deployments") {
      return { columns: [col("Name"), col("Ready"), col("Up-to-date", "integer"), col("Available", "integer"), col("Age")], cells: [o.metadata.name, `${st.readyReplicas ?? 0}/${spec.replicas ?? 0}`, st.updatedReplicas ?? 0, st.availableReplicas ?? 0, age] };
    }
    return { columns: [col("Name"), col("Desired", "integer"), col("Current", "integer"), col("Ready", "integer"), col("Age")], cells: [o.metadata.name, spec.replicas ?? 0, st.replicas ?? 0, st.readyReplicas ?? 0, age] };
  }
  if (plural === "nodes") return { columns: [col("Name"), col("Status"), col("Roles"), col("Age"), col("Version")], cells: [o.metadata.name, "Ready", "<none>", age, "v1.32.4"] };
  if (plural === "namespaces") return { columns: [col("Name"), col("Status"), col("Age")], cells: [o.metadata.name, "Active", age] };
  if (plural === "events") {
    const e = o as unknown as { type?: string; reason?: string; message?: string; involvedObject?: { kind?: string; name?: string } };
    return { columns: [col("Last Seen"), col("Type"), col("Reason"), col("Object"), col("Message")], cells: [age, e.type ?? "", e.reason ?? "", `${(e.involvedObject?.kind ?? "").toLowerCase()}/${e.involvedObject?.name ?? ""}`, e.message ?? ""] };
  }
  return { columns: [col("Name"), col("Age")], cells: [o.metadata.name, age] };
}

/** A `meta.k8s.io/v1` Table of `items`; row objects are PartialObjectMetadata unless `includeObject=Object`. */
export function toTable(plural: string, items: KObject[], nowEpochMs: number, resourceVersion: string, includeObject: string | null): unknown {
  const first = columnsAndCells(plural, items[0] ?? { apiVersion: "v1", kind: "X", metadata: { name: "" } }, nowEpochMs);
  return {
    kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: { resourceVersion },
    columnDefinitions: first.columns,
    rows: items.map((o) => ({
      cells: columnsAndCells(plural, o, nowEpochMs).cells,
      object: includeObject === "None" ? undefined : includeObject === "Object" ? o : { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata },
    })),
  };
}

const POD_SPEC = new Set(["activeDeadlineSeconds", "affinity", "automountServiceAccountToken", "containers", "dnsConfig", "dnsPolicy", "enableServiceLinks", "ephemeralContainers", "hostAliases", "hostIPC", "hostNetwork", "hostPID", "hostUsers", "hostname", "imagePullSecrets", "initContainers", "nodeName", "nodeSelector", "os", "overhead", "preemptionPolicy", "priority", "priorityClassName", "readinessGates", "resourceClaims", "resources", "restartPolicy", "runtimeClassName", "schedulerName", "schedulingGates", "securityContext", "serviceAccount", "serviceAccountName", "setHostnameAsFQDN", "shareProcessNamespace", "subdomain", "terminationGracePeriodSeconds", "tolerations", "topologySpreadConstraints", "volumes"]);
const SPEC_FIELDS: Record<string, Set<string>> = {
  Pod: POD_SPEC,
  Deployment: new Set(["minReadySeconds", "paused", "progressDeadlineSeconds", "replicas", "revisionHistoryLimit", "selector", "strategy", "template"]),
  ReplicaSet: new Set(["minReadySeconds", "replicas", "selector", "template"]),
  InferenceServerConfig: new Set(["modelServerConfig", "launcherConfigName"]),
  LauncherConfig: new Set(["podTemplate", "maxInstances"]),
  LauncherPopulationPolicy: new Set(["enhancedNodeSelector", "countForLauncher"]),
};
const TOP = new Set(["apiVersion", "kind", "metadata", "spec", "status"]);

/**
 * Unknown fields the API server's strict decoding would name (top level, spec, and a pod template's
 * spec). Kinds without a schema here (Event, Node, Namespace) are not checked.
 */
export function unknownFields(kind: string, obj: Record<string, unknown>): string[] {
  const spec = SPEC_FIELDS[kind];
  if (!spec) return [];
  const out: string[] = [];
  for (const k of Object.keys(obj)) if (!TOP.has(k)) out.push(k);
  const s = obj.spec;
  if (s && typeof s === "object" && !Array.isArray(s)) {
    for (const k of Object.keys(s)) if (!spec.has(k)) out.push(`spec.${k}`);
    const tpl = (s as { template?: { spec?: unknown } }).template?.spec;
    if (tpl && typeof tpl === "object" && !Array.isArray(tpl)) for (const k of Object.keys(tpl)) if (!POD_SPEC.has(k)) out.push(`spec.template.spec.${k}`);
  }
  return out;
}
