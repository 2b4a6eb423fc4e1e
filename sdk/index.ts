/**
 * actuation-lab: the public surface, grouped by module. Everything not exported here is internal.
 */

// ── core: seeded randomness, the virtual clock, percentiles, rows and their files ──────────────
export { Rng, rng, hash32, type Seed } from "./core/rng.js";
export { EventQueue, type Scheduled } from "./core/event-queue.js";
export { quantile, quantileSorted, describe, type QuantileMethod, type Distribution } from "./core/quantile.js";
export { toCsv, toJsonl, parseCsv, readCsvFile, writeFileAtomic, columnsOf, type Row, type RowLike, type Cell } from "./core/rows.js";
export { InputError, type InputLocation } from "./core/errors.js";
export { Progress, type ProgressOptions } from "./core/progress.js";
export { sharedDatasetsDir, sharedDataset } from "./core/paths.js";

// ── frames: rows as arquero tables and danfo DataFrames ────────────────────────────────────────
export { toArquero, fromArquero, toDanfo, fromDanfo, dropMissing, dfd, type ColumnTable, type DataFrame } from "./frames/index.js";

// ── report: Observable Plot rendered server-side, SVG → PNG ─────────────────────────────────────
export { Plot, renderPlot, renderFigure, toPng, pngSize, type PlotOptions, type RenderedPlot, type PngOptions } from "./report/index.js";
export { show, showHtml, showSvg, showPng, displayTarget, htmlToText, svgSummary, type Showable, type DisplayTarget } from "./report/display.js";

// ── cluster: the embedded FMA cluster — latency profiles, the seeded model, the loopback API server ─
export { getProfile, listProfiles, sampleStep, sampleDistribution, actuationDelayMs, actuationTimeline, sampleRemainder, sampleRequesterStart, modelMemory, wakeFloorMs, nextProbeTick, nextRetryTick, STEP_NAMES, type LatencyProfile, type StepName, type StepDistribution, type ProfileStep, type ProbeSpec, type ModelSpec, type GpuSpec, type ModelMemory, type TimelineOptions, type ActuationTimeline } from "./actuation/profiles.js";
export { ClusterModel, ApiError, FMA, FMA_GROUP, FMA_VERSION, instanceIdFor, nominalHashFor, type RequesterDeploymentOptions } from "./cluster/model.js";
export { type ActuationTruth, type ClusterConfig, type PlacementPolicy } from "./cluster/types.js";
export { type KObject, type ObjectMeta } from "./cluster/store.js";
export { ApiServer, type ApiServerOptions, type FaultConfig } from "./cluster/server.js";
export { startCluster, kubeconfigYaml, type StartClusterOptions, type RunningCluster } from "./cluster/start.js";

// ── kube: pods through the real Kubernetes client — list+watch with resume/relist, lifecycles, latencies, event logs ─
export { watchPods, type WatchPodsOptions, type WatchStream, type WatchStats, type WatchStatus, type WatchClock, type BackoffOptions } from "./kube/watch.js";
export { PODS, EVENTS as KUBE_EVENTS, INFERENCE_SERVER_CONFIGS, LAUNCHER_CONFIGS, LAUNCHER_POPULATION_POLICIES, FMA_RESOURCES, collectionPath, objectKey, type KubeObject, type KubeMetadata, type WatchEvent, type WatchEventType, type EventOrigin, type ResourceRef } from "./kube/types.js";
export { recordEvents, replayEvents as replayEventLog, parseEventLog, collect as collectEvents, EVENT_LOG_FORMAT, EVENT_LOG_VERSION, type EventLogHeader, type EventLogEnd, type RecordOptions, type ReplayOptions as EventLogReplayOptions } from "./kube/event-log.js";
export { LifecycleReducer, podLifecycles, POD_PHASES, TRACKED_LABELS, TRACKED_ANNOTATIONS, type PodLifecycle, type PhaseTime, type PodPhase, type MetaChange, type LifecycleOptions } from "./kube/lifecycle.js";
export { kubeBurnerPodLatency, cl2PodStartupLatency, cl2Transitions, KUBE_BURNER_QUANTILES, CL2_TRANSITIONS, type PodLatencyMeasurement, type PodLatencyQuantiles, type KubeBurnerResult, type KubeBurnerQuantileName, type PerfData, type Cl2Transition } from "./kube/latency.js";
export { parseKubeTime } from "./kube/time.js";
export { loadKubeConfig, checkKubeConfig, contextNamespace, kubeRequest, kubeGet, type RawResponse } from "./kube/kubeconfig.js";
export { scaleDeployment, getDeployment, createObject, deleteObject, readPodLog, readMetricsText, type Workload } from "./kube/api-calls.js";
export { fetchFmaEvidence, parseFmaEvidence, type FmaEvidence, type FetchEvidenceOptions } from "./kube/fma-evidence.js";
export { runNopIterations, type NopRunOptions, type NopRunResult, type RunRecord } from "./kube/nop-runner.js";
export { RunWriter, readRunDir, writeAnalysis } from "./kube/run-files.js";
export { startMemoryApi, type MemoryApi, type MemoryApiOptions, type MemoryApiFaults } from "./kube/memory-api.js";

// ── actuation: classification (hot / warm / cold_launcher / cold / unknown), timings, hit rates, nop result.yaml ─
export { ACTUATION_PATHS, type ActuationPath, type ActuationMode, type ActuationClass } from "./actuation/path.js";
export { classifyActuations, CONDITION_OF, type Actuation, type ClassifyInput, type ClassificationSource, type TimingSource, type ActuationCondition } from "./actuation/classify.js";
export { parseDpcLog, parseKlog, dpcRecordFor, parseVllmLog, parseActuationMetric, actuationCounts, countsDelta, type DpcEvidence, type DpcRecord, type DpcCall, type VllmEvent, type VllmEventType, type ActuationMetricSample } from "./actuation/evidence.js";
export { FMA_KEYS, INFERENCE_SERVER_CONTAINER, podRole, type PodRole } from "./actuation/fma-keys.js";
export { hitRates, summarizeActuations, TIMINGS, type HitRates, type IterationSummary, type RunSummary, type TimingName } from "./actuation/summary.js";
export { toNopResult, toBenchmarkReport, toYamlText, actuationRows, type NopResult, type NopResultOptions, type NopScenario, type NopIteration, type LauncherInfo } from "./actuation/nop-result.js";
export { dualPodsSummary, type DualPodsRun, type DualPodsResult, type DualPodsSummary } from "./actuation/dual-pods-summary.js";
export { analyzeRun, type RunInputs, type RunAnalysis } from "./actuation/analyze.js";

// ── trace · engine · replay: traces, a vLLM-style engine model, fleet replay with a controller hook ─
export { DEFAULT_TRACE_BLOCK_SIZE, MooncakeLineParser, parseMooncake, readMooncake, loadMooncake, AzureLineParser, parseAzure, readAzure, loadAzure, loadTrace, traceFormatOf, type TraceRequest, type TraceReadOptions, type TraceReadReport, type TraceLoad, type TraceFormat } from "./trace/index.js";
export { traceStats, idealPrefixReuse, arrivalOrder, normalizeTimestamps, speedUp, timeWindow, head as traceHead, sample as traceSample, concatTraces, offsetHashIds, type TraceStats, type IdealPrefixReuse, type RatePoint } from "./trace/index.js";
export { arrivalTimes, drawLength, syntheticTrace, sharedPrefixTrace, multiTurnTrace, toVidurRows, toBlisTraceV2, BLIS_TRACE_V2_COLUMNS, type ArrivalSpec, type LengthSpec, type SyntheticTraceOptions, type SharedPrefixOptions, type MultiTurnOptions, type VidurRow, type BlisRow, type BlisTrace } from "./trace/index.js";
export { DEFAULT_ENGINE_CONFIG, engineConfig, engineCapabilities, polynomialStepTime, interpolatedStepTime, polynomialPrefillMs, polynomialDecodeMs, linearStepTime, fitStepTime, stepTimeProfile, registerStepTimeProfile, stepTimeProfileNames, DYNAMO_PREFILL_POLY, DYNAMO_DECODE_POLY, KvCache, BlockInterner, EngineWorker, Seq as EngineSeq, runEngine, type EngineConfig, type EngineCapabilities, type StepTimeModel, type StepTimeTables, type PassShape, type WorkerRole, type PolynomialStepTimeOptions, type StepFeature, type MeasuredPass, type LinearStepTime, type PassRecord, type WorkerHooks, type EngineArrival, type EngineRequestResult, type EngineRunResult } from "./engine/index.js";
export { scheduledController, type FleetChangeStep } from "./replay/index.js";
export { replayTrace, replayEvents, ReplaySim, Router as ReplayRouter, kvRouterCost, ROUTER_POLICIES, requestRows, summarize as summarizeReplay, intervalRows, type ReplayResult, type FleetChange, type ReplayOptions, type ReplayEvent, type RouterPolicy, type RouterView, type RequestRow, type IntervalRow, type ReplaySummary, type Pool, type ForwardPassMetrics, type TrafficWindow, type WorkerInfo, type FleetObservations, type FleetControl, type ReplayController } from "./replay/index.js";

// ── planner: Dynamo-style autoscaler (pure state machine), planner-in-the-loop replay with FMA actuation costs ─
export { PlannerStateMachine, scaleDecision, fpmMatchesWorkers, MERGE_TOLERANCE_S, parsePlannerConfig, loadPlannerConfig, parsePlannerConfigText, DEFAULT_PLANNER_CONFIG, DEFAULT_ACTUATION, DEFAULT_ENGINE_CAPABILITIES as PLANNER_DEFAULT_CAPABILITIES, fitLinear, PrefillRegression, DecodeRegression, AggRegression, BucketedRegression, aggMaxBatch, makePredictor, budgetClamp, globalBudget, clampKvHitRate, kvDiscountFactor, easyDecision, aggregateLoadReason, LOAD_REASON_COLORS, THROUGHPUT_REASON_COLORS, ActuationPool, PlannerController, runPlannerReplay, resolvePlannerConfig, writePlannerReplayOutputs, type PlannerConfig, type ActuationConfig, type PlannerEngineCapabilities, type LinearFit, type FpmPoint, type FitResult, type LoadPredictor, type LoadPredictorName, type LoadReason, type ThroughputReason, type PlannerSnapshot, type ScalingEvent, type ActuationRecord, type PlannerControllerOptions, type PlannerReplayOptions, type PlannerReplayResult, type PlannerReplaySummary, type ScheduledTick, type TickInput, type TickDiagnostics, type PlannerEffects, type WorkerFpm, type TrafficObservation } from "./planner/index.js";
export { renderDiagnosticsReport, diagnosticsCharts, replicaTransitions, type DiagnosticsReportInput, type DiagnosticsChart } from "./report/index.js";

// ── doe: experiment files, designs, parallel resumable sweeps, factor analysis, DOE plots ───────
export { designFromPoints, withParams, replicate, repeatedMeasures, withCenterPoints, withBlocks, randomize, designRows, type Design, type DesignRun, type DesignKind, type FractionInfo, type Level as FactorValue } from "./doe/design.js";
export { fullFactorial, fractionalFactorial, oneFactorAtATime, resolutionNumeral, type FactorLevels, type TwoLevelFactor } from "./doe/factorial.js";
export { latinHypercube, randomSample, maximinDistance, type NumericRange, type SampledFactor, type LatinHypercubeOptions } from "./doe/space-filling.js";
export { expandExperiment, experimentDesign, experimentSize, type Experiment, type ExperimentFactor, type ExperimentTreatment, type ExperimentSection, type ExperimentRun, type ExperimentOptions, type ExperimentWarning, type ExperimentDesignOptions, type ExperimentDesignOverrides } from "./doe/experiment.js";
export { parseExperiment, readExperimentFile, experimentFromObject, defineExperiment, experimentToYaml, dottedToNested, type ParseOptions as ExperimentParseOptions, type ExperimentSpec, type ExperimentFactorSpec } from "./doe/experiment-file.js";
export { runSweep, runSeed, writeSweepResults, fileRows, type SweepOptions, type SweepResult, type SweepTiming, type TreatmentFn, type TreatmentInput, type TreatmentResult, type RunStatus } from "./doe/sweep.js";
export { parseShard, shardRuns, mergeShards, readResultsJsonl, type Shard as SweepShard, type MergeResult } from "./doe/shard.js";
export { indexedJobManifest, indexedJobYaml, type IndexedJobOptions } from "./doe/indexed-job.js";
export { syntheticResponse } from "./doe/synthetic-response.js";
export { anova, type AnovaOptions, type AnovaRow, type AnovaTable } from "./doe/anova.js";
export { mainEffects, interactionMeans, twoLevelEffects, lenth, effectInference, type LevelMean, type CellMean, type Effect as FactorEffect, type TwoLevelEffects, type LenthResult, type EffectInference } from "./doe/effects.js";
export { analyzeFactors, guessFactors, type FactorAnalysis, type FactorAnalysisOptions } from "./doe/analysis.js";
export { mainEffectsPlot, interactionPlotMatrix, paretoPlot, halfNormalPlot, residualsPlot, writePlot, type StandardizedEffect } from "./doe/effect-plots.js";
