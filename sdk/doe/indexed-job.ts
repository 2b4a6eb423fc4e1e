/**
 * A Kubernetes Indexed Job that runs a sweep's N shards as N pods: each pod runs
 * `actlab experiment FILE --shard $JOB_COMPLETION_INDEX/N` (the Job controller sets that variable
 * in indexed completion mode) and writes its results under a shared volume, where
 * `actlab experiment FILE --merge` combines them.
 */
import type { V1Job } from "@kubernetes/client-node";
import YAML from "yaml";

export interface IndexedJobOptions {
  /** Job name (a DNS label). */
  name: string;
  /** Container image with actuation-lab and the treatment module installed. */
  image: string;
  /** Experiment file path inside the container. */
  experimentFile: string;
  /** Number of shards = completions. */
  shards: number;
  /** Pods running at once (default: all shards). */
  parallelism?: number;
  namespace?: string;
  /** Results root inside the container; each shard writes `<resultsDir>/shard-<i>` (default /results). */
  resultsDir?: string;
  /** PersistentVolumeClaim mounted at resultsDir (omit for an emptyDir — then collect results yourself). */
  resultsClaim?: string;
  /** Extra `actlab experiment` arguments (e.g. ["--module", "/app/treatment.ts", "--seed", "7"]). */
  args?: string[];
  /** Container resources, e.g. { requests: { cpu: "2", memory: "4Gi" } }. */
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  /** Retries per index before that index counts as failed (default 2; Kubernetes ≥ 1.29). */
  backoffLimitPerIndex?: number;
  /** For older clusters: a Job-wide retry limit instead of the per-index one. */
  backoffLimit?: number;
  serviceAccountName?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function indexedJobManifest(o: IndexedJobOptions): V1Job {
  if (!DNS_LABEL.test(o.name)) throw new RangeError(`indexedJobManifest: name '${o.name}' is not a DNS label (lowercase letters, digits, '-', ≤ 63)`);
  if (!Number.isInteger(o.shards) || o.shards < 1) throw new RangeError(`indexedJobManifest: shards must be a positive integer, got ${o.shards}`);
  const results = o.resultsDir ?? "/results";
  const args = (o.args ?? []).map(shellQuote).join(" ");
  const script = `exec npx actlab experiment ${shellQuote(o.experimentFile)} --shard "$JOB_COMPLETION_INDEX/${o.shards}" --out "${results}/shard-$JOB_COMPLETION_INDEX"${args ? ` ${args}` : ""} --progress lines`;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}), labels: { "app.kubernetes.io/name": "actlab-sweep", "app.kubernetes.io/instance": o.name } },
    spec: {
      completionMode: "Indexed",
      completions: o.shards,
      parallelism: Math.min(o.parallelism ?? o.shards, o.shards),
      ...(o.backoffLimit !== undefined ? { backoffLimit: o.backoffLimit } : { backoffLimitPerIndex: o.backoffLimitPerIndex ?? 2 }),
      template: {
        metadata: { labels: { "app.kubernetes.io/name": "actlab-sweep", "app.kubernetes.io/instance": o.name } },
        spec: {
          restartPolicy: "Never",
          ...(o.serviceAccountName ? { serviceAccountName: o.serviceAccountName } : {}),
          containers: [{
            name: "sweep",
            image: o.image,
            command: ["sh", "-c", script],
            volumeMounts: [{ name: "results", mountPath: results }],
            ...(o.resources ? { resources: o.resources } : {}),
          }],
          volumes: [o.resultsClaim ? { name: "results", persistentVolumeClaim: { claimName: o.resultsClaim } } : { name: "results", emptyDir: {} }],
        },
      },
    },
  };
}

/** The manifest as YAML for `kubectl apply -f`. */
export function indexedJobYaml(o: IndexedJobOptions): string {
  return YAML.stringify(indexedJobManifest(o), { lineWidth: 0 });
}
