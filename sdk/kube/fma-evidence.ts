/**
 * Fetches the FMA evidence of a run from the cluster — the DPC pod's log, the logs of the providers
 * (launchers and direct providers) the requesters were bound to, and `fma_actuation_seconds` from
 * `/metrics` — and parses it for `classifyActuations`. Each piece is optional: what cannot be read
 * is listed in `missing`, and the classifier falls back to less precise evidence.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { parseActuationMetric, parseDpcLog, parseVllmLog, type ActuationMetricSample, type DpcEvidence, type VllmEvent } from "../actuation/evidence.js";
import { FMA_KEYS, podRole } from "../actuation/fma-keys.js";
import { readMetricsText, readPodLog } from "./api-calls.js";
import type { PodLifecycle } from "./lifecycle.js";

export interface FmaEvidence {
  dpc?: DpcEvidence;
  vllm: Map<string, VllmEvent[]>;
  metric?: ActuationMetricSample[];
  /** The raw texts, by source name (for recording next to an event log). */
  texts: Map<string, string>;
  missing: string[];
}

export interface FetchEvidenceOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  pods: readonly PodLifecycle[];
  /** Which pieces to fetch (default all). */
  dpc?: boolean;
  vllm?: boolean;
  metrics?: boolean;
  /** Namespace of the DPC pod when it differs (found by label among `pods` otherwise). */
  dpcPod?: { namespace: string; name: string };
}

/** Parses already-fetched texts (an offline re-run uses the texts saved next to an event log). */
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

export async function fetchFmaEvidence(o: FetchEvidenceOptions): Promise<FmaEvidence> {
  const texts = new Map<string, string>();
  const missing: string[] = [];
  if (o.dpc !== false) {
    const dpcPod = o.dpcPod ?? (() => {
      const p = o.pods.find((x) => x.labels[FMA_KEYS.component] === "dual-pods-controller" && !x.phases.deleted.receivedWall);
      return p ? { namespace: p.namespace, name: p.name } : undefined;
    })();
    if (!dpcPod) missing.push("dpc: no pod labelled app.kubernetes.io/component=dual-pods-controller was seen");
    else {
      try { texts.set(`dpc:${dpcPod.namespace}/${dpcPod.name}`, await readPodLog(o.kubeConfig, dpcPod.namespace, dpcPod.name)); }
      catch (err) { missing.push(`dpc: ${(err as Error).message}`); }
    }
  }
  if (o.vllm !== false) {
    for (const p of o.pods) {
      const role = podRole({ ...p.firstSeen.labels, ...p.labels }, { ...p.firstSeen.annotations, ...p.annotations });
      if (role !== "launcher" && role !== "provider") continue;
      if (p.phases.deleted.receivedWall !== null) { missing.push(`pod:${p.namespace}/${p.name}: deleted before its log was read`); continue; }
      try { texts.set(`pod:${p.namespace}/${p.name}`, await readPodLog(o.kubeConfig, p.namespace, p.name)); }
      catch (err) { missing.push(`pod:${p.namespace}/${p.name}: ${(err as Error).message}`); }
    }
  }
  if (o.metrics !== false) {
    try { texts.set("metrics", await readMetricsText(o.kubeConfig)); }
    catch (err) { missing.push(`metrics: ${(err as Error).message}`); }
  }
  const ev = parseFmaEvidence(texts, o.pods);
  ev.missing = missing;
  return ev;
}
