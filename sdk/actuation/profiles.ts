/**
 * Named latency profiles for the embedded FMA cluster, and the one step composition that turns a
 * profile into an actuation timeline. The cluster model and the planner both call
 * `actuationTimeline`, so a planner's scale-up cost equals what the simulated cluster does.
 *
 * Numbers come from docs/fma.md §7 (published latencies, control-loop periods) and §9 (the measured
 * host→device bandwidth that floors a wake). Every step says where its default comes from and
 * whether it is an assumption (no published measurement).
 */
import type { Rng } from "../core/rng.js";
import type { ActuationMode, ActuationPath } from "./path.js";

/** A seeded distribution of a duration in milliseconds. */
export type StepDistribution =
  | { kind: "fixed"; ms: number }
  /** Lognormal given by its median (ms) and log-space sigma; optional clamp. */
  | { kind: "lognormal"; medianMs: number; sigma: number; minMs?: number; maxMs?: number }
  /** Uniform draw from observed values (ms). */
  | { kind: "empirical"; valuesMs: readonly number[] };

export type StepName =
  /** pod creation → PodScheduled (requester, launcher or provider). */
  | "schedule"
  /** scheduled → container running, image already on the node (small stub/launcher images). */
  | "containerStart"
  /** extra time to pull an uncached image (launcher or vLLM image). */
  | "imagePull"
  /** requester container running → the DPC has the GPU list and decides (watch, queue, SPI call). */
  | "dpcReact"
  /** the API create call of a launcher or provider pod (`fma_launcher_create_seconds`). */
  | "podCreateCall"
  /** launcher container running → its REST service answers (python imports, module preload). */
  | "launcherStart"
  /** direct provider container running → vLLM process reaches model load (import torch, CUDA context). */
  | "providerStart"
  /** the PUT /v2/vllm/instances/{id} call itself. */
  | "instanceCreateCall"
  /** instance create request → vLLM serving (weight load, torch.compile, memory profiling). */
  | "instanceLoad"
  /** stopping one victim instance during reclaim. */
  | "instanceDelete"
  /** POST /wake_up (level-1 sleep: weights host→device). Never below the profile's wake floor. */
  | "wake"
  /** POST /sleep?level=1 (weights device→host). */
  | "sleep"
  /** a short DPC HTTP call (is_sleeping query, become-ready relay). */
  | "httpCall";

export const STEP_NAMES: readonly StepName[] = [
  "schedule", "containerStart", "imagePull", "dpcReact", "podCreateCall", "launcherStart", "providerStart",
  "instanceCreateCall", "instanceLoad", "instanceDelete", "wake", "sleep", "httpCall",
];

export interface ProfileStep {
  dist: StepDistribution;
  /** Where the default comes from (fma.md section or source). */
  source: string;
  /** True when no published measurement backs the default. */
  assumption: boolean;
}

/** A readiness probe as the kubelet runs it: first at startedAt + initialDelay, then every period. */
export interface ProbeSpec {
  initialDelayMs: number;
  periodMs: number;
}

export interface ModelSpec {
  /** Model name as vLLM would be given it. */
  name: string;
  parametersB: number;
  /** Bytes of weights (bf16 tensor data) offloaded at level-1 sleep. */
  weightBytes: number;
  tensorParallel: number;
}

export interface GpuSpec {
  product: string;
  memoryBytes: number;
  /** Pinned host→device copy bandwidth (bytes/s), fma.md §9. */
  hostToDeviceBytesPerSec: number;
  /** Device memory a level-1 sleeper keeps (CUDA context, allocator); FMA budgets 4096 MiB per sleeper. */
  sleeperFootprintBytes: number;
}

export interface LatencyProfile {
  name: string;
  description: string;
  model: ModelSpec;
  gpu: GpuSpec;
  steps: Readonly<Record<StepName, ProfileStep>>;
  /** Requester readiness probe (`/ready` on the probes port). */
  requesterProbe: ProbeSpec;
  /** Launcher readiness probe (`GET /v2/vllm/instances` on 8001): delay 2 s, period 5 s. */
  launcherProbe: ProbeSpec;
  /** Direct provider readiness probe (an assumption: vLLM `/health`, same as the launcher's). */
  providerProbe: ProbeSpec;
  /** The DPC re-polls `is_sleeping` after an error every this many ms (fixed 5 s). */
  isSleepingRetryMs: number;
  /** Whether launcher / provider images are on the node by default. */
  imageCachedDefault: boolean;
  /** Names of the top-level defaults that are assumptions (probes, footprint, ...). */
  assumptions: readonly string[];
  /** Citations for the published numbers this profile was fitted to. */
  sources: readonly string[];
}

const GiB = 1024 ** 3;
const H100: GpuSpec = {
  product: "NVIDIA-H100-80GB-HBM3",
  memoryBytes: 80 * GiB,
  hostToDeviceBytesPerSec: 54.7e9,
  sleeperFootprintBytes: 4 * GiB,
};

const ln = (medianMs: number, sigma: number, minMs?: number, maxMs?: number): StepDistribution => ({ kind: "lognormal", medianMs, sigma, ...(minMs !== undefined ? { minMs } : {}), ...(maxMs !== undefined ? { maxMs } : {}) });
const step = (dist: StepDistribution, source: string, assumption: boolean): ProfileStep => ({ dist, source, assumption });

/** Steps that do not depend on model size. */
function commonSteps(): Omit<Record<StepName, ProfileStep>, "instanceLoad" | "wake" | "sleep"> {
  return {
    schedule: step(ln(80, 0.5, 5), "assumption: an idle kube-scheduler binds in tens of ms", true),
    containerStart: step(ln(1500, 0.3, 300), "fma.md §7: ~2 s Kubernetes pod overhead without a model (knative/serving#2484)", false),
    imagePull: step(ln(60_000, 0.35, 10_000), "fma.md §7: unpulled images take minutes; 183 s cold 32B minus load (assumption for the split)", true),
    dpcReact: step(ln(250, 0.4, 20), "assumption: watch delivery + per-node queue + GET accelerators", true),
    podCreateCall: step(ln(12, 0.5, 1, 5000), "fma.md §1.9: fma_launcher_create_seconds buckets 1 ms – 5 s", true),
    launcherStart: step(ln(15_000, 0.3, 5_000), "fma.md §7: launcher startup with cached image ~10–30 s (an assumption there too)", true),
    providerStart: step(ln(8_000, 0.15, 6_900), "fma.md §9: import torch 6.5 s + CUDA context 0.41 s", false),
    instanceCreateCall: step(ln(30, 0.4, 2), "assumption: PUT returns once the child process is spawned", true),
    instanceDelete: step(ln(1_500, 0.3, 200), "assumption: stop a vLLM child and free its GPU memory", true),
    httpCall: step(ln(5, 0.4, 1), "assumption: a loopback-class HTTP call inside the cluster", true),
  };
}

/**
 * Physical floor of a level-1 wake: weight bytes / pinned host→device bandwidth (fma.md §9).
 *
 * @example
 * ```ts
 * console.log(wakeFloorMs(getProfile("70b-h100x2"))); // the fastest a wake can be on that GPU
 * ```
 */
export function wakeFloorMs(profile: Pick<LatencyProfile, "model" | "gpu">): number {
  return (profile.model.weightBytes / profile.model.tensorParallel / profile.gpu.hostToDeviceBytesPerSec) * 1000;
}

const PROFILES: Record<string, LatencyProfile> = {
  "8b-h100": {
    name: "8b-h100",
    description: "Llama-3.1-8B-class model (bf16, TP1) on one H100 80GB; llm-d-benchmark requester probe defaults",
    model: { name: "meta-llama/Llama-3.1-8B-Instruct", parametersB: 8, weightBytes: 16.1e9, tensorParallel: 1 },
    gpu: H100,
    steps: {
      ...commonSteps(),
      instanceLoad: step(ln(55_000, 0.25, 25_000), "fma.md §7: warm 40–120 s for ~8B (PR #990 example: 120 s Kube incl. probes)", false),
      wake: step(ln(540, 0.08, 294), "fma.md §7: DPC-log t_wake 0.53–0.59 s (PR #1504); floor 16.1 GB / 54.7 GB/s = 0.29 s (§9)", false),
      sleep: step(ln(450, 0.2, 294), "assumption: device→host 54.4 GB/s floor (§9) plus bookkeeping", true),
    },
    requesterProbe: { initialDelayMs: 5_000, periodMs: 10_000 },
    launcherProbe: { initialDelayMs: 2_000, periodMs: 5_000 },
    providerProbe: { initialDelayMs: 2_000, periodMs: 5_000 },
    isSleepingRetryMs: 5_000,
    imageCachedDefault: true,
    assumptions: ["providerProbe", "gpu.sleeperFootprintBytes (FMA's 4096 MiB budget per sleeper)", "imageCachedDefault"],
    sources: ["fma.md §7 (llm-d/llm-d-benchmark PR #990, #1504)", "fma.md §9 (H100 PCIe Gen5 bandwidth)", "fma.md §1.3 (probe periods)"],
  },
  "32b-h100": {
    name: "32b-h100",
    description: "Qwen3-32B (bf16, TP1) on one H100 80GB; FMA example requester probe (delay 2 s, period 5 s)",
    model: { name: "Qwen/Qwen3-32B", parametersB: 32, weightBytes: 65.5e9, tensorParallel: 1 },
    gpu: H100,
    steps: {
      ...commonSteps(),
      instanceLoad: step(ln(100_000, 0.12, 60_000), "fma.md §7: warm avg requester startup 108 s (sat.) / 118.3 s (queue), llm-d/llm-d#2317", false),
      wake: step(ln(1_600, 0.15, 1_198), "fma.md §7/§9: floor 65.5 GB / 54.7 GB/s = 1.20 s; hot avg startup 4.7 s; vendor ~3 s for 64 GiB (median is an assumption)", true),
      sleep: step(ln(1_500, 0.2, 1_198), "assumption: device→host 54.4 GB/s floor (§9) plus bookkeeping", true),
    },
    requesterProbe: { initialDelayMs: 2_000, periodMs: 5_000 },
    launcherProbe: { initialDelayMs: 2_000, periodMs: 5_000 },
    providerProbe: { initialDelayMs: 2_000, periodMs: 5_000 },
    isSleepingRetryMs: 5_000,
    imageCachedDefault: true,
    assumptions: ["providerProbe", "gpu.sleeperFootprintBytes (FMA's 4096 MiB budget per sleeper)", "imageCachedDefault", "wake median"],
    sources: ["fma.md §7 (llm-d/llm-d#2317: cold 183 s, warm 108 s, hot 4.7 s)", "fma.md §9 (wake floor)", "fma.md §1.3 (probe periods)"],
  },
  "70b-h100x2": {
    name: "70b-h100x2",
    description: "Llama-3.1-70B-class model (bf16, TP2) on two H100 80GB; an extrapolation, mostly assumptions",
    model: { name: "meta-llama/Llama-3.1-70B-Instruct", parametersB: 70, weightBytes: 141e9, tensorParallel: 2 },
    gpu: H100,
    steps: {
      ...commonSteps(),
      instanceLoad: step(ln(170_000, 0.15, 90_000), "assumption: extrapolated from the 32B warm figure by weight size", true),
      wake: step(ln(1_700, 0.15, 1_289), "fma.md §9: floor 141 GB over 2 GPUs at 54.7 GB/s = 1.29 s; median an assumption", true),
      sleep: step(ln(1_600, 0.2, 1_289), "assumption: device→host floor plus bookkeeping", true),
    },
    requesterProbe: { initialDelayMs: 5_000, periodMs: 10_000 },
    launcherProbe: { initialDelayMs: 2_000, periodMs: 5_000 },
    providerProbe: { initialDelayMs: 2_000, periodMs: 5_000 },
    isSleepingRetryMs: 5_000,
    imageCachedDefault: true,
    assumptions: ["instanceLoad", "wake median", "providerProbe", "gpu.sleeperFootprintBytes", "imageCachedDefault"],
    sources: ["fma.md §9 (70B wake floor)"],
  },
};

/**
 * Names of the latency profiles the cluster model and the planner's FMA actuation know (e.g. 8b-h100).
 *
 * @example
 * ```ts
 * console.log(listProfiles()); // ["8b-h100", "32b-h100", …]
 * ```
 */
export function listProfiles(): string[] {
  return Object.keys(PROFILES).sort();
}

/**
 * A named profile (a deep copy, so callers may tweak it). Unknown name → RangeError listing the names.
 *
 * @example
 * ```ts
 * const p = getProfile("8b-h100"); // the model, wake floor and actuation timeline
 * ```
 */
export function getProfile(name: string): LatencyProfile {
  const p = PROFILES[name];
  if (!p) throw new RangeError(`unknown latency profile '${name}'; known: ${listProfiles().join(", ")}`);
  return structuredClone(p);
}

/**
 * One draw from a distribution, in ms (clamped when it says so).
 *
 * @example
 * ```ts
 * const ms = sampleDistribution({ kind: "lognormal", medianMs: 5000, sigma: 0.3 }, rng(1));
 * ```
 */
export function sampleDistribution(dist: StepDistribution, r: Rng): number {
  switch (dist.kind) {
    case "fixed":
      return dist.ms;
    case "empirical":
      return r.pick(dist.valuesMs);
    case "lognormal": {
      let v = r.lognormal(Math.log(dist.medianMs), dist.sigma);
      if (dist.minMs !== undefined) v = Math.max(v, dist.minMs);
      if (dist.maxMs !== undefined) v = Math.min(v, dist.maxMs);
      return v;
    }
  }
}

/**
 * One draw of `step` for `profile`, in ms, rounded to whole ms; a wake never below its floor.
 *
 * @example
 * ```ts
 * const ms = sampleStep(getProfile("8b-h100"), "modelLoad", rng(1).split("steps"));
 * ```
 */
export function sampleStep(profile: LatencyProfile, name: StepName, r: Rng): number {
  const s = profile.steps[name];
  if (!s) throw new RangeError(`profile '${profile.name}' has no step '${name}'`);
  let v = sampleDistribution(s.dist, r);
  if (name === "wake") v = Math.max(v, wakeFloorMs(profile));
  return Math.max(0, Math.round(v));
}

/**
 * The first probe tick at or after `t` for a container started at `startedAt`.
 *
 * @example
 * ```ts
 * const t = nextProbeTick(probe, containerStartedAt, now); // when the kubelet probes next
 * ```
 */
export function nextProbeTick(probe: ProbeSpec, startedAt: number, t: number): number {
  const first = startedAt + probe.initialDelayMs;
  if (t <= first) return first;
  return first + Math.ceil((t - first) / probe.periodMs) * probe.periodMs;
}

/**
 * The first DPC `is_sleeping` poll that finds the instance serving: polls at `from`, `from + retry`, …
 *
 * @example
 * ```ts
 * const t = nextRetryTick(1000, now, readyAt); // the first retry at or after readiness
 * ```
 */
export function nextRetryTick(retryMs: number, from: number, readyAt: number): number {
  if (readyAt <= from) return from;
  return from + Math.ceil((readyAt - from) / retryMs) * retryMs;
}

export interface ModelMemory {
  weightBytes: number;
  /** Weight bytes per GPU (weights / TP). */
  weightBytesPerGpu: number;
  gpuMemoryBytes: number;
  gpusPerInstance: number;
  /** GPU memory a level-1 sleeper keeps on each of its GPUs. */
  sleepingBytesPerGpu: number;
  /** Host (CPU) memory a level-1 sleeper holds: its offloaded weights. */
  sleepingHostBytes: number;
  /** GPU memory utilisation an awake instance may use after reserving room for `sleepers` sleepers (FMA's rule: 0.9 − sleeper × n). */
  awakeUtilization(sleepers: number): number;
  /** How many level-1 sleepers fit on one GPU next to one awake instance of this model. */
  maxSleepersPerGpu: number;
  /** The wake floor, ms (fma.md §9). */
  wakeFloorMs: number;
}

/**
 * Memory facts a planner needs to bound a sleep pool by GPU memory.
 *
 * @example
 * ```ts
 * const memory = modelMemory(getProfile("8b-h100"));
 * ```
 */
export function modelMemory(profile: LatencyProfile): ModelMemory {
  const tp = profile.model.tensorParallel;
  const perGpu = profile.model.weightBytes / tp;
  const gpu = profile.gpu.memoryBytes;
  const sleeper = profile.gpu.sleeperFootprintBytes;
  // The awake instance needs its weights plus a minimal KV-cache room (an assumption: 4 GiB) within 0.9 × GPU.
  const awakeNeed = perGpu + 4 * GiB;
  const maxSleepers = Math.max(0, Math.floor((0.9 * gpu - awakeNeed) / sleeper));
  return {
    weightBytes: profile.model.weightBytes,
    weightBytesPerGpu: perGpu,
    gpuMemoryBytes: gpu,
    gpusPerInstance: tp,
    sleepingBytesPerGpu: sleeper,
    sleepingHostBytes: profile.model.weightBytes,
    awakeUtilization: (sleepers: number) => Math.max(0, 0.9 - (sleepers * sleeper) / gpu),
    maxSleepersPerGpu: maxSleepers,
    wakeFloorMs: wakeFloorMs(profile),
  };
}

export interface TimelineOptions {
  mode?: ActuationMode;
  /** Launcher / provider image already on the node (default: the profile's `imageCachedDefault`). */
  imageCached?: boolean;
  /** Victim instances deleted before a warm create (reclaim). */
  instancesDeleted?: number;
}

/**
 * Offsets (ms) from requester creation of every step of one actuation, as the cluster model lays
 * them out. Fields absent for a path are undefined.
 */
export interface ActuationTimeline {
  path: ActuationPath;
  mode: ActuationMode;
  requesterScheduled: number;
  containerStarted: number;
  /** The DPC's decision (GPU list known). */
  decided: number;
  /** Provider (launcher / direct pod) create call start (k8sCallStartTime). */
  providerCreateStart?: number;
  /** Provider pod creation (its creationTimestamp, before truncation). */
  providerCreated?: number;
  providerScheduled?: number;
  providerContainerStarted?: number;
  /** Launcher Ready (launcher mode) or direct provider Ready. */
  providerReady?: number;
  bound: number;
  instanceCreateStart?: number;
  /** When the create call returned (the DPC starts polling `is_sleeping` from here). */
  instanceCreateCallEnd?: number;
  instanceReady?: number;
  wakeStart?: number;
  wakeEnd?: number;
  relayStart: number;
  relayEnd: number;
  requesterReady: number;
}

/**
 * Samples the steps after the DPC's decision, from absolute time `decided`. The model calls this
 * once the path is known (and the provider state is given), the planner through `actuationTimeline`.
 * Draw order is fixed per path, so the same rng gives the same numbers in both.
 *
 * @example
 * ```ts
 * const ms = sampleRemainder(getProfile("8b-h100"), "warm", rng(1)); // the path's time after the requester decided
 * ```
 */
export function sampleRemainder(
  profile: LatencyProfile,
  path: ActuationPath,
  r: Rng,
  at: { decided: number; containerStarted: number },
  opts: TimelineOptions = {},
): Omit<ActuationTimeline, "requesterScheduled" | "containerStarted"> {
  const mode: ActuationMode = opts.mode ?? (path === "cold" ? "direct" : "launcher");
  const cached = opts.imageCached ?? profile.imageCachedDefault;
  const deleted = opts.instancesDeleted ?? 0;
  const { decided } = at;
  const finish = (relayStart: number) => {
    const relayEnd = relayStart + sampleStep(profile, "httpCall", r);
    return { relayStart, relayEnd, requesterReady: nextProbeTick(profile.requesterProbe, at.containerStarted, relayEnd) };
  };
  const startInstance = (from: number) => {
    let t = from;
    for (let i = 0; i < deleted; i++) t += sampleStep(profile, "instanceDelete", r);
    const instanceCreateStart = t;
    const callEnd = instanceCreateStart + sampleStep(profile, "instanceCreateCall", r);
    const instanceReady = instanceCreateStart + sampleStep(profile, "instanceLoad", r);
    const polled = nextRetryTick(profile.isSleepingRetryMs, callEnd, instanceReady);
    const relayStart = polled + sampleStep(profile, "httpCall", r);
    return { instanceCreateStart, instanceCreateCallEnd: callEnd, instanceReady, relayStart };
  };
  const startPod = (from: number, probe: ProbeSpec, bootStep: StepName) => {
    const providerCreateStart = from;
    const providerCreated = from + sampleStep(profile, "podCreateCall", r);
    const providerScheduled = providerCreated + sampleStep(profile, "schedule", r);
    const pull = cached ? 0 : sampleStep(profile, "imagePull", r);
    const providerContainerStarted = providerScheduled + pull + sampleStep(profile, "containerStart", r);
    const booted = providerContainerStarted + sampleStep(profile, bootStep, r);
    return { providerCreateStart, providerCreated, providerScheduled, providerContainerStarted, booted, probe };
  };

  if (mode === "launcher") {
    if (path === "hot") {
      const wakeStart = decided + sampleStep(profile, "httpCall", r); // is_sleeping query first
      const wakeEnd = wakeStart + sampleStep(profile, "wake", r);
      return { path, mode, decided, bound: decided, wakeStart, wakeEnd, ...finish(wakeEnd) };
    }
    if (path === "warm") {
      const inst = startInstance(decided);
      return { path, mode, decided, bound: decided, ...inst, ...finish(inst.relayStart) };
    }
    if (path === "cold_launcher") {
      const pod = startPod(decided, profile.launcherProbe, "launcherStart");
      const providerReady = nextProbeTick(profile.launcherProbe, pod.providerContainerStarted, pod.booted);
      const inst = startInstance(providerReady + sampleStep(profile, "dpcReact", r));
      const { booted: _b, probe: _p, ...podTimes } = pod;
      return { path, mode, decided, ...podTimes, providerReady, bound: podTimes.providerCreated, ...inst, ...finish(inst.relayStart) };
    }
    throw new RangeError(`path '${path}' is not a launcher-mode path (use mode: "direct" for cold)`);
  }
  // direct mode
  if (path === "hot") {
    const wakeStart = decided + sampleStep(profile, "httpCall", r);
    const wakeEnd = wakeStart + sampleStep(profile, "wake", r);
    return { path, mode, decided, bound: decided, wakeStart, wakeEnd, ...finish(wakeEnd + sampleStep(profile, "dpcReact", r)) };
  }
  if (path === "cold") {
    const pod = startPod(decided, profile.providerProbe, "providerStart");
    const instanceCreateStart = pod.booted;
    const instanceReady = instanceCreateStart + sampleStep(profile, "instanceLoad", r);
    const providerReady = nextProbeTick(profile.providerProbe, pod.providerContainerStarted, instanceReady);
    const { booted: _b, probe: _p, ...podTimes } = pod;
    return { path, mode, decided, ...podTimes, providerReady, bound: podTimes.providerCreated, instanceCreateStart, instanceCreateCallEnd: instanceCreateStart, instanceReady, ...finish(providerReady + sampleStep(profile, "dpcReact", r)) };
  }
  throw new RangeError(`path '${path}' is not a direct-mode path (direct mode is hot or cold)`);
}

/**
 * The requester's own steps: creation → scheduled → container running → the DPC decides.
 *
 * @example
 * ```ts
 * const { decided } = sampleRequesterStart(getProfile("8b-h100"), rng(1));
 * ```
 */
export function sampleRequesterStart(profile: LatencyProfile, r: Rng): { requesterScheduled: number; containerStarted: number; decided: number } {
  const requesterScheduled = sampleStep(profile, "schedule", r);
  const containerStarted = requesterScheduled + sampleStep(profile, "containerStart", r);
  const decided = containerStarted + sampleStep(profile, "dpcReact", r);
  return { requesterScheduled, containerStarted, decided };
}

/**
 * A whole uncontended actuation timeline, offsets from requester creation (ms).
 *
 * @example
 * ```ts
 * const t = actuationTimeline(getProfile("8b-h100"), "warm", rng(1).split("actuation"));
 * ```
 */
export function actuationTimeline(profile: LatencyProfile, path: ActuationPath, r: Rng, opts: TimelineOptions = {}): ActuationTimeline {
  const start = sampleRequesterStart(profile, r);
  const rest = sampleRemainder(profile, path, r, start, opts);
  return { ...rest, requesterScheduled: start.requesterScheduled, containerStarted: start.containerStarted };
}

/**
 * Modelled time (ms) from requester creation to requester Ready for a scale-up taking `path`, with
 * the same step composition as the cluster model. `path: "cold"` defaults to direct mode.
 *
 * @example
 * ```ts
 * const ms = actuationDelayMs(getProfile("8b-h100"), "hot", rng(1).split("actuation"));
 * ```
 */
export function actuationDelayMs(
  profile: LatencyProfile,
  path: ActuationPath,
  r: Rng,
  opts: { mode?: ActuationMode; imageCached?: boolean; instancesDeleted?: number } = {},
): number {
  return actuationTimeline(profile, path, r, opts).requesterReady;
}
