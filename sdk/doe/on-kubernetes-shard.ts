/**
 * The pod side of a sweep on a Kubernetes Indexed Job: the shard's results as a block of lines in
 * its container log (the client reads them back through the API server, so no storage is needed),
 * progress lines, and the shard's checkpoint — its finished runs' cache entries kept in a ConfigMap
 * of its own, so a retried pod (a new pod, with a fresh filesystem) reuses what its failed
 * predecessor finished. Through the API, because that is the one thing every pod of every cluster
 * can reach; a ConfigMap, because it needs no storage class and dies with the Job.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { InputError } from "../core/errors.js";
import type { Row } from "../core/rows.js";
import { kubeRequest } from "../kube/kubeconfig.js";
import type { CacheEntry } from "./sweep-cache.js";
import type { SweepTiming } from "./sweep.js";

export const RESULTS_BEGIN = "actlab-results-begin";
export const RESULTS_ROW = "actlab-row";
export const RESULTS_END = "actlab-results-end";
export const PROGRESS = "actlab-progress";
/** The checkpoint's key in its ConfigMap. */
export const CHECKPOINT_KEY = "entries.jsonl";
/** ConfigMaps hold at most 1 MiB; past this the shard stops checkpointing (a retry then recomputes the rest). */
export const CHECKPOINT_MAX_BYTES = 900_000;

export interface ShardHeader {
  experiment: string;
  shard: string;
  /** Units (run × repeat) in this shard. */
  total: number;
  executed: number;
  cached: number;
  failed: number;
}

export interface ShardResults {
  header: ShardHeader;
  rows: Row[];
  timings: SweepTiming[];
}

/** The lines a shard pod prints at the end: a header, one row per unit (with its timing), an end line with the count. */
export function resultsBlock(header: ShardHeader, rows: readonly Row[], timings: readonly SweepTiming[]): string {
  const lines = [`${RESULTS_BEGIN} ${JSON.stringify(header)}`];
  rows.forEach((row, i) => lines.push(`${RESULTS_ROW} ${JSON.stringify({ row, timing: timings[i] })}`));
  lines.push(`${RESULTS_END} ${JSON.stringify({ rows: rows.length })}`);
  return lines.join("\n") + "\n";
}

export const progressLine = (done: number, total: number) => `${PROGRESS} ${done}/${total}\n`;

/** The last progress line of a log, if any. */
export function parseProgress(log: string): { done: number; total: number } | undefined {
  const at = log.lastIndexOf(`${PROGRESS} `);
  if (at < 0) return undefined;
  const m = /^(\d+)\/(\d+)/.exec(log.slice(at + PROGRESS.length + 1));
  return m ? { done: Number(m[1]), total: Number(m[2]) } : undefined;
}

/** The last complete results block of a pod log; undefined when there is none (the pod did not finish). */
export function parseResultsBlock(log: string, source: string): ShardResults | undefined {
  const lines = log.split("\n");
  let begin = -1;
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.startsWith(`${RESULTS_BEGIN} `)) { begin = i; break; }
  if (begin < 0) return undefined;
  const header = JSON.parse(lines[begin]!.slice(RESULTS_BEGIN.length + 1)) as ShardHeader;
  const rows: Row[] = [];
  const timings: SweepTiming[] = [];
  for (let i = begin + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith(`${RESULTS_ROW} `)) {
      const v = JSON.parse(line.slice(RESULTS_ROW.length + 1)) as { row: Row; timing: SweepTiming };
      rows.push(v.row);
      timings.push(v.timing);
    } else if (line.startsWith(`${RESULTS_END} `)) {
      const n = (JSON.parse(line.slice(RESULTS_END.length + 1)) as { rows: number }).rows;
      if (n !== rows.length || n !== header.total) throw new InputError({ source, line: i + 1 }, `${header.total} result rows between the markers, got ${rows.length} (the log was cut?)`);
      return { header, rows, timings };
    }
  }
  return undefined;
}

/** A shard's finished runs in its own ConfigMap, written after every run (coalesced: one request in flight). */
export class ShardCheckpoint {
  private lines: string[] = [];
  private keys = new Set<string>();
  private bytes = 0;
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  private warned = false;

  private constructor(private readonly kc: KubeConfig, readonly namespace: string, readonly name: string, private readonly warn: (line: string) => void) {}

  /** Reads the ConfigMap (creating it when absent); its entries are what earlier pods of this index finished. */
  static async open(kc: KubeConfig, namespace: string, name: string, warn: (line: string) => void): Promise<{ checkpoint: ShardCheckpoint; entries: CacheEntry[] }> {
    const c = new ShardCheckpoint(kc, namespace, name, warn);
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${encodeURIComponent(name)}`;
    const r = await kubeRequest(kc, "GET", path);
    const entries: CacheEntry[] = [];
    if (r.status === 200) {
      const text = (JSON.parse(r.body).data?.[CHECKPOINT_KEY] as string | undefined) ?? "";
      for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        try { const e = JSON.parse(line) as CacheEntry; if (c.keys.has(e.key)) continue; c.keys.add(e.key); entries.push(e); c.lines.push(line); c.bytes += line.length + 1; } catch { /* a cut line: recomputed */ }
      }
    } else if (r.status === 404) {
      const created = await kubeRequest(kc, "POST", `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`, {}, {
        contentType: "application/json", text: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { [CHECKPOINT_KEY]: "" } }),
      });
      if (created.status !== 201 && created.status !== 409) c.fail(`creating configmap ${name}: HTTP ${created.status}`);
    } else {
      c.fail(`reading configmap ${name}: HTTP ${r.status}`);
    }
    return { checkpoint: c, entries };
  }

  private fail(what: string): void {
    if (!this.warned) this.warn(`warning: shard checkpoint off (${what}); a retry of this shard recomputes its runs`);
    this.warned = true;
  }

  add(entry: CacheEntry): void {
    if (this.warned || this.keys.has(entry.key)) return;
    const line = JSON.stringify(entry);
    if (this.bytes + line.length + 1 > CHECKPOINT_MAX_BYTES) { this.fail(`over ${CHECKPOINT_MAX_BYTES} bytes; use more shards`); return; }
    this.keys.add(entry.key);
    this.lines.push(line);
    this.bytes += line.length + 1;
    if (this.queued) return;
    this.queued = true;
    this.chain = this.chain.then(async () => {
      this.queued = false;
      const text = this.lines.map((l) => `${l}\n`).join("");
      const r = await kubeRequest(this.kc, "PATCH", `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/configmaps/${encodeURIComponent(this.name)}`, {}, {
        contentType: "application/merge-patch+json", text: JSON.stringify({ data: { [CHECKPOINT_KEY]: text } }),
      }).catch((e: Error) => ({ status: 0, body: e.message }));
      if (r.status !== 200) this.fail(`writing configmap ${this.name}: HTTP ${r.status} ${r.body.slice(0, 120)}`);
    });
  }

  /** Resolves when every entry added so far is written (or writing failed). */
  flush(): Promise<void> {
    return this.chain;
  }
}
