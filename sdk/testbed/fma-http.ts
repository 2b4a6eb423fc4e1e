/**
 * What the test bed's FMA servers share: the wall clock the simulated hardware runs on (virtual ms
 * = wall ms × time scale), timers that die with their pod, and small HTTP helpers (listen on a pod
 * IP, JSON answers in FastAPI's `{"detail": …}` error shape, request bodies).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Rng } from "../core/rng.js";
import type { LatencyProfile } from "../actuation/profiles.js";
import type { SimHardware } from "../cluster/hardware.js";

/** The hardware's clock on the wall: `now` in virtual ms since the agent started. */
export interface WallClock {
  readonly now: number;
  toEpochMs(v: number): number;
  /** Runs `fn` after `simMs` virtual ms. */
  after(simMs: number, fn: () => void): NodeJS.Timeout;
  /** Resolves after `simMs` virtual ms. */
  sleep(simMs: number): Promise<void>;
}

export function wallClock(timeScale: number, t0 = Date.now()): WallClock {
  return {
    get now() { return (Date.now() - t0) * timeScale; },
    toEpochMs: (v) => t0 + v / timeScale,
    after: (simMs, fn) => setTimeout(fn, Math.max(0, simMs / timeScale)),
    sleep: (simMs) => new Promise((r) => setTimeout(r, Math.max(0, simMs / timeScale))),
  };
}

/** One FMA pod as the node agent hands it over. */
export interface FmaPodInfo {
  namespace: string;
  name: string;
  ip: string;
  /** The node's GPU UUIDs in index order (what the launcher's GPU translator maps to indices). */
  nodeGpus: readonly string[];
  /** The GPUs the device plugin gave this pod. */
  gpus: readonly string[];
  annotations: Record<string, string>;
  /** The main container's declared ports (container ports and probe ports). */
  ports: readonly number[];
  /** The main container's log (what `kubectl logs` serves). */
  log: string[];
  rng: Rng;
}

/** What every FMA server of one agent shares. */
export interface FmaShared {
  sim: SimHardware;
  clock: WallClock;
  profile: LatencyProfile;
}

/** A running FMA pod: `close()` stops its servers and timers (the container dies). */
export interface FmaPod {
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/** Listens on ip:port; a handler that throws answers 500 with the message as the detail. */
export function listen(ip: string, port: number, handler: Handler): Promise<Server> {
  const s = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${ip}:${port}`);
    Promise.resolve(handler(req, res, url)).catch((e) => { if (!res.headersSent) sendJson(res, 500, { detail: (e as Error).message }); else res.destroy(); });
  });
  return new Promise((resolve, reject) => {
    s.once("error", reject);
    s.listen(port, ip, () => { s.off("error", reject); resolve(s); });
  });
}

export function closeServer(s: Server): Promise<void> {
  return new Promise((r) => { s.closeAllConnections(); s.close(() => r()); });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, type = "text/plain; charset=utf-8", headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** FastAPI's answer to an unknown path or method. */
export const notFound = (res: ServerResponse) => sendJson(res, 404, { detail: "Not Found" });
export const methodNotAllowed = (res: ServerResponse) => sendJson(res, 405, { detail: "Method Not Allowed" });

/** The request body as JSON; undefined when empty; throws a 422-worthy message when not JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of req) { text += chunk; if (text.length > 1 << 20) throw new Error("request body over 1 MiB"); }
  if (!text.trim()) return undefined;
  return JSON.parse(text);
}
