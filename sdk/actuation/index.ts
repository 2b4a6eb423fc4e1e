/** actuation: classification (hot / warm / cold_launcher / cold / unknown), evidence parsers, latency profiles, timings, hit rates, nop result.yaml, and the actuator a scale-up pays (fixedStartup, fmaPaths). */
export { ACTUATION_PATHS, type ActuationPath, type ActuationMode, type ActuationClass } from "./path.js";
export { classifyActuations, CONDITION_OF, type Actuation, type ClassifyInput, type ClassificationSource, type TimingSource, type ActuationCondition } from "./classify.js";
export { parseDpcLog, parseKlog, dpcRecordFor, parseVllmLog, parseActuationMetric, actuationCounts, countsDelta, type DpcEvidence, type DpcRecord, type DpcCall, type VllmEvent, type VllmEventType, type ActuationMetricSample } from "./evidence.js";
export { FMA_KEYS, INFERENCE_SERVER_CONTAINER, podRole, type PodRole } from "./fma-keys.js";
export { hitRates, summarizeActuations, TIMINGS, type HitRates, type IterationSummary, type RunSummary, type TimingName } from "./summary.js";
export { toNopResult, toBenchmarkReport, toYamlText, actuationRows, type NopResult, type NopResultOptions, type NopScenario, type NopIteration, type LauncherInfo } from "./nop-result.js";
export { dualPodsSummary, type DualPodsRun, type DualPodsResult, type DualPodsSummary } from "./dual-pods-summary.js";
export { analyzeRun, type RunInputs, type RunAnalysis } from "./analyze.js";
export {
  getProfile, listProfiles, sampleStep, sampleDistribution, actuationDelayMs, actuationTimeline, sampleRemainder, sampleRequesterStart, modelMemory, wakeFloorMs, nextProbeTick, nextRetryTick, STEP_NAMES,
  type LatencyProfile, type StepName, type StepDistribution, type ProfileStep, type ProbeSpec, type ModelSpec, type GpuSpec, type ModelMemory, type TimelineOptions, type ActuationTimeline,
} from "./profiles.js";
export { ActuationPool, type ActuationPoolOptions, type Placement } from "./actuation-pool.js";
export { fixedStartup, fmaPaths, startActuator, DEFAULT_LAUNCHER_FLEET, type Actuator, type LauncherFleet, type ActuationPlan, type RunningActuator, type StartActuatorOptions } from "./actuator.js";
export { nopOptionsFor, nopRunContext, type NopRunContext, type NopEngine } from "./nop-context.js";
export { parseFmaEvidence, type FmaEvidence } from "./fma-evidence.js";
