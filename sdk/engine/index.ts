/** The engine: a deterministic vLLM-style worker (scheduler, KV cache with prefix caching, step time). */
export { DEFAULT_ENGINE_CONFIG, engineConfig, engineCapabilities, type EngineConfig, type EngineCapabilities } from "./config.js";
export {
  polynomialStepTime, interpolatedStepTime, polynomialPrefillMs, polynomialDecodeMs, linearStepTime, fitStepTime, DYNAMO_PREFILL_POLY, DYNAMO_DECODE_POLY,
  type StepTimeModel, type StepTimeTables, type PassShape, type WorkerRole, type PolynomialStepTimeOptions, type StepFeature, type MeasuredPass, type LinearStepTime,
} from "./step-time.js";
export {
  resolveStepTime, stepTimeProfile, stepTimeProfileNames, STEP_TIME_PROFILES,
  type StepTimeSpec, type PolynomialStepTimeSpec, type LinearStepTimeSpec, type InterpolatedStepTimeSpec,
} from "./step-time-spec.js";
export { KvCache } from "./kv-cache.js";
export { BlockInterner } from "./block-ids.js";
export { EngineWorker, Seq, type PassRecord, type WorkerHooks } from "./worker.js";
export { weightedQuantiles } from "./weighted-quantiles.js";
export { runEngine, type EngineArrival, type EngineRequestResult, type EngineRunResult } from "./run.js";
