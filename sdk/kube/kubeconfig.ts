/**
 * Loading a kubeconfig with errors that say what is wrong with it (missing file, not YAML, no
 * current context, no cluster or server), and the plain GET the watcher uses for lists, made with
 * the kubeconfig's own auth and TLS settings (the client's `applyToHTTPSOptions`). The client is
 * loaded when a kubeconfig is first read (see client-node.ts).
 */
import { existsSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { loadClientNode } from "./client-node.js";
import { InputError } from "../core/errors.js";

/** Where a kubeconfig came from, for error messages. */
export function kubeConfigSource(kc: KubeConfig): string {
  const cluster = kc.getCurrentCluster();
  return cluster?.server ? `kubeconfig context '${kc.getCurrentContext()}' (${cluster.server})` : `kubeconfig context '${kc.getCurrentContext() || "<none>"}'`;
}

/**
 * Reads a kubeconfig file (or $KUBECONFIG / ~/.kube/config when no path is given) and checks it.
 *
 * @example
 * ```ts
 * const kc = await loadKubeConfig("~/.kube/config"); // or the default lookup with no argument
 * ```
 */
export async function loadKubeConfig(path?: string): Promise<KubeConfig> {
  const { KubeConfig } = await loadClientNode();
  const kc = new KubeConfig();
  const source = path ?? process.env.KUBECONFIG ?? "~/.kube/config";
  if (path !== undefined && !existsSync(path)) throw new InputError({ source: path }, "an existing kubeconfig file");
  try {
    if (path !== undefined) kc.loadFromFile(path);
    else kc.loadFromDefault();
  } catch (err) {
    throw new InputError({ source }, `a kubeconfig in YAML (${(err as Error).message})`, { cause: err });
  }
  checkKubeConfig(kc, source);
  return kc;
}

/**
 * Throws an InputError unless the current context names a cluster with a server URL.
 *
 * @example
 * ```ts
 * const server = checkKubeConfig(await loadKubeConfig("kubeconfig.yaml"), "kubeconfig.yaml");
 * ```
 */
export function checkKubeConfig(kc: KubeConfig, source = "kubeconfig"): string {
  const ctxName = kc.getCurrentContext();
  if (!ctxName) throw new InputError({ source, path: "current-context" }, "a current-context naming one of the contexts");
  const ctx = kc.getContextObject(ctxName);
  if (!ctx) throw new InputError({ source, path: "current-context" }, `a context named '${ctxName}' in contexts`);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new InputError({ source, path: `contexts[${ctxName}].cluster` }, `a cluster entry named '${ctx.cluster ?? ""}' in clusters (the kubeconfig has no cluster for its current context)`);
  if (!cluster.server) throw new InputError({ source, path: `clusters[${cluster.name}].server` }, "the API server URL");
  return cluster.server;
}

/**
 * The namespace of the current context, else `default`.
 *
 * @example
 * ```ts
 * const ns = contextNamespace(await loadKubeConfig());
 * ```
 */
export function contextNamespace(kc: KubeConfig): string {
  return kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
}

export interface RawResponse {
  status: number;
  body: string;
}

/**
 * A request to the kubeconfig's server with its auth and TLS; body as text.
 *
 * @example
 * ```ts
 * const r = await kubeRequest(kc, "GET", "/api/v1/namespaces/default/pods");
 * console.log(r.status, JSON.parse(r.body).items.length);
 * ```
 */
export async function kubeRequest(kc: KubeConfig, method: string, path: string, query: Record<string, string | undefined> = {}, body?: { contentType: string; text: string }, signal?: AbortSignal): Promise<RawResponse> {
  const server = checkKubeConfig(kc);
  const url = new URL(server.replace(/\/$/, "") + path);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  const headers: Record<string, string> = { Accept: "application/json" };
  // Content-Length always: Node frames a DELETE body neither chunked nor with a length, so the API
  // server never read DeleteOptions sent here (gracePeriodSeconds in the body was ignored).
  if (body) { headers["Content-Type"] = body.contentType; headers["Content-Length"] = String(Buffer.byteLength(body.text)); }
  const opts: https.RequestOptions = { method, headers };
  await kc.applyToHTTPSOptions(opts);
  const mod = url.protocol === "http:" ? http : https;
  return new Promise<RawResponse>((resolve, reject) => {
    const req = mod.request(url, { ...opts, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body?.text);
  });
}

/**
 * GET `path` (with query) from the kubeconfig's server; body as text.
 *
 * @example
 * ```ts
 * const r = await kubeGet(kc, "/api/v1/namespaces/default/pods", { labelSelector: "app=demo" });
 * ```
 */
export function kubeGet(kc: KubeConfig, path: string, query: Record<string, string | undefined> = {}, signal?: AbortSignal): Promise<RawResponse> {
  return kubeRequest(kc, "GET", path, query, undefined, signal);
}
