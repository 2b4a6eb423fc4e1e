/**
 * The cluster's object store: Kubernetes-shaped JSON objects keyed by resource, namespace and
 * name, one global resourceVersion counter, and a bounded history of watch events (older versions
 * answer 410 Gone, as etcd compaction makes a real API server do). Stored objects are snapshots:
 * callers hand in an object, the store keeps a deep copy, so history entries never change.
 */
import type { Rng } from "../core/rng.js";
import { hash32 } from "../core/rng.js";

export interface ObjectMeta {
  name: string;
  namespace?: string;
  generateName?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  [key: string]: unknown;
}

/** Any Kubernetes object as JSON. */
export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type WatchType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  rv: number;
  type: WatchType;
  resource: string;
  object: KObject;
  /** For MODIFIED: the object before the change (a filtered watch turns it into ADDED/DELETED). */
  prev?: KObject;
}

export interface StoreOptions {
  /** Watch events kept for resumes; older resourceVersions get 410 Gone. */
  historyLimit?: number;
  /** Keep every event as a JSON line (for determinism checks and dumps). */
  recordLog?: boolean;
}

/** `1970-01-01T00:00:00Z` form at second resolution (metav1.Time). */
export function isoSeconds(epochMs: number): string {
  const sec = Math.floor(epochMs / 1000);
  if (sec !== lastSec) {
    lastSec = sec;
    lastIso = new Date(sec * 1000).toISOString().replace(".000Z", "Z");
  }
  return lastIso;
}
let lastSec = NaN;
let lastIso = "";

/** RFC3339 with microseconds (metav1.MicroTime). */
export function isoMicros(epochMs: number): string {
  const whole = Math.floor(epochMs);
  const micros = Math.round((epochMs - whole) * 1000);
  const base = new Date(whole).toISOString(); // ...sss Z
  return `${base.slice(0, 23)}${String(micros).padStart(3, "0")}Z`;
}

/** RFC3339Nano as Go prints it (trailing zeros trimmed). */
export function isoNanos(epochMs: number): string {
  const whole = Math.floor(epochMs);
  const sub = Math.round((epochMs - whole) * 1e6); // ns within the ms
  const base = new Date(whole).toISOString();
  let frac = `${base.slice(20, 23)}${String(sub).padStart(6, "0")}`.replace(/0+$/, "");
  return `${base.slice(0, 19)}${frac ? "." + frac : ""}Z`;
}

function key(resource: string, namespace: string | undefined, name: string): string {
  return `${resource}/${namespace ?? ""}/${name}`;
}

/** Deep copy of plain JSON data (faster than a JSON round trip for the small objects here; drops undefined like JSON). */
export function deepCopy<T>(v: T): T {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = v[i] === undefined ? null : deepCopy(v[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in v as Record<string, unknown>) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = deepCopy(x);
  }
  return out as T;
}

const clone = deepCopy;

export class ObjectStore {
  private objects = new Map<string, KObject>();
  private byResource = new Map<string, Map<string, KObject>>();
  private history: StoreEvent[] = [];
  private historyStart = 0; // index offset of history[0] in the event sequence
  private listeners = new Set<(e: StoreEvent) => void>();
  private rvCounter = 0;
  private digest = 0x811c9dc5;
  private readonly historyLimit: number;
  readonly log: string[] | undefined;
  eventCount = 0;

  constructor(
    private readonly uidRng: Rng,
    private readonly clock: () => number,
    options: StoreOptions = {},
  ) {
    this.historyLimit = options.historyLimit ?? 5000;
    this.log = options.recordLog ? [] : undefined;
  }

  get resourceVersion(): number {
    return this.rvCounter;
  }

  /** The oldest resourceVersion a watch can still resume from (exclusive lower bound). */
  get oldestResumable(): number {
    return this.history.length > 0 ? this.history[0]!.rv - 1 : this.rvCounter;
  }

  /** A hash over every event so far (cheap determinism check without keeping the log). */
  get eventDigest(): string {
    return (this.digest >>> 0).toString(16).padStart(8, "0") + ":" + this.eventCount;
  }

  newUid(): string {
    const hex = () => this.uidRng.nextUint32().toString(16).padStart(8, "0");
    const a = hex(), b = hex(), c = hex(), d = hex();
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${((parseInt(c[0]!, 16) & 3) | 8).toString(16)}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }

  /** A 5-character generateName suffix from Kubernetes' alphabet (no vowels, no 0/1/3). */
  newSuffix(): string {
    const alphabet = "bcdfghjklmnpqrstvwxz2456789";
    let s = "";
    for (let i = 0; i < 5; i++) s += alphabet[this.uidRng.int(alphabet.length)];
    return s;
  }

  get(resource: string, namespace: string | undefined, name: string): KObject | undefined {
    return this.objects.get(key(resource, namespace, name));
  }

  list(resource: string, namespace?: string): KObject[] {
    const m = this.byResource.get(resource);
    if (!m) return [];
    const out: KObject[] = [];
    for (const o of m.values()) if (namespace === undefined || o.metadata.namespace === namespace) out.push(o);
    return out;
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Events with rv > `since`, or undefined when `since` is older than the kept history (→ 410). */
  eventsSince(since: number): StoreEvent[] | undefined {
    if (since < this.oldestResumable) return undefined;
    // history is sorted by rv; binary search the first > since
    let lo = 0, hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid]!.rv <= since) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  /** Adds a new object (fills uid, resourceVersion, creationTimestamp, generation). Throws on a duplicate. `owned`: keep `obj` itself, no copy. */
  create(resource: string, obj: KObject, owned = false): KObject {
    const k = key(resource, obj.metadata.namespace, obj.metadata.name);
    if (this.objects.has(k)) throw new Error(`AlreadyExists: ${resource} "${obj.metadata.name}" already exists`);
    const o = owned ? obj : clone(obj);
    o.metadata.uid = o.metadata.uid ?? this.newUid();
    o.metadata.creationTimestamp = isoSeconds(this.clock());
    if (o.metadata.generation === undefined && resource !== "pods" && resource !== "events") o.metadata.generation = 1;
    return this.commit("ADDED", resource, k, o);
  }

  /** Replaces an existing object (by namespace/name). */
  update(resource: string, obj: KObject): KObject {
    const k = key(resource, obj.metadata.namespace, obj.metadata.name);
    if (!this.objects.has(k)) throw new Error(`NotFound: ${resource} "${obj.metadata.name}" not found`);
    return this.commit("MODIFIED", resource, k, clone(obj));
  }

  /**
   * Like `update`, but takes ownership of `obj` without copying it: the caller built it fresh and
   * must not touch it afterwards (the model's hot path; saves a deep copy per change).
   */
  updateOwned(resource: string, obj: KObject): KObject {
    const k = key(resource, obj.metadata.namespace, obj.metadata.name);
    if (!this.objects.has(k)) throw new Error(`NotFound: ${resource} "${obj.metadata.name}" not found`);
    return this.commit("MODIFIED", resource, k, obj);
  }

  remove(resource: string, namespace: string | undefined, name: string): KObject | undefined {
    const k = key(resource, namespace, name);
    const cur = this.objects.get(k);
    if (!cur) return undefined;
    return this.commit("DELETED", resource, k, clone(cur));
  }

  private commit(type: WatchType, resource: string, k: string, o: KObject): KObject {
    this.rvCounter++;
    o.metadata.resourceVersion = String(this.rvCounter);
    const prev = type === "MODIFIED" ? this.objects.get(k) : undefined;
    let m = this.byResource.get(resource);
    if (!m) this.byResource.set(resource, (m = new Map()));
    if (type === "DELETED") {
      this.objects.delete(k);
      m.delete(k);
    } else {
      this.objects.set(k, o);
      m.set(k, o);
    }
    const e: StoreEvent = { rv: this.rvCounter, type, resource, object: o, ...(prev ? { prev } : {}) };
    this.history.push(e);
    if (this.history.length > this.historyLimit * 1.25) {
      const drop = this.history.length - this.historyLimit;
      this.history = this.history.slice(drop);
      this.historyStart += drop;
    }
    this.eventCount++;
    const line = `${type} ${resource} ${o.metadata.namespace ?? ""}/${o.metadata.name} rv=${o.metadata.resourceVersion}`;
    if (this.log) this.log.push(`${line} ${JSON.stringify(o)}`);
    this.digest = hash32(`${this.digest}|${line}`);
    for (const fn of this.listeners) fn(e);
    return o;
  }
}
