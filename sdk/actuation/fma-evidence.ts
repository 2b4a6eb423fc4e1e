/**
 * A run's FMA evidence texts, parsed for `classifyActuations`: the DPC pod's log (`dpc:NS/NAME`),
 * provider logs (`pod:NS/NAME`) and `fma_actuation_seconds` from `/metrics` (`metrics`). Pure: the
 * texts come from a live cluster (bench/fetch-evidence.ts) or from a recorded run's folder.
 */
import type { PodLifecycle } from "../kube/lifecycle.js";
import { parseActuationMetric, parseDpcLog, parseVllmLog, type ActuationMetricSample, type DpcEvidence, type VllmEvent } from "./evidence.js";

export interface FmaEvidence {
  dpc?: DpcEvidence;
  vllm: Map<string, VllmEvent[]>;
  metric?: ActuationMetricSample[];
  /** The raw texts, by source name (for recording next to an event log). */
  texts: Map<string, string>;
  missing: string[];
}

/**
 * Parses already-fetched texts (an offline re-run uses the texts saved next to an event log).
 *
 * @example
 * ```ts
 * const ev = parseFmaEvidence(new Map([["dpc:default/dpc-0", dpcLogText]]), podLifecycles(events));
 * ```
 */
export function parseFmaEvidence(texts: ReadonlyMap<string, string>, pods: readonly PodLifecycle[]): FmaEvidence {
  const out: FmaEvidence = { vllm: new Map(), texts: new Map(texts), missing: [] };
  // vLLM timestamps carry no year: take it from the pod (else from any pod seen), never from the local clock.
  const year = new Map(pods.map((p) => [p.name, new Date(p.phases.created.server ?? 0).getUTCFullYear()]));
  const anyYear = pods.find((p) => p.phases.created.server !== null)?.phases.created.server;
  const fallbackYear = new Date(anyYear ?? 0).getUTCFullYear();
  for (const [source, text] of texts) {
    if (source.startsWith("dpc:")) out.dpc = parseDpcLog(text, source);
    else if (source.startsWith("pod:")) {
      const name = source.slice(4).split("/").pop()!;
      out.vllm.set(name, parseVllmLog(text, { source, year: year.get(name) ?? fallbackYear }));
    } else if (source === "metrics") out.metric = parseActuationMetric(text, source);
  }
  return out;
}
