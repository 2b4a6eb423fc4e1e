/** Traces: Mooncake JSONL and Azure CSV readers (streaming and in memory), generators, transforms, statistics, exporters. */
export { DEFAULT_TRACE_BLOCK_SIZE, type TraceRequest, type TraceReadOptions, type TraceReadReport, type TraceLoad } from "./types.js";
export { MooncakeLineParser, parseMooncake, readMooncake, loadMooncake } from "./mooncake.js";
export { AzureLineParser, parseAzure, readAzure, loadAzure } from "./azure.js";
export { loadTrace, traceFormatOf, type TraceFormat } from "./load.js";
export { textLines, memoryLines, fileChunks, type TextSource } from "./lines.js";
