/**
 * The Kubernetes-style HTTP API over the cluster model, on 127.0.0.1 by default. The model's
 * virtual clock is paced to wall time by `timeScale` (virtual ms per wall ms); before answering a
 * request the server advances the model to "now", and a timer fires model events as they fall due,
 * so watchers see changes as they happen. Served timestamps are `model.epochMs + virtual ms`.
 *
 * Input never crashes the server: bad JSON/YAML → 400 Status, unknown paths → 404 Status, bodies
 * over the limit → 413, and every handler error becomes a Status. Hostile or slow clients are bounded
 * as kube-apiserver bounds them: a bearer token by default, a request deadline, a connection cap,
 * and slow watchers dropped.
 */
// Long because: the request router and the watch fan-out share the server's state; auth and limits live in auth.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { parse as parseYamlText } from "yaml";
import { rng as makeRng, type Rng, type Seed } from "../core/rng.js";
import { ApiError } from "./api-error.js";
import { bearerMatches, isLoopbackHost, isPublicPath, newToken } from "./auth.js";
import type { ClusterModel } from "./model.js";
import type { KObject, StoreEvent } from "./store.js";
import { parseFieldSelector, parseLabelSelector, type FieldSelector, type LabelSelector } from "./selectors.js";
import { jsonPatch, mergePatch, strategicMergePatch } from "./patch.js";
import {
  apiGroupDoc, apiGroupListDoc, apiVersionOf, apiVersionsDoc, findResource, openapiGroupDoc, openapiRootDoc,
  resourceListDoc, toTable, unknownFields, versionDoc, type ResourceInfo,
} from "./resources.js";

/** Faults the server injects, configurable per run (and changeable while it runs). */
export interface FaultConfig {
  /** Seed of the fault draws (default 1). */
  seed?: Seed;
  /** End every watch stream after this many events. */
  watchCloseAfterEvents?: number;
  /** After each watch event, end the stream with this probability. */
  watchCloseProbability?: number;
  /** Answer a watch resume (resourceVersion ≠ 0) with 410 Gone with this probability. */
  goneOnResumeProbability?: number;
  /** Answer the first N watch resumes with 410 Gone. */
  goneOnResumeCount?: number;
  /** Delay every API response by this many wall ms (a [min, max] range draws uniformly). */
  delayMs?: number | [number, number];
  /** Fraction of API requests answered 500 InternalError (alternating with 503). */
  errorRate?: number;
  /** Fraction of API requests answered 429 TooManyRequests with Retry-After: 1. */
  throttleRate?: number;
}

export interface ApiServerOptions {
  /** Virtual ms per wall ms (default 1: real time). */
  timeScale?: number;
  /** The bearer token clients must send (default: a fresh random one, see `ApiServer.token`). */
  token?: string;
  /** Serve without authentication (the old behaviour; anyone who can reach the port may change the cluster). */
  insecure?: boolean;
  /** Wall ms a client has to send a whole request, headers and body (default 60 000, kube-apiserver's --request-timeout). */
  requestTimeoutMs?: number;
  /** Open connections at most (default 512); one more is answered 429 and closed, as kube-apiserver's max-requests-inflight sheds load. */
  maxConnections?: number;
  /** Where warnings go (default: standard error), e.g. binding off loopback. */
  warn?: (message: string) => void;
  /** Bind address (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: any free port). */
  port?: number;
  faults?: FaultConfig;
  /** Largest request body accepted (default 3 MiB, like the real API server). */
  bodyLimitBytes?: number;
  /** Deepest nesting of objects/arrays a request body may have (default 100); deeper → 400, nothing stored. */
  maxBodyDepth?: number;
  /** Bytes a watch may have queued unsent before it is dropped as unresponsive (default 8 MiB). */
  watchBufferBytes?: number;
  /** Wall ms between watch bookmarks when a client allows them (default 1000). */
  bookmarkIntervalMs?: number;
  /**
   * Virtual time moves only when `advance(ms)` is called (no wall pacing): requests land at the
   * model's current virtual time, so a scripted run is reproducible byte for byte.
   */
  manualClock?: boolean;
}

interface Watcher {
  res: ServerResponse;
  resource: ResourceInfo;
  namespace: string | undefined;
  label: LabelSelector;
  field: FieldSelector;
  table: boolean;
  includeObject: string | null;
  sent: number;
  close(): void;
}

/** Longest wall gap between clock ticks (ms). */
const TICK_MS = 5;
/** Real objects nest < 30 deep; bodies nested thousands deep overflow the stack when the stored
 * object is later copied or serialized (every LIST then fails), so they are refused before storing. */
const MAX_BODY_DEPTH = 100;

/** Throws a 400 when `value` nests deeper than `limit`; iterative, so it cannot overflow itself. */
function checkDepth(value: unknown, limit: number): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d >= limit) throw new ApiError(400, "BadRequest", `the request body nests deeper than ${limit} levels`);
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) stack.push([child, d + 1]);
  }
}

const STATUS_TEXT: Record<number, string> = { 400: "BadRequest", 401: "Unauthorized", 404: "NotFound", 405: "MethodNotAllowed", 409: "Conflict", 410: "Expired", 413: "RequestEntityTooLarge", 415: "UnsupportedMediaType", 422: "Invalid", 429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable" };

export function statusBody(code: number, message: string, reason?: string): unknown {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason: reason ?? STATUS_TEXT[code] ?? "Unknown", code };
}

export class ApiServer {
  readonly model: ClusterModel;
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  private watchers = new Set<Watcher>();
  private timer: NodeJS.Timeout | undefined;
  private bookmarkTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly timeScale: number;
  private wallStart = 0;
  private virtStart = 0;
  private faults: FaultConfig;
  private faultRng: Rng;
  private resumesSeen = 0;
  private readonly opts: ApiServerOptions;
  private boundPort = 0;
  private stopped = false;
  /** Requests answered, by status code (for tests and benches). */
  readonly served = new Map<number, number>();
  /** Watches closed because their client stopped reading (kube-apiserver: "Forcing watcher close due to unresponsiveness"). */
  slowWatchersDropped = 0;
  /** Connections refused because `maxConnections` were open. */
  connectionsRefused = 0;
  /** The bearer token clients must send, or undefined when serving `insecure`. */
  readonly token: string | undefined;

  constructor(model: ClusterModel, opts: ApiServerOptions = {}) {
    this.model = model;
    this.opts = opts;
    this.timeScale = opts.timeScale ?? 1;
    if (!(this.timeScale > 0) || !Number.isFinite(this.timeScale)) throw new RangeError(`timeScale must be a positive finite number, got ${this.timeScale}`);
    this.faults = { ...(opts.faults ?? {}) };
    this.faultRng = makeRng(this.faults.seed ?? 1).split("faults");
    this.token = opts.insecure ? undefined : opts.token ?? newToken();
  }

  get url(): string {
    const host = this.opts.host ?? "127.0.0.1";
    return `http://${host.includes(":") ? `[${host}]` : host}:${this.boundPort}`;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Virtual ms now, from the wall clock. */
  virtualNow(): number {
    if (this.opts.manualClock) return this.model.now;
    return Math.max(this.model.now, Math.floor(this.virtStart + (performance.now() - this.wallStart) * this.timeScale));
  }

  /** Replaces the fault configuration (the fault RNG restarts from the new seed). */
  setFaults(f: FaultConfig): void {
    this.faults = { ...f };
    this.faultRng = makeRng(f.seed ?? 1).split("faults");
    this.resumesSeen = 0;
  }

  async start(): Promise<string> {
    this.stopped = false;
    this.wallStart = performance.now();
    this.virtStart = this.model.now;
    this.unsubscribe = this.model.store.subscribe((e) => this.broadcast(e));
    const host = this.opts.host ?? "127.0.0.1";
    if (!isLoopbackHost(host)) (this.opts.warn ?? ((m) => process.stderr.write(m + "\n")))(`warning: serving on ${host}, not loopback: anyone who can reach it can use the API${this.token === undefined ? " (no token: insecure)" : " (bearer token required)"}`);
    await this.listen(this.opts.port ?? 0);
    this.arm();
    this.bookmarkTimer = setInterval(() => this.sendBookmarks(), this.opts.bookmarkIntervalMs ?? 1000);
    return this.url;
  }

  private listen(port: number): Promise<void> {
    const requestTimeout = this.opts.requestTimeoutMs ?? 60_000;
    // Node checks request deadlines on this interval, so a short timeout needs a short interval.
    const server = createServer({ connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(requestTimeout / 4))) }, (req, res) => { void this.handle(req, res); });
    const cap = this.opts.maxConnections ?? 512;
    server.on("connection", (s) => {
      if (this.sockets.size >= cap) {
        this.connectionsRefused++;
        s.on("error", () => undefined);
        s.end("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        setTimeout(() => s.destroy(), 1000).unref();
        return;
      }
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy();
      socket.end(err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n" : "HTTP/1.1 400 Bad Request\r\n\r\n");
    });
    server.requestTimeout = requestTimeout;
    server.headersTimeout = Math.min(20_000, requestTimeout);
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, this.opts.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        const addr = server.address();
        this.boundPort = typeof addr === "object" && addr ? addr.port : port;
        resolve();
      });
    });
  }

  private async closeListener(): Promise<void> {
    for (const w of [...this.watchers]) w.close();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }

  /**
   * Restarts the server process state: every connection and watch drops, a new listener opens on
   * the same port; the model (objects, resourceVersions, clock) carries on.
   */
  async restart(): Promise<void> {
    this.advance();
    await this.closeListener();
    await this.listen(this.boundPort);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.bookmarkTimer) clearInterval(this.bookmarkTimer);
    this.unsubscribe?.();
    await this.closeListener();
  }

  // ── pacing ──────────────────────────────────────────────────────────────────────────────────

  private advance(): void {
    try {
      this.model.advanceTo(this.virtualNow());
    } catch (err) {
      // A model bug must not take the server down; report it and keep serving.
      process.stderr.write(`actlab cluster: model event failed: ${(err as Error)?.stack ?? String(err)}\n`);
    }
  }

  private timerDue = Infinity; // wall time (performance.now) the armed timer fires

  private rearmIfSooner(): void {
    if (this.opts.manualClock) return;
    const next = this.model.nextEventAt();
    if (next === undefined || this.stopped) return;
    const due = performance.now() + Math.max(0, (next - this.virtualNow()) / this.timeScale);
    if (due < this.timerDue - 1) this.arm();
  }

  /** Manual clock: advances virtual time by `ms`, firing what falls due (watchers see it). */
  advanceVirtual(ms: number): void {
    if (!this.opts.manualClock) throw new Error("advanceVirtual() needs the server started with manualClock: true");
    this.model.runFor(ms);
  }

  private arm(): void {
    if (this.stopped || this.opts.manualClock) return;
    if (this.timer) clearTimeout(this.timer);
    const next = this.model.nextEventAt();
    // Tick at least every 5 ms wall so `model.now` tracks the paced clock for code reading it directly.
    const wait = next === undefined ? TICK_MS : Math.min(TICK_MS, Math.max(0, (next - this.virtualNow()) / this.timeScale));
    this.timerDue = performance.now() + wait;
    this.timer = setTimeout(() => {
      this.advance();
      this.arm();
    }, Math.ceil(wait));
  }

  // ── watch fan-out ──────────────────────────────────────────────────────────────────────────

  /**
   * The event type this watcher sees for `e`, or undefined: as on a real API server, a change that
   * moves an object into a filtered watch's selection is ADDED, out of it DELETED.
   */
  private seenAs(w: Watcher, e: StoreEvent): string | undefined {
    if (e.resource !== w.resource.plural) return undefined;
    if (w.namespace !== undefined && e.object.metadata.namespace !== w.namespace) return undefined;
    const sel = (o: KObject) => w.label(o.metadata.labels) && w.field(o);
    const now = sel(e.object);
    if (e.type !== "MODIFIED" || !e.prev) return now ? e.type : undefined;
    const before = sel(e.prev);
    if (now && before) return "MODIFIED";
    if (now) return "ADDED";
    if (before) return "DELETED";
    return undefined;
  }

  private watchLine(w: Watcher, type: string, obj: KObject): string {
    const object = w.table ? toTable(w.resource.plural, [obj], this.model.toEpochMs(this.model.now), obj.metadata.resourceVersion ?? "", w.includeObject) : obj;
    return JSON.stringify({ type, object }) + "\n";
  }

  /** Writes to a watch; a client that lets more than the buffer pile up is dropped and its queued
   * bytes freed, as kube-apiserver's cacher does, so it resumes from its last resourceVersion. */
  private writeWatch(w: Watcher, line: string): boolean {
    w.res.write(line);
    if (w.res.writableLength <= (this.opts.watchBufferBytes ?? 8 * 1024 * 1024)) return true;
    this.slowWatchersDropped++;
    w.close();
    w.res.destroy();
    return false;
  }

  private send(w: Watcher, line: string): void {
    if (!this.writeWatch(w, line)) return;
    w.sent++;
    const f = this.faults;
    if ((f.watchCloseAfterEvents !== undefined && w.sent >= f.watchCloseAfterEvents) || (f.watchCloseProbability !== undefined && this.faultRng.bernoulli(f.watchCloseProbability))) w.close();
  }

  private rearmQueued = false;

  private broadcast(e: StoreEvent): void {
    // Changes made straight on the model (tests, notebooks) may schedule events sooner than the timer.
    if (!this.rearmQueued) {
      this.rearmQueued = true;
      queueMicrotask(() => { this.rearmQueued = false; this.rearmIfSooner(); });
    }
    for (const w of [...this.watchers]) {
      const type = this.seenAs(w, e);
      if (type) this.send(w, this.watchLine(w, type, e.object));
    }
  }

  private sendBookmarks(): void {
    const rv = String(this.model.store.resourceVersion);
    for (const w of [...this.watchers]) {
      if (!(w as Watcher & { bookmarks?: boolean }).bookmarks) continue;
      this.writeWatch(w, JSON.stringify({ type: "BOOKMARK", object: { kind: w.resource.kind, apiVersion: apiVersionOf(w.resource), metadata: { resourceVersion: rv } } }) + "\n");
    }
  }

  // ── request handling ───────────────────────────────────────────────────────────────────────

  private reply(res: ServerResponse, code: number, body: unknown, contentType = "application/json"): void {
    this.served.set(code, (this.served.get(code) ?? 0) + 1);
    if (res.headersSent || res.destroyed) return;
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(code, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-cache, private" });
    res.end(text);
  }

  private fail(res: ServerResponse, code: number, message: string, reason?: string, headers?: Record<string, string>): void {
    if (headers && !res.headersSent) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    this.reply(res, code, statusBody(code, message, reason));
  }

  private readBody(req: IncomingMessage): Promise<Buffer> {
    const limit = this.opts.bodyLimitBytes ?? 3 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > limit) {
          reject(new ApiError(413, "RequestEntityTooLarge", `request body too large: limit is ${limit} bytes`));
          req.removeAllListeners("data");
          req.resume();
          return;
        }
        chunks.push(c);
      });
      req.on("end", () => resolve(Buffer.concat(chunks)));
      req.on("error", reject);
    });
  }

  private parseBody(buf: Buffer, contentType: string): unknown {
    const text = buf.toString("utf8");
    if (text.trim() === "") throw new ApiError(400, "BadRequest", "the request body is empty");
    try {
      const value = (/yaml/i.test(contentType) ? parseYamlText(text, { logLevel: "error" }) : JSON.parse(text)) as unknown;
      checkDepth(value, this.opts.maxBodyDepth ?? MAX_BODY_DEPTH);
      return value;
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError(400, "BadRequest", `the request body could not be decoded as ${/yaml/i.test(contentType) ? "YAML" : "JSON"}: ${(err as Error).message.split("\n")[0]}`);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.route(req, res);
    } catch (err) {
      if (err instanceof ApiError) this.fail(res, err.code, err.message, err.reason);
      else if (err instanceof RangeError) this.fail(res, 400, err.message);
      else this.fail(res, 500, `internal error: ${(err as Error)?.message ?? String(err)}`);
    }
    // A request may have scheduled model events sooner than the armed timer: re-arm.
    this.rearmIfSooner();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    if (this.token !== undefined && !(method === "GET" && isPublicPath(path)) && !bearerMatches(req.headers.authorization, this.token)) {
      req.resume(); // drain an unread body so the connection can answer
      return this.fail(res, 401, "Unauthorized");
    }
    this.advance();

    // Discovery, health, metrics, OpenAPI.
    if (method === "GET") {
      if (path === "/version") return this.reply(res, 200, versionDoc());
      if (path === "/api") return this.reply(res, 200, apiVersionsDoc());
      if (path === "/apis") return this.reply(res, 200, apiGroupListDoc());
      if (path === "/healthz" || path === "/readyz" || path === "/livez") return this.reply(res, 200, "ok", "text/plain");
      if (path === "/metrics") return this.reply(res, 200, this.model.metricsText(), "text/plain; version=0.0.4");
      if (path === "/openapi/v3") return this.reply(res, 200, openapiRootDoc());
      if (path === "/api/v1") return this.reply(res, 200, resourceListDoc("", "v1"));
      let m = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
      if (m) {
        const doc = m[1] ? openapiGroupDoc("", "v1") : openapiGroupDoc(m[2]!, m[3]!);
        return doc ? this.reply(res, 200, doc) : this.fail(res, 404, `the server could not find the requested resource`);
      }
      m = /^\/apis\/([^/]+)$/.exec(path);
      if (m) {
        const doc = apiGroupDoc(m[1]!);
        return doc ? this.reply(res, 200, doc) : this.fail(res, 404, "the server could not find the requested resource");
      }
      m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
      if (m) {
        const doc = resourceListDoc(m[1]!, m[2]!);
        return doc ? this.reply(res, 200, doc) : this.fail(res, 404, "the server could not find the requested resource");
      }
    }

    // Resource paths: /api/v1/... or /apis/G/V/..., optionally /namespaces/NS/, then PLURAL[/NAME[/SUB]].
    const rm = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(path);
    if (!rm) return this.fail(res, 404, "the server could not find the requested resource");
    const group = rm[1] ? "" : rm[2]!;
    const version = rm[1] ?? rm[3]!;
    let namespace = rm[4] ? decodeURIComponent(rm[4]) : undefined;
    let plural = rm[5]!;
    let name = rm[6] ? decodeURIComponent(rm[6]) : undefined;
    let sub = rm[7];
    if (group === "" && rm[4] !== undefined && plural !== undefined && findResource("", "v1", plural) === undefined && rm[6] === undefined) {
      // e.g. /api/v1/namespaces/NS/status → namespace subresource
      name = namespace; sub = plural; plural = "namespaces"; namespace = undefined;
    }
    const info = findResource(group, version, plural);
    if (!info) return this.fail(res, 404, `the server could not find the requested resource`);
    if (!info.namespaced && namespace !== undefined) return this.fail(res, 404, `the server could not find the requested resource`);
    if (sub !== undefined && !info.subresources.includes(sub)) return this.fail(res, 404, `the server could not find the requested resource`);

    // Faults apply to resource requests only (discovery stays clean so clients can start).
    const f = this.faults;
    const delay = Array.isArray(f.delayMs) ? this.faultRng.uniform(f.delayMs[0], f.delayMs[1]) : f.delayMs ?? 0;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (f.throttleRate && this.faultRng.bernoulli(f.throttleRate)) return this.fail(res, 429, "Too many requests, please try again later.", "TooManyRequests", { "Retry-After": "1" });
    if (f.errorRate && this.faultRng.bernoulli(f.errorRate)) {
      const code = this.faultRng.bernoulli(0.5) ? 500 : 503;
      return this.fail(res, code, code === 500 ? "Internal error occurred: injected fault" : "The server is currently unable to handle the request (injected fault)");
    }
    if (delay > 0) this.advance();

    const accept = String(req.headers.accept ?? "");
    const table = /as=Table/.test(accept);
    const q = url.searchParams;

    if (name === undefined) {
      if (method === "GET") {
        const watch = q.get("watch");
        if (watch === "true" || watch === "1") return this.watch(req, res, info, namespace, q, table);
        return this.list(res, info, namespace, q, table);
      }
      if (method === "POST") {
        const body = this.parseBody(await this.readBody(req), String(req.headers["content-type"] ?? ""));
        const obj = this.checkObject(body, info);
        this.fieldValidation(res, info, obj, q);
        if (q.get("dryRun")) {
          if (obj.metadata.name && this.model.store.get(info.plural, namespace, obj.metadata.name)) throw new ApiError(409, "AlreadyExists", `${info.plural}${info.group ? "." + info.group : ""} "${obj.metadata.name}" already exists`);
          return this.reply(res, 201, obj);
        }
        return this.reply(res, 201, this.model.apiCreate(info.plural, namespace, obj));
      }
      return this.fail(res, 405, `method ${method} is not supported on a collection here`);
    }

    const cur = this.model.store.get(info.plural, namespace, name);
    if (sub === "log") {
      if (method !== "GET") return this.fail(res, 405, "only GET is supported on pods/log");
      return this.podLog(req, res, namespace!, name, q);
    }
    if (sub === "scale") return this.scale(req, res, info, namespace!, name, method);
    if (method === "GET") {
      if (!cur) return this.fail(res, 404, `${info.plural}${info.group ? "." + info.group : ""} "${name}" not found`);
      if (table) return this.reply(res, 200, toTable(info.plural, [cur], this.model.toEpochMs(this.model.now), cur.metadata.resourceVersion ?? "", q.get("includeObject")));
      return this.reply(res, 200, cur);
    }
    if (method === "PUT") {
      const obj = this.checkObject(this.parseBody(await this.readBody(req), String(req.headers["content-type"] ?? "")), info);
      if (!cur) return this.fail(res, 404, `${info.plural} "${name}" not found`);
      this.fieldValidation(res, info, obj, q);
      return this.reply(res, 200, this.model.apiReplace(info.plural, namespace, name, obj, sub));
    }
    if (method === "PATCH") {
      const ct = String(req.headers["content-type"] ?? "");
      const raw = await this.readBody(req);
      const patch = this.parseBody(raw, /apply-patch/.test(ct) ? "yaml" : ct);
      if (/apply-patch/.test(ct) && !cur) {
        const obj = this.checkObject(patch, info);
        this.fieldValidation(res, info, obj, q);
        return this.reply(res, 201, this.model.apiCreate(info.plural, namespace, obj));
      }
      if (!cur) return this.fail(res, 404, `${info.plural}${info.group ? "." + info.group : ""} "${name}" not found`);
      const base = JSON.parse(JSON.stringify(cur)) as Parameters<typeof mergePatch>[0];
      let next: unknown;
      if (/json-patch\+json/.test(ct)) next = jsonPatch(base, patch);
      else if (/merge-patch\+json/.test(ct) && !/strategic/.test(ct)) next = mergePatch(base, patch as Parameters<typeof mergePatch>[1]);
      else if (/strategic-merge-patch|apply-patch/.test(ct)) next = strategicMergePatch(base, patch as Parameters<typeof mergePatch>[1]);
      else return this.fail(res, 415, `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml`);
      const obj = this.checkObject(next, info, true);
      this.fieldValidation(res, info, obj, q);
      if (!(/apply-patch/.test(ct)) && !(patch as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion) delete obj.metadata.resourceVersion;
      if (/apply-patch/.test(ct)) delete obj.metadata.resourceVersion;
      return this.reply(res, 200, this.model.apiReplace(info.plural, namespace, name, obj, sub));
    }
    if (method === "DELETE") {
      let grace: number | undefined;
      const g = q.get("gracePeriodSeconds");
      if (g !== null) grace = Number(g);
      const raw = await this.readBody(req).catch(() => Buffer.alloc(0));
      if (raw.length > 0) {
        try {
          const opts = JSON.parse(raw.toString("utf8")) as { gracePeriodSeconds?: number };
          if (typeof opts.gracePeriodSeconds === "number") grace = opts.gracePeriodSeconds;
        } catch { /* DeleteOptions are optional; ignore a bad body as kubectl never sends one */ }
      }
      const out = this.model.apiDelete(info.plural, namespace, name, grace);
      return this.reply(res, 200, out);
    }
    return this.fail(res, 405, `method ${method} is not supported`);
  }

  /** `fieldValidation`: Strict → 400 naming unknown fields; Warn (the default) → a Warning header; Ignore → nothing. */
  private fieldValidation(res: ServerResponse, info: ResourceInfo, obj: KObject, q: URLSearchParams): void {
    const mode = q.get("fieldValidation") ?? "Warn";
    if (mode === "Ignore") return;
    const unknown = unknownFields(info.kind, obj);
    if (unknown.length === 0) return;
    if (mode === "Strict") throw new ApiError(400, "BadRequest", `strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(", ")}`);
    if (!res.headersSent) res.setHeader("Warning", unknown.map((f) => `299 - "unknown field \\"${f}\\""`).join(", "));
  }

  private checkObject(body: unknown, info: ResourceInfo, patched = false): KObject {
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw new ApiError(400, "BadRequest", `expected a ${info.kind} object`);
    const o = body as KObject;
    if (!patched) {
      if (o.kind !== undefined && o.kind !== info.kind) throw new ApiError(400, "BadRequest", `the object kind "${String(o.kind)}" does not match the resource ${info.plural} (kind ${info.kind})`);
      if (o.apiVersion !== undefined && o.apiVersion !== apiVersionOf(info)) throw new ApiError(400, "BadRequest", `the API version "${String(o.apiVersion)}" does not match ${apiVersionOf(info)}`);
    }
    if (o.metadata !== undefined && (o.metadata === null || typeof o.metadata !== "object")) throw new ApiError(400, "BadRequest", "metadata must be an object");
    o.kind = info.kind;
    o.apiVersion = apiVersionOf(info);
    o.metadata = (o.metadata ?? {}) as KObject["metadata"];
    for (const k of ["labels", "annotations"] as const) {
      const m = o.metadata[k];
      if (m !== undefined && (m === null || typeof m !== "object" || Object.values(m).some((v) => typeof v !== "string"))) throw new ApiError(400, "BadRequest", `metadata.${k} must map strings to strings`);
    }
    return o;
  }

  private selected(info: ResourceInfo, namespace: string | undefined, q: URLSearchParams): KObject[] {
    const label = parseLabelSelector(q.get("labelSelector") ?? undefined);
    const field = parseFieldSelector(q.get("fieldSelector") ?? undefined);
    return this.model.store.list(info.plural, namespace).filter((o) => label(o.metadata.labels) && field(o))
      .sort((a, b) => (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") || a.metadata.name.localeCompare(b.metadata.name));
  }

  private list(res: ServerResponse, info: ResourceInfo, namespace: string | undefined, q: URLSearchParams, table: boolean): void {
    const items = this.selected(info, namespace, q);
    const rv = String(this.model.store.resourceVersion);
    if (table) return this.reply(res, 200, toTable(info.plural, items, this.model.toEpochMs(this.model.now), rv, q.get("includeObject")));
    this.reply(res, 200, { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata: { resourceVersion: rv }, items });
  }

  private watch(req: IncomingMessage, res: ServerResponse, info: ResourceInfo, namespace: string | undefined, q: URLSearchParams, table: boolean): void {
    const label = parseLabelSelector(q.get("labelSelector") ?? undefined);
    const field = parseFieldSelector(q.get("fieldSelector") ?? undefined);
    const rvText = q.get("resourceVersion") ?? "";
    const rv = rvText === "" || rvText === "0" ? undefined : Number(rvText);
    if (rv !== undefined && !Number.isInteger(rv)) throw new ApiError(400, "BadRequest", `invalid resourceVersion '${rvText}'`);
    this.served.set(200, (this.served.get(200) ?? 0) + 1);
    res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked", "Cache-Control": "no-cache, private" });
    const gone = (msg: string) => {
      res.end(JSON.stringify({ type: "ERROR", object: statusBody(410, msg, "Expired") }) + "\n");
    };
    if (rv !== undefined) {
      this.resumesSeen++;
      const f = this.faults;
      if ((f.goneOnResumeCount !== undefined && this.resumesSeen <= f.goneOnResumeCount) || (f.goneOnResumeProbability !== undefined && this.faultRng.bernoulli(f.goneOnResumeProbability))) {
        return gone(`too old resource version: ${rv} (${this.model.store.resourceVersion}) (injected fault)`);
      }
    }
    const backlog = rv === undefined ? undefined : this.model.store.eventsSince(rv);
    if (rv !== undefined && backlog === undefined) return gone(`too old resource version: ${rv} (${this.model.store.oldestResumable + 1})`);
    let closed = false;
    let timeout: NodeJS.Timeout | undefined;
    const w: Watcher & { bookmarks?: boolean } = {
      res, resource: info, namespace, label, field, table, includeObject: q.get("includeObject"), sent: 0,
      bookmarks: q.get("allowWatchBookmarks") === "true",
      close: () => {
        if (closed) return;
        closed = true;
        if (timeout) clearTimeout(timeout);
        this.watchers.delete(w);
        if (!res.writableEnded) res.end();
      },
    };
    req.on("close", () => w.close());
    res.on("error", () => w.close());
    const ts = q.get("timeoutSeconds");
    const secs = ts === null ? 1800 : Number(ts);
    if (Number.isFinite(secs) && secs > 0) timeout = setTimeout(() => w.close(), secs * 1000);
    this.watchers.add(w);
    if (rv === undefined) {
      for (const o of this.selected(info, namespace, new URLSearchParams())) {
        if (closed) return;
        if (label(o.metadata.labels) && field(o)) this.send(w, this.watchLine(w, "ADDED", o));
      }
    } else {
      for (const e of backlog!) {
        if (closed) return;
        const type = this.seenAs(w, e);
        if (type) this.send(w, this.watchLine(w, type, e.object));
      }
    }
    if (!closed) res.write(""); // flush headers
  }

  private podLog(_req: IncomingMessage, res: ServerResponse, namespace: string, name: string, q: URLSearchParams): void {
    const lines = this.model.podLog(namespace, name);
    if (!lines) return this.fail(res, 404, `pods "${name}" not found`);
    let out = lines;
    const sinceTime = q.get("sinceTime");
    if (sinceTime) {
      const t = Date.parse(sinceTime);
      if (Number.isNaN(t)) throw new ApiError(400, "BadRequest", `sinceTime '${sinceTime}' is not an RFC3339 time`);
      out = out.filter((l) => this.model.toEpochMs(l.t) >= t);
    }
    const sinceSeconds = q.get("sinceSeconds");
    if (sinceSeconds) out = out.filter((l) => l.t >= this.model.now - Number(sinceSeconds) * 1000);
    const tail = q.get("tailLines");
    if (tail !== null) {
      const n = Number(tail);
      if (!Number.isInteger(n) || n < 0) throw new ApiError(400, "BadRequest", `tailLines must be a non-negative integer`);
      out = n === 0 ? [] : out.slice(-n);
    }
    const stamps = q.get("timestamps") === "true";
    const fmt = (l: { t: number; text: string }) => `${stamps ? new Date(this.model.toEpochMs(l.t)).toISOString().replace(/Z$/, "000000Z") + " " : ""}${l.text}\n`;
    let text = out.map(fmt).join("");
    const limit = q.get("limitBytes");
    if (limit !== null) text = Buffer.from(text).subarray(0, Math.max(0, Number(limit))).toString("utf8");
    if (q.get("follow") !== "true") return this.reply(res, 200, text, "text/plain");
    // follow: stream new lines as they are logged, until the pod is gone or the client leaves.
    this.served.set(200, (this.served.get(200) ?? 0) + 1);
    res.writeHead(200, { "Content-Type": "text/plain", "Transfer-Encoding": "chunked", "Cache-Control": "no-cache, private" });
    res.write(text);
    let sent = lines.length;
    const timer = setInterval(() => {
      const now = this.model.podLog(namespace, name);
      if (!now || !this.model.store.get("pods", namespace, name) || this.stopped) {
        clearInterval(timer);
        if (!res.writableEnded) res.end();
        return;
      }
      if (now.length > sent) res.write(now.slice(sent).map(fmt).join(""));
      sent = now.length;
    }, 20);
    res.on("close", () => clearInterval(timer));
  }

  private async scale(req: IncomingMessage, res: ServerResponse, info: ResourceInfo, namespace: string, name: string, method: string): Promise<void> {
    const cur = this.model.store.get(info.plural, namespace, name);
    if (!cur) return this.fail(res, 404, `${info.plural}.apps "${name}" not found`);
    const scaleOf = (o: KObject) => ({
      kind: "Scale", apiVersion: "autoscaling/v1",
      metadata: { name, namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
      spec: { replicas: (o.spec as { replicas?: number }).replicas ?? 0 },
      status: { replicas: (o.status as { replicas?: number } | undefined)?.replicas ?? 0, selector: Object.entries(((o.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels) ?? {}).map(([k, v]) => `${k}=${v}`).join(",") },
    });
    if (method === "GET") return this.reply(res, 200, scaleOf(cur));
    if (method !== "PUT" && method !== "PATCH") return this.fail(res, 405, `method ${method} is not supported on ${info.plural}/scale`);
    const ct = String(req.headers["content-type"] ?? "");
    const body = this.parseBody(await this.readBody(req), ct);
    let scaled: unknown = body;
    if (method === "PATCH") {
      const base = scaleOf(cur) as unknown as Parameters<typeof mergePatch>[0];
      scaled = /json-patch\+json/.test(ct) ? jsonPatch(base, body) : mergePatch(base, body as Parameters<typeof mergePatch>[1]);
    }
    const replicas = (scaled as { spec?: { replicas?: unknown } } | null)?.spec?.replicas;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) throw new ApiError(422, "Invalid", `Scale.autoscaling "${name}" is invalid: spec.replicas: must be a non-negative integer`);
    const updated = this.model.scale(info.plural as "deployments" | "replicasets", namespace, name, replicas);
    this.reply(res, 200, scaleOf(updated));
  }
}
