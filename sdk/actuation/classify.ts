/**
 * Actuation classification (pure): for every requester pod, which path served it — hot, warm,
 * cold_launcher, cold (direct provider) — or `unknown` with the reason, from the most precise
 * evidence present, and per-path timings with where they came from.
 *
 * Evidence, most precise first (`classified_by`):
 * 1. `dpc` — the DPC log for this requester (by UID, else name): a launcher created for it →
 *    cold_launcher; a successful wake → hot; a create_instance → warm; direct mode: a provider
 *    created for it → cold, a wake → hot.
 * 2. `vllm_log` — a wake line on the bound provider (matching the requester's instance id when the
 *    line carries one) between the requester's container start and its Ready → hot; an instance
 *    start ("non-default args:") in that window → a new instance (warm or cold_launcher, decided as
 *    in 3). Only lines inside this actuation's window count: a launcher's earlier wakes do not.
 * 3. Whether the launcher was created for this requester (launcher mode, new instance):
 *    `kube_created_bound` — the launcher was first seen (in a watch ADDED) already bound to this
 *    requester → cold_launcher (this one needs no instance-start line: a new launcher has no
 *    instance to wake); first seen unbound → not made by the DPC for it → warm;
 *    `kube_order` — the launcher first seen in a list or relist (its first state may be later than
 *    its creation), the requester created while watching: the launcher's first-seen resourceVersion
 *    before the requester's creation resourceVersion → it pre-existed → warm;
 *    `kube_timestamps` — launcher creationTimestamp strictly before the requester's → warm; strictly
 *    after → cold_launcher, `confidence: "inferred"` (a populator could in principle create a
 *    launcher later). Equal seconds (the 1-s tie) without finer evidence → `unknown`: the nop
 *    harness's "tie → cold" rule is exactly what this avoids.
 * 4. `provider_name` — direct mode: a provider named `<requester>-dual-…` (generateName) was
 *    created for this requester → cold; any other bound provider pre-existed asleep → hot.
 * 5. `fma_metric` — per-iteration deltas of `fma_actuation_seconds` counts fill in the remaining
 *    unknowns of an iteration when they leave exactly one possibility.
 * Label transitions (`dual-pods.llm-d.ai/sleeping` true→false) happen for hot and warm alike, so
 * on their own they never decide hot vs warm; they are reported, not used as a guess.
 *
 * Timings (seconds), as the nop harness defines them, plus bounds that are sound:
 * - tight (`timing_source: "dpc"`): t_wake = relay − wake start; t_instance_create = relay −
 *   create_instance start; t_cold_launcher = relay − launcher create call start (relay = start of
 *   the first successful relay_ready call).
 * - upper bounds from Kubernetes timestamps (`t_*_upper`): Ready − baseline, where the baseline
 *   is the requester container's startedAt (`kube_container_start`), else its creation
 *   (`kube_pod_create`), and the launcher's creation for t_cold_launcher. Both ends are truncated to
 *   the second, so `Ready − baseline` can undershoot the true interval by up to 1 s; the bound adds
 *   that 1 s (`bound: "harness"` gives the harness's unpadded difference instead).
 * - T_actuation = requester Ready − container startedAt (Kubernetes, the fma_actuation_seconds
 *   interval up to the probe tick); TTRD (time to requester dual-labelled) = the `dual` label first
 *   seen − the requester first seen, both watch receive times (client monotonic clock) when the
 *   requester was created while watching; otherwise the harness's mix, receive wall clock − the
 *   server's creationTimestamp (only meaningful when client and server clocks agree).
 */
import type { PodLifecycle } from "../kube/lifecycle.js";
import { dpcRecordFor, type DpcEvidence, type DpcRecord, type VllmEvent } from "./evidence.js";
import { FMA_KEYS, INFERENCE_SERVER_CONTAINER, podRole } from "./fma-keys.js";
import type { ActuationClass, ActuationMode, ActuationPath } from "./path.js";
import { serverClockOf } from "./server-clock.js";

export type ClassificationSource = "dpc" | "vllm_log" | "kube_created_bound" | "kube_order" | "kube_timestamps" | "provider_name" | "fma_metric" | "none";
export type TimingSource = "dpc" | "kube_container_start" | "kube_pod_create" | "none";
export type ActuationCondition = "T_hot" | "T_warm" | "T_cold_launcher" | "T_cold";

export const CONDITION_OF: Record<ActuationPath, ActuationCondition> = { hot: "T_hot", warm: "T_warm", cold_launcher: "T_cold_launcher", cold: "T_cold" };

/** One requester's actuation: a flat record (a tidy row). Times: epoch seconds; durations: seconds. */
export interface Actuation {
  iteration: number;
  namespace: string;
  requester: string;
  requester_uid: string;
  mode: ActuationMode | null;
  path: ActuationClass;
  actuation_condition: ActuationCondition | null;
  classified_by: ClassificationSource;
  confidence: "certain" | "inferred" | "none";
  reason: string;
  /** Launcher and requester creationTimestamps fall in the same second. */
  tie: boolean;
  provider: string | null;
  launcher_node: string | null;
  instance_id: string | null;
  /** Reclaim victims from the DPC log (the metric's `instancesDeleted`; sleeper-budget deletions excluded, see `DpcRecord`); null without a DPC record. */
  instances_deleted: number | null;
  gpu_uuids: string | null;
  outcome: "ready" | "not_ready";
  creation_timestamp: number | null;
  container_start_timestamp: number | null;
  ready_timestamp: number | null;
  dual_label_timestamp: number | null;
  launcher_creation_timestamp: number | null;
  t_wake: number | null;
  t_instance_create: number | null;
  t_cold_launcher: number | null;
  timing_source: TimingSource;
  t_wake_upper: number | null;
  t_instance_create_upper: number | null;
  t_cold_launcher_upper: number | null;
  upper_source: TimingSource;
  T_actuation: number | null;
  TTRD: number | null;
  vllm_wake_seconds: number | null;
}

export interface ClassifyInput {
  /** Lifecycles of all pods seen (requesters, launchers, providers; others are ignored). */
  pods: readonly PodLifecycle[];
  dpc?: DpcEvidence;
  /** vLLM/launcher log events per provider pod name. */
  vllm?: ReadonlyMap<string, readonly VllmEvent[]>;
  /** Iteration of each requester (by name or uid); default 1. */
  iterationOf?: (requester: PodLifecycle) => number;
  /** Per-iteration `fma_actuation_seconds` count deltas (iteration → counts), to resolve leftovers. */
  metricDeltas?: ReadonlyMap<number, Record<ActuationPath, number>>;
  /** `sound` (default): upper bounds padded by the 1 s timestamp resolution; `harness`: Ready − baseline as the nop harness computes it. */
  bound?: "sound" | "harness";
  /** The pods whose phases set the server clock, when more than `pods` (the whole run while `pods` holds one iteration's requesters); read only if needed. */
  clockPods?: () => readonly PodLifecycle[];
}

const S = (ms: number | null): number | null => (ms === null ? null : ms / 1000);
const round6 = (x: number | null): number | null => (x === null ? null : Math.round(x * 1e6) / 1e6);

function rvBefore(a: string | null, b: string | null): boolean | null {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return null;
  return a.length !== b.length ? a.length < b.length : a < b;
}

/** The requester's provider: last non-empty `dual` label, else the DPC's created pod, else a pod whose requester annotation names it. */
function providerOf(req: PodLifecycle, byName: Map<string, PodLifecycle>, byRequesterAnn: () => Map<string, PodLifecycle>, rec: DpcRecord | undefined): PodLifecycle | null {
  const name = lastLabelValue(req, FMA_KEYS.dual) ?? req.labels[FMA_KEYS.dual] ?? rec?.launcherPod ?? rec?.providerPod ?? null;
  if (name && byName.has(name)) return byName.get(name)!;
  return byRequesterAnn().get(req.uid) ?? null;
}

/** The last non-empty value label `key` took, from the change history; null when it never had one. */
function lastLabelValue(p: PodLifecycle, key: string): string | null {
  for (let i = p.changes.length - 1; i >= 0; i--) {
    const c = p.changes[i]!;
    if (c.kind === "label" && c.key === key && c.value) return c.value;
  }
  return null;
}

/** True when the first observed state of `p` was already bound to requester `req`. */
function firstSeenBoundTo(p: PodLifecycle, req: PodLifecycle): boolean {
  const ann = p.firstSeen.annotations[FMA_KEYS.requester];
  return (ann !== undefined && ann.split(" ")[0] === req.uid) || p.firstSeen.labels[FMA_KEYS.dual] === req.name;
}

/**
 * Classifies every requester in `input.pods`; output ordered by iteration, creation time, name.
 *
 * @example
 * ```ts
 * const acts = classifyActuations({ pods: podLifecycles(events), dpc: parseDpcLog(dpcLogText, "dpc") });
 * console.log(acts.map((a) => a.path));
 * ```
 */
export function classifyActuations(input: ClassifyInput): Actuation[] {
  const byName = new Map<string, PodLifecycle>();
  const requesters: PodLifecycle[] = [];
  const providers: PodLifecycle[] = [];
  for (const p of input.pods) {
    const role = roleOf(p);
    if (role === "requester") requesters.push(p);
    else {
      byName.set(p.name, p);
      providers.push(p);
    }
  }
  // Read only when a requester's provider is not found by name: a long-lived launcher's history grows with the run.
  let annotated: Map<string, PodLifecycle> | null = null;
  const byRequesterAnn = () => {
    if (annotated) return annotated;
    annotated = new Map<string, PodLifecycle>();
    for (const p of providers) for (const c of p.changes) if (c.kind === "annotation" && c.key === FMA_KEYS.requester && c.value) annotated.set(c.value.split(" ")[0]!, p);
    return annotated;
  };
  const bounds = new Map<Actuation, Bounds>();
  const out = requesters.map((r) => classifyOne(r, input, byName, byRequesterAnn, bounds));
  if (input.metricDeltas) resolveByMetric(out, input.metricDeltas, bounds);
  // The dual label's time is known only on the watch's clock: put it on the server's, as every other timestamp.
  const toServer = serverClockOf(input.clockPods ?? input.pods);
  const byUid = new Map<string, PodLifecycle>();
  for (const r of requesters) byUid.set(r.uid, r);
  for (const a of out) if (a.dual_label_timestamp !== null) a.dual_label_timestamp = Math.round(toServer(a.dual_label_timestamp * 1000, byUid.get(a.requester_uid))) / 1000;
  // A fixed order that does not depend on how events arrived (a relist reorders them).
  return out.sort((a, b) => a.iteration - b.iteration || (a.creation_timestamp ?? Infinity) - (b.creation_timestamp ?? Infinity) || (a.requester < b.requester ? -1 : a.requester > b.requester ? 1 : 0));
}

/**
 * The pod's role from its first-seen and last-seen labels and annotations merged (the last win), as
 * `podRole({ ...firstSeen.labels, ...labels }, { ...firstSeen.annotations, ...annotations })`; the
 * merged records are built only when the first-seen state has a key the last one lacks.
 */
function roleOf(p: PodLifecycle): ReturnType<typeof podRole> {
  if (!hasKeyMissingIn(p.firstSeen.labels, p.labels) && !hasKeyMissingIn(p.firstSeen.annotations, p.annotations)) return podRole(p.labels, p.annotations);
  return podRole({ ...p.firstSeen.labels, ...p.labels }, { ...p.firstSeen.annotations, ...p.annotations });
}

const hasOwn = Object.prototype.hasOwnProperty;

function hasKeyMissingIn(from: Record<string, string>, to: Record<string, string>): boolean {
  for (const k in from) if (hasOwn.call(from, k) && !hasOwn.call(to, k)) return true;
  return false;
}

/** Kubernetes upper bounds for each path, kept for classes decided after the fact (by the metric). */
interface Bounds {
  fromBaseline: number | null;
  baselineSource: TimingSource;
  fromLauncher: number | null;
}

/** A classification being decided: the path, the evidence that decided it, why. */
interface Verdict {
  path: ActuationClass;
  by: ClassificationSource;
  confidence: Actuation["confidence"];
  reason: string;
}

function decide(v: Verdict, p: ActuationPath, src: ClassificationSource, why: string, conf: Actuation["confidence"] = "certain"): void {
  v.path = p; v.by = src; v.reason = why; v.confidence = conf;
}

/** Launcher mode, new instance: was the launcher made for this requester? */
function launcherOrigin(v: Verdict, req: PodLifecycle, prov: PodLifecycle | null, created: number | null, provCreated: number | null, tie: boolean): void {
  if (!prov) { v.reason = "new instance, but the launcher pod was never seen"; return; }
  // Seen from its creation: its first state says whether the DPC made it for this requester.
  if (prov.createdWhileWatching) {
    if (firstSeenBoundTo(prov, req)) return decide(v, "cold_launcher", "kube_created_bound", `launcher ${prov.name} was created already bound to this requester`);
    return decide(v, "warm", "kube_created_bound", `launcher ${prov.name} existed unbound before this requester was bound to it`);
  }
  // First seen in a list/relist, so its first state may postdate its creation (and a binding), but
  // that state's resourceVersion still bounds its creation's from above.
  if (req.createdWhileWatching && rvBefore(prov.firstSeen.rv, req.firstSeen.rv) === true) {
    return decide(v, "warm", "kube_order", `launcher ${prov.name} already existed (listed at resourceVersion ${prov.firstSeen.rv}) before the requester was created (${req.firstSeen.rv})`);
  }
  if (provCreated !== null && created !== null) {
    if (provCreated < created && !tie) return decide(v, "warm", "kube_timestamps", `launcher ${prov.name} creationTimestamp precedes the requester's`);
    if (!tie) return decide(v, "cold_launcher", "kube_timestamps", `launcher ${prov.name} was created after the requester (by 1-s timestamps; assumed created by the DPC)`, "inferred");
    v.reason = `launcher ${prov.name} and the requester were created in the same second and no finer evidence (DPC log, watch order) says which came first`;
    return;
  }
  v.reason = "no creation timestamps for the launcher or the requester";
}

/** Ready − from, padded, in seconds; null without both ends. */
function upperBound(ready: number | null, pad: number, from: number | null): number | null {
  return ready !== null && from !== null ? S(ready + pad - from) : null;
}

function classifyOne(req: PodLifecycle, input: ClassifyInput, byName: Map<string, PodLifecycle>, byRequesterAnn: () => Map<string, PodLifecycle>, bounds: Map<Actuation, Bounds>): Actuation {
  const mode: ActuationMode | null = req.annotations[FMA_KEYS.isc] !== undefined ? "launcher" : req.annotations[FMA_KEYS.serverPatch] !== undefined ? "direct" : null;
  const rec = dpcRecordFor(input.dpc, req.uid, req.name);
  const prov = providerOf(req, byName, byRequesterAnn, rec);
  const created = req.phases.created.server;
  const containerStart = req.containers[INFERENCE_SERVER_CONTAINER]?.server ?? req.phases.containersStarted.server;
  const ready = req.phases.ready.server;
  const provCreated = prov?.phases.created.server ?? null;
  const instanceLabel = lastLabelValue(req, FMA_KEYS.instance) ?? req.labels[FMA_KEYS.instance] ?? null;
  const tie = mode === "launcher" && created !== null && provCreated !== null && Math.floor(created / 1000) === Math.floor(provCreated / 1000);

  // (Module functions fill `v`, rather than closures here: one closure set per actuation showed in the profile.)
  const v: Verdict = { path: "unknown", by: "none", confidence: "none", reason: "" };

  // vLLM evidence inside this actuation's window, on the bound provider.
  let vllmWake: VllmEvent | null = null;
  let vllmStart: VllmEvent | null = null;
  const events = prov ? input.vllm?.get(prov.name) : undefined;
  if (events && containerStart !== null) {
    const from = containerStart;
    const to = ready !== null ? ready + 1000 : Infinity;
    for (const e of events) {
      if (e.t < from || e.t >= to) continue;
      if (instanceLabel && e.instanceId && e.instanceId !== instanceLabel) continue;
      if (e.type === "wake" && !vllmWake) vllmWake = e;
      if (e.type === "start" && !vllmStart) vllmStart = e;
    }
  }

  if (mode === null) {
    v.reason = "not an FMA requester";
  } else if (rec && mode === "launcher" && rec.launcherCreateStart !== null) {
    decide(v, "cold_launcher", "dpc", `DPC created launcher ${rec.launcherPod ?? "?"} for this requester`);
  } else if (rec && rec.wakeStart !== null) {
    decide(v, "hot", "dpc", "DPC woke a sleeping instance for this requester");
  } else if (rec && mode === "launcher" && rec.instanceCreateStart !== null) {
    decide(v, "warm", "dpc", `DPC created a new instance on an existing launcher${rec.instancesDeleted ? ` after deleting ${rec.instancesDeleted}` : ""}`);
  } else if (rec && mode === "direct" && rec.providerCreateStart !== null) {
    decide(v, "cold", "dpc", `DPC created direct provider ${rec.providerPod ?? "?"} for this requester`);
  } else if (vllmWake) {
    decide(v, "hot", "vllm_log", `vLLM on ${prov!.name} woke up at ${new Date(vllmWake.t).toISOString()} (log line ${vllmWake.line}) during this actuation`);
  } else if (mode === "direct") {
    if (!prov) v.reason = "no bound provider seen";
    else if (prov.generateName === `${req.name}-dual-` || prov.name.startsWith(`${req.name}-dual-`)) decide(v, "cold", "provider_name", `direct provider ${prov.name} was created for this requester (generateName ${req.name}-dual-)`);
    else decide(v, "hot", "provider_name", `direct provider ${prov.name} was created for another requester, so it was asleep and woken`);
  } else if (vllmStart) {
    launcherOrigin(v, req, prov, created, provCreated, tie);
    if (v.path !== "unknown") v.reason += `; vLLM instance started at log line ${vllmStart.line}`;
  } else if (prov && prov.createdWhileWatching && firstSeenBoundTo(prov, req)) {
    // A launcher created for this requester has no instance yet: cold_launcher needs no instance-start line.
    decide(v, "cold_launcher", "kube_created_bound", `launcher ${prov.name} was created already bound to this requester`);
  } else {
    if (!prov) v.reason = "never bound to a launcher (no dual label, no DPC record)";
    else v.reason = `no wake or instance-start evidence for this actuation (DPC log${input.dpc ? " has no lines for it" : " not given"}${input.vllm ? ", vLLM log has none in its window" : ", vLLM log not given"}); the sleeping label flips for hot and warm alike`;
  }

  // Timings.
  const cls = v.path;
  const relay = rec?.relayReadyStart ?? null;
  const pad = input.bound === "harness" ? 0 : 1000;
  const baseline = containerStart ?? created;
  const upperSource: TimingSource = containerStart !== null ? "kube_container_start" : created !== null ? "kube_pod_create" : "none";
  let t_wake: number | null = null, t_instance_create: number | null = null, t_cold_launcher: number | null = null;
  let t_wake_upper: number | null = null, t_instance_create_upper: number | null = null, t_cold_launcher_upper: number | null = null;
  let timing: TimingSource = "none";
  let upperSrc: TimingSource = "none";
  if (cls === "hot") {
    t_wake_upper = upperBound(ready, pad, baseline); upperSrc = upperSource;
    if (relay !== null && rec?.wakeStart != null) { t_wake = S(relay - rec.wakeStart); timing = "dpc"; } else { t_wake = t_wake_upper; timing = upperSrc; }
  } else if (cls === "warm") {
    t_instance_create_upper = upperBound(ready, pad, baseline); upperSrc = upperSource;
    if (relay !== null && rec?.instanceCreateStart != null) { t_instance_create = S(relay - rec.instanceCreateStart); timing = "dpc"; } else { t_instance_create = t_instance_create_upper; timing = upperSrc; }
  } else if (cls === "cold_launcher") {
    t_cold_launcher_upper = upperBound(ready, pad, provCreated); upperSrc = provCreated !== null ? "kube_pod_create" : "none";
    if (relay !== null && rec?.launcherCreateStart != null) { t_cold_launcher = S(relay - rec.launcherCreateStart); timing = "dpc"; } else { t_cold_launcher = t_cold_launcher_upper; timing = upperSrc; }
    // The instance create on the new launcher is timed too when the DPC logged it.
    if (relay !== null && rec?.instanceCreateStart != null) t_instance_create = S(relay - rec.instanceCreateStart);
  }
  const dual = req.phases.dualLabel.receivedWall;
  const act: Actuation = {
    iteration: input.iterationOf ? input.iterationOf(req) : 1,
    namespace: req.namespace,
    requester: req.name,
    requester_uid: req.uid,
    mode,
    path: cls,
    actuation_condition: cls === "unknown" ? null : CONDITION_OF[cls],
    classified_by: v.by,
    confidence: v.confidence,
    reason: v.reason,
    tie,
    provider: prov?.name ?? null,
    launcher_node: prov?.nodeName ?? null,
    instance_id: instanceLabel ?? prov?.annotations[FMA_KEYS.instanceId] ?? null,
    instances_deleted: rec ? rec.instancesDeleted : null,
    // The last-seen annotations over the first-seen ones, as a merge of the two would give.
    gpu_uuids: (FMA_KEYS.accelerators in req.annotations ? req.annotations[FMA_KEYS.accelerators] : req.firstSeen.annotations[FMA_KEYS.accelerators]) ?? null,
    outcome: ready !== null ? "ready" : "not_ready",
    creation_timestamp: S(created),
    container_start_timestamp: S(containerStart),
    ready_timestamp: S(ready),
    dual_label_timestamp: S(dual),
    launcher_creation_timestamp: S(provCreated),
    t_wake: round6(t_wake),
    t_instance_create: round6(t_instance_create),
    t_cold_launcher: round6(t_cold_launcher),
    timing_source: timing,
    t_wake_upper: round6(t_wake_upper),
    t_instance_create_upper: round6(t_instance_create_upper),
    t_cold_launcher_upper: round6(t_cold_launcher_upper),
    upper_source: upperSrc,
    T_actuation: ready !== null && containerStart !== null ? S(ready - containerStart) : null,
    TTRD: req.createdWhileWatching && req.phases.dualLabel.receivedMono !== null && req.phases.created.receivedMono !== null
      ? round6(S(req.phases.dualLabel.receivedMono - req.phases.created.receivedMono))
      : dual !== null && created !== null ? round6(S(dual - created)) : null,
    vllm_wake_seconds: vllmWake?.seconds ?? null,
  };
  // Kept only for resolveByMetric, which runs only with metric deltas (1e5 of these were ~11 MB).
  if (input.metricDeltas) bounds.set(act, { fromBaseline: round6(upperBound(ready, pad, baseline)), baselineSource: upperSource, fromLauncher: round6(upperBound(ready, pad, provCreated)) });
  return act;
}

/**
 * The actuations of each iteration (in their order) and the iterations, ascending — in one pass: a
 * filter per iteration was quadratic (1e4 iterations of 1e5 actuations).
 *
 * @example
 * ```ts
 * const { byIteration, its } = groupByIteration(acts);
 * for (const it of its) console.log(it, byIteration.get(it)!.length);
 * ```
 */
export function groupByIteration(acts: readonly Actuation[]): { byIteration: Map<number, Actuation[]>; its: number[] } {
  const byIteration = new Map<number, Actuation[]>();
  for (const a of acts) {
    const list = byIteration.get(a.iteration);
    if (list) list.push(a);
    else byIteration.set(a.iteration, [a]);
  }
  return { byIteration, its: [...byIteration.keys()].sort((a, b) => a - b) };
}

/** Fills unknowns from per-iteration metric deltas when exactly one assignment is possible. */
function resolveByMetric(acts: Actuation[], deltas: ReadonlyMap<number, Record<ActuationPath, number>>, bounds: Map<Actuation, Bounds>): void {
  for (const [it, list] of groupByIteration(acts).byIteration) {
    const d = deltas.get(it);
    if (!d) continue;
    const left: Record<ActuationPath, number> = { ...d };
    for (const a of list) if (a.path !== "unknown") left[a.path]--;
    const unknown = list.filter((a) => a.path === "unknown" && a.mode !== null);
    const paths = (Object.keys(left) as ActuationPath[]).filter((p) => left[p] > 0);
    if (unknown.length === 0 || paths.length !== 1 || left[paths[0]!] !== unknown.length) continue;
    for (const a of unknown) {
      a.path = paths[0]!;
      a.actuation_condition = CONDITION_OF[a.path];
      a.classified_by = "fma_metric";
      a.confidence = "certain";
      const b = bounds.get(a);
      if (b && a.path === "hot") { a.t_wake_upper = a.t_wake = b.fromBaseline; a.upper_source = a.timing_source = b.baselineSource; }
      if (b && a.path === "warm") { a.t_instance_create_upper = a.t_instance_create = b.fromBaseline; a.upper_source = a.timing_source = b.baselineSource; }
      if (b && a.path === "cold_launcher" && b.fromLauncher !== null) { a.t_cold_launcher_upper = a.t_cold_launcher = b.fromLauncher; a.upper_source = a.timing_source = "kube_pod_create"; }
      a.reason = `fma_actuation_seconds counted ${d[a.path]} ${a.path} in iteration ${it}, the only path left for its ${unknown.length} unclassified actuation(s); before: ${a.reason}`;
    }
  }
}
