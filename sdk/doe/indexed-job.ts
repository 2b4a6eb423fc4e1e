/**
 * A Kubernetes Indexed Job that runs a sweep's N shards as N pods: each pod runs
 * `actlab experiment FILE --shard $JOB_COMPLETION_INDEX/N` (the Job controller sets that variable
 * in indexed completion mode). Two shapes: `indexedJobManifest` writes results under a shared
 * volume, where `actlab experiment FILE --merge` combines them; `sweepJobManifest` (what
 * `--on-kubernetes` submits) reads the experiment and treatment from a ConfigMap and prints each
 * shard's rows to the container log, so it needs no storage. Both retry a shard per index
 * (`backoffLimitPerIndex`) and never retry a usage error: the CLI exits 2 for those, and the pod
 * failure policy fails the index on exit code 2 at once.
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

/** The exit code of `actlab` for usage errors (sdk/cli/main.ts): a retry would fail the same way. */
export const USAGE_EXIT_CODE = 2;
/** The container's name in both manifests. */
export const SWEEP_CONTAINER = "sweep";

/** Fail the index (no retry) on a usage error; a node drain or preemption does not count as a failure. */
function podFailurePolicy(perIndex: boolean) {
  return {
    rules: [
      { action: perIndex ? "FailIndex" : "FailJob", onExitCodes: { containerName: SWEEP_CONTAINER, operator: "In", values: [USAGE_EXIT_CODE] } },
      { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
    ],
  };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The Kubernetes Indexed Job that runs a sweep's shards, one completion index per shard.
 *
 * @example
 * ```ts
 * const job = indexedJobManifest(options); // a V1Job for @kubernetes/client-node
 * ```
 */
export function indexedJobManifest(o: IndexedJobOptions): V1Job {
  if (!DNS_LABEL.test(o.name)) throw new RangeError(`indexedJobManifest: name '${o.name}' is not a DNS label (lowercase letters, digits, '-', ≤ 63)`);
  if (!Number.isInteger(o.shards) || o.shards < 1) throw new RangeError(`indexedJobManifest: shards must be a positive integer, got ${o.shards}`);
  const results = o.resultsDir ?? "/results";
  const args = (o.args ?? []).map(shellQuote).join(" ");
  const script = `exec actlab experiment ${shellQuote(o.experimentFile)} --shard "$JOB_COMPLETION_INDEX/${o.shards}" --out "${results}/shard-$JOB_COMPLETION_INDEX"${args ? ` ${args}` : ""} --progress lines`;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}), labels: { "app.kubernetes.io/name": "actlab-sweep", "app.kubernetes.io/instance": o.name } },
    spec: {
      completionMode: "Indexed",
      completions: o.shards,
      parallelism: Math.min(o.parallelism ?? o.shards, o.shards),
      ...(o.backoffLimit !== undefined ? { backoffLimit: o.backoffLimit } : { backoffLimitPerIndex: o.backoffLimitPerIndex ?? 2 }),
      podFailurePolicy: podFailurePolicy(o.backoffLimit === undefined),
      template: {
        metadata: { labels: { "app.kubernetes.io/name": "actlab-sweep", "app.kubernetes.io/instance": o.name } },
        spec: {
          restartPolicy: "Never",
          ...(o.serviceAccountName ? { serviceAccountName: o.serviceAccountName } : {}),
          containers: [{
            name: SWEEP_CONTAINER,
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

/**
 * The manifest as YAML for `kubectl apply -f`.
 *
 * @example
 * ```ts
 * writeFileAtomic("job.yaml", indexedJobYaml(options)); // kubectl apply -f job.yaml
 * ```
 */
export function indexedJobYaml(o: IndexedJobOptions): string {
  return YAML.stringify(indexedJobManifest(o), { lineWidth: 0 });
}

export interface SweepJobOptions {
  /** Job name (a DNS label); the ConfigMap and per-shard checkpoints are named after it. */
  name: string;
  namespace?: string;
  /** The actuation-lab image (see Containerfile); its entrypoint is `actlab`. */
  image: string;
  shards: number;
  parallelism?: number;
  /** The ConfigMap holding the experiment file (and a treatment module), mounted at SWEEP_CONFIG_DIR. */
  configMap: string;
  /** The experiment file's key in the ConfigMap. */
  experimentKey: string;
  /** The treatment module as the pod sees it: `actlab:<path in the image>` or a path under SWEEP_CONFIG_DIR. */
  module: string;
  /** Extra `actlab experiment` arguments (seed, code version, replicates, …). */
  args?: string[];
  /** Each shard keeps its finished runs in ConfigMap `<name>-shard-<i>` (the pod's service account may patch it). */
  checkpoint?: boolean;
  serviceAccountName?: string;
  /** Retries per index (default 2). */
  backoffLimitPerIndex?: number;
  /** Failed indexes tolerated before the Job fails (default 0: a sweep with a lost shard cannot be merged). */
  maxFailedIndexes?: number;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

/** Where the pods see the ConfigMap, and their writable folder (an emptyDir). */
export const SWEEP_CONFIG_DIR = "/etc/actlab/sweep";
export const SWEEP_WORK_DIR = "/work";
/** The annotation the Job controller puts the completion index in. */
export const COMPLETION_INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";

/** The checkpoint ConfigMap of shard `index` (the pods name it with `$(JOB_COMPLETION_INDEX)`). */
export const checkpointName = (job: string, index: number | string) => `${job}-shard-${index}`;

/** The Indexed Job `--on-kubernetes` submits: no shell, no volume claim; results go to the container log. */
export function sweepJobManifest(o: SweepJobOptions): V1Job {
  if (!DNS_LABEL.test(o.name) || o.name.length > 50) throw new RangeError(`sweepJobManifest: name '${o.name}' is not a DNS label of at most 50 characters`);
  if (!Number.isInteger(o.shards) || o.shards < 1) throw new RangeError(`sweepJobManifest: shards must be a positive integer, got ${o.shards}`);
  const labels = { "app.kubernetes.io/name": "actlab-sweep", "app.kubernetes.io/instance": o.name };
  const args = [
    "experiment", `${SWEEP_CONFIG_DIR}/${o.experimentKey}`, "--module", o.module,
    "--shard", `$(JOB_COMPLETION_INDEX)/${o.shards}`, "--out", `${SWEEP_WORK_DIR}/out`, "--progress", "silent", "--emit-results",
    ...(o.checkpoint ? ["--checkpoint-configmap", checkpointName(o.name, "$(JOB_COMPLETION_INDEX)")] : []),
    ...(o.args ?? []),
  ];
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}), labels },
    spec: {
      completionMode: "Indexed",
      completions: o.shards,
      parallelism: Math.min(o.parallelism ?? o.shards, o.shards),
      backoffLimitPerIndex: o.backoffLimitPerIndex ?? 2,
      maxFailedIndexes: o.maxFailedIndexes ?? 0,
      podFailurePolicy: podFailurePolicy(true),
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          ...(o.serviceAccountName ? { serviceAccountName: o.serviceAccountName } : {}),
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 },
          containers: [{
            name: SWEEP_CONTAINER,
            image: o.image,
            args,
            // Declared although the Job controller adds it too: `$(JOB_COMPLETION_INDEX)` in args expands only from declared env.
            env: [{ name: "JOB_COMPLETION_INDEX", valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } } }],
            terminationMessagePolicy: "FallbackToLogsOnError",
            securityContext: { allowPrivilegeEscalation: false },
            volumeMounts: [{ name: "sweep", mountPath: SWEEP_CONFIG_DIR, readOnly: true }, { name: "work", mountPath: SWEEP_WORK_DIR }],
            ...(o.resources ? { resources: o.resources } : {}),
          }],
          volumes: [{ name: "sweep", configMap: { name: o.configMap } }, { name: "work", emptyDir: {} }],
        },
      },
    },
  };
}
