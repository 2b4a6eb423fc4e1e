/** The planner: Dynamo-style autoscaler (pure state machine), its replay loop with FMA actuation costs, configs. */
export { PlannerStateMachine, scaleDecision, fpmMatchesWorkers, MERGE_TOLERANCE_S } from "./state-machine.js";
export { parsePlannerConfig, configActuator, DEFAULT_PLANNER_CONFIG, DEFAULT_ACTUATION, DEFAULT_ENGINE_CAPABILITIES, type PlannerConfig, type PlannerMode, type OptimizationTarget, type OperationMode, type ActuationConfig, type EngineCapabilities as PlannerEngineCapabilities, type ParseOptions as PlannerConfigParseOptions } from "./config.js";
export { loadPlannerConfig, parsePlannerConfigText, decodePlannerConfigText } from "./load-config.js";
export { fitLinear, RCOND, type LinearFit } from "./lstsq.js";
export { BucketedRegression, PrefillRegression, DecodeRegression, AggRegression, aggMaxBatch, chunks, RELAX_TOLERANCE, DEFAULT_REGRESSION_OPTIONS, type FpmPoint, type FitResult, type FitStatus, type RegressionOptions, type DecodeCaps, type AggCaps } from "./regression.js";
export { makePredictor, ConstantPredictor, KalmanPredictor, ArimaPredictor, type LoadPredictor, type LoadPredictorName, type PredictorOptions } from "./predictors.js";
export { budgetClamp, globalBudget } from "./budget.js";
export { clampKvHitRate, kvDiscountFactor, MAX_KV_HIT_RATE_DISCOUNT } from "./kv-hit.js";
export { easyDecision, EASY_THRESHOLDS } from "./easy-mode.js";
export { LOAD_REASONS, THROUGHPUT_REASONS, LOAD_REASON_COLORS, THROUGHPUT_REASON_COLORS, aggregateLoadReason, type LoadReason, type ThroughputReason } from "./reasons.js";
export { traceIntervals, type TraceInterval } from "./trace-warmup.js";
export { prefillSweep, decodeSweep, type BootstrapOptions } from "./bootstrap.js";
export { PlannerController, type PlannerControllerOptions, type PlannerSnapshot, type ScalingEvent, type ActuationRecord } from "./controller.js";
export { planner, PlannerLoop, resolvePlannerConfig, type PlannerOptions } from "./loop.js";
export { runPlannerReplay, plannerResult, type PlannerReplayOptions, type PlannerReplayResult, type PlannerReplaySummary } from "./run.js";
export { writePlannerReplayOutputs, type PlannerOutputOptions } from "./write-outputs.js";
export { runPlannerCli, type PlannerCliOptions } from "./cli-run.js";
export type { ScheduledTick, TickInput, TickDiagnostics, PlannerEffects, WorkerFpm, TrafficObservation, ComponentCounts, ScaleTarget, EngineLoad } from "./types.js";
