/**
 * A minimal in-memory Kubernetes API on 127.0.0.1 (pods and any other namespaced collection: list,
 * watch with resourceVersion, bookmarks, a bounded history answering `410 Gone`, namespaces) with
 * seeded fault injection. It exists to test and benchmark watchers in isolation, with faults placed
 * exactly; the full FMA simulation is `sdk/cluster/`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { KubeConfig } from "@kubernetes/client-node";
import { loadClientNode } from "./client-node.js";
import { rng, type Rng } from "../core/rng.js";
import { STREAMS } from "../core/streams.js";
import type { KubeObject, WatchEventType } from "./types.js";

export interface MemoryApiFaults {
  /** Close every watch stream after this many events. */
  closeAfterEvents?: number;
  /** After this many events, go silent on the stream without closing it (a half-open connection). */
  stallAfterEvents?: number;
  /** Answer a watch resume with 410 (the stream's ERROR event) with this probability. */
  goneProbability?: number;
  /** Answer this fraction of requests with 500 (or 429 every other time). */
  errorRate?: number;
  /** Delay every response by this many ms. */
  delayMs?: number;
  /** The fault stream, already split by the caller (wins over `seed`). */
  rng?: Rng;
  /** Seed of the fault stream when no `rng` is given (default 0; the stream is its `memory-api-faults` child). */
  seed?: number;
}

export interface MemoryApiOptions {
  namespaces?: readonly string[];
  /** Watch history kept for resumes (older resourceVersions get 410). Default 10,000. */
  historyLimit?: number;
  faults?: MemoryApiFaults;
  /** Send a BOOKMARK every this many ms to watchers that asked for them (default 1000). */
  bookmarkMs?: number;
}

interface Stored {
  rv: number;
  type: Exclude<WatchEventType, "BOOKMARK">;
  resource: string;
  namespace: string;
  json: string;
  labels: Record<string, string>;
}

export interface MemoryApi {
  url: string;
  kubeConfig: KubeConfig;
  /** Create (ADDED), update (MODIFIED) or delete (DELETED) an object; returns its new resourceVersion. */
  apply(type: "ADDED" | "MODIFIED" | "DELETED", resource: string, object: KubeObject): string;
  /** Forget history up to now, so any older resume gets 410. */
  compact(): void;
  /** Number of requests served, by kind. */
  readonly requests: { list: number; watch: number; namespace: number; faults: number };
  stop(): Promise<void>;
}

function matches(selector: string | null, labels: Record<string, string>): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const t = term.trim();
    if (!t) return true;
    const neq = /^([^!=]+)!=(.*)$/.exec(t);
    if (neq) return labels[neq[1]!.trim()] !== neq[2]!.trim();
    const eq = /^([^=]+)==?(.*)$/.exec(t);
    if (eq) return labels[eq[1]!.trim()] === eq[2]!.trim();
    return labels[t] !== undefined;
  });
}

/**
 * Starts a small in-memory Kubernetes API (pods, watch) on 127.0.0.1 for tests and examples.
 *
 * @example
 * ```ts
 * const api = await startMemoryApi();
 * try { console.log(api.url); } finally { await api.stop(); }
 * ```
 */
export async function startMemoryApi(options: MemoryApiOptions = {}): Promise<MemoryApi> {
  const namespaces = new Set(options.namespaces ?? ["default"]);
  const historyLimit = options.historyLimit ?? 10_000;
  const faults = options.faults ?? {};
  const fr = faults.rng ?? rng(faults.seed ?? 0).split(STREAMS.memoryApiFaults);
  let rv = 1;
  const objects = new Map<string, Stored>();
  let history: Stored[] = [];
  let compactedAt = 0;
  const watchers = new Set<(s: Stored) => void>();
  const requests = { list: 0, watch: 0, namespace: 0, faults: 0 };
  let faultToggle = 0;

  const apply: MemoryApi["apply"] = (type, resource, object) => {
    const m = (object.metadata ??= {});
    const ns = m.namespace ?? "default";
    m.namespace = ns;
    m.resourceVersion = String(++rv);
    const key = `${resource}/${ns}/${m.name}`;
    const s: Stored = { rv, type, resource, namespace: ns, json: JSON.stringify(object), labels: m.labels ?? {} };
    if (type === "DELETED") objects.delete(key);
    else objects.set(key, s);
    history.push(s);
    if (history.length > historyLimit) {
      const drop = history.length - historyLimit;
      compactedAt = history[drop - 1]!.rv;
      history = history.slice(drop);
    }
    for (const w of watchers) w(s);
    return m.resourceVersion;
  };

  const status = (res: http.ServerResponse, code: number, reason: string, message: string, details?: object) => {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message, ...(details ? { details } : {}) }));
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const nsMatch = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(url.pathname);
    if (nsMatch) {
      requests.namespace++;
      const name = decodeURIComponent(nsMatch[1]!);
      if (!namespaces.has(name)) return status(res, 404, "NotFound", `namespaces "${name}" not found`, { name, kind: "namespaces" });
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ kind: "Namespace", apiVersion: "v1", metadata: { name } }));
    }
    const m = /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)\/namespaces\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m) return status(res, 404, "NotFound", `the server could not find the requested resource ${url.pathname}`);
    const ns = decodeURIComponent(m[1]!);
    const resource = m[2]!;
    const selector = url.searchParams.get("labelSelector");
    if (faults.errorRate && fr.random() < faults.errorRate) {
      requests.faults++;
      const code = faultToggle++ % 2 === 0 ? 500 : 429;
      return status(res, code, code === 500 ? "InternalError" : "TooManyRequests", "injected fault");
    }
    if (url.searchParams.get("watch") !== "true") {
      requests.list++;
      const items = [...objects.values()].filter((s) => s.resource === resource && s.namespace === ns && matches(selector, s.labels));
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(`{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"${rv}"},"items":[${items.map((s) => s.json).join(",")}]}`);
    }
    requests.watch++;
    const from = Number(url.searchParams.get("resourceVersion") ?? "0");
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    const resume = from > 0;
    if (from < compactedAt || (resume && faults.goneProbability && fr.random() < faults.goneProbability)) {
      if (faults.goneProbability) requests.faults++;
      res.end(JSON.stringify({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", code: 410, reason: "Expired", message: `too old resource version: ${from} (${compactedAt})` } }) + "\n");
      return;
    }
    let sent = 0;
    let closed = false;
    let bookmarkTimer: ReturnType<typeof setInterval> | undefined;
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const close = () => {
      if (closed) return;
      closed = true;
      watchers.delete(push);
      clearInterval(bookmarkTimer);
      clearTimeout(timeout);
      res.end();
    };
    let stalled = false;
    const push = (s: Stored) => {
      if (closed || stalled || s.resource !== resource || s.namespace !== ns || !matches(selector, s.labels)) return;
      res.write(`{"type":"${s.type}","object":${s.json}}\n`);
      sent++;
      if (faults.closeAfterEvents && sent >= faults.closeAfterEvents) close();
      if (faults.stallAfterEvents && sent >= faults.stallAfterEvents) stalled = true;
    };
    for (const s of history) if (s.rv > from) push(s);
    if (closed) return;
    watchers.add(push);
    bookmarkTimer = setInterval(() => {
      if (url.searchParams.get("allowWatchBookmarks") === "true" && !closed && !stalled) {
        res.write(JSON.stringify({ type: "BOOKMARK", object: { kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: String(rv) } } }) + "\n");
      }
    }, options.bookmarkMs ?? 1000);
    timeout = setTimeout(close, 1000 * Number(url.searchParams.get("timeoutSeconds") ?? "300"));
    req.on("close", close);
  };

  const server = http.createServer((req, res) => {
    if (faults.delayMs) setTimeout(() => handle(req, res), faults.delayMs);
    else handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeConfig = new (await loadClientNode()).KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "memory", server: url, skipTLSVerify: true }],
    users: [{ name: "memory" }],
    contexts: [{ name: "memory", cluster: "memory", user: "memory", namespace: [...namespaces][0] }],
    currentContext: "memory",
  });
  return {
    url,
    kubeConfig,
    apply,
    compact() { compactedAt = rv; history = []; },
    requests,
    async stop() {
      for (const w of [...watchers]) watchers.delete(w);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
