/**
 * `analyzeRun` one iteration at a time, at a cost that does not grow with the run: the live nop
 * benchmark wants each iteration's actuations as it ends, and re-analysing every event and every
 * evidence line after each iteration made iteration 600 six times slower than iteration 10. Here
 * the lifecycle reduction, the de-duplicated evidence lines, the DPC log reader and the parsed vLLM
 * events are kept across iterations and fed only what is new; only the iteration's requesters are
 * classified, beside every provider (the whole run sets the server clock only when a time falls
 * outside its own pod's phases). The result equals
 * `analyzeRun(inputs).actuations` filtered to that iteration, field for field.
 */
import { LifecycleReducer, type PodLifecycle } from "../kube/lifecycle.js";
import type { WatchEvent } from "../kube/types.js";
import { analyzeRun } from "./analyze.js";
import { classifyActuations, type Actuation } from "./classify.js";
import { DpcLogReader, parseVllmLog, type DpcEvidence, type VllmEvent } from "./evidence.js";
import { podRole, type PodRole } from "./fma-keys.js";
import type { ActuationPath } from "./path.js";

/** One evidence source as `evidenceTexts` would join it: its lines, each once, in order. */
interface SourceState {
  seen: Set<string>;
  lines: string[];
  /** DPC sources: the reader fed every line so far. */
  dpc: DpcLogReader | null;
  /** Provider sources: events of `lines[0..parsed)`, parsed with `year`. */
  vllm: VllmEvent[];
  parsed: number;
  year: number | null;
}

/** The run so far, as the runner keeps it (the same arrays and records `analyzeRun` would be given). */
export interface IncrementalRunInputs {
  events: readonly WatchEvent[];
  evidence: readonly { source: string; text: string }[];
  iterations: Readonly<Record<string, number>>;
  metricDeltas: Readonly<Record<string, Record<ActuationPath, number>>>;
}

export class IncrementalRunAnalysis {
  private readonly reducer = new LifecycleReducer();
  private readonly sources = new Map<string, SourceState>();
  /** Pod UIDs in first-seen order (the reducer's), each pod's role as last computed, and the pods changed since. */
  private readonly order: string[] = [];
  private readonly roles = new Map<string, PodRole>();
  private readonly dirty = new Set<string>();
  /** The last pod (first-seen order) of each name, and the first with a creation time: the years of provider logs. */
  private readonly lastOfName = new Map<string, string>();
  private firstCreated: PodLifecycle | null = null;
  /** Kubernetes Event objects change lifecycles when they are read: then only the full analysis is exact. */
  private kubeEvents = false;

  /** `inputs` is read, never written: add each event and evidence chunk here as it is appended there. */
  constructor(private readonly inputs: IncrementalRunInputs) {}

  addEvent(e: WatchEvent): void {
    if (e.type === "BOOKMARK") return;
    if (e.resource === "events") this.kubeEvents = true;
    this.reducer.add(e);
    if (e.resource !== "pods") return;
    const m = e.object.metadata ?? {};
    const uid = m.uid ?? `${m.namespace ?? ""}/${m.name ?? ""}`; // as the reducer keys pods
    if (!this.roles.has(uid) && !this.dirty.has(uid)) {
      this.order.push(uid);
      this.lastOfName.set(m.name ?? "", uid);
    }
    this.dirty.add(uid);
  }

  addEvidence(c: { source: string; text: string }): void {
    if (c.source === "metrics") return; // per-iteration deltas carry the metric
    let s = this.sources.get(c.source);
    for (const l of c.text.split("\n")) {
      if (l === "" || s?.seen.has(l)) continue;
      if (!s) { s = { seen: new Set(), lines: [], dpc: c.source.startsWith("dpc:") ? new DpcLogReader(c.source) : null, vllm: [], parsed: 0, year: null }; this.sources.set(c.source, s); }
      s.seen.add(l);
      s.lines.push(l);
      s.dpc?.add(l);
    }
  }

  /** Iteration `it`'s actuations: `analyzeRun(inputs).actuations.filter((a) => a.iteration === it)`. */
  actuationsOf(it: number): Actuation[] {
    const { iterations: its, metricDeltas } = this.inputs;
    if (this.kubeEvents) return analyzeRun({ events: this.inputs.events, evidence: this.inputs.evidence, iterations: its, metricDeltas }).actuations.filter((a) => a.iteration === it);
    // Roles change only with a pod's own events: recompute those of the pods changed since.
    for (const uid of this.dirty) {
      const p = this.reducer.get(uid)!;
      this.roles.set(uid, podRole({ ...p.firstSeen.labels, ...p.labels }, { ...p.firstSeen.annotations, ...p.annotations }));
    }
    this.dirty.clear();
    const iterationOf = (r: PodLifecycle) => its[r.uid] ?? 1;
    // Every provider (they name the bound pod), and the requesters of this iteration, in first-seen order.
    const pods: PodLifecycle[] = [];
    for (const uid of this.order) {
      const role = this.roles.get(uid);
      if (role !== "requester" || (its[uid] ?? 1) === it) pods.push(this.reducer.get(uid)!);
    }
    let dpc: DpcEvidence | undefined;
    const vllm = new Map<string, VllmEvent[]>();
    for (const [source, s] of this.sources) {
      if (s.dpc) {
        // Joined text ends in a newline, so the full parse counts one empty line more.
        const ev = s.dpc.finish();
        dpc = { ...ev, lines: ev.lines + 1 };
      } else if (source.startsWith("pod:")) {
        const name = source.slice(4).split("/").pop()!;
        const y = this.yearOf(name);
        if (y !== s.year) { s.vllm = []; s.parsed = 0; s.year = y; }
        if (s.parsed < s.lines.length) {
          for (const e of parseVllmLog(s.lines.slice(s.parsed), { source, year: y, firstLine: s.parsed + 1 })) s.vllm.push(e);
          s.parsed = s.lines.length;
        }
        vllm.set(name, s.vllm);
      }
    }
    const d = metricDeltas[String(it)];
    const acts = classifyActuations({
      pods,
      dpc,
      vllm,
      iterationOf,
      // resolveByMetric looks only at the iteration's own delta.
      metricDeltas: new Map(d ? [[it, d]] : []),
      clockPods: () => this.reducer.lifecycles(),
    });
    return acts.filter((a) => its[a.requester_uid] !== undefined && a.iteration === it);
  }

  /** As parseFmaEvidence: a provider log's year is its pod's (the last of that name), else the first pod's with a creation time. */
  private yearOf(name: string): number {
    const uid = this.lastOfName.get(name);
    if (uid !== undefined) return new Date(this.reducer.get(uid)!.phases.created.server ?? 0).getUTCFullYear();
    if (!this.firstCreated) for (const u of this.order) { const p = this.reducer.get(u)!; if (p.phases.created.server !== null) { this.firstCreated = p; break; } }
    return new Date(this.firstCreated?.phases.created.server ?? 0).getUTCFullYear();
  }
}
