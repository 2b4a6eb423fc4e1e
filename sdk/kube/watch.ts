/**
 * `watchPods`: list then watch through `@kubernetes/client-node`, as one AsyncIterable of events
 * stamped with their receive times.
 *
 * - List (paged), then watch from the list's resourceVersion with bookmarks on.
 * - A stream that ends or drops is resumed from the last resourceVersion seen (events or bookmarks).
 * - `410 Gone` (as the response or an ERROR event in the stream) → relist, and emit the difference
 *   between what the consumer already has and the new list: ADDED for new objects, MODIFIED for
 *   changed ones, DELETED (with the last known object) for ones that vanished meanwhile.
 * - A consumer never sees an object twice or a deletion missed: events are checked against the
 *   last known version per object (duplicates and older versions are dropped, an ADDED for a known
 *   object becomes MODIFIED, a DELETED for an unknown one is dropped, a recreated name is a
 *   DELETED then an ADDED).
 * - Failed requests back off exponentially (capped) with seeded jitter and, like client-go's
 *   reflector, are retried forever unless `maxAttempts` bounds them (then an InputError naming the
 *   server); 401/403/404 fail at once. Relists after repeated 410s back off the same way.
 * - A resourceVersion that goes backwards (an event, bookmark or list older than what was already
 *   seen: the server was replaced by one with fresh state) → relist, diffed by content rather than
 *   by version, so the new server's objects are never dropped as "older duplicates".
 * - `state` / `onState` say what the watch is doing (listing, watching, backoff, stopped, failed).
 * - Aborting `signal` (or breaking out of the loop) closes the stream cleanly.
 * - Several resources (pods and the FMA objects) can be watched at once into one stream.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { openWatchStream, type WatchStreamHandle } from "./watch-stream.js";
import { InputError } from "../core/errors.js";
import { rng, type Rng, type Seed } from "../core/rng.js";
import { STREAMS } from "../core/streams.js";
import { Channel } from "./channel.js";
import { checkKubeConfig, contextNamespace, kubeConfigSource, kubeGet } from "./kubeconfig.js";
import { collectionPath, objectKey, PODS, type EventOrigin, type KubeObject, type ResourceRef, type WatchEvent, type WatchEventType } from "./types.js";

export interface BackoffOptions {
  /** First retry delay, ms (default 100). */
  initialMs?: number;
  /** Cap, ms (default 5000). */
  maxMs?: number;
  /** Growth per consecutive failure (default 2). */
  factor?: number;
  /** Fraction of the delay that is random (default 0.5: delay × [0.5, 1)). */
  jitter?: number;
  /** Consecutive failures before giving up (default Infinity: retry forever, as client-go does). */
  maxAttempts?: number;
}

export interface WatchClock {
  wallMs(): number;
  monoMs(): number;
}

export interface WatchStatus {
  kind: "listed" | "relisted" | "watching" | "resumed" | "gone" | "regressed" | "retry" | "bookmark";
  resource: string;
  resourceVersion: string | null;
  attempt?: number;
  delayMs?: number;
  error?: string;
}

export interface WatchPodsOptions {
  kubeConfig: KubeConfig;
  /** Default: the current context's namespace, else `default`. `""` watches all namespaces. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** What to watch (default: pods). E.g. `[PODS, ...FMA_RESOURCES]`. */
  resources?: readonly ResourceRef[];
  signal?: AbortSignal;
  /** Pass BOOKMARK events to the consumer too (default false: they only move the resume point). */
  emitBookmarks?: boolean;
  /** Server-side timeout of each watch request, s (default 300); the stream is then resumed. */
  timeoutSeconds?: number;
  /**
   * Client-side: a stream silent for this long (no event, no bookmark) is presumed half-open and
   * resumed (default 120,000 ms; API servers send bookmarks about once a minute when asked).
   */
  idleTimeoutMs?: number;
  /** Page size of lists (default 500). */
  pageSize?: number;
  backoff?: BackoffOptions;
  /** The backoff-jitter stream, already split by the caller (wins over `seed`). */
  rng?: Rng;
  /** Seed of the backoff jitter when no `rng` is given (default 0; the stream is its `watch-backoff` child). */
  seed?: Seed;
  /** Check the namespace exists first (default true), so a typo is an error, not an empty stream. */
  checkNamespace?: boolean;
  onStatus?: (s: WatchStatus) => void;
  /** Called when the watch's overall state changes (see WatchState). */
  onState?: (state: WatchState) => void;
  clock?: WatchClock;
}

/**
 * What the watch is doing, over all its resources (the least healthy wins): `starting` before the
 * first list; `listing`; `watching` (every resource has a stream open); `backoff` (at least one
 * waits to retry after a failure, a repeated 410 or a regression); `stopped`; `failed`.
 */
export type WatchState = "starting" | "listing" | "watching" | "backoff" | "stopped" | "failed";
const STATE_RANK: Record<WatchState, number> = { watching: 0, starting: 1, listing: 2, backoff: 3, stopped: 4, failed: 5 };

export interface WatchStats {
  events: number;
  lists: number;
  relists: number;
  resumes: number;
  bookmarks: number;
  idleTimeouts: number;
  retries: number;
  duplicatesDropped: number;
  synthesized: number;
  /** resourceVersion regressions seen (server replaced with fresh state), each followed by a relist. */
  regressions: number;
  /** Longest run of consecutive failed attempts so far. */
  maxConsecutiveFailures: number;
}

// Not `AsyncIterable<WatchEvent, void, undefined>`: that three-parameter form is TS >= 5.6 lib
// syntax, and tslab's notebook compiler rejects it; the explicit iterator method says the same.
export interface WatchStream extends AsyncIterable<WatchEvent> {
  [Symbol.asyncIterator](): AsyncIterator<WatchEvent, void, undefined>;
  readonly stats: WatchStats;
  /** The current overall state. */
  readonly state: WatchState;
  /** Stops watching (same as aborting the signal). */
  stop(): void;
}

const systemClock: WatchClock = { wallMs: () => Date.now(), monoMs: () => performance.now() };

/** Kubernetes says resourceVersions are opaque; etcd's are integers, and then order is used to drop stale events. */
function olderThan(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return a.length !== b.length ? a.length < b.length : a < b;
}

interface StatusObject {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
  details?: { kind?: string; name?: string };
}

class HttpStatusError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

/**
 * Watch pods (and optionally other resources) as one AsyncIterable of typed, time-stamped events.
 *
 * @example
 * ```ts
 * for await (const e of watchPods({ kubeConfig: await loadKubeConfig(), namespace: "default", signal })) console.log(e.type, e.object.metadata?.name);
 * ```
 */
export function watchPods(options: WatchPodsOptions): WatchStream {
  const kc = options.kubeConfig;
  const server = checkKubeConfig(kc, kubeConfigSource(kc));
  const namespace = options.namespace ?? contextNamespace(kc);
  const resources = options.resources ?? [PODS];
  const clock = options.clock ?? systemClock;
  const b = { initialMs: 100, maxMs: 5000, factor: 2, jitter: 0.5, maxAttempts: Infinity, ...options.backoff };
  if (!(b.maxAttempts >= 1)) throw new InputError({ source: "watchPods", path: "backoff.maxAttempts" }, `a number of attempts >= 1, got ${b.maxAttempts}`);
  const jitter = options.rng ?? rng(options.seed ?? 0).split(STREAMS.watchBackoff);
  const channel = new Channel<WatchEvent>();
  const stats: WatchStats = { events: 0, lists: 0, relists: 0, resumes: 0, bookmarks: 0, idleTimeouts: 0, retries: 0, duplicatesDropped: 0, synthesized: 0, regressions: 0, maxConsecutiveFailures: 0 };
  const perResource = new Map<string, WatchState>(resources.map((r) => [r.plural, "starting"]));
  let state: WatchState = "starting";
  const setState = (resource: string | null, s: WatchState) => {
    if (resource !== null) perResource.set(resource, s);
    let next: WatchState = resource === null ? s : "watching";
    if (resource !== null) for (const v of perResource.values()) if (STATE_RANK[v] > STATE_RANK[next]) next = v;
    if (state === "failed" || state === "stopped" || next === state) return;
    state = next;
    options.onState?.(state);
  };
  const stopper = new AbortController();
  const stopSignal = stopper.signal;
  const onAbort = () => stopper.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) stopper.abort();
  let seq = 0;
  let running = resources.length;

  const emit = (type: WatchEventType, resource: string, origin: EventOrigin, object: KubeObject, wall: number, mono: number) => {
    if (stopSignal.aborted) return;
    stats.events++;
    if (origin === "relist") stats.synthesized++;
    channel.push({ seq: seq++, type, resource, origin, receivedWallMs: wall, receivedMonoMs: mono, object });
  };
  const sleep = (ms: number) => new Promise<void>((resolve) => {
    if (stopSignal.aborted) return resolve();
    const t = setTimeout(() => { stopSignal.removeEventListener("abort", done); resolve(); }, ms);
    const done = () => { clearTimeout(t); resolve(); };
    stopSignal.addEventListener("abort", done, { once: true });
  });
  const delayFor = (attempt: number) => {
    // The exponent is capped so a watch retrying for days never computes Infinity × 0.
    const base = Math.min(b.maxMs, b.initialMs * b.factor ** Math.min(attempt - 1, 40));
    return Math.round(base * (1 - b.jitter + b.jitter * jitter.random()));
  };
  const source = `${server} (namespace '${namespace || "<all>"}')`;

  const fatal = (err: unknown): InputError => {
    if (err instanceof InputError) return err;
    const e = err as HttpStatusError & { code?: string; cause?: { code?: string } };
    const msg = e?.message ?? String(err);
    if (/skipTLSVerify/.test(msg)) return new InputError({ source: kubeConfigSource(kc) }, "insecure-skip-tls-verify: true for an http:// server (the client refuses plain HTTP otherwise)");
    if (e?.statusCode === 401 || e?.statusCode === 403) return new InputError({ source }, `credentials allowed to list and watch (server answered ${e.statusCode}: ${msg})`);
    if (e?.statusCode === 404) return new InputError({ source }, `a served resource (server answered 404: ${msg})`);
    return new InputError({ source }, `a reachable Kubernetes API server (gave up after ${b.maxAttempts} attempts, the limit set by backoff.maxAttempts; last error: ${msg}${e?.code ? ` ${e.code}` : e?.cause?.code ? ` ${e.cause.code}` : ""})`, { cause: err });
  };
  const isFatalNow = (err: unknown) => {
    const e = err as HttpStatusError;
    return err instanceof InputError || e?.statusCode === 401 || e?.statusCode === 403 || e?.statusCode === 404 || /skipTLSVerify/.test(String(e?.message));
  };

  async function checkNamespaceExists(): Promise<void> {
    if (!namespace || options.checkNamespace === false) return;
    let res;
    try {
      res = await kubeGet(kc, `/api/v1/namespaces/${encodeURIComponent(namespace)}`, {}, stopSignal);
    } catch {
      return; // unreachable: the list below reports it with retries
    }
    if (res.status !== 404) return;
    let st: StatusObject = {};
    try { st = JSON.parse(res.body) as StatusObject; } catch { /* not a Status */ }
    // Only a NotFound about the namespace itself; a server that does not serve namespaces is not an error here.
    if (st.details?.kind === "namespaces" || /namespaces? .*not found/i.test(st.message ?? "")) {
      throw new InputError({ source: server, path: `namespaces/${namespace}` }, `an existing namespace ('${namespace}' not found on the server)`);
    }
  }

  async function runResource(r: ResourceRef): Promise<void> {
    const path = collectionPath(r, namespace);
    const resource = r.plural;
    const known = new Map<string, KubeObject>();
    let rv: string | null = null;
    /** The newest version seen since the last list: a later list older than this is a regression. */
    let highestRv: string | undefined;
    const saw = (v: string | undefined) => { if (v && (highestRv === undefined || olderThan(highestRv, v))) highestRv = v; };
    let failures = 0;
    let quietCloses = 0;
    /** Relists in a row with no healthy watch between them (repeated 410s or regressions). */
    let relistStreak = 0;
    let firstList = true;
    /** The next list follows a regression: diff it by content, as versions from two servers do not compare. */
    let byContent = false;

    const accept = (type: WatchEventType, obj: KubeObject, origin: EventOrigin, wall: number, mono: number) => {
      const key = objectKey(obj);
      const prev = known.get(key);
      const newRv = obj.metadata?.resourceVersion;
      if (type === "DELETED") {
        if (!prev || (prev.metadata?.uid && obj.metadata?.uid && prev.metadata.uid !== obj.metadata.uid)) { stats.duplicatesDropped++; return; }
        known.delete(key);
        emit("DELETED", resource, origin, obj, wall, mono);
        return;
      }
      if (prev) {
        if (prev.metadata?.uid && obj.metadata?.uid && prev.metadata.uid !== obj.metadata.uid) {
          // Same name, new object: the old one was deleted while we were not looking.
          known.delete(key);
          emit("DELETED", resource, origin === "list" ? "relist" : origin, prev, wall, mono);
          known.set(key, obj);
          emit("ADDED", resource, origin, obj, wall, mono);
          return;
        }
        const prevRv = prev.metadata?.resourceVersion;
        const same = byContent ? newRv === prevRv && JSON.stringify(obj) === JSON.stringify(prev) : newRv === prevRv || olderThan(newRv, prevRv);
        if (same) { stats.duplicatesDropped++; return; }
        known.set(key, obj);
        emit("MODIFIED", resource, origin, obj, wall, mono);
        return;
      }
      known.set(key, obj);
      emit("ADDED", resource, origin, obj, wall, mono);
    };

    const list = async (): Promise<void> => {
      const items: KubeObject[] = [];
      let cont: string | undefined;
      let listRv = "";
      do {
        const res = await kubeGet(kc, path, { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, limit: String(options.pageSize ?? 500), continue: cont }, stopSignal);
        if (res.status === 410 && cont) { cont = undefined; items.length = 0; continue; } // continue token expired: start over
        if (res.status !== 200) {
          let msg = res.body.slice(0, 300);
          try { msg = (JSON.parse(res.body) as StatusObject).message ?? msg; } catch { /* keep text */ }
          throw new HttpStatusError(res.status, `list ${path}: ${res.status} ${msg}`);
        }
        let body: { items?: KubeObject[]; metadata?: { resourceVersion?: string; continue?: string } };
        try {
          body = JSON.parse(res.body);
        } catch (err) {
          throw new HttpStatusError(502, `list ${path}: not JSON (${(err as Error).message})`);
        }
        items.push(...(body.items ?? []));
        listRv = body.metadata?.resourceVersion ?? listRv;
        cont = body.metadata?.continue || undefined;
      } while (cont);
      const wall = clock.wallMs();
      const mono = clock.monoMs();
      stats.lists++;
      const origin: EventOrigin = firstList ? "list" : "relist";
      if (!firstList) stats.relists++;
      if (!firstList && !byContent && listRv && olderThan(listRv, highestRv)) {
        // A list older than what a watch already showed: the server lost its state.
        byContent = true;
        stats.regressions++;
        options.onStatus?.({ kind: "regressed", resource, resourceVersion: listRv });
      }
      // The difference from what the consumer has: vanished objects first, then new and changed ones.
      const fresh = new Set(items.map(objectKey));
      for (const [key, obj] of [...known]) if (!fresh.has(key)) accept("DELETED", obj, origin, wall, mono);
      for (const obj of items) accept("ADDED", obj, origin, wall, mono);
      firstList = false;
      byContent = false;
      rv = listRv || null;
      highestRv = rv ?? undefined;
      options.onStatus?.({ kind: origin === "list" ? "listed" : "relisted", resource, resourceVersion: rv });
    };

    /** One watch request; resolves with how it ended. */
    const watchOnce = (fromRv: string) => new Promise<{ gone: boolean; regressed: boolean; connected: boolean; events: number; err: unknown }>((resolve) => {
      let gone = false;
      let regressed = false;
      let connected = false;
      let n = 0;
      let settled = false;
      let controller: WatchStreamHandle | null = null;
      let idle: ReturnType<typeof setTimeout> | undefined;
      const idleMs = options.idleTimeoutMs ?? 120_000;
      // One timer per stream, re-armed per event without allocating (refresh), not one per event.
      const touch = () => {
        if (idle) idle.refresh();
        else idle = setTimeout(() => { stats.idleTimeouts++; controller?.abort(); finish(null); }, idleMs);
      };
      const finish = (err: unknown) => {
        if (settled) return;
        settled = true;
        if (idle) clearTimeout(idle);
        stopSignal.removeEventListener("abort", abort);
        resolve({ gone, regressed, connected, events: n, err });
      };
      const abort = () => { controller?.abort(); finish(null); };
      stopSignal.addEventListener("abort", abort, { once: true });
      // client-node supplies the request's auth and TLS; the event path is ours (watch-stream.ts).
      openWatchStream(kc, path, {
        resourceVersion: fromRv,
        allowWatchBookmarks: true,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        timeoutSeconds: options.timeoutSeconds ?? 300,
      }, (type: string, o: unknown) => {
        const obj = o as KubeObject;
        if (settled) return;
        touch();
        const wall = clock.wallMs();
        const mono = clock.monoMs();
        if (type === "ERROR") {
          const st = obj as StatusObject;
          if (st.code === 410) gone = true;
          else finish(new HttpStatusError(st.code ?? 500, `watch ${path}: ${st.message ?? "ERROR event"}`));
          return;
        }
        if (n++ === 0) setState(resource, "watching"); // events arrive: the watch is open whatever client-node's promise says
        const objRv = obj?.metadata?.resourceVersion;
        // In one stream versions only grow, and a resumed stream starts after its resume point:
        // anything older means another server (fresh state) answers now.
        if (objRv && olderThan(objRv, rv ?? undefined)) {
          regressed = true;
          controller?.abort();
          finish(null);
          return;
        }
        if (type === "BOOKMARK") {
          stats.bookmarks++;
          if (objRv) { rv = objRv; saw(objRv); }
          options.onStatus?.({ kind: "bookmark", resource, resourceVersion: rv });
          if (options.emitBookmarks) emit("BOOKMARK", resource, "watch", obj, wall, mono);
          return;
        }
        if (type !== "ADDED" && type !== "MODIFIED" && type !== "DELETED") return;
        rv = objRv ?? rv;
        saw(objRv);
        accept(type, obj, "watch", wall, mono);
      }, (err: unknown) => {
        if (err && (err as { name?: string }).name === "AbortError") err = null;
        if ((err as HttpStatusError | null)?.statusCode === 410) { gone = true; err = null; }
        finish(err);
      }).then((c) => {
        controller = c;
        // The stream also resolves after a failed request (its done callback has then run and
        // settled this attempt): only an attempt still open is a watch.
        if (!settled) { connected = true; setState(resource, "watching"); }
        if (settled || stopSignal.aborted) c.abort();
        else touch();
      }, (err) => finish(err));
    });

    while (!stopSignal.aborted && !channel.closed) {
      try {
        if (rv === null) {
          setState(resource, "listing");
          await list();
          failures = 0;
          if (stopSignal.aborted) break;
        }
        options.onStatus?.({ kind: "watching", resource, resourceVersion: rv });
        const res = await watchOnce(rv ?? "0");
        if (stopSignal.aborted) break;
        if (res.gone || res.regressed) {
          if (res.regressed) { stats.regressions++; byContent = true; }
          // A stream that delivered events before its 410 was healthy: relist at once. Otherwise
          // (410 or regression right away, again) back off as for failures, so a server that
          // keeps answering 410 is not relisted in a tight loop.
          relistStreak = res.events > 0 && !res.regressed ? 1 : relistStreak + 1;
          if (res.events > 0) failures = 0;
          const delayMs = relistStreak > 1 ? delayFor(relistStreak - 1) : undefined;
          options.onStatus?.({ kind: res.regressed ? "regressed" : "gone", resource, resourceVersion: rv, ...(delayMs !== undefined ? { delayMs } : {}) });
          rv = null;
          if (delayMs !== undefined) { setState(resource, "backoff"); await sleep(delayMs); }
          continue;
        }
        if (res.err) throw res.err;
        relistStreak = 0;
        stats.resumes++;
        options.onStatus?.({ kind: "resumed", resource, resourceVersion: rv });
        if (res.connected || res.events > 0) failures = 0;
        if (res.events > 0) { quietCloses = 0; continue; }
        // A stream that closes without events: do not spin; wait a little (not counted as a failure).
        quietCloses++;
        await sleep(delayFor(Math.min(quietCloses, 4)));
      } catch (err) {
        if (stopSignal.aborted) break;
        if (isFatalNow(err)) throw fatal(err);
        failures++;
        stats.maxConsecutiveFailures = Math.max(stats.maxConsecutiveFailures, failures);
        if (failures >= b.maxAttempts) throw fatal(err);
        stats.retries++;
        const delayMs = delayFor(failures);
        options.onStatus?.({ kind: "retry", resource, resourceVersion: rv, attempt: failures, delayMs, error: (err as Error)?.message ?? String(err) });
        setState(resource, "backoff");
        await sleep(delayMs);
      }
    }
  }

  const start = async () => {
    try {
      await checkNamespaceExists();
    } catch (err) {
      setState(null, "failed");
      channel.fail(err);
      stopper.abort();
      return;
    }
    for (const r of resources) {
      runResource(r).then(() => {
        if (--running === 0) channel.close();
      }, (err) => {
        setState(null, "failed");
        channel.fail(err);
        stopper.abort();
      });
    }
  };
  channel.onReturn = () => stopper.abort();
  stopSignal.addEventListener("abort", () => {
    setState(null, "stopped");
    options.signal?.removeEventListener("abort", onAbort);
    channel.close();
  }, { once: true });
  let started = false;

  return {
    stats,
    get state() { return state; },
    stop: () => stopper.abort(),
    [Symbol.asyncIterator]() {
      if (!started) { started = true; void start(); }
      return channel;
    },
  };
}
