/** kube: pods through the real Kubernetes client — list+watch with resume/relist, lifecycles, latencies, event logs, API calls (the nop benchmark that drives them is sdk/bench/). */
export { watchPods, type WatchPodsOptions, type WatchStream, type WatchStats, type WatchStatus, type WatchState, type WatchClock, type BackoffOptions } from "./watch.js";
export { PODS, EVENTS, INFERENCE_SERVER_CONFIGS, LAUNCHER_CONFIGS, LAUNCHER_POPULATION_POLICIES, FMA_RESOURCES, collectionPath, objectKey, type KubeObject, type KubeMetadata, type WatchEvent, type WatchEventType, type EventOrigin, type ResourceRef } from "./types.js";
export { recordEvents, replayEventLog, parseEventLog, collectEvents, EVENT_LOG_FORMAT, EVENT_LOG_VERSION, type EventLogHeader, type EventLogEnd, type RecordOptions, type EventLogReplayOptions } from "./event-log.js";
export { LifecycleReducer, podLifecycles, POD_PHASES, TRACKED_LABELS, TRACKED_ANNOTATIONS, type PodLifecycle, type PhaseTime, type PodPhase, type MetaChange, type LifecycleOptions } from "./lifecycle.js";
export { kubeBurnerPodLatency, cl2PodStartupLatency, cl2Transitions, KUBE_BURNER_QUANTILES, CL2_TRANSITIONS, type PodLatencyMeasurement, type PodLatencyQuantiles, type KubeBurnerResult, type KubeBurnerQuantileName, type PerfData, type Cl2Transition } from "./latency.js";
export { parseKubeTime } from "./time.js";
export { loadKubeConfig, checkKubeConfig, contextNamespace, kubeRequest, kubeGet, type RawResponse } from "./kubeconfig.js";
export { scaleDeployment, getDeployment, createObject, deleteObject, readPodLog, readMetricsText, type Workload } from "./api-calls.js";
export { startMemoryApi, type MemoryApi, type MemoryApiOptions, type MemoryApiFaults } from "./memory-api.js";
