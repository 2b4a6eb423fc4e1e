/**
 * Fetches the FMA evidence of a run from the cluster — the DPC pod's log, the logs of the providers
 * (launchers and direct providers) the requesters were bound to, and `fma_actuation_seconds` from
 * `/metrics` — and parses it for `classifyActuations`. Each piece is optional: what cannot be read
 * is listed in `missing`, and the classifier falls back to less precise evidence. Parsing is
 * actuation/fma-evidence.ts's; this file is the HTTP half, above both kube/ and actuation/.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { parseFmaEvidence, type FmaEvidence } from "../actuation/fma-evidence.js";
import { FMA_KEYS, podRole } from "../actuation/fma-keys.js";
import { readMetricsText, readPodLog } from "../kube/api-calls.js";
import type { PodLifecycle } from "../kube/lifecycle.js";

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

/**
 * Reads the DPC log, the launcher/provider vLLM logs and /metrics from a cluster for the pods seen; what cannot be read is listed as missing.
 *
 * @example
 * ```ts
 * const ev = await fetchFmaEvidence({ kubeConfig: kc, namespace: "default", pods: podLifecycles(events) });
 * console.log([...ev.texts.keys()], ev.missing);
 * ```
 */
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
