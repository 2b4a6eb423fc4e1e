/**
 * Pod lifecycles from watch events (pure): for every pod, each phase with three time sources —
 * the server's timestamp (metav1.Time, 1 s resolution), a Kubernetes Event time when one exists
 * (MicroTime, µs), and when this process received the watch event that first showed the phase
 * (wall and monotonic ms) — plus the history of selected labels and annotations (the FMA keys by
 * default) and the order in which objects were first seen (sequence, resourceVersion, origin).
 *
 * Phases: created, scheduled, readyToStartContainers, initialized, running (status.phase Running),
 * containersStarted (all containers' startedAt), containersReady, ready, dualLabel (the
 * `dual-pods.llm-d.ai/dual` label first seen; no server time exists for a label change), deleting
 * (deletionTimestamp), deleted (the DELETED event).
 */
import type { KubeObject, WatchEvent } from "./types.js";
import { parseKubeTime } from "./time.js";
import { appendSmall } from "../core/append-small.js";

export interface PhaseTime {
  /** Server timestamp, epoch ms (1 s resolution for metav1.Time); null when the server gives none. */
  server: number | null;
  /** Kubernetes Event time (eventTime µs, else firstTimestamp 1 s), epoch ms; null without an Event. */
  event: number | null;
  /** Wall-clock receipt (epoch ms) of the first watch event that showed the phase. */
  receivedWall: number | null;
  /** Monotonic receipt (ms) of that event. */
  receivedMono: number | null;
  /** The object's resourceVersion in that event. */
  rv: string | null;
  /** The event's sequence number in the stream. */
  seq: number | null;
}

export type PodPhase =
  | "created" | "scheduled" | "readyToStartContainers" | "initialized" | "running" | "containersStarted"
  | "containersReady" | "ready" | "dualLabel" | "deleting" | "deleted";

export const POD_PHASES: readonly PodPhase[] = [
  "created", "scheduled", "readyToStartContainers", "initialized", "running", "containersStarted",
  "containersReady", "ready", "dualLabel", "deleting", "deleted",
];

/** One observed change of a tracked label or annotation (value null = removed). */
export interface MetaChange {
  kind: "label" | "annotation";
  key: string;
  value: string | null;
  seq: number;
  rv: string | null;
  receivedWall: number;
  receivedMono: number;
}

export interface PodLifecycle {
  uid: string;
  name: string;
  namespace: string;
  generateName: string | null;
  nodeName: string | null;
  /** Labels and annotations as last seen. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The first observed state: how it arrived and the tracked keys' values then. */
  firstSeen: { seq: number; origin: WatchEvent["origin"]; rv: string | null; receivedWall: number; receivedMono: number; labels: Record<string, string>; annotations: Record<string, string> };
  /** True when the pod was first seen in a watch ADDED event, so `firstSeen.rv` is its creation resourceVersion. */
  createdWhileWatching: boolean;
  phases: Record<PodPhase, PhaseTime>;
  /** Per container: startedAt (server), the Started Event (event), first seen running (received). */
  containers: Record<string, PhaseTime>;
  /** Changes of the tracked labels/annotations in arrival order (the first state counts as changes from absent). */
  changes: MetaChange[];
  lastRv: string | null;
  events: number;
}

/** Labels and annotations whose history is kept by default: the FMA binding and sleep state. */
export const TRACKED_LABELS: readonly string[] = ["dual-pods.llm-d.ai/dual", "dual-pods.llm-d.ai/sleeping", "dual-pods.llm-d.ai/instance", "dual-pods.llm-d.ai/launcher-stuck"];
export const TRACKED_ANNOTATIONS: readonly string[] = ["dual-pods.llm-d.ai/requester", "dual-pods.llm-d.ai/instance-id", "dual-pods.llm-d.ai/accelerators"];

const DUAL = "dual-pods.llm-d.ai/dual";

/** How many recent label/annotation copies a reducer compares a new record with. */
const COPIES = 8;


/**
 * Every phase not yet seen is this one frozen record, shared by all pods: a pod sees about half of
 * its eleven phases, and at 1e5 pods the unseen ones were ~100 MB of identical nulls. A phase is
 * replaced by a record of its own the first time it is seen (`seen`), never written in place.
 */
const UNSEEN: PhaseTime = Object.freeze(emptyPhase());

function emptyPhase(): PhaseTime {
  return { server: null, event: null, receivedWall: null, receivedMono: null, rv: null, seq: null };
}

function unseenPhases(): Record<PodPhase, PhaseTime> {
  return { created: UNSEEN, scheduled: UNSEEN, readyToStartContainers: UNSEEN, initialized: UNSEEN, running: UNSEEN, containersStarted: UNSEEN, containersReady: UNSEEN, ready: UNSEEN, dualLabel: UNSEEN, deleting: UNSEEN, deleted: UNSEEN };
}

/**
 * A phase's own record, to write a field of: copied from the shared unseen one, or from a record
 * another phase or container of the pod shares (see `fresh`), the first time a field is set.
 */
function own(p: PodLifecycle, phase: PodPhase): PhaseTime {
  const ph = p.phases[phase];
  if (ph === UNSEEN) return (p.phases[phase] = emptyPhase());
  return shared(p, ph) ? (p.phases[phase] = { ...ph }) : ph;
}

/** A container's own record, to write a field of (as `own`). */
function ownContainer(p: PodLifecycle, name: string): PhaseTime {
  const c = p.containers[name];
  if (c === undefined) return (p.containers[name] = emptyPhase());
  return shared(p, c) ? (p.containers[name] = { ...c }) : c;
}

/** True when `ph` is held by more than one phase or container of `p`. */
function shared(p: PodLifecycle, ph: PhaseTime): boolean {
  let n = 0;
  for (const k of POD_PHASES) if (p.phases[k] === ph) n++;
  for (const k in p.containers) if (p.containers[k] === ph) n++;
  return n > 1;
}

/** The conditions a phase is read from (lastTransitionTime of a True condition). */
const CONDITION_PHASES = [["readyToStartContainers", "PodReadyToStartContainers"], ["initialized", "Initialized"], ["containersReady", "ContainersReady"], ["ready", "Ready"]] as const;

interface PodStatusLike {
  phase?: string;
  conditions?: { type?: string; status?: string; lastTransitionTime?: string }[];
  containerStatuses?: { name?: string; started?: boolean; state?: { running?: { startedAt?: string } } }[];
}

interface PodSpecLike {
  nodeName?: string;
  containers?: { name?: string }[];
}

interface EventLike {
  reason?: string;
  eventTime?: string | null;
  firstTimestamp?: string | null;
  involvedObject?: { uid?: string; fieldPath?: string; kind?: string };
  regarding?: { uid?: string; fieldPath?: string; kind?: string };
}

export interface LifecycleOptions {
  labels?: readonly string[];
  annotations?: readonly string[];
}

/**
 * Incremental reducer: `add` each event in stream order, read `lifecycles()` at any point (the
 * bench harness waits on it). `podLifecycles(events)` is the one-shot form.
 */
export class LifecycleReducer {
  private readonly pods = new Map<string, PodLifecycle>();
  /** Kubernetes Events may arrive before their pod; applied whenever lifecycles are read. */
  private readonly kubeEvents = new Map<string, { reason: string; time: number; container: string | null }[]>();
  private readonly labelKeys: readonly string[];
  private readonly annotationKeys: readonly string[];
  /**
   * Records made during the current `add`, shared by phases the same event shows with the same
   * server time: running, containersStarted and the container's startedAt are usually one record
   * (three doubles boxed once, not three times; 1e5 pods kept ~200 B each less). Writes go through
   * `own`/`ownContainer`, which copy a shared record first.
   */
  private readonly made: PhaseTime[] = [];
  /**
   * The last few label/annotation records copied, frozen, with their keys: a pod whose record has
   * the same keys, values and order gets the same copy (requesters of one configuration carry the
   * same annotations; those bound to one launcher, the same labels). Lifecycles never write into
   * these records, they replace them; frozen, a caller's write fails instead of reaching other pods.
   */
  private readonly copies: { rec: Record<string, string>; keys: string[] }[] = [];
  private nextCopy = 0;

  private nMade = 0;

  constructor(options: LifecycleOptions = {}) {
    this.labelKeys = options.labels ?? TRACKED_LABELS;
    this.annotationKeys = options.annotations ?? TRACKED_ANNOTATIONS;
  }

  add(e: WatchEvent): void {
    if (e.type === "BOOKMARK") return;
    if (e.resource === "events") return this.addKubeEvent(e.object);
    if (e.resource !== "pods") return;
    const m = e.object.metadata ?? {};
    this.nMade = 0;
    const uid = m.uid ?? `${m.namespace ?? ""}/${m.name ?? ""}`;
    let p = this.pods.get(uid);
    const labels = m.labels ?? {};
    const annotations = m.annotations ?? {};
    const rv = m.resourceVersion ?? null;
    if (!p) {
      p = {
        uid,
        name: m.name ?? "",
        namespace: m.namespace ?? "",
        generateName: m.generateName ?? null,
        nodeName: null,
        labels: {},
        annotations: {},
        firstSeen: { seq: e.seq, origin: e.origin, rv, receivedWall: e.receivedWallMs, receivedMono: e.receivedMonoMs, labels: pick(labels, this.labelKeys), annotations: pick(annotations, this.annotationKeys) },
        createdWhileWatching: e.origin === "watch" && e.type === "ADDED",
        phases: unseenPhases(),
        containers: {},
        changes: [],
        lastRv: null,
        events: 0,
      };
      this.pods.set(uid, p);
    }
    p.events++;
    p.lastRv = rv;
    const phases = p.phases;
    // (`seen` is a plain function, not a closure: one closure per event was a fifth of this method's time.)
    // Tracked labels/annotations: record every change against the previous state. Most events of a
    // pod repeat its metadata: then there is nothing to compare key by key, and nothing to copy.
    const sameLabels = sameRecord(p.labels, labels);
    const sameAnnotations = sameRecord(p.annotations, annotations);
    if (!sameLabels) for (const key of this.labelKeys) this.change(p, e, "label", key, p.labels[key], labels[key]);
    if (!sameAnnotations) for (const key of this.annotationKeys) this.change(p, e, "annotation", key, p.annotations[key], annotations[key]);
    if (!sameLabels) p.labels = this.copyOf(labels);
    if (!sameAnnotations) p.annotations = this.copyOf(annotations);

    const spec = (e.object.spec ?? {}) as PodSpecLike;
    const status = (e.object.status ?? {}) as PodStatusLike;
    // Times are parsed only for phases not seen yet: a phase keeps the first event that showed it.
    if (phases.created.receivedWall === null) this.seen(p, "created", e, rv, parseKubeTime(m.creationTimestamp));
    if (spec.nodeName) p.nodeName = spec.nodeName;
    if (phases.scheduled.receivedWall === null || phases.scheduled.server === null) {
      const scheduledAt = conditionTime(status, "PodScheduled");
      if (spec.nodeName || scheduledAt !== null) this.seen(p, "scheduled", e, rv, scheduledAt);
      // The node can show up one event before the condition: fill the server time in late.
      if (phases.scheduled.server === null && scheduledAt !== null) own(p, "scheduled").server = scheduledAt;
    }
    for (const [phase, type] of CONDITION_PHASES) {
      if (phases[phase].receivedWall !== null) continue;
      const t = conditionTime(status, type);
      if (t !== null) this.seen(p, phase, e, rv, t);
    }
    const statuses = status.containerStatuses ?? [];
    // latestStart and allStarted matter only while these two phases are unseen.
    const needStarts = phases.containersStarted.receivedWall === null || (status.phase === "Running" && phases.running.receivedWall === null);
    let latestStart: number | null = null;
    let allStarted = statuses.length > 0;
    for (const cs of statuses) {
      const name = cs.name ?? "";
      const known = p.containers[name];
      if (!needStarts && known !== undefined && known.receivedWall !== null) continue;
      const started = parseKubeTime(cs.state?.running?.startedAt);
      if (started === null) { allStarted = false; continue; }
      if (known === undefined) p.containers[name] = this.fresh(started, e, rv);
      else if (known.receivedWall === null) record(ownContainer(p, name), started, e, rv);
      latestStart = latestStart === null ? started : Math.max(latestStart, started);
    }
    if (needStarts) {
      const expected = spec.containers?.length ?? statuses.length;
      if (allStarted && statuses.length >= expected) this.seen(p, "containersStarted", e, rv, latestStart);
      if (status.phase === "Running") this.seen(p, "running", e, rv, latestStart);
    }
    if (labels[DUAL] !== undefined) this.seen(p, "dualLabel", e, rv, null);
    if (m.deletionTimestamp && phases.deleting.receivedWall === null) this.seen(p, "deleting", e, rv, parseKubeTime(m.deletionTimestamp));
    if (e.type === "DELETED") {
      if (phases.deleting.receivedWall === null) this.seen(p, "deleting", e, rv, parseKubeTime(m.deletionTimestamp));
      this.seen(p, "deleted", e, rv, null);
    }
  }

  /** A frozen copy of `rec`: a recent one with the same entries in the same order, else a new one. */
  private copyOf(rec: Record<string, string>): Record<string, string> {
    const keys = Object.keys(rec);
    const copies = this.copies;
    // Newest first: a run of pods of one kind repeats the record just made.
    for (let n = copies.length, c = (this.nextCopy + n - 1) % n, left = n; left > 0; left--, c = (c + n - 1) % n) {
      const entry = copies[c]!;
      const ck = entry.keys;
      if (ck.length !== keys.length) continue;
      let same = true;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        if (ck[i] !== k || entry.rec[k] !== rec[k]) { same = false; break; }
      }
      if (same) return entry.rec;
    }
    const copy = Object.freeze({ ...rec });
    const entry = { rec: copy, keys };
    if (copies.length < COPIES) { copies.push(entry); this.nextCopy = copies.length % COPIES; }
    else { copies[this.nextCopy] = entry; this.nextCopy = (this.nextCopy + 1) % COPIES; }
    return copy;
  }

  /** Marks `phase` seen in event `e` unless it was seen before. */
  private seen(p: PodLifecycle, phase: PodPhase, e: WatchEvent, rv: string | null, server: number | null): void {
    const ph = p.phases[phase];
    if (ph.receivedWall !== null) return;
    // An unseen phase may already hold a Kubernetes Event time (lifecycles() read in between): its own record.
    if (ph === UNSEEN) p.phases[phase] = this.fresh(server, e, rv);
    else record(ph, server, e, rv);
  }

  /** A record of event `e` with this server time and no Event time: one made earlier in this `add` when there is one. */
  private fresh(server: number | null, e: WatchEvent, rv: string | null): PhaseTime {
    const made = this.made;
    for (let i = 0; i < this.nMade; i++) if (made[i]!.server === server) return made[i]!;
    const r: PhaseTime = { server, event: null, receivedWall: e.receivedWallMs, receivedMono: e.receivedMonoMs, rv, seq: e.seq };
    made[this.nMade++] = r;
    return r;
  }

  private change(p: PodLifecycle, e: WatchEvent, kind: "label" | "annotation", key: string, before: string | undefined, after: string | undefined): void {
    if (before === after) return;
    const c: MetaChange = { kind, key, value: after ?? null, seq: e.seq, rv: e.object.metadata?.resourceVersion ?? null, receivedWall: e.receivedWallMs, receivedMono: e.receivedMonoMs };
    p.changes = appendSmall(p.changes, c);
  }

  private addKubeEvent(o: KubeObject): void {
    const ev = o as unknown as EventLike;
    const ref = ev.involvedObject ?? ev.regarding;
    if (!ref?.uid || (ref.kind && ref.kind !== "Pod")) return;
    const time = parseKubeTime(ev.eventTime ?? undefined) ?? parseKubeTime(ev.firstTimestamp ?? undefined);
    if (time === null || !ev.reason) return;
    const container = /spec\.(?:init)?[cC]ontainers\{(.+)\}/.exec(ref.fieldPath ?? "")?.[1] ?? null;
    const list = this.kubeEvents.get(ref.uid) ?? [];
    list.push({ reason: ev.reason, time, container });
    this.kubeEvents.set(ref.uid, list);
  }

  /** The lifecycles so far, in first-seen order, with Kubernetes Event times applied. */
  lifecycles(): PodLifecycle[] {
    const out = [...this.pods.values()];
    for (const p of out) {
      const evs = this.kubeEvents.get(p.uid);
      if (!evs) continue;
      for (const ev of evs) {
        if (ev.reason === "Scheduled") { const s = own(p, "scheduled"); s.event = s.event === null ? ev.time : Math.min(s.event, ev.time); }
        if (ev.reason === "Started" && ev.container !== null) {
          const c = ownContainer(p, ev.container);
          c.event = c.event === null ? ev.time : Math.min(c.event, ev.time);
        }
      }
      const starts = Object.values(p.containers).map((c) => c.event);
      if (starts.length > 0 && starts.every((t) => t !== null)) own(p, "containersStarted").event = Math.max(...(starts as number[]));
    }
    return out;
  }

  get(uid: string): PodLifecycle | undefined {
    return this.pods.get(uid);
  }
}

/**
 * One-shot: the lifecycles of all pods in `events` (stream order).
 *
 * @example
 * ```ts
 * const pods = podLifecycles(parseEventLog(readFileSync("datasets/event-logs/hot-8b-h100/events.jsonl", "utf8")).events);
 * console.log(pods.map((p) => p.name));
 * ```
 */
export function podLifecycles(events: Iterable<WatchEvent>, options: LifecycleOptions = {}): PodLifecycle[] {
  const r = new LifecycleReducer(options);
  for (const e of events) r.add(e);
  return r.lifecycles();
}

function conditionTime(status: PodStatusLike, type: string): number | null {
  const conditions = status.conditions;
  if (!conditions) return null;
  for (const c of conditions) if (c.type === type) return c.status === "True" ? parseKubeTime(c.lastTransitionTime) : null;
  return null;
}

/** Fills an unseen phase from the event that first shows it. */
function record(ph: PhaseTime, server: number | null, e: WatchEvent, rv: string | null): void {
  ph.server = server;
  ph.receivedWall = e.receivedWallMs;
  ph.receivedMono = e.receivedMonoMs;
  ph.rv = rv;
  ph.seq = e.seq;
}

/** Same keys in the same order with the same values (key order shows in the lifecycles' JSON). */
function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  let i = 0;
  for (const k in b) {
    if (keys[i] !== k || a[k] !== b[k]) return false;
    i++;
  }
  return i === keys.length;
}

/** The one empty first-seen record (frozen): most pods are first seen without any tracked key. */
const NONE: Record<string, string> = Object.freeze({});

function pick(rec: Record<string, string>, keys: readonly string[]): Record<string, string> {
  let out: Record<string, string> | null = null;
  for (const k of keys) if (rec[k] !== undefined) (out ??= {})[k] = rec[k]!;
  return out ?? NONE;
}

