/**
 * One watch request as a stream of decoded events, with the kubeconfig's auth and TLS from
 * `@kubernetes/client-node` (`applyToHTTPSOptions`: tokens, certificates, exec plugins, proxies) and
 * the response's newline-delimited JSON split on raw bytes: each line is decoded once, straight from
 * the chunk it lies in, and only a line cut by a chunk boundary is copied (client-node's `Watch`
 * runs every chunk through `readline`, which re-joins strings chunk by chunk). Same contract as
 * `Watch.watch`: `onEvent(type, object)` per event line (lines that are not JSON are skipped),
 * `onDone(err | null)` once, and a handle whose `abort()` closes the stream.
 */
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/** A non-200 answer to the watch request (410 Gone included). */
export class WatchHttpError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

export interface WatchStreamHandle {
  abort(): void;
}

const NL = 0x0a;

/**
 * Open `GET path?watch=true&…` and feed its events to `onEvent` until the stream ends (`onDone(null)`),
 * fails (`onDone(err)`) or is aborted (`onDone(null)`). Resolves once the request has an answer (or failed).
 *
 * @example
 * ```ts
 * const h = await openWatchStream(kc, "/api/v1/namespaces/default/pods", { resourceVersion: "0" },
 *   (type, obj) => console.log(type, obj.metadata.name), (err) => console.log("done", err));
 * setTimeout(() => h.abort(), 10_000);
 * ```
 */
export async function openWatchStream(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  onEvent: (type: string, object: unknown) => void,
  onDone: (err: unknown) => void,
): Promise<WatchStreamHandle> {
  let done = false;
  let req: http.ClientRequest | undefined;
  const finish = (err: unknown) => {
    if (done) return;
    done = true;
    req?.destroy();
    onDone(err);
  };
  const handle: WatchStreamHandle = { abort: () => finish(null) };
  let opts: https.RequestOptions;
  let url: URL;
  try {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("No currently active cluster");
    url = new URL(cluster.server.replace(/\/$/, "") + path);
    url.searchParams.set("watch", "true");
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    opts = { method: "GET", headers: { Accept: "application/json" } };
    await kc.applyToHTTPSOptions(opts);
  } catch (err) {
    finish(err);
    return handle;
  }
  const line = (text: string) => {
    let data: { type?: string; object?: unknown };
    try {
      data = JSON.parse(text) as { type?: string; object?: unknown };
    } catch {
      return; // as client-node: a line that is not JSON is skipped
    }
    if (!done) onEvent(data.type ?? "", data.object);
  };
  return new Promise<WatchStreamHandle>((resolve) => {
    const mod = url.protocol === "http:" ? http : https;
    req = mod.request(url, opts, (res) => {
      if (res.statusCode !== 200) {
        const status = res.statusCode ?? 0;
        res.resume();
        finish(new WatchHttpError(status, res.statusMessage || http.STATUS_CODES[status] || "Internal Server Error"));
        resolve(handle);
        return;
      }
      res.socket?.setKeepAlive(true, 30_000);
      // The bytes of a line cut by a chunk boundary (copied: a slice would keep its whole chunk alive).
      let tail: Buffer | null = null;
      res.on("data", (chunk: Buffer) => {
        let start = 0;
        if (tail) {
          const nl = chunk.indexOf(NL);
          if (nl === -1) { tail = Buffer.concat([tail, chunk]); return; }
          const joined: Buffer = Buffer.concat([tail, chunk.subarray(0, nl)]);
          tail = null;
          line(joined.toString("utf8"));
          start = nl + 1;
        }
        for (let nl = chunk.indexOf(NL, start); nl !== -1 && !done; nl = chunk.indexOf(NL, start)) {
          if (nl > start) line(chunk.toString("utf8", start, nl));
          start = nl + 1;
        }
        if (start < chunk.length && !done) tail = Buffer.from(chunk.subarray(start));
      });
      res.on("end", () => {
        if (tail && tail.length) line(tail.toString("utf8"));
        tail = null;
        finish(null);
      });
      res.on("error", (err) => finish(err));
      res.on("close", () => finish(null));
      resolve(handle);
    });
    req.on("error", (err) => { finish(err); resolve(handle); });
    req.end();
  });
}
