/**
 * A sweep as a Kubernetes Indexed Job, end to end: the experiment file (and a treatment module that
 * is not part of the image) go into a ConfigMap, the Job runs one shard per completion index, the
 * client follows the pods with the SDK's own `watchPods` and shows progress per shard, reads each
 * finished shard's result rows from its container log, merges them with `mergeShards` and writes
 * the files a local sweep writes. The Job controller does the distributing and the retrying; the
 * client can die and re-attach (`resume`) to a running or finished Job.
 *
 * The client does not interpret the experiment file: the image's `actlab` is the one reader, so a
 * client older or newer than the image never disagrees with it about what the runs are, and a
 * mistake in the file comes back as the pod's own error text (the pod exits 2, the pod failure
 * policy fails the Job at once).
 */
import { readFileSync } from "node:fs";
import { basename, extname, join, relative, resolve, sep } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { InputError } from "../core/errors.js";
import type { Row } from "../core/rows.js";
import { kubeRequest } from "../kube/kubeconfig.js";
import { watchPods } from "../kube/watch.js";
import type { KubeObject } from "../kube/types.js";
import { checkpointName, COMPLETION_INDEX_ANNOTATION, SWEEP_CONFIG_DIR, SWEEP_CONTAINER, sweepJobManifest, USAGE_EXIT_CODE } from "./indexed-job.js";
import { parseProgress, parseResultsBlock, type ShardResults } from "./on-kubernetes-shard.js";
import { mergeShards } from "./shard.js";
import { writeSweepResults, type SweepTiming } from "./sweep.js";

/** A module inside the image, named relative to the image's app folder: `actlab:sdk/doe/replay-treatment.ts`. */
export const IMAGE_MODULE_PREFIX = "actlab:";

export interface KubernetesSweepOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** The experiment file on this machine (shipped in the ConfigMap). */
  experimentFile: string;
  /**
   * The treatment module: `actlab:<path>` for one in the image; a local path inside `imageRoot` (a
   * checkout of the code the image holds) becomes that; any other local file is shipped in the ConfigMap.
   */
  module: string;
  /** The checkout the image is built from (default: the working folder). */
  imageRoot?: string;
  image: string;
  shards: number;
  parallelism?: number;
  /** More `actlab experiment` arguments for the pods (--seed, --code-version, --replicates, …). */
  args?: string[];
  /** Output folder; default out/experiments/<experiment name as the pods read it>. */
  out?: string;
  /** Re-attach to the Job of this name instead of creating it. */
  resume?: boolean;
  /** Job name (default actlab-<file name>). */
  jobName?: string;
  backoffLimitPerIndex?: number;
  /** Keep each shard's finished runs in a ConfigMap so a retried pod reuses them (default true; needs RBAC rights to create a Role). */
  checkpoint?: boolean;
  progress?: "bar" | "lines" | "silent";
  progressStream?: NodeJS.WriteStream;
  signal?: AbortSignal;
  /** Give up following after this long (default: never). */
  timeoutMs?: number;
  /** Log polling period for progress, ms (default 1500). */
  pollMs?: number;
}

export interface ShardState {
  index: number;
  /** Pods created for this index so far. */
  pods: number;
  phase: string;
  done?: number;
  total?: number;
  lastExit?: number;
}

export interface KubernetesSweepResult {
  jobName: string;
  namespace: string;
  outDir: string;
  rows: Row[];
  timings: SweepTiming[];
  files: { jsonl: string; csv: string; timings: string };
  total: number;
  executed: number;
  cached: number;
  failed: number;
  shards: ShardResults[];
  /** Pods created per index (1 = no retry). */
  podsPerShard: number[];
}

/** The Job failed: which shard, how, and the failed pod's own log lines. */
export class KubernetesSweepError extends Error {
  constructor(message: string, readonly exitCode: number, readonly podLog: string) {
    super(message);
    this.name = "KubernetesSweepError";
  }
}

const json = (o: unknown) => ({ contentType: "application/json", text: JSON.stringify(o) });
const mergePatch = (o: unknown) => ({ contentType: "application/merge-patch+json", text: JSON.stringify(o) });

/** `actlab-<file name>` as a DNS label short enough for `-shard-<i>` suffixes. */
export function defaultJobName(experimentFile: string): string {
  const stem = basename(experimentFile, extname(experimentFile)).toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  return `actlab-${stem || "sweep"}`.slice(0, 40).replace(/-+$/, "");
}

/** A ConfigMap key for a file name (keys allow letters, digits, '-', '_', '.'). */
const keyOf = (name: string) => name.replace(/[^-._a-zA-Z0-9]/g, "_").replace(/^\.+/, "_");

/** How the pods name the module, and the ConfigMap entry that ships it (if any). */
export function moduleForPods(module: string, imageRoot: string): { podModule: string; ship?: { key: string; text: string } } {
  if (module.startsWith(IMAGE_MODULE_PREFIX)) return { podModule: module };
  const abs = resolve(module);
  const rel = relative(resolve(imageRoot), abs);
  if (rel && !rel.startsWith("..") && !rel.startsWith(sep)) return { podModule: `${IMAGE_MODULE_PREFIX}${rel.split(sep).join("/")}` };
  let text: string;
  try { text = readFileSync(abs, "utf8"); } catch (e) { throw new InputError({ source: module }, `a readable treatment module (${(e as Error).message})`); }
  const key = keyOf(`treatment-${basename(abs)}`);
  return { podModule: `${SWEEP_CONFIG_DIR}/${key}`, ship: { key, text } };
}

async function api(kc: KubeConfig, method: string, path: string, body?: unknown, query: Record<string, string> = {}, ok: number[] = [200, 201]): Promise<any> {
  const r = await kubeRequest(kc, method, path, query, body === undefined ? undefined : method === "PATCH" ? mergePatch(body) : json(body));
  if (!ok.includes(r.status)) {
    let msg = r.body.slice(0, 300);
    try { msg = JSON.parse(r.body).message ?? msg; } catch { /* not JSON */ }
    throw Object.assign(new Error(`${method} ${path}: HTTP ${r.status} ${msg}`), { status: r.status });
  }
  return r.body ? JSON.parse(r.body) : undefined;
}

const indexOf = (pod: KubeObject) => Number(pod.metadata?.annotations?.[COMPLETION_INDEX_ANNOTATION] ?? pod.metadata?.labels?.[COMPLETION_INDEX_ANNOTATION] ?? NaN);
const terminatedOf = (pod: KubeObject): { exitCode: number; reason?: string; message?: string } | undefined =>
  ((pod.status as any)?.containerStatuses ?? []).find((c: any) => c.name === SWEEP_CONTAINER)?.state?.terminated;

/** Creates what the Job needs (ConfigMap, service account with a Role for its checkpoints) and the Job. */
async function submit(o: KubernetesSweepOptions, name: string, warn: (l: string) => void): Promise<void> {
  const kc = o.kubeConfig, ns = encodeURIComponent(o.namespace);
  const existing = await kubeRequest(kc, "GET", `/apis/batch/v1/namespaces/${ns}/jobs/${name}`);
  if (existing.status === 200) throw new InputError({ source: `job ${o.namespace}/${name}` }, `no Job of that name yet (one exists: pass --resume to re-attach to it, or delete it: kubectl delete job -n ${o.namespace} ${name})`);
  let text: string;
  try { text = readFileSync(o.experimentFile, "utf8"); } catch (e) { throw new InputError({ source: o.experimentFile }, `a readable experiment file (${(e as Error).message})`); }
  const experimentKey = keyOf(basename(o.experimentFile));
  const mod = moduleForPods(o.module, o.imageRoot ?? process.cwd());
  const labels = { "app.kubernetes.io/name": "actlab-sweep", "app.kubernetes.io/instance": name };
  // A shipped module sits beside a package.json saying ESM, as it did in the user's project (tsx reads it).
  const data: Record<string, string> = { [experimentKey]: text, ...(mod.ship ? { [mod.ship.key]: mod.ship.text, "package.json": '{"type":"module"}\n' } : {}) };
  await api(kc, "POST", `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels }, data });
  const owned: string[] = [`/api/v1/namespaces/${ns}/configmaps/${name}`];

  // Checkpoints: one ConfigMap per shard, which only this Job's service account may read and patch.
  let checkpoint = o.checkpoint ?? true;
  let serviceAccountName: string | undefined;
  if (checkpoint) {
    const names = Array.from({ length: o.shards }, (_, i) => checkpointName(name, i));
    try {
      for (const n of names) {
        await api(kc, "POST", `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: n, labels }, data: { "entries.jsonl": "" } }, {}, [201, 409]);
        owned.push(`/api/v1/namespaces/${ns}/configmaps/${n}`);
      }
      await api(kc, "POST", `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, labels } }, {}, [201, 409]);
      owned.push(`/api/v1/namespaces/${ns}/serviceaccounts/${name}`);
      await api(kc, "POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
        apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name, labels },
        rules: [{ apiGroups: [""], resources: ["configmaps"], resourceNames: names, verbs: ["get", "patch", "update"] }],
      }, {}, [201, 409]);
      owned.push(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles/${name}`);
      await api(kc, "POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
        apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name }, subjects: [{ kind: "ServiceAccount", name, namespace: o.namespace }],
      }, {}, [201, 409]);
      owned.push(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings/${name}`);
      serviceAccountName = name;
    } catch (e) {
      warn(`warning: no shard checkpoints (${(e as Error).message}); a retried shard recomputes its runs`);
      checkpoint = false;
    }
  }
  const job = sweepJobManifest({
    name, namespace: o.namespace, image: o.image, shards: o.shards, parallelism: o.parallelism, configMap: name, experimentKey,
    module: mod.podModule, args: o.args, checkpoint, serviceAccountName, backoffLimitPerIndex: o.backoffLimitPerIndex,
  });
  const created = await api(kc, "POST", `/apis/batch/v1/namespaces/${ns}/jobs`, job);
  // Owned by the Job, so `kubectl delete job` removes the ConfigMaps and the RBAC objects too.
  const ownerReferences = [{ apiVersion: "batch/v1", kind: "Job", name, uid: created.metadata.uid, blockOwnerDeletion: false }];
  for (const path of owned) await api(kc, "PATCH", path, { metadata: { ownerReferences } }).catch((e) => warn(`warning: ${(e as Error).message}`));
}

/** Per-shard progress: redrawn lines on a TTY, a line per change otherwise. */
class ShardProgress {
  private drawn = 0;
  private last = new Map<number, string>();
  constructor(private readonly mode: "bar" | "lines" | "silent", private readonly stream: NodeJS.WriteStream, private readonly name: string) {}

  render(shards: ShardState[]): void {
    if (this.mode === "silent") return;
    const text = (s: ShardState) => {
      const frac = s.total ? Math.min(1, (s.done ?? 0) / s.total) : s.phase === "Succeeded" ? 1 : 0;
      const bar = "█".repeat(Math.round(frac * 20)).padEnd(20, "░");
      return `shard ${s.index} ${bar} ${s.total ? `${s.done ?? 0}/${s.total}` : "-/-"} ${s.phase}${s.pods > 1 ? ` (pod ${s.pods}${s.lastExit !== undefined ? `, last exit ${s.lastExit}` : ""})` : ""}`;
    };
    if (this.mode === "bar") {
      const lines = [`${this.name}:`, ...shards.map(text)];
      this.stream.write(`${this.drawn ? `\x1b[${this.drawn}A` : ""}${lines.map((l) => `\x1b[2K${l}\n`).join("")}`);
      this.drawn = lines.length;
    } else {
      for (const s of shards) {
        const t = `${s.phase}|${s.pods}|${s.phase === "Running" ? "" : s.done ?? ""}`;
        if (this.last.get(s.index) !== t) { this.last.set(s.index, t); this.stream.write(`${this.name}: ${text(s)}\n`); }
      }
    }
  }
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((r) => {
  const done = () => { clearTimeout(t); signal?.removeEventListener("abort", done); r(); };
  const t = setTimeout(done, ms);
  signal?.addEventListener("abort", done, { once: true });
});

/** Submit (or re-attach to) the Job, follow it to the end, collect and merge every shard's rows, write the result files. */
export async function runSweepOnKubernetes(o: KubernetesSweepOptions): Promise<KubernetesSweepResult> {
  const kc = o.kubeConfig, ns = encodeURIComponent(o.namespace);
  const name = o.jobName ?? defaultJobName(o.experimentFile);
  const stream = o.progressStream ?? process.stderr;
  const warn = (l: string) => stream.write(`${l}\n`);
  if (!o.resume) await submit(o, name, warn);
  const jobPath = `/apis/batch/v1/namespaces/${ns}/jobs/${name}`;
  let job = await api(kc, "GET", jobPath, undefined, {}, [200]).catch((e) => {
    if ((e as { status?: number }).status === 404) throw new InputError({ source: `job ${o.namespace}/${name}` }, "an existing Job to re-attach to (--resume); run without --resume to create it");
    throw e;
  });
  const shards: number = job.spec.completions;
  const mode = o.progress ?? (stream.isTTY ? "bar" : "lines");
  const progress = new ShardProgress(mode, stream, `${o.namespace}/${name}`);

  // Pods by uid, kept current by the watch; the Job itself is polled (its conditions say when it is over).
  const pods = new Map<string, KubeObject>();
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  o.signal?.addEventListener("abort", onAbort, { once: true });
  const watch = watchPods({ kubeConfig: kc, namespace: o.namespace, labelSelector: `batch.kubernetes.io/job-name=${name}`, signal: stop.signal });
  const watching = (async () => {
    for await (const ev of watch) {
      const uid = ev.object.metadata?.uid ?? "";
      if (ev.type === "DELETED") pods.delete(uid); else pods.set(uid, ev.object);
    }
  })().catch((e) => { if (!stop.signal.aborted) warn(`warning: pod watch ended: ${(e as Error).message}`); });
  const progressOf = new Map<string, { done: number; total: number }>();
  const state = (): ShardState[] => Array.from({ length: shards }, (_, index) => {
    const mine = [...pods.values()].filter((p) => indexOf(p) === index).sort((a, b) => String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)));
    const last = mine[mine.length - 1];
    const failedBefore = mine.slice(0, -1).map(terminatedOf).filter(Boolean);
    const pr = last ? progressOf.get(last.metadata!.uid!) : undefined;
    return {
      index, pods: mine.length, phase: last ? String((last.status as any)?.phase ?? "Pending") : "Waiting", ...(pr ? { done: pr.done, total: pr.total } : {}),
      ...(failedBefore.length ? { lastExit: failedBefore[failedBefore.length - 1]!.exitCode } : {}),
    };
  });
  const logOf = async (pod: KubeObject, tail?: number) =>
    (await kubeRequest(kc, "GET", `/api/v1/namespaces/${ns}/pods/${pod.metadata!.name}/log`, { container: SWEEP_CONTAINER, ...(tail ? { tailLines: String(tail) } : {}) })).body;

  const t0 = Date.now();
  let outcome: "Complete" | "Failed" | undefined;
  try {
    for (;;) {
      if (o.signal?.aborted) throw new InputError({ source: `job ${o.namespace}/${name}` }, "to be followed to the end (interrupted; the Job keeps running: re-attach with --resume)");
      if (o.timeoutMs !== undefined && Date.now() - t0 > o.timeoutMs) throw new InputError({ source: `job ${o.namespace}/${name}` }, `to finish within ${Math.round(o.timeoutMs / 1000)} s (it keeps running: re-attach with --resume)`);
      job = await api(kc, "GET", jobPath, undefined, {}, [200]);
      const conds: any[] = job.status?.conditions ?? [];
      outcome = conds.find((c) => c.status === "True" && (c.type === "Complete" || c.type === "Failed"))?.type;
      for (const p of pods.values()) {
        if ((p.status as any)?.phase !== "Running") continue;
        const pr = parseProgress(await logOf(p, 3).catch(() => ""));
        if (pr) progressOf.set(p.metadata!.uid!, pr);
      }
      progress.render(state());
      if (outcome) break;
      await sleep(o.pollMs ?? 1500, o.signal);
    }
  } finally {
    stop.abort();
    watch.stop();
    await watching;
    o.signal?.removeEventListener("abort", onAbort);
  }
  // The final picture from a list (the watch may lag the Job's condition).
  const listed = await api(kc, "GET", `/api/v1/namespaces/${ns}/pods`, undefined, { labelSelector: `batch.kubernetes.io/job-name=${name}` }, [200]);
  pods.clear();
  for (const p of listed.items as KubeObject[]) pods.set(p.metadata!.uid!, p);

  if (outcome === "Failed") {
    const failed = [...pods.values()].filter((p) => (p.status as any)?.phase === "Failed" && terminatedOf(p))
      .sort((a, b) => Number(terminatedOf(b)!.exitCode === USAGE_EXIT_CODE) - Number(terminatedOf(a)!.exitCode === USAGE_EXIT_CODE));
    const why = (job.status?.conditions ?? []).find((c: any) => c.type === "Failed");
    const first = failed[0];
    const log = first ? await logOf(first).catch(() => terminatedOf(first)?.message ?? "") : "";
    const exit = first ? terminatedOf(first)!.exitCode : 1;
    throw new KubernetesSweepError(`job ${o.namespace}/${name} failed (${why?.reason ?? "?"}: ${why?.message ?? ""})` +
      (first ? `; shard ${indexOf(first)} pod ${first.metadata!.name} exited ${exit}${exit === USAGE_EXIT_CODE ? " (a usage error: not retried)" : ""}` : ""), exit === USAGE_EXIT_CODE ? USAGE_EXIT_CODE : 1, log);
  }

  // Every index's succeeded pod holds its rows in its log.
  const results: ShardResults[] = [];
  const podsPerShard = Array.from({ length: shards }, () => 0);
  for (const p of pods.values()) if (Number.isInteger(indexOf(p))) podsPerShard[indexOf(p)]!++;
  for (let i = 0; i < shards; i++) {
    const ok = [...pods.values()].find((p) => indexOf(p) === i && (p.status as any)?.phase === "Succeeded");
    if (!ok) throw new InputError({ source: `job ${o.namespace}/${name}` }, `a succeeded pod for shard ${i} (none left: were its pods deleted?)`);
    const r = parseResultsBlock(await logOf(ok), `pod ${ok.metadata!.name} log`);
    if (!r) throw new InputError({ source: `pod ${ok.metadata!.name} log` }, "a results block (actlab-results-begin … actlab-results-end)");
    results.push(r);
  }
  const merged = mergeShards(results.map((r) => r.rows));
  const total = results.reduce((s, r) => s + r.header.total, 0);
  if (merged.rows.length !== total) throw new InputError({ source: `job ${o.namespace}/${name}` }, `${total} rows from the shards, got ${merged.rows.length}`);
  // Timings in the merged rows' order (mergeShards sorts by run order and repeat).
  const unit = (r: Row) => `${String(r.id)}#${String(r.repeat ?? 1)}`;
  const timingOf = new Map<string, SweepTiming>();
  for (const r of results) r.rows.forEach((row, i) => timingOf.set(unit(row), r.timings[i]!));
  const timings = merged.rows.map((row) => timingOf.get(unit(row))!);
  const outDir = o.out ?? join("out", "experiments", results[0]?.header.experiment ?? name);
  const files = writeSweepResults(outDir, { rows: merged.rows, timings });
  return {
    jobName: name, namespace: o.namespace, outDir, rows: merged.rows, timings, files, total,
    executed: results.reduce((s, r) => s + r.header.executed, 0), cached: results.reduce((s, r) => s + r.header.cached, 0),
    failed: results.reduce((s, r) => s + r.header.failed, 0), shards: results, podsPerShard,
  };
}
