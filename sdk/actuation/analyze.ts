/**
 * One pure entry point from a run's recorded inputs to its actuations: the watch events, the
 * evidence texts (DPC log, provider logs, /metrics), which iteration each requester belongs to and
 * the per-iteration `fma_actuation_seconds` deltas. The live benchmark and the offline
 * `actlab classify` both call this, so a replay gives the same bytes.
 */
import { podLifecycles, type PodLifecycle } from "../kube/lifecycle.js";
import { parseFmaEvidence, type FmaEvidence } from "./fma-evidence.js";
import type { WatchEvent } from "../kube/types.js";
import { classifyActuations, type Actuation } from "./classify.js";
import type { ActuationPath } from "./path.js";

export interface RunInputs {
  events: readonly WatchEvent[];
  /** Evidence texts by source (`dpc:NS/NAME`, `pod:NS/NAME`, `metrics`); chunks of one source are concatenated in order. */
  evidence?: readonly { source: string; text: string }[];
  /** Requester UID → iteration (default: 1 for all). */
  iterations?: Readonly<Record<string, number>>;
  /** Iteration → fma_actuation_seconds count deltas. */
  metricDeltas?: Readonly<Record<string, Record<ActuationPath, number>>>;
  /** Leave some evidence out (to measure what each kind contributes). */
  use?: { dpc?: boolean; vllm?: boolean; metric?: boolean };
  bound?: "sound" | "harness";
}

export interface RunAnalysis {
  lifecycles: PodLifecycle[];
  /** The parsed evidence the actuations were classified from (nopRunContext reuses it). */
  evidence: FmaEvidence;
  actuations: Actuation[];
}

/** The evidence texts by source, chunks joined in order, each line once; `metrics` and left-out kinds skipped. */
export function evidenceTexts(inputs: Pick<RunInputs, "evidence" | "use">): Map<string, string> {
  const texts = new Map<string, string>();
  // Chunks read per iteration may overlap (each starts a second early): keep each line once.
  const seenLines = new Map<string, Set<string>>();
  for (const c of inputs.evidence ?? []) {
    if (c.source.startsWith("dpc:") && inputs.use?.dpc === false) continue;
    if (c.source.startsWith("pod:") && inputs.use?.vllm === false) continue;
    if (c.source === "metrics") continue; // per-iteration deltas carry the metric
    const seen = seenLines.get(c.source) ?? new Set<string>();
    seenLines.set(c.source, seen);
    const fresh = c.text.split("\n").filter((l) => l !== "" && !seen.has(l));
    for (const l of fresh) seen.add(l);
    if (fresh.length) texts.set(c.source, (texts.get(c.source) ?? "") + fresh.join("\n") + "\n");
  }
  return texts;
}

/**
 * Classifies every actuation of a recorded run (watch events plus DPC/vLLM/metrics evidence) and says which evidence was used.
 *
 * @example
 * ```ts
 * const { actuations } = analyzeRun(readRunDir("datasets/event-logs/hot-8b-h100"));
 * console.log(hitRates(actuations).hot_hit_rate);
 * ```
 */
export function analyzeRun(inputs: RunInputs): RunAnalysis {
  const lifecycles = podLifecycles(inputs.events);
  const ev = parseFmaEvidence(evidenceTexts(inputs), lifecycles);
  const its = inputs.iterations ?? {};
  const deltas = inputs.metricDeltas && inputs.use?.metric !== false ? new Map(Object.entries(inputs.metricDeltas).map(([k, v]) => [Number(k), v])) : undefined;
  const actuations = classifyActuations({
    pods: lifecycles,
    dpc: ev.dpc,
    vllm: inputs.use?.vllm === false ? undefined : ev.vllm,
    iterationOf: (r) => its[r.uid] ?? 1,
    metricDeltas: deltas,
    bound: inputs.bound,
  });
  // Only requesters of the run (those given an iteration) when iterations are known.
  const inRun = inputs.iterations ? actuations.filter((a) => its[a.requester_uid] !== undefined) : actuations;
  return { lifecycles, evidence: ev, actuations: inRun };
}
