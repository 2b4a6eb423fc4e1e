/**
 * Public types of the embedded FMA cluster: its configuration and the ground truth it records for
 * every requester actuation.
 */
import type { ActuationMode, ActuationPath } from "../actuation/path.js";
import type { Rng, Seed } from "../core/rng.js";
import type { LatencyProfile } from "../actuation/profiles.js";

export type PlacementPolicy = "pack" | "spread" | "random";

export interface ClusterConfig {
  /** Latency profile name or object (default `8b-h100`). */
  profile?: string | LatencyProfile;
  /** Root seed (default 1); ignored when `rng` is given. */
  seed?: Seed;
  /** The cluster's root stream, already split by the caller (e.g. a sweep's per-run stream); each part splits its own from it. */
  rng?: Rng;
  /** Namespace of the ready-made FMA objects and controllers (default `default`). */
  namespace?: string;
  nodes?: number;
  gpusPerNode?: number;
  /** How the scheduler picks a node: pack (most allocated) or spread (least allocated), ties broken
   *  at random as kube-scheduler does, or random; within a node the lowest-indexed free GPUs are taken. */
  placement?: PlacementPolicy;
  /** Sleeping instances allowed per GPU (Helm default 2; the DPC flag default is 1). */
  sleeperLimit?: number;
  /** `maxInstances` of the ready-made LauncherConfig `default` (llm-d-benchmark default 4). */
  maxInstances?: number;
  /** vLLM port of the ready-made InferenceServerConfig `default`. */
  iscPort?: number;
  /** Launchers the populator creates per node at start (unbound, no instances). */
  launchersPerNode?: number;
  /** Launcher/vLLM images already on every node (default: the profile's). When false, each node pulls once. */
  imageCached?: boolean;
  /** Wall-clock epoch (ms) of virtual time 0; served timestamps are epochMs + virtual ms. */
  epochMs?: number;
  /** Watch events kept for resumes (older → 410 Gone). */
  historyLimit?: number;
  /** Keep the full event log as JSON lines (`model.eventLog()`). */
  recordLog?: boolean;
  /** Create nodes, the `default` ISC/LauncherConfig and the controller pods (default true). */
  createDefaults?: boolean;
}

/** How one requester actuation went, as the simulated DPC did it. Times are virtual ms. */
export interface ActuationTruth {
  /** 0-based order of the DPC's decisions. */
  index: number;
  requester: { namespace: string; name: string; uid: string };
  path: ActuationPath;
  mode: ActuationMode;
  /** Victims deleted by reclaim (the `instancesDeleted` label of `fma_actuation_seconds`). */
  instancesDeleted: number;
  /** Sleepers deleted to keep the per-GPU sleeper budget (not part of `instancesDeleted`). */
  sleepersEvicted: number;
  /** The provider pod: the launcher (launcher mode) or the direct provider. */
  provider: string;
  /** The launcher pod name (launcher mode only). */
  launcher?: string;
  /** True when the launcher was created by the populator rather than by the DPC for this requester. */
  launcherPrecreated?: boolean;
  /** vLLM instance id (launcher mode) or the nominal hash (direct mode). */
  instanceId: string;
  node: string;
  gpus: string[];
  /** ready: the requester became Ready; aborted: it was deleted first. */
  outcome: "ready" | "aborted" | "pending";
  requesterCreated: number;
  requesterScheduled: number;
  containerStarted: number;
  /** The DPC's decision (after any waits for launchers to become Ready). */
  decided: number;
  bound: number;
  /** Start of the launcher/provider create API call (k8sCallStartTime). */
  launcherCreateStart?: number;
  /** Launcher mode: the launcher's creation (any path; for hot/warm the pre-existing launcher's). */
  launcherCreated?: number;
  /** Launcher mode: when the launcher became Ready (before the decision for hot/warm). */
  launcherReady?: number;
  providerCreated?: number;
  providerReady?: number;
  instanceCreateStart?: number;
  instanceReady?: number;
  wakeStart?: number;
  wakeEnd?: number;
  relayStart?: number;
  relayEnd?: number;
  requesterReady?: number;
  /** `fma_actuation_seconds` observation: relayEnd − containerStarted, seconds. */
  actuationSeconds?: number;
}
