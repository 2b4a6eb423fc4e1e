/**
 * A keep-alive client for the node agent's many small API calls (pod status patches, leases, node
 * heartbeats). `kubeRequest` builds a fresh HTTPS agent per call, so every call pays a full TLS
 * handshake with the client certificate on both sides; at 400 pods that handshake, not the work,
 * dominated the API server's and the agent's CPU. Here one pooled agent carries every call.
 */
import https from "node:https";
import http, { type IncomingMessage } from "node:http";
import { once } from "node:events";
import { text } from "node:stream/consumers";
import type { KubeConfig } from "@kubernetes/client-node";
import type { RawResponse } from "../kube/kubeconfig.js";

export interface ApiClient {
  request(method: string, path: string, query?: Record<string, string | undefined>, body?: { contentType: string; text: string }): Promise<RawResponse>;
  /** Closes the pooled connections. */
  close(): void;
}

/** The kubeconfig's auth and TLS, applied once, over `maxSockets` kept-alive connections. */
export async function keepAliveClient(kc: KubeConfig, maxSockets = 32): Promise<ApiClient> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error("the kubeconfig names no server");
  const base: https.RequestOptions = { headers: {} };
  await kc.applyToHTTPSOptions(base);
  const plain = server.startsWith("http:");
  const agent = plain
    ? new http.Agent({ keepAlive: true, maxSockets })
    : new https.Agent({ keepAlive: true, maxSockets, ca: base.ca, cert: base.cert, key: base.key, ...(base.rejectUnauthorized !== undefined ? { rejectUnauthorized: base.rejectUnauthorized } : {}), ...(base.servername ? { servername: base.servername } : {}) });
  const headers = { ...(base.headers as Record<string, string>), ...(base.auth ? { Authorization: `Basic ${Buffer.from(base.auth).toString("base64")}` } : {}) };
  return {
    request(method, path, query = {}, body) {
      const url = new URL(server.replace(/\/$/, "") + path);
      for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
      const h: Record<string, string> = { ...headers, Accept: "application/json" };
      // Content-Length always: Node frames a DELETE body neither chunked nor with a length, and on a
      // kept-alive connection the server then reads those bytes as the next request (400).
      if (body) { h["Content-Type"] = body.contentType; h["Content-Length"] = String(Buffer.byteLength(body.text)); }
      const req = (plain ? http : https).request(url, { method, headers: h, agent });
      const answered = once(req, "response") as Promise<[IncomingMessage]>;
      req.end(body?.text);
      return answered.then(async ([res]) => ({ status: res.statusCode ?? 0, body: await text(res) }));
    },
    close: () => agent.destroy(),
  };
}
