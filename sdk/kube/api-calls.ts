/**
 * The few non-watch calls an actuation benchmark makes, over the kubeconfig's server: scale a
 * Deployment (the `scale` subresource, as llm-d-benchmark's nop harness does), create objects,
 * read pod logs (how the harness reads the DPC log) and the `/metrics` page. Failures are
 * InputErrors naming the server and the object.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { InputError } from "../core/errors.js";
import { rng, type Rng } from "../core/rng.js";
import { STREAMS } from "../core/streams.js";
import { checkKubeConfig, kubeRequest, type RawResponse } from "./kubeconfig.js";
import type { KubeObject } from "./types.js";

/** Options every call takes. */
export interface ApiCallOptions {
  /**
   * The retry-jitter stream, already split by the caller (jitter only spreads retries in time and
   * never reaches an output). Default: a fresh `api-calls/retry-jitter` stream for the call.
   */
  rng?: Rng;
}

const jitterOf = (o: ApiCallOptions): Rng => o.rng ?? rng(STREAMS.apiCallsRoot).split(STREAMS.apiCallsRetryJitter);

/**
 * One call with retries on 429/5xx and connection errors (backoff 50 ms × 2^k with jitter, honouring
 * Retry-After up to 2 s), so a flaky API server does not end a benchmark; the calls made here are
 * idempotent (a replicas merge patch, GETs) or fail cleanly on a retry (a create answers 409).
 */
async function call(kc: KubeConfig, o: ApiCallOptions, method: string, path: string, query: Record<string, string | undefined> = {}, body?: { contentType: string; text: string }, attempts = 6): Promise<RawResponse> {
  let last: unknown;
  let retryJitter: Rng | undefined;
  for (let k = 0; k < attempts; k++) {
    try {
      const res = await kubeRequest(kc, method, path, query, body);
      if (res.status !== 429 && res.status < 500) return res;
      last = res;
      if (k === attempts - 1) return res;
    } catch (err) {
      last = err;
      if (k === attempts - 1) throw new InputError({ source: checkKubeConfig(kc), path }, `a reachable Kubernetes API server (${(err as Error).message})`, { cause: err });
    }
    await new Promise((r) => setTimeout(r, 50 * 2 ** k * (0.5 + (retryJitter ??= jitterOf(o)).random() / 2)));
  }
  throw last;
}

function check(res: RawResponse, kc: KubeConfig, what: string, ok = [200, 201]): string {
  if (ok.includes(res.status)) return res.body;
  let msg = res.body.slice(0, 300);
  try { msg = (JSON.parse(res.body) as { message?: string }).message ?? msg; } catch { /* plain text */ }
  throw new InputError({ source: checkKubeConfig(kc), path: what }, `a successful answer (got ${res.status}: ${msg})`);
}

export type Workload = "deployments" | "replicasets";

/**
 * Sets `spec.replicas` of a Deployment (or ReplicaSet) through its scale subresource (merge patch).
 *
 * @example
 * ```ts
 * await scaleDeployment(kubeConfig, "default", "my-requester", 2);
 * ```
 */
export async function scaleDeployment(kc: KubeConfig, namespace: string, name: string, replicas: number, kind: Workload = "deployments", options: ApiCallOptions = {}): Promise<void> {
  const res = await call(kc, options, "PATCH", `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(name)}/scale`, {}, { contentType: "application/merge-patch+json", text: JSON.stringify({ spec: { replicas } }) });
  check(res, kc, `${kind}/${namespace}/${name}/scale`);
}

/**
 * Reads a Deployment (or ReplicaSet); null when absent.
 *
 * @example
 * ```ts
 * const d = await getDeployment(kc, "default", "my-requester");
 * ```
 */
export async function getDeployment(kc: KubeConfig, namespace: string, name: string, kind: Workload = "deployments", options: ApiCallOptions = {}): Promise<KubeObject | null> {
  const res = await call(kc, options, "GET", `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(name)}`);
  if (res.status === 404) return null;
  return JSON.parse(check(res, kc, `${kind}/${namespace}/${name}`)) as KubeObject;
}

/** Reads any object by URL path (e.g. `/apis/fma.llm-d.ai/v1alpha1/namespaces/ns/inferenceserverconfigs/x`); null when absent. */
export async function getObject(kc: KubeConfig, path: string, options: ApiCallOptions = {}): Promise<KubeObject | null> {
  const res = await call(kc, options, "GET", path);
  if (res.status === 404) return null;
  return JSON.parse(check(res, kc, path)) as KubeObject;
}

/** Lists a collection (e.g. `/api/v1/namespaces/ns/pods`), optionally by label selector; the items. */
export async function listObjects(kc: KubeConfig, collection: string, labelSelector?: string, options: ApiCallOptions = {}): Promise<KubeObject[]> {
  const res = await call(kc, options, "GET", collection, { labelSelector });
  return ((JSON.parse(check(res, kc, collection)) as { items?: KubeObject[] }).items) ?? [];
}

/**
 * Creates an object (POST to its collection, e.g. `/apis/apps/v1/namespaces/ns/deployments`).
 *
 * @example
 * ```ts
 * await createObject(kc, "/apis/apps/v1/namespaces/default/deployments", deployment);
 * ```
 */
export async function createObject(kc: KubeConfig, collection: string, object: KubeObject, options: ApiCallOptions = {}): Promise<KubeObject> {
  const res = await call(kc, options, "POST", collection, {}, { contentType: "application/json", text: JSON.stringify(object) });
  return JSON.parse(check(res, kc, `${collection}/${object.metadata?.name ?? ""}`, [200, 201])) as KubeObject;
}

/**
 * Deletes an object by URL path; a 404 is not an error.
 *
 * @example
 * ```ts
 * await deleteObject(kc, "/apis/apps/v1/namespaces/default/deployments/my-requester");
 * ```
 */
export async function deleteObject(kc: KubeConfig, path: string, options: ApiCallOptions = {}): Promise<void> {
  const res = await call(kc, options, "DELETE", path);
  if (res.status !== 404) check(res, kc, path, [200, 202]);
}

/**
 * A pod's log as text (`GET …/pods/NAME/log`).
 *
 * @example
 * ```ts
 * const text = await readPodLog(kubeConfig, "default", "dual-pods-controller-0");
 * ```
 */
export async function readPodLog(kc: KubeConfig, namespace: string, pod: string, container?: string, sinceTime?: string, options: ApiCallOptions = {}): Promise<string> {
  const res = await call(kc, options, "GET", `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`, { container, sinceTime });
  return check(res, kc, `pods/${namespace}/${pod}/log`);
}

/**
 * The server's Prometheus text page (`/metrics`).
 *
 * @example
 * ```ts
 * const text = await readMetricsText(kc); // /metrics (fma_actuation_seconds on an FMA cluster)
 * ```
 */
export async function readMetricsText(kc: KubeConfig, path = "/metrics", options: ApiCallOptions = {}): Promise<string> {
  const res = await call(kc, options, "GET", path);
  return check(res, kc, path);
}
