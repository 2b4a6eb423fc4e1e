/** Traces: Mooncake JSONL and Azure CSV readers (streaming and in memory), generators, transforms, statistics, exporters. */
export { DEFAULT_TRACE_BLOCK_SIZE, type TraceRequest, type TraceReadOptions, type TraceReadReport, type TraceLoad, type Trace, type TraceProvenance } from "./types.js";
export { MooncakeLineParser, parseMooncake, readMooncake, loadMooncake } from "./mooncake.js";
export { AzureLineParser, parseAzure, readAzure, loadAzure } from "./azure.js";
export { loadTrace, traceFormatOf, type TraceFormat } from "./load.js";
export { textLines, memoryLines, fileChunks, type TextSource } from "./lines.js";
export { traceStats, idealPrefixReuse, arrivalOrder, type TraceStats, type IdealPrefixReuse, type RatePoint } from "./stats.js";
export { normalizeTimestamps, speedUp, timeWindow, head, sample, concatTraces, offsetHashIds } from "./transforms.js";
export { arrivalTimes, drawLength, syntheticTrace, sharedPrefixTrace, multiTurnTrace, type ArrivalSpec, type LengthSpec, type SyntheticTraceOptions, type SharedPrefixOptions, type MultiTurnOptions } from "./generate.js";
export { toVidurRows, toBlisTraceV2, BLIS_TRACE_V2_COLUMNS, type VidurRow, type BlisRow, type BlisTrace } from "./exporters.js";
export { inferencePerfTrace, parseInferencePerfConfig, readInferencePerfConfig, type IpWorkload, type IpDistribution, type IpSharedPrefix } from "./inference-perf.js";
