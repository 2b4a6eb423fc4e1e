// What `actlab watch --record DIR` adds to its event log so `actlab classify DIR` can decide paths: the FMA evidence read from the cluster when the watch stops.
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { fetchFmaEvidence } from "../bench/fetch-evidence.js";
import { writeFileAtomic } from "../core/atomic-write.js";
import { podLifecycles } from "../kube/lifecycle.js";
import type { WatchEvent } from "../kube/types.js";

/** The pieces written and the ones the cluster could not give (each a one-line reason). */
export interface RecordedEvidence {
  sources: string[];
  missing: string[];
}

/**
 * Reads the dual-pods controller's log, the launcher/provider (vLLM) logs of the pods seen and
 * `/metrics`, and writes them as DIR/evidence.jsonl ({source, text} lines, the run-folder format
 * `actlab bench` writes and `readRunDir` reads). Run it before the cluster goes away.
 */
export async function recordWatchEvidence(kubeConfig: KubeConfig, namespace: string, events: readonly WatchEvent[], dir: string): Promise<RecordedEvidence> {
  const pods = podLifecycles(events);
  const ev = await fetchFmaEvidence({ kubeConfig, namespace, pods });
  const chunks = [...ev.texts].map(([source, text]) => ({ source, text }));
  writeFileAtomic(join(dir, "evidence.jsonl"), chunks.map((c) => JSON.stringify(c) + "\n").join(""));
  return { sources: chunks.map((c) => c.source), missing: ev.missing };
}
