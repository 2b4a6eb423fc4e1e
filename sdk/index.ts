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

// ── cluster: the embedded FMA cluster — latency profiles, the seeded model, the loopback API server ─
export { getProfile, listProfiles, sampleStep, sampleDistribution, actuationDelayMs, actuationTimeline, sampleRemainder, sampleRequesterStart, modelMemory, wakeFloorMs, nextProbeTick, nextRetryTick, STEP_NAMES, type LatencyProfile, type StepName, type StepDistribution, type ProfileStep, type ProbeSpec, type ModelSpec, type GpuSpec, type ModelMemory, type TimelineOptions, type ActuationTimeline } from "./cluster/profiles.js";
export { ClusterModel, ApiError, FMA, FMA_GROUP, FMA_VERSION, instanceIdFor, nominalHashFor, type RequesterDeploymentOptions } from "./cluster/model.js";
export { type ActuationTruth, type ClusterConfig, type PlacementPolicy } from "./cluster/types.js";
export { type KObject, type ObjectMeta } from "./cluster/store.js";
export { ApiServer, type ApiServerOptions, type FaultConfig } from "./cluster/server.js";
export { startCluster, kubeconfigYaml, type StartClusterOptions, type RunningCluster } from "./cluster/start.js";
